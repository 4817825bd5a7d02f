//! The cipher-string parser against OpenSSL's own answers, and its table.

use rustls::crypto::aws_lc_rs::ALL_CIPHER_SUITES;
use rustls::{CipherSuite, SupportedCipherSuite};

use super::engine::run_rules;
use super::pattern::traits_of;
use super::seclevel::{minimum_bits, MAX_ENFORCED_LEVEL};
use super::*;

const CASES: &str = include_str!("../../../../tests/data/cipher_expected.txt");
const INFO: &str = include_str!("../../../../tests/data/cipher_info_expected.txt");

/// The data lines of an expectations file.
fn data_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().filter(|l| !l.starts_with("##"))
}

/// Undoes the generator's backslash escapes.
fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// Compares one oracle case; `Err` describes the mismatch.
fn check_case(line: &str) -> Result<(), String> {
    let cols: Vec<&str> = line.split('\t').collect();
    assert_eq!(cols.len(), 4, "bad data line {line:?}");
    let input = unescape(cols[0]);
    let got = parse(&input);
    let mismatch = |what: String| Err(format!("{input:?}: {what}, got {got:?}"));
    // The number of suites OpenSSL selected, its own included, checks
    // the table of the suites rustls lacks.
    let count = run_rules(&input)
        .ok()
        .map(|e| e.slots.iter().filter(|s| s.active).count());
    if cols[3] != "-" && count.map(|c| c.to_string()).as_deref() != Some(cols[3]) {
        return mismatch(format!(
            "expected {} suites in all, counted {count:?}",
            cols[3]
        ));
    }
    match (cols[1], &got) {
        ("!ERR", Err(_)) => Ok(()),
        ("!ERR", Ok(_)) => mismatch("expected an error".into()),
        (_, Err(_)) => mismatch(format!("expected {:?}", cols[1])),
        (names, Ok(sel)) => {
            let level = sel
                .security_level
                .map_or("-".to_string(), |l| l.to_string());
            if sel.names().join(":") != names || level != cols[2] {
                return mismatch(format!("expected {names} level {}", cols[2]));
            }
            Ok(())
        }
    }
}

/// Oracle cases we knowingly differ on (none since the suites rustls
/// lacks joined the rules).
const KNOWN_DEVIATIONS: &[&str] = &[];

#[test]
fn cipher_strings_match_openssl() {
    let lines: Vec<&str> = data_lines(CASES).collect();
    let failures: Vec<(String, String)> = lines
        .iter()
        .filter_map(|l| {
            check_case(l)
                .err()
                .map(|e| (unescape(l.split('\t').next().unwrap_or("")), e))
        })
        .collect();
    println!(
        "{} of {} oracle strings match",
        lines.len() - failures.len(),
        lines.len()
    );
    assert!(lines.len() >= 40);
    let unexpected: Vec<&str> = failures
        .iter()
        .filter(|(input, _)| !KNOWN_DEVIATIONS.contains(&input.as_str()))
        .map(|(_, e)| e.as_str())
        .collect();
    assert!(
        unexpected.is_empty(),
        "mismatches:\n{}",
        unexpected.join("\n")
    );
    for known in KNOWN_DEVIATIONS {
        assert!(
            failures.iter().any(|(input, _)| input == known),
            "{known:?} now matches"
        );
    }
}

#[test]
fn cipher_info_matches_stdlib() {
    let rows: Vec<Vec<&str>> = data_lines(INFO).map(|l| l.split('\t').collect()).collect();
    assert_eq!(rows.len(), all().len());
    for (row, info) in rows.iter().zip(all()) {
        let digest = info.digest.unwrap_or("-");
        let got = [
            info.name.to_string(),
            info.id.to_string(),
            info.protocol.to_string(),
            info.strength_bits.to_string(),
            info.alg_bits.to_string(),
            info.aead.to_string(),
            info.symmetric.to_string(),
            digest.to_string(),
            info.kea.to_string(),
            info.auth.to_string(),
            info.description(),
        ];
        assert_eq!(row.as_slice(), got.as_slice());
    }
}

#[test]
fn table_covers_exactly_the_provider() {
    let mut ours: Vec<u16> = all().iter().map(|c| u16::from(c.suite)).collect();
    let mut theirs: Vec<u16> = ALL_CIPHER_SUITES
        .iter()
        .map(|s| u16::from(s.suite()))
        .collect();
    ours.sort_unstable();
    theirs.sort_unstable();
    assert_eq!(ours, theirs);
    for c in all() {
        assert_eq!(c.id, 0x0300_0000 | u32::from(u16::from(c.suite)));
        assert!(c.supported().is_some());
        assert_eq!(c.is_tls13(), traits_of(c.suite).is_none());
    }
}

#[test]
fn lookups() {
    let c = by_name("ECDHE-RSA-AES128-GCM-SHA256").unwrap();
    assert_eq!(c.suite, CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256);
    assert_eq!(by_name("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"), Some(c));
    assert_eq!(by_suite(c.suite), Some(c));
    assert_eq!(c.iana_name(), "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    let t = by_name("TLS_AES_128_GCM_SHA256").unwrap();
    assert_eq!(t.iana_name(), "TLS_AES_128_GCM_SHA256");
    assert!(by_name("AES256-SHA").is_none());
    assert!(by_name("ecdhe-rsa-aes128-gcm-sha256").is_none());
    assert!(by_suite(CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA).is_none());
}

#[test]
fn default_string_and_rustls_list() {
    let sel = parse(DEFAULT_CIPHER_STRING).unwrap();
    assert_eq!(sel.security_level, Some(2));
    let suites: Vec<CipherSuite> = sel.to_rustls().iter().map(|s| s.suite()).collect();
    assert_eq!(suites.len(), 9);
    assert_eq!(suites[0], CipherSuite::TLS13_AES_256_GCM_SHA384);
    assert_eq!(
        suites[3],
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
    );
    assert_eq!(
        suites[8],
        CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256
    );
}

#[test]
fn security_levels() {
    let at = |level| {
        all()
            .iter()
            .filter(|c| c.meets_security_level(level))
            .count()
    };
    // Every suite rustls has is forward secret, authenticated and AEAD, so
    // only the strength in bits decides, as in OpenSSL.
    assert_eq!(
        (at(0), at(1), at(2), at(3), at(4), at(5)),
        (9, 9, 9, 9, 6, 6)
    );
    assert!(!by_name("TLS_AES_128_GCM_SHA256")
        .unwrap()
        .meets_security_level(4));
    assert!(allowed(CipherSuite::TLS13_AES_256_GCM_SHA384, 9));
    assert!(!allowed(
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        4
    ));
    assert!(!allowed(CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256, 0));
}

#[test]
fn security_level_rules_follow_openssl() {
    let base = *by_name("ECDHE-RSA-AES128-GCM-SHA256").unwrap();
    let with = |f: fn(&mut CipherInfo)| {
        let mut c = base;
        f(&mut c);
        (0..=5).filter(|&l| c.meets_security_level(l)).count()
    };
    // Unauthenticated and MD5 suites pass only level 0.
    assert_eq!(with(|c| c.auth = "auth-null"), 1);
    assert_eq!(with(|c| c.digest = Some("md5")), 1);
    // A SHA-1 MAC is 160 bits: below level 4's 192.
    assert_eq!(with(|c| c.digest = Some("sha1")), 4);
    // Level 3 on needs forward secrecy.
    assert_eq!(with(|c| c.kea = "kx-rsa"), 3);
    assert_eq!(with(|c| c.strength_bits = 112), 3);
    assert_eq!(minimum_bits(2), 112);
}

#[test]
fn selections_apply_and_check_their_level() {
    let at4 = parse("ECDHE+AESGCM:@SECLEVEL=4").unwrap();
    // OpenSSL keeps every suite in the list (get_ciphers() shows them) ...
    assert_eq!(at4.tls12.len(), 4);
    // ... but offers only those the level allows.
    let offered: Vec<CipherSuite> = at4.to_rustls().iter().map(|s| s.suite()).collect();
    assert_eq!(
        offered,
        [
            CipherSuite::TLS13_AES_256_GCM_SHA384,
            CipherSuite::TLS13_CHACHA20_POLY1305_SHA256,
            CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
            CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        ]
    );
    assert!(matches!(
        at4.check_security_level(),
        Err(crate::Error::Bare(why)) if why.starts_with("@SECLEVEL=4 cannot be enforced")
    ));
    for s in [
        "ALL",
        "ALL:@SECLEVEL=0",
        "ALL:@SECLEVEL=2",
        DEFAULT_CIPHER_STRING,
    ] {
        assert!(parse(s).unwrap().check_security_level().is_ok(), "{s}");
    }
}

#[test]
fn levels_above_two_are_refused_with_a_reason() {
    for level in 0..=MAX_ENFORCED_LEVEL {
        assert_eq!(unenforceable(level), None);
    }
    for level in 3..=5 {
        let why = unenforceable(level).unwrap();
        assert!(why.starts_with(&format!("@SECLEVEL={level} cannot be enforced")));
        assert!(why.contains("key sizes"));
    }
}

#[test]
fn errors_are_distinguishable() {
    assert_eq!(parse("3DES"), Err(CipherStringError::NoCipherSelected));
    assert_eq!(parse("FOO"), Err(CipherStringError::NoCipherSelected));
    assert!(matches!(
        parse("ALL:#"),
        Err(CipherStringError::Syntax { position: 4, .. })
    ));
    assert!(matches!(
        parse("DEFAULT:@X"),
        Err(CipherStringError::Syntax { position: 9, .. })
    ));
    assert!(matches!(
        parse("ALL\0"),
        Err(CipherStringError::Syntax { position: 3, .. })
    ));
    assert_eq!(
        CipherStringError::NoCipherSelected.to_string(),
        "No cipher can be selected"
    );
}

#[test]
fn aliases_of_absent_suites_leave_tls12_empty() {
    // OpenSSL accepts these (they select CBC, RSA-key-exchange or DHE
    // suites); rustls has none of them, so TLS 1.2 gets no suite and
    // TLS 1.3, which cipher strings never touch, keeps all of its own.
    for s in [
        "TLSv1",
        "TLSv1.0",
        "SSLv3",
        "SHA1",
        "SHA",
        "SHA256",
        "AES128-SHA",
        "AES256-SHA:CAMELLIA128-SHA",
        "kRSA",
        "RSA",
        "DHE",
        "EDH",
        "CBC",
        "CAMELLIA",
        "ARIA",
        "AESCCM",
        "PSK",
        "SRP",
        "eNULL",
        "COMPLEMENTOFALL",
        "HIGH:!ECDHE",
        "ALL:!ECDHE",
        "DHE-RSA-AES256-GCM-SHA384",
    ] {
        let sel = parse(s).unwrap_or_else(|e| panic!("{s:?}: {e}"));
        assert!(sel.tls12.is_empty(), "{s:?}: {:?}", sel.names());
        let suites = sel.to_rustls();
        assert_eq!(suites.len(), 3, "{s:?}");
        assert!(suites
            .iter()
            .all(|s| matches!(s, SupportedCipherSuite::Tls13(_))));
    }
    // A selection that includes a rustls suite keeps only that one.
    assert_eq!(
        parse("TLSv1:ECDHE-RSA-AES128-GCM-SHA256").map(|s| s.names()),
        Ok(vec!["ECDHE-RSA-AES128-GCM-SHA256"])
    );
    // What OpenSSL rejects still fails.
    for s in ["FOO", "3DES", "RC4", "TLSv1.3", "!ALL", "ALL:!ALL", ""] {
        assert_eq!(parse(s), Err(CipherStringError::NoCipherSelected), "{s:?}");
    }
}

/// A tiny deterministic generator for the no-panic sweep.
struct Lcg(u64);

impl Lcg {
    /// The next pseudo-random value below `n`.
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n
    }
}

#[test]
fn never_panics() {
    const TOKENS: &[&str] = &[
        ":",
        "+",
        "-",
        "!",
        "@",
        ",",
        " ",
        ";",
        "=",
        "#",
        "é",
        "\0",
        "ALL",
        "DEFAULT",
        "ECDSA",
        "aRSA",
        "AES128",
        "CHACHA20",
        "STRENGTH",
        "SECLEVEL=",
        "3",
        "9",
        "SUITEB128",
        "FIPS",
        "TLSv1",
        "ECDHE-RSA-AES128-GCM-SHA256",
        "FOO",
        "HIGH",
        "COMPLEMENTOFDEFAULT",
    ];
    let mut rng = Lcg(42);
    for _ in 0..20_000 {
        let len = rng.below(12);
        let s: String = (0..len).map(|_| TOKENS[rng.below(TOKENS.len())]).collect();
        if let Ok(sel) = parse(&s) {
            // Accepted means OpenSSL would select some suite, maybe none of rustls'.
            assert!(run_rules(&s).is_ok_and(|e| e.slots.iter().any(|s| s.active)));
            assert!(sel.tls12.iter().all(|c| !c.is_tls13()));
            assert!(sel.security_level.is_none_or(|l| l <= 5));
        }
    }
    for n in 0..=255u8 {
        let s = String::from_utf8_lossy(&[n, b'A', n]).into_owned();
        let _ = parse(&s);
    }
}
