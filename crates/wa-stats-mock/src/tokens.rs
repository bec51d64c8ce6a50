//! Access tokens issued by `POST /auth/token` (R14): who they act for, when they expire, and the
//! 10-per-minute issuance limit per client.

use std::time::Duration;

use tokio::time::Instant;
use wa_stats_model::endpoint::{TOKEN_LIMIT_WINDOW, TOKENS_PER_MINUTE};

use crate::limiter::SlidingWindow;
use crate::secret_map::SecretMap;
use crate::store::{Client, Identity};

#[derive(Debug)]
struct Issued {
    identity: Identity,
    expires_at: Instant,
}

/// Issued tokens and the issuance limiter.
#[derive(Debug)]
pub(crate) struct TokenStore {
    /// Keyed by the token, looked up in constant time per candidate.
    issued: SecretMap<Issued>,
    issuance: SlidingWindow,
}

impl Default for TokenStore {
    fn default() -> Self {
        Self {
            issued: SecretMap::default(),
            issuance: SlidingWindow::new(TOKENS_PER_MINUTE, TOKEN_LIMIT_WINDOW),
        }
    }
}

impl TokenStore {
    /// Issues a token for `client` valid for `ttl`, or `None` past the per-minute limit.
    pub(crate) fn issue(&mut self, client: &Client, ttl: Duration, now: Instant) -> Option<String> {
        if !self.issuance.admit(&client.limit_key, now) {
            return None;
        }
        // Expired tokens are dropped here, so the store stays as small as the issuance limit.
        self.issued.retain(|issued| issued.expires_at > now);
        let token = format!("mock-at.{:032x}", rand::random::<u128>());
        let identity = Identity {
            partner: client.partner,
            limit_key: client.limit_key.clone(),
        };
        let expires_at = now
            .checked_add(ttl)
            .unwrap_or(now + Duration::from_secs(86_400 * 365));
        self.issued.insert(
            &token,
            Issued {
                identity,
                expires_at,
            },
        );
        Some(token)
    }

    /// Who an issued token acts for, if it exists and has not expired.
    pub(crate) fn identity(&self, token: &str, now: Instant) -> Option<Identity> {
        self.issued
            .get(token)
            .filter(|issued| now < issued.expires_at)
            .map(|issued| issued.identity.clone())
    }

    /// Forgets every token and every issuance.
    pub(crate) fn clear(&mut self) {
        self.issued.clear();
        self.issuance.clear();
    }
}
