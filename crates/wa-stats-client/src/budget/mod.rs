//! One rate budget per credential. In one process, clients built with the same credential find
//! one pacer here, by a fingerprint of the credential (a keyed hash, never the secret); across
//! processes and hosts, feature `redis` adds a budget decided in Redis.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError, Weak};

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::pacing::LocalPacer;

#[cfg(feature = "redis")]
pub(crate) mod admission;
#[cfg(feature = "redis")]
pub(crate) mod redis;

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
        allow(dead_code, reason = "only Redis keys print it")
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

/// Which pacer a client gets: its credential, its rate, and the tokio runtime it was built in
/// (`None` outside one).
type PacerKey = (Fingerprint, u32, Option<String>);

/// The pacers of this process. Entries are weak: a pacer lives as long as a client that uses it.
static PACERS: Mutex<BTreeMap<PacerKey, Weak<LocalPacer>>> = Mutex::new(BTreeMap::new());

/// The pacer every client of this credential and rate in this process shares, made on first use.
/// Clients of one credential with different rates pace separately (each at its own rate). So do
/// clients built in different tokio runtimes: a pacer's instants are its runtime's clock, and
/// a test runtime's paused clock is not another runtime's (it would make a real-time runtime
/// wait for a virtual future). Each `#[tokio::test]` thereby gets budgets of its own.
pub(crate) fn process_pacer(fingerprint: Fingerprint, per_second: u32) -> Arc<LocalPacer> {
    let runtime = tokio::runtime::Handle::try_current()
        .ok()
        .map(|handle| handle.id().to_string());
    let key = (fingerprint, per_second, runtime);
    let mut pacers = PACERS.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(pacer) = pacers.get(&key).and_then(Weak::upgrade) {
        return pacer;
    }
    pacers.retain(|_, pacer| pacer.strong_count() > 0);
    let pacer = Arc::new(LocalPacer::new(per_second));
    pacers.insert(key, Arc::downgrade(&pacer));
    pacer
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

    #[test]
    fn one_pacer_per_credential_and_rate_while_a_client_holds_it() {
        let fingerprint = Fingerprint::of("test", "one_pacer_per_credential");
        let first = process_pacer(fingerprint, 100);
        assert!(Arc::ptr_eq(&first, &process_pacer(fingerprint, 100)));
        assert!(!Arc::ptr_eq(&first, &process_pacer(fingerprint, 50)));
        let other = Fingerprint::of("test", "another credential");
        assert!(!Arc::ptr_eq(&first, &process_pacer(other, 100)));
        let weak = Arc::downgrade(&first);
        drop(first);
        assert!(
            weak.upgrade().is_none(),
            "the table must not keep pacers alive"
        );
    }

    #[test]
    fn each_runtime_has_pacers_of_its_own() {
        let fingerprint = Fingerprint::of("test", "each_runtime_has_pacers_of_its_own");
        let runtime = || {
            tokio::runtime::Builder::new_current_thread()
                .enable_time()
                .build()
                .unwrap()
        };
        let (one, two) = (runtime(), runtime());
        let in_one = one.block_on(async { process_pacer(fingerprint, 100) });
        let again = one.block_on(async { process_pacer(fingerprint, 100) });
        let in_two = two.block_on(async { process_pacer(fingerprint, 100) });
        assert!(Arc::ptr_eq(&in_one, &again));
        assert!(!Arc::ptr_eq(&in_one, &in_two));
    }
}
