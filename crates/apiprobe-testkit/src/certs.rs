//! Certificates generated at test time: one CA and four leaves that each break verification differently.

use crate::TestkitError;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, KeyPair, KeyUsagePurpose,
    SanType,
};
use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

/// Which leaf certificate a TLS [`crate::FaultServer`] presents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertKind {
    /// Signed by the test CA, for `localhost` and `127.0.0.1`, valid now.
    Valid,
    /// Signed by the test CA, for `localhost` and `127.0.0.1`, expired on 2024-01-01.
    Expired,
    /// Signed by the test CA, valid now, but only for `wrong.example`.
    WrongHost,
    /// Signed by itself, for `localhost` and `127.0.0.1`: no CA vouches for it.
    SelfSigned,
}

/// A certificate and its private key, PEM and DER.
#[derive(Debug, Clone)]
pub struct CertPair {
    /// The certificate, PEM.
    pub cert_pem: String,
    /// The private key, PEM (PKCS#8).
    pub key_pem: String,
    /// The certificate, DER.
    pub cert_der: Vec<u8>,
    /// The private key, DER (PKCS#8).
    pub key_der: Vec<u8>,
}

/// The test CA and its leaves.
#[derive(Debug)]
pub struct Certs {
    /// The CA certificate, PEM: pass it as `--cacert`.
    pub ca_pem: String,
    /// See [`CertKind::Valid`].
    pub valid: CertPair,
    /// See [`CertKind::Expired`].
    pub expired: CertPair,
    /// See [`CertKind::WrongHost`].
    pub wrong_host: CertPair,
    /// See [`CertKind::SelfSigned`].
    pub self_signed: CertPair,
}

impl Certs {
    /// The pair for a kind.
    pub fn pair(&self, kind: CertKind) -> &CertPair {
        match kind {
            CertKind::Valid => &self.valid,
            CertKind::Expired => &self.expired,
            CertKind::WrongHost => &self.wrong_host,
            CertKind::SelfSigned => &self.self_signed,
        }
    }

    /// Writes the CA certificate to `dir/ca.pem` and returns the path.
    pub fn write_ca(&self, dir: &Path) -> std::io::Result<PathBuf> {
        let path = dir.join("ca.pem");
        std::fs::write(&path, &self.ca_pem)?;
        Ok(path)
    }
}

/// The certificates, generated once per test process.
///
/// # Panics
/// Only if rcgen cannot generate a key, which would make every TLS test meaningless anyway.
pub fn certs() -> &'static Certs {
    static CERTS: OnceLock<Certs> = OnceLock::new();
    CERTS.get_or_init(|| match generate() {
        Ok(c) => c,
        Err(e) => panic!("cannot generate test certificates: {e}"),
    })
}

fn date(y: i32, m: Month, d: u8) -> OffsetDateTime {
    let day = Date::from_calendar_date(y, m, d).unwrap_or(Date::MIN);
    PrimitiveDateTime::new(day, Time::MIDNIGHT).assume_utc()
}

fn leaf_params(names: &[&str], ip: bool, cn: &str) -> Result<CertificateParams, TestkitError> {
    let mut p = CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>())?;
    if ip {
        p.subject_alt_names
            .push(SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)));
    }
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, cn);
    p.distinguished_name = dn;
    let now = OffsetDateTime::now_utc();
    p.not_before = now - time::Duration::days(1);
    p.not_after = now + time::Duration::days(30);
    Ok(p)
}

fn pair(cert: &rcgen::Certificate, key: &KeyPair) -> CertPair {
    CertPair {
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
        cert_der: cert.der().to_vec(),
        key_der: key.serialize_der(),
    }
}

fn generate() -> Result<Certs, TestkitError> {
    let ca_key = KeyPair::generate()?;
    let mut ca_params = CertificateParams::default();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, "apiprobe test CA");
    ca_params.distinguished_name = dn;
    ca_params.not_before = date(2020, Month::January, 1);
    ca_params.not_after = date(2099, Month::January, 1);
    let ca = ca_params.self_signed(&ca_key)?;

    let signed = |params: CertificateParams| -> Result<CertPair, TestkitError> {
        let key = KeyPair::generate()?;
        let cert = params.signed_by(&key, &ca, &ca_key)?;
        Ok(pair(&cert, &key))
    };

    let valid = signed(leaf_params(&["localhost"], true, "localhost")?)?;
    let mut exp = leaf_params(&["localhost"], true, "localhost")?;
    exp.not_before = date(2023, Month::January, 1);
    exp.not_after = date(2024, Month::January, 1);
    let expired = signed(exp)?;
    let wrong_host = signed(leaf_params(&["wrong.example"], false, "wrong.example")?)?;
    let self_key = KeyPair::generate()?;
    let self_cert = leaf_params(&["localhost"], true, "localhost")?.self_signed(&self_key)?;
    let self_signed = pair(&self_cert, &self_key);

    Ok(Certs {
        ca_pem: ca.pem(),
        valid,
        expired,
        wrong_host,
        self_signed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_leaf_is_distinct_pem() {
        let c = certs();
        assert!(c.ca_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        let all = [&c.valid, &c.expired, &c.wrong_host, &c.self_signed];
        for (i, a) in all.iter().enumerate() {
            assert!(a.key_pem.contains("PRIVATE KEY"));
            for b in &all[i + 1..] {
                assert_ne!(a.cert_der, b.cert_der);
            }
        }
    }
}
