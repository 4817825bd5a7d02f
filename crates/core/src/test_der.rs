//! DER building for the unit tests that hand-craft certificates and key files.

/// Wraps `body` in a DER header with tag `id` (short or long form length).
pub fn tlv(id: u8, body: &[u8]) -> Vec<u8> {
    assert!(body.len() < 0x10000);
    let mut out = vec![id];
    match body.len() {
        len @ 0..=0x7f => out.push(len as u8),
        len @ 0x80..=0xff => out.extend([0x81, len as u8]),
        len => out.extend([0x82, (len >> 8) as u8, len as u8]),
    }
    out.extend_from_slice(body);
    out
}
