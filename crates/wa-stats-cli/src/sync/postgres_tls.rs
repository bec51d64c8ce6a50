//! PostgreSQL over TLS, through rustls (no OpenSSL), with libpq's `sslmode` semantics, and the
//! connection errors a person can act on (issue 33).
//!
//! `--db postgres://…?sslmode=MODE&sslrootcert=FILE`, as libpq reads them:
//!
//! | mode | TLS | the server's certificate |
//! | --- | --- | --- |
//! | `disable` | never | — |
//! | `prefer` (the default, as libpq's) | when the server offers it | not checked (unless `sslrootcert`/`--ca-cert` is given: then as `verify-ca`) |
//! | `require` | always | not checked (unless a root is given: then as `verify-ca`) |
//! | `verify-ca` | always | signed by a trusted root |
//! | `verify-full` | always | signed by a trusted root and issued for the host connected to |
//!
//! Trusted roots: the platform's (rustls-native-certs), the `sslrootcert` file and `--ca-cert`.
//! The default is `prefer`, as libpq's, so that a URL that works with `psql` works here; a managed
//! server (RDS, Cloud SQL, Azure) is reached encrypted by it, and `verify-full` adds the identity
//! check that a network one does not trust needs.

use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, DigitallySignedStruct, Error as TlsError, RootCertStore, SignatureScheme,
};
use tokio_postgres::config::SslMode as PgSslMode;

use crate::files;

/// libpq's `sslmode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SslMode {
    /// No TLS.
    Disable,
    /// TLS when offered.
    Prefer,
    /// TLS always, the certificate unchecked.
    Require,
    /// TLS, the chain checked.
    VerifyCa,
    /// TLS, the chain and the host name checked.
    VerifyFull,
}

/// What `--db` says about TLS, taken out of the URL (tokio-postgres knows neither
/// `verify-ca`/`verify-full` nor `sslrootcert`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TlsSettings {
    /// The mode.
    pub(crate) mode: SslMode,
    /// `sslrootcert`: a PEM file of roots to trust.
    pub(crate) root_cert: Option<String>,
}

/// Splits `sslmode` and `sslrootcert` out of `url`: the URL without them, and the settings.
pub(crate) fn split_url(url: &str) -> Result<(String, TlsSettings), String> {
    let mut settings = TlsSettings {
        mode: SslMode::Prefer,
        root_cert: None,
    };
    let Some((base, query)) = url.split_once('?') else {
        return Ok((url.to_owned(), settings));
    };
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "sslmode" => {
                settings.mode = match value {
                    "disable" => SslMode::Disable,
                    "allow" | "prefer" => SslMode::Prefer,
                    "require" => SslMode::Require,
                    "verify-ca" => SslMode::VerifyCa,
                    "verify-full" => SslMode::VerifyFull,
                    other => {
                        return Err(format!(
                            "--db: sslmode `{other}` is not one of disable, prefer, require, \
                             verify-ca, verify-full"
                        ));
                    }
                };
            }
            "sslrootcert" => settings.root_cert = Some(percent_decoded(value)),
            _ => kept.push(pair),
        }
    }
    let url = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    Ok((url, settings))
}

/// `%2F` → `/`: a path in a URL's query.
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b'%'
            && let Some(byte) = text
                .get(at + 1..at + 3)
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
        {
            out.push(byte);
            at += 3;
            continue;
        }
        out.push(bytes[at]);
        at += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// tokio-postgres' own mode for `mode` (whether to ask for TLS at all).
pub(crate) fn pg_mode(mode: SslMode) -> PgSslMode {
    match mode {
        SslMode::Disable => PgSslMode::Disable,
        SslMode::Prefer => PgSslMode::Prefer,
        SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => PgSslMode::Require,
    }
}

/// The rustls configuration for `settings`, with `ca_cert` (`--ca-cert`) trusted beside the
/// platform's roots; `None` for `disable`.
pub(crate) fn client_config(
    settings: &TlsSettings,
    ca_cert: Option<&str>,
) -> Result<Option<rustls::ClientConfig>, String> {
    if settings.mode == SslMode::Disable {
        return Ok(None);
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    // The roots given (`sslrootcert`, `--ca-cert`) are read first: they decide whether anything
    // is checked at all.
    let mut given = RootCertStore::empty();
    for (what, path) in [
        ("sslrootcert", settings.root_cert.as_deref()),
        ("--ca-cert", ca_cert),
    ] {
        let Some(path) = path else { continue };
        let bytes =
            files::read_regular(std::path::Path::new(path), files::CA_CERT_MAX).map_err(|why| {
                match why {
                    files::Unreadable::Missing => format!("--db: {what} {path}: no such file"),
                    files::Unreadable::Refused(why) => format!("--db: {what} {path}: {why}"),
                }
            })?;
        let before = given.len();
        for certificate in CertificateDer::pem_slice_iter(&bytes) {
            let certificate =
                certificate.map_err(|error| format!("--db: {what} {path}: not PEM: {error}"))?;
            given
                .add(certificate)
                .map_err(|error| format!("--db: {what} {path}: {error}"))?;
        }
        if given.len() == before {
            return Err(format!("--db: {what} {path} holds no PEM certificate"));
        }
    }
    // libpq: `prefer` and `require` check a certificate only when a root file is given.
    let mode = match settings.mode {
        SslMode::Prefer | SslMode::Require if !given.is_empty() => SslMode::VerifyCa,
        mode => mode,
    };
    let builder = rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(|error| format!("TLS setup: {error}"))?;
    let checked = matches!(mode, SslMode::VerifyCa | SslMode::VerifyFull);
    if !checked {
        let verifier = Libpq {
            chain: None,
            provider,
        };
        return Ok(Some(
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(verifier))
                .with_no_client_auth(),
        ));
    }
    // The platform's roots beside the given ones, read only when a chain is checked.
    let mut roots = given;
    for certificate in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(certificate);
    }
    if mode == SslMode::VerifyFull {
        return Ok(Some(
            builder.with_root_certificates(roots).with_no_client_auth(),
        ));
    }
    let webpki =
        WebPkiServerVerifier::builder_with_provider(Arc::new(roots), Arc::clone(&provider))
            .build()
            .map_err(|error| format!("TLS setup: {error}"))?;
    let verifier = Libpq {
        chain: Some(webpki),
        provider,
    };
    Ok(Some(
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth(),
    ))
}

/// The server-certificate checks libpq makes below `verify-full`: the chain alone (`verify-ca`:
/// `chain` is set, the host name is not checked) or nothing (`prefer` and `require` without a
/// root: encrypted, not authenticated). The handshake's signatures are always checked.
#[derive(Debug)]
struct Libpq {
    chain: Option<Arc<WebPkiServerVerifier>>,
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl ServerCertVerifier for Libpq {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, TlsError> {
        let Some(chain) = &self.chain else {
            return Ok(ServerCertVerified::assertion());
        };
        match chain.verify_server_cert(end_entity, intermediates, server_name, ocsp, now) {
            Err(TlsError::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, TlsError> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, TlsError> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// A failed connection in words a person can act on: the cause, then a `fix:` line. Never the
/// password (`shown` is the URL with it replaced).
pub(crate) fn connect_error(error: &tokio_postgres::Error, shown: &str, mode: SslMode) -> String {
    let chain = {
        let mut text = error.to_string();
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            text.push_str(": ");
            text.push_str(&cause.to_string());
            source = cause.source();
        }
        text
    };
    let code = error.as_db_error().map(|db| db.code().code().to_owned());
    let message = error
        .as_db_error()
        .map(|db| db.message().to_owned())
        .unwrap_or_default();
    let (cause, fix) = if chain.contains("Connection refused") {
        (
            "the connection was refused: nothing listens there".to_owned(),
            "check the host and port in --db and that PostgreSQL runs and listens on TCP \
             (listen_addresses)",
        )
    } else if code.as_deref() == Some("28P01") || message.contains("password authentication failed")
    {
        (
            format!("authentication failed: {message}"),
            "check the user and the password (give a URL with a password in WA_STATS_DB, not on \
             the command line)",
        )
    } else if code.as_deref() == Some("3D000") {
        (
            format!("the database does not exist: {message}"),
            "create it (createdb NAME) or name an existing database at the end of --db",
        )
    } else if message.contains("no encryption")
        || (mode == SslMode::Disable && code.as_deref() == Some("28000"))
    {
        (
            format!("the server requires TLS: {message}"),
            "add sslmode=require (or verify-full with sslrootcert=FILE) to --db",
        )
    } else if chain.contains("UnknownIssuer") || chain.contains("unknown issuer") {
        (
            "the server's certificate is not signed by a root this tool trusts".to_owned(),
            "give its CA with sslrootcert=FILE in --db (or --ca-cert FILE), or sslmode=require to \
             encrypt without checking who answers",
        )
    } else if chain.contains("NotValidForName") || chain.contains("not valid for name") {
        (
            "the server's certificate is not issued for the host connected to".to_owned(),
            "connect by a name the certificate names, or use sslmode=verify-ca to check the chain \
             alone",
        )
    } else if chain.contains("server does not support TLS")
        || chain.contains("does not support TLS")
    {
        (
            "the server does not offer TLS".to_owned(),
            "turn ssl on in the server, or use sslmode=prefer (or disable) on a network you trust",
        )
    } else {
        (chain.clone(), "check --db")
    };
    format!("cannot connect to {shown}: {cause}\n  fix: {fix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libpq_s_parameters_are_taken_out_of_the_url() {
        let (url, tls) = split_url(
            "postgres://u@h/db?sslmode=verify-full&sslrootcert=%2Ftmp%2Fca.pem&application_name=x",
        )
        .unwrap();
        assert_eq!(url, "postgres://u@h/db?application_name=x");
        assert_eq!(
            tls,
            TlsSettings {
                mode: SslMode::VerifyFull,
                root_cert: Some("/tmp/ca.pem".into())
            }
        );
        let (url, tls) = split_url("postgres://u@h/db").unwrap();
        assert_eq!(
            (url.as_str(), tls.mode),
            ("postgres://u@h/db", SslMode::Prefer)
        );
        assert!(
            split_url("postgres://u@h/db?sslmode=always")
                .unwrap_err()
                .contains("sslmode `always`")
        );
    }
}
