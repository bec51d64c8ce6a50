//! Errors the mock reports to whoever starts it: bad fixtures, a port it cannot bind, bad settings.

use std::net::SocketAddr;

/// Why a mock server could not be configured or started. The message names what to fix.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MockError {
    /// A fixture file could not be read.
    #[error("fixture file {file}: cannot read it: {source}")]
    FixtureIo {
        /// The file as given.
        file: String,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// Fixtures that are not valid JSON, do not match the format, or contradict themselves.
    #[error("{}: at {path}: {message}", fixture_source(file))]
    Fixture {
        /// The file as given, or `<fixtures>` for fixtures built in code.
        file: String,
        /// JSON path of the offending value, such as `campaigns[2].days[0].date`.
        path: String,
        /// What is wrong with it.
        message: String,
    },
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A certificate or key that cannot serve HTTPS, or one that could not be made.
    #[error("TLS: {message}")]
    Tls {
        /// What is wrong, and with which file.
        message: String,
    },
    /// Settings that cannot work together (for example synthetic data without partner `demo`).
    #[error("invalid settings: {0}")]
    Settings(String),
}

/// Names where fixtures came from: a file by its name; fixtures built in code, which have none,
/// as such.
fn fixture_source(file: &str) -> String {
    if file == crate::fixtures::IN_CODE {
        "fixtures given in code".to_owned()
    } else {
        format!("fixture file {file}")
    }
}

/// A problem found inside fixtures, before the file name is known: the JSON path and the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FixtureIssue {
    pub(crate) path: String,
    pub(crate) message: String,
}

impl FixtureIssue {
    pub(crate) fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
        }
    }

    pub(crate) fn in_file(self, file: &str) -> MockError {
        MockError::Fixture {
            file: file.to_owned(),
            path: self.path,
            message: self.message,
        }
    }
}
