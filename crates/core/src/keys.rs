//! Loading a certificate chain and its private key, as `load_cert_chain` does.

use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::sign::CertifiedKey;

use crate::error::{Error, Result};

fn pem_lib() -> Error {
    Error::Protocol {
        library: "SSL",
        reason: "PEM_LIB",
        message: "PEM lib".into(),
    }
}

/// Every certificate in a PEM file, in order.
pub fn pem_certificates(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>> {
    CertificateDer::pem_slice_iter(pem)
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|_| pem_lib())
}

/// The first private key in a PEM file: PKCS#8, PKCS#1 or SEC1.
pub fn pem_private_key(pem: &[u8]) -> Result<PrivateKeyDer<'static>> {
    PrivateKeyDer::from_pem_slice(pem).map_err(|_| pem_lib())
}

/// Builds the signing identity from a PEM chain and a PEM key, checking that they match.
///
/// `key_pem` is `None` when the key sits in the certificate file.
pub fn certified_key(
    provider: &CryptoProvider,
    cert_pem: &[u8],
    key_pem: Option<&[u8]>,
) -> Result<Arc<CertifiedKey>> {
    let chain = pem_certificates(cert_pem)?;
    if chain.is_empty() {
        return Err(pem_lib());
    }
    let key = pem_private_key(key_pem.unwrap_or(cert_pem))?;
    let signing = provider
        .key_provider
        .load_private_key(key)
        .map_err(|_| pem_lib())?;
    let ck = CertifiedKey::new(chain, signing);
    match ck.keys_match() {
        Ok(()) => Ok(Arc::new(ck)),
        Err(rustls::Error::InconsistentKeys(rustls::InconsistentKeys::Unknown)) => Ok(Arc::new(ck)),
        Err(_) => Err(Error::Protocol {
            library: "X509",
            reason: "KEY_VALUES_MISMATCH",
            message: "key values mismatch".into(),
        }),
    }
}
