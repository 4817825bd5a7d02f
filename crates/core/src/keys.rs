//! Loading a certificate chain and its private key, as `load_cert_chain` does.
//!
//! The steps and their failures follow CPython over OpenSSL: the chain is
//! read first (and its leaf checked against the security level), then the
//! key, which may be encrypted (see [`crate::pbe`]), then the two are
//! matched. Each failure is the `SSLError` CPython raises for it.

use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls::pki_types::{
    CertificateDer, PrivateKeyDer, PrivatePkcs1KeyDer, PrivatePkcs8KeyDer, PrivateSec1KeyDer,
};
use rustls::sign::CertifiedKey;
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::public_key::PublicKey;

use crate::asn1::pem;
use crate::codes::reason;
use crate::error::{Error, Result};
use crate::pbe::{self, PbeError};

/// The longest password OpenSSL's PEM reader accepts (`PEM_BUFSIZE`); CPython
/// raises `ValueError` for a longer one when the key needs it.
pub const MAX_PASSWORD_LEN: usize = 1024;

fn pem_lib(detail: Option<&str>) -> Error {
    Error::load(reason::PEM_LIB, detail.map(str::to_owned))
}

/// The whole blocks of `data` in order (unterminated ones are dropped),
/// with their header lines (encrypted keys need them).
fn pem_blocks(data: &[u8]) -> Vec<pem::Block> {
    pem::scan(data).into_iter().filter(|b| b.complete).collect()
}

/// The certificates of `certfile`, leaf first, read as OpenSSL's
/// `SSL_CTX_use_certificate_chain_file` reads them, with the leaf checked
/// against `security_level` as OpenSSL checks it on use.
pub fn read_chain(cert_pem: &[u8], security_level: i32) -> Result<Vec<CertificateDer<'static>>> {
    let mut chain = Vec::new();
    for block in pem_blocks(cert_pem) {
        // Other blocks (keys, parameters) are skipped; a broken one ends the read.
        let is_certificate = block.is_certificate();
        let Some(body) = block.body else {
            return Err(pem_lib(None));
        };
        if !is_certificate {
            continue;
        }
        if X509Certificate::from_der(&body).is_err() {
            return Err(pem_lib(Some("the certificate is not valid DER")));
        }
        chain.push(CertificateDer::from(body));
    }
    let Some(leaf) = chain.first() else {
        return Err(pem_lib(None));
    };
    check_security_level(leaf, security_level)?;
    Ok(chain)
}

/// The minimum strength in bits each OpenSSL security level demands.
fn level_minimum(level: i32) -> u32 {
    match level {
        i32::MIN..=0 => 0,
        1 => 80,
        2 => 112,
        3 => 128,
        4 => 192,
        _ => 256,
    }
}

/// The strength of a public key in bits, rated as OpenSSL rates it.
fn key_strength(key: &PublicKey<'_>) -> Option<u32> {
    Some(match key {
        PublicKey::RSA(rsa) => match rsa.key_size() {
            n if n >= 15360 => 256,
            n if n >= 7680 => 192,
            n if n >= 3072 => 128,
            n if n >= 2048 => 112,
            n if n >= 1024 => 80,
            _ => 0,
        },
        PublicKey::EC(ec) => u32::try_from(ec.key_size() / 2).ok()?,
        _ => return None,
    })
}

/// The strength of a signature algorithm's digest, or `None` if unknown.
fn digest_strength(oid: &str) -> Option<u32> {
    match oid {
        // md5WithRSAEncryption
        "1.2.840.113549.1.1.4" => Some(39),
        // sha1WithRSAEncryption, ecdsa-with-SHA1, dsa-with-sha1
        "1.2.840.113549.1.1.5" | "1.2.840.10045.4.1" | "1.2.840.10040.4.3" => Some(63),
        _ => None,
    }
}

/// OpenSSL refuses, on use, a leaf whose key or (unless self-signed)
/// signature digest is weaker than the security level allows.
fn check_security_level(leaf: &[u8], level: i32) -> Result<()> {
    let minimum = level_minimum(level);
    if minimum == 0 {
        return Ok(());
    }
    let Ok((_, cert)) = X509Certificate::from_der(leaf) else {
        return Err(pem_lib(None));
    };
    if let Ok(key) = cert.public_key().parsed() {
        if key_strength(&key).is_some_and(|bits| bits < minimum) {
            return Err(Error::load(reason::EE_KEY_TOO_SMALL, None));
        }
    }
    // OpenSSL skips the digest of a self-signed certificate (`EXFLAG_SS`).
    let sig = cert.signature_algorithm.algorithm.to_id_string();
    if !crate::x509::is_self_signed(leaf)
        && digest_strength(&sig).is_some_and(|bits| bits < minimum)
    {
        return Err(Error::load(reason::CA_MD_TOO_WEAK, None));
    }
    Ok(())
}

/// Whether the first private key in `key_pem` is encrypted, so that a
/// password (or the password callback) is needed to read it.
pub fn key_is_encrypted(key_pem: &[u8]) -> bool {
    pem_blocks(key_pem)
        .iter()
        .find(|b| b.is_private_key())
        .is_some_and(pem::Block::is_encrypted)
}

/// The first private key in a PEM file, decrypted with `password` if it is encrypted.
///
/// Keys are RSA, ECDSA or Ed25519 in PKCS#8, PKCS#1 or SEC1, plain or
/// encrypted (PKCS#8 PBES2/PKCS#12-3DES, or traditional `DEK-Info` PEM).
pub fn read_private_key(key_pem: &[u8], password: Option<&[u8]>) -> Result<PrivateKeyDer<'static>> {
    let blocks = pem_blocks(key_pem);
    let Some(block) = blocks.into_iter().find(pem::Block::is_private_key) else {
        return Err(pem_lib(None));
    };
    let encrypted = block.is_encrypted();
    let Some(body) = block.body.as_deref() else {
        return Err(pem_lib(None));
    };
    let der = if encrypted {
        let password = password.ok_or_else(|| {
            pem_lib(Some(
                "the private key is encrypted and no password was given",
            ))
        })?;
        if password.len() > MAX_PASSWORD_LEN {
            return Err(Error::Value(format!(
                "password cannot be longer than {MAX_PASSWORD_LEN} bytes"
            )));
        }
        let decrypted = match block.header("DEK-Info") {
            Some(dek) if block.label != "ENCRYPTED PRIVATE KEY" => {
                pbe::decrypt_legacy_pem(dek, password, body)
            }
            _ if block.label == "ENCRYPTED PRIVATE KEY" => pbe::decrypt_pkcs8(body, password),
            _ => Err(PbeError::Malformed),
        };
        decrypted.map_err(|e| match e {
            PbeError::Unsupported(why) => pem_lib(Some(&why)),
            PbeError::BadDecrypt | PbeError::Malformed => pem_lib(None),
        })?
    } else {
        body.to_vec()
    };
    let label = block.label.as_str();
    Ok(match label {
        "PRIVATE KEY" | "ENCRYPTED PRIVATE KEY" => PrivatePkcs8KeyDer::from(der).into(),
        "RSA PRIVATE KEY" => PrivatePkcs1KeyDer::from(der).into(),
        "EC PRIVATE KEY" => PrivateSec1KeyDer::from(der).into(),
        other => {
            return Err(pem_lib(Some(&format!(
                "{} keys are not supported",
                other.trim_end_matches(" PRIVATE KEY")
            ))))
        }
    })
}

/// The SubjectPublicKeyInfo algorithm OID of a certificate.
fn cert_key_algorithm(cert: &[u8]) -> Option<String> {
    let (_, parsed) = X509Certificate::from_der(cert).ok()?;
    Some(parsed.public_key().algorithm.algorithm.to_id_string())
}

/// Builds the signing identity from a chain and its private key, checking that they match.
pub fn certified_key(
    provider: &CryptoProvider,
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<Arc<CertifiedKey>> {
    let leaf_algorithm = chain.first().and_then(|c| cert_key_algorithm(c));
    let signing = provider
        .key_provider
        .load_private_key(key)
        .map_err(|_| pem_lib(Some("unsupported or invalid private key")))?;
    // OpenSSL files a key under its type; a key of another type than the
    // certificate's leaves the certificate without a key.
    let key_type_oid = match signing.algorithm() {
        rustls::SignatureAlgorithm::RSA => "1.2.840.113549.1.1.1",
        rustls::SignatureAlgorithm::ECDSA => "1.2.840.10045.2.1",
        rustls::SignatureAlgorithm::ED25519 => "1.3.101.112",
        rustls::SignatureAlgorithm::ED448 => "1.3.101.113",
        _ => "",
    };
    if leaf_algorithm.as_deref().is_some_and(|a| a != key_type_oid) {
        return Err(Error::load(reason::NO_CERTIFICATE_ASSIGNED, None));
    }
    let ck = CertifiedKey::new(chain, signing);
    match ck.keys_match() {
        Ok(()) => Ok(Arc::new(ck)),
        // The provider cannot derive this key's public half; the handshake
        // signature will still fail if they do not belong together.
        Err(rustls::Error::InconsistentKeys(rustls::InconsistentKeys::Unknown)) => Ok(Arc::new(ck)),
        Err(_) => Err(Error::load(reason::KEY_VALUES_MISMATCH, None)),
    }
}

/// Every certificate in a PEM file, in order.
pub fn pem_certificates(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>> {
    read_chain(pem, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_kept_and_encryption_detected() {
        let pem = b"-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\nAAAA\n-----END RSA PRIVATE KEY-----\n";
        let blocks = pem_blocks(pem);
        assert_eq!(blocks.len(), 1);
        assert_eq!(
            blocks[0].header("dek-info"),
            Some("AES-128-CBC,00112233445566778899AABBCCDDEEFF")
        );
        assert!(key_is_encrypted(pem));
        assert!(!key_is_encrypted(
            b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
        ));
    }

    #[test]
    fn encrypted_key_without_password_is_pem_lib() {
        let pem =
            b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n";
        let err = read_private_key(pem, None).unwrap_err();
        assert_eq!(err.ssl_errno(), reason::PEM_LIB.errno);
    }

    #[test]
    fn over_long_password_is_a_value_error() {
        let pem =
            b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n";
        let long = vec![b'a'; MAX_PASSWORD_LEN + 1];
        assert!(matches!(
            read_private_key(pem, Some(&long)),
            Err(Error::Value(_))
        ));
        // Exactly the limit is accepted (and then fails as a wrong password).
        let ok = vec![b'a'; MAX_PASSWORD_LEN];
        assert!(matches!(
            read_private_key(pem, Some(&ok)),
            Err(Error::Load { .. })
        ));
    }

    /// A v3 certificate signed with sha1WithRSA (key and signature are junk).
    fn sha1_certificate(issuer: &[u8], subject: &[u8]) -> Vec<u8> {
        use crate::test_der::tlv;
        let sha1_rsa = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05];
        let rsa = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
        let algorithm = tlv(0x30, &[tlv(0x06, &sha1_rsa), tlv(0x05, &[])].concat());
        let key_algorithm = tlv(0x30, &[tlv(0x06, &rsa), tlv(0x05, &[])].concat());
        let key = tlv(0x30, &[key_algorithm, tlv(0x03, &[0, 1, 2])].concat());
        let validity = tlv(
            0x30,
            &[tlv(0x17, b"240101000000Z"), tlv(0x17, b"340101000000Z")].concat(),
        );
        let version = tlv(0xa0, &tlv(0x02, &[2]));
        let tbs = [
            version,
            tlv(0x02, &[1]),
            algorithm.clone(),
            issuer.to_vec(),
            validity,
            subject.to_vec(),
            key,
        ]
        .concat();
        tlv(
            0x30,
            &[tlv(0x30, &tbs), algorithm, tlv(0x03, &[0, 0xaa])].concat(),
        )
    }

    fn common_name(tag: u8, cn: &str) -> Vec<u8> {
        use crate::test_der::tlv;
        let attribute = [tlv(0x06, &[0x55, 0x04, 0x03]), tlv(tag, cn.as_bytes())].concat();
        tlv(0x30, &tlv(0x31, &tlv(0x30, &attribute)))
    }

    #[test]
    fn weak_digest_is_excused_for_self_signed_as_openssl_sees_it() {
        // Names equal in OpenSSL's canonical form (case and string type
        // aside) make the certificate self-signed, whose digest is not rated.
        let root = sha1_certificate(&common_name(0x13, "ROOT"), &common_name(0x0c, "root"));
        assert!(check_security_level(&root, 2).is_ok());
        let leaf = sha1_certificate(&common_name(0x0c, "CA"), &common_name(0x0c, "leaf"));
        assert!(matches!(
            check_security_level(&leaf, 2),
            Err(Error::Load { .. })
        ));
        assert!(check_security_level(&leaf, 0).is_ok());
    }

    #[test]
    fn security_levels_follow_openssl() {
        assert_eq!(level_minimum(0), 0);
        assert_eq!(level_minimum(2), 112);
        assert_eq!(digest_strength("1.2.840.113549.1.1.5"), Some(63));
        assert_eq!(digest_strength("1.2.840.113549.1.1.11"), None);
    }
}
