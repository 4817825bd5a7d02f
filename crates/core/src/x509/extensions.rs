//! Parsers for the extensions the decoder and the CA and self-signed
//! checks read, each as strict as OpenSSL's decoder.

use super::cert::{find_extension, Lookup, RawCertificate};
use super::general_name::{parse_general_name, parse_general_names, RawGeneralName};
use super::name::{parse_rdn, RawName};
use crate::asn1::der::{
    self, bad, bit_string_bits, check_bool, check_integer, ctx, ctx_cons, single, Reader, Result,
    BIT_STRING, BOOLEAN, INTEGER, OID, SEQUENCE,
};
use crate::asn1::oid;

/// `AuthorityInfoAccessSyntax ::= SEQUENCE OF SEQUENCE { method OID, location GeneralName }`
pub(super) fn parse_info_access(body: &[u8]) -> Result<Vec<(&[u8], RawGeneralName<'_>)>> {
    let mut reader = Reader::new(body);
    let mut entries = Vec::new();
    while !reader.is_empty() {
        let mut entry = Reader::new(reader.expect(SEQUENCE)?);
        let method = entry.expect(OID)?;
        oid::check(method)?;
        let location = parse_general_name(entry.read()?)?;
        entry.finish()?;
        entries.push((method, location));
    }
    Ok(entries)
}

/// The `fullName` URIs of every distribution point, in order.
pub(super) fn parse_crl_distribution_points(body: &[u8]) -> Result<Vec<&[u8]>> {
    let mut uris = Vec::new();
    let mut reader = Reader::new(body);
    while !reader.is_empty() {
        let mut point = Reader::new(reader.expect(SEQUENCE)?);
        if let Some(name) = point.optional(ctx_cons(0))? {
            let choice = Reader::new(name).read()?;
            single(name, choice.id)?;
            if choice.is(ctx_cons(0)) {
                for general_name in parse_general_names(choice.body)? {
                    if let RawGeneralName::Uri(uri) = general_name {
                        uris.push(uri);
                    }
                }
            } else if choice.is(ctx_cons(1)) {
                // nameRelativeToCRLIssuer: an RDN, which carries no URI.
                parse_rdn(choice.body)?;
            } else {
                return bad("bad distribution point name");
            }
        }
        if let Some(reasons) = point.optional(ctx(1))? {
            bit_string_bits(reasons)?;
        }
        if let Some(issuer) = point.optional(ctx_cons(2))? {
            parse_general_names(issuer)?;
        }
        point.finish()?;
    }
    Ok(uris)
}

/// An extension as OpenSSL's cache of extensions sees it: `Some(None)` when
/// absent, `None` (invalid) when repeated or malformed.
pub(super) fn decoded<'a, T>(
    cert: &RawCertificate<'a>,
    oid: &[u8],
    parse: impl Fn(&'a [u8]) -> Result<T>,
) -> Option<Option<T>> {
    match find_extension(cert, oid) {
        Lookup::Absent => Some(None),
        Lookup::Duplicated => None,
        Lookup::Unique(value) => parse(value).ok().map(Some),
    }
}

/// `(cA, pathLenConstraint < 0)`
pub(super) fn parse_basic_constraints(value: &[u8]) -> Result<(bool, bool)> {
    let mut reader = Reader::new(der::first(value, SEQUENCE)?);
    let ca = match reader.optional(BOOLEAN)? {
        Some(body) => check_bool(body)?,
        None => false,
    };
    let negative = match reader.optional(INTEGER)? {
        Some(body) => {
            check_integer(body)?;
            body.first().is_some_and(|b| b & 0x80 != 0)
        }
        None => false,
    };
    reader.finish()?;
    Ok((ca, negative))
}

pub(super) fn parse_bits(value: &[u8]) -> Result<Vec<u8>> {
    bit_string_bits(der::first(value, BIT_STRING)?)
}

/// `NameConstraints ::= SEQUENCE { permitted [0] .., excluded [1] .. }` where
/// each is a list of `SEQUENCE { base GeneralName, min [0], max [1] }`.
pub(super) fn parse_name_constraints(value: &[u8]) -> Result<()> {
    let mut reader = Reader::new(der::first(value, SEQUENCE)?);
    for tag in [ctx_cons(0), ctx_cons(1)] {
        let mut subtrees = Reader::new(reader.optional(tag)?.unwrap_or_default());
        while !subtrees.is_empty() {
            let mut subtree = Reader::new(subtrees.expect(SEQUENCE)?);
            parse_general_name(subtree.read()?)?;
            for bound in [ctx(0), ctx(1)] {
                if let Some(body) = subtree.optional(bound)? {
                    check_integer(body)?;
                }
            }
            subtree.finish()?;
        }
    }
    reader.finish()
}

pub(super) fn parse_oid_sequence(value: &[u8]) -> Result<()> {
    let mut reader = Reader::new(der::first(value, SEQUENCE)?);
    while !reader.is_empty() {
        oid::check(reader.expect(OID)?)?;
    }
    Ok(())
}

/// The parts of an authorityKeyIdentifier a self-signature check compares.
pub(super) struct AuthorityKeyId<'a> {
    pub(super) key_id: Option<&'a [u8]>,
    pub(super) issuer: Option<RawName<'a>>,
    pub(super) serial: Option<&'a [u8]>,
}

pub(super) fn parse_authority_key_id(value: &[u8]) -> Result<AuthorityKeyId<'_>> {
    let mut reader = Reader::new(der::first(value, SEQUENCE)?);
    let key_id = reader.optional(ctx(0))?;
    let issuer = match reader.optional(ctx_cons(1))? {
        // OpenSSL compares the first directory name only.
        Some(names) => parse_general_names(names)?
            .into_iter()
            .find_map(|name| match name {
                RawGeneralName::DirName(name) => Some(name),
                _ => None,
            }),
        None => None,
    };
    let serial = reader.optional(ctx(2))?;
    if let Some(serial) = serial {
        check_integer(serial)?;
    }
    reader.finish()?;
    Ok(AuthorityKeyId {
        key_id,
        issuer,
        serial,
    })
}
