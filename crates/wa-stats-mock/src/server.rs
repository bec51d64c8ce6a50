//! The server handle: build, bind, serve over HTTP/1.1, shut down.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::{JoinHandle, JoinSet};
use tower::ServiceExt;

use crate::error::MockError;
use crate::fault::Fault;
use crate::fixtures::{CampaignFixture, Fixtures, IN_CODE};
use crate::journal::JournalEntry;
use crate::routes::{ConnectionControl, router};
use crate::state::{AdminAccess, AppState, Data, Settings, apply_fixture_settings};
use crate::synthetic::Synthetic;

/// How long a graceful shutdown waits for requests in flight before dropping them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// A running mock server. Dropping it stops the server at once; [`MockServer::shutdown`] lets
/// requests in flight finish first.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let server = wa_stats_mock::MockServer::start().await;
/// assert!(server.base_url().starts_with("http://127.0.0.1:"));
/// # }
/// ```
#[derive(Debug)]
pub struct MockServer {
    addr: SocketAddr,
    state: AppState,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl MockServer {
    /// Starts a server with the built-in data (R13) on `127.0.0.1` and a free port.
    ///
    /// # Panics
    /// If no loopback port can be bound (the operating system is out of ports or sockets).
    /// Use [`MockServer::builder`] to get that as an error instead.
    pub async fn start() -> Self {
        match Self::builder().start().await {
            Ok(server) => server,
            Err(error) => panic!("wa-stats-mock could not start: {error}"),
        }
    }

    /// A builder for fixtures and settings.
    pub fn builder() -> MockServerBuilder {
        MockServerBuilder::default()
    }

    /// `http://IP:PORT`, without a trailing slash: the base URL for both routes and the token
    /// endpoint.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address (with the real port).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The shared state, for [`router`] or direct inspection.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Scripts a fault for the next matching requests.
    pub fn inject(&self, fault: Fault) {
        self.state.inject(fault);
    }

    /// The requests received so far, oldest first, credentials redacted.
    pub fn journal(&self) -> Vec<JournalEntry> {
        self.state.journal()
    }

    /// Clears faults, journal, rate-limit state and issued tokens.
    pub fn reset(&self) {
        self.state.reset();
    }

    /// Adds a campaign or replaces the one with the same ID.
    pub fn upsert_campaign(&self, campaign: &CampaignFixture) -> Result<(), MockError> {
        self.state.upsert_campaign(campaign)
    }

    /// Stops accepting, lets requests in flight finish (for up to 5 s), then stops.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            // Aborting the accept loop drops its JoinSet, which aborts every connection.
            task.abort();
        }
    }
}

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
        }
    }
}

impl MockServerBuilder {
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

    /// Lifetime of issued tokens unless a client sets its own. Default 3600 s; at least 1 s.
    pub fn token_ttl(mut self, ttl: Duration) -> Self {
        self.token_ttl = Some(ttl.max(Duration::from_secs(1)));
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
        });
        self
    }

    /// How many journal entries to keep (default 10 000; 0 turns the journal off).
    pub fn journal_capacity(mut self, entries: usize) -> Self {
        self.journal_capacity = Some(entries);
        self
    }

    /// Builds the state without binding, for [`router`] tests.
    pub fn into_state(self) -> Result<AppState, MockError> {
        let (fixtures, name) = match self.source {
            Source::Builtin => (Fixtures::builtin(), IN_CODE.to_owned()),
            Source::Fixtures(fixtures) => (*fixtures, IN_CODE.to_owned()),
            Source::File(path) => (Fixtures::from_file(&path)?, path.display().to_string()),
        };
        let mut data = Data::compile(&fixtures).map_err(|issue| issue.in_file(&name))?;
        if let Some(synthetic) = self.synthetic {
            synthetic.generate(&mut data)?;
        }
        let mut settings = Settings::default();
        apply_fixture_settings(&mut settings, &fixtures);
        if let Some(rate_limit) = self.rate_limit {
            settings.rate_limit = rate_limit;
        }
        if let Some(ttl) = self.token_ttl {
            settings.token_ttl = ttl;
        }
        if let Some(capacity) = self.journal_capacity {
            settings.journal_capacity = capacity;
        }
        settings.admin = match self.admin_token {
            Some(token) => AdminAccess::Token(token),
            None if self.listen.ip().is_loopback() => AdminAccess::Open,
            None => AdminAccess::Off,
        };
        Ok(AppState::from_data(data, settings))
    }

    /// Loads the data, binds and starts serving.
    pub async fn start(self) -> Result<MockServer, MockError> {
        let listen = self.listen;
        let state = self.into_state()?;
        let listener = TcpListener::bind(listen)
            .await
            .map_err(|source| MockError::Bind {
                addr: listen,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| MockError::Bind {
            addr: listen,
            source,
        })?;
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(serve(listener, router(state.clone()), stopped));
        Ok(MockServer {
            addr,
            state,
            stop: Some(stop),
            task: Some(task),
        })
    }
}

/// Accepts connections until `stop` fires, then shuts down gracefully.
async fn serve(listener: TcpListener, router: Router, mut stop: oneshot::Receiver<()>) {
    let graceful = GracefulShutdown::new();
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    // Small answers must not wait for Nagle's algorithm.
                    let _ = stream.set_nodelay(true);
                    connections.spawn(connection(stream, router.clone(), &graceful));
                }
                Err(error) => {
                    // Out of file descriptors, most likely: back off instead of spinning.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            _ = &mut stop => break,
        }
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(SHUTDOWN_GRACE) => {}
    }
}

/// Serves one connection; drops it when a fault asks to.
fn connection(
    stream: tokio::net::TcpStream,
    router: Router,
    graceful: &GracefulShutdown,
) -> impl Future<Output = ()> + Send + 'static {
    let control = ConnectionControl::default();
    let handler_control = control.clone();
    let service = hyper::service::service_fn(move |mut request: http::Request<Incoming>| {
        request.extensions_mut().insert(handler_control.clone());
        router.clone().oneshot(request.map(Body::new))
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .serve_connection(TokioIo::new(stream), service);
    let conn = graceful.watch(conn);
    async move {
        tokio::select! {
            _ = conn => {}
            () = control.closed() => {}
        }
    }
}
