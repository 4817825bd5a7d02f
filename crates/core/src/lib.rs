//! The pure-Rust core of rustssl: Python's `ssl` semantics on rustls.
//!
//! This crate knows nothing of Python. Its modules are private to the crate:
//! the context settings and the rustls configs compiled from them (`context`),
//! trust and verification (`trust`, `verify`, `hostname`), the DER, PEM and
//! OID layer (`asn1`), certificate decoding into the stdlib's dict shape
//! (`x509`), keys and chains (`keys`, `pbe`), the OpenSSL cipher-string
//! parser (`ciphers`), the connection state machine over a socket or memory
//! buffers (`conn`) and the one error enum (`error`). What the glue
//! (`crates/py`), the fuzz targets and the benches may use is the curated set
//! of re-exports below, plus three public modules: [`constants`] and
//! [`codes`], the tables exported to Python, and `testcert` (behind the
//! `testcert` feature).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

use crate::codes::Reason;

pub(crate) mod asn1;
pub(crate) mod ciphers;
pub mod codes;
pub(crate) mod conn;
pub mod constants;
pub(crate) mod context;
pub(crate) mod error;
pub(crate) mod hkdf;
pub(crate) mod hostname;
pub(crate) mod keylog;
pub(crate) mod keys;
pub(crate) mod pbe;
mod rustls_error;
pub(crate) mod session;
#[cfg(test)]
mod test_der;
#[cfg(feature = "testcert")]
pub mod testcert;
pub(crate) mod trust;
pub(crate) mod verify;
pub(crate) mod x509;

// The public surface: exactly what crates/py, fuzz/ and the benches use.

// Contexts: settings, the compiled configs and the connection factory.
pub use context::{group_name as key_exchange_group_name, Context, Role, Settings};
// Connections and what a handshake reports.
pub use conn::{Connection, HandshakeStatus, HelloInfo};
// Transports: where a connection's ciphertext goes (a socket fd or MemoryBIO queues).
pub use conn::transport::{BioTransport, FdTransport, MemoryBio, Need, Timeout, Transport};
// Sessions and key logging.
pub use keylog::KeyLogFile;
pub use session::Session;
// Errors: the one error enum and the operation a failure happened in.
pub use error::{Error, Operation, Result};
// Verification and trust.
pub use trust::{
    system_paths as system_ca_paths, DefaultPaths, TrustStore, CERT_DIR_ENV, CERT_FILE_ENV,
};
pub use verify::VerifyMode;
// Cipher suites: the OpenSSL cipher-string parser and what get_ciphers() reports.
pub use ciphers::{
    all as all_ciphers, by_name as cipher_by_name, by_suite as cipher_by_suite,
    parse as parse_cipher_string, CipherInfo, DEFAULT_CIPHER_STRING,
};
// Certificates, chains and private keys.
pub use keys::{
    certified_key, key_is_encrypted, pem_certificates, read_chain as read_certificate_chain,
    read_private_key,
};
pub use pbe::{decrypt_legacy_pem, decrypt_pkcs8};
// Certificate decoding into the stdlib's getpeercert() dict.
pub use x509::{
    decode_certificate, is_ca as certificate_is_ca, is_self_signed as certificate_is_self_signed,
    AltNameValue, AttributeValue, CertDict, Name,
};
// PEM and OIDs.
pub use asn1::oid::{
    by_nid as oid_by_nid, by_text as oid_by_text, short_name_of as oid_short_name,
    Object as OidObject,
};
pub use asn1::pem::{
    blocks as pem_blocks, encode as pem_encode, first_certificate as pem_first_certificate,
};
// The rustls types the glue passes between core calls without looking inside.
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
