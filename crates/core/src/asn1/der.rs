//! The one DER reader: bounds-checked tag/length/value walking and the
//! primitive checks OpenSSL's decoder makes, used by every parser in the core.
//!
//! Lengths are definite only, in short form or a long form of one to four
//! octets that need not be minimal (OpenSSL accepts that). A high tag number
//! is read past but never matches a tag we look for. Nothing here panics on
//! hostile input.

use std::fmt;

/// Why some DER could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error(pub(crate) &'static str);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for Error {}

/// The result of reading DER.
pub(crate) type Result<T> = std::result::Result<T, Error>;

/// Fails with `reason`.
pub(crate) fn bad<T>(reason: &'static str) -> Result<T> {
    Err(Error(reason))
}

pub(crate) const BOOLEAN: u8 = 0x01;
pub(crate) const INTEGER: u8 = 0x02;
pub(crate) const BIT_STRING: u8 = 0x03;
pub(crate) const OCTET_STRING: u8 = 0x04;
pub(crate) const OID: u8 = 0x06;
pub(crate) const UTF8_STRING: u8 = 0x0c;
pub(crate) const NUMERIC_STRING: u8 = 0x12;
pub(crate) const PRINTABLE_STRING: u8 = 0x13;
pub(crate) const T61_STRING: u8 = 0x14;
pub(crate) const IA5_STRING: u8 = 0x16;
pub(crate) const UTC_TIME: u8 = 0x17;
pub(crate) const GENERALIZED_TIME: u8 = 0x18;
pub(crate) const UNIVERSAL_STRING: u8 = 0x1c;
pub(crate) const BMP_STRING: u8 = 0x1e;
pub(crate) const SEQUENCE: u8 = 0x30;
pub(crate) const SET: u8 = 0x31;

/// Context-specific tag `n`, primitive.
pub(crate) const fn ctx(n: u8) -> u8 {
    0x80 | n
}

/// Context-specific tag `n`, constructed.
pub(crate) const fn ctx_cons(n: u8) -> u8 {
    0xa0 | n
}

/// One element: its first identifier octet and its contents.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tlv<'a> {
    /// The first identifier octet.
    pub(crate) id: u8,
    /// A high-tag-number identifier: never one of the tags we look for.
    pub(crate) high: bool,
    /// The contents.
    pub(crate) body: &'a [u8],
}

impl Tlv<'_> {
    /// Whether the element carries the (low-number) tag `id`.
    pub(crate) fn is(&self, id: u8) -> bool {
        !self.high && self.id == id
    }
}

/// A cursor over consecutive DER elements.
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Self {
        Reader { rest: data }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// The first identifier octet of the next element, if any.
    pub(crate) fn peek_id(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    /// Reads the next element.
    pub(crate) fn read(&mut self) -> Result<Tlv<'a>> {
        self.read_encoded().map(|(tlv, _)| tlv)
    }

    /// Reads the next element, with its whole encoding (header included).
    pub(crate) fn read_encoded(&mut self) -> Result<(Tlv<'a>, &'a [u8])> {
        let start = self.rest;
        let (&id, after_id) = start.split_first().ok_or(Error("truncated"))?;
        let mut rest = after_id;
        let high = id & 0x1f == 0x1f;
        if high {
            // Skip the tag number's base-128 octets.
            let len = rest
                .iter()
                .position(|b| b & 0x80 == 0)
                .ok_or(Error("bad tag"))?;
            rest = rest.get(len + 1..).ok_or(Error("bad tag"))?;
        }
        let (len, rest) = read_length(rest)?;
        if rest.len() < len {
            return bad("truncated element");
        }
        let (body, rest) = rest.split_at(len);
        self.rest = rest;
        let encoded = start.get(..start.len() - rest.len()).unwrap_or_default();
        Ok((Tlv { id, high, body }, encoded))
    }

    /// Reads the next element, which must carry tag `id`.
    pub(crate) fn expect(&mut self, id: u8) -> Result<&'a [u8]> {
        let tlv = self.read()?;
        if tlv.is(id) {
            Ok(tlv.body)
        } else {
            bad("unexpected tag")
        }
    }

    /// Reads the next element if it carries tag `id` (and is well formed).
    pub(crate) fn optional(&mut self, id: u8) -> Result<Option<&'a [u8]>> {
        match Reader::new(self.rest).read() {
            Ok(tlv) if tlv.is(id) => self.read().map(|t| Some(t.body)),
            _ => Ok(None),
        }
    }

    /// Fails unless every element has been read.
    pub(crate) fn finish(&self) -> Result<()> {
        if self.is_empty() {
            Ok(())
        } else {
            bad("unexpected trailing data")
        }
    }
}

/// Definite lengths only; long forms need not be minimal (OpenSSL accepts them).
fn read_length(data: &[u8]) -> Result<(usize, &[u8])> {
    let (&first, rest) = data.split_first().ok_or(Error("truncated length"))?;
    if first < 0x80 {
        return Ok((usize::from(first), rest));
    }
    let count = usize::from(first & 0x7f);
    if count == 0 || count > 4 {
        return bad("unsupported length");
    }
    let digits = rest.get(..count).ok_or(Error("truncated length"))?;
    let len = digits
        .iter()
        .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
    Ok((len, rest.get(count..).unwrap_or_default()))
}

/// The whole of `data` must be exactly one element with tag `id`.
pub(crate) fn single(data: &[u8], id: u8) -> Result<&[u8]> {
    let mut reader = Reader::new(data);
    let body = reader.expect(id)?;
    reader.finish()?;
    Ok(body)
}

/// The contents of the leading element, which must carry tag `id`
/// (anything after it is ignored).
pub(crate) fn first(data: &[u8], id: u8) -> Result<&[u8]> {
    Reader::new(data).expect(id)
}

/// Splits concatenated elements, each of which must be a whole SEQUENCE
/// (concatenated DER certificates); `None` on anything else.
pub(crate) fn split_sequences(data: &[u8]) -> Option<Vec<&[u8]>> {
    let mut reader = Reader::new(data);
    let mut out = Vec::new();
    while !reader.is_empty() {
        match reader.read_encoded() {
            Ok((tlv, encoded)) if tlv.is(SEQUENCE) => out.push(encoded),
            _ => return None,
        }
    }
    Some(out)
}

/// An INTEGER's contents as OpenSSL accepts them: non-empty, minimally padded.
pub(crate) fn check_integer(body: &[u8]) -> Result<()> {
    match body {
        [] => bad("empty integer"),
        [0x00, next, ..] if next & 0x80 == 0 => bad("badly padded integer"),
        [0xff, next, ..] if next & 0x80 != 0 => bad("badly padded integer"),
        _ => Ok(()),
    }
}

/// The value OpenSSL's `ASN1_INTEGER_get` gives: -1 when it does not fit.
pub(crate) fn integer_value(body: &[u8]) -> i64 {
    if body.len() > 8 {
        return -1;
    }
    let negative = body.first().is_some_and(|b| b & 0x80 != 0);
    let start = if negative { -1i64 } else { 0 };
    body.iter().fold(start, |acc, &b| (acc << 8) | i64::from(b))
}

/// A non-negative INTEGER's contents that fit in 32 bits (one leading zero
/// octet allowed); `None` otherwise.
pub(crate) fn small_uint(body: &[u8]) -> Option<u32> {
    let body = match body {
        [0, rest @ ..] if !rest.is_empty() => rest,
        [b, ..] if b & 0x80 != 0 => return None,
        other => other,
    };
    if body.is_empty() || body.len() > 4 {
        return None;
    }
    Some(body.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b)))
}

/// A BIT STRING's bits with the unused trailing bits cleared, as OpenSSL keeps them.
pub(crate) fn bit_string_bits(body: &[u8]) -> Result<Vec<u8>> {
    let (&unused, bits) = body.split_first().ok_or(Error("empty bit string"))?;
    if unused > 7 {
        return bad("bad bit string");
    }
    let mut bits = bits.to_vec();
    if let Some(last) = bits.last_mut() {
        *last &= 0xff << unused;
    }
    Ok(bits)
}

/// A BOOLEAN's contents: one octet, any non-zero value true.
pub(crate) fn check_bool(body: &[u8]) -> Result<bool> {
    match body {
        [b] => Ok(*b != 0),
        _ => bad("bad boolean"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_are_bounds_checked() {
        assert!(Reader::new(&[0x30, 0x05, 0x00]).read().is_err());
        assert!(Reader::new(&[0x30, 0x80]).read().is_err());
        assert!(Reader::new(&[0x30, 0x85, 1, 1, 1, 1, 1]).read().is_err());
        assert!(Reader::new(&[0x1f]).read().is_err());
        let mut r = Reader::new(&[0x1f, 0x81, 0x01, 0x00, 0x04, 0x01, 0xaa]);
        let high = r.read().unwrap();
        assert!(high.high && !high.is(0x1f));
        assert_eq!(r.expect(OCTET_STRING).unwrap(), &[0xaa]);
        assert!(r.finish().is_ok());
        assert_eq!(first(&[0x02, 0x01, 0x05, 0xff], INTEGER).unwrap(), &[5]);
        assert!(single(&[0x02, 0x01, 0x05, 0xff], INTEGER).is_err());
    }

    #[test]
    fn der_is_split_into_whole_sequences() {
        let a = [0x30, 0x02, 0x01, 0x02];
        let b = [0x30, 0x81, 0x01, 0xff];
        let joined: Vec<u8> = a.iter().chain(b.iter()).copied().collect();
        let parts = split_sequences(&joined).unwrap();
        assert_eq!(parts, vec![&a[..], &b[..]]);
        assert!(split_sequences(&[0x30, 0x05, 0x00]).is_none());
        assert!(split_sequences(&[0x04, 0x00]).is_none());
        assert_eq!(split_sequences(&[]), Some(vec![]));
    }

    #[test]
    fn small_integers() {
        assert_eq!(small_uint(&[0x08, 0x00]), Some(2048));
        assert_eq!(small_uint(&[0x00, 0x80]), Some(128));
        assert_eq!(small_uint(&[0x80]), None);
        assert_eq!(small_uint(&[]), None);
        assert_eq!(small_uint(&[1, 2, 3, 4, 5]), None);
        assert_eq!(integer_value(&[0xff]), -1);
        assert_eq!(integer_value(&[1, 0]), 256);
    }
}
