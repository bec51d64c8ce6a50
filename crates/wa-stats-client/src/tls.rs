//! Which certificate authorities the client trusts, and what a failed TLS handshake is told to
//! the person: the cause (an unknown CA, another name, an expired certificate) and the fix.

use std::fmt;

use crate::Setting;
use crate::error::{BoxError, Error};

/// The trust settings of a [`ClientBuilder`](crate::ClientBuilder) (whose setters,
/// `add_root_certificate` and `tls_built_in_roots`, are with the others in `config/mod.rs`):
/// extra roots, and whether the platform's and the built-in (webpki) roots stay.
#[derive(Debug, Clone)]
pub(crate) struct TlsRoots {
    pub(crate) extra_pem: Vec<Vec<u8>>,
    pub(crate) built_in: bool,
}

impl Default for TlsRoots {
    fn default() -> Self {
        Self {
            extra_pem: Vec::new(),
            built_in: true,
        }
    }
}

impl TlsRoots {
    /// Applies these roots to reqwest's builder; PEM without a certificate is refused here, with
    /// the setting named.
    pub(crate) fn apply(
        &self,
        builder: reqwest::ClientBuilder,
    ) -> Result<reqwest::ClientBuilder, Error> {
        let mut certificates = Vec::new();
        for (index, pem) in self.extra_pem.iter().enumerate() {
            let found = reqwest::Certificate::from_pem_bundle(pem).map_err(|error| {
                Error::bad_setting(
                    Setting::RootCertificate,
                    format!("root certificate #{}: not valid PEM: {error}", index + 1),
                )
            })?;
            if found.is_empty() {
                return Err(Error::bad_setting(
                    Setting::RootCertificate,
                    format!(
                        "root certificate #{}: no PEM CERTIFICATE block in it (expected \
                         \"-----BEGIN CERTIFICATE-----\")",
                        index + 1
                    ),
                ));
            }
            certificates.extend(found);
        }
        Ok(if self.built_in {
            if certificates.is_empty() {
                builder
            } else {
                builder.tls_certs_merge(certificates)
            }
        } else {
            builder.tls_certs_only(certificates)
        })
    }
}

impl TlsRoots {
    /// After the HTTP client could not be built: the extra root that made it fail, as a refusal
    /// of [`Setting::RootCertificate`] naming which one, or `None` when none did. A `CERTIFICATE`
    /// block whose contents are not a certificate passes the PEM reading and fails only there,
    /// with words ("builder error") that name no setting.
    pub(crate) fn culprit(&self) -> Option<Error> {
        for (index, pem) in self.extra_pem.iter().enumerate() {
            let Ok(found) = reqwest::Certificate::from_pem_bundle(pem) else {
                continue;
            };
            for (block, certificate) in found.into_iter().enumerate() {
                if let Err(error) = reqwest::Client::builder()
                    .tls_certs_only([certificate])
                    .build()
                {
                    let cause = crate::error::innermost_of(&error).to_string();
                    return Some(Error::bad_setting(
                        Setting::RootCertificate,
                        format!(
                            "root certificate #{}: CERTIFICATE block {} is not a certificate this \
                             client can use ({cause})",
                            index + 1,
                            block + 1
                        ),
                    ));
                }
            }
        }
        None
    }
}

/// Why a certificate was refused, as far as rustls says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cause {
    UnknownIssuer,
    WrongName,
    Expired,
    NotYetValid,
    Other,
}

/// A TLS failure worded for the person: what went wrong and what to do. Its source is the
/// rustls error.
#[derive(Debug)]
pub(crate) struct TlsFailure {
    cause: Cause,
    detail: String,
}

impl fmt::Display for TlsFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let detail = &self.detail;
        match self.cause {
            Cause::UnknownIssuer => write!(
                f,
                "the server's certificate is signed by a CA this client does not trust \
                 ({detail}); if the server uses a private or test CA, trust its certificate"
            ),
            Cause::WrongName => write!(
                f,
                "the server's certificate is not valid for this host name ({detail}); use the \
                 host name the certificate names in the URL, or have the server present a \
                 certificate for this one"
            ),
            Cause::Expired => write!(
                f,
                "the server's certificate has expired ({detail}); the server must renew it \
                 (check this machine's clock too)"
            ),
            Cause::NotYetValid => write!(
                f,
                "the server's certificate is not valid yet ({detail}); check this machine's \
                 clock"
            ),
            Cause::Other => write!(
                f,
                "{detail}; check that the URL's port speaks HTTPS and that client and server \
                 share a TLS version"
            ),
        }
    }
}

impl std::error::Error for TlsFailure {}

/// Wraps a send error that was classified as TLS with the person's explanation. The HTTP
/// stack's own layers are left out: the explanation names the rustls error it came from.
pub(crate) fn explain(error: reqwest::Error) -> BoxError {
    let rustls_error = find_rustls_error(&error);
    let cause = match rustls_error {
        Some(rustls::Error::InvalidCertificate(certificate)) => {
            use rustls::CertificateError as E;
            match certificate {
                // BadSignature: a CA of the issuer's name is trusted, but another key signed the
                // certificate; to the person it is the same: this CA is not trusted.
                E::UnknownIssuer | E::BadSignature => Cause::UnknownIssuer,
                E::NotValidForName | E::NotValidForNameContext { .. } => Cause::WrongName,
                E::Expired | E::ExpiredContext { .. } => Cause::Expired,
                E::NotValidYet | E::NotValidYetContext { .. } => Cause::NotYetValid,
                _ => Cause::Other,
            }
        }
        _ => Cause::Other,
    };
    let detail = match rustls_error {
        Some(inner) => inner.to_string(),
        None => crate::error::innermost_of(&error).to_string(),
    };
    Box::new(TlsFailure { cause, detail })
}

/// The rustls error in `error`'s chain, opening wrapped I/O errors (whose `source` skips them).
fn find_rustls_error<'a>(
    error: &'a (dyn std::error::Error + 'static),
) -> Option<&'a rustls::Error> {
    let mut current = Some(error);
    while let Some(error) = current {
        if let Some(found) = error.downcast_ref::<rustls::Error>() {
            return Some(found);
        }
        if let Some(io) = error.downcast_ref::<std::io::Error>()
            && let Some(inner) = io.get_ref()
        {
            let inner: &(dyn std::error::Error + 'static) = inner;
            if let Some(found) = find_rustls_error(inner) {
                return Some(found);
            }
        }
        current = error.source();
    }
    None
}
