//! The one PEM reader and writer: every place that reads PEM text (the
//! certificate decoder, `load_cert_chain`, DH parameters, the trust store)
//! goes through here.
//!
//! Lines are split at `\n` and trimmed of ASCII whitespace. A block runs from
//! `-----BEGIN label-----` to the matching `-----END label-----`; text outside
//! blocks is ignored. Lines with a colon before the first line of base64 are
//! RFC 1421 headers (`Proc-Type:`, `DEK-Info:`), kept for encrypted keys;
//! anything after that is base64 data.

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, CertificateRevocationListDer};

/// One PEM block as read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Block {
    /// The text after `-----BEGIN `.
    pub(crate) label: String,
    /// The header lines, name and value trimmed.
    pub(crate) headers: Vec<(String, String)>,
    /// The decoded body, or `None` if its base64 is broken.
    pub(crate) body: Option<Vec<u8>>,
    /// Whether the matching END line was found.
    pub(crate) complete: bool,
}

impl Block {
    /// A header's value (names compare case-insensitively).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Whether this block is a private key, in any of the forms OpenSSL reads.
    pub(crate) fn is_private_key(&self) -> bool {
        self.label == "PRIVATE KEY"
            || self.label == "ENCRYPTED PRIVATE KEY"
            || self.label.ends_with(" PRIVATE KEY")
    }

    /// Whether the block is an encrypted key, which needs a password to be read.
    pub(crate) fn is_encrypted(&self) -> bool {
        self.label == "ENCRYPTED PRIVATE KEY"
            || self
                .header("Proc-Type")
                .is_some_and(|v| v.replace(' ', "").eq_ignore_ascii_case("4,ENCRYPTED"))
    }

    /// Whether the block holds a certificate, as OpenSSL's X509 reader takes it.
    pub(crate) fn is_certificate(&self) -> bool {
        self.label == "CERTIFICATE" || self.label == "X509 CERTIFICATE"
    }

    /// The contents when the block is whole: terminated and valid base64.
    fn contents(self) -> Option<Vec<u8>> {
        if self.complete {
            self.body
        } else {
            None
        }
    }
}

/// Every block that starts in `data`, in order, whole or not.
pub(crate) fn scan(data: &[u8]) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut lines = data.split(|&b| b == b'\n').map(trim_line);
    while let Some(line) = lines.next() {
        let Some(label) = marker(line, b"-----BEGIN ") else {
            continue;
        };
        let mut headers = Vec::new();
        let mut base64 = Vec::new();
        let mut complete = false;
        for line in lines.by_ref() {
            if let Some(end) = marker(line, b"-----END ") {
                complete = end == label;
                break;
            }
            match line.iter().position(|&b| b == b':') {
                Some(colon) if base64.is_empty() => {
                    let text = |part: &[u8]| String::from_utf8_lossy(part).trim().to_owned();
                    let (name, value) = line.split_at(colon);
                    headers.push((text(name), text(value.get(1..).unwrap_or_default())));
                }
                _ => base64.extend_from_slice(line),
            }
        }
        blocks.push(Block {
            label: String::from_utf8_lossy(label).into_owned(),
            headers,
            body: base64_decode(&base64),
            complete,
        });
    }
    blocks
}

/// Every whole PEM block in `data`, in order: its label and decoded
/// contents. Blocks whose base64 is broken or whose END line is missing or
/// mismatched are left out.
pub fn blocks(data: &[u8]) -> Vec<(String, Vec<u8>)> {
    scan(data)
        .into_iter()
        .filter_map(|block| {
            let label = block.label.clone();
            Some((label, block.contents()?))
        })
        .collect()
}

/// The first certificate in a PEM file, chosen as OpenSSL's
/// `PEM_read_bio_X509` (and so `_ssl._test_decode_cert`) chooses it: the
/// first `CERTIFICATE` or `X509 CERTIFICATE` block, provided no broken block
/// of any label comes before it (OpenSSL gives up at the first one).
pub fn first_certificate(data: &[u8]) -> Option<Vec<u8>> {
    for block in scan(data) {
        let is_certificate = block.is_certificate();
        let der = block.contents()?;
        if is_certificate {
            return Some(der);
        }
    }
    None
}

/// The certificates of a trust-store PEM text (`cafile`, `cadata`, `capath`
/// entries), as rustls' PEM reader finds them; an `Err` item is a broken block.
pub(crate) fn trust_certificates(
    data: &[u8],
) -> impl Iterator<Item = Result<CertificateDer<'static>, rustls::pki_types::pem::Error>> + '_ {
    CertificateDer::pem_slice_iter(data)
}

/// The CRLs of a trust-store PEM text, as rustls' PEM reader finds them.
pub(crate) fn trust_crls(
    data: &[u8],
) -> impl Iterator<Item = Result<CertificateRevocationListDer<'static>, rustls::pki_types::pem::Error>>
       + '_ {
    CertificateRevocationListDer::pem_slice_iter(data)
}

fn trim_line(line: &[u8]) -> &[u8] {
    let start = line
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(line.len());
    let end = line
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |i| i + 1);
    line.get(start..end).unwrap_or_default()
}

/// The label of a `-----BEGIN label-----` / `-----END label-----` line.
fn marker<'a>(line: &'a [u8], prefix: &[u8]) -> Option<&'a [u8]> {
    line.strip_prefix(prefix)?.strip_suffix(b"-----")
}

/// `der` as a PEM block: base64 in 64-column lines between BEGIN and END
/// lines, each line ending in a newline, as `ssl.DER_cert_to_PEM_cert` does.
pub fn encode(der: &[u8], label: &str) -> String {
    let encoded = base64_encode(der);
    let mut pem = format!("-----BEGIN {label}-----\n");
    for line in encoded.as_bytes().chunks(64) {
        pem.extend(line.iter().map(|&b| char::from(b)));
        pem.push('\n');
    }
    pem.push_str(&format!("-----END {label}-----\n"));
    pem
}

const BASE64_ALPHABET: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let group = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                let index = (group >> (18 - 6 * i)) & 0x3f;
                out.push(char::from(
                    BASE64_ALPHABET.get(index as usize).copied().unwrap_or(b'A'),
                ));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Standard base64 with optional padding; `None` on any other character.
fn base64_decode(text: &[u8]) -> Option<Vec<u8>> {
    let unpadded = text
        .strip_suffix(b"==")
        .or_else(|| text.strip_suffix(b"="))
        .unwrap_or(text);
    if unpadded.len() % 4 == 1 || (unpadded.len() != text.len() && !text.len().is_multiple_of(4)) {
        return None;
    }
    let mut out = Vec::with_capacity(unpadded.len() / 4 * 3 + 2);
    for chunk in unpadded.chunks(4) {
        let mut group = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            let value = BASE64_ALPHABET.iter().position(|&a| a == c)?;
            group |= (value as u32) << (18 - 6 * i);
        }
        let bytes = group.to_be_bytes();
        out.extend_from_slice(bytes.get(1..chunk.len()).unwrap_or_default());
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_tolerate_surrounding_text() {
        let pem = b"Bag Attributes\n    friendlyName: x\n-----BEGIN CERTIFICATE-----\r\n\
            AAEC\r\nAw==\r\n-----END CERTIFICATE-----\r\nsome text\n\
            -----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: X,00\n\n\
            BAUG\n-----END RSA PRIVATE KEY-----\n\
            -----BEGIN BROKEN-----\n!!!!\n-----END BROKEN-----\n\
            -----BEGIN UNTERMINATED-----\nAAAA\n-----END OTHER-----\n\
            -----BEGIN EMPTY-----\n-----END EMPTY-----";
        assert_eq!(
            blocks(pem),
            vec![
                ("CERTIFICATE".to_owned(), vec![0, 1, 2, 3]),
                ("RSA PRIVATE KEY".to_owned(), vec![4, 5, 6]),
                ("EMPTY".to_owned(), vec![]),
            ]
        );
        assert!(blocks(b"").is_empty());
        assert!(blocks(b"-----BEGIN X-----\nAA=A\n-----END X-----\n").is_empty());
        // OpenSSL stops at a broken block even when it is not a certificate.
        let cert = b"-----BEGIN CERTIFICATE-----\nAAEC\n-----END CERTIFICATE-----\n";
        let key = b"-----BEGIN KEY-----\nAAAA\n-----END KEY-----\n";
        let broken = b"-----BEGIN KEY-----\nnot base64\n-----END KEY-----\n";
        assert_eq!(
            first_certificate(&[&key[..], cert].concat()),
            Some(vec![0, 1, 2])
        );
        assert_eq!(first_certificate(&[&broken[..], cert].concat()), None);
        assert_eq!(
            first_certificate(&[&cert[..], broken].concat()),
            Some(vec![0, 1, 2])
        );
    }

    #[test]
    fn headers_are_kept_before_the_data_only() {
        let pem = b"-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\
            DEK-Info: AES-128-CBC,0011\n\nAAAA\n-----END RSA PRIVATE KEY-----\n";
        let block = &scan(pem)[0];
        assert_eq!(block.header("dek-info"), Some("AES-128-CBC,0011"));
        assert_eq!(block.header("proc-type"), Some("4,ENCRYPTED"));
        assert_eq!(block.body.as_deref(), Some(&[0u8, 0, 0][..]));
        // A colon once the data has begun is data, and breaks the base64.
        let late = b"-----BEGIN X-----\nAAAA\nName: v\n-----END X-----\n";
        assert_eq!(scan(late)[0].body, None);
        let open = b"-----BEGIN X-----\nAAAA\n";
        assert!(!scan(open)[0].complete);
    }

    #[test]
    fn encode_round_trips() {
        // Compared with Python's ssl.DER_cert_to_PEM_cert output.
        assert_eq!(
            encode(b"\x00\x01\x02", "CERTIFICATE"),
            "-----BEGIN CERTIFICATE-----\nAAEC\n-----END CERTIFICATE-----\n"
        );
        assert_eq!(encode(b"", "X"), "-----BEGIN X-----\n-----END X-----\n");
        for len in [0, 1, 2, 3, 47, 48, 49, 100, 1000] {
            let der: Vec<u8> = (0..len).map(|i| (i * 37 % 256) as u8).collect();
            let pem = encode(&der, "CERTIFICATE");
            assert!(pem
                .lines()
                .all(|line| line.len() <= 64 || line.starts_with("-----")));
            assert_eq!(
                blocks(pem.as_bytes()),
                vec![("CERTIFICATE".to_owned(), der)]
            );
        }
    }
}
