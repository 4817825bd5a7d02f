//! The pure-Rust core of rustssl: Python's `ssl` semantics on rustls.
//!
//! This crate knows nothing of Python. It holds the context settings and the
//! rustls configs compiled from them ([`context`]), trust and verification
//! ([`trust`], [`verify`], [`hostname`]), the DER, PEM and OID layer (`asn1`,
//! with [`pem`] and [`oid`] re-exported), certificate decoding into the
//! stdlib's dict shape ([`x509`]), the OpenSSL cipher-string parser ([`ciphers`]), the
//! connection state machine over a socket or memory buffers ([`conn`],
//! [`transport`]) and the one table of error codes ([`codes`], [`error`]).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

use crate::codes::Reason;

pub(crate) mod asn1;
pub mod ciphers;
pub mod codes;
pub mod conn;
pub mod constants;
pub mod context;
pub mod error;
pub mod hostname;
pub mod keylog;
pub mod keys;
pub mod pbe;
mod rustls_error;
pub mod session;
#[cfg(test)]
mod test_der;
#[cfg(feature = "testcert")]
pub mod testcert;
pub mod trust;
pub mod verify;
pub mod x509;

pub use asn1::{oid, pem};
/// The transports keep their old path for the glue: `rustssl_core::transport`.
pub use conn::transport;
pub use error::{Error, Result};
/// The rustls types the glue passes between core calls without looking inside.
pub use rustls::{ProtocolVersion, ServerConfig};

/// Fills a new buffer from the system CSPRNG (via aws-lc), for `RAND_bytes`.
pub fn random_bytes(len: usize) -> Result<Vec<u8>> {
    let mut out = vec![0u8; len];
    aws_lc_rs::rand::fill(&mut out)
        .map_err(|_| Error::ssl(Reason::RandLib, "random number generator failure"))?;
    Ok(out)
}

/// `OPENSSL_VERSION_NUMBER`: the OpenSSL release whose behaviour rustssl reproduces.
pub const OPENSSL_COMPAT_NUMBER: u64 = 0x3000_0000;
/// `OPENSSL_VERSION_INFO`.
pub const OPENSSL_COMPAT_INFO: (u32, u32, u32, u32, u32) = (3, 0, 0, 0, 0);
/// `OPENSSL_VERSION`: starts as OpenSSL's does, so libraries that gate on
/// the prefix take their full-security path, and names what really runs.
pub const OPENSSL_VERSION: &str = concat!(
    "OpenSSL 3.0.0 compatible (rustssl ",
    env!("CARGO_PKG_VERSION"),
    "; rustls 0.23 with aws-lc-rs)"
);
