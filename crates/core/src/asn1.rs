//! The byte layer every certificate and key parser stands on.

pub mod oid;
