//! The certificate structure as OpenSSL's decoder insists on it, and
//! extension lookup with OpenSSL's treatment of repeated extensions.

use super::name::{parse_name, RawName};
use crate::asn1::der::{
    bad, bit_string_bits, check_bool, check_integer, ctx, ctx_cons, integer_value, single, Reader,
    Result, Tlv, BIT_STRING, BOOLEAN, GENERALIZED_TIME, INTEGER, OCTET_STRING, OID, SEQUENCE,
    UTC_TIME,
};
use crate::asn1::oid;

/// One extension as read.
pub(super) struct Extension<'a> {
    pub(super) oid: &'a [u8],
    pub(super) value: &'a [u8],
}

/// The parts of a certificate this module looks at, checked for the
/// structure OpenSSL's decoder insists on.
pub(super) struct RawCertificate<'a> {
    /// The encoded version field (0 for v1, also when absent).
    pub(super) version: i64,
    pub(super) serial: &'a [u8],
    /// The signature algorithm inside the signed part.
    pub(super) signature_oid: &'a [u8],
    pub(super) issuer: RawName<'a>,
    /// The issuer name's encoded contents, for a byte-equality shortcut.
    pub(super) issuer_der: &'a [u8],
    pub(super) not_before: Tlv<'a>,
    pub(super) not_after: Tlv<'a>,
    pub(super) subject: RawName<'a>,
    /// The subject name's encoded contents.
    pub(super) subject_der: &'a [u8],
    pub(super) key_oid: &'a [u8],
    pub(super) extensions: Vec<Extension<'a>>,
}

/// `AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY OPTIONAL }`
pub(super) fn parse_algorithm(body: &[u8]) -> Result<&[u8]> {
    let mut reader = Reader::new(body);
    let oid = reader.expect(OID)?;
    oid::check(oid)?;
    if !reader.is_empty() {
        reader.read()?;
    }
    reader.finish()?;
    Ok(oid)
}

pub(super) fn parse_time_field<'a>(reader: &mut Reader<'a>) -> Result<Tlv<'a>> {
    let tlv = reader.read()?;
    if tlv.is(UTC_TIME) || tlv.is(GENERALIZED_TIME) {
        Ok(tlv)
    } else {
        bad("bad time")
    }
}

pub(super) fn parse_extensions(body: &[u8]) -> Result<Vec<Extension<'_>>> {
    let mut reader = Reader::new(single(body, SEQUENCE)?);
    let mut extensions = Vec::new();
    while !reader.is_empty() {
        let mut ext = Reader::new(reader.expect(SEQUENCE)?);
        let oid = ext.expect(OID)?;
        oid::check(oid)?;
        if let Some(critical) = ext.optional(BOOLEAN)? {
            check_bool(critical)?;
        }
        let value = ext.expect(OCTET_STRING)?;
        ext.finish()?;
        extensions.push(Extension { oid, value });
    }
    Ok(extensions)
}

pub(super) fn parse_certificate(der: &[u8]) -> Result<RawCertificate<'_>> {
    // Anything after the certificate is ignored, as OpenSSL does.
    let mut cert = Reader::new(Reader::new(der).expect(SEQUENCE)?);
    let mut tbs = Reader::new(cert.expect(SEQUENCE)?);
    parse_algorithm(cert.expect(SEQUENCE)?)?;
    bit_string_bits(cert.expect(BIT_STRING)?)?;
    cert.finish()?;

    let version = match tbs.optional(ctx_cons(0))? {
        Some(explicit) => {
            let body = single(explicit, INTEGER)?;
            check_integer(body)?;
            integer_value(body)
        }
        None => 0,
    };
    let serial = tbs.expect(INTEGER)?;
    check_integer(serial)?;
    let signature_oid = parse_algorithm(tbs.expect(SEQUENCE)?)?;
    let issuer_der = tbs.expect(SEQUENCE)?;
    let issuer = parse_name(issuer_der)?;
    let mut validity = Reader::new(tbs.expect(SEQUENCE)?);
    let not_before = parse_time_field(&mut validity)?;
    let not_after = parse_time_field(&mut validity)?;
    validity.finish()?;
    let subject_der = tbs.expect(SEQUENCE)?;
    let subject = parse_name(subject_der)?;
    let mut key_info = Reader::new(tbs.expect(SEQUENCE)?);
    let key_oid = parse_algorithm(key_info.expect(SEQUENCE)?)?;
    bit_string_bits(key_info.expect(BIT_STRING)?)?;
    key_info.finish()?;
    for unique_id in [ctx(1), ctx(2)] {
        if let Some(bits) = tbs.optional(unique_id)? {
            bit_string_bits(bits)?;
        }
    }
    let extensions = match tbs.optional(ctx_cons(3))? {
        Some(body) => parse_extensions(body)?,
        None => Vec::new(),
    };
    tbs.finish()?;
    Ok(RawCertificate {
        version,
        serial,
        signature_oid,
        issuer,
        issuer_der,
        not_before,
        not_after,
        subject,
        subject_der,
        key_oid,
        extensions,
    })
}

/// What OpenSSL's `X509_get_ext_d2i` finds for `oid`.
pub(super) enum Lookup<'a> {
    Absent,
    /// More than one: OpenSSL then reports nothing at all.
    Duplicated,
    Unique(&'a [u8]),
}

pub(super) fn find_extension<'a>(cert: &RawCertificate<'a>, oid: &[u8]) -> Lookup<'a> {
    let mut found = cert.extensions.iter().filter(|ext| ext.oid == oid);
    match (found.next(), found.next()) {
        (None, _) => Lookup::Absent,
        (Some(ext), None) => Lookup::Unique(ext.value),
        (Some(_), Some(_)) => Lookup::Duplicated,
    }
}

/// The contents of the first element of a (unique) extension's value;
/// OpenSSL ignores anything after it.
pub(super) fn extension_body<'a>(
    cert: &RawCertificate<'a>,
    oid: &[u8],
    id: u8,
) -> Option<&'a [u8]> {
    match find_extension(cert, oid) {
        Lookup::Unique(value) => Reader::new(value).expect(id).ok(),
        Lookup::Absent | Lookup::Duplicated => None,
    }
}
