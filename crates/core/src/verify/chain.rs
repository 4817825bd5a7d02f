//! Building and checking a peer's chain: webpki's path validation with
//! OpenSSL's trust rules around it, and the chain OpenSSL reports when no
//! trusted issuer is found.

use rustls::pki_types::{CertificateDer, UnixTime};
use webpki::{
    EndEntityCert, ExpirationPolicy, KeyUsage, RevocationCheckDepth, RevocationOptionsBuilder,
    UnknownStatusPolicy,
};
use x509_parser::prelude::{FromDer, X509Certificate};

use super::checks;
use super::mapping::{self, VerifyFailure};
use super::policy::{
    VERIFY_ALLOW_PROXY_CERTS, VERIFY_CRL_CHECK_CHAIN, VERIFY_CRL_CHECK_LEAF,
    VERIFY_X509_PARTIAL_CHAIN,
};
use super::Verifier;
use crate::codes::verify as code;
use crate::trust::subject_and_issuer;

/// OpenSSL's code for a proxy certificate it may not accept.
pub(super) const PROXY_CERTIFICATES_NOT_ALLOWED: i32 = 40;
/// The proxyCertInfo extension (RFC 3820).
const PROXY_CERT_INFO_OID: &str = "1.3.6.1.5.5.7.1.14";

/// Whether a certificate is an RFC 3820 proxy certificate.
pub(super) fn is_proxy_certificate(der: &[u8]) -> bool {
    X509Certificate::from_der(der).is_ok_and(|(_, cert)| {
        cert.extensions()
            .iter()
            .any(|e| e.oid.to_id_string() == PROXY_CERT_INFO_OID)
    })
}

impl Verifier {
    /// Checks `leaf` and `presented` intermediates for `usage`, with OpenSSL
    /// codes on failure. On success gives the path that was validated:
    /// leaf, intermediates, then the certificate of the trust anchor.
    pub(super) fn verify_chain(
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
        let ee = EndEntityCert::try_from(leaf).map_err(|e| mapping::from_webpki(&e))?;
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
                other => mapping::from_webpki(&other),
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
        checks::run(&chain, self.flags, &self.crl_der)?;
        Ok(chain)
    }

    /// The chain OpenSSL builds when no trusted issuer is found: from the
    /// leaf, each issuer is taken from the store first (OpenSSL's default
    /// "trusted first") and then from the presented certificates, until a
    /// self-signed certificate or a missing issuer ends it. Also says
    /// whether the last certificate came from the store.
    pub(super) fn untrusted_path(
        &self,
        leaf: &CertificateDer<'_>,
        presented: &[CertificateDer<'_>],
    ) -> (Vec<CertificateDer<'static>>, bool) {
        let mut chain = vec![CertificateDer::from(leaf.to_vec())];
        let mut from_store = false;
        let mut current = leaf.to_vec();
        // Bounded: a chain longer than every certificate we have must loop.
        for _ in 0..(presented.len() + self.helpers.len() + self.anchor_certs.len()) {
            let Some((subject, issuer)) = subject_and_issuer(&current) else {
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
                subject_and_issuer(der).is_some_and(|(s, _)| s == issuer)
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
