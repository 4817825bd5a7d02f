//! The numeric constants of Python's `_ssl`, with the stdlib's values.
//!
//! Values follow OpenSSL's so that code written against the stdlib (masks,
//! comparisons, pickled settings) keeps working unchanged.

/// Declares each integer constant once: as a typed Rust constant of this
/// module (named exactly as in Python) and as a row of [`INTEGER_CONSTANTS`],
/// the table the extension module exports.
macro_rules! integer_constants {
    ($($name:ident: $ty:ty = $value:expr;)*) => {
        $(
            #[doc = concat!("`ssl.", stringify!($name), "`.")]
            #[allow(non_upper_case_globals)]
            pub const $name: $ty = $value;
        )*
        /// Every integer constant the extension module exports, by its Python name.
        pub const INTEGER_CONSTANTS: &[(&str, i64)] = &[$((stringify!($name), $name as i64)),*];
    };
}

integer_constants! {
    // TLS alert descriptions (RFC 8446 section 6).
    ALERT_DESCRIPTION_ACCESS_DENIED: u8 = 49;
    ALERT_DESCRIPTION_BAD_CERTIFICATE: u8 = 42;
    ALERT_DESCRIPTION_BAD_CERTIFICATE_HASH_VALUE: u8 = 114;
    ALERT_DESCRIPTION_BAD_CERTIFICATE_STATUS_RESPONSE: u8 = 113;
    ALERT_DESCRIPTION_BAD_RECORD_MAC: u8 = 20;
    ALERT_DESCRIPTION_CERTIFICATE_EXPIRED: u8 = 45;
    ALERT_DESCRIPTION_CERTIFICATE_REVOKED: u8 = 44;
    ALERT_DESCRIPTION_CERTIFICATE_UNKNOWN: u8 = 46;
    ALERT_DESCRIPTION_CERTIFICATE_UNOBTAINABLE: u8 = 111;
    ALERT_DESCRIPTION_CLOSE_NOTIFY: u8 = 0;
    ALERT_DESCRIPTION_DECODE_ERROR: u8 = 50;
    ALERT_DESCRIPTION_DECOMPRESSION_FAILURE: u8 = 30;
    ALERT_DESCRIPTION_DECRYPT_ERROR: u8 = 51;
    ALERT_DESCRIPTION_HANDSHAKE_FAILURE: u8 = 40;
    ALERT_DESCRIPTION_ILLEGAL_PARAMETER: u8 = 47;
    ALERT_DESCRIPTION_INSUFFICIENT_SECURITY: u8 = 71;
    ALERT_DESCRIPTION_INTERNAL_ERROR: u8 = 80;
    ALERT_DESCRIPTION_NO_RENEGOTIATION: u8 = 100;
    ALERT_DESCRIPTION_PROTOCOL_VERSION: u8 = 70;
    ALERT_DESCRIPTION_RECORD_OVERFLOW: u8 = 22;
    ALERT_DESCRIPTION_UNEXPECTED_MESSAGE: u8 = 10;
    ALERT_DESCRIPTION_UNKNOWN_CA: u8 = 48;
    ALERT_DESCRIPTION_UNKNOWN_PSK_IDENTITY: u8 = 115;
    ALERT_DESCRIPTION_UNRECOGNIZED_NAME: u8 = 112;
    ALERT_DESCRIPTION_UNSUPPORTED_CERTIFICATE: u8 = 43;
    ALERT_DESCRIPTION_UNSUPPORTED_EXTENSION: u8 = 110;
    ALERT_DESCRIPTION_USER_CANCELLED: u8 = 90;
    // Certificate requirement (verify_mode).
    CERT_NONE: i32 = 0;
    CERT_OPTIONAL: i32 = 1;
    CERT_REQUIRED: i32 = 2;
    // Certificate encodings.
    ENCODING_DER: i32 = 2;
    ENCODING_PEM: i32 = 1;
    // Host-name check flags (SSLContext._host_flags).
    HOSTFLAG_ALWAYS_CHECK_SUBJECT: u32 = 1;
    HOSTFLAG_MULTI_LABEL_WILDCARDS: u32 = 8;
    HOSTFLAG_NEVER_CHECK_SUBJECT: u32 = 32;
    HOSTFLAG_NO_PARTIAL_WILDCARDS: u32 = 4;
    HOSTFLAG_NO_WILDCARDS: u32 = 2;
    HOSTFLAG_SINGLE_LABEL_SUBDOMAINS: u32 = 16;
    // Context options; values are OpenSSL's so masks written for the stdlib keep working.
    OP_ALL: u64 = 0x80000050;
    OP_CIPHER_SERVER_PREFERENCE: u64 = 0x400000;
    OP_ENABLE_KTLS: u64 = 0x8;
    OP_ENABLE_MIDDLEBOX_COMPAT: u64 = 0x100000;
    OP_IGNORE_UNEXPECTED_EOF: u64 = 0x80;
    OP_LEGACY_SERVER_CONNECT: u64 = 0x4;
    OP_NO_COMPRESSION: u64 = 0x20000;
    OP_NO_RENEGOTIATION: u64 = 0x40000000;
    OP_NO_SSLv2: u64 = 0x0;
    OP_NO_SSLv3: u64 = 0x2000000;
    OP_NO_TICKET: u64 = 0x4000;
    OP_NO_TLSv1: u64 = 0x4000000;
    OP_NO_TLSv1_1: u64 = 0x10000000;
    OP_NO_TLSv1_2: u64 = 0x8000000;
    OP_NO_TLSv1_3: u64 = 0x20000000;
    OP_SINGLE_DH_USE: u64 = 0x0;
    OP_SINGLE_ECDH_USE: u64 = 0x0;
    // Protocol selectors for SSLContext(); SSLv3 has none, as on OpenSSL builds without it.
    PROTOCOL_TLS: i32 = 2;
    PROTOCOL_SSLv23: i32 = PROTOCOL_TLS;
    PROTOCOL_TLSv1: i32 = 3;
    PROTOCOL_TLSv1_1: i32 = 4;
    PROTOCOL_TLSv1_2: i32 = 5;
    PROTOCOL_TLS_CLIENT: i32 = 16;
    PROTOCOL_TLS_SERVER: i32 = 17;
    // TLS versions for minimum_version/maximum_version.
    PROTO_MAXIMUM_SUPPORTED: i32 = -1;
    PROTO_MINIMUM_SUPPORTED: i32 = -2;
    PROTO_SSLv3: i32 = 768;
    PROTO_TLSv1: i32 = 769;
    PROTO_TLSv1_1: i32 = 770;
    PROTO_TLSv1_2: i32 = 771;
    PROTO_TLSv1_3: i32 = 772;
    // SSLError.errno values.
    SSL_ERROR_EOF: i32 = 8;
    SSL_ERROR_INVALID_ERROR_CODE: i32 = 10;
    SSL_ERROR_SSL: i32 = 1;
    SSL_ERROR_SYSCALL: i32 = 5;
    SSL_ERROR_WANT_CONNECT: i32 = 7;
    SSL_ERROR_WANT_READ: i32 = 2;
    SSL_ERROR_WANT_WRITE: i32 = 3;
    SSL_ERROR_WANT_X509_LOOKUP: i32 = 4;
    SSL_ERROR_ZERO_RETURN: i32 = 6;
    // Verification flags (verify_flags).
    VERIFY_ALLOW_PROXY_CERTS: u32 = 64;
    VERIFY_CRL_CHECK_CHAIN: u32 = 12;
    VERIFY_CRL_CHECK_LEAF: u32 = 4;
    VERIFY_DEFAULT: u32 = 0;
    VERIFY_X509_PARTIAL_CHAIN: u32 = 524288;
    VERIFY_X509_STRICT: u32 = 32;
    VERIFY_X509_TRUSTED_FIRST: u32 = 32768;
}

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

/// Names a later Python added to `_ssl`, with the version that added them:
/// the extension leaves them out on an older interpreter, as that
/// interpreter's stdlib does, so `hasattr` feature checks stay honest.
pub const ADDED_IN: &[(&str, (u8, u8))] = &[
    ("OP_ENABLE_KTLS", (3, 12)),
    ("OP_LEGACY_SERVER_CONNECT", (3, 12)),
    ("HAS_PSK", (3, 13)),
];

/// The Python version from which `name` is exported.
pub fn added_in(name: &str) -> (u8, u8) {
    ADDED_IN
        .iter()
        .find(|(n, _)| *n == name)
        .map_or((3, 0), |(_, v)| *v)
}

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
