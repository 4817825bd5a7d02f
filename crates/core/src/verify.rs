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
    EndEntityCert, ExpirationPolicy, KeyUsage, OwnedCertRevocationList, RevocationCheckDepth,
    RevocationOptionsBuilder, UnknownStatusPolicy,
};
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::codes::reason;
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
/// The verification flags rustssl accepts. Any other bit is refused.
///
/// `VERIFY_ALLOW_PROXY_CERTS` is accepted but cannot be honoured: a chain
/// that holds an RFC 3820 proxy certificate then fails with a message that
/// says so, instead of being judged as if the flag were not set.
pub const SUPPORTED_VERIFY_FLAGS: u32 = VERIFY_CRL_CHECK_CHAIN
    | VERIFY_X509_STRICT
    | VERIFY_ALLOW_PROXY_CERTS
    | VERIFY_X509_TRUSTED_FIRST
    | VERIFY_X509_PARTIAL_CHAIN;

/// OpenSSL's code for a proxy certificate it may not accept.
const PROXY_CERTIFICATES_NOT_ALLOWED: i32 = 40;
/// The proxyCertInfo extension (RFC 3820).
const PROXY_CERT_INFO_OID: &str = "1.3.6.1.5.5.7.1.14";

/// Whether a certificate is an RFC 3820 proxy certificate.
fn is_proxy_certificate(der: &[u8]) -> bool {
    X509Certificate::from_der(der).is_ok_and(|(_, cert)| {
        cert.extensions()
            .iter()
            .any(|e| e.oid.to_id_string() == PROXY_CERT_INFO_OID)
    })
}

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
    /// Which `dir_certs` a verification has used: from then on OpenSSL holds
    /// them in the store, and they count as loaded. Shared with the
    /// verifiers built from this store, which record their use.
    dir_used: Arc<std::sync::Mutex<Vec<CertificateDer<'static>>>>,
    crls: Vec<Arc<OwnedCertRevocationList>>,
    /// The DER of each CRL, index for index, for the checks webpki leaves out.
    crl_der: Vec<Arc<[u8]>>,
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
            Ok(_) => (crate::x509::is_self_signed(&der), crate::x509::is_ca(&der)),
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
    ///
    /// `cadata` says whether the text came from `cadata` rather than a file:
    /// CPython words the two failures differently.
    pub fn add_pem_bundle(&mut self, pem: &[u8], cadata: bool) -> Result<usize> {
        let malformed = || {
            if cadata {
                Error::load(reason::CADATA_NO_START_LINE, None)
            } else {
                Error::load(reason::X509_PEM_LIB, None)
            }
        };
        let mut found = 0;
        for cert in crate::asn1::pem::trust_certificates(pem) {
            let cert = cert.map_err(|_| malformed())?;
            // OpenSSL's PEM reader reports a block that is not a certificate as a PEM error.
            self.add_cert(cert.to_vec())
                .map_err(|e| if cadata { e } else { malformed() })?;
            found += 1;
        }
        for crl in crate::asn1::pem::trust_crls(pem) {
            let crl = crl.map_err(|_| malformed())?;
            self.add_crl(&crl)?;
            found += 1;
        }
        if found == 0 {
            return Err(if cadata {
                Error::load(reason::CADATA_NO_START_LINE, None)
            } else {
                Error::load(reason::NO_CERTIFICATE_OR_CRL_FOUND, None)
            });
        }
        Ok(found)
    }

    /// Adds concatenated DER certificates (`cadata` given as bytes).
    pub fn add_der_bundle(&mut self, der: &[u8]) -> Result<usize> {
        let parts = crate::asn1::der::split_sequences(der)
            .filter(|p| !p.is_empty())
            .ok_or_else(|| Error::load(reason::CADATA_NOT_ENOUGH_DATA, None))?;
        for part in &parts {
            self.add_cert(part.to_vec())?;
        }
        Ok(parts.len())
    }

    /// Adds the hash-named certificates and CRLs of an OpenSSL `capath` directory.
    pub fn add_hashed_dir(&mut self, dir: std::fs::ReadDir) -> Result<()> {
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
                for crl in crate::asn1::pem::trust_crls(&data).flatten() {
                    let _ = self.add_crl(&crl);
                }
            } else {
                for cert in crate::asn1::pem::trust_certificates(&data).flatten() {
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
                let _ = self.add_pem_bundle(&data, false);
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
        self.crl_der.push(Arc::from(der));
        Ok(())
    }

    /// The certificates in load order.
    pub fn certs(&self) -> &[StoredCert] {
        &self.certs
    }

    /// The certificates OpenSSL would report as loaded: those of files and
    /// data, then the `capath` ones a verification has looked up.
    pub fn loaded_certs(&self) -> Vec<StoredCert> {
        let used = self.dir_used.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = self.certs.clone();
        out.extend(
            self.dir_certs
                .iter()
                .filter(|c| used.iter().any(|u| u.as_ref() == c.der.as_ref()))
                .cloned(),
        );
        out
    }

    /// The issuers of `leaf` found in the store, nearest first, ending at a
    /// self-signed certificate or after `max` steps. Matched by name, as
    /// OpenSSL's chain building for the local certificate does.
    pub fn issuer_chain(
        &self,
        leaf: &CertificateDer<'_>,
        max: usize,
    ) -> Vec<CertificateDer<'static>> {
        let issuer_of = |der: &[u8]| {
            X509Certificate::from_der(der)
                .ok()
                .map(|(_, c)| (c.issuer().as_raw().to_vec(), c.subject().as_raw().to_vec()))
        };
        let mut chain: Vec<CertificateDer<'static>> = Vec::new();
        let Some((mut wanted, subject)) = issuer_of(leaf) else {
            return chain;
        };
        if wanted == subject {
            return chain;
        }
        while chain.len() < max {
            let next = self.certs.iter().find(|c| {
                c.der.as_ref() != leaf.as_ref()
                    && !chain.iter().any(|d| d.as_ref() == c.der.as_ref())
                    && issuer_of(&c.der).is_some_and(|(_, subject)| subject == wanted)
            });
            let Some(next) = next else {
                break;
            };
            chain.push(next.der.clone());
            if next.self_signed {
                break;
            }
            match issuer_of(&next.der) {
                Some((issuer, _)) => wanted = issuer,
                None => break,
            }
        }
        chain
    }

    /// `(x509, x509_ca, crl)` as `cert_store_stats()` reports them.
    pub fn stats(&self) -> (usize, usize, usize) {
        let certs = self.loaded_certs();
        let ca = certs.iter().filter(|c| c.is_ca).count();
        (certs.len(), ca, self.crls.len())
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
    /// The certificate each anchor came from, index for index, so a verified
    /// path can be reported as certificates.
    anchor_certs: Vec<CertificateDer<'static>>,
    /// Store certificates that are not anchors but may complete a chain.
    helpers: Vec<CertificateDer<'static>>,
    crls: Vec<Arc<OwnedCertRevocationList>>,
    crl_der: Vec<Arc<[u8]>>,
    algorithms: WebPkiSupportedAlgorithms,
    /// The store's `capath` certificates, and where to record that one was used.
    dir_certs: Vec<CertificateDer<'static>>,
    dir_used: Arc<std::sync::Mutex<Vec<CertificateDer<'static>>>>,
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
        let mut anchor_certs = Vec::new();
        let mut helpers = Vec::new();
        for cert in store.certs.iter().chain(&store.dir_certs) {
            // OpenSSL trusts a store certificate as a chain end only when it is
            // self-signed, unless partial chains are allowed.
            if cert.self_signed || partial {
                if let Ok(anchor) = webpki::anchor_from_trusted_cert(&cert.der) {
                    anchors.push(anchor.to_owned());
                    anchor_certs.push(cert.der.clone());
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
            anchor_certs,
            helpers,
            crls: store.crls.clone(),
            crl_der: store.crl_der.clone(),
            algorithms,
            dir_certs: store.dir_certs.iter().map(|c| c.der.clone()).collect(),
            dir_used: store.dir_used.clone(),
        })
    }

    /// Notes which `capath` certificates a verified path went through.
    fn record_dir_use(&self, path: &[CertificateDer<'static>]) {
        let used_now = path.iter().filter(|c| self.dir_certs.contains(c));
        let mut used = self.dir_used.lock().unwrap_or_else(|p| p.into_inner());
        for cert in used_now {
            if !used.contains(cert) {
                used.push(cert.clone());
            }
        }
    }

    /// Checks `leaf` and `presented` intermediates for `usage`, with OpenSSL
    /// codes on failure. On success gives the path that was validated:
    /// leaf, intermediates, then the certificate of the trust anchor.
    fn verify_chain(
        &self,
        leaf: &CertificateDer<'_>,
        presented: &[CertificateDer<'_>],
        now: UnixTime,
        usage: KeyUsage,
    ) -> std::result::Result<Vec<CertificateDer<'static>>, VerifyFailure> {
        if self.flags & VERIFY_ALLOW_PROXY_CERTS != 0
            && std::iter::once(leaf)
                .chain(presented)
                .any(|c| is_proxy_certificate(c))
        {
            return Err(VerifyFailure {
                code: PROXY_CERTIFICATES_NOT_ALLOWED,
                message: "proxy certificates are not supported by rustssl \
                          (VERIFY_ALLOW_PROXY_CERTS cannot be honoured)"
                    .into(),
            });
        }
        let ee = EndEntityCert::try_from(leaf).map_err(|e| webpki_failure(&e))?;
        if self.flags & VERIFY_X509_PARTIAL_CHAIN != 0
            && self
                .anchor_certs
                .iter()
                .any(|a| a.as_ref() == leaf.as_ref())
        {
            // OpenSSL ends the chain at a leaf that is itself in the store;
            // webpki wants an issuer, so the leaf's own checks are done here.
            trusted_leaf_checks(leaf, now, &usage)?;
            return Ok(vec![CertificateDer::from(leaf.to_vec())]);
        }
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
                        // A certificate no loaded CRL speaks for fails, as in OpenSSL (code 3).
                        .with_status_policy(UnknownStatusPolicy::Deny)
                        // OpenSSL refuses a CRL past its nextUpdate (code 12).
                        .with_expiration_policy(ExpirationPolicy::Enforce)
                        .build(),
                ),
                // CRL checking was asked for and there is no CRL at all.
                Err(_) => return Err(VerifyFailure::new(code::UNABLE_TO_GET_CRL)),
            }
        } else {
            None
        };
        let path = ee
            .verify_for_usage(
                self.algorithms.all,
                &self.anchors,
                &intermediates,
                now,
                usage,
                revocation,
                None,
            )
            .map_err(|e| match e {
                webpki::Error::UnknownIssuer => self.unknown_issuer(leaf, presented),
                other => webpki_failure(&other),
            })?;
        let mut chain = vec![CertificateDer::from(leaf.to_vec())];
        chain.extend(
            path.intermediate_certificates()
                .map(|c| CertificateDer::from(c.der().to_vec())),
        );
        let anchor = path.anchor();
        if let Some(i) = self.anchors.iter().position(|a| {
            a.subject == anchor.subject
                && a.subject_public_key_info == anchor.subject_public_key_info
        }) {
            // A trusted self-signed leaf is its own anchor: report it once.
            if chain.last() != Some(&self.anchor_certs[i]) {
                chain.push(self.anchor_certs[i].clone());
            }
        }
        openssl::check_chain(&chain)?;
        rfc5280::check_chain(&chain)?;
        if self.flags & VERIFY_CRL_CHECK_LEAF != 0 {
            let whole_chain = self.flags & VERIFY_CRL_CHECK_CHAIN == VERIFY_CRL_CHECK_CHAIN;
            openssl::check_crls(&chain, &self.crl_der, whole_chain)?;
        }
        if self.flags & VERIFY_X509_STRICT != 0 {
            strict::check_chain(&chain)?;
        }
        Ok(chain)
    }

    /// The chain OpenSSL builds when no trusted issuer is found: from the
    /// leaf, each issuer is taken from the store first (OpenSSL's default
    /// "trusted first") and then from the presented certificates, until a
    /// self-signed certificate or a missing issuer ends it. Also says
    /// whether the last certificate came from the store.
    fn untrusted_path(
        &self,
        leaf: &CertificateDer<'_>,
        presented: &[CertificateDer<'_>],
    ) -> (Vec<CertificateDer<'static>>, bool) {
        let names = |der: &[u8]| {
            X509Certificate::from_der(der)
                .ok()
                .map(|(_, c)| (c.subject().as_raw().to_vec(), c.issuer().as_raw().to_vec()))
        };
        let mut chain = vec![CertificateDer::from(leaf.to_vec())];
        let mut from_store = false;
        let mut current = leaf.to_vec();
        // Bounded: a chain longer than every certificate we have must loop.
        for _ in 0..(presented.len() + self.helpers.len() + self.anchor_certs.len()) {
            let Some((subject, issuer)) = names(&current) else {
                break;
            };
            if subject == issuer {
                break;
            }
            let store = self
                .anchor_certs
                .iter()
                .chain(&self.helpers)
                .map(|c| (c.as_ref(), true));
            let sent = presented.iter().map(|c| (c.as_ref(), false));
            let next = store.chain(sent).find(|(der, _)| {
                names(der).is_some_and(|(s, _)| s == issuer)
                    && !chain.iter().any(|c| c.as_ref() == *der)
            });
            let Some((der, in_store)) = next else {
                break;
            };
            chain.push(CertificateDer::from(der.to_vec()));
            from_store = in_store;
            current = der.to_vec();
        }
        (chain, from_store)
    }

    /// OpenSSL distinguishes why no trusted issuer was found: 18, 19, 2 or 20.
    fn unknown_issuer(
        &self,
        leaf: &CertificateDer<'_>,
        presented: &[CertificateDer<'_>],
    ) -> VerifyFailure {
        let (chain, from_store) = self.untrusted_path(leaf, presented);
        let last_self_signed = chain
            .last()
            .is_some_and(|der| crate::x509::is_self_signed(der));
        if last_self_signed && chain.len() == 1 {
            VerifyFailure::new(code::DEPTH_ZERO_SELF_SIGNED_CERT)
        } else if last_self_signed {
            VerifyFailure::new(code::SELF_SIGNED_CERT_IN_CHAIN)
        } else if from_store {
            VerifyFailure::new(code::UNABLE_TO_GET_ISSUER_CERT)
        } else {
            VerifyFailure::new(code::UNABLE_TO_GET_ISSUER_CERT_LOCALLY)
        }
    }

    /// The chain that verification validates for `presented` (leaf first):
    /// leaf, intermediates, trust anchor. If verification fails, the chain
    /// OpenSSL would have built before giving up.
    pub fn verified_path(
        &self,
        presented: &[CertificateDer<'_>],
        peer_is_server: bool,
    ) -> Vec<CertificateDer<'static>> {
        let Some((leaf, rest)) = presented.split_first() else {
            return Vec::new();
        };
        let usage = if peer_is_server {
            KeyUsage::server_auth()
        } else {
            KeyUsage::client_auth()
        };
        match self.verify_chain(leaf, rest, UnixTime::now(), usage) {
            Ok(chain) => chain,
            Err(_) => self.untrusted_path(leaf, rest).0,
        }
    }
}

/// The chain verification validated for the peer's `presented` chain under
/// `settings`: what `get_verified_chain()` reports.
pub fn verified_chain(
    settings: &crate::context::Settings,
    presented: &[CertificateDer<'_>],
    peer_is_server: bool,
) -> Vec<CertificateDer<'static>> {
    let policy = VerifyPolicy {
        mode: settings.verify_mode,
        check_hostname: false,
        host_flags: settings.host_flags,
        flags: settings.verify_flags,
    };
    let algorithms =
        rustls::crypto::aws_lc_rs::default_provider().signature_verification_algorithms;
    match Verifier::new(&settings.trust, policy, algorithms) {
        Ok(v) => v.verified_path(presented, peer_is_server),
        Err(_) => presented.iter().map(|c| c.clone().into_owned()).collect(),
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

/// What OpenSSL still checks on a leaf that is itself trusted
/// (`VERIFY_X509_PARTIAL_CHAIN`): its validity period and its purpose.
fn trusted_leaf_checks(
    leaf: &CertificateDer<'_>,
    now: UnixTime,
    usage: &KeyUsage,
) -> std::result::Result<(), VerifyFailure> {
    let (_, cert) =
        X509Certificate::from_der(leaf).map_err(|_| VerifyFailure::new(code::UNSPECIFIED))?;
    let now = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
    let validity = cert.validity();
    if validity.not_before.timestamp() > now {
        return Err(VerifyFailure::new(code::CERT_NOT_YET_VALID));
    }
    if validity.not_after.timestamp() < now {
        return Err(VerifyFailure::new(code::CERT_HAS_EXPIRED));
    }
    if let Ok(Some(eku)) = cert.extended_key_usage() {
        let wanted = if *usage == KeyUsage::server_auth() {
            eku.value.server_auth
        } else {
            eku.value.client_auth
        };
        if !wanted && !eku.value.any {
            return Err(VerifyFailure::new(code::INVALID_PURPOSE));
        }
    }
    Ok(())
}

/// The server name as the application gave it.
fn name_text(name: &ServerName<'_>) -> String {
    match name {
        ServerName::DnsName(d) => d.as_ref().to_owned(),
        ServerName::IpAddress(ip) => std::net::IpAddr::from(*ip).to_string(),
        _ => String::new(),
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
        let path = self
            .verify_chain(end_entity, intermediates, now, KeyUsage::server_auth())
            .map_err(VerifyFailure::into_rustls)?;
        self.record_dir_use(&path);
        if self.check_hostname {
            let reference = reference_of(server_name);
            hostname::check(end_entity, &reference, HostFlags(self.host_flags)).map_err(|m| {
                let c = match m {
                    Mismatch::IpAddress => code::IP_ADDRESS_MISMATCH,
                    _ => code::HOSTNAME_MISMATCH,
                };
                // CPython names the requested host after OpenSSL's text.
                VerifyFailure {
                    code: c,
                    message: format!(
                        "{}, certificate is not valid for '{}'.",
                        code::message(c),
                        name_text(server_name)
                    ),
                }
                .into_rustls()
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
        let path = self
            .verify_chain(end_entity, intermediates, now, KeyUsage::client_auth())
            .map_err(VerifyFailure::into_rustls)?;
        self.record_dir_use(&path);
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

/// Checks OpenSSL makes on every chain and webpki does not, so that
/// rustssl never accepts a chain the stdlib refuses.
mod openssl {
    use rustls::pki_types::CertificateDer;
    use x509_parser::prelude::{FromDer, X509Certificate};

    use crate::codes::verify as code;
    use crate::error::VerifyFailure;

    /// The extensions OpenSSL understands when critical (`X509_supported_extension`);
    /// any other critical extension, even on the trust anchor, fails with code 34.
    const SUPPORTED_CRITICAL: &[&str] = &[
        "2.16.840.1.113730.1.1", // Netscape certificate type
        "2.5.29.15",             // keyUsage
        "2.5.29.17",             // subjectAltName
        "2.5.29.19",             // basicConstraints
        "2.5.29.32",             // certificatePolicies
        "2.5.29.37",             // extKeyUsage
        "2.5.29.36",             // policyConstraints
        "1.3.6.1.5.5.7.1.14",    // proxyCertInfo
        "2.5.29.30",             // nameConstraints
        "2.5.29.33",             // policyMappings
        "2.5.29.54",             // inhibitAnyPolicy
        "1.3.6.1.5.5.7.1.7",     // IP address delegation
        "1.3.6.1.5.5.7.1.8",     // AS identifier delegation
    ];

    /// OpenSSL's bound on names times name constraints, against quadratic blow-up.
    const NAME_CHECK_MAX: usize = 1 << 20;

    /// Checks a validated `chain` (leaf first, anchor last).
    pub(super) fn check_chain(chain: &[CertificateDer<'_>]) -> Result<(), VerifyFailure> {
        let parsed: Vec<X509Certificate<'_>> = chain
            .iter()
            .filter_map(|der| X509Certificate::from_der(der).ok().map(|(_, c)| c))
            .collect();
        if parsed.len() != chain.len() {
            return Err(VerifyFailure::new(code::UNSPECIFIED));
        }
        for cert in &parsed {
            let unsupported = cert.extensions().iter().any(|e| {
                e.critical && !SUPPORTED_CRITICAL.contains(&e.oid.to_id_string().as_str())
            });
            if unsupported {
                return Err(VerifyFailure::new(code::UNHANDLED_CRITICAL_EXTENSION));
            }
        }
        // OpenSSL takes no certificate whose keyUsage lacks keyCertSign as an
        // issuer, so such a chain lacks its issuer (code 20), even at the
        // anchor. A trusted self-signed leaf issues nothing and is exempt.
        for (ders, certs) in chain.windows(2).zip(parsed.windows(2)) {
            if ders[0] == ders[1] {
                continue;
            }
            let cannot_sign = certs[1]
                .key_usage()
                .ok()
                .flatten()
                .is_some_and(|ku| !ku.value.key_cert_sign());
            if cannot_sign {
                return Err(VerifyFailure::new(code::UNABLE_TO_GET_ISSUER_CERT_LOCALLY));
            }
        }
        // Every certificate below a CA with name constraints is bounded.
        for (i, ca) in parsed.iter().enumerate().skip(1) {
            let Ok(Some(nc)) = ca.name_constraints() else {
                continue;
            };
            let constraints = nc.value.permitted_subtrees.as_ref().map_or(0, Vec::len)
                + nc.value.excluded_subtrees.as_ref().map_or(0, Vec::len);
            for below in &parsed[..i] {
                let names = below.subject().iter_attributes().count()
                    + below
                        .subject_alternative_name()
                        .ok()
                        .flatten()
                        .map_or(0, |s| s.value.general_names.len());
                if names > 0 && constraints > NAME_CHECK_MAX / names {
                    return Err(VerifyFailure::new(code::UNSPECIFIED));
                }
            }
        }
        Ok(())
    }

    /// The critical CRL extensions OpenSSL understands; any other fails with code 36.
    const SUPPORTED_CRITICAL_CRL: &[&str] = &[
        "2.5.29.28", // issuingDistributionPoint
        "2.5.29.35", // authorityKeyIdentifier
        "2.5.29.27", // deltaCRLIndicator
    ];

    /// The CRL checks webpki does not make: the CRL issuer's keyUsage must
    /// allow CRL signing (35), and the CRL may carry no critical extension
    /// OpenSSL does not understand (36). Applies to the CRLs of the issuers
    /// of the certificates that were revocation-checked.
    pub(super) fn check_crls(
        chain: &[CertificateDer<'_>],
        crls: &[std::sync::Arc<[u8]>],
        whole_chain: bool,
    ) -> Result<(), VerifyFailure> {
        let checked = if whole_chain {
            chain.len().saturating_sub(1)
        } else {
            1.min(chain.len().saturating_sub(1))
        };
        let parsed_crls: Vec<_> = crls
            .iter()
            .filter_map(|der| {
                x509_parser::revocation_list::CertificateRevocationList::from_der(der)
                    .ok()
                    .map(|(_, c)| c)
            })
            .collect();
        for pair in chain.windows(2).take(checked) {
            let (Ok((_, cert)), Ok((_, issuer))) = (
                X509Certificate::from_der(&pair[0]),
                X509Certificate::from_der(&pair[1]),
            ) else {
                return Err(VerifyFailure::new(code::UNSPECIFIED));
            };
            for crl in &parsed_crls {
                if crl.issuer().as_raw() != cert.issuer().as_raw() {
                    continue;
                }
                if issuer
                    .key_usage()
                    .ok()
                    .flatten()
                    .is_some_and(|ku| !ku.value.crl_sign())
                {
                    return Err(VerifyFailure::new(code::KEYUSAGE_NO_CRL_SIGN));
                }
                let unsupported = crl.extensions().iter().any(|e| {
                    e.critical && !SUPPORTED_CRITICAL_CRL.contains(&e.oid.to_id_string().as_str())
                });
                if unsupported {
                    return Err(VerifyFailure::new(code::UNHANDLED_CRITICAL_CRL_EXTENSION));
                }
            }
        }
        Ok(())
    }
}

/// RFC 5280 "MUST" rules that neither webpki nor OpenSSL enforce, applied
/// always. Each is a structural defect no conforming CA produces, so
/// refusing it costs no real-world compatibility while closing doors that
/// the x509-limbo suite probes: name constraints outside CA certificates
/// or with no subtrees at all, non-critical policy constraints, a malformed
/// authority information access extension, and serial numbers longer than
/// 20 octets. (A zero serial is left alone: hand-made test certificates use it.)
mod rfc5280 {
    use rustls::pki_types::CertificateDer;
    use x509_parser::extensions::ParsedExtension;
    use x509_parser::prelude::{FromDer, X509Certificate};

    use crate::codes::verify as code;
    use crate::error::VerifyFailure;

    const NAME_CONSTRAINTS: &str = "2.5.29.30";
    const POLICY_CONSTRAINTS: &str = "2.5.29.36";
    const AUTHORITY_INFO_ACCESS: &str = "1.3.6.1.5.5.7.1.1";

    fn failure(c: i32, why: &str) -> VerifyFailure {
        VerifyFailure {
            code: c,
            message: format!("{} ({why})", code::message(c)),
        }
    }

    /// Checks every certificate of a validated chain.
    pub(super) fn check_chain(chain: &[CertificateDer<'_>]) -> Result<(), VerifyFailure> {
        for der in chain {
            let Ok((_, cert)) = X509Certificate::from_der(der) else {
                return Err(VerifyFailure::new(code::UNSPECIFIED));
            };
            check_one(&cert)?;
        }
        Ok(())
    }

    fn check_one(cert: &X509Certificate<'_>) -> Result<(), VerifyFailure> {
        if cert.raw_serial().len() > 20 {
            return Err(failure(
                code::UNSPECIFIED,
                "serial number longer than 20 octets",
            ));
        }
        let is_ca = cert
            .basic_constraints()
            .ok()
            .flatten()
            .is_some_and(|b| b.value.ca);
        for ext in cert.extensions() {
            match ext.oid.to_id_string().as_str() {
                NAME_CONSTRAINTS => {
                    if !is_ca {
                        return Err(failure(
                            code::INVALID_EXTENSION,
                            "name constraints in a certificate that is not a CA",
                        ));
                    }
                    let empty = match ext.parsed_extension() {
                        ParsedExtension::NameConstraints(nc) => {
                            nc.permitted_subtrees.as_ref().is_none_or(Vec::is_empty)
                                && nc.excluded_subtrees.as_ref().is_none_or(Vec::is_empty)
                        }
                        _ => true,
                    };
                    if empty {
                        return Err(failure(
                            code::INVALID_EXTENSION,
                            "name constraints without subtrees",
                        ));
                    }
                }
                POLICY_CONSTRAINTS if !ext.critical => {
                    return Err(failure(
                        code::INVALID_POLICY_EXTENSION,
                        "policy constraints not marked critical",
                    ));
                }
                AUTHORITY_INFO_ACCESS
                    if !matches!(
                        ext.parsed_extension(),
                        ParsedExtension::AuthorityInfoAccess(_)
                    ) =>
                {
                    return Err(failure(
                        code::INVALID_EXTENSION,
                        "malformed authority information access",
                    ));
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// The extra checks of `VERIFY_X509_STRICT`.
///
/// webpki already refuses what OpenSSL's strict mode refuses about time
/// encodings, negative or oversized serials, unknown critical extensions,
/// CA certificates used as leaves and missing `basicConstraints` on issuers;
/// this module adds the RFC 5280 profile checks OpenSSL 3 performs on every
/// certificate of a chain longer than one, in OpenSSL's order so the first
/// failure reports the same code.
///
/// Not reproduced: OpenSSL's strict rejection of certain non-minimal
/// DER encodings inside names (webpki keeps names opaque), which is rare
/// enough in practice to document rather than emulate.
mod strict {
    use rustls::pki_types::CertificateDer;
    use x509_parser::prelude::{FromDer, X509Certificate};

    use crate::codes::verify as code;
    use crate::error::VerifyFailure;

    const AKID: &str = "2.5.29.35";
    const SKID: &str = "2.5.29.14";

    /// Checks every certificate of a validated `chain` (leaf first).
    pub(super) fn check_chain(chain: &[CertificateDer<'_>]) -> Result<(), VerifyFailure> {
        if chain.len() < 2 {
            return Ok(());
        }
        for (i, der) in chain.iter().enumerate() {
            let Ok((_, cert)) = X509Certificate::from_der(der) else {
                return Err(VerifyFailure::new(code::UNSPECIFIED));
            };
            if let Some(c) = check_one(&cert, i + 1 < chain.len()) {
                return Err(VerifyFailure::new(c));
            }
        }
        Ok(())
    }

    /// The first strict-mode violation of one certificate; `has_issuer` is
    /// false for the trust anchor, which needs no authority key identifier.
    fn check_one(cert: &X509Certificate<'_>, has_issuer: bool) -> Option<i32> {
        let ext = |oid: &str| {
            cert.extensions()
                .iter()
                .find(|e| e.oid.to_id_string() == oid)
        };
        let bc = cert.basic_constraints().ok().flatten();
        let is_ca = bc.as_ref().is_some_and(|b| b.value.ca);
        let ku = cert.key_usage().ok().flatten();
        let cert_sign = ku.as_ref().is_some_and(|k| k.value.key_cert_sign());
        let crl_sign = ku.as_ref().is_some_and(|k| k.value.crl_sign());
        let san = cert.subject_alternative_name().ok().flatten();
        let subject_empty = cert.subject().iter_rdn().next().is_none();
        let self_issued = cert.subject().as_raw() == cert.issuer().as_raw();

        if let Some(b) = &bc {
            if b.value.path_len_constraint.is_some() {
                if !is_ca {
                    return Some(code::PATHLEN_INVALID_FOR_NON_CA);
                }
                if !cert_sign {
                    return Some(code::PATHLEN_WITHOUT_KU_KEY_CERT_SIGN);
                }
            }
            if is_ca && !b.critical {
                return Some(code::CA_BCONS_NOT_CRITICAL);
            }
        }
        if is_ca && ku.is_none() {
            return Some(code::CA_CERT_MISSING_KEY_USAGE);
        }
        if !is_ca && cert_sign {
            return Some(code::KU_KEY_CERT_SIGN_INVALID_FOR_NON_CA);
        }
        if cert.issuer().iter_rdn().next().is_none() {
            return Some(code::ISSUER_NAME_EMPTY);
        }
        if subject_empty && (is_ca || crl_sign || san.is_none()) {
            return Some(code::SUBJECT_NAME_EMPTY);
        }
        if subject_empty && san.as_ref().is_some_and(|s| !s.critical) {
            return Some(code::EMPTY_SUBJECT_SAN_NOT_CRITICAL);
        }
        if san
            .as_ref()
            .is_some_and(|s| s.value.general_names.is_empty())
        {
            return Some(code::EMPTY_SUBJECT_ALT_NAME);
        }
        let inner = &cert.tbs_certificate.signature;
        let outer = &cert.signature_algorithm;
        let params = |p: Option<&x509_parser::der_parser::asn1_rs::Any<'_>>| {
            p.map(|a| (a.tag(), a.data.to_vec()))
        };
        if inner.algorithm != outer.algorithm
            || params(inner.parameters.as_ref()) != params(outer.parameters.as_ref())
        {
            return Some(code::SIGNATURE_ALGORITHM_INCONSISTENCY);
        }
        if ext(AKID).is_some_and(|e| e.critical) {
            return Some(code::AUTHORITY_KEY_IDENTIFIER_CRITICAL);
        }
        if ext(SKID).is_some_and(|e| e.critical) {
            return Some(code::SUBJECT_KEY_IDENTIFIER_CRITICAL);
        }
        if cert.version().0 >= 2 {
            if has_issuer && !self_issued && ext(AKID).is_none() {
                return Some(code::MISSING_AUTHORITY_KEY_IDENTIFIER);
            }
            if is_ca && ext(SKID).is_none() {
                return Some(code::MISSING_SUBJECT_KEY_IDENTIFIER);
            }
        } else if !cert.extensions().is_empty() {
            return Some(code::EXTENSIONS_REQUIRE_VERSION_3);
        }
        // Explicit curve parameters are a SEQUENCE where a named curve is an OID.
        let spki = cert.public_key();
        if spki.algorithm.algorithm.to_id_string() == "1.2.840.10045.2.1"
            && spki
                .algorithm
                .parameters
                .as_ref()
                .is_some_and(|p| p.tag() != x509_parser::der_parser::asn1_rs::Tag::Oid)
        {
            return Some(code::EC_KEY_EXPLICIT_PARAMS);
        }
        None
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
    fn unsupported_flags_are_refused() {
        let policy = VerifyPolicy {
            mode: VerifyMode::Required,
            check_hostname: false,
            host_flags: 0,
            flags: 0x1,
        };
        let algs = rustls::crypto::aws_lc_rs::default_provider().signature_verification_algorithms;
        assert!(matches!(
            Verifier::new(&TrustStore::default(), policy, algs),
            Err(Error::Unsupported(_))
        ));
    }

    #[test]
    fn proxy_certificates_fail_loudly_when_allowed() {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(vec!["proxy.example".to_owned()]).unwrap();
        // proxyCertInfo with an empty policy sequence is enough to mark it.
        params.custom_extensions = vec![rcgen::CustomExtension::from_oid_content(
            &[1, 3, 6, 1, 5, 5, 7, 1, 14],
            vec![0x30, 0x00],
        )];
        let der = params.self_signed(&key).unwrap().der().clone();
        assert!(is_proxy_certificate(&der));
        let policy = VerifyPolicy {
            mode: VerifyMode::Required,
            check_hostname: false,
            host_flags: 0,
            flags: VERIFY_ALLOW_PROXY_CERTS,
        };
        let algs = rustls::crypto::aws_lc_rs::default_provider().signature_verification_algorithms;
        let verifier = Verifier::new(&TrustStore::default(), policy, algs).unwrap();
        let err = verifier
            .verify_chain(&der, &[], UnixTime::now(), KeyUsage::server_auth())
            .unwrap_err();
        assert_eq!(err.code, PROXY_CERTIFICATES_NOT_ALLOWED);
        assert!(err.message.contains("VERIFY_ALLOW_PROXY_CERTS"));
    }
}
