//! The one table of numeric codes shared with Python's `ssl`.
//!
//! Everything a Python program can compare against lives here: the
//! `SSL_ERROR_*` numbers carried as `errno`, the X.509 verification codes
//! with the messages OpenSSL gives them, and the names of TLS alerts as
//! OpenSSL spells them in an error's `reason`.

/// `SSLError.errno` values (`ssl.SSLErrorNumber`), named for the core; the
/// values are the `SSL_ERROR_*` rows of [`crate::constants`].
pub mod ssl_error {
    use crate::constants as c;

    /// A TLS protocol failure.
    pub const SSL: i32 = c::SSL_ERROR_SSL;
    /// More input is needed before the operation can complete.
    pub const WANT_READ: i32 = c::SSL_ERROR_WANT_READ;
    /// Output must be flushed before the operation can complete.
    pub const WANT_WRITE: i32 = c::SSL_ERROR_WANT_WRITE;
    /// A certificate lookup callback asked to be called again.
    pub const WANT_X509_LOOKUP: i32 = c::SSL_ERROR_WANT_X509_LOOKUP;
    /// A system call failed.
    pub const SYSCALL: i32 = c::SSL_ERROR_SYSCALL;
    /// The peer closed the TLS stream with close_notify.
    pub const ZERO_RETURN: i32 = c::SSL_ERROR_ZERO_RETURN;
    /// A non-blocking connect has not completed.
    pub const WANT_CONNECT: i32 = c::SSL_ERROR_WANT_CONNECT;
    /// The transport ended without close_notify.
    pub const EOF: i32 = c::SSL_ERROR_EOF;
    /// An error code that is not one of the above.
    pub const INVALID_ERROR_CODE: i32 = c::SSL_ERROR_INVALID_ERROR_CODE;
}

/// OpenSSL's X.509 verification result codes that rustssl produces.
pub mod verify {
    /// The certificate's issuer could not be found in the chain or store.
    pub const UNABLE_TO_GET_ISSUER_CERT: i32 = 2;
    /// A CRL for a certificate in the chain could not be found.
    pub const UNABLE_TO_GET_CRL: i32 = 3;
    /// A certificate's signature does not verify.
    pub const CERT_SIGNATURE_FAILURE: i32 = 7;
    /// A CRL's signature does not verify.
    pub const CRL_SIGNATURE_FAILURE: i32 = 8;
    /// The certificate's notBefore lies in the future.
    pub const CERT_NOT_YET_VALID: i32 = 9;
    /// The certificate's notAfter lies in the past.
    pub const CERT_HAS_EXPIRED: i32 = 10;
    /// The CRL's thisUpdate lies in the future.
    pub const CRL_NOT_YET_VALID: i32 = 11;
    /// The CRL's nextUpdate lies in the past.
    pub const CRL_HAS_EXPIRED: i32 = 12;
    /// The leaf is self-signed and not trusted.
    pub const DEPTH_ZERO_SELF_SIGNED_CERT: i32 = 18;
    /// The chain ends in a self-signed certificate that is not trusted.
    pub const SELF_SIGNED_CERT_IN_CHAIN: i32 = 19;
    /// The issuer of a certificate is neither in the chain nor in the store.
    pub const UNABLE_TO_GET_ISSUER_CERT_LOCALLY: i32 = 20;
    /// The chain has a single certificate that is not self-signed.
    pub const UNABLE_TO_VERIFY_LEAF_SIGNATURE: i32 = 21;
    /// The chain is longer than the verification depth allows.
    pub const CERT_CHAIN_TOO_LONG: i32 = 22;
    /// The certificate is revoked.
    pub const CERT_REVOKED: i32 = 23;
    /// An issuing certificate is not a CA, or its basic constraints are violated.
    pub const INVALID_CA: i32 = 79;
    /// The path length constraint was exceeded.
    pub const PATH_LENGTH_EXCEEDED: i32 = 25;
    /// The certificate may not be used for this purpose.
    pub const INVALID_PURPOSE: i32 = 26;
    /// The root is not trusted for this purpose.
    pub const CERT_UNTRUSTED: i32 = 27;
    /// The root is explicitly rejected for this purpose.
    pub const CERT_REJECTED: i32 = 28;
    /// A critical extension is not understood.
    pub const UNHANDLED_CRITICAL_EXTENSION: i32 = 34;
    /// The CRL issuer's keyUsage does not allow CRL signing.
    pub const KEYUSAGE_NO_CRL_SIGN: i32 = 35;
    /// A critical CRL extension is not understood.
    pub const UNHANDLED_CRITICAL_CRL_EXTENSION: i32 = 36;
    /// A certificate extension is invalid or inconsistent.
    pub const INVALID_EXTENSION: i32 = 41;
    /// A certificate policy extension is invalid or inconsistent.
    pub const INVALID_POLICY_EXTENSION: i32 = 42;
    /// A name constraint forbids a name in the certificate.
    pub const PERMITTED_VIOLATION: i32 = 47;
    /// A name constraint excludes a name in the certificate.
    pub const EXCLUDED_VIOLATION: i32 = 48;
    /// The certificate uses a name form a constraint does not support.
    pub const UNSUPPORTED_NAME_SYNTAX: i32 = 53;
    /// The hostname does not match the certificate.
    pub const HOSTNAME_MISMATCH: i32 = 62;
    /// The email address does not match the certificate.
    pub const EMAIL_MISMATCH: i32 = 63;
    /// The IP address does not match the certificate.
    pub const IP_ADDRESS_MISMATCH: i32 = 64;
    /// The key is too small for the security level.
    pub const EE_KEY_TOO_SMALL: i32 = 66;
    /// The signature algorithm is too weak or unsupported.
    pub const CA_MD_TOO_WEAK: i32 = 68;
    /// The verification was called in an invalid way.
    pub const INVALID_CALL: i32 = 69;
    /// The outer and inner signature algorithms differ (`VERIFY_X509_STRICT`).
    pub const SIGNATURE_ALGORITHM_INCONSISTENCY: i32 = 78;
    /// A path length constraint on a certificate that is not a CA (strict).
    pub const PATHLEN_INVALID_FOR_NON_CA: i32 = 80;
    /// A path length constraint without keyCertSign (strict).
    pub const PATHLEN_WITHOUT_KU_KEY_CERT_SIGN: i32 = 81;
    /// keyCertSign on a certificate that is not a CA (strict).
    pub const KU_KEY_CERT_SIGN_INVALID_FOR_NON_CA: i32 = 82;
    /// An empty issuer name (strict).
    pub const ISSUER_NAME_EMPTY: i32 = 83;
    /// An empty subject name where one is required (strict).
    pub const SUBJECT_NAME_EMPTY: i32 = 84;
    /// No authority key identifier on a certificate that is not self-issued (strict).
    pub const MISSING_AUTHORITY_KEY_IDENTIFIER: i32 = 85;
    /// No subject key identifier on a CA (strict).
    pub const MISSING_SUBJECT_KEY_IDENTIFIER: i32 = 86;
    /// A subjectAltName extension with no names (strict).
    pub const EMPTY_SUBJECT_ALT_NAME: i32 = 87;
    /// An empty subject whose subjectAltName is not critical (strict).
    pub const EMPTY_SUBJECT_SAN_NOT_CRITICAL: i32 = 88;
    /// A CA whose basicConstraints is not critical (strict).
    pub const CA_BCONS_NOT_CRITICAL: i32 = 89;
    /// A critical authority key identifier (strict).
    pub const AUTHORITY_KEY_IDENTIFIER_CRITICAL: i32 = 90;
    /// A critical subject key identifier (strict).
    pub const SUBJECT_KEY_IDENTIFIER_CRITICAL: i32 = 91;
    /// A CA without a keyUsage extension (strict).
    pub const CA_CERT_MISSING_KEY_USAGE: i32 = 92;
    /// Extensions in a certificate that is not version 3 (strict).
    pub const EXTENSIONS_REQUIRE_VERSION_3: i32 = 93;
    /// An EC key with explicit curve parameters (strict).
    pub const EC_KEY_EXPLICIT_PARAMS: i32 = 94;
    /// Anything else.
    pub const UNSPECIFIED: i32 = 1;

    /// The message OpenSSL's `X509_verify_cert_error_string` gives for `code`.
    pub fn message(code: i32) -> &'static str {
        match code {
            UNSPECIFIED => "unspecified certificate verification error",
            UNABLE_TO_GET_ISSUER_CERT => "unable to get issuer certificate",
            UNABLE_TO_GET_CRL => "unable to get certificate CRL",
            CERT_SIGNATURE_FAILURE => "certificate signature failure",
            CRL_SIGNATURE_FAILURE => "CRL signature failure",
            CERT_NOT_YET_VALID => "certificate is not yet valid",
            CERT_HAS_EXPIRED => "certificate has expired",
            CRL_NOT_YET_VALID => "CRL is not yet valid",
            CRL_HAS_EXPIRED => "CRL has expired",
            DEPTH_ZERO_SELF_SIGNED_CERT => "self-signed certificate",
            SELF_SIGNED_CERT_IN_CHAIN => "self-signed certificate in certificate chain",
            UNABLE_TO_GET_ISSUER_CERT_LOCALLY => "unable to get local issuer certificate",
            UNABLE_TO_VERIFY_LEAF_SIGNATURE => "unable to verify the first certificate",
            CERT_CHAIN_TOO_LONG => "certificate chain too long",
            CERT_REVOKED => "certificate revoked",
            INVALID_CA => "invalid CA certificate",
            PATH_LENGTH_EXCEEDED => "path length constraint exceeded",
            INVALID_PURPOSE => "unsuitable certificate purpose",
            CERT_UNTRUSTED => "certificate not trusted",
            CERT_REJECTED => "certificate rejected",
            UNHANDLED_CRITICAL_EXTENSION => "unhandled critical extension",
            KEYUSAGE_NO_CRL_SIGN => "key usage does not include CRL signing",
            UNHANDLED_CRITICAL_CRL_EXTENSION => "unhandled critical CRL extension",
            INVALID_EXTENSION => "invalid or inconsistent certificate extension",
            INVALID_POLICY_EXTENSION => "invalid or inconsistent certificate policy extension",
            PERMITTED_VIOLATION => "permitted subtree violation",
            EXCLUDED_VIOLATION => "excluded subtree violation",
            UNSUPPORTED_NAME_SYNTAX => "unsupported or invalid name syntax",
            HOSTNAME_MISMATCH => "Hostname mismatch",
            EMAIL_MISMATCH => "Email address mismatch",
            IP_ADDRESS_MISMATCH => "IP address mismatch",
            EE_KEY_TOO_SMALL => "EE certificate key too weak",
            CA_MD_TOO_WEAK => "CA signature digest algorithm too weak",
            INVALID_CALL => "invalid certificate verification context",
            SIGNATURE_ALGORITHM_INCONSISTENCY => {
                "cert info signature and signature algorithm mismatch"
            }
            PATHLEN_INVALID_FOR_NON_CA => "Path length invalid for non-CA cert",
            PATHLEN_WITHOUT_KU_KEY_CERT_SIGN => "Path length given without key usage keyCertSign",
            KU_KEY_CERT_SIGN_INVALID_FOR_NON_CA => "Key usage keyCertSign invalid for non-CA cert",
            ISSUER_NAME_EMPTY => "Issuer name empty",
            SUBJECT_NAME_EMPTY => "Subject name empty",
            MISSING_AUTHORITY_KEY_IDENTIFIER => "Missing Authority Key Identifier",
            MISSING_SUBJECT_KEY_IDENTIFIER => "Missing Subject Key Identifier",
            EMPTY_SUBJECT_ALT_NAME => "Empty Subject Alternative Name extension",
            EMPTY_SUBJECT_SAN_NOT_CRITICAL => {
                "Subject empty and Subject Alt Name extension not critical"
            }
            CA_BCONS_NOT_CRITICAL => "Basic Constraints of CA cert not marked critical",
            AUTHORITY_KEY_IDENTIFIER_CRITICAL => "Authority Key Identifier marked critical",
            SUBJECT_KEY_IDENTIFIER_CRITICAL => "Subject Key Identifier marked critical",
            CA_CERT_MISSING_KEY_USAGE => "CA cert does not include key usage extension",
            EXTENSIONS_REQUIRE_VERSION_3 => "Using cert extension requires at least X509v3",
            EC_KEY_EXPLICIT_PARAMS => "Certificate public key has explicit ECC parameters",
            _ => "unknown certificate verification error",
        }
    }
}

/// OpenSSL error reasons raised while loading certificates and keys.
///
/// CPython reports these outside a handshake, and there `SSLError.errno`
/// is OpenSSL's reason number rather than an `SSL_ERROR_*` code, so each
/// reason carries the number along with its library, mnemonic and text.
pub mod reason {
    /// One OpenSSL load-error reason as CPython shows it.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct LoadReason {
        /// The library in brackets, such as `SSL` or `X509`.
        pub library: &'static str,
        /// The mnemonic (`SSLError.reason`); `None` for OpenSSL's common
        /// reasons, which have none.
        pub name: Option<&'static str>,
        /// The lower-case text after the brackets.
        pub text: &'static str,
        /// The reason number CPython puts in `errno`.
        pub errno: i32,
    }

    /// A PEM file could not be read or decrypted (`ERR_R_PEM_LIB`, a common reason).
    pub const PEM_LIB: LoadReason = LoadReason {
        library: "SSL",
        name: None,
        text: "PEM lib",
        errno: 0x8_0009,
    };
    /// The private key does not belong to the certificate.
    pub const KEY_VALUES_MISMATCH: LoadReason = LoadReason {
        library: "X509",
        name: Some("KEY_VALUES_MISMATCH"),
        text: "key values mismatch",
        errno: 116,
    };
    /// The private key is of another type than the certificate's key.
    pub const NO_CERTIFICATE_ASSIGNED: LoadReason = LoadReason {
        library: "SSL",
        name: Some("NO_CERTIFICATE_ASSIGNED"),
        text: "no certificate assigned",
        errno: 177,
    };
    /// The certificate's key is too small for the security level.
    pub const EE_KEY_TOO_SMALL: LoadReason = LoadReason {
        library: "SSL",
        name: Some("EE_KEY_TOO_SMALL"),
        text: "ee key too small",
        errno: 399,
    };
    /// A PEM file of trusted certificates is malformed (`ERR_R_PEM_LIB` in X509).
    pub const X509_PEM_LIB: LoadReason = LoadReason {
        library: "X509",
        name: None,
        text: "PEM lib",
        errno: 0x8_0009,
    };
    /// A file of trusted certificates holds none.
    pub const NO_CERTIFICATE_OR_CRL_FOUND: LoadReason = LoadReason {
        library: "X509",
        name: Some("NO_CERTIFICATE_OR_CRL_FOUND"),
        text: "no certificate or crl found",
        errno: 136,
    };
    /// `cadata` text holds no PEM certificate. CPython reports this one
    /// without a library, reason or number.
    pub const CADATA_NO_START_LINE: LoadReason = LoadReason {
        library: "",
        name: None,
        text: "no start line: cadata does not contain a certificate",
        errno: 0,
    };
    /// `cadata` bytes are not DER certificates. Reported like the one above.
    pub const CADATA_NOT_ENOUGH_DATA: LoadReason = LoadReason {
        library: "",
        name: None,
        text: "not enough data: cadata does not contain a certificate",
        errno: 0,
    };
    /// The certificate's signature digest is too weak for the security level.
    pub const CA_MD_TOO_WEAK: LoadReason = LoadReason {
        library: "SSL",
        name: Some("CA_MD_TOO_WEAK"),
        text: "ca md too weak",
        errno: 398,
    };
}

/// Declares [`Reason`] from one table: each variant with its OpenSSL
/// library and mnemonic. The variant's name is the mnemonic in CamelCase
/// (checked by a test), so `scripts/convert-reasons.py` can derive it.
macro_rules! reasons {
    ($($(#[$doc:meta])* $variant:ident => $library:literal $name:literal,)*) => {
        /// An OpenSSL error reason of a handshake, a connection or a
        /// configuration step: `SSLError.library` and `SSLError.reason`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Reason {
            $($(#[$doc])* $variant,)*
        }

        impl Reason {
            /// Every reason, in table order.
            pub const ALL: &'static [Reason] = &[$(Reason::$variant),*];

            /// The mnemonic Python shows as `SSLError.reason`, e.g. `CERTIFICATE_VERIFY_FAILED`.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Reason::$variant => $name,)*
                }
            }

            /// The library Python shows as `SSLError.library`, e.g. `SSL`.
            pub const fn library(self) -> &'static str {
                match self {
                    $(Reason::$variant => $library,)*
                }
            }
        }
    };
}

reasons! {
    /// Certificate verification failed (the reason of every `SSLCertVerificationError`).
    CertificateVerifyFailed => "SSL" "CERTIFICATE_VERIFY_FAILED",
    /// The transport ended without close_notify.
    UnexpectedEofWhileReading => "SSL" "UNEXPECTED_EOF_WHILE_READING",
    /// The peers share no cipher suite.
    NoSharedCipher => "SSL" "NO_SHARED_CIPHER",
    /// The peers share no key-exchange group.
    NoSuitableKeyShare => "SSL" "NO_SUITABLE_KEY_SHARE",
    /// The peers share no signature scheme.
    NoSuitableSignatureAlgorithm => "SSL" "NO_SUITABLE_SIGNATURE_ALGORITHM",
    /// The peers share no protocol version.
    UnsupportedProtocol => "SSL" "UNSUPPORTED_PROTOCOL",
    /// The handshake failed for another reason.
    HandshakeFailure => "SSL" "HANDSHAKE_FAILURE",
    /// A record's version (or content type) is not TLS's.
    WrongVersionNumber => "SSL" "WRONG_VERSION_NUMBER",
    /// A record or message is longer than allowed.
    PacketLengthTooLong => "SSL" "PACKET_LENGTH_TOO_LONG",
    /// A message could not be decoded.
    DecodeError => "SSL" "DECODE_ERROR",
    /// A client certificate was required and none came.
    PeerDidNotReturnACertificate => "SSL" "PEER_DID_NOT_RETURN_A_CERTIFICATE",
    /// A record did not decrypt.
    DecryptionFailedOrBadRecordMac => "SSL" "DECRYPTION_FAILED_OR_BAD_RECORD_MAC",
    /// No ALPN protocol in common.
    NoApplicationProtocol => "SSL" "NO_APPLICATION_PROTOCOL",
    /// A message arrived where the protocol does not allow it.
    UnexpectedMessage => "SSL" "UNEXPECTED_MESSAGE",
    /// The peer broke the protocol in another way.
    PeerMisbehaved => "SSL" "PEER_MISBEHAVED",
    /// An internal failure.
    InternalError => "SSL" "INTERNAL_ERROR",
    /// A callback (such as the SNI callback) failed.
    CallbackFailed => "SSL" "CALLBACK_FAILED",
    /// PEM data could not be read.
    PemLib => "SSL" "PEM_LIB",
    /// The random number generator failed.
    RandLib => "SSL" "RAND_LIB",
    /// The connection failed earlier and is unusable.
    ProtocolIsShutdown => "SSL" "PROTOCOL_IS_SHUTDOWN",
    /// Shutdown was called before the handshake completed.
    ShutdownWhileInInit => "SSL" "SHUTDOWN_WHILE_IN_INIT",
    /// The operation needs another protocol version.
    WrongSslVersion => "SSL" "WRONG_SSL_VERSION",
    /// The operation is for servers only.
    NotServer => "SSL" "NOT_SERVER",
    /// The handshake has not completed.
    StillInInit => "SSL" "STILL_IN_INIT",
    /// The peer did not send a needed extension.
    ExtensionNotReceived => "SSL" "EXTENSION_NOT_RECEIVED",
    /// The configuration does not allow the operation.
    InvalidConfig => "SSL" "INVALID_CONFIG",
    /// The version bounds leave no protocol.
    NoProtocolsAvailable => "SSL" "NO_PROTOCOLS_AVAILABLE",
    /// A record of a content type TLS does not define.
    UnexpectedRecord => "SSL" "UNEXPECTED_RECORD",
    /// A record of a wrong length.
    BadLength => "SSL" "BAD_LENGTH",
    /// A malformed ChangeCipherSpec record.
    BadChangeCipherSpec => "SSL" "BAD_CHANGE_CIPHER_SPEC",
    /// A plaintext record over 2^14 bytes.
    DataLengthTooLong => "SSL" "DATA_LENGTH_TOO_LONG",
    /// A ciphertext record over its limit.
    EncryptedLengthTooLong => "SSL" "ENCRYPTED_LENGTH_TOO_LONG",
    /// A fallback from a client that supports more.
    InappropriateFallback => "SSL" "INAPPROPRIATE_FALLBACK",
    /// A TLS 1.3 ClientHello without key_share.
    MissingKeyShare => "SSL" "MISSING_KEY_SHARE",
    /// A handshake message too large to buffer.
    ExcessiveMessageSize => "SSL" "EXCESSIVE_MESSAGE_SIZE",
    /// A failure OpenSSL has no more specific reason for.
    Unknown => "SSL" "UNKNOWN",
    /// A certificate or CRL is not valid DER.
    Asn1Lib => "X509" "ASN1_LIB",
    /// PEM text without the expected `-----BEGIN` line.
    NoStartLine => "PEM" "NO_START_LINE",
}

impl Reason {
    /// OpenSSL's lower-case text for the reason, e.g. `certificate verify failed`.
    pub fn text(self) -> String {
        self.name().to_ascii_lowercase().replace('_', " ")
    }

    /// The reason whose mnemonic is `name`.
    pub fn from_name(name: &str) -> Option<Reason> {
        Reason::ALL.iter().copied().find(|r| r.name() == name)
    }
}

/// The `reason` OpenSSL reports when the peer sends alert `description`,
/// together with its lower-case message (derived from the mnemonic).
pub fn alert_reason(description: u8) -> (&'static str, String) {
    let name = match description {
        0 => "SSLV3_ALERT_CLOSE_NOTIFY",
        10 => "SSLV3_ALERT_UNEXPECTED_MESSAGE",
        20 => "SSLV3_ALERT_BAD_RECORD_MAC",
        21 => "TLSV1_ALERT_DECRYPTION_FAILED",
        22 => "TLSV1_ALERT_RECORD_OVERFLOW",
        30 => "SSLV3_ALERT_DECOMPRESSION_FAILURE",
        40 => "SSLV3_ALERT_HANDSHAKE_FAILURE",
        41 => "SSLV3_ALERT_NO_CERTIFICATE",
        42 => "SSLV3_ALERT_BAD_CERTIFICATE",
        43 => "SSLV3_ALERT_UNSUPPORTED_CERTIFICATE",
        44 => "SSLV3_ALERT_CERTIFICATE_REVOKED",
        45 => "SSLV3_ALERT_CERTIFICATE_EXPIRED",
        46 => "SSLV3_ALERT_CERTIFICATE_UNKNOWN",
        47 => "SSLV3_ALERT_ILLEGAL_PARAMETER",
        48 => "TLSV1_ALERT_UNKNOWN_CA",
        49 => "TLSV1_ALERT_ACCESS_DENIED",
        50 => "TLSV1_ALERT_DECODE_ERROR",
        51 => "TLSV1_ALERT_DECRYPT_ERROR",
        60 => "TLSV1_ALERT_EXPORT_RESTRICTION",
        70 => "TLSV1_ALERT_PROTOCOL_VERSION",
        71 => "TLSV1_ALERT_INSUFFICIENT_SECURITY",
        80 => "TLSV1_ALERT_INTERNAL_ERROR",
        86 => "TLSV1_ALERT_INAPPROPRIATE_FALLBACK",
        90 => "TLSV1_ALERT_USER_CANCELLED",
        100 => "SSLV3_ALERT_NO_RENEGOTIATION",
        109 => "TLSV13_ALERT_MISSING_EXTENSION",
        110 => "TLSV1_ALERT_UNSUPPORTED_EXTENSION",
        111 => "TLSV1_ALERT_CERTIFICATE_UNOBTAINABLE",
        112 => "TLSV1_ALERT_UNRECOGNIZED_NAME",
        113 => "TLSV1_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE",
        114 => "TLSV1_ALERT_BAD_CERTIFICATE_HASH_VALUE",
        115 => "TLSV1_ALERT_UNKNOWN_PSK_IDENTITY",
        116 => "TLSV13_ALERT_CERTIFICATE_REQUIRED",
        120 => "TLSV1_ALERT_NO_APPLICATION_PROTOCOL",
        _ => "TLSV1_ALERT_UNKNOWN",
    };
    (name, name.to_ascii_lowercase().replace('_', " "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_messages_are_openssl_wording() {
        assert_eq!(
            verify::message(20),
            "unable to get local issuer certificate"
        );
        assert_eq!(verify::message(62), "Hostname mismatch");
        assert_eq!(
            verify::message(999),
            "unknown certificate verification error"
        );
    }

    #[test]
    fn reason_variants_are_their_mnemonics_in_camel_case() {
        for r in Reason::ALL {
            let camel: String = r
                .name()
                .split('_')
                .map(|w| {
                    let lower = w.to_ascii_lowercase();
                    let mut c = lower.chars();
                    c.next()
                        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                        .unwrap_or_default()
                })
                .collect();
            assert_eq!(format!("{r:?}"), camel);
            assert_eq!(Reason::from_name(r.name()), Some(*r));
        }
        assert_eq!(
            Reason::CertificateVerifyFailed.text(),
            "certificate verify failed"
        );
        assert_eq!(Reason::Asn1Lib.library(), "X509");
    }

    #[test]
    fn alert_reasons_follow_openssl_prefixes() {
        assert_eq!(alert_reason(40).0, "SSLV3_ALERT_HANDSHAKE_FAILURE");
        assert_eq!(alert_reason(48).1, "tlsv1 alert unknown ca");
        assert_eq!(alert_reason(116).0, "TLSV13_ALERT_CERTIFICATE_REQUIRED");
    }
}
