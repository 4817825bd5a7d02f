//! OpenSSL's TLS 1.2-and-older suites that rustls lacks, read from
//! `openssl_suites.tsv` (written by tests/data/gen_cipher_expected.py).
//!
//! The parser runs them through the rules only to learn whether OpenSSL
//! would select any suite, so a string OpenSSL accepts is accepted here even
//! when rustls has none of the suites it selects.

use std::sync::OnceLock;

/// The table, one suite per line, `#` lines being comments.
const TABLE: &str = include_str!("openssl_suites.tsv");

/// A TLS 1.2-and-older suite of OpenSSL's that rustls lacks, as OpenSSL
/// describes it (the `get_ciphers()` fields the cipher-string rules match on).
#[derive(Debug)]
pub(super) struct OpensslSuite {
    pub(super) name: &'static str,
    pub(super) protocol: &'static str,
    pub(super) strength_bits: u32,
    pub(super) kea: &'static str,
    pub(super) auth: &'static str,
    /// `"null"` for the eNULL suites.
    pub(super) symmetric: &'static str,
    /// `"aead"` for AEAD suites, which have no MAC of their own.
    pub(super) digest: &'static str,
    pub(super) fips: bool,
    pub(super) not_default: bool,
}

/// One data line of the table; `None` if it is malformed.
fn row(line: &'static str) -> Option<OpensslSuite> {
    let mut cols = line.split('\t');
    let mut next = || cols.next();
    let flag = |s: Option<&str>| match s {
        Some("true") => Some(true),
        Some("false") => Some(false),
        _ => None,
    };
    let suite = OpensslSuite {
        name: next()?,
        protocol: next()?,
        strength_bits: next()?.parse().ok()?,
        kea: next()?,
        auth: next()?,
        symmetric: next()?,
        digest: next()?,
        fips: flag(next())?,
        not_default: flag(next())?,
    };
    next().is_none().then_some(suite)
}

/// The data lines of the table.
fn data_lines() -> impl Iterator<Item = &'static str> {
    TABLE
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// Every suite of the table, in OpenSSL's order for `ALL:COMPLEMENTOFALL`,
/// parsed on first use. (A malformed line would be left out; the test below
/// keeps the checked-in table free of them.)
pub(super) fn absent() -> &'static [OpensslSuite] {
    static SUITES: OnceLock<Vec<OpensslSuite>> = OnceLock::new();
    SUITES.get_or_init(|| data_lines().filter_map(row).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_parses() {
        assert_eq!(absent().len(), data_lines().count());
        assert!(absent().len() > 100);
        let first = &absent()[0];
        assert_eq!(first.name, "DHE-DSS-AES256-GCM-SHA384");
        assert_eq!((first.strength_bits, first.fips), (256, true));
        assert!(row("A\tTLSv1.2\t256\tkx-dhe\tauth-dss\taes\taead\ttrue").is_none());
        assert!(row("A\tTLSv1.2\tx\tkx-dhe\tauth-dss\taes\taead\ttrue\tfalse").is_none());
    }
}
