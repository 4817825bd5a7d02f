//! The DER reading and the self-signed rule trust and verification use
//! today, kept together and unchanged so that they can be swapped for the
//! shared readers of `crate::asn1` in one place.
//!
//! Note for that swap: [`self_signed`] compares the raw encodings of the
//! subject and issuer names, where `crate::x509` compares canonical names.
//! This rule decides which store certificates are trust anchors.

use x509_parser::extensions::{GeneralName, ParsedExtension};
use x509_parser::prelude::{FromDer, X509Certificate};

/// Splits concatenated DER certificates; fails on anything that is not a whole SEQUENCE.
pub(crate) fn split_der(mut data: &[u8]) -> Option<Vec<&[u8]>> {
    let mut out = Vec::new();
    while !data.is_empty() {
        if data.len() < 2 || data[0] != 0x30 {
            return None;
        }
        let (len, header) = match data[1] {
            n if n < 0x80 => (usize::from(n), 2),
            n => {
                let count = usize::from(n & 0x7f);
                if count == 0 || count > 4 || data.len() < 2 + count {
                    return None;
                }
                let len = data[2..2 + count]
                    .iter()
                    .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
                (len, 2 + count)
            }
        };
        let total = header.checked_add(len)?;
        if total > data.len() {
            return None;
        }
        out.push(&data[..total]);
        data = &data[total..];
    }
    Some(out)
}

/// Whether OpenSSL counts `cert` as self-signed: subject equals issuer
/// and any authority key identifier points at the certificate itself.
pub(crate) fn self_signed(cert: &X509Certificate<'_>) -> bool {
    if cert.subject().as_raw() != cert.issuer().as_raw() {
        return false;
    }
    let mut skid = None;
    let mut akid = None;
    for ext in cert.extensions() {
        match ext.parsed_extension() {
            ParsedExtension::SubjectKeyIdentifier(k) => skid = Some(k.0),
            ParsedExtension::AuthorityKeyIdentifier(a) => akid = Some(a),
            _ => {}
        }
    }
    let Some(akid) = akid else {
        return true;
    };
    if let (Some(k), Some(s)) = (&akid.key_identifier, skid) {
        if k.0 != s {
            return false;
        }
    }
    if let Some(serial) = akid.authority_cert_serial {
        if serial != cert.raw_serial() {
            return false;
        }
    }
    if let Some(names) = &akid.authority_cert_issuer {
        let own = cert.issuer().as_raw();
        let found = names.iter().any(|n| match n {
            GeneralName::DirectoryName(dn) => dn.as_raw() == own,
            _ => false,
        });
        if !found {
            return false;
        }
    }
    true
}

/// The raw encodings of `(subject, issuer)`, as the store and the chain
/// builders compare names; `None` if `der` is not a certificate.
pub(crate) fn subject_and_issuer(der: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    X509Certificate::from_der(der)
        .ok()
        .map(|(_, c)| (c.subject().as_raw().to_vec(), c.issuer().as_raw().to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_is_split_into_whole_sequences() {
        let a = [0x30, 0x02, 0x01, 0x02];
        let b = [0x30, 0x81, 0x01, 0xff];
        let joined: Vec<u8> = a.iter().chain(b.iter()).copied().collect();
        let parts = split_der(&joined).unwrap();
        assert_eq!(parts, vec![&a[..], &b[..]]);
        assert!(split_der(&[0x30, 0x05, 0x00]).is_none());
        assert!(split_der(&[0x04, 0x00]).is_none());
    }
}
