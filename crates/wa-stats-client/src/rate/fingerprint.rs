//! [`Fingerprint`]: names a credential's rate budget (a keyed hash, never the secret), so that
//! a budget serves one credential and the Redis keys of processes on other hosts agree.

use std::fmt;

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The key of the fingerprint's HMAC. Fixed, because processes on other hosts must arrive at
/// the same fingerprint; what it buys is that a fingerprint is useless outside this scheme (no
/// rainbow table of plain SHA-256 sums applies). A credential of fewer than ~80 bits of entropy
/// could still be guessed offline by whoever reads the fingerprint: Insider's keys are longer.
const FINGERPRINT_KEY: &[u8] = b"wa-stats-client rate budget fingerprint v1";

/// Names a credential's rate budget (R9: an API key, a bearer token, or an OAuth client id)
/// without holding it.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Fingerprint([u8; 16]);

impl Fingerprint {
    /// `kind` separates the credential kinds, so that an API key and a client id that happen
    /// to be the same text do not share a budget.
    pub(crate) fn of(kind: &str, credential: &str) -> Self {
        // HMAC accepts a key of any length; `new_from_slice` cannot fail for it.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(FINGERPRINT_KEY)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(kind.as_bytes());
        mac.update(&[0]);
        mac.update(credential.as_bytes());
        let digest = mac.finalize().into_bytes();
        let mut short = [0; 16];
        short.copy_from_slice(&digest[..16]);
        Self(short)
    }

    /// 32 lower-case hex digits.
    #[cfg_attr(
        not(feature = "redis"),
        allow(dead_code, reason = "only Redis keys and a test print it")
    )]
    pub(crate) fn hex(&self) -> String {
        self.0.iter().map(|byte| format!("{byte:02x}")).collect()
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Fingerprint(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_separate_kinds_and_credentials_and_hold_no_secret() {
        let key = Fingerprint::of("api_key", "INS.demo-key");
        assert_eq!(key, Fingerprint::of("api_key", "INS.demo-key"));
        assert_ne!(key, Fingerprint::of("bearer", "INS.demo-key"));
        assert_ne!(key, Fingerprint::of("api_key", "INS.demo-kez"));
        assert_eq!(key.hex().len(), 32);
        assert!(!key.hex().contains("demo"));
        assert_eq!(format!("{key:?}"), "Fingerprint(..)");
    }
}
