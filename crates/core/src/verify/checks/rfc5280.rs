//! RFC 5280 "MUST" rules that neither webpki nor OpenSSL enforce, applied
//! always. Each is a structural defect no conforming CA produces, so
//! refusing it costs no real-world compatibility while closing doors that
//! the x509-limbo suite probes: name constraints outside CA certificates
//! or with no subtrees at all, non-critical policy constraints, a malformed
//! authority information access extension, and serial numbers longer than
//! 20 octets. (A zero serial is left alone: hand-made test certificates use it.)

use x509_parser::extensions::ParsedExtension;
use x509_parser::prelude::X509Certificate;

use super::ParsedChain;
use crate::codes::verify as code;
use crate::verify::VerifyFailure;

const NAME_CONSTRAINTS: &str = "2.5.29.30";
const POLICY_CONSTRAINTS: &str = "2.5.29.36";
const AUTHORITY_INFO_ACCESS: &str = "1.3.6.1.5.5.7.1.1";

fn failure(c: i32, why: &str) -> VerifyFailure {
    VerifyFailure {
        code: c,
        message: format!("{} ({why})", code::message(c)),
    }
}

/// Checks every certificate of a validated chain.
pub(super) fn check_chain(chain: &ParsedChain<'_>) -> Result<(), VerifyFailure> {
    for cert in &chain.certs {
        check_one(cert)?;
    }
    Ok(())
}

fn check_one(cert: &X509Certificate<'_>) -> Result<(), VerifyFailure> {
    if cert.raw_serial().len() > 20 {
        return Err(failure(
            code::UNSPECIFIED,
            "serial number longer than 20 octets",
        ));
    }
    let is_ca = cert
        .basic_constraints()
        .ok()
        .flatten()
        .is_some_and(|b| b.value.ca);
    for ext in cert.extensions() {
        match ext.oid.to_id_string().as_str() {
            NAME_CONSTRAINTS => {
                if !is_ca {
                    return Err(failure(
                        code::INVALID_EXTENSION,
                        "name constraints in a certificate that is not a CA",
                    ));
                }
                let empty = match ext.parsed_extension() {
                    ParsedExtension::NameConstraints(nc) => {
                        nc.permitted_subtrees.as_ref().is_none_or(Vec::is_empty)
                            && nc.excluded_subtrees.as_ref().is_none_or(Vec::is_empty)
                    }
                    _ => true,
                };
                if empty {
                    return Err(failure(
                        code::INVALID_EXTENSION,
                        "name constraints without subtrees",
                    ));
                }
            }
            POLICY_CONSTRAINTS if !ext.critical => {
                return Err(failure(
                    code::INVALID_POLICY_EXTENSION,
                    "policy constraints not marked critical",
                ));
            }
            AUTHORITY_INFO_ACCESS
                if !matches!(
                    ext.parsed_extension(),
                    ParsedExtension::AuthorityInfoAccess(_)
                ) =>
            {
                return Err(failure(
                    code::INVALID_EXTENSION,
                    "malformed authority information access",
                ));
            }
            _ => {}
        }
    }
    Ok(())
}
