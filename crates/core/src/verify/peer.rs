//! The [`Verifier`] as rustls calls it: the server-certificate check of a
//! client (with `check_hostname`) and the client-certificate check of a server.

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, DistinguishedName, SignatureScheme};
use webpki::KeyUsage;

use super::{Verifier, VerifyFailure, VerifyMode};
use crate::codes::verify as code;
use crate::hostname::{self, HostFlags, Mismatch, Reference};

/// The server name as the application gave it.
fn name_text(name: &ServerName<'_>) -> String {
    match name {
        ServerName::DnsName(d) => d.as_ref().to_owned(),
        ServerName::IpAddress(ip) => std::net::IpAddr::from(*ip).to_string(),
        _ => String::new(),
    }
}

/// The reference a client checks the server certificate against.
fn reference_of(name: &ServerName<'_>) -> Reference {
    match name {
        ServerName::DnsName(d) => Reference::parse(d.as_ref()),
        ServerName::IpAddress(ip) => Reference::Ip(std::net::IpAddr::from(*ip)),
        _ => Reference::parse(""),
    }
}

impl Verifier {
    /// Checks the peer's chain for `usage` and records the `capath`
    /// certificates the verified path used.
    fn verify_peer(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
        usage: KeyUsage,
    ) -> std::result::Result<(), rustls::Error> {
        let path = self
            .verify_chain(end_entity, intermediates, now, usage)
            .map_err(VerifyFailure::into_rustls)?;
        self.dir_use.record(&path);
        Ok(())
    }
}

/// The handshake-signature methods both rustls verifier traits require:
/// one implementation, with the algorithms the verifier was built with.
macro_rules! handshake_signatures {
    () => {
        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
            verify_tls12_signature(message, cert, dss, &self.algorithms)
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
            verify_tls13_signature(message, cert, dss, &self.algorithms)
        }

        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            self.algorithms.supported_schemes()
        }
    };
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        // A client with CERT_OPTIONAL still aborts on a bad chain, as OpenSSL does.
        if self.mode == VerifyMode::None {
            return Ok(ServerCertVerified::assertion());
        }
        self.verify_peer(end_entity, intermediates, now, KeyUsage::server_auth())?;
        if self.check_hostname {
            let reference = reference_of(server_name);
            hostname::check(end_entity, &reference, HostFlags(self.host_flags)).map_err(|m| {
                let c = match m {
                    Mismatch::IpAddress => code::IP_ADDRESS_MISMATCH,
                    _ => code::HOSTNAME_MISMATCH,
                };
                // CPython names the requested host after OpenSSL's text.
                VerifyFailure {
                    code: c,
                    message: format!(
                        "{}, certificate is not valid for '{}'.",
                        code::message(c),
                        name_text(server_name)
                    ),
                }
                .into_rustls()
            })?;
        }
        Ok(ServerCertVerified::assertion())
    }

    handshake_signatures!();
}

impl ClientCertVerifier for Verifier {
    fn offer_client_auth(&self) -> bool {
        self.mode != VerifyMode::None
    }

    fn client_auth_mandatory(&self) -> bool {
        self.mode == VerifyMode::Required
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        // CPython never sets a client CA list, so OpenSSL sends no hints.
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> std::result::Result<ClientCertVerified, rustls::Error> {
        self.verify_peer(end_entity, intermediates, now, KeyUsage::client_auth())?;
        Ok(ClientCertVerified::assertion())
    }

    handshake_signatures!();
}
