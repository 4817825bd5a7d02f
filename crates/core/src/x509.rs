//! Certificate bytes to meaning: the stdlib's certificate dict
//! (`getpeercert()`, `_test_decode_cert()`), OpenSSL's CA and self-signed
//! classification, and the one `GeneralNames` parser.
//!
//! The dict holds exactly what CPython's `ssl` module puts in it when built
//! against OpenSSL 3.0: the same attribute names, string conversions, serial
//! and date formats, the same subjectAltName spellings, and the same choice
//! of when a key is omitted or the whole certificate is refused.
//!
//! The parsing here is deliberately our own (over [`crate::asn1::der`])
//! rather than a general X.509 parser: the stdlib's answers depend on how
//! leniently OpenSSL reads each field (malformed dates still decode and
//! print as "Bad time value", a malformed extension silently drops its key,
//! and so on), and reproducing that needs control over every level. Nothing
//! here panics on hostile input.
//!
//! Layers, each using only those above it: `name` and `print` (names and
//! printed fields), `general_name`, `cert` (the certificate structure and
//! extension lookup), `extensions`, then `decode` (the dict) and `ca`
//! (classification).

mod ca;
mod cert;
mod decode;
mod extensions;
mod general_name;
mod name;
mod print;
#[cfg(test)]
mod tests;

pub use ca::{is_ca, is_self_signed, self_signed_and_ca};
pub use decode::{decode_certificate, AltNameValue, AttributeValue, CertDict, Name};
pub(crate) use general_name::{parse_general_names, RawGeneralName};
