//! Distinguished names as read from DER, checked the way OpenSSL's decoder
//! checks them, their string values as Unicode, and OpenSSL's canonical form
//! for comparing two names.

use crate::asn1::der::{
    bad, bit_string_bits, Reader, Result, Tlv, BIT_STRING, BMP_STRING, IA5_STRING, NUMERIC_STRING,
    OID, PRINTABLE_STRING, SEQUENCE, SET, T61_STRING, UNIVERSAL_STRING, UTF8_STRING,
};
use crate::asn1::oid;

/// One attribute of a name as read, before conversion for display.
pub(crate) struct RawAttribute<'a> {
    pub(super) oid: &'a [u8],
    pub(super) value: Tlv<'a>,
}

/// A name as read: RDNs of attributes, each already checked the way OpenSSL's
/// decoder checks them (so a failure here means "not a valid name").
pub(crate) type RawName<'a> = Vec<Vec<RawAttribute<'a>>>;

/// Whether OpenSSL's decoder accepts `tlv` as a name attribute value at all.
/// The ones it accepts but cannot show as text make the stdlib raise later.
pub(super) fn acceptable_attribute_value(tlv: &Tlv<'_>) -> bool {
    if tlv.high {
        return false;
    }
    match tlv.id {
        // String types: their contents must also convert to Unicode.
        UTF8_STRING | BMP_STRING | UNIVERSAL_STRING | PRINTABLE_STRING | T61_STRING
        | IA5_STRING | NUMERIC_STRING => string_to_text(tlv.id, tlv.body).is_some(),
        BIT_STRING => bit_string_bits(tlv.body).is_ok(),
        // SEQUENCE and the universal tags OpenSSL files as "unknown".
        SEQUENCE | 0x07 | 0x08 | 0x09 | 0x0b | 0x0d | 0x0e | 0x0f | 0x1d => true,
        _ => false,
    }
}

/// `Name ::= SEQUENCE OF RelativeDistinguishedName`, given the contents.
pub(super) fn parse_name(body: &[u8]) -> Result<RawName<'_>> {
    let mut rdns = Vec::new();
    let mut reader = Reader::new(body);
    while !reader.is_empty() {
        rdns.push(parse_rdn(reader.expect(SET)?)?);
    }
    Ok(rdns)
}

/// `RelativeDistinguishedName ::= SET OF AttributeTypeAndValue`, given the contents.
pub(super) fn parse_rdn(body: &[u8]) -> Result<Vec<RawAttribute<'_>>> {
    let mut rdn = Vec::new();
    let mut set = Reader::new(body);
    while !set.is_empty() {
        let mut pair = Reader::new(set.expect(SEQUENCE)?);
        let oid = pair.expect(OID)?;
        oid::check(oid)?;
        let value = pair.read()?;
        pair.finish()?;
        if !acceptable_attribute_value(&value) {
            return bad("bad name attribute value");
        }
        rdn.push(RawAttribute { oid, value });
    }
    Ok(rdn)
}

/// A string type's contents as Unicode, as OpenSSL converts them to UTF-8
/// (and Python then decodes them strictly); `None` where either would fail.
pub(super) fn string_to_text(tag: u8, body: &[u8]) -> Option<String> {
    match tag {
        UTF8_STRING => std::str::from_utf8(body).ok().map(str::to_owned),
        // Single-octet types: each octet is taken as a Latin-1 code point.
        PRINTABLE_STRING | T61_STRING | IA5_STRING | NUMERIC_STRING => {
            Some(body.iter().map(|&b| char::from(b)).collect())
        }
        // UCS-2: surrogate halves are not paired up, so they fail.
        BMP_STRING => wide_chars(body, 2),
        UNIVERSAL_STRING => wide_chars(body, 4),
        _ => None,
    }
}

/// Big-endian code points `width` octets each; surrogates and values
/// beyond Unicode fail, as does a partial last code point.
pub(super) fn wide_chars(body: &[u8], width: usize) -> Option<String> {
    if !body.len().is_multiple_of(width) {
        return None;
    }
    body.chunks(width)
        .map(|unit| char::from_u32(unit.iter().fold(0, |acc, &b| (acc << 8) | u32::from(b))))
        .collect()
}

/// An attribute in comparison form: encoded type, value tag, value bytes.
pub(super) type CanonicalAttribute = (Vec<u8>, u8, Vec<u8>);

/// A name in OpenSSL's comparison form: string values folded to lower case
/// with whitespace trimmed and collapsed, each RDN's entries sorted.
pub(super) fn canonical_name(raw: &RawName<'_>) -> Vec<Vec<CanonicalAttribute>> {
    raw.iter()
        .filter(|rdn| !rdn.is_empty())
        .map(|rdn| {
            let mut entries: Vec<_> = rdn
                .iter()
                .map(|attr| {
                    // NumericString is outside the set OpenSSL folds.
                    let folded = !attr.value.high && attr.value.id != NUMERIC_STRING;
                    let (tag, bytes) = match string_to_text(attr.value.id, attr.value.body) {
                        Some(text) if folded => (UTF8_STRING, canonical_text(&text)),
                        _ => (attr.value.id, attr.value.body.to_vec()),
                    };
                    (attr.oid.to_vec(), tag, bytes)
                })
                .collect();
            entries.sort();
            entries
        })
        .collect()
}

pub(super) fn canonical_text(text: &str) -> Vec<u8> {
    let is_space = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r');
    let mut out = Vec::with_capacity(text.len());
    let mut in_space = false;
    for b in text.as_bytes().iter().skip_while(|b| is_space(b)) {
        if is_space(b) {
            in_space = true;
            continue;
        }
        if in_space {
            out.push(b' ');
            in_space = false;
        }
        out.push(b.to_ascii_lowercase());
    }
    out
}
