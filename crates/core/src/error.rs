//! The single error type of the core.
//!
//! Each variant is one outcome that Python's `ssl` tells apart; the glue
//! crate maps each to its Python exception in exactly one place.

use std::fmt;
use std::io;
use std::sync::Arc;

use rustls::{CertificateError, InvalidMessage, PeerIncompatible};

use crate::codes::{self, ssl_error, Reason};

/// Which blocking operation ran out of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// The TLS handshake.
    Handshake,
    /// Reading application data.
    Read,
    /// Writing application data.
    Write,
}

impl Operation {
    /// The word CPython uses in "The read operation timed out".
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Handshake => "handshake",
            Operation::Read => "read",
            Operation::Write => "write",
        }
    }
}

/// Every way a core operation can fail.
#[derive(Debug)]
pub enum Error {
    /// More input from the peer is needed (`SSLWantReadError`).
    WantRead,
    /// Buffered output could not be flushed yet (`SSLWantWriteError`).
    WantWrite,
    /// The peer closed the TLS stream with close_notify (`SSLZeroReturnError`).
    ZeroReturn,
    /// The transport ended without close_notify (`SSLEOFError`).
    Eof,
    /// An unexplained failure below TLS (`SSLSyscallError`).
    Syscall(String),
    /// An operating-system error, from a socket or a file (`OSError` by errno).
    Io(io::Error),
    /// Certificate verification failed (`SSLCertVerificationError`).
    CertVerification {
        /// OpenSSL's `X509_V_ERR_*` code.
        code: i32,
        /// OpenSSL's message for the code, possibly with detail appended.
        message: String,
    },
    /// A TLS protocol or configuration failure (`SSLError`).
    Protocol {
        /// OpenSSL's library name, such as `SSL` or `PEM`.
        library: &'static str,
        /// OpenSSL's reason mnemonic, such as `NO_SHARED_CIPHER`.
        reason: &'static str,
        /// Human-readable text.
        message: String,
    },
    /// Loading a certificate or key failed (`SSLError` whose `errno` is
    /// OpenSSL's reason number, as CPython reports it outside a handshake).
    Load {
        /// The OpenSSL reason.
        reason: codes::reason::LoadReason,
        /// What rustssl adds in parentheses, where CPython shows `_ssl.c:LINE`.
        detail: Option<String>,
    },
    /// An `SSLError` that carries only a message, as CPython raises where no
    /// OpenSSL error is involved: `args == (message,)`, and no `errno`,
    /// `library` or `reason`.
    Bare(&'static str),
    /// A blocking operation ran past the socket's timeout (`TimeoutError`).
    Timeout(Operation),
    /// An argument had an unacceptable value (`ValueError`).
    Value(String),
    /// The operation is not valid in the object's current state (`ValueError` in CPython too).
    State(&'static str),
    /// A feature this build does not provide (`NotImplementedError`).
    Unsupported(String),
}

/// The core's result type.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// A protocol error for `reason` with its own message.
    pub fn ssl(reason: impl IntoReason, message: impl Into<String>) -> Self {
        let (library, reason) = reason.library_and_name();
        Error::Protocol {
            library,
            reason,
            message: message.into(),
        }
    }

    /// A protocol error for `reason` with OpenSSL's text for it.
    pub fn reason(reason: Reason) -> Self {
        Error::ssl(reason, reason.text())
    }

    /// A load failure for `reason`, with optional detail.
    pub fn load(reason: codes::reason::LoadReason, detail: impl Into<Option<String>>) -> Self {
        Error::Load {
            reason,
            detail: detail.into(),
        }
    }

    /// A verification failure with OpenSSL's message for `code`.
    pub fn verify(code: i32) -> Self {
        Error::CertVerification {
            code,
            message: codes::verify::message(code).to_owned(),
        }
    }

    /// The `SSL_ERROR_*` number Python reports as `errno`.
    pub fn ssl_errno(&self) -> i32 {
        match self {
            Error::WantRead => ssl_error::WANT_READ,
            Error::WantWrite => ssl_error::WANT_WRITE,
            Error::ZeroReturn => ssl_error::ZERO_RETURN,
            Error::Eof => ssl_error::EOF,
            Error::Syscall(_) | Error::Io(_) => ssl_error::SYSCALL,
            Error::Load { reason, .. } => reason.errno,
            _ => ssl_error::SSL,
        }
    }

    /// `[SSL: REASON] message`, the text CPython puts in `SSLError.strerror`.
    pub fn ssl_text(&self) -> String {
        match self {
            Error::WantRead => "The operation did not complete (read)".into(),
            Error::WantWrite => "The operation did not complete (write)".into(),
            Error::ZeroReturn => "TLS/SSL connection has been closed (EOF)".into(),
            Error::Eof => {
                let r = Reason::UnexpectedEofWhileReading;
                format!(
                    "[{}: {}] EOF occurred in violation of protocol",
                    r.library(),
                    r.name()
                )
            }
            Error::Syscall(m) => m.clone(),
            Error::Bare(m) => (*m).into(),
            Error::CertVerification { message, .. } => {
                let r = Reason::CertificateVerifyFailed;
                format!("[{}: {}] {}: {message}", r.library(), r.name(), r.text())
            }
            Error::Protocol {
                library,
                reason,
                message,
            } => format!("[{library}: {reason}] {message}"),
            Error::Load { reason, detail } => {
                let head = match reason.name {
                    Some(name) => format!("[{}: {name}] {}", reason.library, reason.text),
                    None if reason.library.is_empty() => reason.text.to_owned(),
                    None => format!("[{}] {}", reason.library, reason.text),
                };
                match detail {
                    Some(d) => format!("{head} ({d})"),
                    None => head,
                }
            }
            other => other.to_string(),
        }
    }

    /// The `(library, reason)` pair Python exposes on `SSLError`; either may be absent.
    pub fn library_reason(&self) -> (Option<&'static str>, Option<&'static str>) {
        match self {
            Error::Protocol {
                library, reason, ..
            } => (Some(library), Some(reason)),
            Error::CertVerification { .. } => reason_pair(Reason::CertificateVerifyFailed),
            Error::Eof => reason_pair(Reason::UnexpectedEofWhileReading),
            Error::Load { reason, .. } => {
                (Some(reason.library).filter(|l| !l.is_empty()), reason.name)
            }
            _ => (None, None),
        }
    }
}

/// `(library, reason)` of a [`Reason`], as [`Error::library_reason`] returns them.
fn reason_pair(r: Reason) -> (Option<&'static str>, Option<&'static str>) {
    (Some(r.library()), Some(r.name()))
}

/// What [`Error::ssl`] accepts as its reason: a [`Reason`] or, while call
/// sites outside the core's error modules still spell reasons as text, the
/// mnemonic of an `SSL`-library reason.
pub trait IntoReason {
    /// The library and mnemonic.
    fn library_and_name(self) -> (&'static str, &'static str);
}

impl IntoReason for Reason {
    fn library_and_name(self) -> (&'static str, &'static str) {
        (self.library(), self.name())
    }
}

impl IntoReason for &'static str {
    fn library_and_name(self) -> (&'static str, &'static str) {
        ("SSL", self)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io(e) => write!(f, "{e}"),
            Error::Timeout(op) => write!(f, "The {} operation timed out", op.as_str()),
            Error::Value(m) | Error::Unsupported(m) => f.write_str(m),
            Error::State(m) => f.write_str(m),
            other => f.write_str(&other.ssl_text()),
        }
    }
}

impl std::error::Error for Error {}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Self {
        Error::Io(e)
    }
}

/// A verification failure carried through rustls inside `CertificateError::Other`,
/// so that the OpenSSL code survives the trip.
#[derive(Debug, Clone)]
pub struct VerifyFailure {
    /// OpenSSL's `X509_V_ERR_*` code.
    pub code: i32,
    /// The message shown after "certificate verify failed: ".
    pub message: String,
}

impl fmt::Display for VerifyFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for VerifyFailure {}

impl VerifyFailure {
    /// A failure with OpenSSL's own message for `code`.
    pub fn new(code: i32) -> Self {
        VerifyFailure {
            code,
            message: codes::verify::message(code).to_owned(),
        }
    }

    /// Wraps the failure so rustls can carry it as a certificate error.
    ///
    /// rustls picks the alert it sends from the error's variant, and sends
    /// `certificate_unknown` for every `Other`. Where a plain variant both
    /// yields the alert OpenSSL sends for this code and converts back to the
    /// same code and message (see `verify_code_of`), that variant is used;
    /// everything else travels as `Other` so its code and message survive.
    pub fn into_rustls(self) -> rustls::Error {
        use codes::verify::*;
        if matches!(
            self.code,
            UNABLE_TO_GET_ISSUER_CERT
                | DEPTH_ZERO_SELF_SIGNED_CERT
                | SELF_SIGNED_CERT_IN_CHAIN
                | UNABLE_TO_VERIFY_LEAF_SIGNATURE
        ) {
            // OpenSSL sends unknown_ca for every "no trusted issuer" case, but
            // rustls sends it only for UnknownIssuer, which converts back to
            // code 20. The exact failure is set aside for this thread:
            // verification runs inside the rustls call that returns the error,
            // and `Error::from` takes it back from there.
            PENDING_UNKNOWN_ISSUER.with(|slot| *slot.borrow_mut() = Some(self));
            return rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer);
        }
        let plain = match self.code {
            UNABLE_TO_GET_ISSUER_CERT_LOCALLY => Some(CertificateError::UnknownIssuer),
            UNABLE_TO_GET_CRL => Some(CertificateError::UnknownRevocationStatus),
            CERT_HAS_EXPIRED => Some(CertificateError::Expired),
            CERT_REVOKED => Some(CertificateError::Revoked),
            INVALID_PURPOSE => Some(CertificateError::InvalidPurpose),
            _ => None,
        };
        match plain {
            Some(variant) if self.message == codes::verify::message(self.code) => {
                rustls::Error::InvalidCertificate(variant)
            }
            _ => rustls::Error::InvalidCertificate(CertificateError::Other(rustls::OtherError(
                Arc::new(self),
            ))),
        }
    }
}

thread_local! {
    /// A "no trusted issuer" failure handed to rustls as `UnknownIssuer` on this thread.
    static PENDING_UNKNOWN_ISSUER: std::cell::RefCell<Option<VerifyFailure>> =
        const { std::cell::RefCell::new(None) };
}

/// The OpenSSL verification code closest to a rustls certificate error.
fn verify_code_of(e: &CertificateError) -> i32 {
    use codes::verify::*;
    match e {
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => CERT_HAS_EXPIRED,
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
            CERT_NOT_YET_VALID
        }
        CertificateError::Revoked => CERT_REVOKED,
        CertificateError::UnknownIssuer => UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
        CertificateError::UnknownRevocationStatus => UNABLE_TO_GET_CRL,
        CertificateError::ExpiredRevocationList
        | CertificateError::ExpiredRevocationListContext { .. } => CRL_HAS_EXPIRED,
        CertificateError::BadSignature => CERT_SIGNATURE_FAILURE,
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
            HOSTNAME_MISMATCH
        }
        CertificateError::InvalidPurpose | CertificateError::InvalidPurposeContext { .. } => {
            INVALID_PURPOSE
        }
        CertificateError::UnhandledCriticalExtension => UNHANDLED_CRITICAL_EXTENSION,
        CertificateError::UnsupportedSignatureAlgorithmContext { .. }
        | CertificateError::UnsupportedSignatureAlgorithmForPublicKeyContext { .. } => {
            CA_MD_TOO_WEAK
        }
        _ => UNSPECIFIED,
    }
}

fn peer_incompatible(p: &PeerIncompatible) -> Error {
    let reason = match p {
        PeerIncompatible::NoCipherSuitesInCommon => Reason::NoSharedCipher,
        PeerIncompatible::NoKxGroupsInCommon => Reason::NoSuitableKeyShare,
        PeerIncompatible::NoSignatureSchemesInCommon
        | PeerIncompatible::NoCertificateRequestSignatureSchemesInCommon => {
            Reason::NoSuitableSignatureAlgorithm
        }
        PeerIncompatible::ServerDoesNotSupportTls12Or13
        | PeerIncompatible::SupportedVersionsExtensionRequired
        | PeerIncompatible::Tls12NotOffered
        | PeerIncompatible::Tls12NotOfferedOrEnabled
        | PeerIncompatible::ServerTlsVersionIsDisabledByOurConfig => Reason::UnsupportedProtocol,
        _ => Reason::HandshakeFailure,
    };
    Error::ssl(reason, format!("{} ({p:?})", reason.text()))
}

fn invalid_message(m: &InvalidMessage) -> Error {
    let reason = match m {
        InvalidMessage::InvalidContentType | InvalidMessage::UnknownProtocolVersion => {
            Reason::WrongVersionNumber
        }
        InvalidMessage::MessageTooLarge
        | InvalidMessage::HandshakePayloadTooLarge
        | InvalidMessage::CertificatePayloadTooLarge => Reason::PacketLengthTooLong,
        _ => Reason::DecodeError,
    };
    Error::ssl(reason, format!("{} ({m:?})", reason.text()))
}

impl From<rustls::Error> for Error {
    fn from(e: rustls::Error) -> Self {
        use rustls::Error as R;
        match e {
            R::InvalidCertificate(CertificateError::Other(other)) => {
                match other.0.downcast_ref::<VerifyFailure>() {
                    Some(f) => Error::CertVerification {
                        code: f.code,
                        message: f.message.clone(),
                    },
                    None => Error::CertVerification {
                        code: codes::verify::UNSPECIFIED,
                        message: other.to_string(),
                    },
                }
            }
            R::InvalidCertificate(CertificateError::UnknownIssuer) => {
                match PENDING_UNKNOWN_ISSUER.with(|slot| slot.borrow_mut().take()) {
                    Some(f) => Error::CertVerification {
                        code: f.code,
                        message: f.message,
                    },
                    None => Error::verify(codes::verify::UNABLE_TO_GET_ISSUER_CERT_LOCALLY),
                }
            }
            R::InvalidCertificate(c) => Error::verify(verify_code_of(&c)),
            R::AlertReceived(desc) => {
                // Alert reasons are a family of their own (codes::alert_reason).
                let (reason, message) = codes::alert_reason(u8::from(desc));
                Error::Protocol {
                    library: "SSL",
                    reason,
                    message,
                }
            }
            R::NoCertificatesPresented => Error::reason(Reason::PeerDidNotReturnACertificate),
            R::DecryptError => Error::reason(Reason::DecryptionFailedOrBadRecordMac),
            R::PeerIncompatible(p) => peer_incompatible(&p),
            R::InvalidMessage(m) => invalid_message(&m),
            R::PeerSentOversizedRecord => Error::reason(Reason::PacketLengthTooLong),
            R::NoApplicationProtocol => Error::reason(Reason::NoApplicationProtocol),
            R::InappropriateMessage { .. } | R::InappropriateHandshakeMessage { .. } => {
                Error::reason(Reason::UnexpectedMessage)
            }
            R::PeerMisbehaved(p) => Error::ssl(
                Reason::PeerMisbehaved,
                format!("{} ({p:?})", Reason::PeerMisbehaved.text()),
            ),
            other => Error::ssl(Reason::InternalError, other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_failure_survives_rustls() {
        let e: Error = VerifyFailure::new(codes::verify::HOSTNAME_MISMATCH)
            .into_rustls()
            .into();
        match &e {
            Error::CertVerification { code, message } => {
                assert_eq!(*code, 62);
                assert_eq!(message, "Hostname mismatch");
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(
            e.ssl_text(),
            "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: Hostname mismatch"
        );
        assert_eq!(e.ssl_errno(), 1);
    }

    #[test]
    fn plain_variants_round_trip_their_codes() {
        for c in [3, 10, 20, 23, 26] {
            let e: Error = VerifyFailure::new(c).into_rustls().into();
            match e {
                Error::CertVerification { code, message } => {
                    assert_eq!(code, c);
                    assert_eq!(message, codes::verify::message(c));
                }
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    #[test]
    fn alerts_map_to_openssl_reasons() {
        let e: Error = rustls::Error::AlertReceived(rustls::AlertDescription::UnknownCA).into();
        assert_eq!(
            e.library_reason(),
            (Some("SSL"), Some("TLSV1_ALERT_UNKNOWN_CA"))
        );
        assert_eq!(
            e.ssl_text(),
            "[SSL: TLSV1_ALERT_UNKNOWN_CA] tlsv1 alert unknown ca"
        );
    }

    #[test]
    fn self_signed_leaf_sends_unknown_ca_and_keeps_code_18() {
        let r = VerifyFailure::new(codes::verify::DEPTH_ZERO_SELF_SIGNED_CERT).into_rustls();
        let rustls::Error::InvalidCertificate(c) = &r else {
            panic!("unexpected {r:?}");
        };
        assert_eq!(
            rustls::AlertDescription::from(c.clone()),
            rustls::AlertDescription::UnknownCA
        );
        let e: Error = r.into();
        assert!(matches!(e, Error::CertVerification { code: 18, .. }));
    }

    #[test]
    fn unknown_issuer_is_code_20() {
        let e: Error = rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer).into();
        assert!(matches!(e, Error::CertVerification { code: 20, .. }));
    }

    #[test]
    fn load_errors_carry_openssl_reason_numbers() {
        let e = Error::load(codes::reason::PEM_LIB, None);
        assert_eq!(e.ssl_errno(), 524_297);
        assert_eq!(e.ssl_text(), "[SSL] PEM lib");
        assert_eq!(e.library_reason(), (Some("SSL"), None));
        let e = Error::load(codes::reason::KEY_VALUES_MISMATCH, Some("why".into()));
        assert_eq!(e.ssl_errno(), 116);
        assert_eq!(
            e.ssl_text(),
            "[X509: KEY_VALUES_MISMATCH] key values mismatch (why)"
        );
    }

    #[test]
    fn errno_follows_the_variant() {
        assert_eq!(Error::WantRead.ssl_errno(), 2);
        assert_eq!(Error::WantWrite.ssl_errno(), 3);
        assert_eq!(Error::ZeroReturn.ssl_errno(), 6);
        assert_eq!(Error::Eof.ssl_errno(), 8);
        assert_eq!(
            Error::Timeout(Operation::Read).to_string(),
            "The read operation timed out"
        );
    }
}
