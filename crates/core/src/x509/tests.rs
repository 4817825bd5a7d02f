//! Unit tests of the certificate decoder against hand-built certificates.

use super::print::{format_serial, format_time};
use super::*;
use crate::asn1::der::Error as DecodeError;
use crate::asn1::der::{
    ctx_cons, Tlv, BIT_STRING, BOOLEAN, GENERALIZED_TIME, INTEGER, OCTET_STRING, OID,
    PRINTABLE_STRING, SEQUENCE, SET, UTC_TIME, UTF8_STRING,
};
use crate::asn1::oid;
use crate::asn1::pem::first_certificate as pem_first_certificate;
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
                Err(err) => problems.push(format!("{name}: stdlib decoded it, we failed: {err}")),
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
    let oracle =
        std::fs::read_to_string(test_data().join("x509/san_everything.pem")).unwrap_or_default();
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
    certificate_issued(version, subject, subject, extensions)
}

/// [`certificate`] with an issuer name of its own.
fn certificate_issued(
    version: u8,
    issuer: &[u8],
    subject: &[u8],
    extensions: &[Vec<u8>],
) -> Vec<u8> {
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
        issuer,
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
        oid::BASIC_CONSTRAINTS,
        &tlv(SEQUENCE, &tlv(BOOLEAN, &[0xff])),
    );
    let ca_false = extension(oid::BASIC_CONSTRAINTS, &tlv(SEQUENCE, &[]));
    let sign_only = extension(oid::KEY_USAGE, &tlv(BIT_STRING, &[7, 0x80]));
    let cert_sign = extension(oid::KEY_USAGE, &tlv(BIT_STRING, &[1, 0x06]));

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
}

fn name_of(tag: u8, cn: &str) -> Vec<u8> {
    let attribute = [tlv(OID, &[0x55, 0x04, 0x03]), tlv(tag, cn.as_bytes())].concat();
    tlv(SEQUENCE, &tlv(SET, &tlv(SEQUENCE, &attribute)))
}

#[test]
fn self_signed_is_openssl_3_rule() {
    let root = common_name("Root");
    assert!(is_self_signed(&certificate(2, &root, &[])));
    // Names compare in canonical form: case, spacing and string type aside.
    let loose = name_of(PRINTABLE_STRING, "  ROOT ");
    assert!(is_self_signed(&certificate_issued(2, &loose, &root, &[])));
    assert!(!is_self_signed(&certificate_issued(
        2,
        &common_name("Other"),
        &root,
        &[]
    )));
    // An authority key identifier that names another key rules it out.
    let skid = extension(oid::SUBJECT_KEY_ID, &tlv(OCTET_STRING, &[1, 2]));
    let akid = |id: &[u8]| {
        extension(
            oid::AUTHORITY_KEY_ID,
            &tlv(SEQUENCE, &tlv(crate::asn1::der::ctx(0), id)),
        )
    };
    assert!(is_self_signed(&certificate(
        2,
        &root,
        &[skid.clone(), akid(&[1, 2])]
    )));
    assert!(!is_self_signed(&certificate(
        2,
        &root,
        &[skid.clone(), akid(&[3, 4])]
    )));
    // A repeated key identifier extension is invalid, never self-signed.
    assert!(!is_self_signed(&certificate(
        2,
        &root,
        &[skid.clone(), skid]
    )));
    // keyUsage without keyCertSign does not matter (OpenSSL 3.0).
    let sign_only = extension(oid::KEY_USAGE, &tlv(BIT_STRING, &[7, 0x80]));
    assert!(is_self_signed(&certificate(2, &root, &[sign_only])));
    assert!(!is_self_signed(b"not a certificate"));
}
