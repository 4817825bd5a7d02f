//! The object identifiers `txt2obj`/`nid2obj` know, with OpenSSL's NIDs and names.

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

/// The objects rustssl can name: extended key usages and name attributes.
pub const OBJECTS: &[Object] = &[
    obj(13, "CN", "commonName", "2.5.4.3"),
    obj(14, "C", "countryName", "2.5.4.6"),
    obj(15, "L", "localityName", "2.5.4.7"),
    obj(16, "ST", "stateOrProvinceName", "2.5.4.8"),
    obj(17, "O", "organizationName", "2.5.4.10"),
    obj(18, "OU", "organizationalUnitName", "2.5.4.11"),
    obj(48, "emailAddress", "emailAddress", "1.2.840.113549.1.9.1"),
    obj(
        85,
        "subjectAltName",
        "X509v3 Subject Alternative Name",
        "2.5.29.17",
    ),
    obj(
        87,
        "basicConstraints",
        "X509v3 Basic Constraints",
        "2.5.29.19",
    ),
    obj(
        126,
        "extendedKeyUsage",
        "X509v3 Extended Key Usage",
        "2.5.29.37",
    ),
    obj(
        129,
        "serverAuth",
        "TLS Web Server Authentication",
        "1.3.6.1.5.5.7.3.1",
    ),
    obj(
        130,
        "clientAuth",
        "TLS Web Client Authentication",
        "1.3.6.1.5.5.7.3.2",
    ),
    obj(131, "codeSigning", "Code Signing", "1.3.6.1.5.5.7.3.3"),
    obj(
        132,
        "emailProtection",
        "E-mail Protection",
        "1.3.6.1.5.5.7.3.4",
    ),
    obj(133, "timeStamping", "Time Stamping", "1.3.6.1.5.5.7.3.8"),
    obj(180, "OCSPSigning", "OCSP Signing", "1.3.6.1.5.5.7.3.9"),
    obj(
        910,
        "anyExtendedKeyUsage",
        "Any Extended Key Usage",
        "2.5.29.37.0",
    ),
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
    }
}
