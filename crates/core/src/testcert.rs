//! Freshly generated certificates for the demo, the CLI, tests and benchmarks
//! (behind the `testcert` feature, so the library itself never links rcgen).

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose, SignatureAlgorithm,
};

use crate::codes::Reason;
use crate::error::{Error, Result};

/// The key types a generated certificate can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// ECDSA on P-256 with SHA-256.
    EcdsaP256,
    /// ECDSA on P-384 with SHA-384.
    EcdsaP384,
    /// Ed25519.
    Ed25519,
    /// RSA with a 2048-bit modulus, PKCS#1 v1.5 signatures with SHA-256.
    Rsa2048,
}

impl KeyKind {
    /// Parses `ecdsa-p256`, `ecdsa-p384`, `ed25519` or `rsa2048`.
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "ecdsa-p256" | "ecdsa" => Ok(KeyKind::EcdsaP256),
            "ecdsa-p384" => Ok(KeyKind::EcdsaP384),
            "ed25519" => Ok(KeyKind::Ed25519),
            "rsa2048" | "rsa" => Ok(KeyKind::Rsa2048),
            other => Err(Error::Value(format!("unknown key type {other:?}"))),
        }
    }

    fn algorithm(self) -> &'static SignatureAlgorithm {
        match self {
            KeyKind::EcdsaP256 => &rcgen::PKCS_ECDSA_P256_SHA256,
            KeyKind::EcdsaP384 => &rcgen::PKCS_ECDSA_P384_SHA384,
            KeyKind::Ed25519 => &rcgen::PKCS_ED25519,
            KeyKind::Rsa2048 => &rcgen::PKCS_RSA_SHA256,
        }
    }
}

/// A generated certificate and its key, both PEM.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The certificate.
    pub cert_pem: String,
    /// The PKCS#8 private key.
    pub key_pem: String,
}

fn failed(e: rcgen::Error) -> Error {
    Error::ssl(
        Reason::InternalError,
        format!("certificate generation failed: {e}"),
    )
}

fn key_pair(kind: KeyKind) -> Result<KeyPair> {
    KeyPair::generate_for(kind.algorithm()).map_err(failed)
}

/// A CA, and a leaf for `names` (DNS names or IP addresses) signed by it.
///
/// Returns `(ca, leaf)`; the leaf is valid for server and client authentication.
pub fn ca_and_leaf(names: &[String], kind: KeyKind) -> Result<(Generated, Generated)> {
    let ca_key = key_pair(kind)?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(failed)?;
    // A unique name, so two generated CAs never look like issuers of each other's leaves.
    let tag: String = crate::random_bytes(6)?
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    ca_params
        .distinguished_name
        .push(DnType::CommonName, format!("rustssl test CA {tag}"));
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_cert = ca_params.self_signed(&ca_key).map_err(failed)?;

    let leaf_key = key_pair(kind)?;
    let mut leaf_params = CertificateParams::new(names.to_vec()).map_err(failed)?;
    let cn = names.first().map(String::as_str).unwrap_or("localhost");
    leaf_params.distinguished_name.push(DnType::CommonName, cn);
    // An authority key identifier, which VERIFY_X509_STRICT requires.
    leaf_params.use_authority_key_identifier_extension = true;
    leaf_params.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ServerAuth,
        ExtendedKeyUsagePurpose::ClientAuth,
    ];
    let issuer = rcgen::Issuer::from_params(&ca_params, &ca_key);
    let leaf_cert = leaf_params.signed_by(&leaf_key, &issuer).map_err(failed)?;
    Ok((
        Generated {
            cert_pem: ca_cert.pem(),
            key_pem: ca_key.serialize_pem(),
        },
        Generated {
            cert_pem: leaf_cert.pem(),
            key_pem: leaf_key.serialize_pem(),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_leaf_decodes_with_its_names() {
        let names = vec!["localhost".to_owned(), "127.0.0.1".to_owned()];
        let (_ca, leaf) = ca_and_leaf(&names, KeyKind::EcdsaP256).unwrap();
        let der = crate::keys::pem_certificates(leaf.cert_pem.as_bytes()).unwrap();
        let dict = crate::x509::decode_certificate(&der[0]).unwrap();
        let san = dict.subject_alt_name.unwrap();
        assert_eq!(san.len(), 2);
        assert_eq!(san[0].0, "DNS");
        assert_eq!(san[1].0, "IP Address");
    }
}
