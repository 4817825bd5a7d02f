//! How OpenSSL classifies a certificate: CA (`X509_check_ca`) and
//! self-signed (the one rule, used for `cert_store_stats()` and for choosing
//! trust anchors).

use super::cert::{parse_certificate, RawCertificate};
use super::extensions::parse_crl_distribution_points;
use super::extensions::{
    decoded, parse_authority_key_id, parse_basic_constraints, parse_bits, parse_name_constraints,
    parse_oid_sequence, AuthorityKeyId,
};
use super::general_name::parse_general_names;
use super::name::canonical_name;
use crate::asn1::der::{self, OCTET_STRING, SEQUENCE};
use crate::asn1::oid;

/// Whether OpenSSL's `X509_check_ca` counts the certificate as a CA, which is
/// what `SSLContext.cert_store_stats()` reports as `x509_ca`.
///
/// That is: a keyUsage without keyCertSign rules it out; otherwise
/// basicConstraints decides when present; without it a self-signed v1
/// certificate, a keyUsage (with keyCertSign) or a Netscape cert type with a
/// CA bit still counts. Certificates whose extensions OpenSSL considers
/// invalid (malformed or repeated) never count.
pub fn is_ca(der: &[u8]) -> bool {
    parse_certificate(der)
        .ok()
        .is_some_and(|cert| check_ca(&cert).unwrap_or(false))
}

/// [`is_self_signed`] and [`is_ca`] from one parse: what a trust store
/// records about each certificate it loads.
pub fn self_signed_and_ca(der: &[u8]) -> (bool, bool) {
    match parse_certificate(der) {
        Ok(cert) => (
            self_signed(&cert).unwrap_or(false),
            check_ca(&cert).unwrap_or(false),
        ),
        Err(_) => (false, false),
    }
}

/// `keyCertSign` in OpenSSL's keyUsage flags (first octet of the bits).
const KEY_CERT_SIGN: u8 = 0x04;
/// The SSL, S/MIME and object-signing CA bits of a Netscape cert type.
const NETSCAPE_ANY_CA: u8 = 0x07;

/// `None` when OpenSSL would flag the certificate's extensions as invalid.
fn check_ca(cert: &RawCertificate<'_>) -> Option<bool> {
    let basic = decoded(cert, oid::BASIC_CONSTRAINTS, parse_basic_constraints)?;
    let key_usage = decoded(cert, oid::KEY_USAGE, parse_bits)?;
    let netscape = decoded(cert, oid::NETSCAPE_CERT_TYPE, parse_bits)?;
    decoded(cert, oid::SUBJECT_KEY_ID, |v| der::first(v, OCTET_STRING))?;
    decoded(cert, oid::AUTHORITY_KEY_ID, parse_authority_key_id)?;
    decoded(cert, oid::EXT_KEY_USAGE, parse_oid_sequence)?;
    decoded(cert, oid::NAME_CONSTRAINTS, parse_name_constraints)?;
    decoded(cert, oid::SUBJECT_ALT_NAME, |v| {
        parse_general_names(der::first(v, SEQUENCE)?)
    })?;
    decoded(cert, oid::CRL_DISTRIBUTION_POINTS, |v| {
        parse_crl_distribution_points(der::first(v, SEQUENCE)?)
    })?;
    if basic.is_some_and(|(_, negative_path_len)| negative_path_len) {
        return None;
    }

    let first_octet = |bits: &Vec<u8>| bits.first().copied().unwrap_or(0);
    if key_usage
        .as_ref()
        .is_some_and(|bits| first_octet(bits) & KEY_CERT_SIGN == 0)
    {
        return Some(false);
    }
    Some(match basic {
        Some((ca, _)) => ca,
        None => {
            (cert.version == 0 && self_signed(cert)?)
                || key_usage.is_some()
                || netscape
                    .as_ref()
                    .is_some_and(|bits| first_octet(bits) & NETSCAPE_ANY_CA != 0)
        }
    })
}

/// Whether OpenSSL 3.0 counts the certificate as self-signed: the one rule
/// rustssl uses, both for `cert_store_stats()` (through [`is_ca`]) and for
/// deciding which store certificates are trust anchors.
///
/// This is OpenSSL 3.0's `EXFLAG_SS` (set in `ossl_x509v3_cache_extensions`,
/// what `X509_self_signed(cert, 0)` reports and chain building relies on),
/// with no signature verified:
///
/// * subject and issuer compare equal as `X509_NAME_cmp` compares them, in
///   canonical form (string values case-folded with whitespace collapsed,
///   the entries of each RDN sorted), not byte for byte;
/// * the authority key identifier, if any, does not point elsewhere
///   (`X509_check_akid`: its key id against the subject key id, its serial
///   against the serial, its first directory name against the issuer);
/// * the signature algorithm suits the certificate's own key type
///   (`check_sig_alg_match`).
///
/// keyUsage plays no part: OpenSSL 1.1.1 required keyCertSign here, 3.0
/// replaced that with the algorithm match, and a store certificate without
/// keyCertSign is refused later, as an issuer, by the chain checks.
/// A certificate that does not decode, or whose key identifier extensions
/// are repeated or malformed (OpenSSL flags those invalid and fails any
/// chain through them), is not self-signed, so never an anchor.
pub fn is_self_signed(der: &[u8]) -> bool {
    parse_certificate(der)
        .ok()
        .and_then(|cert| self_signed(&cert))
        .unwrap_or(false)
}

/// [`is_self_signed`] for a parsed certificate; `None` when its key
/// identifier extensions are invalid.
fn self_signed(cert: &RawCertificate<'_>) -> Option<bool> {
    let subject_key_id = decoded(cert, oid::SUBJECT_KEY_ID, |v| der::first(v, OCTET_STRING))?;
    let authority_key_id = decoded(cert, oid::AUTHORITY_KEY_ID, parse_authority_key_id)?;
    Some(names_and_keys_match(
        cert,
        subject_key_id,
        authority_key_id.as_ref(),
    ))
}

fn names_and_keys_match(
    cert: &RawCertificate<'_>,
    subject_key_id: Option<&[u8]>,
    authority_key_id: Option<&AuthorityKeyId<'_>>,
) -> bool {
    // Equal encodings are equal names; only different ones need the
    // canonical forms (the common case, a root, skips them).
    if cert.subject_der != cert.issuer_der
        && canonical_name(&cert.subject) != canonical_name(&cert.issuer)
    {
        return false;
    }
    if let Some(akid) = authority_key_id {
        let key_id_differs = matches!((akid.key_id, subject_key_id), (Some(a), Some(s)) if a != s);
        let serial_differs = akid.serial.is_some_and(|serial| serial != cert.serial);
        let issuer_differs = akid
            .issuer
            .as_ref()
            .is_some_and(|name| canonical_name(name) != canonical_name(&cert.issuer));
        if key_id_differs || serial_differs || issuer_differs {
            return false;
        }
    }
    // Every algorithm we know is short; this also bounds the work on junk.
    let short = |oid: &[u8]| oid.len() <= 16;
    short(cert.signature_oid)
        && short(cert.key_oid)
        && signature_suits_key(&oid::dotted(cert.signature_oid), &oid::dotted(cert.key_oid))
}

/// Whether a signature algorithm is one made with keys of the given type.
fn signature_suits_key(signature: &str, key: &str) -> bool {
    const RSA: &str = "1.2.840.113549.1.1.1";
    const RSA_PSS: &str = "1.2.840.113549.1.1.10";
    const EC: &str = "1.2.840.10045.2.1";
    const DSA: &str = "1.2.840.10040.4.1";
    let wanted: &[&str] = match signature {
        RSA_PSS => &[RSA, RSA_PSS],
        "1.2.840.113549.1.1.2"
        | "1.2.840.113549.1.1.3"
        | "1.2.840.113549.1.1.4"
        | "1.2.840.113549.1.1.5"
        | "1.2.840.113549.1.1.11"
        | "1.2.840.113549.1.1.12"
        | "1.2.840.113549.1.1.13"
        | "1.2.840.113549.1.1.14"
        | "1.2.840.113549.1.1.15"
        | "1.2.840.113549.1.1.16"
        | "1.3.14.3.2.29"
        | "1.3.36.3.3.1.2"
        | "2.16.840.1.101.3.4.3.13"
        | "2.16.840.1.101.3.4.3.14"
        | "2.16.840.1.101.3.4.3.15"
        | "2.16.840.1.101.3.4.3.16" => &[RSA],
        "1.2.840.10045.4.1"
        | "1.2.840.10045.4.3.1"
        | "1.2.840.10045.4.3.2"
        | "1.2.840.10045.4.3.3"
        | "1.2.840.10045.4.3.4"
        | "2.16.840.1.101.3.4.3.9"
        | "2.16.840.1.101.3.4.3.10"
        | "2.16.840.1.101.3.4.3.11"
        | "2.16.840.1.101.3.4.3.12" => &[EC],
        "1.2.840.10040.4.3"
        | "1.3.14.3.2.27"
        | "2.16.840.1.101.3.4.3.1"
        | "2.16.840.1.101.3.4.3.2"
        | "2.16.840.1.101.3.4.3.3"
        | "2.16.840.1.101.3.4.3.4" => &[DSA],
        ed @ ("1.3.101.112" | "1.3.101.113") => return key == ed,
        _ => &[],
    };
    wanted.contains(&key)
}
