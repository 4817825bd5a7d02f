//! The numeric constants of Python's `_ssl`, with the stdlib's values.
//!
//! Values follow OpenSSL's so that code written against the stdlib (masks,
//! comparisons, pickled settings) keeps working unchanged.

/// Every integer constant the extension module exports, by its Python name.
pub const INTEGER_CONSTANTS: &[(&str, i64)] = &[
    // TLS alert descriptions (RFC 8446 section 6).
    ("ALERT_DESCRIPTION_ACCESS_DENIED", 49),
    ("ALERT_DESCRIPTION_BAD_CERTIFICATE", 42),
    ("ALERT_DESCRIPTION_BAD_CERTIFICATE_HASH_VALUE", 114),
    ("ALERT_DESCRIPTION_BAD_CERTIFICATE_STATUS_RESPONSE", 113),
    ("ALERT_DESCRIPTION_BAD_RECORD_MAC", 20),
    ("ALERT_DESCRIPTION_CERTIFICATE_EXPIRED", 45),
    ("ALERT_DESCRIPTION_CERTIFICATE_REVOKED", 44),
    ("ALERT_DESCRIPTION_CERTIFICATE_UNKNOWN", 46),
    ("ALERT_DESCRIPTION_CERTIFICATE_UNOBTAINABLE", 111),
    ("ALERT_DESCRIPTION_CLOSE_NOTIFY", 0),
    ("ALERT_DESCRIPTION_DECODE_ERROR", 50),
    ("ALERT_DESCRIPTION_DECOMPRESSION_FAILURE", 30),
    ("ALERT_DESCRIPTION_DECRYPT_ERROR", 51),
    ("ALERT_DESCRIPTION_HANDSHAKE_FAILURE", 40),
    ("ALERT_DESCRIPTION_ILLEGAL_PARAMETER", 47),
    ("ALERT_DESCRIPTION_INSUFFICIENT_SECURITY", 71),
    ("ALERT_DESCRIPTION_INTERNAL_ERROR", 80),
    ("ALERT_DESCRIPTION_NO_RENEGOTIATION", 100),
    ("ALERT_DESCRIPTION_PROTOCOL_VERSION", 70),
    ("ALERT_DESCRIPTION_RECORD_OVERFLOW", 22),
    ("ALERT_DESCRIPTION_UNEXPECTED_MESSAGE", 10),
    ("ALERT_DESCRIPTION_UNKNOWN_CA", 48),
    ("ALERT_DESCRIPTION_UNKNOWN_PSK_IDENTITY", 115),
    ("ALERT_DESCRIPTION_UNRECOGNIZED_NAME", 112),
    ("ALERT_DESCRIPTION_UNSUPPORTED_CERTIFICATE", 43),
    ("ALERT_DESCRIPTION_UNSUPPORTED_EXTENSION", 110),
    ("ALERT_DESCRIPTION_USER_CANCELLED", 90),
    // Certificate requirement (verify_mode).
    ("CERT_NONE", 0),
    ("CERT_OPTIONAL", 1),
    ("CERT_REQUIRED", 2),
    // Certificate encodings.
    ("ENCODING_DER", 2),
    ("ENCODING_PEM", 1),
    // Host-name check flags (SSLContext._host_flags).
    ("HOSTFLAG_ALWAYS_CHECK_SUBJECT", 1),
    ("HOSTFLAG_MULTI_LABEL_WILDCARDS", 8),
    ("HOSTFLAG_NEVER_CHECK_SUBJECT", 32),
    ("HOSTFLAG_NO_PARTIAL_WILDCARDS", 4),
    ("HOSTFLAG_NO_WILDCARDS", 2),
    ("HOSTFLAG_SINGLE_LABEL_SUBDOMAINS", 16),
    // Context options; values are OpenSSL's so masks written for the stdlib keep working.
    ("OP_ALL", 0x80000050),
    ("OP_CIPHER_SERVER_PREFERENCE", 0x400000),
    ("OP_ENABLE_KTLS", 0x8),
    ("OP_ENABLE_MIDDLEBOX_COMPAT", 0x100000),
    ("OP_IGNORE_UNEXPECTED_EOF", 0x80),
    ("OP_LEGACY_SERVER_CONNECT", 0x4),
    ("OP_NO_COMPRESSION", 0x20000),
    ("OP_NO_RENEGOTIATION", 0x40000000),
    ("OP_NO_SSLv2", 0x0),
    ("OP_NO_SSLv3", 0x2000000),
    ("OP_NO_TICKET", 0x4000),
    ("OP_NO_TLSv1", 0x4000000),
    ("OP_NO_TLSv1_1", 0x10000000),
    ("OP_NO_TLSv1_2", 0x8000000),
    ("OP_NO_TLSv1_3", 0x20000000),
    ("OP_SINGLE_DH_USE", 0x0),
    ("OP_SINGLE_ECDH_USE", 0x0),
    // Protocol selectors for SSLContext(); SSLv3 has none, as on OpenSSL builds without it.
    ("PROTOCOL_TLS", 2),
    ("PROTOCOL_SSLv23", 2),
    ("PROTOCOL_TLSv1", 3),
    ("PROTOCOL_TLSv1_1", 4),
    ("PROTOCOL_TLSv1_2", 5),
    ("PROTOCOL_TLS_CLIENT", 16),
    ("PROTOCOL_TLS_SERVER", 17),
    // TLS versions for minimum_version/maximum_version.
    ("PROTO_MAXIMUM_SUPPORTED", -1),
    ("PROTO_MINIMUM_SUPPORTED", -2),
    ("PROTO_SSLv3", 768),
    ("PROTO_TLSv1", 769),
    ("PROTO_TLSv1_1", 770),
    ("PROTO_TLSv1_2", 771),
    ("PROTO_TLSv1_3", 772),
    // SSLError.errno values.
    ("SSL_ERROR_EOF", 8),
    ("SSL_ERROR_INVALID_ERROR_CODE", 10),
    ("SSL_ERROR_SSL", 1),
    ("SSL_ERROR_SYSCALL", 5),
    ("SSL_ERROR_WANT_CONNECT", 7),
    ("SSL_ERROR_WANT_READ", 2),
    ("SSL_ERROR_WANT_WRITE", 3),
    ("SSL_ERROR_WANT_X509_LOOKUP", 4),
    ("SSL_ERROR_ZERO_RETURN", 6),
    // Verification flags (verify_flags).
    ("VERIFY_ALLOW_PROXY_CERTS", 64),
    ("VERIFY_CRL_CHECK_CHAIN", 12),
    ("VERIFY_CRL_CHECK_LEAF", 4),
    ("VERIFY_DEFAULT", 0),
    ("VERIFY_X509_PARTIAL_CHAIN", 524288),
    ("VERIFY_X509_STRICT", 32),
    ("VERIFY_X509_TRUSTED_FIRST", 32768),
];

/// The `HAS_*` feature flags. They tell the truth about this build: rustls
/// has no SSLv2/SSLv3/TLS 1.0/TLS 1.1, no NPN and no external PSK, and does
/// not expose the Finished message that `tls-unique` needs.
pub const FEATURE_FLAGS: &[(&str, bool)] = &[
    ("HAS_ALPN", true),
    ("HAS_ECDH", true),
    ("HAS_NEVER_CHECK_COMMON_NAME", true),
    ("HAS_NPN", false),
    ("HAS_PSK", false),
    ("HAS_PHA", false),
    ("HAS_SNI", true),
    ("HAS_SSLv2", false),
    ("HAS_SSLv3", false),
    ("HAS_TLS_UNIQUE", false),
    ("HAS_TLSv1", false),
    ("HAS_TLSv1_1", false),
    ("HAS_TLSv1_2", true),
    ("HAS_TLSv1_3", true),
];

/// Looks up one integer constant by name.
pub fn integer(name: &str) -> Option<i64> {
    INTEGER_CONSTANTS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| *v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique() {
        let mut names: Vec<_> = INTEGER_CONSTANTS.iter().map(|(n, _)| *n).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len());
    }

    #[test]
    fn legacy_protocols_are_absent() {
        let has = |n: &str| FEATURE_FLAGS.iter().find(|(k, _)| *k == n).map(|(_, v)| *v);
        for name in [
            "HAS_SSLv2",
            "HAS_SSLv3",
            "HAS_TLSv1",
            "HAS_TLSv1_1",
            "HAS_NPN",
            "HAS_PSK",
        ] {
            assert_eq!(has(name), Some(false), "{name}");
        }
        assert_eq!(integer("PROTOCOL_SSLv3"), None);
        assert_eq!(integer("OP_NO_TLSv1_3"), Some(0x2000_0000));
    }
}
