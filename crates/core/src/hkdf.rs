//! TLS 1.3's key schedule on HMAC keys prepared once per secret.
//!
//! rustls' aws-lc-rs suites expand every secret with aws-lc's one-shot
//! `HKDF_expand`, which hashes the secret into HMAC's inner and outer pads
//! again on each expansion; a secret that came out of an extraction is not
//! even kept: each expansion of it runs the extraction again (`HKDF`). A
//! resumed handshake expands its secrets about fifty times, so that was a
//! third of its SHA-384 work.
//!
//! The suites here are rustls' own (same AEAD, hash and limits), with the
//! HKDF rustls builds on an HMAC (`HkdfUsingHmac`): each secret becomes an
//! aws-lc HMAC key once, its pads hashed once, and every expansion reuses
//! it. The derived bytes are the same by definition (RFC 5869), which every
//! handshake against OpenSSL checks.

use std::sync::LazyLock;

use aws_lc_rs::hmac as lc;
use rustls::crypto::hash::HashAlgorithm;
use rustls::crypto::hmac::{Hmac, Key, Tag};
use rustls::crypto::tls13::HkdfUsingHmac;
use rustls::{CipherSuiteCommon, SupportedCipherSuite, Tls13CipherSuite};

/// HMAC over aws-lc-rs, its key state prepared once per key.
struct KeyedHmac(&'static lc::Algorithm);

/// One prepared HMAC key.
struct PreparedKey(lc::Key);

impl Hmac for KeyedHmac {
    fn with_key(&self, key: &[u8]) -> Box<dyn Key> {
        Box::new(PreparedKey(lc::Key::new(*self.0, key)))
    }

    fn hash_output_len(&self) -> usize {
        self.0.digest_algorithm().output_len()
    }

    fn fips(&self) -> bool {
        aws_lc_rs::try_fips_mode().is_ok()
    }
}

impl Key for PreparedKey {
    fn sign_concat(&self, first: &[u8], middle: &[&[u8]], last: &[u8]) -> Tag {
        let mut ctx = lc::Context::with_key(&self.0);
        ctx.update(first);
        for part in middle {
            ctx.update(part);
        }
        ctx.update(last);
        Tag::new(ctx.sign().as_ref())
    }

    fn tag_len(&self) -> usize {
        self.0.algorithm().digest_algorithm().output_len()
    }
}

static HMAC_SHA256: KeyedHmac = KeyedHmac(&lc::HMAC_SHA256);
static HMAC_SHA384: KeyedHmac = KeyedHmac(&lc::HMAC_SHA384);
static HKDF_SHA256: HkdfUsingHmac<'static> = HkdfUsingHmac(&HMAC_SHA256);
static HKDF_SHA384: HkdfUsingHmac<'static> = HkdfUsingHmac(&HMAC_SHA384);

/// rustls' TLS 1.3 suites, each with the keyed HKDF of its hash.
static KEYED: LazyLock<Vec<Tls13CipherSuite>> = LazyLock::new(|| {
    rustls::crypto::aws_lc_rs::ALL_CIPHER_SUITES
        .iter()
        .filter_map(|s| match s {
            SupportedCipherSuite::Tls13(suite) => keyed(suite),
            SupportedCipherSuite::Tls12(_) => None,
        })
        .collect()
});

/// `suite` with the keyed HKDF, if its hash is one this module has.
fn keyed(suite: &Tls13CipherSuite) -> Option<Tls13CipherSuite> {
    let hkdf: &'static HkdfUsingHmac<'static> = match suite.common.hash_provider.algorithm() {
        HashAlgorithm::SHA256 => &HKDF_SHA256,
        HashAlgorithm::SHA384 => &HKDF_SHA384,
        _ => return None,
    };
    Some(Tls13CipherSuite {
        common: CipherSuiteCommon {
            suite: suite.common.suite,
            hash_provider: suite.common.hash_provider,
            confidentiality_limit: suite.common.confidentiality_limit,
        },
        hkdf_provider: hkdf,
        aead_alg: suite.aead_alg,
        quic: suite.quic,
    })
}

/// The suite to configure for `suite`: the keyed-HKDF version of a TLS 1.3
/// suite, anything else unchanged.
pub(crate) fn with_keyed_hkdf(suite: SupportedCipherSuite) -> SupportedCipherSuite {
    let SupportedCipherSuite::Tls13(_) = suite else {
        return suite;
    };
    KEYED
        .iter()
        .find(|k| k.common.suite == suite.suite())
        .map_or(suite, SupportedCipherSuite::Tls13)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::crypto::tls13::Hkdf;

    /// RFC 5869, test case 1 (SHA-256): extraction and expansion.
    #[test]
    fn rfc5869_case_1() {
        let ikm = [0x0b; 22];
        let salt: Vec<u8> = (0x00..=0x0c).collect();
        let info: Vec<u8> = (0xf0..=0xf9).collect();
        let mut okm = [0u8; 42];
        HKDF_SHA256
            .extract_from_secret(Some(&salt), &ikm)
            .expand_slice(&[&info], &mut okm)
            .unwrap();
        let want = "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf\
                    34007208d5b887185865";
        assert_eq!(hex(&okm), want);
    }

    /// The same through aws-lc's one-shot HKDF, for SHA-384 and long output.
    #[test]
    fn matches_aws_lc_hkdf_sha384() {
        let salt = [7u8; 48];
        let secret = [42u8; 48];
        let info: [&[u8]; 2] = [b"tls13 ", b"c hs traffic"];
        let mut ours = [0u8; 100];
        HKDF_SHA384
            .extract_from_secret(Some(&salt), &secret)
            .expand_slice(&info, &mut ours)
            .unwrap();
        let mut theirs = [0u8; 100];
        aws_lc_rs::hkdf::Salt::new(aws_lc_rs::hkdf::HKDF_SHA384, &salt)
            .extract(&secret)
            .expand(&info, Len(100))
            .unwrap()
            .fill(&mut theirs)
            .unwrap();
        assert_eq!(ours, theirs);
    }

    #[test]
    fn every_tls13_suite_is_replaced_in_place() {
        for suite in rustls::crypto::aws_lc_rs::ALL_CIPHER_SUITES {
            let mapped = with_keyed_hkdf(*suite);
            assert_eq!(mapped.suite(), suite.suite());
            match (suite, mapped) {
                (SupportedCipherSuite::Tls13(old), SupportedCipherSuite::Tls13(new)) => {
                    assert!(!std::ptr::eq(*old, new));
                    assert!(new.can_resume_from(old).is_some());
                    assert_eq!(new.fips(), old.fips());
                }
                (SupportedCipherSuite::Tls12(old), SupportedCipherSuite::Tls12(new)) => {
                    assert!(std::ptr::eq(*old, new));
                }
                _ => panic!("{:?} changed version", suite.suite()),
            }
        }
    }

    struct Len(usize);

    impl aws_lc_rs::hkdf::KeyType for Len {
        fn len(&self) -> usize {
            self.0
        }
    }

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }
}
