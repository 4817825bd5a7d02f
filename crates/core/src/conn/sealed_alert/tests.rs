//! A real rustls peer must open the sealed alert and report it, for both
//! sides and every TLS 1.3 suite; where the key may have changed, nothing is sent.

use std::io::Write as _;
use std::sync::{Arc, Mutex};

use rustls::crypto::aws_lc_rs::default_provider;
use rustls::{AlertDescription, CipherSuite, ClientConfig, KeyLog, RootCertStore, ServerConfig};

use super::*;
use crate::conn::transport::{BioTransport, MemoryBio};
use crate::conn::{Connection, HandshakeStatus};
use crate::context::{Context, PROTOCOL_TLS_CLIENT, PROTOCOL_TLS_SERVER};
use crate::error::Error;
use crate::keys;
use crate::testcert::{self, Generated, KeyKind};

const SUITES: [CipherSuite; 3] = [
    CipherSuite::TLS13_AES_128_GCM_SHA256,
    CipherSuite::TLS13_AES_256_GCM_SHA384,
    CipherSuite::TLS13_CHACHA20_POLY1305_SHA256,
];
/// TLSInnerPlaintext with no content type: only padding (RFC 8446 §5.4).
const NO_CONTENT_TYPE: [u8; 16] = [0; 16];

pub(crate) fn identity() -> (Generated, Generated) {
    testcert::ca_and_leaf(&["localhost".to_owned()], KeyKind::EcdsaP256).unwrap()
}

/// Keeps the secrets a rustls peer logs.
#[derive(Debug, Default)]
struct Secrets(Mutex<Vec<(String, Vec<u8>)>>);

impl KeyLog for Secrets {
    fn log(&self, label: &str, _client_random: &[u8], secret: &[u8]) {
        self.0
            .lock()
            .unwrap()
            .push((label.to_owned(), secret.to_vec()));
    }
}

impl Secrets {
    fn get(&self, label: &str) -> Vec<u8> {
        let all = self.0.lock().unwrap();
        all.iter().find(|(l, _)| l == label).unwrap().1.clone()
    }
}

pub(crate) fn provider_with(suite: CipherSuite) -> Arc<rustls::crypto::CryptoProvider> {
    let mut provider = default_provider();
    provider.cipher_suites.retain(|s| s.suite() == suite);
    Arc::new(provider)
}

/// A protected record holding `inner` as is, sealed as the peer would.
fn forge(suite: CipherSuite, secret: &[u8], seq: u64, inner: &[u8]) -> Vec<u8> {
    let keys = Keys::derive(&Suite::of(suite).unwrap(), secret).unwrap();
    let header = header_of(inner.len());
    let mut body = inner.to_vec();
    keys.key
        .seal_in_place_append_tag(keys.nonce(seq), aead::Aad::from(header), &mut body)
        .unwrap();
    [&header[..], &body].concat()
}

/// TLS 1.3 records (type 23) in `bytes`.
fn protected_records(bytes: &[u8]) -> u64 {
    let mut n = 0;
    let mut rest = bytes;
    while rest.len() >= 5 {
        let len = usize::from(u16::from_be_bytes([rest[3], rest[4]]));
        n += u64::from(rest[0] == 23);
        rest = &rest[5 + len..];
    }
    n
}

/// Feeds `bytes` to a rustls peer; returns its error, if any.
fn deliver(peer: &mut rustls::Connection, mut bytes: &[u8]) -> Option<rustls::Error> {
    while !bytes.is_empty() {
        peer.read_tls(&mut bytes).unwrap();
        if let Err(e) = peer.process_new_packets() {
            return Some(e);
        }
    }
    None
}

/// A rustssl end (`ours`) and a rustls peer, over memory BIOs.
struct Pair {
    ours: Connection,
    incoming: MemoryBio,
    outgoing: MemoryBio,
    peer: rustls::Connection,
    server_ctx: Option<Context>,
}

impl Pair {
    /// Reads plaintext on our side.
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        let mut io = BioTransport {
            incoming: &mut self.incoming,
            outgoing: &mut self.outgoing,
        };
        self.ours.read(buf, &mut io)
    }

    /// Writes plaintext on our side.
    fn write(&mut self, data: &[u8]) {
        let mut io = BioTransport {
            incoming: &mut self.incoming,
            outgoing: &mut self.outgoing,
        };
        assert_eq!(self.ours.write(data, &mut io).unwrap(), data.len());
    }

    /// Everything the peer has queued.
    fn peer_output(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        while self.peer.wants_write() {
            self.peer.write_tls(&mut out).unwrap();
        }
        out
    }

    /// Moves the peer's output to us.
    fn pass_to_us(&mut self) {
        let out = self.peer_output();
        self.incoming.write(&out).unwrap();
    }

    /// Runs the handshake to completion on both sides.
    fn handshake(&mut self) {
        for _ in 0..16 {
            self.pass_to_us();
            let result = {
                let mut io = BioTransport {
                    incoming: &mut self.incoming,
                    outgoing: &mut self.outgoing,
                };
                self.ours.handshake(&mut io)
            };
            match result {
                Ok(HandshakeStatus::ClientHello(_)) => {
                    let ctx = self.server_ctx.as_mut().unwrap();
                    let highest = ctx.settings().highest_version();
                    let config = ctx.server_config(true).unwrap();
                    let mut io = BioTransport {
                        incoming: &mut self.incoming,
                        outgoing: &mut self.outgoing,
                    };
                    self.ours.accept(config, highest, &mut io).unwrap();
                    continue;
                }
                Ok(HandshakeStatus::Complete) | Err(Error::WantRead) => {}
                Err(e) => panic!("handshake: {e}"),
            }
            let sent = self.outgoing.read(None);
            assert_eq!(deliver(&mut self.peer, &sent), None);
            if !self.peer.is_handshaking() && self.ours.is_established() {
                return;
            }
        }
        panic!("the handshake did not complete");
    }

    /// Sends `record` to us and reads: the error, and what we sent.
    fn refuse(&mut self, record: &[u8]) -> (Error, Vec<u8>) {
        self.incoming.write(record).unwrap();
        let error = self.read(&mut [0u8; 64]).unwrap_err();
        (error, self.outgoing.read(None))
    }
}

fn server_pair(suite: CipherSuite, log: Arc<Secrets>) -> Pair {
    let (ca, leaf) = identity();
    let mut ctx = Context::new(PROTOCOL_TLS_SERVER).unwrap();
    let chain = keys::read_chain(leaf.cert_pem.as_bytes(), 2).unwrap();
    let key = keys::read_private_key(leaf.key_pem.as_bytes(), None).unwrap();
    let ck = keys::certified_key(&ctx.provider(), chain, key).unwrap();
    ctx.update(|s| {
        s.add_identity(ck);
        Ok(())
    })
    .unwrap();
    let mut roots = RootCertStore::empty();
    roots
        .add(
            keys::read_chain(ca.cert_pem.as_bytes(), 0)
                .unwrap()
                .remove(0),
        )
        .unwrap();
    let mut config = ClientConfig::builder_with_provider(provider_with(suite))
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.key_log = log;
    let name = "localhost".try_into().unwrap();
    let peer = rustls::ClientConnection::new(Arc::new(config), name).unwrap();
    Pair {
        ours: Connection::server(ctx.stats()),
        incoming: MemoryBio::new(),
        outgoing: MemoryBio::new(),
        peer: peer.into(),
        server_ctx: Some(ctx),
    }
}

fn client_pair(suite: CipherSuite, log: Arc<Secrets>) -> Pair {
    let (ca, leaf) = identity();
    let mut ctx = Context::new(PROTOCOL_TLS_CLIENT).unwrap();
    ctx.update(|s| {
        s.trust
            .add_pem_bundle(ca.cert_pem.as_bytes(), false)
            .map(|_| ())
    })
    .unwrap();
    let (config, slot) = ctx.client_config_for(None).unwrap();
    let ours = Connection::client(config, slot, Some("localhost"), ctx.stats()).unwrap();
    let chain = keys::read_chain(leaf.cert_pem.as_bytes(), 0).unwrap();
    let key = keys::read_private_key(leaf.key_pem.as_bytes(), None).unwrap();
    let mut config = ServerConfig::builder_with_provider(provider_with(suite))
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    config.key_log = log;
    let peer = rustls::ServerConnection::new(Arc::new(config)).unwrap();
    Pair {
        ours,
        incoming: MemoryBio::new(),
        outgoing: MemoryBio::new(),
        peer: peer.into(),
        server_ctx: None,
    }
}

/// A rustssl client after its handshake with a rustls server; the server's
/// tickets, not yet delivered; and the server's next sequence number.
fn established_client(suite: CipherSuite) -> (Pair, Arc<Secrets>, Vec<u8>, u64) {
    let log = Arc::new(Secrets::default());
    let mut pair = client_pair(suite, log.clone());
    pair.handshake();
    let tickets = pair.peer_output();
    let seq = protected_records(&tickets);
    (pair, log, tickets, seq)
}

fn assert_alert_received(pair: &mut Pair, error: &Error, sent: &[u8]) {
    assert!(error.to_string().contains("PEER_MISBEHAVED"), "{error}");
    assert_eq!(
        deliver(&mut pair.peer, sent),
        Some(rustls::Error::AlertReceived(
            AlertDescription::UnexpectedMessage
        ))
    );
}

#[test]
fn a_rustls_client_opens_the_alert_of_a_rustssl_server() {
    for suite in SUITES {
        let log = Arc::new(Secrets::default());
        let mut pair = server_pair(suite, log.clone());
        pair.handshake();
        // The client sends data first: the server's tickets go out before
        // its alert, under the same key, and are counted.
        pair.peer.writer().write_all(b"ping").unwrap();
        pair.pass_to_us();
        let mut buf = [0u8; 16];
        let n = pair.read(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"ping");
        pair.write(b"pong");
        let sent = pair.outgoing.read(None);
        assert_eq!(deliver(&mut pair.peer, &sent), None);
        let secret = log.get(CLIENT_SECRET);
        let record = forge(suite, &secret, 1, &NO_CONTENT_TYPE);
        let (error, sent) = pair.refuse(&record);
        assert_eq!(sent.len(), RECORD_LEN, "{suite:?}");
        assert_alert_received(&mut pair, &error, &sent);
    }
}

#[test]
fn a_rustls_server_opens_the_alert_of_a_rustssl_client() {
    for suite in SUITES {
        let (mut pair, log, tickets, seq) = established_client(suite);
        pair.write(b"ping");
        let sent = pair.outgoing.read(None);
        assert_eq!(deliver(&mut pair.peer, &sent), None);
        let record = forge(suite, &log.get(SERVER_SECRET), seq, &NO_CONTENT_TYPE);
        let (error, sent) = pair.refuse(&[tickets, record].concat());
        assert_eq!(sent.len(), RECORD_LEN, "{suite:?}");
        assert_alert_received(&mut pair, &error, &sent);
    }
}

#[test]
fn after_a_key_update_the_alert_uses_the_updated_key() {
    let suite = SUITES[0];
    let log = Arc::new(Secrets::default());
    let mut pair = server_pair(suite, log.clone());
    pair.handshake();
    // The client updates its key and asks the server to update its own.
    pair.peer.refresh_traffic_keys().unwrap();
    pair.peer.writer().write_all(b"ping").unwrap();
    pair.pass_to_us();
    let mut buf = [0u8; 16];
    pair.read(&mut buf).unwrap();
    pair.write(b"pong");
    let sent = pair.outgoing.read(None);
    assert_eq!(deliver(&mut pair.peer, &sent), None);
    // The client's next secret (RFC 8446 §7.2); "ping" took sequence 0.
    let old = log.get(CLIENT_SECRET);
    let prk = hkdf::Prk::new_less_safe(hkdf::HKDF_SHA256, &old);
    let mut next = [0u8; 32];
    expand_label(&prk, b"traffic upd", &mut next).unwrap();
    let (error, sent) = pair.refuse(&forge(suite, &next, 1, &NO_CONTENT_TYPE));
    // rustls judged the content; the server's key is the updated one now,
    // and the sealed alert follows it: the client opens it.
    assert!(error.to_string().contains("PEER_MISBEHAVED"), "{error}");
    assert_eq!(
        deliver(&mut pair.peer, &sent),
        Some(rustls::Error::AlertReceived(
            AlertDescription::UnexpectedMessage
        ))
    );
}

#[test]
fn the_key_and_iv_match_rfc_8448() {
    // RFC 8448 §3, the server's application traffic secret and its write key and IV.
    let secret = hex("a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643");
    let keys = Keys::derive(
        &Suite::of(CipherSuite::TLS13_AES_128_GCM_SHA256).unwrap(),
        &secret,
    )
    .unwrap();
    assert_eq!(keys.iv[..], hex("cf782b88dd83549aadf1e984")[..]);
    // The key is checked through a record: RFC 8448's key opens what
    // rustssl seals.
    let key = aead::LessSafeKey::new(
        aead::UnboundKey::new(&aead::AES_128_GCM, &hex("9f02283b6c9c07efc26bb9f2ac92e356"))
            .unwrap(),
    );
    let mut record = keys.seal(7, [2, 10, 21]).unwrap();
    let (header, body) = record.split_at_mut(5);
    let plain = key
        .open_in_place(keys.nonce(7), aead::Aad::from(&*header), body)
        .unwrap();
    assert_eq!(plain, [2, 10, 21]);
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn an_oversized_handshake_message_after_the_handshake_gets_illegal_parameter() {
    // rustls holds at most 64 KiB of one handshake message and queues no
    // alert when that is not enough; the guard's illegal_parameter is sealed.
    let suite = SUITES[0];
    let (mut pair, log, tickets, seq) = established_client(suite);
    // A NewSessionTicket declaring 65,531 bytes, in four records.
    let mut message = vec![4, 0, 0xff, 0xfb];
    message.resize(4 + 0xfffb, 0);
    let secret = log.get(SERVER_SECRET);
    let mut records = tickets;
    for (i, fragment) in message.chunks(1 << 14).enumerate() {
        let inner = [fragment, &[22]].concat();
        records.extend(forge(suite, &secret, seq + i as u64, &inner));
    }
    let (error, sent) = pair.refuse(&records);
    assert!(
        error.to_string().contains("EXCESSIVE_MESSAGE_SIZE"),
        "{error}"
    );
    assert_eq!(
        deliver(&mut pair.peer, &sent),
        Some(rustls::Error::AlertReceived(
            AlertDescription::IllegalParameter
        ))
    );
}
