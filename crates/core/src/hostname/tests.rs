//! Unit tests of host-name and IP matching.

use super::*;

const DEFAULT: HostFlags = HostFlags(HostFlags::NO_PARTIAL_WILDCARDS);
const PARTIAL_OK: HostFlags = HostFlags(0);

fn m(pattern: &str, reference: &str, flags: HostFlags) -> bool {
    name_matches(pattern.as_bytes(), reference.as_bytes(), flags)
}

#[test]
fn literal_names_are_case_insensitive_and_exact() {
    assert!(m("WWW.Example.COM", "www.example.com", DEFAULT));
    assert!(!m("www.example.com", "www.example.com.", DEFAULT));
    assert!(m("example.com.", "example.com.", DEFAULT));
    assert!(m("a_b.example.com", "a_b.example.com", DEFAULT));
    assert!(!m("www.example.com\0", "www.example.com\0", DEFAULT));
    assert!(!m("", "", DEFAULT));
}

#[test]
fn whole_label_wildcards() {
    assert!(m("*.example.com", "www.example.com", DEFAULT));
    assert!(m("*.example.com", "-.example.com", DEFAULT));
    assert!(m("*.example.com", "xn--bcher-kva.example.com", DEFAULT));
    assert!(!m("*.example.com", ".example.com", DEFAULT));
    assert!(!m("*.example.com", "example.com", DEFAULT));
    assert!(!m("*.example.com", "a_b.example.com", DEFAULT));
    assert!(!m("*.example.com", "a.b.example.com", DEFAULT));
    let multi = HostFlags(HostFlags::MULTI_LABEL_WILDCARDS);
    assert!(m("*.example.com", "a.b.example.com", multi));
    assert!(!m(
        "*.example.com",
        "www.example.com",
        HostFlags(HostFlags::NO_WILDCARDS)
    ));
    assert!(m(
        "*.example.com",
        "*.example.com",
        HostFlags(HostFlags::NO_WILDCARDS)
    ));
    // A wildcard can stand for a literal star, but not for two.
    assert!(m("*.example.com", "*.example.com", DEFAULT));
    assert!(!m("*.example.com", "**.example.com", DEFAULT));
}

#[test]
fn too_few_labels_means_literal() {
    assert!(!m("*.com", "example.com", DEFAULT));
    assert!(m("*.com", "*.com", DEFAULT));
    assert!(!m("*.example", "a.example", PARTIAL_OK));
}

#[test]
fn partial_wildcards() {
    assert!(!m("f*.example.com", "foo.example.com", DEFAULT));
    assert!(m("f*.example.com", "foo.example.com", PARTIAL_OK));
    assert!(m("f*.example.com", "f.example.com", PARTIAL_OK));
    assert!(m("*o.example.com", "o.example.com", PARTIAL_OK));
    assert!(!m("*o.example.com", "xn--o.example.com", PARTIAL_OK));
    assert!(!m("f*o.example.com", "foo.example.com", PARTIAL_OK));
    assert!(m("f*o.example.com", "f*o.example.com", DEFAULT));
    assert!(!m("xn--*.example.com", "xn--a.example.com", PARTIAL_OK));
    assert!(!m("xn*.example.com", "xn--a.example.com", PARTIAL_OK));
    assert!(m("xn*.example.com", "xnz.example.com", PARTIAL_OK));
    // The hyphen quirk: a star does not reset "label ends in hyphen".
    assert!(!m("a-*.example.com", "a-b.example.com", PARTIAL_OK));
    assert!(m("*-a.example.com", "b-a.example.com", PARTIAL_OK));
}

#[test]
fn stars_outside_first_label_are_literal() {
    assert!(!m("www.*.example.com", "www.a.example.com", DEFAULT));
    assert!(m("www.*.example.com", "www.*.example.com", DEFAULT));
    assert!(!m("*.*.example.com", "a.b.example.com", DEFAULT));
    assert!(!m("*.example.com.", "www.example.com.", DEFAULT));
    assert!(!m("*.bad-.example.com", "x.bad-.example.com", DEFAULT));
}

fn ip(text: &str) -> Option<IpAddr> {
    match Reference::parse(text) {
        Reference::Ip(ip) => Some(ip),
        Reference::Dns(_) => None,
    }
}

#[test]
fn ipv4_references() {
    assert_eq!(ip("127.0.0.1"), Some("127.0.0.1".parse().unwrap()));
    assert_eq!(ip("01.002.3.4"), Some("1.2.3.4".parse().unwrap()));
    assert_eq!(ip(" 1.2.3.4"), Some("1.2.3.4".parse().unwrap()));
    assert_eq!(ip("1. +2.3.4 junk"), Some("1.2.3.4".parse().unwrap()));
    assert_eq!(ip("-0.2.3.4"), Some("0.2.3.4".parse().unwrap()));
    assert_eq!(ip("4294967297.2.3.4"), Some("1.2.3.4".parse().unwrap()));
    assert_eq!(ip("99999999999999999999.2.3.4"), None);
    for bad in [
        "1.2.3",
        "1.2.3.4.5",
        "1.2.3.4x",
        "1.2.3.256",
        "0x7f.0.0.1",
        "1 .2.3.4",
        "",
    ] {
        assert_eq!(ip(bad), None, "{bad:?}");
    }
}

#[test]
fn ipv6_references() {
    let one: IpAddr = "::1".parse().unwrap();
    assert_eq!(ip("::1"), Some(one));
    assert_eq!(ip("0:0:0:0:0:0:0:1"), Some(one));
    assert_eq!(ip("::"), Some("::".parse().unwrap()));
    assert_eq!(ip("1::"), Some("1::".parse().unwrap()));
    assert_eq!(
        ip("::FFFF:1.2.3.4"),
        Some("::ffff:1.2.3.4".parse().unwrap())
    );
    assert_eq!(
        ip("1:2:3:4:5:6:7::"),
        Some("1:2:3:4:5:6:7:0".parse().unwrap())
    );
    assert_eq!(
        ip("::2:3:4:5:6:7:8"),
        Some("0:2:3:4:5:6:7:8".parse().unwrap())
    );
    for bad in [
        "[::1]",
        ":::1",
        "1::2::3",
        "::1%lo",
        "2001:db8::00001",
        "1:",
        ":1",
        "1:2:3:4:5:6:7:8:9",
        "1:2:3:4:5:6:7:8::",
        "::1.2.3.4:1",
        "::1 ",
        "1:2:3:4:5:6:7:1.2.3.4",
    ] {
        assert_eq!(ip(bad), None, "{bad:?}");
    }
}

#[test]
fn dns_references_are_lower_cased_and_keep_trailing_dot() {
    assert_eq!(
        Reference::parse("WWW.Example.COM."),
        Reference::Dns("www.example.com.".into())
    );
    assert_eq!(Reference::parse("a\0"), Reference::Dns("a\0".into()));
}

#[test]
fn cn_string_types() {
    let bmp = [0, b'a', 0, b'.', 0, b'b'];
    assert_eq!(
        cn_to_utf8(Class::Universal, 30, &bmp).as_deref(),
        Some(&b"a.b"[..])
    );
    assert_eq!(cn_to_utf8(Class::Universal, 30, &[0, b'a', 0]), None);
    assert_eq!(cn_to_utf8(Class::Universal, 30, &[0xd8, 0]), None);
    let ucs4 = [0, 0, 0, b'a', 0, 0x11, 0, 0];
    assert_eq!(cn_to_utf8(Class::Universal, 28, &ucs4), None);
    assert_eq!(
        cn_to_utf8(Class::Universal, 20, &[0xe9]).as_deref(),
        Some(&b"\xc3\xa9"[..])
    );
    assert_eq!(cn_to_utf8(Class::Universal, 12, &[0xff]), None);
    assert_eq!(cn_to_utf8(Class::Universal, 4, b"a"), None);
    assert_eq!(cn_to_utf8(Class::ContextSpecific, 12, b"a"), None);
}

#[test]
fn general_names_parsing() {
    // SEQUENCE { [2] "a", [7] 01020304, [1] "x" }
    let der = [
        0x30, 0x0c, 0x82, 0x01, b'a', 0x87, 0x04, 1, 2, 3, 4, 0x81, 0x01, b'x',
    ];
    let names = alt_names(&der).unwrap();
    assert_eq!(names.dns, vec![&b"a"[..]]);
    assert_eq!(names.ip, vec![&[1u8, 2, 3, 4][..]]);
    assert!(alt_names(&[0x30, 0x03, 0x82, 0x05, b'a']).is_none());
    assert!(alt_names(&[0x30, 0x02, 0x04, 0x00]).is_none());
    assert!(alt_names(&[0x30, 0x80]).is_none());
    assert!(alt_names(&[0x31, 0x00]).is_none());
    assert!(alt_names(&[]).is_none());
    assert!(alt_names(&[0x30, 0x00]).is_some());
    // Every entry is decoded, not only DNS and IP ones: an otherName must
    // be constructed, so OpenSSL cannot decode (and refuses) this SAN.
    assert!(alt_names(&[0x30, 0x06, 0x82, 0x01, b'a', 0x80, 0x01, 0x00]).is_none());
}

#[test]
fn hostile_input_does_not_panic() {
    let refs = [Reference::parse("a.example.com"), Reference::parse("::1")];
    for len in 0..64 {
        let junk: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
        for r in &refs {
            assert_eq!(check(&junk, r, DEFAULT), Err(Mismatch::BadCertificate));
        }
    }
    for p in ["*", "*.", ".*", "*..", "a*", "*.a.", "-*.a.b", "*-", ""] {
        for r in ["", "*", ".", "a", "xn--", "a.b.c"] {
            let _ = m(p, r, PARTIAL_OK);
            let _ = m(p, r, HostFlags(u32::MAX));
        }
    }
}

/// Undoes the `\xNN` escaping of the generator.
fn unescape(text: &str) -> String {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' && bytes.get(i + 1) == Some(&b'x') {
            let hex = std::str::from_utf8(&bytes[i + 2..i + 4]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 4;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// Compares `check` with the OpenSSL handshake outcomes recorded by
/// `tests/data/gen_hostname_expected.py`.
#[test]
fn agrees_with_openssl_oracle() {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::CertificateDer;

    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/hostname");
    let table = std::fs::read_to_string(dir.join("expected.tsv")).unwrap();
    let (mut total, mut failures) = (0, Vec::new());
    for line in table
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let cols: Vec<&str> = line.split('\t').collect();
        let [cert, reference, flags, outcome] = cols[..] else {
            panic!("bad line {line:?}");
        };
        let der = CertificateDer::from_pem_file(dir.join(format!("{cert}.pem"))).unwrap();
        let reference = unescape(reference);
        let got = check(
            &der,
            &Reference::parse(&reference),
            HostFlags(flags.parse().unwrap()),
        );
        let agrees = match outcome {
            "ok" => got == Ok(()),
            "62" => got == Err(Mismatch::Hostname),
            "64" => got == Err(Mismatch::IpAddress),
            // CPython refuses the name itself; we must not accept it.
            "valueerror" => got.is_err(),
            _ => false,
        };
        total += 1;
        if !agrees {
            failures.push(format!(
                "{cert} {reference:?} flags={flags}: openssl {outcome}, got {got:?}"
            ));
        }
    }
    eprintln!("oracle: {} of {total} cases agree", total - failures.len());
    assert!(total >= 60, "only {total} oracle cases");
    assert!(
        failures.is_empty(),
        "{} of {total} disagree:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
