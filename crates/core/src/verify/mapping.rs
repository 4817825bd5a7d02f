//! The one mapping between OpenSSL's verification codes and the errors of
//! webpki and rustls, both ways: webpki's path errors become OpenSSL codes,
//! a code travels through rustls as a certificate error (choosing the alert
//! OpenSSL would send), and a rustls certificate error becomes
//! `Error::CertVerification` again.

use std::fmt;
use std::sync::Arc;

use rustls::CertificateError;

use crate::codes::verify as code;
use crate::error::Error;

/// A verification failure carried through rustls inside `CertificateError::Other`,
/// so that the OpenSSL code survives the trip.
#[derive(Debug, Clone)]
pub struct VerifyFailure {
    /// OpenSSL's `X509_V_ERR_*` code.
    pub code: i32,
    /// The message shown after "certificate verify failed: ".
    pub message: String,
}

impl fmt::Display for VerifyFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for VerifyFailure {}

impl VerifyFailure {
    /// A failure with OpenSSL's own message for `code`.
    pub fn new(code: i32) -> Self {
        VerifyFailure {
            code,
            message: code::message(code).to_owned(),
        }
    }

    /// Wraps the failure so rustls can carry it as a certificate error.
    ///
    /// rustls picks the alert it sends from the error's variant, and sends
    /// `certificate_unknown` for every `Other`. Where a plain variant both
    /// yields the alert OpenSSL sends for this code and converts back to the
    /// same code and message (see `code_of`), that variant is used;
    /// everything else travels as `Other` so its code and message survive.
    pub fn into_rustls(self) -> rustls::Error {
        use code::*;
        if matches!(
            self.code,
            UNABLE_TO_GET_ISSUER_CERT
                | DEPTH_ZERO_SELF_SIGNED_CERT
                | SELF_SIGNED_CERT_IN_CHAIN
                | UNABLE_TO_VERIFY_LEAF_SIGNATURE
        ) {
            // OpenSSL sends unknown_ca for every "no trusted issuer" case, but
            // rustls sends it only for UnknownIssuer, which converts back to
            // code 20. The exact failure is set aside for this thread:
            // verification runs inside the rustls call that returns the error,
            // and `Error::from` takes it back from there.
            PENDING_UNKNOWN_ISSUER.with(|slot| *slot.borrow_mut() = Some(self));
            return rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer);
        }
        let plain = match self.code {
            UNABLE_TO_GET_ISSUER_CERT_LOCALLY => Some(CertificateError::UnknownIssuer),
            UNABLE_TO_GET_CRL => Some(CertificateError::UnknownRevocationStatus),
            CERT_HAS_EXPIRED => Some(CertificateError::Expired),
            CERT_REVOKED => Some(CertificateError::Revoked),
            INVALID_PURPOSE => Some(CertificateError::InvalidPurpose),
            _ => None,
        };
        match plain {
            Some(variant) if self.message == code::message(self.code) => {
                rustls::Error::InvalidCertificate(variant)
            }
            _ => rustls::Error::InvalidCertificate(CertificateError::Other(rustls::OtherError(
                Arc::new(self),
            ))),
        }
    }
}

thread_local! {
    /// A "no trusted issuer" failure handed to rustls as `UnknownIssuer` on this thread.
    static PENDING_UNKNOWN_ISSUER: std::cell::RefCell<Option<VerifyFailure>> =
        const { std::cell::RefCell::new(None) };
}

/// The OpenSSL code for a webpki path-validation error.
#[allow(deprecated)] // The context-free variants are still produced by some paths.
pub(super) fn from_webpki(e: &webpki::Error) -> VerifyFailure {
    use webpki::Error as W;
    let c = match e {
        W::CertExpired { .. } => code::CERT_HAS_EXPIRED,
        W::CertNotValidYet { .. } => code::CERT_NOT_YET_VALID,
        W::CertRevoked => code::CERT_REVOKED,
        W::UnknownRevocationStatus => code::UNABLE_TO_GET_CRL,
        W::CrlExpired { .. } => code::CRL_HAS_EXPIRED,
        W::UnknownIssuer => code::UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
        W::InvalidSignatureForPublicKey => code::CERT_SIGNATURE_FAILURE,
        W::InvalidCrlSignatureForPublicKey => code::CRL_SIGNATURE_FAILURE,
        W::CaUsedAsEndEntity | W::EndEntityUsedAsCa => code::INVALID_CA,
        W::PathLenConstraintViolated => code::PATH_LENGTH_EXCEEDED,
        W::RequiredEkuNotFound | W::RequiredEkuNotFoundContext(_) | W::EmptyEkuExtension => {
            code::INVALID_PURPOSE
        }
        W::NameConstraintViolation => code::PERMITTED_VIOLATION,
        W::MaximumPathDepthExceeded => code::CERT_CHAIN_TOO_LONG,
        W::UnsupportedCriticalExtension => code::UNHANDLED_CRITICAL_EXTENSION,
        W::UnsupportedSignatureAlgorithm
        | W::UnsupportedSignatureAlgorithmContext(_)
        | W::UnsupportedSignatureAlgorithmForPublicKey
        | W::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => code::CA_MD_TOO_WEAK,
        _ => code::UNSPECIFIED,
    };
    if c == code::UNSPECIFIED {
        VerifyFailure {
            code: c,
            message: format!("{}: {e:?}", code::message(c)),
        }
    } else {
        VerifyFailure::new(c)
    }
}

/// The OpenSSL verification code closest to a rustls certificate error.
fn code_of(e: &CertificateError) -> i32 {
    use code::*;
    match e {
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => CERT_HAS_EXPIRED,
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
            CERT_NOT_YET_VALID
        }
        CertificateError::Revoked => CERT_REVOKED,
        CertificateError::UnknownIssuer => UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
        CertificateError::UnknownRevocationStatus => UNABLE_TO_GET_CRL,
        CertificateError::ExpiredRevocationList
        | CertificateError::ExpiredRevocationListContext { .. } => CRL_HAS_EXPIRED,
        CertificateError::BadSignature => CERT_SIGNATURE_FAILURE,
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
            HOSTNAME_MISMATCH
        }
        CertificateError::InvalidPurpose | CertificateError::InvalidPurposeContext { .. } => {
            INVALID_PURPOSE
        }
        CertificateError::UnhandledCriticalExtension => UNHANDLED_CRITICAL_EXTENSION,
        CertificateError::UnsupportedSignatureAlgorithmContext { .. }
        | CertificateError::UnsupportedSignatureAlgorithmForPublicKeyContext { .. } => {
            CA_MD_TOO_WEAK
        }
        _ => UNSPECIFIED,
    }
}

/// The failure a verifier handed to rustls, or the code closest to a
/// certificate error rustls found itself.
pub(crate) fn certificate_error(e: CertificateError) -> Error {
    match e {
        CertificateError::Other(other) => match other.0.downcast_ref::<VerifyFailure>() {
            Some(f) => Error::CertVerification {
                code: f.code,
                message: f.message.clone(),
            },
            None => Error::CertVerification {
                code: code::UNSPECIFIED,
                message: other.to_string(),
            },
        },
        CertificateError::UnknownIssuer => {
            match PENDING_UNKNOWN_ISSUER.with(|slot| slot.borrow_mut().take()) {
                Some(f) => Error::CertVerification {
                    code: f.code,
                    message: f.message,
                },
                None => Error::verify(code::UNABLE_TO_GET_ISSUER_CERT_LOCALLY),
            }
        }
        c => Error::verify(code_of(&c)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes;

    #[test]
    fn verify_failure_survives_rustls() {
        let e: Error = VerifyFailure::new(codes::verify::HOSTNAME_MISMATCH)
            .into_rustls()
            .into();
        match &e {
            Error::CertVerification { code, message } => {
                assert_eq!(*code, 62);
                assert_eq!(message, "Hostname mismatch");
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(
            e.ssl_text(),
            "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: Hostname mismatch"
        );
        assert_eq!(e.ssl_errno(), 1);
    }

    #[test]
    fn plain_variants_round_trip_their_codes() {
        for c in [3, 10, 20, 23, 26] {
            let e: Error = VerifyFailure::new(c).into_rustls().into();
            match e {
                Error::CertVerification { code, message } => {
                    assert_eq!(code, c);
                    assert_eq!(message, codes::verify::message(c));
                }
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    #[test]
    fn self_signed_leaf_sends_unknown_ca_and_keeps_code_18() {
        let r = VerifyFailure::new(codes::verify::DEPTH_ZERO_SELF_SIGNED_CERT).into_rustls();
        let rustls::Error::InvalidCertificate(c) = &r else {
            panic!("unexpected {r:?}");
        };
        assert_eq!(
            rustls::AlertDescription::from(c.clone()),
            rustls::AlertDescription::UnknownCA
        );
        let e: Error = r.into();
        assert!(matches!(e, Error::CertVerification { code: 18, .. }));
    }

    #[test]
    fn unknown_issuer_is_code_20() {
        let e: Error = rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer).into();
        assert!(matches!(e, Error::CertVerification { code: 20, .. }));
    }

    #[test]
    fn every_code_survives_the_trip_through_rustls() {
        for c in 0..=100 {
            let r = VerifyFailure::new(c).into_rustls();
            let rustls::Error::InvalidCertificate(cert_error) = &r else {
                panic!("unexpected {r:?}");
            };
            let no_issuer = matches!(c, 2 | 18 | 19 | 20 | 21);
            assert_eq!(
                rustls::AlertDescription::from(cert_error.clone())
                    == rustls::AlertDescription::UnknownCA,
                no_issuer || c == codes::verify::UNABLE_TO_GET_CRL,
                "alert for code {c}"
            );
            match Error::from(r) {
                Error::CertVerification { code, message } => {
                    assert_eq!(code, c);
                    assert_eq!(message, codes::verify::message(c));
                }
                other => panic!("unexpected {other:?}"),
            }
        }
    }
}
