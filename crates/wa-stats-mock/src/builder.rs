//! Configuring a server before it starts: fixtures, settings and their checks, TLS. What can
//! be refused (a token TTL or journal bound out of range, bad fixtures) is refused here, before
//! anything binds.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::MockError;
use crate::fixtures::{self, Fixtures, IN_CODE};
use crate::journal::MIN_JOURNAL_MAX_BYTES;
use crate::server::MockServer;
#[cfg(not(feature = "tls"))]
use crate::server::NoTls;
use crate::state::{AdminAccess, AppState, Data, MAX_TOKEN_TTL, Settings, apply_fixture_settings};
use crate::synthetic::{Activity, Synthetic};
#[cfg(feature = "tls")]
use crate::tls::TlsIdentity;

/// Where fixtures come from.
#[derive(Debug, Clone)]
enum Source {
    Builtin,
    Fixtures(Box<Fixtures>),
    File(PathBuf),
}

/// Configures a [`MockServer`]. Settings given here win over a fixture file's `settings`.
#[derive(Debug, Clone)]
#[must_use]
pub struct MockServerBuilder {
    source: Source,
    rate_limit: Option<Option<u32>>,
    token_ttl: Option<Duration>,
    listen: SocketAddr,
    admin_token: Option<String>,
    synthetic: Option<Synthetic>,
    journal_capacity: Option<usize>,
    journal_max_bytes: Option<usize>,
    verify_on_drop: bool,
    #[cfg(feature = "tls")]
    tls: Option<TlsSetup>,
}

/// Where the certificate served over HTTPS comes from.
#[cfg(feature = "tls")]
#[derive(Debug, Clone)]
enum TlsSetup {
    Generate,
    Identity(Box<TlsIdentity>),
}

impl Default for MockServerBuilder {
    fn default() -> Self {
        Self {
            source: Source::Builtin,
            rate_limit: None,
            token_ttl: None,
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            admin_token: None,
            synthetic: None,
            journal_capacity: None,
            journal_max_bytes: None,
            verify_on_drop: true,
            #[cfg(feature = "tls")]
            tls: None,
        }
    }
}

impl MockServerBuilder {
    /// The lifetime of issued tokens (R14) unless [`MockServerBuilder::token_ttl`] says otherwise.
    pub const DEFAULT_TOKEN_TTL: Duration = crate::state::DEFAULT_TOKEN_TTL;
    /// The longest token lifetime the mock issues: 2^31 − 1 seconds (68 years), the most an
    /// `expires_in` read into a 32-bit integer holds, as many OAuth clients read it. A longer one
    /// is refused at start (flag, fixture or builder), never clamped.
    pub const MAX_TOKEN_TTL: Duration = MAX_TOKEN_TTL;
    /// Journal entries kept (the oldest go first) unless
    /// [`MockServerBuilder::journal_capacity`] says otherwise.
    pub const DEFAULT_JOURNAL_CAPACITY: usize = crate::state::DEFAULT_JOURNAL_CAPACITY;
    /// The journal's bound in bytes unless [`MockServerBuilder::journal_max_bytes`] says
    /// otherwise.
    pub const DEFAULT_JOURNAL_MAX_BYTES: usize = crate::journal::DEFAULT_JOURNAL_MAX_BYTES;
    /// The smallest byte bound [`MockServerBuilder::journal_max_bytes`] accepts.
    pub const MIN_JOURNAL_MAX_BYTES: usize = MIN_JOURNAL_MAX_BYTES;
    /// The partner that owns [`MockServerBuilder::synthetic`] campaigns.
    pub const SYNTHETIC_OWNER: &'static str = crate::synthetic::SYNTHETIC_OWNER;
    /// The lowest synthetic campaign ID (or just above the highest fixture ID, if that is
    /// higher).
    pub const SYNTHETIC_FIRST_ID: u64 = crate::synthetic::SYNTHETIC_FIRST_ID;
    /// The most days a synthetic campaign may have: from 2018-01-01, the last day must still be
    /// a ten-digit Unix time (R5's bound, 2286-11-20), or no request could reach it.
    pub const MAX_SYNTHETIC_DAYS: u32 = crate::synthetic::MAX_SYNTHETIC_DAYS;

    /// Serves these fixtures instead of the built-in data.
    pub fn fixtures(mut self, fixtures: Fixtures) -> Self {
        self.source = Source::Fixtures(Box::new(fixtures));
        self
    }

    /// Serves the fixtures of a JSON file (read when the server starts).
    pub fn fixtures_file(mut self, path: impl AsRef<Path>) -> Self {
        self.source = Source::File(path.as_ref().to_path_buf());
        self
    }

    /// Requests per second per credential; `None` turns the limit off. Default `Some(100)`.
    pub fn rate_limit(mut self, per_second: Option<u32>) -> Self {
        self.rate_limit = Some(per_second.filter(|&n| n > 0));
        self
    }

    /// Lifetime of issued tokens unless a client sets its own. Default 3600 s; from 1 s to
    /// [`MockServerBuilder::MAX_TOKEN_TTL`], else the server refuses to start.
    pub fn token_ttl(mut self, ttl: Duration) -> Self {
        self.token_ttl = Some(ttl);
        self
    }

    /// The address to listen on. Default `127.0.0.1:0` (a free port).
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    /// Requires `Authorization: Bearer <token>` on `/__admin/`, and enables the admin API on a
    /// non-loopback address (without a token it exists only on loopback).
    pub fn admin_token(mut self, token: impl Into<String>) -> Self {
        self.admin_token = Some(token.into());
        self
    }

    /// Adds `campaigns` generated campaigns of `days` days each, owned by partner `demo`,
    /// deterministic for a `seed`.
    pub fn synthetic(mut self, campaigns: u32, days: u32, seed: u64) -> Self {
        self.synthetic = Some(Synthetic {
            campaigns,
            days,
            seed,
            activity: self.synthetic.map(|s| s.activity).unwrap_or_default(),
        });
        self
    }

    /// How the synthetic campaigns' activity spreads over their days (default: every day).
    /// Call after [`Self::synthetic`].
    pub fn synthetic_activity(mut self, activity: Activity) -> Self {
        if let Some(synthetic) = &mut self.synthetic {
            synthetic.activity = activity;
        }
        self
    }

    /// How many journal entries to keep (default 10 000; 0 turns the journal off).
    pub fn journal_capacity(mut self, entries: usize) -> Self {
        self.journal_capacity = Some(entries);
        self
    }

    /// The most bytes the journal holds (default 32 MiB, at least 1 MiB): the oldest entries
    /// go first when a new one would pass it, and every request is still counted
    /// ([`MockServer::requests_received`]). A smaller bound is refused when the server starts.
    pub fn journal_max_bytes(mut self, bytes: usize) -> Self {
        self.journal_max_bytes = Some(bytes);
        self
    }

    /// Whether dropping the server checks the expectations and panics on an unmet one (default
    /// `true`, for tests). A program that serves the mock (the binary) sets `false` and calls
    /// [`MockServer::verification`] itself: a panic there would end it with the wrong status.
    pub fn verify_on_drop(mut self, verify: bool) -> Self {
        self.verify_on_drop = verify;
        self
    }

    /// Serves HTTPS (ALPN `h2` and `http/1.1`) with a CA and a leaf certificate for
    /// `localhost`, `127.0.0.1` and `::1` made at start; [`MockServer::ca_pem`] hands back the CA.
    #[cfg(feature = "tls")]
    pub fn tls(mut self) -> Self {
        self.tls = Some(TlsSetup::Generate);
        self
    }

    /// Serves HTTPS with this certificate and key, such as one made wrong on purpose by
    /// [`crate::tls::CertificateAuthority`] or read by [`TlsIdentity::from_files`].
    #[cfg(feature = "tls")]
    pub fn tls_identity(mut self, identity: TlsIdentity) -> Self {
        self.tls = Some(TlsSetup::Identity(Box::new(identity)));
        self
    }

    /// Builds the state without binding, for [`router`](crate::router) tests.
    pub fn into_state(self) -> Result<AppState, MockError> {
        let (fixtures, name) = match self.source {
            Source::Builtin => (Fixtures::builtin(), IN_CODE.to_owned()),
            Source::Fixtures(fixtures) => (*fixtures, IN_CODE.to_owned()),
            Source::File(path) => (fixtures::from_file(&path)?, path.display().to_string()),
        };
        let mut data = Data::compile(&fixtures).map_err(|issue| issue.in_file(&name))?;
        if let Some(synthetic) = self.synthetic {
            synthetic.generate(&mut data)?;
        }
        let mut settings = Settings::default();
        apply_fixture_settings(&mut settings, &fixtures).map_err(|issue| issue.in_file(&name))?;
        if let Some(rate_limit) = self.rate_limit {
            settings.rate_limit = rate_limit;
        }
        if let Some(ttl) = self.token_ttl {
            if ttl < Duration::from_secs(1) || ttl > MAX_TOKEN_TTL {
                return Err(MockError::Settings(format!(
                    "the token TTL must be from 1 s to {} s (68 years), got {ttl:?}",
                    MAX_TOKEN_TTL.as_secs()
                )));
            }
            settings.token_ttl = ttl;
        }
        if let Some(capacity) = self.journal_capacity {
            settings.journal_capacity = capacity;
        }
        if let Some(bytes) = self.journal_max_bytes {
            if bytes < MIN_JOURNAL_MAX_BYTES {
                return Err(MockError::Settings(format!(
                    "the journal's byte bound must be at least {MIN_JOURNAL_MAX_BYTES} (1 MiB), \
                     got {bytes}"
                )));
            }
            settings.journal_max_bytes = bytes;
        }
        settings.admin = match self.admin_token {
            Some(token) => AdminAccess::Token(token),
            None if self.listen.ip().is_loopback() => AdminAccess::Open,
            None => AdminAccess::Off,
        };
        Ok(AppState::from_data(data, settings))
    }

    /// Loads the data, binds and starts serving.
    #[cfg_attr(
        not(feature = "tls"),
        expect(unused_mut, reason = "only the TLS setup is taken out of the builder")
    )]
    pub async fn start(mut self) -> Result<MockServer, MockError> {
        let listen = self.listen;
        let verify_on_drop = self.verify_on_drop;
        #[cfg(feature = "tls")]
        let tls = match self.tls.take() {
            None => None,
            Some(TlsSetup::Generate) => Some(TlsIdentity::generate()?),
            Some(TlsSetup::Identity(identity)) => Some(*identity),
        };
        #[cfg(feature = "tls")]
        let (acceptor, ca_pem) = match &tls {
            Some(identity) => (
                Some(identity.acceptor()?),
                identity.ca_pem().map(str::to_owned),
            ),
            None => (None, None),
        };
        #[cfg(not(feature = "tls"))]
        let (acceptor, ca_pem) = (None::<NoTls>, None);
        let state = self.into_state()?;
        MockServer::spawn(listen, state, acceptor, ca_pem, verify_on_drop).await
    }
}
