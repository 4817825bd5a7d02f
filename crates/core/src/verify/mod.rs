//! Certificate verification with OpenSSL's outcomes: the policy, the
//! verifier rustls calls, chain building, the check suites and the mapping
//! of OpenSSL's verification codes.
//!
//! Chains are built and checked by webpki; this module adds what the
//! `ssl` API promises on top: `CERT_OPTIONAL`, `check_hostname` as a
//! separate switch, OpenSSL's trust-store semantics (only self-signed
//! certificates are anchors unless `VERIFY_X509_PARTIAL_CHAIN`), CRL
//! checking by flag, and OpenSSL's verification codes in every failure.

mod chain;
mod checks;
mod mapping;
mod peer;
mod policy;

use std::sync::Arc;

use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::{CertificateDer, TrustAnchor, UnixTime};
use webpki::{KeyUsage, OwnedCertRevocationList};

use crate::error::Result;
use crate::trust::{DirUse, TrustStore};

pub(crate) use mapping::certificate_error;
pub use mapping::VerifyFailure;
pub use policy::{
    check_flags, VerifyMode, VerifyPolicy, DEFAULT_VERIFY_FLAGS, VERIFY_X509_PARTIAL_CHAIN,
};

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
    dir_use: DirUse,
}

impl Verifier {
    /// Freezes the store and policy into a verifier.
    pub fn new(
        store: &TrustStore,
        policy: VerifyPolicy,
        algorithms: WebPkiSupportedAlgorithms,
    ) -> Result<Self> {
        check_flags(policy.flags)?;
        let partial = policy.flags & VERIFY_X509_PARTIAL_CHAIN != 0;
        let mut anchors = Vec::new();
        let mut anchor_certs = Vec::new();
        let mut helpers = Vec::new();
        for cert in store.all_certs() {
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
            crls: store.crls().to_vec(),
            crl_der: store.crl_der().to_vec(),
            algorithms,
            dir_use: store.dir_use(),
        })
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

#[cfg(test)]
mod tests {
    use super::chain::{is_proxy_certificate, PROXY_CERTIFICATES_NOT_ALLOWED};
    use super::policy::VERIFY_ALLOW_PROXY_CERTS;
    use super::*;
    use crate::error::Error;

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
