//! OpenSSL cipher strings -> rustls TLS 1.2 suites, and the suite table `get_ciphers()` shows.
//!
//! `SSLContext.set_ciphers()` takes an OpenSSL cipher string; this module
//! evaluates such a string against the TLS 1.2 suites that rustls' aws-lc-rs
//! provider implements, reproducing OpenSSL 3.0's rule engine (aliases, `+`
//! intersections, the `!`, `-` and `+` prefixes, `@STRENGTH`, `@SECLEVEL=n`,
//! the `DEFAULT` and `SUITEB*` prefixes) so the resulting order is the one
//! OpenSSL would produce restricted to those suites.  It also holds what
//! OpenSSL reports about every suite (`get_ciphers()`, `cipher()`).
//!
//! Because every rule in OpenSSL's engine moves the ciphers a pattern matches
//! to the head or tail of one list while keeping their relative order, running
//! the engine on a subset of the ciphers gives exactly OpenSSL's result
//! filtered to that subset.
//!
//! Modules: `table` (what OpenSSL reports about each suite), `pattern`
//! (the algorithm bits aliases and suites match on), `engine` (the rule
//! engine), `openssl_suites` (OpenSSL's suites rustls lacks, as data) and
//! `seclevel` (what `@SECLEVEL=n` allows).

use std::fmt;

use rustls::SupportedCipherSuite;

mod engine;
mod openssl_suites;
mod pattern;
mod seclevel;
mod table;
#[cfg(test)]
mod tests;

pub use seclevel::{allowed, unenforceable};
pub use table::{all, by_name, by_suite, CipherInfo};

/// What CPython 3.13 passes to `set_ciphers()` for a new context (PY_SSL_DEFAULT_CIPHER_STRING).
pub const DEFAULT_CIPHER_STRING: &str =
    "@SECLEVEL=2:ECDH+AESGCM:ECDH+CHACHA20:ECDH+AES:DHE+AES:!aNULL:!eNULL:!aDSS:!SHA1:!AESCCM";

/// The outcome of a cipher string: the TLS 1.2 suites selected, in order, plus the security level if @SECLEVEL was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CipherSelection {
    /// The TLS 1.2 suites selected, most preferred first.
    pub tls12: Vec<&'static CipherInfo>,
    /// The level of the last valid `@SECLEVEL=n`, if any.
    pub security_level: Option<u8>,
}

impl CipherSelection {
    /// The suites a rustls config should offer: every TLS 1.3 suite (OpenSSL
    /// order), then the selected TLS 1.2 ones, less those the security level
    /// (if the string set one) rules out.
    pub fn to_rustls(&self) -> Vec<SupportedCipherSuite> {
        let level = self.security_level.unwrap_or(0);
        all()
            .iter()
            .filter(|c| c.is_tls13())
            .chain(self.tls12.iter().copied())
            .filter(|c| c.meets_security_level(level))
            .filter_map(CipherInfo::supported)
            .collect()
    }

    /// Refuses a security level rustssl cannot enforce (levels 3 to 5: see
    /// [`unenforceable`]) with an `SSLError` that says why.
    pub fn check_security_level(&self) -> crate::Result<()> {
        match self.security_level.and_then(unenforceable) {
            Some(why) => Err(crate::Error::Bare(why)),
            None => Ok(()),
        }
    }

    /// The OpenSSL names of the selected TLS 1.2 suites, in order.
    pub fn names(&self) -> Vec<&'static str> {
        self.tls12.iter().map(|c| c.name).collect()
    }
}

/// Why a cipher string was rejected.
///
/// CPython reports both variants as `SSLError("No cipher can be selected.")`,
/// since OpenSSL gives the same error for a syntax problem and an empty list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CipherStringError {
    /// The string was well-formed but selected no suite at all, not even
    /// one of OpenSSL's that rustls lacks (OpenSSL rejects it too).
    NoCipherSelected,
    /// The string is malformed at byte `position`.
    Syntax {
        /// Byte offset in the string where the problem was found.
        position: usize,
        /// What is wrong there.
        reason: &'static str,
    },
}

impl fmt::Display for CipherStringError {
    /// Formats the error for humans.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoCipherSelected => f.write_str("No cipher can be selected"),
            Self::Syntax { position, reason } => {
                write!(f, "invalid cipher string at byte {position}: {reason}")
            }
        }
    }
}

impl std::error::Error for CipherStringError {}

/// Evaluates an OpenSSL cipher string against the provider's TLS 1.2 suites.
pub fn parse(s: &str) -> Result<CipherSelection, CipherStringError> {
    if let Some(position) = s.find('\0') {
        return Err(engine::syntax(position, "embedded NUL character"));
    }
    engine::run_rules(s)?.finish()
}
