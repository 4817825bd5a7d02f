//! The trust store: the certificates and CRLs `load_verify_locations`,
//! `load_default_certs` and `capath` directories provide, with OpenSSL's
//! view of them (anchors, CA counts, which `capath` entries count as loaded).

mod paths;

use crate::codes::Reason;
use std::sync::{Arc, Mutex};

use rustls::pki_types::CertificateDer;
use webpki::OwnedCertRevocationList;
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::codes::reason;
use crate::error::{Error, Result};
use paths::hash_link_kind;

pub use paths::{default_paths, system_paths, DefaultPaths, CERT_DIR_ENV, CERT_FILE_ENV};

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
    dir_used: Arc<Mutex<Vec<CertificateDer<'static>>>>,
    crls: Vec<Arc<OwnedCertRevocationList>>,
    /// The DER of each CRL, index for index, for the checks webpki leaves out.
    crl_der: Vec<Arc<[u8]>>,
}

/// A store's `capath` certificates as a verifier holds them, and where it
/// records that one was used (see [`TrustStore::loaded_certs`]).
#[derive(Debug, Clone)]
pub(crate) struct DirUse {
    certs: Vec<CertificateDer<'static>>,
    used: Arc<Mutex<Vec<CertificateDer<'static>>>>,
}

impl DirUse {
    /// Notes which `capath` certificates a verified path went through.
    pub(crate) fn record(&self, path: &[CertificateDer<'static>]) {
        let used_now = path.iter().filter(|c| self.certs.contains(c));
        let mut used = self.used.lock().unwrap_or_else(|p| p.into_inner());
        for cert in used_now {
            if !used.contains(cert) {
                used.push(cert.clone());
            }
        }
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
            Ok(_) => crate::x509::self_signed_and_ca(&der),
            Err(_) => {
                return Err(Error::ssl(
                    Reason::Asn1Lib,
                    "ASN1 lib: not a valid X.509 certificate",
                ))
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
        let crl = OwnedCertRevocationList::from_der(der)
            .map_err(|e| Error::ssl(Reason::Asn1Lib, format!("invalid CRL: {e:?}")))?;
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
        let mut chain: Vec<CertificateDer<'static>> = Vec::new();
        let Some((subject, mut wanted)) = subject_and_issuer(leaf) else {
            return chain;
        };
        if wanted == subject {
            return chain;
        }
        while chain.len() < max {
            let next = self.certs.iter().find(|c| {
                c.der.as_ref() != leaf.as_ref()
                    && !chain.iter().any(|d| d.as_ref() == c.der.as_ref())
                    && subject_and_issuer(&c.der).is_some_and(|(subject, _)| subject == wanted)
            });
            let Some(next) = next else {
                break;
            };
            chain.push(next.der.clone());
            if next.self_signed {
                break;
            }
            match subject_and_issuer(&next.der) {
                Some((_, issuer)) => wanted = issuer,
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
    /// Every certificate a verification may use: those of files and data,
    /// then the `capath` ones.
    pub(crate) fn all_certs(&self) -> impl Iterator<Item = &StoredCert> {
        self.certs.iter().chain(&self.dir_certs)
    }

    /// The CRLs, in load order.
    pub(crate) fn crls(&self) -> &[Arc<OwnedCertRevocationList>] {
        &self.crls
    }

    /// The DER of each CRL, index for index with [`TrustStore::crls`].
    pub(crate) fn crl_der(&self) -> &[Arc<[u8]>] {
        &self.crl_der
    }

    /// The `capath` certificates, with the record of their use shared with this store.
    pub(crate) fn dir_use(&self) -> DirUse {
        DirUse {
            certs: self.dir_certs.iter().map(|c| c.der.clone()).collect(),
            used: self.dir_used.clone(),
        }
    }
}

/// The raw encodings of `(subject, issuer)`, as the store and the chain
/// builders link certificates by name; `None` if `der` is not a certificate.
pub(crate) fn subject_and_issuer(der: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    X509Certificate::from_der(der)
        .ok()
        .map(|(_, c)| (c.subject().as_raw().to_vec(), c.issuer().as_raw().to_vec()))
}
