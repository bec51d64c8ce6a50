//! HTTPS: certificates made at start (a throw-away CA and a leaf for the loopback names) or
//! brought along as PEM files, and the rustls acceptor that offers `h2` and `http/1.1`.
//!
//! The CA is what a client under test is told to trust; certificates made wrong on purpose
//! (expired, for another name) let a suite test how its client fails.

use std::path::Path;
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, date_time_ymd,
};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::error::MockError;

/// The names the generated leaf certificate is valid for: every way a test on this machine
/// reaches the mock.
pub const LOOPBACK_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

/// The ALPN protocols offered, preferred first.
const ALPN: [&[u8]; 2] = [b"h2", b"http/1.1"];

/// A certificate authority made in memory, to sign leaf certificates for a mock.
///
/// ```
/// use wa_stats_mock::tls::CertificateAuthority;
/// let ca = CertificateAuthority::generate().unwrap();
/// let wrong_name = ca.issue(&["api.example.com"]).unwrap(); // a client on 127.0.0.1 refuses it
/// let expired = ca.issue_expired(&["127.0.0.1"]).unwrap();
/// assert!(ca.pem().starts_with("-----BEGIN CERTIFICATE-----"));
/// # let _ = (wrong_name, expired);
/// ```
pub struct CertificateAuthority {
    issuer: Issuer<'static, KeyPair>,
    pem: String,
}

impl std::fmt::Debug for CertificateAuthority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The signing key stays out of Debug output.
        f.debug_struct("CertificateAuthority")
            .finish_non_exhaustive()
    }
}

impl CertificateAuthority {
    /// A new CA with a fresh key, valid from a year ago for ten years.
    pub fn generate() -> Result<Self, MockError> {
        let key = KeyPair::generate().map_err(tls_error("generate the CA key"))?;
        let mut params = CertificateParams::default();
        params.distinguished_name = rcgen::DistinguishedName::new();
        params.distinguished_name.push(
            DnType::CommonName,
            // A name of its own, so that a client trusting another mock's CA finds no issuer.
            format!("wa-stats-mock test CA {:016x}", rand::random::<u64>()),
        );
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        set_validity(&mut params, -1, 10);
        let certificate = params
            .self_signed(&key)
            .map_err(tls_error("sign the CA certificate"))?;
        Ok(Self {
            issuer: Issuer::new(params, key),
            pem: certificate.pem(),
        })
    }

    /// The CA certificate as PEM: what a client is told to trust.
    pub fn pem(&self) -> &str {
        &self.pem
    }

    /// A leaf certificate for `names` (DNS names or IP addresses), valid from a year ago for two
    /// years, with this CA's certificate as [`TlsIdentity::ca_pem`].
    pub fn issue(&self, names: &[&str]) -> Result<TlsIdentity, MockError> {
        self.leaf(names, false)
    }

    /// A leaf certificate for `names` that expired on 2021-01-01, for tests of a client's
    /// refusal.
    pub fn issue_expired(&self, names: &[&str]) -> Result<TlsIdentity, MockError> {
        self.leaf(names, true)
    }

    fn leaf(&self, names: &[&str], expired: bool) -> Result<TlsIdentity, MockError> {
        let key = KeyPair::generate().map_err(tls_error("generate the leaf key"))?;
        let names: Vec<String> = names.iter().map(|name| (*name).to_owned()).collect();
        let mut params =
            CertificateParams::new(names).map_err(tls_error("name the leaf certificate"))?;
        params.distinguished_name = rcgen::DistinguishedName::new();
        params
            .distinguished_name
            .push(DnType::CommonName, "wa-stats-mock");
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.use_authority_key_identifier_extension = true;
        if expired {
            params.not_before = date_time_ymd(2020, 1, 1);
            params.not_after = date_time_ymd(2021, 1, 1);
        } else {
            set_validity(&mut params, -1, 2);
        }
        let certificate = params
            .signed_by(&key, &self.issuer)
            .map_err(tls_error("sign the leaf certificate"))?;
        Ok(TlsIdentity {
            cert_pem: certificate.pem(),
            key_pem: key.serialize_pem(),
            ca_pem: Some(self.pem.clone()),
        })
    }
}

/// Sets `params` valid from `years_before` (negative: in the past) to `years_after` whole years
/// around this year's first of January.
fn set_validity(params: &mut CertificateParams, years_before: i32, years_after: i32) {
    let year = i32::from(jiff::Zoned::now().year());
    params.not_before = date_time_ymd(year + years_before, 1, 1);
    params.not_after = date_time_ymd(year + years_after, 1, 1);
}

/// What the mock presents: a certificate chain and its key, as PEM, and the CA that signed it
/// when the mock knows it (it does for certificates it made).
#[derive(Clone)]
pub struct TlsIdentity {
    cert_pem: String,
    key_pem: String,
    ca_pem: Option<String>,
}

impl std::fmt::Debug for TlsIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The private key stays out of Debug output.
        f.debug_struct("TlsIdentity")
            .field("has_ca", &self.ca_pem.is_some())
            .finish_non_exhaustive()
    }
}

impl TlsIdentity {
    /// A new CA and a leaf certificate signed by it for `localhost`, `127.0.0.1` and `::1`.
    pub fn generate() -> Result<Self, MockError> {
        CertificateAuthority::generate()?.issue(&LOOPBACK_NAMES)
    }

    /// A certificate chain (leaf first) and its private key (PKCS#8, PKCS#1 or SEC1), as PEM.
    pub fn from_pem(cert_pem: impl Into<String>, key_pem: impl Into<String>) -> Self {
        Self {
            cert_pem: cert_pem.into(),
            key_pem: key_pem.into(),
            ca_pem: None,
        }
    }

    /// Reads the certificate chain and key from PEM files.
    pub fn from_files(cert: &Path, key: &Path) -> Result<Self, MockError> {
        let read = |path: &Path, what: &str| {
            std::fs::read_to_string(path).map_err(|error| MockError::Tls {
                message: format!("cannot read the {what} file {}: {error}", path.display()),
            })
        };
        Ok(Self::from_pem(
            read(cert, "certificate")?,
            read(key, "key")?,
        ))
    }

    /// The leaf certificate (and any chain after it) as PEM.
    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// The private key as PEM.
    pub fn key_pem(&self) -> &str {
        &self.key_pem
    }

    /// The CA certificate as PEM, when this identity was made by a [`CertificateAuthority`].
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// The rustls acceptor for this identity, offering `h2` and `http/1.1`.
    pub(crate) fn acceptor(&self) -> Result<TlsAcceptor, MockError> {
        let chain: Vec<CertificateDer<'static>> =
            CertificateDer::pem_slice_iter(self.cert_pem.as_bytes())
                .collect::<Result<_, _>>()
                .map_err(|error| MockError::Tls {
                    message: format!("the certificate is not valid PEM: {error}"),
                })?;
        if chain.is_empty() {
            return Err(MockError::Tls {
                message: "the certificate file holds no CERTIFICATE block".to_owned(),
            });
        }
        let key = PrivateKeyDer::from_pem_slice(self.key_pem.as_bytes()).map_err(|error| {
            MockError::Tls {
                message: format!(
                    "the key file holds no private key (PKCS#8, PKCS#1 or SEC1 PEM): {error}"
                ),
            }
        })?;
        let provider = Arc::new(tokio_rustls::rustls::crypto::aws_lc_rs::default_provider());
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(tls_error("choose the TLS versions"))?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(|error| MockError::Tls {
                message: format!("the certificate and key do not go together: {error}"),
            })?;
        config.alpn_protocols = ALPN.iter().map(|protocol| protocol.to_vec()).collect();
        Ok(TlsAcceptor::from(Arc::new(config)))
    }
}

fn tls_error<E: std::fmt::Display>(doing: &'static str) -> impl Fn(E) -> MockError {
    move |error| MockError::Tls {
        message: format!("cannot {doing}: {error}"),
    }
}
