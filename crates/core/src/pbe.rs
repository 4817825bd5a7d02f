//! Password-based decryption of private keys, as `load_cert_chain(password=...)` needs.
//!
//! Two container formats exist in the wild and OpenSSL reads both:
//!
//! * PKCS#8 `ENCRYPTED PRIVATE KEY` blocks. OpenSSL 1.1+ writes PBES2
//!   (PBKDF2 with an HMAC-SHA* PRF, then AES-CBC); OpenSSL 1.0 wrote the
//!   PKCS#12 scheme `pbeWithSHAAnd3-KeyTripleDES-CBC`. Both are handled.
//!   scrypt and the single-DES/RC2 schemes are refused with a clear reason.
//! * "Traditional" PEM with `Proc-Type: 4,ENCRYPTED` and `DEK-Info:`
//!   headers, keyed by OpenSSL's `EVP_BytesToKey` (one MD5 round).
//!
//! The ciphers, PBKDF2 and SHA-1 come from aws-lc. MD5 and the PKCS#12
//! key derivation are written here: aws-lc-rs exposes neither, and both
//! only turn a password into key bytes for a legacy format, so a small
//! local version (checked against RFC test vectors and OpenSSL-made keys)
//! is lighter than a tree of extra crates.

use std::num::NonZeroU32;

use aws_lc_rs::cipher::{
    DecryptionContext, PaddedBlockDecryptingKey, UnboundCipherKey, AES_128, AES_192, AES_256,
};
use aws_lc_rs::iv::FixedLength;

use crate::asn1::der::{self, Reader, INTEGER, OCTET_STRING, OID, SEQUENCE};

/// Why a private key could not be decrypted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PbeError {
    /// The padding or the decrypted structure was wrong: almost always a wrong password.
    BadDecrypt,
    /// The encryption scheme is one rustssl does not implement.
    Unsupported(String),
    /// The container is not valid DER or PEM.
    Malformed,
}

type PbeResult<T> = std::result::Result<T, PbeError>;

/// The most key-derivation iterations a key file may ask for. OpenSSL writes
/// 2048 by default and password-hashing guidance tops out near a million;
/// the count is the file's to choose, so without a bound a hostile key file
/// could hold `load_cert_chain` for hours (2^32 rounds).
const MAX_KDF_ITERATIONS: u32 = 10_000_000;

/// The iteration count a container names, refused when zero or above the bound.
fn iteration_count(n: u32) -> PbeResult<NonZeroU32> {
    if n > MAX_KDF_ITERATIONS {
        return Err(PbeError::Unsupported(format!(
            "the key's derivation asks for {n} iterations, more than the {MAX_KDF_ITERATIONS} \
             rustssl allows; re-encrypt the key"
        )));
    }
    NonZeroU32::new(n).ok_or(PbeError::Malformed)
}

// ------------------------------------------------------------------ DER

/// Any DER the containers hold that cannot be read is malformed.
fn malformed(_: der::Error) -> PbeError {
    PbeError::Malformed
}

/// The contents of the next element, which must carry `tag`.
fn field<'a>(reader: &mut Reader<'a>, tag: u8) -> PbeResult<&'a [u8]> {
    reader.expect(tag).map_err(malformed)
}

/// The next element, a SEQUENCE, as a reader over its contents.
fn sequence<'a>(reader: &mut Reader<'a>) -> PbeResult<Reader<'a>> {
    field(reader, SEQUENCE).map(Reader::new)
}

/// A non-negative INTEGER that fits in 32 bits.
fn small_uint(reader: &mut Reader<'_>) -> PbeResult<u32> {
    der::small_uint(field(reader, INTEGER)?).ok_or(PbeError::Malformed)
}

/// Whether `plain` is exactly one SEQUENCE, as a decrypted key must be; a
/// wrong password that happens to leave valid padding still yields garbage.
fn is_one_sequence(plain: &[u8]) -> bool {
    der::single(plain, SEQUENCE).is_ok()
}

// Object identifiers, as DER contents.
const OID_PBES2: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0d];
const OID_PBKDF2: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0c];
const OID_SCRYPT: &[u8] = &[0x2b, 0x06, 0x01, 0x04, 0x01, 0xda, 0x47, 0x04, 0x0b];
const OID_HMAC_SHA1: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x07];
const OID_HMAC_SHA256: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x09];
const OID_HMAC_SHA384: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x0a];
const OID_HMAC_SHA512: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x0b];
const OID_AES128_CBC: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x02];
const OID_AES192_CBC: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x16];
const OID_AES256_CBC: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2a];
const OID_DES_EDE3_CBC: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x03, 0x07];
const OID_PKCS12_SHA1_3DES: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x01, 0x03];

// ------------------------------------------------------------------ ciphers

/// The block ciphers keys are encrypted with, all in CBC mode with PKCS#7 padding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cipher {
    Aes128,
    Aes192,
    Aes256,
    DesEde3,
}

impl Cipher {
    fn key_len(self) -> usize {
        match self {
            Cipher::Aes128 => 16,
            Cipher::Aes192 | Cipher::DesEde3 => 24,
            Cipher::Aes256 => 32,
        }
    }

    fn iv_len(self) -> usize {
        match self {
            Cipher::DesEde3 => 8,
            _ => 16,
        }
    }

    /// Decrypts and unpads; a padding failure means a wrong key.
    #[allow(deprecated)] // 3DES is deprecated for new data; old keys still use it.
    fn decrypt(self, key: &[u8], iv: &[u8], data: &[u8]) -> PbeResult<Vec<u8>> {
        if key.len() != self.key_len() || iv.len() != self.iv_len() {
            return Err(PbeError::Malformed);
        }
        let algorithm = match self {
            Cipher::Aes128 => &AES_128,
            Cipher::Aes192 => &AES_192,
            Cipher::Aes256 => &AES_256,
            Cipher::DesEde3 => &aws_lc_rs::cipher::DES_EDE3_FOR_LEGACY_USE_ONLY,
        };
        let context = match self {
            Cipher::DesEde3 => {
                DecryptionContext::Iv64(FixedLength::try_from(iv).map_err(|_| PbeError::Malformed)?)
            }
            _ => DecryptionContext::Iv128(
                FixedLength::try_from(iv).map_err(|_| PbeError::Malformed)?,
            ),
        };
        let unbound = UnboundCipherKey::new(algorithm, key).map_err(|_| PbeError::Malformed)?;
        let decrypting =
            PaddedBlockDecryptingKey::cbc_pkcs7(unbound).map_err(|_| PbeError::Malformed)?;
        if data.is_empty() || !data.len().is_multiple_of(algorithm.block_len()) {
            return Err(PbeError::BadDecrypt);
        }
        let mut buf = data.to_vec();
        let plain = decrypting
            .decrypt(&mut buf, context)
            .map_err(|_| PbeError::BadDecrypt)?;
        Ok(plain.to_vec())
    }
}

// ------------------------------------------------------------------ PKCS#8

/// Decrypts a PKCS#8 `EncryptedPrivateKeyInfo`, giving the DER `PrivateKeyInfo`.
pub fn decrypt_pkcs8(der: &[u8], password: &[u8]) -> PbeResult<Vec<u8>> {
    let mut outer = sequence(&mut Reader::new(der))?;
    let mut algorithm = sequence(&mut outer)?;
    let data = field(&mut outer, OCTET_STRING)?;
    let oid = field(&mut algorithm, OID)?;
    let plain = match oid {
        OID_PBES2 => pbes2(sequence(&mut algorithm)?, password, data)?,
        OID_PKCS12_SHA1_3DES => pkcs12_3des(sequence(&mut algorithm)?, password, data)?,
        _ => return Err(PbeError::Unsupported(
            "this PKCS#8 encryption scheme is not supported; re-encrypt the key with PBES2 and AES"
                .into(),
        )),
    };
    if !is_one_sequence(&plain) {
        return Err(PbeError::BadDecrypt);
    }
    Ok(plain)
}

/// PBES2 (RFC 8018 section 6.2): PBKDF2, then a CBC cipher.
fn pbes2(mut params: Reader<'_>, password: &[u8], data: &[u8]) -> PbeResult<Vec<u8>> {
    let mut kdf = sequence(&mut params)?;
    let mut scheme = sequence(&mut params)?;
    let kdf_oid = field(&mut kdf, OID)?;
    if kdf_oid == OID_SCRYPT {
        return Err(PbeError::Unsupported(
            "scrypt-encrypted keys are not supported; re-encrypt the key with PBKDF2".into(),
        ));
    }
    if kdf_oid != OID_PBKDF2 {
        return Err(PbeError::Unsupported(
            "unknown PBES2 key derivation function".into(),
        ));
    }
    let mut kdf_params = sequence(&mut kdf)?;
    let salt = field(&mut kdf_params, OCTET_STRING)?;
    let iterations = iteration_count(small_uint(&mut kdf_params)?)?;
    let mut key_len = None;
    if kdf_params.peek_id() == Some(INTEGER) {
        key_len = Some(small_uint(&mut kdf_params)? as usize);
    }
    let prf = if kdf_params.is_empty() {
        aws_lc_rs::pbkdf2::PBKDF2_HMAC_SHA1
    } else {
        let mut prf_id = sequence(&mut kdf_params)?;
        match field(&mut prf_id, OID)? {
            OID_HMAC_SHA1 => aws_lc_rs::pbkdf2::PBKDF2_HMAC_SHA1,
            OID_HMAC_SHA256 => aws_lc_rs::pbkdf2::PBKDF2_HMAC_SHA256,
            OID_HMAC_SHA384 => aws_lc_rs::pbkdf2::PBKDF2_HMAC_SHA384,
            OID_HMAC_SHA512 => aws_lc_rs::pbkdf2::PBKDF2_HMAC_SHA512,
            _ => {
                return Err(PbeError::Unsupported(
                    "unsupported PBKDF2 pseudo-random function".into(),
                ))
            }
        }
    };
    let cipher = match field(&mut scheme, OID)? {
        OID_AES128_CBC => Cipher::Aes128,
        OID_AES192_CBC => Cipher::Aes192,
        OID_AES256_CBC => Cipher::Aes256,
        OID_DES_EDE3_CBC => Cipher::DesEde3,
        _ => {
            return Err(PbeError::Unsupported(
                "unsupported PBES2 cipher; AES-CBC and DES-EDE3-CBC are supported".into(),
            ))
        }
    };
    let iv = field(&mut scheme, OCTET_STRING)?;
    if key_len.is_some_and(|n| n != cipher.key_len()) {
        return Err(PbeError::Malformed);
    }
    let mut key = vec![0u8; cipher.key_len()];
    aws_lc_rs::pbkdf2::derive(prf, iterations, salt, password, &mut key);
    cipher.decrypt(&key, iv, data)
}

/// `pbeWithSHAAnd3-KeyTripleDES-CBC` (RFC 7292 appendix C), OpenSSL 1.0's default.
fn pkcs12_3des(mut params: Reader<'_>, password: &[u8], data: &[u8]) -> PbeResult<Vec<u8>> {
    let salt = field(&mut params, OCTET_STRING)?;
    // OpenSSL treats a count of zero as one here.
    let iterations = iteration_count(small_uint(&mut params)?.max(1))?.get();
    let bmp = bmp_password(password);
    let key = pkcs12_kdf(&bmp, salt, 1, iterations, 24);
    let iv = pkcs12_kdf(&bmp, salt, 2, iterations, 8);
    Cipher::DesEde3.decrypt(&key, &iv, data)
}

/// The password as PKCS#12 wants it: UTF-16BE with a terminating zero
/// character. Bytes that are not UTF-8 are widened one by one, as OpenSSL does.
fn bmp_password(password: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(password.len() * 2 + 2);
    match std::str::from_utf8(password) {
        Ok(text) => {
            for unit in text.encode_utf16() {
                out.extend_from_slice(&unit.to_be_bytes());
            }
        }
        Err(_) => {
            for &b in password {
                out.extend_from_slice(&[0, b]);
            }
        }
    }
    out.extend_from_slice(&[0, 0]);
    out
}

/// The PKCS#12 key derivation (RFC 7292 appendix B.2) with SHA-1.
fn pkcs12_kdf(password: &[u8], salt: &[u8], id: u8, iterations: u32, len: usize) -> Vec<u8> {
    use aws_lc_rs::digest::{digest, Context, SHA1_FOR_LEGACY_USE_ONLY as SHA1};
    const V: usize = 64; // SHA-1's block size
    let fill = |src: &[u8]| -> Vec<u8> {
        if src.is_empty() {
            return Vec::new();
        }
        let n = V * src.len().div_ceil(V);
        src.iter().copied().cycle().take(n).collect()
    };
    let diversifier = [id; V];
    let mut input: Vec<u8> = fill(salt);
    input.extend(fill(password));
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        let mut ctx = Context::new(&SHA1);
        ctx.update(&diversifier);
        ctx.update(&input);
        let mut a = ctx.finish().as_ref().to_vec();
        for _ in 1..iterations {
            a = digest(&SHA1, &a).as_ref().to_vec();
        }
        out.extend_from_slice(&a);
        // Each block of the input becomes (block + B + 1) mod 2^(8V).
        let b: Vec<u8> = a.iter().copied().cycle().take(V).collect();
        for block in input.chunks_mut(V) {
            let mut carry = 1u16;
            for (x, y) in block.iter_mut().zip(&b).rev() {
                let sum = u16::from(*x) + u16::from(*y) + carry;
                *x = sum as u8;
                carry = sum >> 8;
            }
        }
    }
    out.truncate(len);
    out
}

// ------------------------------------------------------------------ traditional PEM

/// Decrypts the body of a traditional encrypted PEM block, given its
/// `DEK-Info` value (`AES-128-CBC,<hex IV>`); gives the inner DER key.
pub fn decrypt_legacy_pem(dek_info: &str, password: &[u8], data: &[u8]) -> PbeResult<Vec<u8>> {
    let (name, iv_hex) = dek_info.split_once(',').ok_or(PbeError::Malformed)?;
    let cipher = match name.trim().to_ascii_uppercase().as_str() {
        "AES-128-CBC" => Cipher::Aes128,
        "AES-192-CBC" => Cipher::Aes192,
        "AES-256-CBC" => Cipher::Aes256,
        "DES-EDE3-CBC" => Cipher::DesEde3,
        other => {
            return Err(PbeError::Unsupported(format!(
                "PEM encryption {other} is not supported"
            )))
        }
    };
    let iv = hex_decode(iv_hex.trim()).ok_or(PbeError::Malformed)?;
    if iv.len() != cipher.iv_len() {
        return Err(PbeError::Malformed);
    }
    // The salt is the first 8 bytes of the IV, as OpenSSL's PEM writer uses it.
    let key = bytes_to_key(password, &iv[..8], cipher.key_len());
    let plain = cipher.decrypt(&key, &iv, data)?;
    if !is_one_sequence(&plain) {
        return Err(PbeError::BadDecrypt);
    }
    Ok(plain)
}

/// OpenSSL's `EVP_BytesToKey` with MD5 and one iteration.
fn bytes_to_key(password: &[u8], salt: &[u8], len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 16);
    let mut previous: Vec<u8> = Vec::new();
    while out.len() < len {
        let mut input = previous.clone();
        input.extend_from_slice(password);
        input.extend_from_slice(salt);
        previous = md5(&input).to_vec();
        out.extend_from_slice(&previous);
    }
    out.truncate(len);
    out
}

fn hex_decode(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// MD5 (RFC 1321). Used only to turn a password into key bytes for the
/// traditional PEM format, never for integrity or signatures.
fn md5(message: &[u8]) -> [u8; 16] {
    const SHIFTS: [u32; 16] = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
    // The sine-derived constants of RFC 1321 section 3.4; f64 gives them exactly.
    let table: [u32; 64] =
        std::array::from_fn(|i| ((i as f64 + 1.0).sin().abs() * 4_294_967_296.0) as u32);
    let mut state: [u32; 4] = [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476];
    let mut padded = message.to_vec();
    padded.push(0x80);
    while padded.len() % 64 != 56 {
        padded.push(0);
    }
    padded.extend_from_slice(&((message.len() as u64).wrapping_mul(8)).to_le_bytes());
    for chunk in padded.chunks_exact(64) {
        let words: [u32; 16] = std::array::from_fn(|i| {
            u32::from_le_bytes([
                chunk[4 * i],
                chunk[4 * i + 1],
                chunk[4 * i + 2],
                chunk[4 * i + 3],
            ])
        });
        let [mut a, mut b, mut c, mut d] = state;
        for i in 0..64 {
            let round = i / 16;
            let (f, g) = match round {
                0 => ((b & c) | (!b & d), i),
                1 => ((d & b) | (!d & c), (5 * i + 1) % 16),
                2 => (b ^ c ^ d, (3 * i + 5) % 16),
                _ => (c ^ (b | !d), (7 * i) % 16),
            };
            let shift = SHIFTS[round * 4 + i % 4];
            let sum = f
                .wrapping_add(a)
                .wrapping_add(table[i])
                .wrapping_add(words[g]);
            a = d;
            d = c;
            c = b;
            b = b.wrapping_add(sum.rotate_left(shift));
        }
        for (s, v) in state.iter_mut().zip([a, b, c, d]) {
            *s = s.wrapping_add(v);
        }
    }
    let mut out = [0u8; 16];
    for (i, s) in state.iter().enumerate() {
        out[4 * i..4 * i + 4].copy_from_slice(&s.to_le_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_der::tlv;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn md5_matches_rfc_1321_vectors() {
        assert_eq!(hex(&md5(b"")), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(hex(&md5(b"abc")), "900150983cd24fb0d6963f7d28e17f72");
        assert_eq!(
            hex(&md5(
                b"12345678901234567890123456789012345678901234567890123456789012345678901234567890"
            )),
            "57edf4a22be3c955ac49da2e2107b67a"
        );
    }

    #[test]
    fn der_reader_rejects_truncation() {
        assert!(sequence(&mut Reader::new(&[0x30, 0x05, 0x00])).is_err());
        assert!(sequence(&mut Reader::new(&[0x04, 0x00])).is_err());
        let mut d = Reader::new(&[0x02, 0x02, 0x08, 0x00]);
        assert_eq!(small_uint(&mut d).unwrap(), 2048);
        assert!(!is_one_sequence(&[0x30, 0x00, 0x00]));
        assert!(is_one_sequence(&[0x30, 0x00]));
    }

    #[test]
    fn bmp_password_is_utf16_with_terminator() {
        assert_eq!(bmp_password(b"ab"), vec![0, b'a', 0, b'b', 0, 0]);
    }

    fn integer(n: u32) -> Vec<u8> {
        // Big-endian with a leading zero byte, so the value stays positive.
        let mut body = vec![0];
        body.extend_from_slice(&n.to_be_bytes());
        tlv(INTEGER, &body)
    }

    fn encrypted_pkcs8(algorithm: &[u8], params: &[u8]) -> Vec<u8> {
        let alg = tlv(SEQUENCE, &[tlv(OID, algorithm), params.to_vec()].concat());
        tlv(SEQUENCE, &[alg, tlv(OCTET_STRING, &[0; 16])].concat())
    }

    fn pbes2_key(iterations: u32) -> Vec<u8> {
        let kdf_params = tlv(
            SEQUENCE,
            &[tlv(OCTET_STRING, &[7; 8]), integer(iterations)].concat(),
        );
        let kdf = tlv(SEQUENCE, &[tlv(OID, OID_PBKDF2), kdf_params].concat());
        let scheme = tlv(
            SEQUENCE,
            &[tlv(OID, OID_AES128_CBC), tlv(OCTET_STRING, &[0; 16])].concat(),
        );
        encrypted_pkcs8(OID_PBES2, &tlv(SEQUENCE, &[kdf, scheme].concat()))
    }

    fn pkcs12_key(iterations: u32) -> Vec<u8> {
        let params = tlv(
            SEQUENCE,
            &[tlv(OCTET_STRING, &[7; 8]), integer(iterations)].concat(),
        );
        encrypted_pkcs8(OID_PKCS12_SHA1_3DES, &params)
    }

    #[test]
    fn iteration_counts_past_the_bound_are_refused_before_deriving() {
        // 2^32 - 1 rounds would take hours; the refusal must come at once.
        for key in [pbes2_key(u32::MAX), pkcs12_key(u32::MAX)] {
            match decrypt_pkcs8(&key, b"pw") {
                Err(PbeError::Unsupported(why)) => assert!(why.contains("iterations"), "{why}"),
                other => panic!("expected a refusal, got {other:?}"),
            }
        }
        // An ordinary count is derived, and the all-zero ciphertext then
        // fails as a wrong password does; zero rounds is malformed.
        for key in [pbes2_key(2048), pkcs12_key(2048)] {
            assert_eq!(decrypt_pkcs8(&key, b"pw"), Err(PbeError::BadDecrypt));
        }
        assert_eq!(
            decrypt_pkcs8(&pbes2_key(0), b"pw"),
            Err(PbeError::Malformed)
        );
    }

    #[test]
    fn unknown_legacy_cipher_is_unsupported() {
        assert!(matches!(
            decrypt_legacy_pem("BF-CBC,0011223344556677", b"x", &[0; 16]),
            Err(PbeError::Unsupported(_))
        ));
    }
}
