//! The record-layer guard: RFC checks on the peer's bytes before rustls sees them.
//!
//! Each check refuses with the alert its RFC clause names. rustssl
//! receives every byte before rustls does (`framing.rs` follows record
//! boundaries to read exactly to the end of a record). Until this end sends
//! its first protected record, a refused record is answered with a plaintext
//! fatal alert and never reaches rustls. After that rustls answers itself,
//! encrypted:
//! its public API has no way to send an encrypted fatal alert of our
//! choosing (`send_close_notify` is the only one), so the guard stands back
//! there rather than answer in plaintext. docs/security.md lists where
//! rustls' code then differs from the RFC's.
//!
//! Per record the guard costs one look at the 5-byte header that rustssl's
//! framing reads anyway; nothing is copied.

use super::client_hello::{self, Facts};
use crate::codes::Reason;

/// TLS alert descriptions (RFC 8446, section 6; RFC 7507).
pub(crate) mod alert {
    /// `unexpected_message`.
    pub const UNEXPECTED_MESSAGE: u8 = crate::constants::ALERT_DESCRIPTION_UNEXPECTED_MESSAGE;
    /// `record_overflow`.
    pub const RECORD_OVERFLOW: u8 = crate::constants::ALERT_DESCRIPTION_RECORD_OVERFLOW;
    /// `illegal_parameter`.
    pub const ILLEGAL_PARAMETER: u8 = crate::constants::ALERT_DESCRIPTION_ILLEGAL_PARAMETER;
    /// `protocol_version`.
    pub const PROTOCOL_VERSION: u8 = crate::constants::ALERT_DESCRIPTION_PROTOCOL_VERSION;
    /// `inappropriate_fallback`.
    pub const INAPPROPRIATE_FALLBACK: u8 = 86;
    /// `missing_extension`.
    pub const MISSING_EXTENSION: u8 = 109;
}

/// Record content types (RFC 8446, section 5.1).
const CHANGE_CIPHER_SPEC: u8 = 20;
const ALERT: u8 = 21;
const APPLICATION_DATA: u8 = 23;

/// Largest plaintext fragment: 2^14 (RFC 8446 §5.1, RFC 5246 §6.2.1).
pub const MAX_PLAINTEXT: usize = 1 << 14;
/// Largest TLS 1.3 ciphertext: 2^14 + 256 (RFC 8446 §5.2).
pub const MAX_TLS13_CIPHERTEXT: usize = MAX_PLAINTEXT + 256;
/// Largest TLS 1.2 ciphertext: 2^14 + 2048 (RFC 5246 §6.2.3).
pub const MAX_TLS12_CIPHERTEXT: usize = MAX_PLAINTEXT + 2048;

/// One check: what it refuses, where the RFC says so, and the answer.
#[derive(Debug, PartialEq, Eq)]
pub struct Check {
    /// What is refused.
    pub what: &'static str,
    /// The RFC clause that requires the refusal and names the alert.
    pub rfc: &'static str,
    /// The fatal alert sent.
    pub alert: u8,
    /// The OpenSSL reason code Python sees (`SSLError.reason`).
    pub reason: Reason,
}

/// A record whose content type TLS 1.2/1.3 does not define.
pub const CONTENT_TYPE: Check = Check {
    what: "record content type other than 20-23",
    rfc: "RFC 8446 §5",
    alert: alert::UNEXPECTED_MESSAGE,
    reason: Reason::UnexpectedRecord,
};
/// A record version whose major byte is not 3 (OpenSSL refuses it too).
pub const RECORD_VERSION: Check = Check {
    what: "record version not 0x03xx",
    rfc: "RFC 8446 §5.1, appendix D",
    alert: alert::PROTOCOL_VERSION,
    reason: Reason::WrongVersionNumber,
};
/// An alert record with no alert in it.
pub const EMPTY_ALERT: Check = Check {
    what: "zero-length alert record",
    rfc: "RFC 8446 §5.1",
    alert: alert::UNEXPECTED_MESSAGE,
    reason: Reason::BadLength,
};
/// A ChangeCipherSpec record that is not the single byte 1's length.
pub const CCS_LENGTH: Check = Check {
    what: "change_cipher_spec record not 1 byte long",
    rfc: "RFC 8446 §5",
    alert: alert::UNEXPECTED_MESSAGE,
    reason: Reason::BadChangeCipherSpec,
};
/// A plaintext record over 2^14 bytes.
pub const PLAINTEXT_OVERFLOW: Check = Check {
    what: "plaintext record over 2^14 bytes",
    rfc: "RFC 8446 §5.1",
    alert: alert::RECORD_OVERFLOW,
    reason: Reason::DataLengthTooLong,
};
/// An application_data record (TLS 1.3 ciphertext, or early data) over 2^14+256.
pub const TLS13_CIPHERTEXT_OVERFLOW: Check = Check {
    what: "TLS 1.3 ciphertext record over 2^14+256 bytes",
    rfc: "RFC 8446 §5.2",
    alert: alert::RECORD_OVERFLOW,
    reason: Reason::EncryptedLengthTooLong,
};
/// A record after a TLS 1.2 ChangeCipherSpec over 2^14+2048 bytes.
pub const TLS12_CIPHERTEXT_OVERFLOW: Check = Check {
    what: "TLS 1.2 ciphertext record over 2^14+2048 bytes",
    rfc: "RFC 5246 §6.2.3",
    alert: alert::RECORD_OVERFLOW,
    reason: Reason::EncryptedLengthTooLong,
};
/// A ClientHello whose `legacy_version` is below TLS 1.2's 0x0303.
pub const HELLO_LEGACY_VERSION: Check = Check {
    what: "ClientHello legacy_version below 0x0303",
    rfc: "RFC 8446 §4.1.2, appendix D",
    alert: alert::PROTOCOL_VERSION,
    reason: Reason::UnsupportedProtocol,
};
/// TLS_FALLBACK_SCSV from a client whose best version is below ours.
pub const FALLBACK: Check = Check {
    what: "TLS_FALLBACK_SCSV with a highest version below the server's",
    rfc: "RFC 7507 §3",
    alert: alert::INAPPROPRIATE_FALLBACK,
    reason: Reason::InappropriateFallback,
};
/// A TLS 1.3 ClientHello with supported_groups but no key_share.
pub const MISSING_KEY_SHARE: Check = Check {
    what: "TLS 1.3 ClientHello with supported_groups but no key_share",
    rfc: "RFC 8446 §9.2",
    alert: alert::MISSING_EXTENSION,
    reason: Reason::MissingKeyShare,
};
/// A handshake message larger than rustls can buffer (64 KiB with headers).
pub const EXCESSIVE_MESSAGE: Check = Check {
    what: "handshake message larger than rustls' 64 KiB buffer",
    rfc: "RFC 8446 §4 (OpenSSL's excessive-message refusal)",
    alert: alert::ILLEGAL_PARAMETER,
    reason: Reason::ExcessiveMessageSize,
};

/// Every check, in the order they apply: record headers, then the ClientHello.
#[cfg(test)]
pub const TABLE: [&Check; 11] = [
    &CONTENT_TYPE,
    &RECORD_VERSION,
    &EMPTY_ALERT,
    &CCS_LENGTH,
    &PLAINTEXT_OVERFLOW,
    &TLS13_CIPHERTEXT_OVERFLOW,
    &TLS12_CIPHERTEXT_OVERFLOW,
    &EXCESSIVE_MESSAGE,
    &HELLO_LEGACY_VERSION,
    &FALLBACK,
    &MISSING_KEY_SHARE,
];

/// Checks one record header, received while no keys are in use.
///
/// `after_ccs` says a ChangeCipherSpec record came before this one: in
/// TLS 1.2 what follows it is ciphertext. An application_data record may
/// already be TLS 1.3 ciphertext (the server's flight after its ServerHello
/// arrives with it), so it gets that limit.
pub fn check_header(header: &[u8; 5], after_ccs: bool) -> Result<(), &'static Check> {
    let [content_type, major, _minor, hi, lo] = *header;
    let len = usize::from(u16::from_be_bytes([hi, lo]));
    if !(CHANGE_CIPHER_SPEC..=APPLICATION_DATA).contains(&content_type) {
        return Err(&CONTENT_TYPE);
    }
    if major != 3 {
        return Err(&RECORD_VERSION);
    }
    match content_type {
        ALERT if len == 0 => return Err(&EMPTY_ALERT),
        CHANGE_CIPHER_SPEC if len != 1 => return Err(&CCS_LENGTH),
        _ => {}
    }
    let (limit, check) = if after_ccs {
        (MAX_TLS12_CIPHERTEXT, &TLS12_CIPHERTEXT_OVERFLOW)
    } else if content_type == APPLICATION_DATA {
        (MAX_TLS13_CIPHERTEXT, &TLS13_CIPHERTEXT_OVERFLOW)
    } else {
        (MAX_PLAINTEXT, &PLAINTEXT_OVERFLOW)
    };
    if len > limit {
        return Err(check);
    }
    Ok(())
}

/// Whether a record header announces application_data (in TLS 1.3, every
/// protected record).
pub fn is_application_data(header: &[u8; 5]) -> bool {
    header[0] == APPLICATION_DATA
}

/// Whether a record header announces a ChangeCipherSpec.
pub fn is_ccs(header: &[u8; 5]) -> bool {
    header[0] == CHANGE_CIPHER_SPEC
}

/// Checks the first ClientHello that needs no server settings (before the
/// server's config is chosen).
pub fn check_hello(facts: &Facts) -> Result<(), &'static Check> {
    if facts.legacy_version < 0x0303 {
        return Err(&HELLO_LEGACY_VERSION);
    }
    Ok(())
}

/// Checks the first ClientHello against the server's highest enabled
/// version (0x0303 or 0x0304).
pub fn check_hello_for(facts: &Facts, server_highest: u16) -> Result<(), &'static Check> {
    let client_highest = facts.highest_version();
    if facts.fallback_scsv && client_highest < server_highest {
        return Err(&FALLBACK);
    }
    let tls13 = server_highest >= 0x0304 && client_highest >= 0x0304;
    if tls13
        && facts.has(client_hello::EXT_SUPPORTED_GROUPS)
        && !facts.has(client_hello::EXT_KEY_SHARE)
    {
        return Err(&MISSING_KEY_SHARE);
    }
    Ok(())
}

/// A fatal alert as a plaintext record, for use while no keys exist.
pub fn plaintext_alert(description: u8) -> [u8; 7] {
    [ALERT, 3, 3, 0, 2, 2, description]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(content_type: u8, version: u16, len: usize) -> [u8; 5] {
        let v = version.to_be_bytes();
        let l = u16::try_from(len).unwrap().to_be_bytes();
        [content_type, v[0], v[1], l[0], l[1]]
    }

    #[test]
    fn table_names_an_rfc_clause_and_a_fatal_alert_for_every_check() {
        for check in TABLE {
            assert!(check.rfc.starts_with("RFC "), "{check:?}");
            assert!(check.alert != 0, "{check:?}");
            assert!(!check.reason.name().is_empty() && !check.what.is_empty());
        }
        // No check is listed twice.
        for (i, a) in TABLE.iter().enumerate() {
            assert!(!TABLE[i + 1..].iter().any(|b| std::ptr::eq(*a, *b)));
        }
    }

    #[test]
    fn well_formed_headers_pass() {
        for (ty, version, len) in [
            (22, 0x0301, 512),
            (22, 0x0303, MAX_PLAINTEXT),
            (22, 0x0300, 100), // SSLv3 record version: OpenSSL accepts it
            (22, 0x0304, 100),
            (21, 0x0303, 2),
            (20, 0x0303, 1),
            (23, 0x0303, 0), // empty application data is allowed
            (23, 0x0303, MAX_TLS13_CIPHERTEXT),
        ] {
            assert_eq!(check_header(&header(ty, version, len), false), Ok(()));
        }
        // After a TLS 1.2 CCS, records are ciphertext of up to 2^14+2048.
        assert_eq!(
            check_header(&header(22, 0x0303, MAX_TLS12_CIPHERTEXT), true),
            Ok(())
        );
    }

    #[test]
    fn each_header_check_refuses_with_its_alert() {
        let cases: [([u8; 5], bool, &Check); 12] = [
            (header(0, 0x0303, 10), false, &CONTENT_TYPE),
            (header(24, 0x0303, 10), false, &CONTENT_TYPE), // heartbeat
            (*b"GET /", false, &CONTENT_TYPE),
            (header(22, 0x0000, 10), false, &RECORD_VERSION),
            (header(22, 0x0200, 10), false, &RECORD_VERSION),
            (header(22, 0xfefd, 10), false, &RECORD_VERSION), // DTLS 1.2
            (header(21, 0x0303, 0), false, &EMPTY_ALERT),
            (header(20, 0x0303, 0), false, &CCS_LENGTH),
            (header(20, 0x0303, 2), true, &CCS_LENGTH),
            (
                header(22, 0x0301, MAX_PLAINTEXT + 1),
                false,
                &PLAINTEXT_OVERFLOW,
            ),
            (
                header(23, 0x0303, MAX_TLS13_CIPHERTEXT + 1),
                false,
                &TLS13_CIPHERTEXT_OVERFLOW,
            ),
            (
                header(23, 0x0303, MAX_TLS12_CIPHERTEXT + 1),
                true,
                &TLS12_CIPHERTEXT_OVERFLOW,
            ),
        ];
        for (h, after_ccs, want) in cases {
            assert_eq!(check_header(&h, after_ccs), Err(want), "{h:?}");
        }
        assert_eq!(
            check_header(&header(22, 0x0303, 0xffff), false),
            Err(&PLAINTEXT_OVERFLOW)
        );
    }

    fn facts(legacy: u16, scsv: bool, versions: Option<&[u16]>, exts: &[u16]) -> Facts {
        Facts {
            legacy_version: legacy,
            fallback_scsv: scsv,
            extensions: exts.to_vec(),
            supported_versions: versions.map(<[u16]>::to_vec),
        }
    }

    #[test]
    fn hello_checks() {
        use client_hello::{EXT_KEY_SHARE as KS, EXT_SUPPORTED_GROUPS as SG};
        let modern = facts(0x0303, false, Some(&[0x0304, 0x0303]), &[SG, KS]);
        assert_eq!(check_hello(&modern), Ok(()));
        assert_eq!(check_hello_for(&modern, 0x0304), Ok(()));
        for legacy in [0x0000, 0x0200, 0x0300, 0x0301, 0x0302] {
            let f = facts(legacy, false, Some(&[0x0304]), &[SG, KS]);
            assert_eq!(check_hello(&f), Err(&HELLO_LEGACY_VERSION), "{legacy:#x}");
        }
        // SCSV: refused only when the client's best is below ours.
        let fallback = facts(0x0303, true, None, &[SG]);
        assert_eq!(check_hello_for(&fallback, 0x0304), Err(&FALLBACK));
        assert_eq!(check_hello_for(&fallback, 0x0303), Ok(()));
        let scsv_but_best = facts(0x0303, true, Some(&[0x0304, 0x0303]), &[SG, KS]);
        assert_eq!(check_hello_for(&scsv_but_best, 0x0304), Ok(()));
        // key_share: required for TLS 1.3 when supported_groups is sent.
        let no_share = facts(0x0303, false, Some(&[0x0304, 0x0303]), &[SG]);
        assert_eq!(check_hello_for(&no_share, 0x0304), Err(&MISSING_KEY_SHARE));
        assert_eq!(check_hello_for(&no_share, 0x0303), Ok(())); // TLS 1.2 server
        let tls12_client = facts(0x0303, false, None, &[SG]);
        assert_eq!(check_hello_for(&tls12_client, 0x0304), Ok(()));
    }

    #[test]
    fn plaintext_alert_is_one_fatal_alert_record() {
        assert_eq!(plaintext_alert(22), [21, 3, 3, 0, 2, 2, 22]);
    }
}
