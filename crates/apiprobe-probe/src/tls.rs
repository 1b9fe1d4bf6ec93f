//! The tls phase: trust roots (system plus `--cacert`), a verifier that remembers the leaf certificate
//! so even a failed handshake can report what the server presented, and error classification.

use crate::classify::{unix_date, unix_rfc3339, Failure};
use crate::spec::HttpVersion;
use apiprobe_catalog::TlsSummary;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, DigitallySignedStruct, Error as TlsError, RootCertStore, SignatureScheme,
};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// A CA file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum CaFileError {
    /// The file could not be read.
    #[error("cannot read CA file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// No certificate in it could be used.
    #[error("CA file {path} holds no usable PEM certificate")]
    Empty {
        /// The file.
        path: PathBuf,
    },
}

fn provider() -> Arc<CryptoProvider> {
    static P: OnceLock<Arc<CryptoProvider>> = OnceLock::new();
    P.get_or_init(|| Arc::new(rustls::crypto::ring::default_provider()))
        .clone()
}

/// The system's trust roots, loaded once; Mozilla's bundled list when the system has none.
fn system_roots() -> &'static RootCertStore {
    static ROOTS: OnceLock<RootCertStore> = OnceLock::new();
    ROOTS.get_or_init(|| {
        let mut store = RootCertStore::empty();
        let found = rustls_native_certs::load_native_certs();
        let (added, _) = store.add_parsable_certificates(found.certs);
        if added == 0 {
            store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        }
        store
    })
}

/// Reads the PEM certificates of a `--cacert` file.
pub fn load_cacert(path: &Path) -> Result<Vec<CertificateDer<'static>>, CaFileError> {
    let pem = std::fs::read(path).map_err(|source| CaFileError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let certs: Vec<CertificateDer<'static>> = pem_blocks(&pem, "CERTIFICATE")
        .into_iter()
        .map(CertificateDer::from)
        .collect();
    if certs.is_empty() {
        return Err(CaFileError::Empty {
            path: path.to_path_buf(),
        });
    }
    Ok(certs)
}

/// Decodes every `-----BEGIN {label}-----` block.
fn pem_blocks(pem: &[u8], label: &str) -> Vec<Vec<u8>> {
    use base64::Engine;
    let text = String::from_utf8_lossy(pem);
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let mut out = Vec::new();
    let mut rest = text.as_ref();
    while let Some(start) = rest.find(&begin) {
        let after = &rest[start + begin.len()..];
        let Some(stop) = after.find(&end) else { break };
        let b64: String = after[..stop]
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if let Ok(der) = base64::engine::general_purpose::STANDARD.decode(b64) {
            out.push(der);
        }
        rest = &after[stop + end.len()..];
    }
    out
}

/// Verifiers per CA file, built once each: building a root store is too slow to do per check.
#[derive(Default)]
pub(crate) struct Verifiers {
    cache: Mutex<HashMap<Option<PathBuf>, Arc<WebPkiServerVerifier>>>,
}

impl Verifiers {
    fn get(&self, cacert: Option<&Path>) -> Result<Arc<WebPkiServerVerifier>, String> {
        let key = cacert.map(Path::to_path_buf);
        if let Ok(cache) = self.cache.lock() {
            if let Some(v) = cache.get(&key) {
                return Ok(v.clone());
            }
        }
        let mut store = system_roots().clone();
        if let Some(path) = cacert {
            let certs = load_cacert(path).map_err(|e| e.to_string())?;
            store.add_parsable_certificates(certs);
        }
        let v = WebPkiServerVerifier::builder_with_provider(Arc::new(store), provider())
            .build()
            .map_err(|e| e.to_string())?;
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(key, v.clone());
        }
        Ok(v)
    }

    /// A client config for one connection, with a verifier that records the leaf certificate.
    pub(crate) fn client_config(
        &self,
        cacert: Option<&Path>,
        insecure: bool,
        http: HttpVersion,
    ) -> Result<(rustls::ClientConfig, Arc<Recording>), String> {
        let inner = self.get(cacert)?;
        let rec = Arc::new(Recording {
            inner,
            insecure,
            leaf: Mutex::new(None),
        });
        let mut cfg = rustls::ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .dangerous()
            .with_custom_certificate_verifier(rec.clone())
            .with_no_client_auth();
        cfg.alpn_protocols = match http {
            HttpVersion::Auto => vec![b"h2".to_vec(), b"http/1.1".to_vec()],
            HttpVersion::Http1 => vec![b"http/1.1".to_vec()],
            HttpVersion::Http2 => vec![b"h2".to_vec()],
        };
        // Every check is a fresh connection, as a monitor's would be: no session resumption.
        cfg.resumption = rustls::client::Resumption::disabled();
        Ok((cfg, rec))
    }
}

/// Delegates to the WebPKI verifier (or accepts everything with `--insecure`) and keeps the leaf.
#[derive(Debug)]
pub(crate) struct Recording {
    inner: Arc<WebPkiServerVerifier>,
    insecure: bool,
    leaf: Mutex<Option<CertificateDer<'static>>>,
}

impl Recording {
    /// The leaf certificate the server presented, if the handshake got that far.
    pub(crate) fn leaf(&self) -> Option<CertificateDer<'static>> {
        self.leaf.lock().ok().and_then(|l| l.clone())
    }
}

impl ServerCertVerifier for Recording {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, TlsError> {
        if let Ok(mut l) = self.leaf.lock() {
            *l = Some(end_entity.clone().into_owned());
        }
        if self.insecure {
            return Ok(ServerCertVerified::assertion());
        }
        self.inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, TlsError> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, TlsError> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// Subject, issuer and expiry of a DER certificate (fields left empty when it does not parse).
pub(crate) fn cert_summary(der: &[u8], summary: &mut TlsSummary) -> Option<i64> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    summary.subject = Some(cert.subject().to_string());
    summary.issuer = Some(cert.issuer().to_string());
    let not_after = cert.validity().not_after.timestamp();
    summary.not_after = Some(unix_rfc3339(not_after));
    Some(not_after)
}

/// A DER certificate's notBefore, Unix seconds.
fn not_before(der: &[u8]) -> Option<i64> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    Some(cert.validity().not_before.timestamp())
}

/// `DnsName("api.test")` (how the verifier prints a name) as `api.test`.
fn plain_name(s: &str) -> String {
    match (s.find('('), s.ends_with(')')) {
        (Some(open), true) => s[open + 1..s.len() - 1].trim_matches('"').to_string(),
        _ => s.to_string(),
    }
}

/// Whether a DER certificate names itself as its issuer.
fn self_signed(der: &[u8]) -> bool {
    x509_parser::parse_x509_certificate(der)
        .is_ok_and(|(_, c)| c.subject().as_raw() == c.issuer().as_raw())
}

/// Classifies a failed handshake.
pub(crate) fn classify(err: &std::io::Error, host: &str, leaf: Option<&[u8]>) -> Failure {
    let host = host.to_string();
    let tls = err.get_ref().and_then(|e| e.downcast_ref::<TlsError>());
    let leaf_not_after = || {
        leaf.and_then(|d| cert_summary(d, &mut TlsSummary::default()))
            .map(unix_date)
    };
    match tls {
        Some(TlsError::InvalidCertificate(ce)) => match ce {
            CertificateError::Expired => Failure::TlsExpired {
                host,
                not_after: leaf_not_after(),
            },
            CertificateError::ExpiredContext { not_after, .. } => Failure::TlsExpired {
                host,
                not_after: Some(unix_date(not_after.as_secs() as i64)),
            },
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                Failure::TlsNotYetValid {
                    host,
                    not_before: leaf.and_then(not_before).map(unix_date),
                }
            }
            CertificateError::NotValidForName => Failure::TlsHostname {
                host,
                presented: Vec::new(),
            },
            CertificateError::NotValidForNameContext { presented, .. } => Failure::TlsHostname {
                host,
                presented: presented.iter().map(|p| plain_name(p)).collect(),
            },
            CertificateError::Revoked => Failure::TlsRevoked { host },
            // A self-signed leaf fails as "unknown issuer" or as a signature check against whichever
            // trusted key shares its issuer name; either way the cause is the same.
            _ if leaf.is_some_and(self_signed) => Failure::TlsSelfSigned { host },
            CertificateError::UnknownIssuer => Failure::TlsUntrusted {
                host,
                detail: "it is not signed by a trusted certificate authority (self-signed, or a private CA)".into(),
            },
            other => Failure::TlsUntrusted {
                host,
                detail: format!("its chain does not verify ({other:?})"),
            },
        },
        Some(e @ (TlsError::InvalidMessage(_) | TlsError::InappropriateMessage { .. })) => {
            Failure::TlsProtocolMismatch {
                host,
                detail: e.to_string(),
            }
        }
        Some(
            e @ TlsError::PeerIncompatible(
                rustls::PeerIncompatible::ServerDoesNotSupportTls12Or13
                | rustls::PeerIncompatible::ServerTlsVersionIsDisabledByOurConfig,
            ),
        ) => Failure::TlsVersionUnsupported {
            host,
            detail: e.to_string(),
        },
        Some(other) => Failure::TlsHandshake {
            host,
            detail: other.to_string(),
        },
        None => Failure::TlsHandshake {
            host,
            detail: match err.kind() {
                std::io::ErrorKind::UnexpectedEof => {
                    "the server closed the connection during the handshake".into()
                }
                std::io::ErrorKind::ConnectionReset => {
                    "the server reset the connection during the handshake".into()
                }
                _ => err.to_string(),
            },
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_blocks_decode_and_skip_other_labels() {
        let pem = b"junk\n-----BEGIN CERTIFICATE-----\nAQID\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nBAU=\n-----END PRIVATE KEY-----\n";
        assert_eq!(pem_blocks(pem, "CERTIFICATE"), vec![vec![1, 2, 3]]);
        assert!(pem_blocks(b"-----BEGIN CERTIFICATE-----\nAQID", "CERTIFICATE").is_empty());
    }

    #[test]
    fn presented_names_lose_their_type_wrapper() {
        assert_eq!(plain_name("DnsName(\"wrong.example\")"), "wrong.example");
        assert_eq!(plain_name("IpAddress(127.0.0.1)"), "127.0.0.1");
        assert_eq!(plain_name("api.test"), "api.test");
    }

    #[test]
    fn missing_or_empty_ca_files_are_errors() {
        assert!(matches!(
            load_cacert(Path::new("/nonexistent/ca.pem")),
            Err(CaFileError::Read { .. })
        ));
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("empty.pem");
        std::fs::write(&p, "nothing").expect("write");
        assert!(matches!(load_cacert(&p), Err(CaFileError::Empty { .. })));
    }
}
