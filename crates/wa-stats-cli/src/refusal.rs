//! What ends a run, and the exit status each ending gets.

use std::fmt;

use wa_stats_client::Error;

use crate::escape::terminal;

/// Exit status when every campaign was fetched.
pub(crate) const EXIT_OK: u8 = 0;
/// Exit status when at least one campaign (or the token) could not be fetched.
pub(crate) const EXIT_FAILED: u8 = 1;
/// Exit status when the command line or a value was refused before anything was sent. Clap uses
/// the same status for its own usage errors.
pub(crate) const EXIT_REFUSED: u8 = 2;

/// Exit status when the server refused the credential (401 after the one token refresh) or the
/// partner's WhatsApp product (403 `3007`): the run stops at the first such answer, because every
/// other request would get the same. gh uses 4 for "authentication required" as well.
pub(crate) const EXIT_NOT_AUTHORISED: u8 = 4;

/// Exit status when no access token could be had from the token endpoint (client credentials):
/// it kept failing, after its retries, without refusing the credential (429, 5xx, no answer).
/// Every request needs a token, so the run stops there; distinct from 1 because no campaign
/// was at fault, and from 4 because the credential may be fine (try again later).
pub(crate) const EXIT_NO_TOKEN: u8 = 5;

/// Exit status when `--shared-budget-required` was given and Redis was unavailable: nothing
/// more was sent rather than risk going over the credential's shared limit.
pub(crate) const EXIT_NO_SHARED_BUDGET: u8 = 6;

/// Exit status after SIGINT (128 + 2), as shells report a process the signal ended.
pub(crate) const EXIT_SIGINT: u8 = 130;
/// Exit status after SIGTERM (128 + 15).
pub(crate) const EXIT_SIGTERM: u8 = 143;

/// The exit statuses, as `--help` and docs/cli.md list them.
pub(crate) const EXIT_CODES: &str = "Exit status:\n  \
    0    every campaign (every bucket) was fetched\n  \
    1    at least one failed, or --deadline passed; the others are still printed\n  \
    2    the command line or a value was refused before anything was sent\n  \
    4    not authorised: credential or WhatsApp product refused; nothing more sent\n  \
    5    no access token: the token endpoint kept failing; nothing more sent\n  \
    6    --shared-budget-required and Redis unavailable; nothing more sent\n  \
    130  interrupted (SIGINT, Ctrl-C); 143: terminated (SIGTERM)";

/// A value refused before anything was sent (exit status 2): what is wrong, naming the flag, and
/// how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    /// What is wrong, starting with the flag or argument at fault.
    pub(crate) problem: String,
    /// What to do instead.
    pub(crate) fix: Option<String>,
}

impl Refusal {
    /// A refusal with a fix.
    pub(crate) fn new(problem: impl Into<String>, fix: impl Into<String>) -> Self {
        Self {
            problem: problem.into(),
            fix: Some(fix.into()),
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Either may quote a server, a file or a database: shown escaped, on one line each.
        f.write_str(&terminal(&self.problem))?;
        if let Some(fix) = &self.fix {
            write!(f, "\n  fix: {}", terminal(fix))?;
        }
        Ok(())
    }
}

/// How a run ends when it does not end normally.
#[derive(Debug)]
pub(crate) enum Stop {
    /// Refused before sending: exit status 2.
    Refused(Refusal),
    /// Something failed after sending began (a token could not be had, say): exit status 1.
    Failed(String),
    /// The server refused the credential or the product: exit status 4.
    NotAuthorised(Refusal),
    /// No access token could be had: exit status 5.
    NoToken(Refusal),
    /// A required shared budget was unavailable: exit status 6.
    NoSharedBudget(Refusal),
}

impl From<Refusal> for Stop {
    fn from(refusal: Refusal) -> Self {
        Self::Refused(refusal)
    }
}

/// A client error as the command line words it: the client's report (the error and its causes,
/// each once), and for a TLS failure the command line's own ways to trust a CA, which the
/// library, knowing no flags, leaves out.
pub(crate) fn report(error: &Error) -> String {
    let mut text = error.report().to_string();
    if is_tls(error) {
        text.push_str(
            " (to trust a private or test CA: --ca-cert FILE, WA_STATS_CA_CERT, or a profile's \
             ca_cert)",
        );
    }
    text
}

fn is_tls(error: &Error) -> bool {
    match error {
        Error::TokenEndpoint { source, .. } => is_tls(source),
        other => other.kind_name() == "tls",
    }
}
