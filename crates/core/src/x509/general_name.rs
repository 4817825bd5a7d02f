//! The one `GeneralNames` parser: every alternative checked the way
//! OpenSSL's decoder checks it, for subjectAltName, authorityInfoAccess, CRL
//! distribution points, name constraints, the authority key identifier and
//! host-name matching.

use super::name::{parse_name, RawName};
use crate::asn1::der::{
    bad, ctx, ctx_cons, single, Reader, Result, Tlv, BMP_STRING, OID, PRINTABLE_STRING, SEQUENCE,
    T61_STRING, UNIVERSAL_STRING, UTF8_STRING,
};
use crate::asn1::oid;

/// A GeneralName as read, already checked the way OpenSSL's decoder checks it.
pub(crate) enum RawGeneralName<'a> {
    OtherName { type_oid: &'a [u8], value: Tlv<'a> },
    Email(&'a [u8]),
    Dns(&'a [u8]),
    X400Address,
    DirName(RawName<'a>),
    EdiPartyName,
    Uri(&'a [u8]),
    IpAddress(&'a [u8]),
    RegisteredId(&'a [u8]),
}

// The GeneralName alternatives' tags.
pub(super) const GN_OTHER_NAME: u8 = ctx_cons(0);
pub(super) const GN_EMAIL: u8 = ctx(1);
pub(super) const GN_DNS: u8 = ctx(2);
pub(super) const GN_X400_ADDRESS: u8 = ctx_cons(3);
pub(super) const GN_DIRECTORY_NAME: u8 = ctx_cons(4);
pub(super) const GN_EDI_PARTY_NAME: u8 = ctx_cons(5);
pub(super) const GN_URI: u8 = ctx(6);
pub(super) const GN_IP_ADDRESS: u8 = ctx(7);
pub(super) const GN_REGISTERED_ID: u8 = ctx(8);

pub(super) fn parse_general_name(tlv: Tlv<'_>) -> Result<RawGeneralName<'_>> {
    if tlv.high {
        return bad("bad general name");
    }
    Ok(match tlv.id {
        GN_OTHER_NAME => {
            let mut reader = Reader::new(tlv.body);
            let type_oid = reader.expect(OID)?;
            oid::check(type_oid)?;
            let mut explicit = Reader::new(reader.expect(ctx_cons(0))?);
            let value = explicit.read()?;
            explicit.finish()?;
            reader.finish()?;
            RawGeneralName::OtherName { type_oid, value }
        }
        GN_EMAIL => RawGeneralName::Email(tlv.body),
        GN_DNS => RawGeneralName::Dns(tlv.body),
        GN_X400_ADDRESS => RawGeneralName::X400Address,
        GN_DIRECTORY_NAME => RawGeneralName::DirName(parse_name(single(tlv.body, SEQUENCE)?)?),
        GN_EDI_PARTY_NAME => {
            check_edi_party_name(tlv.body)?;
            RawGeneralName::EdiPartyName
        }
        GN_URI => RawGeneralName::Uri(tlv.body),
        GN_IP_ADDRESS => RawGeneralName::IpAddress(tlv.body),
        GN_REGISTERED_ID => {
            oid::check(tlv.body)?;
            RawGeneralName::RegisteredId(tlv.body)
        }
        _ => return bad("bad general name"),
    })
}

/// `[0] nameAssigner OPTIONAL, [1] partyName`, both explicit DirectoryStrings.
pub(super) fn check_edi_party_name(body: &[u8]) -> Result<()> {
    let directory_string = |data: &[u8]| {
        let tlv = Reader::new(data).read()?;
        let ok = [
            PRINTABLE_STRING,
            T61_STRING,
            BMP_STRING,
            UNIVERSAL_STRING,
            UTF8_STRING,
        ]
        .iter()
        .any(|&id| tlv.is(id));
        if ok && single(data, tlv.id).is_ok() {
            Ok(())
        } else {
            bad("bad directory string")
        }
    };
    let mut reader = Reader::new(body);
    if let Some(assigner) = reader.optional(ctx_cons(0))? {
        directory_string(assigner)?;
    }
    directory_string(reader.expect(ctx_cons(1))?)?;
    reader.finish()
}

/// `GeneralNames ::= SEQUENCE OF GeneralName`, given the SEQUENCE's contents.
pub(crate) fn parse_general_names(body: &[u8]) -> Result<Vec<RawGeneralName<'_>>> {
    let mut reader = Reader::new(body);
    let mut names = Vec::new();
    while !reader.is_empty() {
        names.push(parse_general_name(reader.read()?)?);
    }
    Ok(names)
}
