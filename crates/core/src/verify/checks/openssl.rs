//! Checks OpenSSL makes on every chain and webpki does not, so that
//! rustssl never accepts a chain the stdlib refuses.

use x509_parser::prelude::FromDer;

use super::ParsedChain;
use crate::codes::verify as code;
use crate::verify::VerifyFailure;

/// The extensions OpenSSL understands when critical (`X509_supported_extension`);
/// any other critical extension, even on the trust anchor, fails with code 34.
const SUPPORTED_CRITICAL: &[&str] = &[
    "2.16.840.1.113730.1.1", // Netscape certificate type
    "2.5.29.15",             // keyUsage
    "2.5.29.17",             // subjectAltName
    "2.5.29.19",             // basicConstraints
    "2.5.29.32",             // certificatePolicies
    "2.5.29.37",             // extKeyUsage
    "2.5.29.36",             // policyConstraints
    "1.3.6.1.5.5.7.1.14",    // proxyCertInfo
    "2.5.29.30",             // nameConstraints
    "2.5.29.33",             // policyMappings
    "2.5.29.54",             // inhibitAnyPolicy
    "1.3.6.1.5.5.7.1.7",     // IP address delegation
    "1.3.6.1.5.5.7.1.8",     // AS identifier delegation
];

/// OpenSSL's bound on names times name constraints, against quadratic blow-up.
const NAME_CHECK_MAX: usize = 1 << 20;

/// Checks a validated `chain` (leaf first, anchor last).
pub(super) fn check_chain(chain: &ParsedChain<'_>) -> Result<(), VerifyFailure> {
    let parsed = &chain.certs;
    for cert in parsed {
        let unsupported = cert
            .extensions()
            .iter()
            .any(|e| e.critical && !SUPPORTED_CRITICAL.contains(&e.oid.to_id_string().as_str()));
        if unsupported {
            return Err(VerifyFailure::new(code::UNHANDLED_CRITICAL_EXTENSION));
        }
    }
    // OpenSSL takes no certificate whose keyUsage lacks keyCertSign as an
    // issuer, so such a chain lacks its issuer (code 20), even at the
    // anchor. A trusted self-signed leaf issues nothing and is exempt.
    for (ders, certs) in chain.ders.windows(2).zip(parsed.windows(2)) {
        if ders[0] == ders[1] {
            continue;
        }
        let cannot_sign = certs[1]
            .key_usage()
            .ok()
            .flatten()
            .is_some_and(|ku| !ku.value.key_cert_sign());
        if cannot_sign {
            return Err(VerifyFailure::new(code::UNABLE_TO_GET_ISSUER_CERT_LOCALLY));
        }
    }
    // Every certificate below a CA with name constraints is bounded.
    for (i, ca) in parsed.iter().enumerate().skip(1) {
        let Ok(Some(nc)) = ca.name_constraints() else {
            continue;
        };
        let constraints = nc.value.permitted_subtrees.as_ref().map_or(0, Vec::len)
            + nc.value.excluded_subtrees.as_ref().map_or(0, Vec::len);
        for below in &parsed[..i] {
            let names = below.subject().iter_attributes().count()
                + below
                    .subject_alternative_name()
                    .ok()
                    .flatten()
                    .map_or(0, |s| s.value.general_names.len());
            if names > 0 && constraints > NAME_CHECK_MAX / names {
                return Err(VerifyFailure::new(code::UNSPECIFIED));
            }
        }
    }
    Ok(())
}

/// The critical CRL extensions OpenSSL understands; any other fails with code 36.
const SUPPORTED_CRITICAL_CRL: &[&str] = &[
    "2.5.29.28", // issuingDistributionPoint
    "2.5.29.35", // authorityKeyIdentifier
    "2.5.29.27", // deltaCRLIndicator
];

/// The CRL checks webpki does not make: the CRL issuer's keyUsage must
/// allow CRL signing (35), and the CRL may carry no critical extension
/// OpenSSL does not understand (36). Applies to the CRLs of the issuers
/// of the certificates that were revocation-checked.
pub(super) fn check_crls(
    chain: &ParsedChain<'_>,
    crls: &[std::sync::Arc<[u8]>],
    whole_chain: bool,
) -> Result<(), VerifyFailure> {
    let checked = if whole_chain {
        chain.certs.len().saturating_sub(1)
    } else {
        1.min(chain.certs.len().saturating_sub(1))
    };
    let parsed_crls: Vec<_> = crls
        .iter()
        .filter_map(|der| {
            x509_parser::revocation_list::CertificateRevocationList::from_der(der)
                .ok()
                .map(|(_, c)| c)
        })
        .collect();
    for pair in chain.certs.windows(2).take(checked) {
        let (cert, issuer) = (&pair[0], &pair[1]);
        for crl in &parsed_crls {
            if crl.issuer().as_raw() != cert.issuer().as_raw() {
                continue;
            }
            if issuer
                .key_usage()
                .ok()
                .flatten()
                .is_some_and(|ku| !ku.value.crl_sign())
            {
                return Err(VerifyFailure::new(code::KEYUSAGE_NO_CRL_SIGN));
            }
            let unsupported = crl.extensions().iter().any(|e| {
                e.critical && !SUPPORTED_CRITICAL_CRL.contains(&e.oid.to_id_string().as_str())
            });
            if unsupported {
                return Err(VerifyFailure::new(code::UNHANDLED_CRITICAL_CRL_EXTENSION));
            }
        }
    }
    Ok(())
}
