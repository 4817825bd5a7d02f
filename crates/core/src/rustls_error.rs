//! How rustls' errors become ours: OpenSSL's reasons for protocol
//! failures, and the verification codes of `crate::verify` for certificates.
//!
//! This sits above both [`crate::error`] and [`crate::verify`], so that the
//! error type does not depend on the verifier that produces its codes.

use rustls::{InvalidMessage, PeerIncompatible};

use crate::codes::{self, Reason};
use crate::error::Error;

fn peer_incompatible(p: &PeerIncompatible) -> Error {
    let reason = match p {
        PeerIncompatible::NoCipherSuitesInCommon => Reason::NoSharedCipher,
        PeerIncompatible::NoKxGroupsInCommon => Reason::NoSuitableKeyShare,
        PeerIncompatible::NoSignatureSchemesInCommon
        | PeerIncompatible::NoCertificateRequestSignatureSchemesInCommon => {
            Reason::NoSuitableSignatureAlgorithm
        }
        PeerIncompatible::ServerDoesNotSupportTls12Or13
        | PeerIncompatible::SupportedVersionsExtensionRequired
        | PeerIncompatible::Tls12NotOffered
        | PeerIncompatible::Tls12NotOfferedOrEnabled
        | PeerIncompatible::ServerTlsVersionIsDisabledByOurConfig => Reason::UnsupportedProtocol,
        _ => Reason::HandshakeFailure,
    };
    Error::ssl(reason, format!("{} ({p:?})", reason.text()))
}

fn invalid_message(m: &InvalidMessage) -> Error {
    let reason = match m {
        InvalidMessage::InvalidContentType | InvalidMessage::UnknownProtocolVersion => {
            Reason::WrongVersionNumber
        }
        InvalidMessage::MessageTooLarge
        | InvalidMessage::HandshakePayloadTooLarge
        | InvalidMessage::CertificatePayloadTooLarge => Reason::PacketLengthTooLong,
        _ => Reason::DecodeError,
    };
    Error::ssl(reason, format!("{} ({m:?})", reason.text()))
}

impl From<rustls::Error> for Error {
    fn from(e: rustls::Error) -> Self {
        use rustls::Error as R;
        match e {
            // Certificate errors map to OpenSSL's codes in one place.
            R::InvalidCertificate(c) => crate::verify::certificate_error(c),
            R::AlertReceived(desc) => {
                // Alert reasons are a family of their own (codes::alert_reason).
                let (reason, message) = codes::alert_reason(u8::from(desc));
                Error::Protocol {
                    library: "SSL",
                    reason,
                    message,
                }
            }
            R::NoCertificatesPresented => Error::reason(Reason::PeerDidNotReturnACertificate),
            R::DecryptError => Error::reason(Reason::DecryptionFailedOrBadRecordMac),
            R::PeerIncompatible(p) => peer_incompatible(&p),
            R::InvalidMessage(m) => invalid_message(&m),
            R::PeerSentOversizedRecord => Error::reason(Reason::PacketLengthTooLong),
            R::NoApplicationProtocol => Error::reason(Reason::NoApplicationProtocol),
            R::InappropriateMessage { .. } | R::InappropriateHandshakeMessage { .. } => {
                Error::reason(Reason::UnexpectedMessage)
            }
            R::PeerMisbehaved(p) => Error::ssl(
                Reason::PeerMisbehaved,
                format!("{} ({p:?})", Reason::PeerMisbehaved.text()),
            ),
            other => Error::ssl(Reason::InternalError, other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alerts_map_to_openssl_reasons() {
        let e: Error = rustls::Error::AlertReceived(rustls::AlertDescription::UnknownCA).into();
        assert_eq!(
            e.library_reason(),
            (Some("SSL"), Some("TLSV1_ALERT_UNKNOWN_CA"))
        );
        assert_eq!(
            e.ssl_text(),
            "[SSL: TLSV1_ALERT_UNKNOWN_CA] tlsv1 alert unknown ca"
        );
    }
}
