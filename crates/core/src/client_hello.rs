//! What a server needs from the ClientHello that rustls' view of it leaves out.
//!
//! rustls' `ClientHello` answers for SNI, ALPN, suites and groups, but not for
//! the list of extensions. OpenSSL's `verify_client_post_handshake` answers
//! differently depending on whether the client sent `post_handshake_auth`, so
//! the server keeps the records it fed to rustls' acceptor and reads that list
//! here once rustls has accepted them.

/// The `post_handshake_auth` extension (RFC 8446, section 4.2.6).
pub const EXT_POST_HANDSHAKE_AUTH: u16 = 49;

const CONTENT_HANDSHAKE: u8 = 22;
const HANDSHAKE_CLIENT_HELLO: u8 = 1;
const RANDOM_LEN: usize = 32;

/// A cursor over big-endian TLS wire data; every read checks the length.
struct Wire<'a>(&'a [u8]);

impl<'a> Wire<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }

    fn u16(&mut self) -> Option<u16> {
        self.take(2).map(|b| u16::from_be_bytes([b[0], b[1]]))
    }

    fn u24(&mut self) -> Option<usize> {
        self.take(3)
            .map(|b| usize::from(b[0]) << 16 | usize::from(b[1]) << 8 | usize::from(b[2]))
    }

    /// A vector with a one-byte length prefix.
    fn vec8(&mut self) -> Option<&'a [u8]> {
        let n = self.u8()?;
        self.take(n.into())
    }

    /// A vector with a two-byte length prefix.
    fn vec16(&mut self) -> Option<&'a [u8]> {
        let n = self.u16()?;
        self.take(n.into())
    }
}

/// Whether the ClientHello at the start of `records` (TLS records as
/// received, possibly followed by others) carries extension `ext`.
///
/// Anything short or malformed answers `false`. It is only called on bytes
/// rustls has already accepted as a ClientHello.
pub fn offers_extension(records: &[u8], ext: u16) -> bool {
    extension_types(records).is_some_and(|types| types.contains(&ext))
}

/// The extension types of the ClientHello, in the client's order.
fn extension_types(records: &[u8]) -> Option<Vec<u16>> {
    // The hello may be split over several handshake records.
    let mut payload = Vec::new();
    let mut wire = Wire(records);
    while !wire.0.is_empty() {
        let content_type = wire.u8()?;
        wire.take(2)?; // record version
        let fragment = wire.vec16()?;
        if content_type != CONTENT_HANDSHAKE {
            break;
        }
        payload.extend_from_slice(fragment);
    }

    let mut message = Wire(&payload);
    if message.u8()? != HANDSHAKE_CLIENT_HELLO {
        return None;
    }
    let len = message.u24()?;
    let mut body = Wire(message.take(len)?);
    body.take(2)?; // legacy_version
    body.take(RANDOM_LEN)?;
    body.vec8()?; // legacy_session_id
    body.vec16()?; // cipher_suites
    body.vec8()?; // legacy_compression_methods
    if body.0.is_empty() {
        return Some(Vec::new()); // a hello with no extensions at all
    }
    let mut extensions = Wire(body.vec16()?);
    let mut types = Vec::new();
    while !extensions.0.is_empty() {
        types.push(extensions.u16()?);
        extensions.vec16()?;
    }
    Some(types)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A ClientHello handshake message with the given extensions (type, data).
    fn hello(extensions: &[(u16, &[u8])]) -> Vec<u8> {
        let mut body = vec![0x03, 0x03];
        body.extend_from_slice(&[7; RANDOM_LEN]);
        body.push(0); // empty session id
        body.extend_from_slice(&[0, 2, 0x13, 0x01]); // TLS_AES_128_GCM_SHA256
        body.extend_from_slice(&[1, 0]); // null compression
        let mut list = Vec::new();
        for (ty, data) in extensions {
            list.extend_from_slice(&ty.to_be_bytes());
            list.extend_from_slice(&(data.len() as u16).to_be_bytes());
            list.extend_from_slice(data);
        }
        body.extend_from_slice(&(list.len() as u16).to_be_bytes());
        body.extend_from_slice(&list);
        let mut message = vec![HANDSHAKE_CLIENT_HELLO];
        message.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
        message.extend_from_slice(&body);
        message
    }

    /// Wraps `payload` in records of `content_type`, at most `max` bytes each.
    fn records(content_type: u8, payload: &[u8], max: usize) -> Vec<u8> {
        let mut out = Vec::new();
        for chunk in payload.chunks(max) {
            out.extend_from_slice(&[content_type, 0x03, 0x01]);
            out.extend_from_slice(&(chunk.len() as u16).to_be_bytes());
            out.extend_from_slice(chunk);
        }
        out
    }

    #[test]
    fn finds_the_extension_in_one_record() {
        let msg = hello(&[
            (0, b"\x00\x00"),
            (EXT_POST_HANDSHAKE_AUTH, b""),
            (43, b"\x02\x03\x04"),
        ]);
        let wire = records(CONTENT_HANDSHAKE, &msg, 16384);
        assert!(offers_extension(&wire, EXT_POST_HANDSHAKE_AUTH));
        assert_eq!(extension_types(&wire), Some(vec![0, 49, 43]));
    }

    #[test]
    fn absent_extension_is_not_found() {
        let msg = hello(&[(0, b"\x00\x00"), (43, b"\x02\x03\x04")]);
        let wire = records(CONTENT_HANDSHAKE, &msg, 16384);
        assert!(!offers_extension(&wire, EXT_POST_HANDSHAKE_AUTH));
    }

    #[test]
    fn hello_split_over_records_and_followed_by_ccs() {
        let padding = [0u8; 300];
        let msg = hello(&[(21, &padding), (EXT_POST_HANDSHAKE_AUTH, b"")]);
        let mut wire = records(CONTENT_HANDSHAKE, &msg, 50);
        wire.extend_from_slice(&records(20, &[1], 16384)); // middlebox-compat CCS
        assert!(offers_extension(&wire, EXT_POST_HANDSHAKE_AUTH));
    }

    #[test]
    fn truncated_or_foreign_input_answers_false() {
        let msg = hello(&[(EXT_POST_HANDSHAKE_AUTH, b"")]);
        let wire = records(CONTENT_HANDSHAKE, &msg, 16384);
        for cut in 0..wire.len() {
            assert!(
                !offers_extension(&wire[..cut], EXT_POST_HANDSHAKE_AUTH),
                "cut {cut}"
            );
        }
        // An extension whose length runs past the list.
        let mut bad = msg.clone();
        let n = bad.len();
        bad[n - 1] = 9;
        bad.push(0);
        assert!(!offers_extension(
            &records(CONTENT_HANDSHAKE, &bad, 16384),
            EXT_POST_HANDSHAKE_AUTH
        ));
        // Not a ClientHello (a ServerHello has type 2).
        let mut server_hello = msg;
        server_hello[0] = 2;
        assert!(!offers_extension(
            &records(CONTENT_HANDSHAKE, &server_hello, 16384),
            EXT_POST_HANDSHAKE_AUTH
        ));
    }

    #[test]
    fn hello_without_extensions() {
        let mut msg = hello(&[]);
        msg.truncate(msg.len() - 2); // drop the empty list's length too
        let len = (msg.len() - 4) as u32;
        msg[1..4].copy_from_slice(&len.to_be_bytes()[1..]);
        assert_eq!(
            extension_types(&records(CONTENT_HANDSHAKE, &msg, 16384)),
            Some(vec![])
        );
    }
}
