//! A certificate decoded into exactly the data CPython's `ssl` module puts
//! in its certificate dict (`getpeercert()`, `_test_decode_cert()`).

use super::cert::{extension_body, parse_certificate, RawCertificate};
use super::extensions::{parse_crl_distribution_points, parse_info_access};
use super::general_name::{parse_general_names, RawGeneralName};
use super::name::{string_to_text, RawName};
use super::print::{format_serial, format_time};
use crate::asn1::der::{
    bad, bit_string_bits, Error as DecodeError, Result, Tlv, BIT_STRING, IA5_STRING, SEQUENCE,
    UTF8_STRING,
};
use crate::asn1::oid;

/// One relative distinguished name: its (attribute-name, value) pairs in order.
pub type Rdn = Vec<(String, AttributeValue)>;

/// A distinguished name as the stdlib shows it: a sequence of RDNs.
pub type Name = Vec<Rdn>;

/// The value of one name attribute, as the stdlib's tuple holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AttributeValue {
    /// A character string (every string type the stdlib accepts), as `str`.
    Text(String),
    /// A non-empty BIT STRING (e.g. `x500UniqueIdentifier`), shown as `bytes`.
    Bytes(Vec<u8>),
    /// A BIT STRING without any bits, which the stdlib shows as `None`.
    NoBits,
}

/// The value of one subjectAltName entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AltNameValue {
    /// Everything except a directory name: a plain string.
    Text(String),
    /// The value of a `DirName` entry: a nested distinguished name.
    Name(Name),
}

/// The decoded certificate, field for field what the stdlib dict holds.
///
/// The `Option` fields are `None` exactly when the stdlib leaves the key out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertDict {
    /// `subject`.
    pub subject: Name,
    /// `issuer`.
    pub issuer: Name,
    /// `version`: the encoded version field plus one (normally 1 to 3).
    pub version: i64,
    /// `serialNumber`: upper-case hex, as OpenSSL prints it.
    pub serial_number: String,
    /// `notBefore`, e.g. `Jan  5 09:34:43 2018 GMT`.
    pub not_before: String,
    /// `notAfter`, in the same format.
    pub not_after: String,
    /// `subjectAltName`: (kind, value) pairs; may be present but empty.
    pub subject_alt_name: Option<Vec<(String, AltNameValue)>>,
    /// `OCSP`: the OCSP responder URIs from authorityInfoAccess (never empty).
    pub ocsp: Option<Vec<String>>,
    /// `caIssuers`: the CA issuer URIs from authorityInfoAccess (never empty).
    pub ca_issuers: Option<Vec<String>>,
    /// `crlDistributionPoints`: the full-name URIs (never empty).
    pub crl_distribution_points: Option<Vec<String>>,
}

pub(super) fn attribute_value(value: &Tlv<'_>) -> Result<AttributeValue> {
    if value.is(BIT_STRING) {
        let bits = bit_string_bits(value.body)?;
        return Ok(if bits.is_empty() {
            AttributeValue::NoBits
        } else {
            AttributeValue::Bytes(bits)
        });
    }
    match string_to_text(value.id, value.body) {
        Some(text) if !value.high => Ok(AttributeValue::Text(text)),
        _ => bad("name attribute value is not a string"),
    }
}

/// The stdlib's view of a name. Empty RDNs leave no trace in it.
pub(super) fn convert_name(raw: &RawName<'_>) -> Result<Name> {
    raw.iter()
        .filter(|rdn| !rdn.is_empty())
        .map(|rdn| {
            rdn.iter()
                .map(|attr| Ok((oid::text(attr.oid)?, attribute_value(&attr.value)?)))
                .collect()
        })
        .collect()
}

/// Bytes the stdlib turns into `str` with a strict UTF-8 decode.
pub(super) fn utf8(bytes: &[u8]) -> Result<String> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_owned()),
        Err(_) => bad("invalid UTF-8 in certificate text"),
    }
}

/// The other-name types OpenSSL 3.0 prints, with the string type each needs.
pub(super) const KNOWN_OTHER_NAMES: &[(&[u8], &str, u8)] = &[
    // 1.3.6.1.5.5.7.8.9
    (
        &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x08, 0x09],
        "SmtpUTF8Mailbox",
        UTF8_STRING,
    ),
    // 1.3.6.1.5.5.7.8.5
    (
        &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x08, 0x05],
        "XmppAddr",
        UTF8_STRING,
    ),
    // 1.3.6.1.5.5.7.8.7
    (
        &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x08, 0x07],
        "SRVName",
        IA5_STRING,
    ),
    // 1.3.6.1.4.1.311.20.2.3
    (
        &[0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x14, 0x02, 0x03],
        "UPN",
        UTF8_STRING,
    ),
    // 1.3.6.1.5.5.7.8.8
    (
        &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x08, 0x08],
        "NAIRealm",
        UTF8_STRING,
    ),
];

/// The text OpenSSL prints for an other-name (after "othername:").
pub(super) fn other_name_text(type_oid: &[u8], value: &Tlv<'_>) -> Vec<u8> {
    let known = KNOWN_OTHER_NAMES
        .iter()
        .find(|(oid, _, tag)| *oid == type_oid && value.is(*tag));
    match known {
        Some((_, label, _)) => {
            // Printed with "%.*s", which stops at a NUL.
            let end = value
                .body
                .iter()
                .position(|&b| b == 0)
                .unwrap_or(value.body.len());
            let mut text = format!("{label}:").into_bytes();
            text.extend_from_slice(value.body.get(..end).unwrap_or_default());
            text
        }
        None => b"<unsupported>".to_vec(),
    }
}

/// An entry the stdlib takes from OpenSSL's printed form: it reads one line
/// (newline included, at most 2046 bytes) and splits it at the first colon.
pub(super) fn printed_entry(kind: &str, value: &[u8]) -> Result<(String, AltNameValue)> {
    const MAX_LINE: usize = 2046;
    let mut line = format!("{kind}:").into_bytes();
    line.extend_from_slice(value);
    if let Some(newline) = line.iter().position(|&b| b == b'\n') {
        line.truncate(newline + 1);
    }
    line.truncate(MAX_LINE);
    let value = line.get(kind.len() + 1..).unwrap_or_default();
    Ok((kind.to_owned(), AltNameValue::Text(utf8(value)?)))
}

pub(super) fn format_ip(bytes: &[u8]) -> String {
    match bytes {
        [a, b, c, d] => format!("{a}.{b}.{c}.{d}"),
        _ if bytes.len() == 16 => bytes
            .chunks(2)
            .map(|pair| {
                format!(
                    "{:X}",
                    pair.iter().fold(0u16, |acc, &b| (acc << 8) | u16::from(b))
                )
            })
            .collect::<Vec<_>>()
            .join(":"),
        _ => "<invalid>".to_owned(),
    }
}

/// One subjectAltName entry as the stdlib shows it.
pub(super) fn convert_general_name(name: &RawGeneralName<'_>) -> Result<(String, AltNameValue)> {
    let text = |kind: &str, value: String| Ok((kind.to_owned(), AltNameValue::Text(value)));
    match name {
        RawGeneralName::Dns(bytes) => text("DNS", utf8(bytes)?),
        RawGeneralName::Email(bytes) => text("email", utf8(bytes)?),
        RawGeneralName::Uri(bytes) => text("URI", utf8(bytes)?),
        RawGeneralName::IpAddress(bytes) => text("IP Address", format_ip(bytes)),
        RawGeneralName::DirName(raw) => {
            Ok(("DirName".to_owned(), AltNameValue::Name(convert_name(raw)?)))
        }
        RawGeneralName::RegisteredId(oid) => text("Registered ID", oid::text(oid)?),
        RawGeneralName::OtherName { type_oid, value } => {
            printed_entry("othername", &other_name_text(type_oid, value))
        }
        RawGeneralName::X400Address => printed_entry("X400Name", b"<unsupported>"),
        RawGeneralName::EdiPartyName => printed_entry("EdiPartyName", b"<unsupported>"),
    }
}

pub(super) fn subject_alt_names(
    cert: &RawCertificate<'_>,
) -> Result<Option<Vec<(String, AltNameValue)>>> {
    let names = extension_body(cert, oid::SUBJECT_ALT_NAME, SEQUENCE)
        .and_then(|body| parse_general_names(body).ok());
    names
        .map(|names| names.iter().map(convert_general_name).collect())
        .transpose()
}

/// The `OCSP` and `caIssuers` URIs (each `None` when there are none).
pub(super) type InfoAccessUris = (Option<Vec<String>>, Option<Vec<String>>);

pub(super) fn info_access_uris(cert: &RawCertificate<'_>) -> Result<InfoAccessUris> {
    let Some(entries) = extension_body(cert, oid::AUTHORITY_INFO_ACCESS, SEQUENCE)
        .and_then(|body| parse_info_access(body).ok())
    else {
        return Ok((None, None));
    };
    let uris = |wanted: &[u8]| -> Result<Option<Vec<String>>> {
        let found = entries
            .iter()
            .filter_map(|(method, location)| match location {
                RawGeneralName::Uri(uri) if *method == wanted => Some(utf8(uri)),
                _ => None,
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((!found.is_empty()).then_some(found))
    };
    Ok((uris(oid::AD_OCSP)?, uris(oid::AD_CA_ISSUERS)?))
}

pub(super) fn crl_distribution_points(cert: &RawCertificate<'_>) -> Result<Option<Vec<String>>> {
    let uris = extension_body(cert, oid::CRL_DISTRIBUTION_POINTS, SEQUENCE)
        .and_then(|body| parse_crl_distribution_points(body).ok())
        .unwrap_or_default();
    let uris = uris.into_iter().map(utf8).collect::<Result<Vec<_>>>()?;
    Ok((!uris.is_empty()).then_some(uris))
}

/// Decodes a DER certificate into the stdlib's certificate dict.
///
/// Fails where the stdlib raises: input OpenSSL cannot parse as a
/// certificate, name attributes it cannot show as text, text fields that are
/// not valid UTF-8, and object identifiers too long for OpenSSL to print.
pub fn decode_certificate(der: &[u8]) -> std::result::Result<CertDict, DecodeError> {
    let cert = parse_certificate(der)?;
    let (ocsp, ca_issuers) = info_access_uris(&cert)?;
    Ok(CertDict {
        subject: convert_name(&cert.subject)?,
        issuer: convert_name(&cert.issuer)?,
        version: cert.version.wrapping_add(1),
        serial_number: format_serial(cert.serial),
        not_before: format_time(&cert.not_before),
        not_after: format_time(&cert.not_after),
        subject_alt_name: subject_alt_names(&cert)?,
        ocsp,
        ca_issuers,
        crl_distribution_points: crl_distribution_points(&cert)?,
    })
}
