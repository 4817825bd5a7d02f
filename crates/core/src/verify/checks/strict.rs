//! The extra checks of `VERIFY_X509_STRICT`.
//!
//! webpki already refuses what OpenSSL's strict mode refuses about time
//! encodings, negative or oversized serials, unknown critical extensions,
//! CA certificates used as leaves and missing `basicConstraints` on issuers;
//! this module adds the RFC 5280 profile checks OpenSSL 3 performs on every
//! certificate of a chain longer than one, in OpenSSL's order so the first
//! failure reports the same code.
//!
//! Not reproduced: OpenSSL's strict rejection of certain non-minimal
//! DER encodings inside names (webpki keeps names opaque), which is rare
//! enough in practice to document rather than emulate.

use x509_parser::prelude::X509Certificate;

use super::ParsedChain;
use crate::codes::verify as code;
use crate::verify::VerifyFailure;

const AKID: &str = "2.5.29.35";
const SKID: &str = "2.5.29.14";

/// Checks every certificate of a validated `chain` (leaf first).
pub(super) fn check_chain(chain: &ParsedChain<'_>) -> Result<(), VerifyFailure> {
    let certs = &chain.certs;
    if certs.len() < 2 {
        return Ok(());
    }
    for (i, cert) in certs.iter().enumerate() {
        if let Some(c) = check_one(cert, i + 1 < certs.len()) {
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
