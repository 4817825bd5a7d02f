//! The byte layer every certificate and key parser stands on: one DER reader
//! ([`der`]), one PEM reader and writer ([`pem`]) and one object-identifier
//! table ([`oid`]).

pub(crate) mod der;
pub(crate) mod oid;
pub(crate) mod pem;
