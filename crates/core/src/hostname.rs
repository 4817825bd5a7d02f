//! Certificate host-name and IP-address matching with the semantics CPython's
//! `ssl` module gets from OpenSSL 3.0 (`X509_VERIFY_PARAM_set1_host` /
//! `X509_VERIFY_PARAM_set1_ip` plus the context's host flags).
//!
//! The rules, as established against OpenSSL 3.0 through real handshakes
//! (see `tests/data/gen_hostname_expected.py`):
//!
//! * A `server_hostname` that OpenSSL's address parser accepts (dotted quad,
//!   or anything containing `:` that parses as IPv6) is an IP reference and is
//!   only ever compared, byte for byte, with `iPAddress` SAN entries.
//! * Any other name is a DNS reference.  It is compared ASCII
//!   case-insensitively with every `dNSName` SAN entry; the subject common
//!   names are consulted only when the certificate has no `dNSName` entry at
//!   all (IP or e-mail entries do not count) or `ALWAYS_CHECK_SUBJECT` is set,
//!   and never under `NEVER_CHECK_SUBJECT`.
//! * Trailing dots are not normalised: `example.com.` only matches a
//!   presented `example.com.`.
//! * A presented name is a wildcard pattern only if it is well-formed (see
//!   `wildcard_position`); otherwise it is compared literally, so a stray
//!   `*` simply has to be matched by a `*` in the reference.

use std::borrow::Cow;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use x509_parser::certificate::{X509Certificate, X509CertificateParser};
use x509_parser::der_parser::asn1_rs::Class;
use x509_parser::nom::Parser;

use crate::asn1::der::{self, SEQUENCE};
use crate::asn1::oid;
use crate::x509::{self, RawGeneralName};

/// What the caller asked to match: a DNS name (already IDNA/A-label encoded, as CPython passes server_hostname) or an IP address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reference {
    /// A host name, ASCII-lower-cased, trailing dot (if any) kept as OpenSSL does.
    Dns(String),
    /// An IP address, matched only against `iPAddress` SAN entries.
    Ip(IpAddr),
}

impl Reference {
    /// Classifies `server_hostname` the way CPython's `_ssl` does (OpenSSL's `a2i_IPADDRESS`): an address if it parses as one, a DNS name otherwise.
    pub fn parse(server_hostname: &str) -> Reference {
        // CPython hands OpenSSL a C string; an embedded NUL can never reach
        // the address parser (CPython raises ValueError first), so keep such a
        // name as a DNS reference that `check` will refuse.
        if !server_hostname.contains('\0') {
            if let Some(ip) = parse_ip_like_openssl(server_hostname.as_bytes()) {
                return Reference::Ip(ip);
            }
        }
        // OpenSSL compares ASCII case-insensitively and nothing else, so
        // lower-casing ASCII letters only cannot change any outcome.
        Reference::Dns(server_hostname.to_ascii_lowercase())
    }
}

/// Host flags as CPython passes them (ssl.HOSTFLAG_* values: ALWAYS_CHECK_SUBJECT=1, NO_WILDCARDS=2, NO_PARTIAL_WILDCARDS=4, MULTI_LABEL_WILDCARDS=8, SINGLE_LABEL_SUBDOMAINS=16, NEVER_CHECK_SUBJECT=32).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HostFlags(pub u32);

impl HostFlags {
    /// Consult the subject CN even when the certificate has DNS SAN entries.
    pub const ALWAYS_CHECK_SUBJECT: u32 = crate::constants::HOSTFLAG_ALWAYS_CHECK_SUBJECT;
    /// Treat every presented name literally.
    pub const NO_WILDCARDS: u32 = crate::constants::HOSTFLAG_NO_WILDCARDS;
    /// Allow only whole-label wildcards (`*.example.com`), not `f*.example.com`.
    pub const NO_PARTIAL_WILDCARDS: u32 = crate::constants::HOSTFLAG_NO_PARTIAL_WILDCARDS;
    /// Let a whole-label wildcard match several labels.
    pub const MULTI_LABEL_WILDCARDS: u32 = crate::constants::HOSTFLAG_MULTI_LABEL_WILDCARDS;
    /// Never fall back to the subject CN.
    pub const NEVER_CHECK_SUBJECT: u32 = crate::constants::HOSTFLAG_NEVER_CHECK_SUBJECT;

    /// True when every bit of `flag` is set.
    fn has(self, flag: u32) -> bool {
        self.0 & flag == flag
    }
}

/// Why a certificate does not match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mismatch {
    /// The DNS reference matched no name (OpenSSL verify code 62).
    Hostname,
    /// The IP reference matched no `iPAddress` entry (OpenSSL verify code 64).
    IpAddress,
    /// The certificate or its subjectAltName extension could not be decoded.
    BadCertificate,
}

/// Checks the leaf certificate (DER) against the reference.
pub fn check(leaf_der: &[u8], reference: &Reference, flags: HostFlags) -> Result<(), Mismatch> {
    // Extensions are left undecoded: only subjectAltName matters here and it
    // is decoded below with OpenSSL's tolerance, not x509-parser's.
    let mut parser = X509CertificateParser::new().with_deep_parse_extensions(false);
    let cert = match parser.parse(leaf_der) {
        Ok((_, cert)) => cert,
        Err(_) => return Err(Mismatch::BadCertificate),
    };
    let san = subject_alt_names(&cert)?;
    match reference {
        Reference::Ip(ip) => check_ip(&san, ip),
        Reference::Dns(name) => check_dns(&cert, &san, name.as_bytes(), flags),
    }
}

// ---------------------------------------------------------------------------
// Certificate side
// ---------------------------------------------------------------------------

/// The subjectAltName entries we care about, in certificate order.
#[derive(Default)]
struct AltNames<'a> {
    /// `dNSName` values (raw IA5String bytes).
    dns: Vec<&'a [u8]>,
    /// `iPAddress` values (raw octets, any length).
    ip: Vec<&'a [u8]>,
}

/// Decodes the subjectAltName extension, if any.
///
/// OpenSSL refuses, before any name check, a certificate whose SAN extension
/// is duplicated or does not decode, so both are `BadCertificate` here.
fn subject_alt_names<'a>(cert: &X509Certificate<'a>) -> Result<AltNames<'a>, Mismatch> {
    let mut found: Option<&'a [u8]> = None;
    for ext in cert.extensions() {
        if ext.oid.as_bytes() != oid::SUBJECT_ALT_NAME {
            continue;
        }
        if found.is_some() {
            return Err(Mismatch::BadCertificate);
        }
        found = Some(ext.value);
    }
    match found {
        None => Ok(AltNames::default()),
        Some(value) => alt_names(value).ok_or(Mismatch::BadCertificate),
    }
}

/// Reads a subjectAltName extension's value (`GeneralNames`) with the one
/// general-name parser, keeping the DNS and IP entries. Every entry must
/// decode as OpenSSL's decoder wants it: OpenSSL flags a certificate with an
/// undecodable subjectAltName invalid and fails its verification.
fn alt_names(value: &[u8]) -> Option<AltNames<'_>> {
    let body = der::first(value, SEQUENCE).ok()?;
    let mut names = AltNames::default();
    for name in x509::parse_general_names(body).ok()? {
        match name {
            RawGeneralName::Dns(dns) => names.dns.push(dns),
            RawGeneralName::IpAddress(ip) => names.ip.push(ip),
            _ => {}
        }
    }
    Some(names)
}

/// Converts a CN attribute value to UTF-8 the way OpenSSL's
/// `ASN1_STRING_to_UTF8` does; `None` means "cannot be converted".
fn cn_to_utf8<'a>(class: Class, tag: u32, data: &'a [u8]) -> Option<Cow<'a, [u8]>> {
    if class != Class::Universal {
        return None;
    }
    match tag {
        // UTF8String: must already be valid UTF-8.
        12 => std::str::from_utf8(data)
            .ok()
            .map(|s| Cow::Borrowed(s.as_bytes())),
        // One byte per character, taken as Latin-1: NumericString,
        // PrintableString, T61String, IA5String, UTCTime, GeneralizedTime,
        // VisibleString.  OpenSSL does not check the character sets.
        18 | 19 | 20 | 22 | 23 | 24 | 26 => {
            if data.is_ascii() {
                Some(Cow::Borrowed(data))
            } else {
                Some(Cow::Owned(
                    data.iter()
                        .map(|&b| char::from(b))
                        .collect::<String>()
                        .into_bytes(),
                ))
            }
        }
        // UniversalString (UCS-4) and BMPString (UCS-2), big-endian; every
        // code point must be a Unicode scalar value (no surrogates).
        28 => decode_wide(data, 4),
        30 => decode_wide(data, 2),
        _ => None,
    }
}

/// Decodes fixed-width big-endian code units of `width` bytes into UTF-8.
fn decode_wide(data: &[u8], width: usize) -> Option<Cow<'_, [u8]>> {
    let units = data.chunks_exact(width);
    if !units.remainder().is_empty() {
        return None;
    }
    let mut out = String::with_capacity(data.len());
    for unit in units {
        let value = unit.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b));
        out.push(char::from_u32(value)?);
    }
    Some(Cow::Owned(out.into_bytes()))
}

// ---------------------------------------------------------------------------
// Matching
// ---------------------------------------------------------------------------

/// IP references: only `iPAddress` entries, compared as raw octets.
fn check_ip(san: &AltNames<'_>, ip: &IpAddr) -> Result<(), Mismatch> {
    // Comparing octets (not text) makes `::1` and `0:0:0:0:0:0:0:1` equal,
    // while an IPv4 address never equals its IPv4-mapped IPv6 form.
    let wanted: Vec<u8> = match ip {
        IpAddr::V4(v4) => v4.octets().to_vec(),
        IpAddr::V6(v6) => v6.octets().to_vec(),
    };
    if san.ip.contains(&wanted.as_slice()) {
        Ok(())
    } else {
        Err(Mismatch::IpAddress)
    }
}

/// DNS references: `dNSName` entries, then (maybe) the subject common names.
fn check_dns(
    cert: &X509Certificate<'_>,
    san: &AltNames<'_>,
    reference: &[u8],
    flags: HostFlags,
) -> Result<(), Mismatch> {
    // CPython raises ValueError for these before OpenSSL sees them (empty
    // name, leading dot, embedded NUL); never report a match for them.
    if reference.is_empty() || reference.first() == Some(&b'.') || reference.contains(&0) {
        return Err(Mismatch::Hostname);
    }
    // Empty entries never match but still count as "has a DNS SAN".
    if san
        .dns
        .iter()
        .any(|&presented| name_matches(presented, reference, flags))
    {
        return Ok(());
    }
    let consult_cn = san.dns.is_empty() || flags.has(HostFlags::ALWAYS_CHECK_SUBJECT);
    if !consult_cn || flags.has(HostFlags::NEVER_CHECK_SUBJECT) {
        return Err(Mismatch::Hostname);
    }
    for attr in cert.subject().iter_common_name() {
        let value = attr.attr_value();
        if value.data.is_empty() {
            continue;
        }
        // OpenSSL stops at the first CN it cannot convert and reports no
        // match, even if a later CN would have matched.
        let Some(cn) = cn_to_utf8(value.class(), value.tag().0, value.data) else {
            return Err(Mismatch::Hostname);
        };
        if name_matches(&cn, reference, flags) {
            return Ok(());
        }
    }
    Err(Mismatch::Hostname)
}

/// Does the presented name (SAN entry or CN) match the reference?
fn name_matches(presented: &[u8], reference: &[u8], flags: HostFlags) -> bool {
    // OpenSSL skips empty strings before comparing anything.
    if presented.is_empty() {
        return false;
    }
    if !flags.has(HostFlags::NO_WILDCARDS) {
        if let Some(star) = wildcard_position(presented, flags) {
            let prefix = presented.get(..star).unwrap_or_default();
            let suffix = presented.get(star + 1..).unwrap_or_default();
            return wildcard_matches(prefix, suffix, reference, flags);
        }
    }
    equal_ignoring_ascii_case(presented, reference)
}

/// Literal comparison; a NUL in the presented name never matches.
fn equal_ignoring_ascii_case(presented: &[u8], reference: &[u8]) -> bool {
    !presented.contains(&0) && presented.eq_ignore_ascii_case(reference)
}

/// Position of the `*` if `pattern` is a usable wildcard pattern, else `None`
/// (and the pattern is then compared literally).
///
/// A usable pattern is a syntactically clean host name (letters, digits,
/// hyphens; no empty label; no label starting or ending with a hyphen) with
/// exactly one `*`, placed in the first label at its start or end (only as
/// the whole label under `NO_PARTIAL_WILDCARDS`, never in the middle), the
/// first label not being an `xn--` label, and at least two dots in all.
/// One OpenSSL quirk is kept: a `*` does not clear a preceding hyphen, so
/// `a-*.example.com` is not a usable pattern.
fn wildcard_position(pattern: &[u8], flags: HostFlags) -> Option<usize> {
    let mut star = None;
    let mut at_label_start = true;
    let mut hyphen_last = false;
    let mut idna_label = false;
    let mut dots = 0usize;
    for (i, &c) in pattern.iter().enumerate() {
        match c {
            b'*' => {
                let at_end = matches!(pattern.get(i + 1), None | Some(b'.'));
                if star.is_some() || idna_label || dots > 0 {
                    return None;
                }
                if flags.has(HostFlags::NO_PARTIAL_WILDCARDS) && !(at_label_start && at_end) {
                    return None;
                }
                if !at_label_start && !at_end {
                    return None;
                }
                star = Some(i);
                at_label_start = false;
            }
            b'.' => {
                if at_label_start || hyphen_last {
                    return None;
                }
                at_label_start = true;
                idna_label = false;
                dots += 1;
            }
            b'-' => {
                if at_label_start {
                    return None;
                }
                hyphen_last = true;
            }
            c if c.is_ascii_alphanumeric() => {
                if at_label_start && starts_with_xn(pattern.get(i..).unwrap_or_default()) {
                    idna_label = true;
                }
                at_label_start = false;
                hyphen_last = false;
            }
            _ => return None,
        }
    }
    if at_label_start || hyphen_last || dots < 2 {
        return None;
    }
    star
}

/// Case-insensitive test for the IDNA `xn--` prefix.
fn starts_with_xn(label: &[u8]) -> bool {
    label
        .get(..4)
        .is_some_and(|p| p.eq_ignore_ascii_case(b"xn--"))
}

/// Matches `prefix*suffix` against the reference.
fn wildcard_matches(prefix: &[u8], suffix: &[u8], reference: &[u8], flags: HostFlags) -> bool {
    let Some(middle_len) = reference.len().checked_sub(prefix.len() + suffix.len()) else {
        return false;
    };
    let (head, rest) = reference.split_at(prefix.len());
    let (middle, tail) = rest.split_at(middle_len);
    if !equal_ignoring_ascii_case(prefix, head) || !equal_ignoring_ascii_case(suffix, tail) {
        return false;
    }
    // A whole-label wildcard must cover at least one character; it may cover
    // an A-label, and several labels under MULTI_LABEL_WILDCARDS.
    let whole_label = prefix.is_empty() && suffix.first() == Some(&b'.');
    if whole_label && middle.is_empty() {
        return false;
    }
    // A partial wildcard never matches a reference starting with `xn--`.
    if !whole_label && starts_with_xn(reference) {
        return false;
    }
    // The wildcard may stand for a literal `*`.
    if middle == b"*" {
        return true;
    }
    let allow_dots = whole_label && flags.has(HostFlags::MULTI_LABEL_WILDCARDS);
    middle
        .iter()
        .all(|&c| c.is_ascii_alphanumeric() || c == b'-' || (allow_dots && c == b'.'))
}

// ---------------------------------------------------------------------------
// Reference parsing: OpenSSL's a2i_IPADDRESS, as CPython uses it
// ---------------------------------------------------------------------------

/// Parses like `a2i_IPADDRESS`: IPv6 if the text contains `:`, else IPv4.
fn parse_ip_like_openssl(text: &[u8]) -> Option<IpAddr> {
    if text.contains(&b':') {
        parse_ipv6(text).map(|o| IpAddr::V6(Ipv6Addr::from(o)))
    } else {
        parse_ipv4(text).map(|o| IpAddr::V4(Ipv4Addr::from(o)))
    }
}

/// C `isspace` in the "C" locale.
fn is_c_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// IPv4 as OpenSSL reads it with `sscanf("%d.%d.%d.%d")`: each number may
/// have leading white space, a sign and leading zeros (always decimal); the
/// text must then end or continue with white space.
fn parse_ipv4(text: &[u8]) -> Option<[u8; 4]> {
    let mut octets = [0u8; 4];
    let mut rest = text;
    for (i, octet) in octets.iter_mut().enumerate() {
        if i > 0 {
            rest = rest.strip_prefix(b".")?;
        }
        let (value, after) = scan_c_int(rest)?;
        *octet = u8::try_from(value).ok()?;
        rest = after;
    }
    match rest.first() {
        None => Some(octets),
        Some(&c) if is_c_space(c) => Some(octets),
        Some(_) => None,
    }
}

/// One `%d` conversion as glibc performs it: skip white space, optional
/// sign, at least one digit; the value saturates as a `long` and is then
/// truncated to `int`.
fn scan_c_int(text: &[u8]) -> Option<(i32, &[u8])> {
    let start = text.iter().position(|&c| !is_c_space(c))?;
    let mut rest = text.get(start..)?;
    let negative = match rest.first() {
        Some(b'-') => true,
        Some(b'+') => false,
        _ => return scan_digits(rest, false),
    };
    rest = rest.get(1..)?;
    scan_digits(rest, negative)
}

/// The digit part of `scan_c_int`.
fn scan_digits(text: &[u8], negative: bool) -> Option<(i32, &[u8])> {
    let count = text.iter().take_while(|c| c.is_ascii_digit()).count();
    if count == 0 {
        return None;
    }
    let (digits, rest) = text.split_at(count);
    let magnitude = digits.iter().fold(0i128, |acc, &d| {
        (acc * 10 + i128::from(d - b'0')).min(i128::from(i64::MAX) + 1)
    });
    let signed = if negative { -magnitude } else { magnitude };
    let long = signed.clamp(i128::from(i64::MIN), i128::from(i64::MAX));
    // Storing a `long` into an `int` keeps the low 32 bits.
    Some((long as i32, rest))
}

/// IPv6 as OpenSSL reads it: `:`-separated groups of 1–4 hex digits, at most
/// one `::`, an optional dotted-quad as the very last group.
fn parse_ipv6(text: &[u8]) -> Option<[u8; 16]> {
    let mut bytes = [0u8; 16];
    let mut total = 0usize; // bytes written so far
    let mut gap_at: Option<usize> = None; // where `::` sits, in bytes
    let mut empty_groups = 0usize;
    let mut groups = text.split(|&c| c == b':').peekable();
    while let Some(group) = groups.next() {
        if total == 16 {
            return None;
        }
        if group.is_empty() {
            // `::` shows up as one, two or three empty groups in a row.
            match gap_at {
                None => gap_at = Some(total),
                Some(at) if at != total => return None,
                Some(_) => {}
            }
            empty_groups += 1;
        } else if group.len() > 4 {
            // Only the final group may be a dotted quad.
            if total > 12 || groups.peek().is_some() {
                return None;
            }
            let v4 = parse_ipv4(group)?;
            bytes.get_mut(total..total + 4)?.copy_from_slice(&v4);
            total += 4;
        } else {
            let value = parse_hex_group(group)?;
            bytes
                .get_mut(total..total + 2)?
                .copy_from_slice(&value.to_be_bytes());
            total += 2;
        }
    }
    match gap_at {
        None => (total == 16).then_some(bytes),
        Some(at) => {
            if total == 16 || !gap_shape_ok(at, total, empty_groups) {
                return None;
            }
            // Move everything after the gap to the end; zeros fill the gap.
            let mut out = [0u8; 16];
            let head = bytes.get(..at)?;
            let tail = bytes.get(at..total)?;
            out.get_mut(..at)?.copy_from_slice(head);
            out.get_mut(16 - tail.len()..)?.copy_from_slice(tail);
            Some(out)
        }
    }
}

/// Checks that the empty groups form exactly one `::` in a legal place:
/// `::` alone (three empties), at either end (two), or inside (one).
fn gap_shape_ok(at: usize, total: usize, empty_groups: usize) -> bool {
    match empty_groups {
        3 => total == 0,
        2 => at == 0 || at == total,
        1 => at != 0 && at != total,
        _ => false,
    }
}

/// One group of 1–4 hex digits.
fn parse_hex_group(group: &[u8]) -> Option<u16> {
    group.iter().try_fold(0u16, |acc, &c| {
        let digit = char::from(c).to_digit(16)?;
        Some((acc << 4) | digit as u16)
    })
}

#[cfg(test)]
mod tests;
