//! The one object-identifier table: dotted OIDs with OpenSSL's NIDs, short
//! and long names (as `txt2obj`, the certificate dict and RFC 2253 names show
//! them), and the checks and dotted-decimal form of encoded identifiers.

use std::fmt;

use super::der::{bad, Result};

/// One known object: OpenSSL's numeric id, short name, long name and dotted form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Object {
    /// OpenSSL's NID.
    pub nid: i32,
    /// The short name, e.g. `serverAuth`.
    pub short_name: &'static str,
    /// The long name, e.g. `TLS Web Server Authentication`.
    pub long_name: &'static str,
    /// The dotted OID.
    pub oid: &'static str,
}

const fn obj(
    nid: i32,
    short_name: &'static str,
    long_name: &'static str,
    oid: &'static str,
) -> Object {
    Object {
        nid,
        short_name,
        long_name,
        oid,
    }
}

/// The objects rustssl can name: name attributes, extensions and extended
/// key usages, with OpenSSL 3.0's NIDs and names, sorted by dotted string
/// (for binary search). Other identifiers print dotted.
#[rustfmt::skip]
pub const OBJECTS: &[Object] = &[
    obj(458, "UID", "userId", "0.9.2342.19200300.100.1.1"),
    obj(467, "manager", "manager", "0.9.2342.19200300.100.1.10"),
    obj(468, "documentIdentifier", "documentIdentifier", "0.9.2342.19200300.100.1.11"),
    obj(469, "documentTitle", "documentTitle", "0.9.2342.19200300.100.1.12"),
    obj(470, "documentVersion", "documentVersion", "0.9.2342.19200300.100.1.13"),
    obj(471, "documentAuthor", "documentAuthor", "0.9.2342.19200300.100.1.14"),
    obj(472, "documentLocation", "documentLocation", "0.9.2342.19200300.100.1.15"),
    obj(459, "textEncodedORAddress", "textEncodedORAddress", "0.9.2342.19200300.100.1.2"),
    obj(473, "homeTelephoneNumber", "homeTelephoneNumber", "0.9.2342.19200300.100.1.20"),
    obj(474, "secretary", "secretary", "0.9.2342.19200300.100.1.21"),
    obj(475, "otherMailbox", "otherMailbox", "0.9.2342.19200300.100.1.22"),
    obj(476, "lastModifiedTime", "lastModifiedTime", "0.9.2342.19200300.100.1.23"),
    obj(477, "lastModifiedBy", "lastModifiedBy", "0.9.2342.19200300.100.1.24"),
    obj(391, "DC", "domainComponent", "0.9.2342.19200300.100.1.25"),
    obj(478, "aRecord", "aRecord", "0.9.2342.19200300.100.1.26"),
    obj(479, "pilotAttributeType27", "pilotAttributeType27", "0.9.2342.19200300.100.1.27"),
    obj(480, "mXRecord", "mXRecord", "0.9.2342.19200300.100.1.28"),
    obj(481, "nSRecord", "nSRecord", "0.9.2342.19200300.100.1.29"),
    obj(460, "mail", "rfc822Mailbox", "0.9.2342.19200300.100.1.3"),
    obj(482, "sOARecord", "sOARecord", "0.9.2342.19200300.100.1.30"),
    obj(483, "cNAMERecord", "cNAMERecord", "0.9.2342.19200300.100.1.31"),
    obj(484, "associatedDomain", "associatedDomain", "0.9.2342.19200300.100.1.37"),
    obj(485, "associatedName", "associatedName", "0.9.2342.19200300.100.1.38"),
    obj(486, "homePostalAddress", "homePostalAddress", "0.9.2342.19200300.100.1.39"),
    obj(461, "info", "info", "0.9.2342.19200300.100.1.4"),
    obj(487, "personalTitle", "personalTitle", "0.9.2342.19200300.100.1.40"),
    obj(488, "mobileTelephoneNumber", "mobileTelephoneNumber", "0.9.2342.19200300.100.1.41"),
    obj(489, "pagerTelephoneNumber", "pagerTelephoneNumber", "0.9.2342.19200300.100.1.42"),
    obj(490, "friendlyCountryName", "friendlyCountryName", "0.9.2342.19200300.100.1.43"),
    obj(102, "uid", "uniqueIdentifier", "0.9.2342.19200300.100.1.44"),
    obj(491, "organizationalStatus", "organizationalStatus", "0.9.2342.19200300.100.1.45"),
    obj(492, "janetMailbox", "janetMailbox", "0.9.2342.19200300.100.1.46"),
    obj(493, "mailPreferenceOption", "mailPreferenceOption", "0.9.2342.19200300.100.1.47"),
    obj(494, "buildingName", "buildingName", "0.9.2342.19200300.100.1.48"),
    obj(495, "dSAQuality", "dSAQuality", "0.9.2342.19200300.100.1.49"),
    obj(462, "favouriteDrink", "favouriteDrink", "0.9.2342.19200300.100.1.5"),
    obj(496, "singleLevelQuality", "singleLevelQuality", "0.9.2342.19200300.100.1.50"),
    obj(497, "subtreeMinimumQuality", "subtreeMinimumQuality", "0.9.2342.19200300.100.1.51"),
    obj(498, "subtreeMaximumQuality", "subtreeMaximumQuality", "0.9.2342.19200300.100.1.52"),
    obj(499, "personalSignature", "personalSignature", "0.9.2342.19200300.100.1.53"),
    obj(500, "dITRedirect", "dITRedirect", "0.9.2342.19200300.100.1.54"),
    obj(501, "audio", "audio", "0.9.2342.19200300.100.1.55"),
    obj(502, "documentPublisher", "documentPublisher", "0.9.2342.19200300.100.1.56"),
    obj(463, "roomNumber", "roomNumber", "0.9.2342.19200300.100.1.6"),
    obj(464, "photo", "photo", "0.9.2342.19200300.100.1.7"),
    obj(465, "userClass", "userClass", "0.9.2342.19200300.100.1.8"),
    obj(466, "host", "host", "0.9.2342.19200300.100.1.9"),
    obj(1005, "OGRN", "OGRN", "1.2.643.100.1"),
    obj(1006, "SNILS", "SNILS", "1.2.643.100.3"),
    obj(1226, "OGRNIP", "OGRNIP", "1.2.643.100.5"),
    obj(1004, "INN", "INN", "1.2.643.3.131.1.1"),
    obj(48, "emailAddress", "emailAddress", "1.2.840.113549.1.9.1"),
    obj(172, "extReq", "Extension Request", "1.2.840.113549.1.9.14"),
    obj(167, "SMIME-CAPS", "S/MIME Capabilities", "1.2.840.113549.1.9.15"),
    obj(49, "unstructuredName", "unstructuredName", "1.2.840.113549.1.9.2"),
    obj(156, "friendlyName", "friendlyName", "1.2.840.113549.1.9.20"),
    obj(157, "localKeyID", "localKeyID", "1.2.840.113549.1.9.21"),
    obj(50, "contentType", "contentType", "1.2.840.113549.1.9.3"),
    obj(51, "messageDigest", "messageDigest", "1.2.840.113549.1.9.4"),
    obj(52, "signingTime", "signingTime", "1.2.840.113549.1.9.5"),
    obj(53, "countersignature", "countersignature", "1.2.840.113549.1.9.6"),
    obj(54, "challengePassword", "challengePassword", "1.2.840.113549.1.9.7"),
    obj(55, "unstructuredAddress", "unstructuredAddress", "1.2.840.113549.1.9.8"),
    obj(56, "extendedCertificateAttributes", "extendedCertificateAttributes", "1.2.840.113549.1.9.9"),
    obj(955, "jurisdictionL", "jurisdictionLocalityName", "1.3.6.1.4.1.311.60.2.1.1"),
    obj(956, "jurisdictionST", "jurisdictionStateOrProvinceName", "1.3.6.1.4.1.311.60.2.1.2"),
    obj(957, "jurisdictionC", "jurisdictionCountryName", "1.3.6.1.4.1.311.60.2.1.3"),
    obj(129, "serverAuth", "TLS Web Server Authentication", "1.3.6.1.5.5.7.3.1"),
    obj(130, "clientAuth", "TLS Web Client Authentication", "1.3.6.1.5.5.7.3.2"),
    obj(131, "codeSigning", "Code Signing", "1.3.6.1.5.5.7.3.3"),
    obj(132, "emailProtection", "E-mail Protection", "1.3.6.1.5.5.7.3.4"),
    obj(133, "timeStamping", "Time Stamping", "1.3.6.1.5.5.7.3.8"),
    obj(180, "OCSPSigning", "OCSP Signing", "1.3.6.1.5.5.7.3.9"),
    obj(348, "id-pda-dateOfBirth", "id-pda-dateOfBirth", "1.3.6.1.5.5.7.9.1"),
    obj(349, "id-pda-placeOfBirth", "id-pda-placeOfBirth", "1.3.6.1.5.5.7.9.2"),
    obj(351, "id-pda-gender", "id-pda-gender", "1.3.6.1.5.5.7.9.3"),
    obj(352, "id-pda-countryOfCitizenship", "id-pda-countryOfCitizenship", "1.3.6.1.5.5.7.9.4"),
    obj(353, "id-pda-countryOfResidence", "id-pda-countryOfResidence", "1.3.6.1.5.5.7.9.5"),
    obj(85, "subjectAltName", "X509v3 Subject Alternative Name", "2.5.29.17"),
    obj(87, "basicConstraints", "X509v3 Basic Constraints", "2.5.29.19"),
    obj(126, "extendedKeyUsage", "X509v3 Extended Key Usage", "2.5.29.37"),
    obj(910, "anyExtendedKeyUsage", "Any Extended Key Usage", "2.5.29.37.0"),
    obj(17, "O", "organizationName", "2.5.4.10"),
    obj(1092, "dnsName", "dnsName", "2.5.4.100"),
    obj(18, "OU", "organizationalUnitName", "2.5.4.11"),
    obj(106, "title", "title", "2.5.4.12"),
    obj(107, "description", "description", "2.5.4.13"),
    obj(859, "searchGuide", "searchGuide", "2.5.4.14"),
    obj(860, "businessCategory", "businessCategory", "2.5.4.15"),
    obj(861, "postalAddress", "postalAddress", "2.5.4.16"),
    obj(661, "postalCode", "postalCode", "2.5.4.17"),
    obj(862, "postOfficeBox", "postOfficeBox", "2.5.4.18"),
    obj(863, "physicalDeliveryOfficeName", "physicalDeliveryOfficeName", "2.5.4.19"),
    obj(864, "telephoneNumber", "telephoneNumber", "2.5.4.20"),
    obj(865, "telexNumber", "telexNumber", "2.5.4.21"),
    obj(866, "teletexTerminalIdentifier", "teletexTerminalIdentifier", "2.5.4.22"),
    obj(867, "facsimileTelephoneNumber", "facsimileTelephoneNumber", "2.5.4.23"),
    obj(868, "x121Address", "x121Address", "2.5.4.24"),
    obj(869, "internationaliSDNNumber", "internationaliSDNNumber", "2.5.4.25"),
    obj(870, "registeredAddress", "registeredAddress", "2.5.4.26"),
    obj(871, "destinationIndicator", "destinationIndicator", "2.5.4.27"),
    obj(872, "preferredDeliveryMethod", "preferredDeliveryMethod", "2.5.4.28"),
    obj(873, "presentationAddress", "presentationAddress", "2.5.4.29"),
    obj(13, "CN", "commonName", "2.5.4.3"),
    obj(874, "supportedApplicationContext", "supportedApplicationContext", "2.5.4.30"),
    obj(875, "member", "member", "2.5.4.31"),
    obj(876, "owner", "owner", "2.5.4.32"),
    obj(877, "roleOccupant", "roleOccupant", "2.5.4.33"),
    obj(878, "seeAlso", "seeAlso", "2.5.4.34"),
    obj(879, "userPassword", "userPassword", "2.5.4.35"),
    obj(880, "userCertificate", "userCertificate", "2.5.4.36"),
    obj(881, "cACertificate", "cACertificate", "2.5.4.37"),
    obj(882, "authorityRevocationList", "authorityRevocationList", "2.5.4.38"),
    obj(883, "certificateRevocationList", "certificateRevocationList", "2.5.4.39"),
    obj(100, "SN", "surname", "2.5.4.4"),
    obj(884, "crossCertificatePair", "crossCertificatePair", "2.5.4.40"),
    obj(173, "name", "name", "2.5.4.41"),
    obj(99, "GN", "givenName", "2.5.4.42"),
    obj(101, "initials", "initials", "2.5.4.43"),
    obj(509, "generationQualifier", "generationQualifier", "2.5.4.44"),
    obj(503, "x500UniqueIdentifier", "x500UniqueIdentifier", "2.5.4.45"),
    obj(174, "dnQualifier", "dnQualifier", "2.5.4.46"),
    obj(885, "enhancedSearchGuide", "enhancedSearchGuide", "2.5.4.47"),
    obj(886, "protocolInformation", "protocolInformation", "2.5.4.48"),
    obj(887, "distinguishedName", "distinguishedName", "2.5.4.49"),
    obj(105, "serialNumber", "serialNumber", "2.5.4.5"),
    obj(888, "uniqueMember", "uniqueMember", "2.5.4.50"),
    obj(889, "houseIdentifier", "houseIdentifier", "2.5.4.51"),
    obj(890, "supportedAlgorithms", "supportedAlgorithms", "2.5.4.52"),
    obj(891, "deltaRevocationList", "deltaRevocationList", "2.5.4.53"),
    obj(892, "dmdName", "dmdName", "2.5.4.54"),
    obj(14, "C", "countryName", "2.5.4.6"),
    obj(510, "pseudonym", "pseudonym", "2.5.4.65"),
    obj(15, "L", "localityName", "2.5.4.7"),
    obj(400, "role", "role", "2.5.4.72"),
    obj(16, "ST", "stateOrProvinceName", "2.5.4.8"),
    obj(660, "street", "streetAddress", "2.5.4.9"),
    obj(1089, "organizationIdentifier", "organizationIdentifier", "2.5.4.97"),
    obj(1090, "c3", "countryCode3c", "2.5.4.98"),
    obj(1091, "n3", "countryCode3n", "2.5.4.99"),
];

/// Looks an object up by NID.
pub fn by_nid(nid: i32) -> Option<&'static Object> {
    OBJECTS.iter().find(|o| o.nid == nid)
}

/// Looks an object up by dotted OID, or also by short or long name when `names` is set.
pub fn by_text(text: &str, names: bool) -> Option<&'static Object> {
    OBJECTS
        .iter()
        .find(|o| o.oid == text || (names && (o.short_name == text || o.long_name == text)))
}

/// Looks an object up by dotted OID.
pub fn by_dotted(dotted: &str) -> Option<&'static Object> {
    OBJECTS
        .binary_search_by(|o| o.oid.cmp(dotted))
        .ok()
        .and_then(|i| OBJECTS.get(i))
}

/// OpenSSL's short name for the object with this long name, e.g. `CN` for
/// `commonName`; the long name itself when there is none.
pub fn short_name_of(long_name: &str) -> &str {
    OBJECTS
        .iter()
        .find(|o| o.long_name == long_name)
        .map_or(long_name, |o| o.short_name)
}

// Encoded contents of the object identifiers the parsers look for.
pub(crate) const SUBJECT_KEY_ID: &[u8] = &[0x55, 0x1d, 0x0e]; // 2.5.29.14
pub(crate) const KEY_USAGE: &[u8] = &[0x55, 0x1d, 0x0f]; // 2.5.29.15
pub(crate) const SUBJECT_ALT_NAME: &[u8] = &[0x55, 0x1d, 0x11]; // 2.5.29.17
pub(crate) const BASIC_CONSTRAINTS: &[u8] = &[0x55, 0x1d, 0x13]; // 2.5.29.19
pub(crate) const NAME_CONSTRAINTS: &[u8] = &[0x55, 0x1d, 0x1e]; // 2.5.29.30
pub(crate) const CRL_DISTRIBUTION_POINTS: &[u8] = &[0x55, 0x1d, 0x1f]; // 2.5.29.31
pub(crate) const AUTHORITY_KEY_ID: &[u8] = &[0x55, 0x1d, 0x23]; // 2.5.29.35
pub(crate) const EXT_KEY_USAGE: &[u8] = &[0x55, 0x1d, 0x25]; // 2.5.29.37
pub(crate) const AUTHORITY_INFO_ACCESS: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x01];
pub(crate) const AD_OCSP: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01];
pub(crate) const AD_CA_ISSUERS: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x02];
pub(crate) const NETSCAPE_CERT_TYPE: &[u8] =
    &[0x60, 0x86, 0x48, 0x01, 0x86, 0xf8, 0x42, 0x01, 0x01];

/// OpenSSL refuses to print identifiers with longer encodings (CVE-2023-2650).
const MAX_PRINTABLE_LEN: usize = 586;

/// Checks an OBJECT IDENTIFIER's contents the way OpenSSL's decoder does.
pub(crate) fn check(body: &[u8]) -> Result<()> {
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

/// The dotted form of an OBJECT IDENTIFIER that passed [`check`].
pub(crate) fn dotted(body: &[u8]) -> String {
    if let Some(text) = dotted_small(body) {
        return text;
    }
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

/// [`dotted`] without big-number arithmetic, for an OID whose arcs all fit
/// in 64 bits (every OID rustssl knows); `None` otherwise.
fn dotted_small(body: &[u8]) -> Option<String> {
    use std::fmt::Write;
    let mut out = String::with_capacity(body.len() * 3);
    let mut arc: u64 = 0;
    let mut first = true;
    for &b in body {
        if arc > u64::MAX >> 7 {
            return None;
        }
        arc = (arc << 7) | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            if first {
                // The first sub-identifier packs the first two arcs.
                let root = match arc {
                    0..=39 => 0,
                    40..=79 => 1,
                    _ => 2,
                };
                write!(out, "{root}.{}", arc - 40 * root).ok()?;
                first = false;
            } else {
                write!(out, ".{arc}").ok()?;
            }
            arc = 0;
        }
    }
    Some(out)
}

/// An OID as OpenSSL names it in text: its long name when it has one, else dotted.
pub(crate) fn text(body: &[u8]) -> Result<String> {
    if body.len() > MAX_PRINTABLE_LEN {
        return bad("object identifier too long to print");
    }
    let dotted = dotted(body);
    Ok(by_dotted(&dotted).map_or(dotted, |o| o.long_name.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_agree() {
        let a = by_nid(129).unwrap();
        assert_eq!(by_text("1.3.6.1.5.5.7.3.1", false), Some(a));
        assert_eq!(by_text("serverAuth", true), Some(a));
        assert_eq!(by_text("serverAuth", false), None);
        assert_eq!(by_text("serverauth", true), None);
        assert_eq!(by_nid(100_000), None);
        assert_eq!(by_dotted("2.5.4.3").map(|o| o.short_name), Some("CN"));
        assert_eq!(short_name_of("streetAddress"), "street");
        assert_eq!(short_name_of("no such name"), "no such name");
    }

    #[test]
    fn table_is_sorted_and_unique() {
        assert!(
            OBJECTS.windows(2).all(|w| w[0].oid < w[1].oid),
            "table must stay sorted by dotted OID"
        );
        for o in OBJECTS {
            assert_eq!(by_nid(o.nid), Some(o), "NID {} repeated", o.nid);
        }
    }

    #[test]
    fn dotted_forms() {
        assert_eq!(dotted(&[0x2a, 0x03]), "1.2.3");
        assert_eq!(dotted(&[0x88, 0x37, 0x01]), "2.999.1");
        assert_eq!(dotted(&[0x00]), "0.0");
        let huge = [
            0x69, 0x83, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00,
        ];
        assert_eq!(dotted(&huge), "2.25.453347182355485940514816");
        assert!(check(&[0x2a, 0x80, 0x01]).is_err());
        assert!(check(&[]).is_err());
        assert!(check(&[0x2a, 0x81]).is_err());
        assert_eq!(text(&[0x55, 0x04, 0x03]).unwrap(), "commonName");
        assert!(text(&[0x2a; 600]).is_err());
    }
}
