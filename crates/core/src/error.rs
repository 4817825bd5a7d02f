//! The single error type of the core.
//!
//! Each variant is one outcome that Python's `ssl` tells apart; the glue
//! crate maps each to its Python exception in exactly one place.

use std::fmt;
use std::io;

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
    pub fn ssl(reason: Reason, message: impl Into<String>) -> Self {
        Error::Protocol {
            library: reason.library(),
            reason: reason.name(),
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

#[cfg(test)]
mod tests {
    use super::*;

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
