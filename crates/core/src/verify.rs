//! Trust stores and certificate verification with OpenSSL's outcomes.
//!
//! Chains are built and checked by webpki; this module adds what the
//! `ssl` API promises on top: `CERT_OPTIONAL`, `check_hostname` as a
//! separate switch, OpenSSL's trust-store semantics (only self-signed
//! certificates are anchors unless `VERIFY_X509_PARTIAL_CHAIN`), CRL
//! checking by flag, and OpenSSL's verification codes in every failure.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, WebPkiSupportedAlgorithms};
use rustls::pki_types::{CertificateDer, ServerName, TrustAnchor, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, DistinguishedName, SignatureScheme};
use webpki::{
    EndEntityCert, KeyUsage, OwnedCertRevocationList, RevocationCheckDepth,
    RevocationOptionsBuilder, UnknownStatusPolicy,
};
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::codes::verify as code;
use crate::error::{Error, Result, VerifyFailure};
use crate::hostname::{self, HostFlags, Mismatch, Reference};

/// `ssl.VERIFY_CRL_CHECK_LEAF`.
pub const VERIFY_CRL_CHECK_LEAF: u32 = 0x4;
/// `ssl.VERIFY_CRL_CHECK_CHAIN` (includes the leaf bit).
pub const VERIFY_CRL_CHECK_CHAIN: u32 = 0x8 | VERIFY_CRL_CHECK_LEAF;
/// `ssl.VERIFY_X509_STRICT`.
pub const VERIFY_X509_STRICT: u32 = 0x20;
/// `ssl.VERIFY_ALLOW_PROXY_CERTS`.
pub const VERIFY_ALLOW_PROXY_CERTS: u32 = 0x40;
/// `ssl.VERIFY_X509_TRUSTED_FIRST`.
pub const VERIFY_X509_TRUSTED_FIRST: u32 = 0x8000;
/// `ssl.VERIFY_X509_PARTIAL_CHAIN`.
pub const VERIFY_X509_PARTIAL_CHAIN: u32 = 0x80000;
/// The verification flags whose meaning rustssl enforces. Any other bit is refused.
pub const SUPPORTED_VERIFY_FLAGS: u32 = VERIFY_CRL_CHECK_CHAIN
    | VERIFY_X509_STRICT
    | VERIFY_X509_TRUSTED_FIRST
    | VERIFY_X509_PARTIAL_CHAIN;

/// `ssl.CERT_NONE` / `CERT_OPTIONAL` / `CERT_REQUIRED`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifyMode {
    /// Do not ask for or check the peer certificate (server), or accept anything (client).
    None,
    /// Check a certificate if one is sent; a server does not insist on one.
    Optional,
    /// A valid certificate is required.
    Required,
}

impl VerifyMode {
    /// Converts the Python integer.
    pub fn from_int(v: i64) -> Result<Self> {
        match v {
            0 => Ok(VerifyMode::None),
            1 => Ok(VerifyMode::Optional),
            2 => Ok(VerifyMode::Required),
            _ => Err(Error::Value("invalid value for verify_mode".into())),
        }
    }

    /// The Python integer.
    pub fn as_int(self) -> i64 {
        match self {
            VerifyMode::None => 0,
            VerifyMode::Optional => 1,
            VerifyMode::Required => 2,
        }
    }
}

/// One certificate held by a trust store, with what OpenSSL reports about it.
#[derive(Debug, Clone)]
pub struct StoredCert {
    /// The DER encoding.
    pub der: CertificateDer<'static>,
    /// Whether the subject equals the issuer.
    pub self_signed: bool,
    /// Whether OpenSSL would count it as a CA (`cert_store_stats()['x509_ca']`).
    pub is_ca: bool,
}

/// Certificates and CRLs loaded with `load_verify_locations` and friends.
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    certs: Vec<StoredCert>,
    /// Certificates found in `capath` directories. OpenSSL loads those only
    /// when a lookup needs them, so they never show in `cert_store_stats()`
    /// or `get_ca_certs()`; they do take part in verification.
    dir_certs: Vec<StoredCert>,
    crls: Vec<Arc<OwnedCertRevocationList>>,
}

/// Where the system keeps its trusted certificates, as `(cafile, capath)`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DefaultPaths {
    /// The bundle file that exists, if any.
    pub cafile: Option<std::path::PathBuf>,
    /// The hashed directory that exists, if any.
    pub capath: Option<std::path::PathBuf>,
}

/// The environment variable naming the default CA file, as in OpenSSL.
pub const CERT_FILE_ENV: &str = "SSL_CERT_FILE";
/// The environment variable naming the default CA directory, as in OpenSSL.
pub const CERT_DIR_ENV: &str = "SSL_CERT_DIR";
/// Bundle files of the common Unix distributions, most common first.
const SYSTEM_BUNDLES: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    "/etc/ssl/cert.pem",
    "/usr/local/etc/openssl/cert.pem",
];
/// Hashed certificate directories of the common Unix distributions.
const SYSTEM_DIRS: &[&str] = &[
    "/etc/ssl/certs",
    "/etc/pki/tls/certs",
    "/system/etc/security/cacerts",
];

/// The OS locations rustssl uses when asked for the defaults.
pub fn system_paths() -> DefaultPaths {
    let first = |list: &[&str], want_dir: bool| {
        list.iter().map(std::path::PathBuf::from).find(|p| {
            if want_dir {
                p.is_dir()
            } else {
                p.is_file()
            }
        })
    };
    DefaultPaths {
        cafile: first(SYSTEM_BUNDLES, false),
        capath: first(SYSTEM_DIRS, true),
    }
}

/// The locations in force: `SSL_CERT_FILE`/`SSL_CERT_DIR` when set, else the OS defaults.
pub fn default_paths() -> DefaultPaths {
    let system = system_paths();
    let env = |name: &str| std::env::var_os(name).map(std::path::PathBuf::from);
    DefaultPaths {
        cafile: env(CERT_FILE_ENV).or(system.cafile),
        capath: env(CERT_DIR_ENV).or(system.capath),
    }
}

/// Whether a file name looks like an OpenSSL hash link: `0123abcd.0` (or `.r0` for CRLs).
fn hash_link_kind(name: &str) -> Option<bool> {
    let (hash, suffix) = name.split_once('.')?;
    if hash.len() != 8 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let (is_crl, digits) = match suffix.strip_prefix('r') {
        Some(d) => (true, d),
        None => (false, suffix),
    };
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then_some(is_crl)
}

/// Splits concatenated DER certificates; fails on anything that is not a whole SEQUENCE.
fn split_der(mut data: &[u8]) -> Option<Vec<&[u8]>> {
    let mut out = Vec::new();
    while !data.is_empty() {
        if data.len() < 2 || data[0] != 0x30 {
            return None;
        }
        let (len, header) = match data[1] {
            n if n < 0x80 => (usize::from(n), 2),
            n => {
                let count = usize::from(n & 0x7f);
                if count == 0 || count > 4 || data.len() < 2 + count {
                    return None;
                }
                let len = data[2..2 + count]
                    .iter()
                    .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
                (len, 2 + count)
            }
        };
        let total = header.checked_add(len)?;
        if total > data.len() {
            return None;
        }
        out.push(&data[..total]);
        data = &data[total..];
    }
    Some(out)
}

fn no_cert_found() -> Error {
    Error::Protocol {
        library: "X509",
        reason: "NO_CERTIFICATE_OR_CRL_FOUND",
        message: "no certificate or crl found".into(),
    }
}

impl TrustStore {
    /// Adds one DER certificate; a duplicate is ignored, as OpenSSL's store does.
    pub fn add_cert(&mut self, der: Vec<u8>) -> Result<()> {
        if self.certs.iter().any(|c| c.der.as_ref() == der.as_slice()) {
            return Ok(());
        }
        let stored = Self::stored(der)?;
        self.certs.push(stored);
        Ok(())
    }

    fn stored(der: Vec<u8>) -> Result<StoredCert> {
        let (self_signed, is_ca) = match X509Certificate::from_der(&der) {
            Ok((_, cert)) => (
                cert.subject().as_raw() == cert.issuer().as_raw(),
                crate::x509::is_ca(&der),
            ),
            Err(_) => {
                return Err(Error::Protocol {
                    library: "X509",
                    reason: "ASN1_LIB",
                    message: "ASN1 lib: not a valid X.509 certificate".into(),
                })
            }
        };
        Ok(StoredCert {
            der: CertificateDer::from(der),
            self_signed,
            is_ca,
        })
    }

    /// Adds every certificate and CRL of a PEM text; fails if it holds neither.
    pub fn add_pem_bundle(&mut self, pem: &[u8]) -> Result<usize> {
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::CertificateRevocationListDer;
        let mut found = 0;
        for cert in CertificateDer::pem_slice_iter(pem) {
            let cert = cert.map_err(|_| no_cert_found())?;
            self.add_cert(cert.to_vec())?;
            found += 1;
        }
        for crl in CertificateRevocationListDer::pem_slice_iter(pem) {
            let crl = crl.map_err(|_| no_cert_found())?;
            self.add_crl(&crl)?;
            found += 1;
        }
        if found == 0 {
            return Err(no_cert_found());
        }
        Ok(found)
    }

    /// Adds concatenated DER certificates (`cadata` given as bytes).
    pub fn add_der_bundle(&mut self, der: &[u8]) -> Result<usize> {
        let parts = split_der(der).ok_or_else(|| Error::Protocol {
            library: "X509",
            reason: "ASN1_LIB",
            message: "not enough data".into(),
        })?;
        if parts.is_empty() {
            return Err(no_cert_found());
        }
        for part in &parts {
            self.add_cert(part.to_vec())?;
        }
        Ok(parts.len())
    }

    /// Adds the hash-named certificates and CRLs of an OpenSSL `capath` directory.
    pub fn add_hashed_dir(&mut self, dir: std::fs::ReadDir) -> Result<()> {
        use rustls::pki_types::pem::PemObject;
        for entry in dir.flatten() {
            let name = entry.file_name();
            let Some(is_crl) = name.to_str().and_then(hash_link_kind) else {
                continue;
            };
            let Ok(data) = std::fs::read(entry.path()) else {
                continue;
            };
            // Unreadable or malformed entries are skipped, as OpenSSL's lookup skips them.
            if is_crl {
                for crl in
                    rustls::pki_types::CertificateRevocationListDer::pem_slice_iter(&data).flatten()
                {
                    let _ = self.add_crl(&crl);
                }
            } else {
                for cert in CertificateDer::pem_slice_iter(&data).flatten() {
                    let der = cert.to_vec();
                    let known = |c: &StoredCert| c.der.as_ref() == der.as_slice();
                    if self.certs.iter().any(known) || self.dir_certs.iter().any(known) {
                        continue;
                    }
                    if let Ok(stored) = Self::stored(der) {
                        self.dir_certs.push(stored);
                    }
                }
            }
        }
        Ok(())
    }

    /// Trusts the default locations, as `set_default_verify_paths()` does. Missing ones are not an error.
    pub fn add_default_paths(&mut self) -> Result<()> {
        let paths = default_paths();
        if let Some(file) = paths.cafile {
            if let Ok(data) = std::fs::read(&file) {
                let _ = self.add_pem_bundle(&data);
            }
        }
        if let Some(dir) = paths.capath {
            if let Ok(rd) = std::fs::read_dir(&dir) {
                self.add_hashed_dir(rd)?;
            }
        }
        Ok(())
    }

    /// Adds one DER certificate revocation list.
    pub fn add_crl(&mut self, der: &[u8]) -> Result<()> {
        let crl = OwnedCertRevocationList::from_der(der).map_err(|e| Error::Protocol {
            library: "X509",
            reason: "ASN1_LIB",
            message: format!("invalid CRL: {e:?}"),
        })?;
        self.crls.push(Arc::new(crl));
        Ok(())
    }

    /// The certificates in load order.
    pub fn certs(&self) -> &[StoredCert] {
        &self.certs
    }

    /// `(x509, x509_ca, crl)` as `cert_store_stats()` reports them.
    pub fn stats(&self) -> (usize, usize, usize) {
        let ca = self.certs.iter().filter(|c| c.is_ca).count();
        (self.certs.len(), ca, self.crls.len())
    }

    /// Whether nothing has been loaded.
    pub fn is_empty(&self) -> bool {
        self.certs.is_empty() && self.dir_certs.is_empty() && self.crls.is_empty()
    }
}

/// A frozen view of the verification settings, shared by a rustls config.
#[derive(Debug)]
pub struct Verifier {
    mode: VerifyMode,
    check_hostname: bool,
    host_flags: u32,
    flags: u32,
    anchors: Vec<TrustAnchor<'static>>,
    /// Store certificates that are not anchors but may complete a chain.
    helpers: Vec<CertificateDer<'static>>,
    crls: Vec<Arc<OwnedCertRevocationList>>,
    algorithms: WebPkiSupportedAlgorithms,
}

/// The settings a [`Verifier`] is built from.
#[derive(Debug, Clone, Copy)]
pub struct VerifyPolicy {
    /// `verify_mode`.
    pub mode: VerifyMode,
    /// `check_hostname` (client side only).
    pub check_hostname: bool,
    /// `_host_flags`.
    pub host_flags: u32,
    /// `verify_flags`.
    pub flags: u32,
}

impl Verifier {
    /// Freezes the store and policy into a verifier.
    pub fn new(
        store: &TrustStore,
        policy: VerifyPolicy,
        algorithms: WebPkiSupportedAlgorithms,
    ) -> Result<Self> {
        let unsupported = policy.flags & !SUPPORTED_VERIFY_FLAGS;
        if unsupported != 0 {
            return Err(Error::Unsupported(format!(
                "verify_flags 0x{unsupported:x} cannot be enforced by rustssl"
            )));
        }
        let partial = policy.flags & VERIFY_X509_PARTIAL_CHAIN != 0;
        let mut anchors = Vec::new();
        let mut helpers = Vec::new();
        for cert in store.certs.iter().chain(&store.dir_certs) {
            // OpenSSL trusts a store certificate as a chain end only when it is
            // self-signed, unless partial chains are allowed.
            if cert.self_signed || partial {
                if let Ok(anchor) = webpki::anchor_from_trusted_cert(&cert.der) {
                    anchors.push(anchor.to_owned());
                    continue;
                }
            }
            helpers.push(cert.der.clone());
        }
        Ok(Verifier {
            mode: policy.mode,
            check_hostname: policy.check_hostname,
            host_flags: policy.host_flags,
            flags: policy.flags,
            anchors,
            helpers,
            crls: store.crls.clone(),
            algorithms,
        })
    }

    /// Checks `leaf` and `presented` intermediates for `usage`, with OpenSSL codes on failure.
    fn verify_chain(
        &self,
        leaf: &CertificateDer<'_>,
        presented: &[CertificateDer<'_>],
        now: UnixTime,
        usage: KeyUsage,
    ) -> std::result::Result<(), VerifyFailure> {
        let ee = EndEntityCert::try_from(leaf).map_err(|e| webpki_failure(&e))?;
        let mut intermediates: Vec<CertificateDer<'_>> = presented.to_vec();
        intermediates.extend(self.helpers.iter().cloned());
        let crl_refs: Vec<webpki::CertRevocationList<'_>> = self
            .crls
            .iter()
            .map(|c| webpki::CertRevocationList::from((**c).clone()))
            .collect();
        let crl_ptrs: Vec<&webpki::CertRevocationList<'_>> = crl_refs.iter().collect();
        let revocation = if self.flags & VERIFY_CRL_CHECK_LEAF != 0 {
            let depth = if self.flags & VERIFY_CRL_CHECK_CHAIN == VERIFY_CRL_CHECK_CHAIN {
                RevocationCheckDepth::Chain
            } else {
                RevocationCheckDepth::EndEntity
            };
            match RevocationOptionsBuilder::new(&crl_ptrs) {
                Ok(builder) => Some(
                    builder
                        .with_depth(depth)
                        .with_status_policy(UnknownStatusPolicy::Deny)
                        .build(),
                ),
                // CRL checking was asked for and there is no CRL at all.
                Err(_) => return Err(VerifyFailure::new(code::UNABLE_TO_GET_CRL)),
            }
        } else {
            None
        };
        ee.verify_for_usage(
            self.algorithms.all,
            &self.anchors,
            &intermediates,
            now,
            usage,
            revocation,
            None,
        )
        .map(|_| ())
        .map_err(|e| match e {
            webpki::Error::UnknownIssuer => unknown_issuer(leaf, presented),
            other => webpki_failure(&other),
        })
    }
}

/// OpenSSL distinguishes why no issuer was found: 18, 19 or 20.
fn unknown_issuer(leaf: &CertificateDer<'_>, presented: &[CertificateDer<'_>]) -> VerifyFailure {
    let self_signed = |der: &CertificateDer<'_>| {
        X509Certificate::from_der(der)
            .map(|(_, c)| c.subject().as_raw() == c.issuer().as_raw())
            .unwrap_or(false)
    };
    if self_signed(leaf) {
        VerifyFailure::new(code::DEPTH_ZERO_SELF_SIGNED_CERT)
    } else if presented.iter().any(self_signed) {
        VerifyFailure::new(code::SELF_SIGNED_CERT_IN_CHAIN)
    } else {
        VerifyFailure::new(code::UNABLE_TO_GET_ISSUER_CERT_LOCALLY)
    }
}

/// The OpenSSL code for a webpki path-validation error.
#[allow(deprecated)] // The context-free variants are still produced by some paths.
fn webpki_failure(e: &webpki::Error) -> VerifyFailure {
    use webpki::Error as W;
    let c = match e {
        W::CertExpired { .. } => code::CERT_HAS_EXPIRED,
        W::CertNotValidYet { .. } => code::CERT_NOT_YET_VALID,
        W::CertRevoked => code::CERT_REVOKED,
        W::UnknownRevocationStatus => code::UNABLE_TO_GET_CRL,
        W::CrlExpired { .. } => code::CRL_HAS_EXPIRED,
        W::UnknownIssuer => code::UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
        W::InvalidSignatureForPublicKey => code::CERT_SIGNATURE_FAILURE,
        W::InvalidCrlSignatureForPublicKey => code::CRL_SIGNATURE_FAILURE,
        W::CaUsedAsEndEntity | W::EndEntityUsedAsCa => code::INVALID_CA,
        W::PathLenConstraintViolated => code::PATH_LENGTH_EXCEEDED,
        W::RequiredEkuNotFound | W::RequiredEkuNotFoundContext(_) | W::EmptyEkuExtension => {
            code::INVALID_PURPOSE
        }
        W::NameConstraintViolation => code::PERMITTED_VIOLATION,
        W::MaximumPathDepthExceeded => code::CERT_CHAIN_TOO_LONG,
        W::UnsupportedCriticalExtension => code::UNHANDLED_CRITICAL_EXTENSION,
        W::UnsupportedSignatureAlgorithm
        | W::UnsupportedSignatureAlgorithmContext(_)
        | W::UnsupportedSignatureAlgorithmForPublicKey
        | W::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => code::CA_MD_TOO_WEAK,
        _ => code::UNSPECIFIED,
    };
    if c == code::UNSPECIFIED {
        VerifyFailure {
            code: c,
            message: format!("{}: {e:?}", crate::codes::verify::message(c)),
        }
    } else {
        VerifyFailure::new(c)
    }
}

/// The reference a client checks the server certificate against.
fn reference_of(name: &ServerName<'_>) -> Reference {
    match name {
        ServerName::DnsName(d) => Reference::parse(d.as_ref()),
        ServerName::IpAddress(ip) => Reference::Ip(std::net::IpAddr::from(*ip)),
        _ => Reference::parse(""),
    }
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        // A client with CERT_OPTIONAL still aborts on a bad chain, as OpenSSL does.
        if self.mode == VerifyMode::None {
            return Ok(ServerCertVerified::assertion());
        }
        self.verify_chain(end_entity, intermediates, now, KeyUsage::server_auth())
            .map_err(VerifyFailure::into_rustls)?;
        if self.check_hostname {
            let reference = reference_of(server_name);
            hostname::check(end_entity, &reference, HostFlags(self.host_flags)).map_err(|m| {
                let c = match m {
                    Mismatch::IpAddress => code::IP_ADDRESS_MISMATCH,
                    _ => code::HOSTNAME_MISMATCH,
                };
                VerifyFailure::new(c).into_rustls()
            })?;
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

impl ClientCertVerifier for Verifier {
    fn offer_client_auth(&self) -> bool {
        self.mode != VerifyMode::None
    }

    fn client_auth_mandatory(&self) -> bool {
        self.mode == VerifyMode::Required
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        // CPython never sets a client CA list, so OpenSSL sends no hints.
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> std::result::Result<ClientCertVerified, rustls::Error> {
        self.verify_chain(end_entity, intermediates, now, KeyUsage::client_auth())
            .map_err(VerifyFailure::into_rustls)?;
        Ok(ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_links_are_recognised() {
        assert_eq!(hash_link_kind("0123abcd.0"), Some(false));
        assert_eq!(hash_link_kind("0123ABCD.12"), Some(false));
        assert_eq!(hash_link_kind("0123abcd.r0"), Some(true));
        assert_eq!(hash_link_kind("0123abc.0"), None);
        assert_eq!(hash_link_kind("0123abcd.pem"), None);
        assert_eq!(hash_link_kind("0123abcd."), None);
    }

    #[test]
    fn der_is_split_into_whole_sequences() {
        let a = [0x30, 0x02, 0x01, 0x02];
        let b = [0x30, 0x81, 0x01, 0xff];
        let joined: Vec<u8> = a.iter().chain(b.iter()).copied().collect();
        let parts = split_der(&joined).unwrap();
        assert_eq!(parts, vec![&a[..], &b[..]]);
        assert!(split_der(&[0x30, 0x05, 0x00]).is_none());
        assert!(split_der(&[0x04, 0x00]).is_none());
    }

    #[test]
    fn unsupported_flags_are_refused() {
        let policy = VerifyPolicy {
            mode: VerifyMode::Required,
            check_hostname: false,
            host_flags: 0,
            flags: VERIFY_ALLOW_PROXY_CERTS,
        };
        let algs = rustls::crypto::aws_lc_rs::default_provider().signature_verification_algorithms;
        assert!(matches!(
            Verifier::new(&TrustStore::default(), policy, algs),
            Err(Error::Unsupported(_))
        ));
    }
}
