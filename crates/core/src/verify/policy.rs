//! The verification settings: `verify_mode`, the `VERIFY_*` flags and the
//! one check of which flags rustssl can honour.

use crate::error::{Error, Result};

/// `ssl.VERIFY_CRL_CHECK_LEAF`.
pub const VERIFY_CRL_CHECK_LEAF: u32 = crate::constants::VERIFY_CRL_CHECK_LEAF;
/// `ssl.VERIFY_CRL_CHECK_CHAIN` (includes the leaf bit).
pub const VERIFY_CRL_CHECK_CHAIN: u32 = crate::constants::VERIFY_CRL_CHECK_CHAIN;
/// `ssl.VERIFY_X509_STRICT`.
pub const VERIFY_X509_STRICT: u32 = crate::constants::VERIFY_X509_STRICT;
/// `ssl.VERIFY_ALLOW_PROXY_CERTS`.
pub const VERIFY_ALLOW_PROXY_CERTS: u32 = crate::constants::VERIFY_ALLOW_PROXY_CERTS;
/// `ssl.VERIFY_X509_TRUSTED_FIRST`.
pub const VERIFY_X509_TRUSTED_FIRST: u32 = crate::constants::VERIFY_X509_TRUSTED_FIRST;
/// `ssl.VERIFY_X509_PARTIAL_CHAIN`.
pub const VERIFY_X509_PARTIAL_CHAIN: u32 = crate::constants::VERIFY_X509_PARTIAL_CHAIN;
/// The verification flags rustssl accepts. Any other bit is refused.
///
/// `VERIFY_ALLOW_PROXY_CERTS` is accepted but cannot be honoured: a chain
/// that holds an RFC 3820 proxy certificate then fails with a message that
/// says so, instead of being judged as if the flag were not set.
pub const SUPPORTED_VERIFY_FLAGS: u32 = VERIFY_CRL_CHECK_CHAIN
    | VERIFY_X509_STRICT
    | VERIFY_ALLOW_PROXY_CERTS
    | VERIFY_X509_TRUSTED_FIRST
    | VERIFY_X509_PARTIAL_CHAIN;
/// CPython's default `verify_flags`: `VERIFY_X509_TRUSTED_FIRST`.
pub const DEFAULT_VERIFY_FLAGS: u32 = crate::constants::VERIFY_X509_TRUSTED_FIRST;

/// Refuses `verify_flags` with a bit rustssl cannot honour: never ignored.
pub fn check_flags(flags: u32) -> Result<()> {
    let unsupported = flags & !SUPPORTED_VERIFY_FLAGS;
    if unsupported != 0 {
        return Err(Error::Unsupported(format!(
            "verify_flags 0x{unsupported:x} cannot be enforced by rustssl"
        )));
    }
    Ok(())
}

/// `ssl.CERT_NONE` / `CERT_OPTIONAL` / `CERT_REQUIRED`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifyMode {
    /// Do not ask for or check the peer certificate (server), or accept anything (client).
    None,
    /// Check a certificate if one is sent; a server does not insist on one.
    Optional,
    /// A valid certificate is required.
    Required,
}

impl VerifyMode {
    /// Converts the Python integer.
    pub fn from_int(v: i64) -> Result<Self> {
        match v {
            0 => Ok(VerifyMode::None),
            1 => Ok(VerifyMode::Optional),
            2 => Ok(VerifyMode::Required),
            _ => Err(Error::Value("invalid value for verify_mode".into())),
        }
    }

    /// The Python integer.
    pub fn as_int(self) -> i64 {
        match self {
            VerifyMode::None => 0,
            VerifyMode::Optional => 1,
            VerifyMode::Required => 2,
        }
    }
}

/// The settings a [`Verifier`](super::Verifier) is built from.
#[derive(Debug, Clone, Copy)]
pub struct VerifyPolicy {
    /// `verify_mode`.
    pub mode: VerifyMode,
    /// `check_hostname` (client side only).
    pub check_hostname: bool,
    /// `_host_flags`.
    pub host_flags: u32,
    /// `verify_flags`.
    pub flags: u32,
}
