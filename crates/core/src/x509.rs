//! Certificate decoding for `getpeercert()` and `_test_decode_cert()`.
//!
//! Turns a DER certificate into exactly the data CPython's `ssl` module puts in
//! its certificate dict when built against OpenSSL 3.0: the same attribute
//! names, string conversions, serial and date formats, the same
//! subjectAltName spellings, and the same choice of when a key is omitted or
//! the whole certificate is refused.
//!
//! The DER reader here is deliberately our own rather than a general X.509
//! parser: the stdlib's answers depend on how leniently OpenSSL reads each
//! field (malformed dates still decode and print as "Bad time value", a
//! malformed extension silently drops its key, and so on), and reproducing that
//! needs control over every level. Nothing here panics on hostile input.

use std::fmt;

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

/// Why a certificate could not be decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError(&'static str);

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for DecodeError {}

type Result<T> = std::result::Result<T, DecodeError>;

fn bad<T>(reason: &'static str) -> Result<T> {
    Err(DecodeError(reason))
}

// ---------------------------------------------------------------- DER reader

/// One element: its first identifier octet and its contents.
#[derive(Clone, Copy, Debug)]
struct Tlv<'a> {
    id: u8,
    /// A high-tag-number identifier: never one of the tags we look for.
    high: bool,
    body: &'a [u8],
}

impl Tlv<'_> {
    fn is(&self, id: u8) -> bool {
        !self.high && self.id == id
    }
}

const BOOLEAN: u8 = 0x01;
const INTEGER: u8 = 0x02;
const BIT_STRING: u8 = 0x03;
const OCTET_STRING: u8 = 0x04;
const OID: u8 = 0x06;
const UTF8_STRING: u8 = 0x0c;
const NUMERIC_STRING: u8 = 0x12;
const PRINTABLE_STRING: u8 = 0x13;
const T61_STRING: u8 = 0x14;
const IA5_STRING: u8 = 0x16;
const UTC_TIME: u8 = 0x17;
const GENERALIZED_TIME: u8 = 0x18;
const UNIVERSAL_STRING: u8 = 0x1c;
const BMP_STRING: u8 = 0x1e;
const SEQUENCE: u8 = 0x30;
const SET: u8 = 0x31;

/// Context-specific tag `n`, primitive.
const fn ctx(n: u8) -> u8 {
    0x80 | n
}

/// Context-specific tag `n`, constructed.
const fn ctx_cons(n: u8) -> u8 {
    0xa0 | n
}

/// A cursor over consecutive DER elements.
struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn new(data: &'a [u8]) -> Self {
        Reader { rest: data }
    }

    fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    fn read(&mut self) -> Result<Tlv<'a>> {
        let (&id, after_id) = self.rest.split_first().ok_or(DecodeError("truncated"))?;
        let mut rest = after_id;
        let high = id & 0x1f == 0x1f;
        if high {
            // Skip the tag number's base-128 octets.
            let len = rest
                .iter()
                .position(|b| b & 0x80 == 0)
                .ok_or(DecodeError("bad tag"))?;
            rest = rest.get(len + 1..).ok_or(DecodeError("bad tag"))?;
        }
        let (len, rest) = read_length(rest)?;
        if rest.len() < len {
            return bad("truncated element");
        }
        let (body, rest) = rest.split_at(len);
        self.rest = rest;
        Ok(Tlv { id, high, body })
    }

    /// Reads the next element, which must carry tag `id`.
    fn expect(&mut self, id: u8) -> Result<&'a [u8]> {
        let tlv = self.read()?;
        if tlv.is(id) {
            Ok(tlv.body)
        } else {
            bad("unexpected tag")
        }
    }

    /// Reads the next element if it carries tag `id`.
    fn optional(&mut self, id: u8) -> Result<Option<&'a [u8]>> {
        match Reader::new(self.rest).read() {
            Ok(tlv) if tlv.is(id) => self.read().map(|t| Some(t.body)),
            _ => Ok(None),
        }
    }

    fn finish(&self) -> Result<()> {
        if self.is_empty() {
            Ok(())
        } else {
            bad("unexpected trailing data")
        }
    }
}

/// Definite lengths only; long forms need not be minimal (OpenSSL accepts them).
fn read_length(data: &[u8]) -> Result<(usize, &[u8])> {
    let (&first, rest) = data.split_first().ok_or(DecodeError("truncated length"))?;
    if first < 0x80 {
        return Ok((usize::from(first), rest));
    }
    let count = usize::from(first & 0x7f);
    if count == 0 || count > 4 {
        return bad("unsupported length");
    }
    let digits = rest.get(..count).ok_or(DecodeError("truncated length"))?;
    let len = digits
        .iter()
        .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
    Ok((len, rest.get(count..).unwrap_or_default()))
}

/// The whole of `data` must be exactly one element with tag `id`.
fn single(data: &[u8], id: u8) -> Result<&[u8]> {
    let mut reader = Reader::new(data);
    let body = reader.expect(id)?;
    reader.finish()?;
    Ok(body)
}

/// An INTEGER's contents as OpenSSL accepts them: non-empty, minimally padded.
fn check_integer(body: &[u8]) -> Result<()> {
    match body {
        [] => bad("empty integer"),
        [0x00, next, ..] if next & 0x80 == 0 => bad("badly padded integer"),
        [0xff, next, ..] if next & 0x80 != 0 => bad("badly padded integer"),
        _ => Ok(()),
    }
}

/// A BIT STRING's bits with the unused trailing bits cleared, as OpenSSL keeps them.
fn bit_string_bits(body: &[u8]) -> Result<Vec<u8>> {
    let (&unused, bits) = body.split_first().ok_or(DecodeError("empty bit string"))?;
    if unused > 7 {
        return bad("bad bit string");
    }
    let mut bits = bits.to_vec();
    if let Some(last) = bits.last_mut() {
        *last &= 0xff << unused;
    }
    Ok(bits)
}

fn check_bool(body: &[u8]) -> Result<bool> {
    match body {
        [b] => Ok(*b != 0),
        _ => bad("bad boolean"),
    }
}

// ---------------------------------------------------------------------- OIDs

/// OpenSSL refuses to print identifiers with longer encodings (CVE-2023-2650).
const MAX_PRINTABLE_OID_LEN: usize = 586;

// Encoded contents of the object identifiers we look for.
const OID_SUBJECT_ALT_NAME: &[u8] = &[0x55, 0x1d, 0x11]; // 2.5.29.17
const OID_BASIC_CONSTRAINTS: &[u8] = &[0x55, 0x1d, 0x13]; // 2.5.29.19
const OID_KEY_USAGE: &[u8] = &[0x55, 0x1d, 0x0f]; // 2.5.29.15
const OID_EXT_KEY_USAGE: &[u8] = &[0x55, 0x1d, 0x25]; // 2.5.29.37
const OID_SUBJECT_KEY_ID: &[u8] = &[0x55, 0x1d, 0x0e]; // 2.5.29.14
const OID_AUTHORITY_KEY_ID: &[u8] = &[0x55, 0x1d, 0x23]; // 2.5.29.35
const OID_CRL_DISTRIBUTION_POINTS: &[u8] = &[0x55, 0x1d, 0x1f]; // 2.5.29.31
const OID_NAME_CONSTRAINTS: &[u8] = &[0x55, 0x1d, 0x1e]; // 2.5.29.30
const OID_AUTHORITY_INFO_ACCESS: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x01];
const OID_AD_OCSP: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01];
const OID_AD_CA_ISSUERS: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x02];
const OID_NETSCAPE_CERT_TYPE: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x86, 0xf8, 0x42, 0x01, 0x01];

/// Checks an OBJECT IDENTIFIER's contents the way OpenSSL's decoder does.
fn check_oid(body: &[u8]) -> Result<()> {
    let last_ok = body.last().is_some_and(|b| b & 0x80 == 0);
    // A sub-identifier may not start with a 0x80 padding octet.
    let padded = body
        .iter()
        .enumerate()
        .any(|(i, &b)| b == 0x80 && (i == 0 || body.get(i - 1).is_some_and(|p| p & 0x80 == 0)));
    if last_ok && !padded {
        Ok(())
    } else {
        bad("bad object identifier")
    }
}

/// An unbounded unsigned integer in base 10^9 limbs, least significant first.
struct BigDecimal(Vec<u32>);

impl BigDecimal {
    const BASE: u64 = 1_000_000_000;

    fn mul_add(&mut self, mul: u64, add: u64) {
        let mut carry = add;
        for limb in &mut self.0 {
            let v = u64::from(*limb) * mul + carry;
            *limb = (v % Self::BASE) as u32;
            carry = v / Self::BASE;
        }
        while carry > 0 {
            self.0.push((carry % Self::BASE) as u32);
            carry /= Self::BASE;
        }
    }

    /// Subtracts `sub`, which the caller guarantees is not larger than `self`.
    fn sub_small(&mut self, sub: u64) {
        let mut borrow = sub;
        for limb in &mut self.0 {
            if borrow == 0 {
                break;
            }
            let v = u64::from(*limb);
            let take = borrow % Self::BASE;
            borrow /= Self::BASE;
            if v >= take {
                *limb = (v - take) as u32;
            } else {
                *limb = (v + Self::BASE - take) as u32;
                borrow += 1;
            }
        }
    }

    fn lt_small(&self, n: u64) -> bool {
        match self.0.as_slice() {
            [] => true,
            [low] => u64::from(*low) < n,
            _ => false,
        }
    }
}

impl fmt::Display for BigDecimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut limbs = self.0.iter().rev().skip_while(|&&l| l == 0);
        match limbs.next() {
            None => f.write_str("0"),
            Some(top) => {
                write!(f, "{top}")?;
                limbs.try_for_each(|limb| write!(f, "{limb:09}"))
            }
        }
    }
}

/// The dotted form of an OBJECT IDENTIFIER that passed `check_oid`.
fn oid_dotted(body: &[u8]) -> String {
    let mut arcs = Vec::new();
    let mut current = BigDecimal(Vec::new());
    for &b in body {
        current.mul_add(128, u64::from(b & 0x7f));
        if b & 0x80 == 0 {
            arcs.push(std::mem::replace(&mut current, BigDecimal(Vec::new())));
        }
    }
    let mut out = String::new();
    for (i, mut arc) in arcs.into_iter().enumerate() {
        if i == 0 {
            // The first sub-identifier packs the first two arcs.
            let root = if arc.lt_small(40) {
                0
            } else if arc.lt_small(80) {
                1
            } else {
                2
            };
            arc.sub_small(40 * root);
            out.push_str(&format!("{root}.{arc}"));
        } else {
            out.push_str(&format!(".{arc}"));
        }
    }
    out
}

/// An OID as OpenSSL names it: its long name when it has one, else dotted.
fn oid_text(body: &[u8]) -> Result<String> {
    if body.len() > MAX_PRINTABLE_OID_LEN {
        return bad("object identifier too long to print");
    }
    let dotted = oid_dotted(body);
    let known = LONG_NAMES
        .binary_search_by(|(oid, _)| oid.cmp(&dotted.as_str()))
        .ok()
        .and_then(|i| LONG_NAMES.get(i));
    Ok(known.map_or(dotted, |(_, name)| (*name).to_owned()))
}

/// OpenSSL's long names for the identifiers that occur as name attributes
/// (sorted by dotted string for binary search). Other identifiers print dotted.
static LONG_NAMES: &[(&str, &str)] = &[
    ("0.9.2342.19200300.100.1.1", "userId"),
    ("0.9.2342.19200300.100.1.10", "manager"),
    ("0.9.2342.19200300.100.1.11", "documentIdentifier"),
    ("0.9.2342.19200300.100.1.12", "documentTitle"),
    ("0.9.2342.19200300.100.1.13", "documentVersion"),
    ("0.9.2342.19200300.100.1.14", "documentAuthor"),
    ("0.9.2342.19200300.100.1.15", "documentLocation"),
    ("0.9.2342.19200300.100.1.2", "textEncodedORAddress"),
    ("0.9.2342.19200300.100.1.20", "homeTelephoneNumber"),
    ("0.9.2342.19200300.100.1.21", "secretary"),
    ("0.9.2342.19200300.100.1.22", "otherMailbox"),
    ("0.9.2342.19200300.100.1.23", "lastModifiedTime"),
    ("0.9.2342.19200300.100.1.24", "lastModifiedBy"),
    ("0.9.2342.19200300.100.1.25", "domainComponent"),
    ("0.9.2342.19200300.100.1.26", "aRecord"),
    ("0.9.2342.19200300.100.1.27", "pilotAttributeType27"),
    ("0.9.2342.19200300.100.1.28", "mXRecord"),
    ("0.9.2342.19200300.100.1.29", "nSRecord"),
    ("0.9.2342.19200300.100.1.3", "rfc822Mailbox"),
    ("0.9.2342.19200300.100.1.30", "sOARecord"),
    ("0.9.2342.19200300.100.1.31", "cNAMERecord"),
    ("0.9.2342.19200300.100.1.37", "associatedDomain"),
    ("0.9.2342.19200300.100.1.38", "associatedName"),
    ("0.9.2342.19200300.100.1.39", "homePostalAddress"),
    ("0.9.2342.19200300.100.1.4", "info"),
    ("0.9.2342.19200300.100.1.40", "personalTitle"),
    ("0.9.2342.19200300.100.1.41", "mobileTelephoneNumber"),
    ("0.9.2342.19200300.100.1.42", "pagerTelephoneNumber"),
    ("0.9.2342.19200300.100.1.43", "friendlyCountryName"),
    ("0.9.2342.19200300.100.1.44", "uniqueIdentifier"),
    ("0.9.2342.19200300.100.1.45", "organizationalStatus"),
    ("0.9.2342.19200300.100.1.46", "janetMailbox"),
    ("0.9.2342.19200300.100.1.47", "mailPreferenceOption"),
    ("0.9.2342.19200300.100.1.48", "buildingName"),
    ("0.9.2342.19200300.100.1.49", "dSAQuality"),
    ("0.9.2342.19200300.100.1.5", "favouriteDrink"),
    ("0.9.2342.19200300.100.1.50", "singleLevelQuality"),
    ("0.9.2342.19200300.100.1.51", "subtreeMinimumQuality"),
    ("0.9.2342.19200300.100.1.52", "subtreeMaximumQuality"),
    ("0.9.2342.19200300.100.1.53", "personalSignature"),
    ("0.9.2342.19200300.100.1.54", "dITRedirect"),
    ("0.9.2342.19200300.100.1.55", "audio"),
    ("0.9.2342.19200300.100.1.56", "documentPublisher"),
    ("0.9.2342.19200300.100.1.6", "roomNumber"),
    ("0.9.2342.19200300.100.1.7", "photo"),
    ("0.9.2342.19200300.100.1.8", "userClass"),
    ("0.9.2342.19200300.100.1.9", "host"),
    ("1.2.643.100.1", "OGRN"),
    ("1.2.643.100.3", "SNILS"),
    ("1.2.643.100.5", "OGRNIP"),
    ("1.2.643.3.131.1.1", "INN"),
    ("1.2.840.113549.1.9.1", "emailAddress"),
    ("1.2.840.113549.1.9.14", "Extension Request"),
    ("1.2.840.113549.1.9.15", "S/MIME Capabilities"),
    ("1.2.840.113549.1.9.2", "unstructuredName"),
    ("1.2.840.113549.1.9.20", "friendlyName"),
    ("1.2.840.113549.1.9.21", "localKeyID"),
    ("1.2.840.113549.1.9.3", "contentType"),
    ("1.2.840.113549.1.9.4", "messageDigest"),
    ("1.2.840.113549.1.9.5", "signingTime"),
    ("1.2.840.113549.1.9.6", "countersignature"),
    ("1.2.840.113549.1.9.7", "challengePassword"),
    ("1.2.840.113549.1.9.8", "unstructuredAddress"),
    ("1.2.840.113549.1.9.9", "extendedCertificateAttributes"),
    ("1.3.6.1.4.1.311.60.2.1.1", "jurisdictionLocalityName"),
    (
        "1.3.6.1.4.1.311.60.2.1.2",
        "jurisdictionStateOrProvinceName",
    ),
    ("1.3.6.1.4.1.311.60.2.1.3", "jurisdictionCountryName"),
    ("1.3.6.1.5.5.7.9.1", "id-pda-dateOfBirth"),
    ("1.3.6.1.5.5.7.9.2", "id-pda-placeOfBirth"),
    ("1.3.6.1.5.5.7.9.3", "id-pda-gender"),
    ("1.3.6.1.5.5.7.9.4", "id-pda-countryOfCitizenship"),
    ("1.3.6.1.5.5.7.9.5", "id-pda-countryOfResidence"),
    ("2.5.4.10", "organizationName"),
    ("2.5.4.100", "dnsName"),
    ("2.5.4.11", "organizationalUnitName"),
    ("2.5.4.12", "title"),
    ("2.5.4.13", "description"),
    ("2.5.4.14", "searchGuide"),
    ("2.5.4.15", "businessCategory"),
    ("2.5.4.16", "postalAddress"),
    ("2.5.4.17", "postalCode"),
    ("2.5.4.18", "postOfficeBox"),
    ("2.5.4.19", "physicalDeliveryOfficeName"),
    ("2.5.4.20", "telephoneNumber"),
    ("2.5.4.21", "telexNumber"),
    ("2.5.4.22", "teletexTerminalIdentifier"),
    ("2.5.4.23", "facsimileTelephoneNumber"),
    ("2.5.4.24", "x121Address"),
    ("2.5.4.25", "internationaliSDNNumber"),
    ("2.5.4.26", "registeredAddress"),
    ("2.5.4.27", "destinationIndicator"),
    ("2.5.4.28", "preferredDeliveryMethod"),
    ("2.5.4.29", "presentationAddress"),
    ("2.5.4.3", "commonName"),
    ("2.5.4.30", "supportedApplicationContext"),
    ("2.5.4.31", "member"),
    ("2.5.4.32", "owner"),
    ("2.5.4.33", "roleOccupant"),
    ("2.5.4.34", "seeAlso"),
    ("2.5.4.35", "userPassword"),
    ("2.5.4.36", "userCertificate"),
    ("2.5.4.37", "cACertificate"),
    ("2.5.4.38", "authorityRevocationList"),
    ("2.5.4.39", "certificateRevocationList"),
    ("2.5.4.4", "surname"),
    ("2.5.4.40", "crossCertificatePair"),
    ("2.5.4.41", "name"),
    ("2.5.4.42", "givenName"),
    ("2.5.4.43", "initials"),
    ("2.5.4.44", "generationQualifier"),
    ("2.5.4.45", "x500UniqueIdentifier"),
    ("2.5.4.46", "dnQualifier"),
    ("2.5.4.47", "enhancedSearchGuide"),
    ("2.5.4.48", "protocolInformation"),
    ("2.5.4.49", "distinguishedName"),
    ("2.5.4.5", "serialNumber"),
    ("2.5.4.50", "uniqueMember"),
    ("2.5.4.51", "houseIdentifier"),
    ("2.5.4.52", "supportedAlgorithms"),
    ("2.5.4.53", "deltaRevocationList"),
    ("2.5.4.54", "dmdName"),
    ("2.5.4.6", "countryName"),
    ("2.5.4.65", "pseudonym"),
    ("2.5.4.7", "localityName"),
    ("2.5.4.72", "role"),
    ("2.5.4.8", "stateOrProvinceName"),
    ("2.5.4.9", "streetAddress"),
    ("2.5.4.97", "organizationIdentifier"),
    ("2.5.4.98", "countryCode3c"),
    ("2.5.4.99", "countryCode3n"),
];

// --------------------------------------------------------------------- names

/// One attribute of a name as read, before conversion for display.
struct RawAttribute<'a> {
    oid: &'a [u8],
    value: Tlv<'a>,
}

/// A name as read: RDNs of attributes, each already checked the way OpenSSL's
/// decoder checks them (so a failure here means "not a valid name").
type RawName<'a> = Vec<Vec<RawAttribute<'a>>>;

/// Whether OpenSSL's decoder accepts `tlv` as a name attribute value at all.
/// The ones it accepts but cannot show as text make the stdlib raise later.
fn acceptable_attribute_value(tlv: &Tlv<'_>) -> bool {
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
fn parse_name(body: &[u8]) -> Result<RawName<'_>> {
    let mut rdns = Vec::new();
    let mut reader = Reader::new(body);
    while !reader.is_empty() {
        rdns.push(parse_rdn(reader.expect(SET)?)?);
    }
    Ok(rdns)
}

/// `RelativeDistinguishedName ::= SET OF AttributeTypeAndValue`, given the contents.
fn parse_rdn(body: &[u8]) -> Result<Vec<RawAttribute<'_>>> {
    let mut rdn = Vec::new();
    let mut set = Reader::new(body);
    while !set.is_empty() {
        let mut pair = Reader::new(set.expect(SEQUENCE)?);
        let oid = pair.expect(OID)?;
        check_oid(oid)?;
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
fn string_to_text(tag: u8, body: &[u8]) -> Option<String> {
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
fn wide_chars(body: &[u8], width: usize) -> Option<String> {
    if !body.len().is_multiple_of(width) {
        return None;
    }
    body.chunks(width)
        .map(|unit| char::from_u32(unit.iter().fold(0, |acc, &b| (acc << 8) | u32::from(b))))
        .collect()
}

fn attribute_value(value: &Tlv<'_>) -> Result<AttributeValue> {
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
fn convert_name(raw: &RawName<'_>) -> Result<Name> {
    raw.iter()
        .filter(|rdn| !rdn.is_empty())
        .map(|rdn| {
            rdn.iter()
                .map(|attr| Ok((oid_text(attr.oid)?, attribute_value(&attr.value)?)))
                .collect()
        })
        .collect()
}

/// An attribute in comparison form: encoded type, value tag, value bytes.
type CanonicalAttribute = (Vec<u8>, u8, Vec<u8>);

/// A name in OpenSSL's comparison form: string values folded to lower case
/// with whitespace trimmed and collapsed, each RDN's entries sorted.
fn canonical_name(raw: &RawName<'_>) -> Vec<Vec<CanonicalAttribute>> {
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

fn canonical_text(text: &str) -> Vec<u8> {
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

// ------------------------------------------------------------ serial, dates

/// The serial number as OpenSSL prints it: sign, then two hex digits per
/// octet of the magnitude. OpenSSL breaks the line after 35 octets and the
/// stdlib keeps only the first line, backslash and newline included.
fn format_serial(body: &[u8]) -> String {
    const OCTETS_PER_LINE: usize = 35;
    let negative = body.first().is_some_and(|b| b & 0x80 != 0);
    let magnitude = if negative {
        negate(body)
    } else {
        body.to_vec()
    };
    let first_digit = magnitude.iter().position(|&b| b != 0);
    let digits = first_digit.and_then(|i| magnitude.get(i..)).unwrap_or(&[0]);
    let mut out = String::from(if negative { "-" } else { "" });
    for byte in digits.iter().take(OCTETS_PER_LINE) {
        out.push_str(&format!("{byte:02X}"));
    }
    if digits.len() > OCTETS_PER_LINE {
        out.push_str("\\\n");
    }
    out
}

/// The magnitude of a negative two's-complement number.
fn negate(body: &[u8]) -> Vec<u8> {
    let mut out: Vec<u8> = body.iter().map(|b| !b).collect();
    for byte in out.iter_mut().rev() {
        let (sum, overflow) = byte.overflowing_add(1);
        *byte = sum;
        if !overflow {
            break;
        }
    }
    out
}

/// The value OpenSSL's `ASN1_INTEGER_get` gives: -1 when it does not fit.
fn integer_value(body: &[u8]) -> i64 {
    if body.len() > 8 {
        return -1;
    }
    let negative = body.first().is_some_and(|b| b & 0x80 != 0);
    let start = if negative { -1i64 } else { 0 };
    body.iter().fold(start, |acc, &b| (acc << 8) | i64::from(b))
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A broken-down UTC time.
#[derive(Debug, PartialEq)]
struct DateTime {
    year: i64,
    month: u32, // 1..=12
    day: u32,
    seconds_of_day: i64,
}

/// A certificate date as OpenSSL prints it, or "Bad time value".
fn format_time(tlv: &Tlv<'_>) -> String {
    let generalized = tlv.is(GENERALIZED_TIME);
    match parse_time(tlv.body, generalized) {
        Some((t, fraction)) => format!(
            "{} {:2} {:02}:{:02}:{:02}{} {} GMT",
            MONTHS
                .get((t.month as usize).wrapping_sub(1))
                .unwrap_or(&"???"),
            t.day,
            t.seconds_of_day / 3600,
            t.seconds_of_day / 60 % 60,
            t.seconds_of_day % 60,
            fraction,
            t.year
        ),
        None => "Bad time value".to_owned(),
    }
}

/// Reads a UTCTime (`YYMMDDhhmm[ss]`) or GeneralizedTime (`YYYYMMDDhhmm[ss][.f+]`)
/// ending in `Z` or a `+hhmm`/`-hhmm` offset, with OpenSSL's lenient rules.
/// Returns the time in UTC and the fraction text (with its dot) to print.
fn parse_time(s: &[u8], generalized: bool) -> Option<(DateTime, &str)> {
    if s.len() < if generalized { 13 } else { 11 } {
        return None;
    }
    let mut pos = 0;
    // Two digits that must be followed by more input.
    let two_digits = |pos: &mut usize, min: u32, max: u32| -> Option<u32> {
        let hi = s.get(*pos).filter(|c| c.is_ascii_digit())?;
        let lo = s.get(*pos + 1).filter(|c| c.is_ascii_digit())?;
        *pos += 2;
        let n = u32::from(hi - b'0') * 10 + u32::from(lo - b'0');
        (n >= min && n <= max && *pos < s.len()).then_some(n)
    };
    let year = if generalized {
        let century = two_digits(&mut pos, 0, 99)?;
        i64::from(century * 100 + two_digits(&mut pos, 0, 99)?)
    } else {
        let yy = two_digits(&mut pos, 0, 99)?;
        i64::from(if yy < 50 { 2000 + yy } else { 1900 + yy })
    };
    let month = two_digits(&mut pos, 1, 12)?;
    let day = two_digits(&mut pos, 1, 31)?;
    if day > days_in_month(year, month) {
        return None;
    }
    let hour = two_digits(&mut pos, 0, 23)?;
    let minute = two_digits(&mut pos, 0, 59)?;
    let second = match s.get(pos) {
        Some(b'Z' | b'+' | b'-') => 0,
        _ => two_digits(&mut pos, 0, 59)?,
    };
    let mut fraction = "";
    if generalized && s.get(pos) == Some(&b'.') {
        let digits = s
            .get(pos + 1..)?
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        let end = pos + 1 + digits;
        if digits == 0 || end >= s.len() {
            return None;
        }
        fraction = std::str::from_utf8(s.get(pos..end)?).ok()?;
        pos = end;
    }
    let mut seconds = i64::from(hour * 3600 + minute * 60 + second);
    match s.get(pos..)? {
        [b'Z'] => {}
        [sign @ (b'+' | b'-'), h1, h2, m1, m2] => {
            let digits = [*h1, *h2, *m1, *m2];
            if !digits.iter().all(u8::is_ascii_digit) {
                return None;
            }
            let [oh, om] = [
                (h1 - b'0') * 10 + (h2 - b'0'),
                (m1 - b'0') * 10 + (m2 - b'0'),
            ];
            if oh > 12 || om > 59 {
                return None;
            }
            let offset = i64::from(oh) * 3600 + i64::from(om) * 60;
            // "+hhmm" means local time is ahead of UTC.
            seconds += if *sign == b'+' { -offset } else { offset };
        }
        _ => return None,
    }
    let days = days_from_civil(year, month, day) + seconds.div_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    // OpenSSL cannot represent an offset that moves the date out of 0..=9999.
    if !(0..=9999).contains(&year) {
        return None;
    }
    Some((
        DateTime {
            year,
            month,
            day,
            seconds_of_day: seconds.rem_euclid(86_400),
        },
        fraction,
    ))
}

fn days_in_month(year: i64, month: u32) -> u32 {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y.rem_euclid(400);
    let shifted_month = i64::from((month + 9) % 12); // March = 0
    let day_of_year = (153 * shifted_month + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The inverse of `days_from_civil`.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * shifted_month + 2) / 5 + 1) as u32;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

// ------------------------------------------------------------- general names

/// A GeneralName as read, already checked the way OpenSSL's decoder checks it.
enum RawGeneralName<'a> {
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
const GN_OTHER_NAME: u8 = ctx_cons(0);
const GN_EMAIL: u8 = ctx(1);
const GN_DNS: u8 = ctx(2);
const GN_X400_ADDRESS: u8 = ctx_cons(3);
const GN_DIRECTORY_NAME: u8 = ctx_cons(4);
const GN_EDI_PARTY_NAME: u8 = ctx_cons(5);
const GN_URI: u8 = ctx(6);
const GN_IP_ADDRESS: u8 = ctx(7);
const GN_REGISTERED_ID: u8 = ctx(8);

fn parse_general_name(tlv: Tlv<'_>) -> Result<RawGeneralName<'_>> {
    if tlv.high {
        return bad("bad general name");
    }
    Ok(match tlv.id {
        GN_OTHER_NAME => {
            let mut reader = Reader::new(tlv.body);
            let type_oid = reader.expect(OID)?;
            check_oid(type_oid)?;
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
            check_oid(tlv.body)?;
            RawGeneralName::RegisteredId(tlv.body)
        }
        _ => return bad("bad general name"),
    })
}

/// `[0] nameAssigner OPTIONAL, [1] partyName`, both explicit DirectoryStrings.
fn check_edi_party_name(body: &[u8]) -> Result<()> {
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
fn parse_general_names(body: &[u8]) -> Result<Vec<RawGeneralName<'_>>> {
    let mut reader = Reader::new(body);
    let mut names = Vec::new();
    while !reader.is_empty() {
        names.push(parse_general_name(reader.read()?)?);
    }
    Ok(names)
}

/// Bytes the stdlib turns into `str` with a strict UTF-8 decode.
fn utf8(bytes: &[u8]) -> Result<String> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_owned()),
        Err(_) => bad("invalid UTF-8 in certificate text"),
    }
}

/// The other-name types OpenSSL 3.0 prints, with the string type each needs.
const KNOWN_OTHER_NAMES: &[(&[u8], &str, u8)] = &[
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
fn other_name_text(type_oid: &[u8], value: &Tlv<'_>) -> Vec<u8> {
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
fn printed_entry(kind: &str, value: &[u8]) -> Result<(String, AltNameValue)> {
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

fn format_ip(bytes: &[u8]) -> String {
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
fn convert_general_name(name: &RawGeneralName<'_>) -> Result<(String, AltNameValue)> {
    let text = |kind: &str, value: String| Ok((kind.to_owned(), AltNameValue::Text(value)));
    match name {
        RawGeneralName::Dns(bytes) => text("DNS", utf8(bytes)?),
        RawGeneralName::Email(bytes) => text("email", utf8(bytes)?),
        RawGeneralName::Uri(bytes) => text("URI", utf8(bytes)?),
        RawGeneralName::IpAddress(bytes) => text("IP Address", format_ip(bytes)),
        RawGeneralName::DirName(raw) => {
            Ok(("DirName".to_owned(), AltNameValue::Name(convert_name(raw)?)))
        }
        RawGeneralName::RegisteredId(oid) => text("Registered ID", oid_text(oid)?),
        RawGeneralName::OtherName { type_oid, value } => {
            printed_entry("othername", &other_name_text(type_oid, value))
        }
        RawGeneralName::X400Address => printed_entry("X400Name", b"<unsupported>"),
        RawGeneralName::EdiPartyName => printed_entry("EdiPartyName", b"<unsupported>"),
    }
}

// -------------------------------------------------------------- certificate

/// One extension as read.
struct Extension<'a> {
    oid: &'a [u8],
    value: &'a [u8],
}

/// The parts of a certificate this module looks at, checked for the
/// structure OpenSSL's decoder insists on.
struct RawCertificate<'a> {
    /// The encoded version field (0 for v1, also when absent).
    version: i64,
    serial: &'a [u8],
    /// The signature algorithm inside the signed part.
    signature_oid: &'a [u8],
    issuer: RawName<'a>,
    not_before: Tlv<'a>,
    not_after: Tlv<'a>,
    subject: RawName<'a>,
    key_oid: &'a [u8],
    extensions: Vec<Extension<'a>>,
}

/// `AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY OPTIONAL }`
fn parse_algorithm(body: &[u8]) -> Result<&[u8]> {
    let mut reader = Reader::new(body);
    let oid = reader.expect(OID)?;
    check_oid(oid)?;
    if !reader.is_empty() {
        reader.read()?;
    }
    reader.finish()?;
    Ok(oid)
}

fn parse_time_field<'a>(reader: &mut Reader<'a>) -> Result<Tlv<'a>> {
    let tlv = reader.read()?;
    if tlv.is(UTC_TIME) || tlv.is(GENERALIZED_TIME) {
        Ok(tlv)
    } else {
        bad("bad time")
    }
}

fn parse_extensions(body: &[u8]) -> Result<Vec<Extension<'_>>> {
    let mut reader = Reader::new(single(body, SEQUENCE)?);
    let mut extensions = Vec::new();
    while !reader.is_empty() {
        let mut ext = Reader::new(reader.expect(SEQUENCE)?);
        let oid = ext.expect(OID)?;
        check_oid(oid)?;
        if let Some(critical) = ext.optional(BOOLEAN)? {
            check_bool(critical)?;
        }
        let value = ext.expect(OCTET_STRING)?;
        ext.finish()?;
        extensions.push(Extension { oid, value });
    }
    Ok(extensions)
}

fn parse_certificate(der: &[u8]) -> Result<RawCertificate<'_>> {
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
    let issuer = parse_name(tbs.expect(SEQUENCE)?)?;
    let mut validity = Reader::new(tbs.expect(SEQUENCE)?);
    let not_before = parse_time_field(&mut validity)?;
    let not_after = parse_time_field(&mut validity)?;
    validity.finish()?;
    let subject = parse_name(tbs.expect(SEQUENCE)?)?;
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
        not_before,
        not_after,
        subject,
        key_oid,
        extensions,
    })
}

/// What OpenSSL's `X509_get_ext_d2i` finds for `oid`.
enum Lookup<'a> {
    Absent,
    /// More than one: OpenSSL then reports nothing at all.
    Duplicated,
    Unique(&'a [u8]),
}

fn find_extension<'a>(cert: &RawCertificate<'a>, oid: &[u8]) -> Lookup<'a> {
    let mut found = cert.extensions.iter().filter(|ext| ext.oid == oid);
    match (found.next(), found.next()) {
        (None, _) => Lookup::Absent,
        (Some(ext), None) => Lookup::Unique(ext.value),
        (Some(_), Some(_)) => Lookup::Duplicated,
    }
}

/// The contents of the first element of a (unique) extension's value;
/// OpenSSL ignores anything after it.
fn extension_body<'a>(cert: &RawCertificate<'a>, oid: &[u8], id: u8) -> Option<&'a [u8]> {
    match find_extension(cert, oid) {
        Lookup::Unique(value) => Reader::new(value).expect(id).ok(),
        Lookup::Absent | Lookup::Duplicated => None,
    }
}

fn subject_alt_names(cert: &RawCertificate<'_>) -> Result<Option<Vec<(String, AltNameValue)>>> {
    let names = extension_body(cert, OID_SUBJECT_ALT_NAME, SEQUENCE)
        .and_then(|body| parse_general_names(body).ok());
    names
        .map(|names| names.iter().map(convert_general_name).collect())
        .transpose()
}

/// `AuthorityInfoAccessSyntax ::= SEQUENCE OF SEQUENCE { method OID, location GeneralName }`
fn parse_info_access(body: &[u8]) -> Result<Vec<(&[u8], RawGeneralName<'_>)>> {
    let mut reader = Reader::new(body);
    let mut entries = Vec::new();
    while !reader.is_empty() {
        let mut entry = Reader::new(reader.expect(SEQUENCE)?);
        let method = entry.expect(OID)?;
        check_oid(method)?;
        let location = parse_general_name(entry.read()?)?;
        entry.finish()?;
        entries.push((method, location));
    }
    Ok(entries)
}

/// The `OCSP` and `caIssuers` URIs (each `None` when there are none).
type InfoAccessUris = (Option<Vec<String>>, Option<Vec<String>>);

fn info_access_uris(cert: &RawCertificate<'_>) -> Result<InfoAccessUris> {
    let Some(entries) = extension_body(cert, OID_AUTHORITY_INFO_ACCESS, SEQUENCE)
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
    Ok((uris(OID_AD_OCSP)?, uris(OID_AD_CA_ISSUERS)?))
}

/// The `fullName` URIs of every distribution point, in order.
fn parse_crl_distribution_points(body: &[u8]) -> Result<Vec<&[u8]>> {
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

fn crl_distribution_points(cert: &RawCertificate<'_>) -> Result<Option<Vec<String>>> {
    let uris = extension_body(cert, OID_CRL_DISTRIBUTION_POINTS, SEQUENCE)
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

// ------------------------------------------------------------ CA detection

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

/// `keyCertSign` in OpenSSL's keyUsage flags (first octet of the bits).
const KEY_CERT_SIGN: u8 = 0x04;
/// The SSL, S/MIME and object-signing CA bits of a Netscape cert type.
const NETSCAPE_ANY_CA: u8 = 0x07;

/// `None` when OpenSSL would flag the certificate's extensions as invalid.
fn check_ca(cert: &RawCertificate<'_>) -> Option<bool> {
    let basic = decoded(cert, OID_BASIC_CONSTRAINTS, parse_basic_constraints)?;
    let key_usage = decoded(cert, OID_KEY_USAGE, parse_bits)?;
    let netscape = decoded(cert, OID_NETSCAPE_CERT_TYPE, parse_bits)?;
    let subject_key_id = decoded(cert, OID_SUBJECT_KEY_ID, |v| single_first(v, OCTET_STRING))?;
    let authority_key_id = decoded(cert, OID_AUTHORITY_KEY_ID, parse_authority_key_id)?;
    decoded(cert, OID_EXT_KEY_USAGE, parse_oid_sequence)?;
    decoded(cert, OID_NAME_CONSTRAINTS, parse_name_constraints)?;
    decoded(cert, OID_SUBJECT_ALT_NAME, |v| {
        parse_general_names(single_first(v, SEQUENCE)?)
    })?;
    decoded(cert, OID_CRL_DISTRIBUTION_POINTS, |v| {
        parse_crl_distribution_points(single_first(v, SEQUENCE)?)
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
            (cert.version == 0 && is_self_signed(cert, subject_key_id, authority_key_id.as_ref()))
                || key_usage.is_some()
                || netscape
                    .as_ref()
                    .is_some_and(|bits| first_octet(bits) & NETSCAPE_ANY_CA != 0)
        }
    })
}

/// An extension as OpenSSL's cache of extensions sees it: `Some(None)` when
/// absent, `None` (invalid) when repeated or malformed.
fn decoded<'a, T>(
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

/// The contents of the leading element (anything after it is ignored).
fn single_first(value: &[u8], id: u8) -> Result<&[u8]> {
    Reader::new(value).expect(id)
}

/// `(cA, pathLenConstraint < 0)`
fn parse_basic_constraints(value: &[u8]) -> Result<(bool, bool)> {
    let mut reader = Reader::new(single_first(value, SEQUENCE)?);
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

fn parse_bits(value: &[u8]) -> Result<Vec<u8>> {
    bit_string_bits(single_first(value, BIT_STRING)?)
}

/// `NameConstraints ::= SEQUENCE { permitted [0] .., excluded [1] .. }` where
/// each is a list of `SEQUENCE { base GeneralName, min [0], max [1] }`.
fn parse_name_constraints(value: &[u8]) -> Result<()> {
    let mut reader = Reader::new(single_first(value, SEQUENCE)?);
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

fn parse_oid_sequence(value: &[u8]) -> Result<()> {
    let mut reader = Reader::new(single_first(value, SEQUENCE)?);
    while !reader.is_empty() {
        check_oid(reader.expect(OID)?)?;
    }
    Ok(())
}

/// The parts of an authorityKeyIdentifier a self-signature check compares.
struct AuthorityKeyId<'a> {
    key_id: Option<&'a [u8]>,
    issuer: Option<RawName<'a>>,
    serial: Option<&'a [u8]>,
}

fn parse_authority_key_id(value: &[u8]) -> Result<AuthorityKeyId<'_>> {
    let mut reader = Reader::new(single_first(value, SEQUENCE)?);
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

/// OpenSSL's notion of self-signed (no signature is verified): subject and
/// issuer compare equal, the authority key identifier does not point
/// elsewhere, and the signature algorithm suits the certificate's own key.
fn is_self_signed(
    cert: &RawCertificate<'_>,
    subject_key_id: Option<&[u8]>,
    authority_key_id: Option<&AuthorityKeyId<'_>>,
) -> bool {
    let issuer = canonical_name(&cert.issuer);
    if canonical_name(&cert.subject) != issuer {
        return false;
    }
    if let Some(akid) = authority_key_id {
        let key_id_differs = matches!((akid.key_id, subject_key_id), (Some(a), Some(s)) if a != s);
        let serial_differs = akid.serial.is_some_and(|serial| serial != cert.serial);
        let issuer_differs = akid
            .issuer
            .as_ref()
            .is_some_and(|name| canonical_name(name) != issuer);
        if key_id_differs || serial_differs || issuer_differs {
            return false;
        }
    }
    // Every algorithm we know is short; this also bounds the work on junk.
    let short = |oid: &[u8]| oid.len() <= 16;
    short(cert.signature_oid)
        && short(cert.key_oid)
        && signature_suits_key(&oid_dotted(cert.signature_oid), &oid_dotted(cert.key_oid))
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

// ----------------------------------------------------------------------- PEM

/// Every PEM block in `data`, in order: its label (the text after
/// `-----BEGIN `) and its decoded contents. Text outside blocks and header
/// lines such as `Proc-Type:` inside them are ignored; blocks whose base64 is
/// broken or whose END line is missing or mismatched are left out.
pub fn pem_blocks(data: &[u8]) -> Vec<(String, Vec<u8>)> {
    pem_scan(data)
        .into_iter()
        .filter_map(|(label, der)| Some((label, der?)))
        .collect()
}

/// The first certificate in a PEM file, chosen as OpenSSL's
/// `PEM_read_bio_X509` (and so `_ssl._test_decode_cert`) chooses it: the
/// first `CERTIFICATE` or `X509 CERTIFICATE` block, provided no broken block
/// of any label comes before it (OpenSSL gives up at the first one).
pub fn pem_first_certificate(data: &[u8]) -> Option<Vec<u8>> {
    for (label, der) in pem_scan(data) {
        let der = der?;
        if label == "CERTIFICATE" || label == "X509 CERTIFICATE" {
            return Some(der);
        }
    }
    None
}

/// Every PEM block with its contents, or `None` for a broken block.
fn pem_scan(data: &[u8]) -> Vec<(String, Option<Vec<u8>>)> {
    let mut blocks = Vec::new();
    let mut lines = data.split(|&b| b == b'\n').map(trim_line);
    while let Some(line) = lines.next() {
        let Some(label) = pem_marker(line, b"-----BEGIN ") else {
            continue;
        };
        let mut base64 = Vec::new();
        let mut complete = false;
        for line in lines.by_ref() {
            if let Some(end) = pem_marker(line, b"-----END ") {
                complete = end == label;
                break;
            }
            if !line.contains(&b':') {
                base64.extend_from_slice(line);
            }
        }
        let der = if complete {
            base64_decode(&base64)
        } else {
            None
        };
        blocks.push((String::from_utf8_lossy(label).into_owned(), der));
    }
    blocks
}

fn trim_line(line: &[u8]) -> &[u8] {
    let start = line
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(line.len());
    let end = line
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |i| i + 1);
    line.get(start..end).unwrap_or_default()
}

/// The label of a `-----BEGIN label-----` / `-----END label-----` line.
fn pem_marker<'a>(line: &'a [u8], prefix: &[u8]) -> Option<&'a [u8]> {
    line.strip_prefix(prefix)?.strip_suffix(b"-----")
}

/// `der` as a PEM block: base64 in 64-column lines between BEGIN and END
/// lines, each line ending in a newline, as `ssl.DER_cert_to_PEM_cert` does.
pub fn der_to_pem(der: &[u8], label: &str) -> String {
    let encoded = base64_encode(der);
    let mut pem = format!("-----BEGIN {label}-----\n");
    for line in encoded.as_bytes().chunks(64) {
        pem.extend(line.iter().map(|&b| char::from(b)));
        pem.push('\n');
    }
    pem.push_str(&format!("-----END {label}-----\n"));
    pem
}

const BASE64_ALPHABET: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let group = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                let index = (group >> (18 - 6 * i)) & 0x3f;
                out.push(char::from(
                    BASE64_ALPHABET.get(index as usize).copied().unwrap_or(b'A'),
                ));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Standard base64 with optional padding; `None` on any other character.
pub(crate) fn base64_decode(text: &[u8]) -> Option<Vec<u8>> {
    let unpadded = text
        .strip_suffix(b"==")
        .or_else(|| text.strip_suffix(b"="))
        .unwrap_or(text);
    if unpadded.len() % 4 == 1 || (unpadded.len() != text.len() && !text.len().is_multiple_of(4)) {
        return None;
    }
    let mut out = Vec::with_capacity(unpadded.len() / 4 * 3 + 2);
    for chunk in unpadded.chunks(4) {
        let mut group = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            let value = BASE64_ALPHABET.iter().position(|&a| a == c)?;
            group |= (value as u32) << (18 - 6 * i);
        }
        let bytes = group.to_be_bytes();
        out.extend_from_slice(bytes.get(1..chunk.len()).unwrap_or_default());
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_der::tlv;
    use serde_json::{json, Value};
    use std::path::PathBuf;

    fn test_data() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/data")
    }

    fn name_json(name: &Name) -> Value {
        let attribute = |value: &AttributeValue| match value {
            AttributeValue::Text(text) => json!(text),
            AttributeValue::Bytes(bytes) => {
                let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
                json!({ "bytes": hex })
            }
            AttributeValue::NoBits => Value::Null,
        };
        name.iter()
            .map(|rdn| {
                rdn.iter()
                    .map(|(k, v)| json!([k, attribute(v)]))
                    .collect::<Value>()
            })
            .collect()
    }

    /// The dict as the oracle script stores it (tuples as lists).
    fn dict_json(cert: &CertDict) -> Value {
        let mut dict = json!({
            "subject": name_json(&cert.subject),
            "issuer": name_json(&cert.issuer),
            "version": cert.version,
            "serialNumber": cert.serial_number,
            "notBefore": cert.not_before,
            "notAfter": cert.not_after,
        });
        let map = dict.as_object_mut().expect("object literal");
        if let Some(names) = &cert.subject_alt_name {
            let entries = names.iter().map(|(kind, value)| match value {
                AltNameValue::Text(text) => json!([kind, text]),
                AltNameValue::Name(name) => json!([kind, name_json(name)]),
            });
            map.insert("subjectAltName".into(), entries.collect());
        }
        for (key, uris) in [
            ("OCSP", &cert.ocsp),
            ("caIssuers", &cert.ca_issuers),
            ("crlDistributionPoints", &cert.crl_distribution_points),
        ] {
            if let Some(uris) = uris {
                map.insert(key.into(), json!(uris));
            }
        }
        dict
    }

    /// Checks one oracle case; returns a description of any mismatch.
    fn check_case(case: &Value, pem: &[u8]) -> Vec<String> {
        let name = case["name"].as_str().unwrap_or("?");
        let decoded = pem_first_certificate(pem).map(|der| (decode_certificate(&der), der));
        let mut problems = Vec::new();
        // OpenSSL shows its long name for every identifier it knows; our
        // table only holds name attribute types, so these print dotted.
        let known_divergence = name.starts_with("known_divergence_");
        match (&case["dict"], decoded) {
            (Value::Object(_), Some((Ok(_), _))) if known_divergence => {}
            (Value::Null, None | Some((Err(_), _))) => {}
            (Value::Null, Some((Ok(cert), _))) => problems.push(format!(
                "{name}: stdlib raised {}, we decoded {cert:?}",
                case["error"]
            )),
            (_, None) => problems.push(format!("{name}: no certificate block found")),
            (expected, Some((result, der))) => {
                match result {
                    Ok(cert) if dict_json(&cert) == *expected => {}
                    Ok(cert) => problems.push(format!(
                        "{name}:\n  expected {expected}\n  got      {}",
                        dict_json(&cert)
                    )),
                    Err(err) => {
                        problems.push(format!("{name}: stdlib decoded it, we failed: {err}"))
                    }
                }
                if let Some(count) = case["x509_ca"].as_u64() {
                    if is_ca(&der) != (count == 1) {
                        problems.push(format!("{name}: is_ca should be {}", count == 1));
                    }
                }
            }
        }
        problems
    }

    #[test]
    fn matches_stdlib_oracle() {
        let data = test_data();
        let text = std::fs::read_to_string(data.join("x509_expected.json")).expect("oracle file");
        let oracle: Value = serde_json::from_str(&text).expect("oracle JSON");
        let cases = oracle["cases"].as_array().expect("cases");
        let (mut checked, mut problems) = (0, Vec::new());
        for case in cases {
            // Relative paths are ours; absolute ones are the stdlib's own
            // test certificates, used only where that Python is installed.
            let path = data.join(case["path"].as_str().expect("path"));
            let Ok(pem) = std::fs::read(&path) else {
                continue;
            };
            checked += 1;
            problems.extend(check_case(case, &pem));
        }
        assert!(checked >= 100, "only {checked} oracle cases found");
        eprintln!(
            "{checked} of {} oracle cases available and compared",
            cases.len()
        );
        assert!(
            problems.is_empty(),
            "{} mismatches:\n{}",
            problems.len(),
            problems.join("\n")
        );
    }

    #[test]
    fn rejects_garbage_without_panicking() {
        let oracle = std::fs::read_to_string(test_data().join("x509/san_everything.pem"))
            .unwrap_or_default();
        let der = pem_first_certificate(oracle.as_bytes()).expect("test certificate");
        assert!(decode_certificate(&der).is_ok());
        // Every truncation and every single-octet corruption must fail or
        // decode cleanly, never panic.
        for len in 0..der.len() {
            let _ = decode_certificate(&der[..len]);
            let _ = is_ca(&der[..len]);
        }
        for i in 0..der.len() {
            for flip in [0x01, 0x80, 0xff] {
                let mut copy = der.clone();
                copy[i] ^= flip;
                let _ = decode_certificate(&copy);
                let _ = is_ca(&copy);
            }
        }
        assert_eq!(decode_certificate(&[]), Err(DecodeError("truncated")));
        assert!(decode_certificate(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]).is_err());
    }

    /// A minimal v3 certificate with the given extensions (signature is junk).
    fn certificate(version: u8, subject: &[u8], extensions: &[Vec<u8>]) -> Vec<u8> {
        let algorithm = tlv(
            SEQUENCE,
            &tlv(OID, &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b]),
        );
        let key_algorithm = tlv(
            SEQUENCE,
            &tlv(OID, &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01]),
        );
        let key = tlv(
            SEQUENCE,
            &[key_algorithm, tlv(BIT_STRING, &[0, 1, 2])].concat(),
        );
        let validity = tlv(
            SEQUENCE,
            &[
                tlv(UTC_TIME, b"240101000000Z"),
                tlv(GENERALIZED_TIME, b"20500101000000Z"),
            ]
            .concat(),
        );
        let mut tbs = Vec::new();
        if version > 0 {
            tbs.extend(tlv(ctx_cons(0), &tlv(INTEGER, &[version])));
        }
        for part in [
            &tlv(INTEGER, &[1])[..],
            &algorithm,
            subject,
            &validity,
            subject,
            &key,
        ] {
            tbs.extend_from_slice(part);
        }
        if !extensions.is_empty() {
            tbs.extend(tlv(ctx_cons(3), &tlv(SEQUENCE, &extensions.concat())));
        }
        tlv(
            SEQUENCE,
            &[tlv(SEQUENCE, &tbs), algorithm, tlv(BIT_STRING, &[0, 0xaa])].concat(),
        )
    }

    fn extension(oid: &[u8], value: &[u8]) -> Vec<u8> {
        tlv(
            SEQUENCE,
            &[tlv(OID, oid), tlv(OCTET_STRING, value)].concat(),
        )
    }

    fn common_name(cn: &str) -> Vec<u8> {
        let attribute = [
            tlv(OID, &[0x55, 0x04, 0x03]),
            tlv(UTF8_STRING, cn.as_bytes()),
        ]
        .concat();
        tlv(SEQUENCE, &tlv(SET, &tlv(SEQUENCE, &attribute)))
    }

    #[test]
    fn ca_detection() {
        let name = common_name("Root");
        let ca_true = extension(
            OID_BASIC_CONSTRAINTS,
            &tlv(SEQUENCE, &tlv(BOOLEAN, &[0xff])),
        );
        let ca_false = extension(OID_BASIC_CONSTRAINTS, &tlv(SEQUENCE, &[]));
        let sign_only = extension(OID_KEY_USAGE, &tlv(BIT_STRING, &[7, 0x80]));
        let cert_sign = extension(OID_KEY_USAGE, &tlv(BIT_STRING, &[1, 0x06]));

        assert!(is_ca(&certificate(
            2,
            &name,
            std::slice::from_ref(&ca_true)
        )));
        assert!(!is_ca(&certificate(2, &name, &[ca_false])));
        assert!(!is_ca(&certificate(
            2,
            &name,
            &[ca_true.clone(), sign_only]
        )));
        assert!(is_ca(&certificate(
            2,
            &name,
            &[ca_true.clone(), cert_sign.clone()]
        )));
        assert!(is_ca(&certificate(2, &common_name("Leaf"), &[cert_sign])));
        // Repeated basicConstraints make OpenSSL distrust all extensions.
        assert!(!is_ca(&certificate(2, &name, &[ca_true.clone(), ca_true])));
        // A self-signed v1 certificate counts; the same as v3 does not.
        assert!(is_ca(&certificate(0, &name, &[])));
        assert!(!is_ca(&certificate(2, &name, &[])));
        assert!(!is_ca(b"not a certificate"));
    }

    #[test]
    fn pem_blocks_tolerates_surrounding_text() {
        let pem = b"Bag Attributes\n    friendlyName: x\n-----BEGIN CERTIFICATE-----\r\n\
            AAEC\r\nAw==\r\n-----END CERTIFICATE-----\r\nsome text\n\
            -----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: X,00\n\n\
            BAUG\n-----END RSA PRIVATE KEY-----\n\
            -----BEGIN BROKEN-----\n!!!!\n-----END BROKEN-----\n\
            -----BEGIN UNTERMINATED-----\nAAAA\n-----END OTHER-----\n\
            -----BEGIN EMPTY-----\n-----END EMPTY-----";
        let blocks = pem_blocks(pem);
        assert_eq!(
            blocks,
            vec![
                ("CERTIFICATE".to_owned(), vec![0, 1, 2, 3]),
                ("RSA PRIVATE KEY".to_owned(), vec![4, 5, 6]),
                ("EMPTY".to_owned(), vec![]),
            ]
        );
        assert!(pem_blocks(b"").is_empty());
        assert!(pem_blocks(b"-----BEGIN X-----\nAA=A\n-----END X-----\n").is_empty());
        // OpenSSL stops at a broken block even when it is not a certificate.
        let cert = b"-----BEGIN CERTIFICATE-----\nAAEC\n-----END CERTIFICATE-----\n";
        let key = b"-----BEGIN KEY-----\nAAAA\n-----END KEY-----\n";
        let broken = b"-----BEGIN KEY-----\nnot base64\n-----END KEY-----\n";
        assert_eq!(
            pem_first_certificate(&[&key[..], cert].concat()),
            Some(vec![0, 1, 2])
        );
        assert_eq!(pem_first_certificate(&[&broken[..], cert].concat()), None);
        assert_eq!(
            pem_first_certificate(&[&cert[..], broken].concat()),
            Some(vec![0, 1, 2])
        );
    }

    #[test]
    fn der_to_pem_round_trips() {
        // Compared with Python's ssl.DER_cert_to_PEM_cert output.
        assert_eq!(
            der_to_pem(b"\x00\x01\x02", "CERTIFICATE"),
            "-----BEGIN CERTIFICATE-----\nAAEC\n-----END CERTIFICATE-----\n"
        );
        assert_eq!(der_to_pem(b"", "X"), "-----BEGIN X-----\n-----END X-----\n");
        for len in [0, 1, 2, 3, 47, 48, 49, 100, 1000] {
            let der: Vec<u8> = (0..len).map(|i| (i * 37 % 256) as u8).collect();
            let pem = der_to_pem(&der, "CERTIFICATE");
            assert!(pem
                .lines()
                .all(|line| line.len() <= 64 || line.starts_with("-----")));
            assert_eq!(
                pem_blocks(pem.as_bytes()),
                vec![("CERTIFICATE".to_owned(), der)]
            );
        }
    }

    #[test]
    fn dates() {
        let utc = |s: &str| {
            format_time(&Tlv {
                id: UTC_TIME,
                high: false,
                body: s.as_bytes(),
            })
        };
        let gen = |s: &str| {
            format_time(&Tlv {
                id: GENERALIZED_TIME,
                high: false,
                body: s.as_bytes(),
            })
        };
        assert_eq!(utc("180105093443Z"), "Jan  5 09:34:43 2018 GMT");
        assert_eq!(utc("500101000000Z"), "Jan  1 00:00:00 1950 GMT");
        assert_eq!(utc("000101000000+0100"), "Dec 31 23:00:00 1999 GMT");
        assert_eq!(gen("20500228235959.5-0001"), "Mar  1 00:00:59.5 2050 GMT");
        assert_eq!(gen("20210229000000Z"), "Bad time value");
        assert_eq!(gen("20200101000000+1300"), "Bad time value");
        assert_eq!(utc("2001010000"), "Bad time value");
    }

    #[test]
    fn serials_and_oids() {
        assert_eq!(format_serial(&[0x00]), "00");
        assert_eq!(format_serial(&[0x00, 0x80]), "80");
        assert_eq!(format_serial(&[0xff, 0x01]), "-FF");
        assert_eq!(format_serial(&[0x80]), "-80");
        assert_eq!(oid_dotted(&[0x2a, 0x03]), "1.2.3");
        assert_eq!(oid_dotted(&[0x88, 0x37, 0x01]), "2.999.1");
        assert_eq!(oid_dotted(&[0x00]), "0.0");
        let huge = [
            0x69, 0x83, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00,
        ];
        assert_eq!(oid_dotted(&huge), "2.25.453347182355485940514816");
        assert!(check_oid(&[0x2a, 0x80, 0x01]).is_err());
        assert!(check_oid(&[]).is_err());
        assert!(check_oid(&[0x2a, 0x81]).is_err());
        assert!(
            LONG_NAMES.windows(2).all(|w| w[0].0 < w[1].0),
            "table must stay sorted"
        );
    }
}
