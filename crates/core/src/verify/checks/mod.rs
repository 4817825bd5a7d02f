//! The checks OpenSSL and RFC 5280 make on a validated chain that webpki
//! does not: three suites, run over the chain parsed once.

mod openssl;
mod rfc5280;
mod strict;

use std::sync::Arc;

use rustls::pki_types::CertificateDer;
use x509_parser::prelude::{FromDer, X509Certificate};

use super::policy::{VERIFY_CRL_CHECK_CHAIN, VERIFY_CRL_CHECK_LEAF, VERIFY_X509_STRICT};
use super::VerifyFailure;
use crate::codes::verify as code;

/// A validated chain (leaf first, anchor last) with each certificate parsed once.
struct ParsedChain<'a> {
    /// The DER encodings.
    ders: &'a [CertificateDer<'a>],
    /// The parsed certificates, index for index.
    certs: Vec<X509Certificate<'a>>,
}

impl<'a> ParsedChain<'a> {
    /// Parses every certificate; one that does not parse fails the chain.
    fn parse(ders: &'a [CertificateDer<'a>]) -> Result<Self, VerifyFailure> {
        let certs = ders
            .iter()
            .map(|der| X509Certificate::from_der(der).map(|(_, cert)| cert))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| VerifyFailure::new(code::UNSPECIFIED))?;
        Ok(ParsedChain { ders, certs })
    }
}

/// Runs the suites over a validated `chain`, in the order that decides which
/// failure is reported: OpenSSL's own checks, RFC 5280's, the CRLs' (with
/// CRL checking on) and the strict profile (with `VERIFY_X509_STRICT`).
pub(super) fn run(
    chain: &[CertificateDer<'_>],
    flags: u32,
    crls: &[Arc<[u8]>],
) -> Result<(), VerifyFailure> {
    let chain = ParsedChain::parse(chain)?;
    openssl::check_chain(&chain)?;
    rfc5280::check_chain(&chain)?;
    if flags & VERIFY_CRL_CHECK_LEAF != 0 {
        let whole_chain = flags & VERIFY_CRL_CHECK_CHAIN == VERIFY_CRL_CHECK_CHAIN;
        openssl::check_crls(&chain, crls, whole_chain)?;
    }
    if flags & VERIFY_X509_STRICT != 0 {
        strict::check_chain(&chain)?;
    }
    Ok(())
}
