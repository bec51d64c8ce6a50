//! The builder's default values, public so that a program (the CLI's `--help`, say) can show
//! them without restating them.

use std::time::Duration;

use crate::retry::DEFAULT_QUOTA;

/// Default number of HTTP attempts per call (one try and two retries), as in the AWS SDKs.
///
/// ```
/// assert_eq!(wa_stats_client::DEFAULT_MAX_ATTEMPTS, 3);
/// ```
pub const DEFAULT_MAX_ATTEMPTS: u32 = 3;
/// Default time to establish a connection (TCP and TLS).
///
/// ```
/// assert_eq!(wa_stats_client::DEFAULT_CONNECT_TIMEOUT.as_secs(), 5);
/// ```
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Default time for one attempt: connect, send, and read the whole answer.
///
/// ```
/// assert_eq!(wa_stats_client::DEFAULT_TIMEOUT.as_secs(), 30);
/// ```
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default cap on an answer's body; a statistics body is a few kilobytes.
///
/// ```
/// assert_eq!(wa_stats_client::DEFAULT_MAX_BODY_BYTES, 1 << 20);
/// ```
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;
/// Default base of the exponential backoff.
///
/// ```
/// assert_eq!(wa_stats_client::DEFAULT_BACKOFF_BASE.as_millis(), 100);
/// ```
pub const DEFAULT_BACKOFF_BASE: Duration = Duration::from_millis(100);
/// Default cap of the exponential backoff.
///
/// ```
/// assert_eq!(wa_stats_client::DEFAULT_BACKOFF_CAP.as_secs(), 5);
/// ```
pub const DEFAULT_BACKOFF_CAP: Duration = Duration::from_secs(5);
/// Longest `Retry-After` the client waits; a longer one is cut to this.
///
/// ```
/// assert_eq!(wa_stats_client::DEFAULT_MAX_RETRY_AFTER.as_secs(), 30);
/// ```
pub const DEFAULT_MAX_RETRY_AFTER: Duration = Duration::from_secs(30);
/// Default size of the retry quota (see [`ClientBuilder::retry_quota`](crate::ClientBuilder::retry_quota)).
///
/// ```
/// assert_eq!(wa_stats_client::DEFAULT_RETRY_QUOTA, 500);
/// ```
pub const DEFAULT_RETRY_QUOTA: u32 = DEFAULT_QUOTA;
