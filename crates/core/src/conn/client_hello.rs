//! What a server needs from the ClientHello that rustls' view of it leaves out.
//!
//! rustls' `ClientHello` answers for SNI, ALPN, suites and groups, but not for
//! the list of extensions. OpenSSL's `verify_client_post_handshake` answers
//! differently depending on whether the client sent `post_handshake_auth`, so
//! the server keeps the records it fed to rustls' acceptor and reads that list
//! here once rustls has accepted them. The same single parse gives the
//! record-layer guard (`guard.rs`) the legacy version, the fallback SCSV and
//! the offered versions it checks.

/// The `post_handshake_auth` extension (RFC 8446, section 4.2.6).
pub const EXT_POST_HANDSHAKE_AUTH: u16 = 49;

/// The handshake content type of a TLS record.
pub(super) const CONTENT_HANDSHAKE: u8 = 22;
const HANDSHAKE_CLIENT_HELLO: u8 = 1;
/// The length of a ClientHello or ServerHello random.
pub(super) const RANDOM_LEN: usize = 32;

/// A cursor over big-endian TLS wire data; every read checks the length.
pub(super) struct Wire<'a>(pub(super) &'a [u8]);

impl<'a> Wire<'a> {
    pub(super) fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    pub(super) fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }

    pub(super) fn u16(&mut self) -> Option<u16> {
        self.take(2).map(|b| u16::from_be_bytes([b[0], b[1]]))
    }

    pub(super) fn u24(&mut self) -> Option<usize> {
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

/// The `supported_versions` extension (RFC 8446, section 4.2.1).
pub const EXT_SUPPORTED_VERSIONS: u16 = 43;
/// The `supported_groups` extension (RFC 8446, section 4.2.7).
pub const EXT_SUPPORTED_GROUPS: u16 = 10;
/// The `key_share` extension (RFC 8446, section 4.2.8).
pub const EXT_KEY_SHARE: u16 = 51;
/// The TLS_FALLBACK_SCSV cipher suite value (RFC 7507, section 2).
pub const FALLBACK_SCSV: u16 = 0x5600;

/// What the server reads from a ClientHello beyond rustls' view of it; one
/// parse serves the guard's checks and `post_handshake_auth`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    /// `legacy_version`.
    pub legacy_version: u16,
    /// Whether the suites include TLS_FALLBACK_SCSV.
    pub fallback_scsv: bool,
    /// The extension types, in the client's order.
    pub extensions: Vec<u16>,
    /// The `supported_versions` list, if the extension was sent.
    pub supported_versions: Option<Vec<u16>>,
}

impl Facts {
    /// Whether the hello carries extension `ext`.
    pub fn has(&self, ext: u16) -> bool {
        self.extensions.contains(&ext)
    }

    /// The highest TLS version the client offers: the largest real version
    /// in `supported_versions` (GREASE and unknown values ignored), or
    /// `legacy_version` without that extension (RFC 8446, section 4.2.1).
    pub fn highest_version(&self) -> u16 {
        match &self.supported_versions {
            Some(list) => list
                .iter()
                .copied()
                .filter(|v| (0x0300..=0x0304).contains(v))
                .max()
                .unwrap_or(0),
            None => self.legacy_version,
        }
    }
}

/// Whether the ClientHello at the start of `records` (TLS records as
/// received, possibly followed by others) carries extension `ext`.
///
/// Anything short or malformed answers `false`.
#[cfg(test)]
pub fn offers_extension(records: &[u8], ext: u16) -> bool {
    parse(records).is_some_and(|f| f.has(ext))
}

/// Parses the ClientHello at the start of `records`; `None` if it is short
/// or malformed. It is only called on bytes rustls has already accepted as
/// a ClientHello, so it needs no limits of its own beyond the input's length.
pub fn parse(records: &[u8]) -> Option<Facts> {
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
    let mut facts = Facts {
        legacy_version: body.u16()?,
        ..Facts::default()
    };
    body.take(RANDOM_LEN)?;
    body.vec8()?; // legacy_session_id
    let mut suites = Wire(body.vec16()?);
    while !suites.0.is_empty() {
        facts.fallback_scsv |= suites.u16()? == FALLBACK_SCSV;
    }
    body.vec8()?; // legacy_compression_methods
    if body.0.is_empty() {
        return Some(facts); // a hello with no extensions at all
    }
    let mut extensions = Wire(body.vec16()?);
    while !extensions.0.is_empty() {
        let ty = extensions.u16()?;
        let data = extensions.vec16()?;
        facts.extensions.push(ty);
        if ty == EXT_SUPPORTED_VERSIONS {
            let mut list = Wire(Wire(data).vec8()?);
            let mut versions = Vec::new();
            while !list.0.is_empty() {
                versions.push(list.u16()?);
            }
            facts.supported_versions = Some(versions);
        }
    }
    Some(facts)
}

/// The extension types of the ClientHello, in the client's order.
#[cfg(test)]
fn extension_types(records: &[u8]) -> Option<Vec<u16>> {
    parse(records).map(|f| f.extensions)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A ClientHello handshake message with the given extensions (type, data).
    fn hello(extensions: &[(u16, &[u8])]) -> Vec<u8> {
        hello_with(0x0303, &[0x1301], extensions)
    }

    /// A ClientHello with the given legacy version, suites and extensions.
    fn hello_with(version: u16, suites: &[u16], extensions: &[(u16, &[u8])]) -> Vec<u8> {
        let mut body = version.to_be_bytes().to_vec();
        body.extend_from_slice(&[7; RANDOM_LEN]);
        body.push(0); // empty session id
        body.extend_from_slice(&((suites.len() * 2) as u16).to_be_bytes());
        for s in suites {
            body.extend_from_slice(&s.to_be_bytes());
        }
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
    fn facts_for_the_guard() {
        let msg = hello_with(
            0x0301,
            &[0x1301, FALLBACK_SCSV],
            &[(EXT_SUPPORTED_VERSIONS, b"\x06\x0a\x0a\x03\x04\x03\x03")],
        );
        let facts = parse(&records(CONTENT_HANDSHAKE, &msg, 16384)).unwrap();
        assert_eq!(facts.legacy_version, 0x0301);
        assert!(facts.fallback_scsv);
        // GREASE (0x0a0a) is not a version.
        assert_eq!(facts.supported_versions, Some(vec![0x0a0a, 0x0304, 0x0303]));
        assert_eq!(facts.highest_version(), 0x0304);
        assert!(facts.has(EXT_SUPPORTED_VERSIONS) && !facts.has(EXT_KEY_SHARE));

        let plain = parse(&records(
            CONTENT_HANDSHAKE,
            &hello_with(0x0302, &[0x002f], &[]),
            99,
        ));
        let plain = plain.unwrap();
        assert!(!plain.fallback_scsv);
        assert_eq!(plain.highest_version(), 0x0302);
        // A supported_versions list that overruns its extension.
        let bad = hello_with(
            0x0303,
            &[0x1301],
            &[(EXT_SUPPORTED_VERSIONS, b"\x04\x03\x04")],
        );
        assert_eq!(parse(&records(CONTENT_HANDSHAKE, &bad, 16384)), None);
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
