//! What a token cache holds, sealed: the token, when to refresh it, when it expires, and when the
//! last token requests left, as JSON encrypted with XChaCha20-Poly1305 under a key that HKDF
//! derives from the client secret. A store therefore never holds a usable token or any secret,
//! and a record another credential wrote (or anyone altered) simply does not open.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use serde_json::{Value, json};
use sha2::Sha256;
use wa_stats_model::Secret;

/// The first byte of every sealed record; a record of another version does not open.
const VERSION: u8 = 1;
const NONCE_LEN: usize = 24;
const SALT: &[u8] = b"wa-stats-client token cache v1";

/// The key that seals one credential's record, and the record's name in a store.
pub(crate) struct Sealer {
    cipher: XChaCha20Poly1305,
    name: String,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sealer")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl Sealer {
    /// One credential: the token URL, the client id and the secret all go into both the key and
    /// the name, so that another endpoint or client never shares a record.
    pub(crate) fn new(token_url: &str, client_id: &str, secret: &Secret) -> Self {
        let hkdf = Hkdf::<Sha256>::new(Some(SALT), secret.expose().as_bytes());
        let derive = |purpose: &[u8], out: &mut [u8]| {
            let info = [purpose, token_url.as_bytes(), b"\0", client_id.as_bytes()].concat();
            hkdf.expand(&info, out)
                .unwrap_or_else(|_| unreachable!("32 bytes is far below HKDF's limit"));
        };
        let mut key = [0; 32];
        derive(b"key\0", &mut key);
        let mut name = [0; 16];
        derive(b"name\0", &mut name);
        Self {
            cipher: XChaCha20Poly1305::new(&key.into()),
            name: name.iter().map(|byte| format!("{byte:02x}")).collect(),
        }
    }

    /// The record's name: 32 hex digits, derived from the secret but revealing nothing of it.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    pub(crate) fn seal(&self, record: &Record) -> Vec<u8> {
        let nonce: [u8; NONCE_LEN] = rand::random();
        let plain = record.to_json();
        let payload = Payload {
            msg: plain.as_bytes(),
            aad: self.name.as_bytes(),
        };
        #[expect(
            clippy::expect_used,
            reason = "XChaCha20-Poly1305 fails only for messages of 256 GiB"
        )]
        let sealed = self
            .cipher
            .encrypt(XNonce::from_slice(&nonce), payload)
            .expect("a token record is small");
        [&[VERSION][..], &nonce, &sealed].concat()
    }

    /// The record, or `None` when `bytes` is not one this key sealed (another version, another
    /// credential, altered, cut short).
    pub(crate) fn open(&self, bytes: &[u8]) -> Option<Record> {
        let (&version, rest) = bytes.split_first()?;
        if version != VERSION || rest.len() < NONCE_LEN {
            return None;
        }
        let (nonce, sealed) = rest.split_at(NONCE_LEN);
        let payload = Payload {
            msg: sealed,
            aad: self.name.as_bytes(),
        };
        let plain = self
            .cipher
            .decrypt(XNonce::from_slice(nonce), payload)
            .ok()?;
        Record::from_json(&plain)
    }
}

/// Milliseconds since the Unix epoch: the one clock processes on several hosts share.
pub(crate) fn unix_ms(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH).map_or(0, |since| {
        u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
    })
}

/// The instant `ms` Unix milliseconds name; past what this platform's clock holds, a year from
/// now (the far future to a token, see `token_answer::MAX_TOKEN_LIFETIME`).
pub(crate) fn from_unix_ms(ms: u64) -> SystemTime {
    UNIX_EPOCH
        .checked_add(Duration::from_millis(ms))
        .unwrap_or_else(|| {
            crate::token_answer::later(SystemTime::now(), crate::token_answer::MAX_TOKEN_LIFETIME)
        })
}

/// A cached token with its times on the wall clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoredToken {
    pub(crate) access_token: Secret,
    pub(crate) refresh_at: u64,
    pub(crate) expires_at: u64,
}

/// One credential's record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Record {
    pub(crate) token: Option<StoredToken>,
    /// When the last (up to 10) token requests left, in Unix milliseconds, oldest first.
    pub(crate) fetches: Vec<u64>,
}

impl Record {
    fn to_json(&self) -> String {
        let token = self.token.as_ref().map(|token| {
            json!({
                "access_token": token.access_token.expose(),
                "refresh_at": token.refresh_at,
                "expires_at": token.expires_at,
            })
        });
        json!({ "token": token, "fetches": self.fetches }).to_string()
    }

    fn from_json(bytes: &[u8]) -> Option<Self> {
        let value: Value = serde_json::from_slice(bytes).ok()?;
        let token = match value.get("token")? {
            Value::Null => None,
            token => Some(StoredToken {
                access_token: Secret::from(token.get("access_token")?.as_str()?.to_owned()),
                refresh_at: token.get("refresh_at")?.as_u64()?,
                expires_at: token.get("expires_at")?.as_u64()?,
            }),
        };
        let fetches = value
            .get("fetches")?
            .as_array()?
            .iter()
            .map(Value::as_u64)
            .collect::<Option<_>>()?;
        Some(Self { token, fetches })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sealer(secret: &str) -> Sealer {
        Sealer::new(
            "http://127.0.0.1:1/auth/token",
            "demo-client",
            &secret.into(),
        )
    }

    fn record() -> Record {
        Record {
            token: Some(StoredToken {
                access_token: "mock-at.0123456789".into(),
                refresh_at: 1_000,
                expires_at: 2_000,
            }),
            fetches: vec![500, 900],
        }
    }

    #[test]
    fn a_sealed_record_opens_with_its_key_only_and_shows_nothing_in_clear() {
        let sealed = sealer("demo-secret").seal(&record());
        assert_eq!(sealer("demo-secret").open(&sealed), Some(record()));
        assert_eq!(sealer("other-secret").open(&sealed), None);
        let text = String::from_utf8_lossy(&sealed);
        assert!(
            !text.contains("mock-at") && !text.contains("demo"),
            "{text}"
        );
        let name = sealer("demo-secret").name().to_owned();
        assert_eq!(name.len(), 32);
        assert_ne!(name, sealer("other-secret").name());
    }

    #[test]
    fn an_altered_or_cut_record_does_not_open() {
        let sealer = sealer("demo-secret");
        let mut sealed = sealer.seal(&record());
        let last = sealed.len() - 1;
        sealed[last] ^= 1;
        assert_eq!(sealer.open(&sealed), None);
        assert_eq!(sealer.open(&sealed[..10]), None);
        assert_eq!(sealer.open(&[]), None);
    }

    #[test]
    fn the_same_record_seals_differently_each_time() {
        let sealer = sealer("demo-secret");
        assert_ne!(sealer.seal(&record()), sealer.seal(&record()));
    }
}
