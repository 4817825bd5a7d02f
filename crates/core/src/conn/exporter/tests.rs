//! The exporter against rustls' own `export_keying_material`, on both ends
//! of real in-memory handshakes whose configs log to the project's key log;
//! and the ServerHello parser against a real ServerHello.

use std::sync::Arc;

use aws_lc_rs::digest;
use rustls::{
    CipherSuite, ClientConfig, ClientConnection, HandshakeKind, RootCertStore, ServerConfig,
    ServerConnection,
};

use super::*;
use crate::conn::sealed_alert::tests::{identity, provider_with};
use crate::conn::sealed_alert::SealedAlert;
use crate::conn::secrets;
use crate::keylog::{self, KeyLogFile};
use crate::keys;

const TLS13_SUITES: [CipherSuite; 2] = [
    CipherSuite::TLS13_AES_128_GCM_SHA256,
    CipherSuite::TLS13_AES_256_GCM_SHA384,
];
const TLS12_SUITES: [CipherSuite; 2] = [
    CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
];
const LABEL: &[u8] = b"EXPORTER-Channel-Binding";

/// A client and a server config for `suite` alone, both logging to the
/// project's key log (with `file`, if any), as `Context` builds them.
fn configs(suite: CipherSuite, file: Option<Arc<KeyLogFile>>) -> (ClientConfig, ServerConfig) {
    let (ca, leaf) = identity();
    let provider = provider_with(suite);
    let versions = [provider.cipher_suites[0].version()];
    let mut roots = RootCertStore::empty();
    for cert in keys::read_chain(ca.cert_pem.as_bytes(), 0).unwrap() {
        roots.add(cert).unwrap();
    }
    let mut client = ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&versions)
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let chain = keys::read_chain(leaf.cert_pem.as_bytes(), 0).unwrap();
    let key = keys::read_private_key(leaf.key_pem.as_bytes(), None).unwrap();
    let mut server = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&versions)
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    client.key_log = keylog::for_config(file.clone());
    server.key_log = keylog::for_config(file);
    (client, server)
}

/// One end: a buffered rustls connection and what the engine would keep.
struct End {
    conn: rustls::Connection,
    server: bool,
    exporter: Exporter,
    sealed: SealedAlert,
}

impl End {
    fn new(conn: rustls::Connection) -> End {
        let server = matches!(conn, rustls::Connection::Server(_));
        End {
            conn,
            server,
            exporter: Exporter::default(),
            sealed: SealedAlert::default(),
        }
    }

    /// Everything this end has queued.
    fn output(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        while self.conn.wants_write() {
            self.conn.write_tls(&mut out).unwrap();
        }
        out
    }

    /// Feeds `bytes` to rustls under one capture per call, as the engine does.
    fn input(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            self.conn.read_tls(&mut bytes).unwrap();
            let conn = &mut self.conn;
            let keepers: &mut [&mut dyn Keeper] = &mut [&mut self.sealed, &mut self.exporter];
            secrets::capture(self.server, 0, keepers, || conn.process_new_packets()).unwrap();
        }
    }

    fn suite(&self) -> SupportedCipherSuite {
        self.conn.negotiated_cipher_suite().unwrap()
    }

    /// rustls' answer and ours, for the same request.
    fn both(&self, len: usize, label: &[u8], context: Option<&[u8]>) -> (Vec<u8>, Vec<u8>) {
        let theirs = self
            .conn
            .export_keying_material(vec![0; len], label, context)
            .unwrap();
        let mut ours = vec![0; len];
        self.exporter
            .export(self.suite(), &mut ours, label, context)
            .unwrap();
        (theirs, ours)
    }
}

/// A completed handshake: client, server, and the server's first output.
fn handshake(client: &Arc<ClientConfig>, server: &Arc<ServerConfig>) -> (End, End, Vec<u8>) {
    let name = "localhost".try_into().unwrap();
    let mut c = End::new(ClientConnection::new(client.clone(), name).unwrap().into());
    let mut s = End::new(ServerConnection::new(server.clone()).unwrap().into());
    let mut first = None;
    for _ in 0..8 {
        let flight = c.output();
        s.input(&flight);
        let flight = s.output();
        if first.is_none() {
            // The first handshake record the server sends and the client receives.
            assert!(s.exporter.note_server_hello(&flight));
            assert!(c.exporter.note_server_hello(&flight));
            first = Some(flight.clone());
        }
        c.input(&flight);
        if !c.conn.is_handshaking() && !s.conn.is_handshaking() && !c.conn.wants_write() {
            return (c, s, first.unwrap());
        }
    }
    panic!("the handshake did not complete");
}

fn check_all_requests(end: &End, what: &str) {
    for len in [1, 32, 100] {
        for context in [None, Some(&b""[..]), Some(&b"some context"[..])] {
            let (theirs, ours) = end.both(len, LABEL, context);
            assert_eq!(theirs, ours, "{what}, length {len}, context {context:?}");
        }
    }
}

fn check_suite(suite: CipherSuite) {
    let (client, server) = configs(suite, None);
    let (c, s, _) = handshake(&Arc::new(client), &Arc::new(server));
    assert_eq!(c.suite().suite(), suite);
    for end in [&c, &s] {
        check_all_requests(end, &format!("{suite:?}, server {}", end.server));
    }
    // One capture served both keepers: TLS 1.3 arms the sealed alert too.
    let tls13 = TLS13_SUITES.contains(&suite);
    assert_eq!((c.sealed.is_armed(), s.sealed.is_armed()), (tls13, tls13));
    // The two ends agree, and a context changes the bytes; TLS 1.3 hashes
    // no context as an empty one, TLS 1.2 tells them apart.
    let none = c.both(32, LABEL, None).1;
    assert_eq!(none, s.both(32, LABEL, None).1);
    assert_ne!(none, c.both(32, LABEL, Some(b"x")).1);
    assert_eq!(none == c.both(32, LABEL, Some(b"")).1, tls13);
}

#[test]
fn tls13_matches_rustls() {
    for suite in TLS13_SUITES {
        check_suite(suite);
    }
}

#[test]
fn tls12_matches_rustls() {
    for suite in TLS12_SUITES {
        check_suite(suite);
    }
}

#[test]
fn resumed_handshakes_match_rustls() {
    for suite in [TLS13_SUITES[0], TLS12_SUITES[1]] {
        let (client, server) = configs(suite, None);
        let (client, server) = (Arc::new(client), Arc::new(server));
        let (mut c, mut s, _) = handshake(&client, &server);
        // TLS 1.3 tickets come after the handshake.
        let tickets = s.output();
        c.input(&tickets);
        let (c, s, _) = handshake(&client, &server);
        assert_eq!(c.conn.handshake_kind(), Some(HandshakeKind::Resumed));
        for end in [&c, &s] {
            check_all_requests(end, &format!("resumed {suite:?}, server {}", end.server));
        }
    }
}

#[test]
fn a_keylog_file_still_gets_every_line() {
    let path = std::env::temp_dir().join(format!("rustssl-exporter-{}", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let file = Arc::new(KeyLogFile::open(&path).unwrap());
    for suite in [TLS13_SUITES[1], TLS12_SUITES[0]] {
        let (client, server) = configs(suite, Some(file.clone()));
        let (c, s, _) = handshake(&Arc::new(client), &Arc::new(server));
        check_all_requests(&c, "with a key-log file");
        check_all_requests(&s, "with a key-log file");
    }
    let text = std::fs::read_to_string(&path).unwrap();
    let _ = std::fs::remove_file(&path);
    // Both ends log each TLS 1.3 secret; both log TLS 1.2's master secret.
    for (label, count) in [
        ("CLIENT_HANDSHAKE_TRAFFIC_SECRET", 2),
        ("SERVER_TRAFFIC_SECRET_0", 2),
        ("EXPORTER_SECRET", 2),
        ("CLIENT_RANDOM", 2),
    ] {
        let lines = text.lines().filter(|l| l.starts_with(&format!("{label} ")));
        assert_eq!(lines.count(), count, "{label} in\n{text}");
    }
}

#[test]
fn fails_where_rustls_fails() {
    let (client, server) = configs(TLS13_SUITES[0], None);
    let (c, _, _) = handshake(&Arc::new(client), &Arc::new(server));
    let theirs = |len: usize| {
        c.conn
            .export_keying_material(vec![0; len], LABEL, None)
            .unwrap_err()
    };
    let ours = |len: usize| {
        let mut out = vec![0; len];
        c.exporter
            .export(c.suite(), &mut out, LABEL, None)
            .unwrap_err()
    };
    // Nothing to fill, and more than HKDF can give (255 SHA-256 outputs).
    for len in [0, 255 * 32 + 1] {
        assert_eq!(ours(len), theirs(len), "length {len}");
    }
    let (theirs, ours) = c.both(255 * 32, LABEL, None);
    assert_eq!(theirs, ours);
    // Before the handshake: no secret yet.
    let name = "localhost".try_into().unwrap();
    let fresh = ClientConnection::new(Arc::new(configs(TLS13_SUITES[0], None).0), name).unwrap();
    let expected = fresh
        .export_keying_material([0u8; 8], LABEL, None)
        .unwrap_err();
    let mut out = [0u8; 8];
    let got = Exporter::default().export(c.suite(), &mut out, LABEL, None);
    assert_eq!(got.unwrap_err(), expected);
}

#[test]
fn fails_where_rustls_would_panic_or_misencode() {
    let (client, server) = configs(TLS12_SUITES[0], None);
    let (c, _, _) = handshake(&Arc::new(client), &Arc::new(server));
    let long = vec![7u8; 0x10000];
    let mut out = [0u8; 32];
    // rustls asserts on a TLS 1.2 context over 65535 bytes.
    assert!(c
        .exporter
        .export(c.suite(), &mut out, LABEL, Some(&long))
        .is_err());
    let (theirs, ours) = c.both(32, LABEL, Some(&long[..0xffff]));
    assert_eq!(theirs, ours);
    // TLS 1.3: a label that does not fit HkdfLabel.
    let (client, server) = configs(TLS13_SUITES[0], None);
    let (c, _, _) = handshake(&Arc::new(client), &Arc::new(server));
    let (theirs, ours) = c.both(32, &long[..249], None);
    assert_eq!(theirs, ours);
    assert!(c
        .exporter
        .export(c.suite(), &mut out, &long[..250], None)
        .is_err());
}

#[test]
fn a_suite_of_the_other_version_gets_no_answer() {
    let (client, server) = configs(TLS12_SUITES[0], None);
    let (c12, _, _) = handshake(&Arc::new(client), &Arc::new(server));
    let (client, server) = configs(TLS13_SUITES[0], None);
    let (c13, _, _) = handshake(&Arc::new(client), &Arc::new(server));
    let (suite12, suite13) = (c12.suite(), c13.suite());
    let mut out = [0u8; 32];
    assert!(c12.exporter.export(suite13, &mut out, LABEL, None).is_err());
    assert!(c13.exporter.export(suite12, &mut out, LABEL, None).is_err());
    // TLS 1.2 without the server random.
    let mut exporter = c12.exporter;
    assert!(exporter.export(suite12, &mut out, LABEL, None).is_ok());
    exporter.server_random = None;
    assert!(exporter.export(suite12, &mut out, LABEL, None).is_err());
}

/// The TLS 1.2 ServerHello a real server sends first, and its random (the
/// one the exporter matched rustls with).
fn real_server_hello() -> (Vec<u8>, [u8; RANDOM_LEN]) {
    let (client, server) = configs(TLS12_SUITES[0], None);
    let (c, _, first) = handshake(&Arc::new(client), &Arc::new(server));
    let (theirs, ours) = c.both(32, LABEL, None);
    assert_eq!(theirs, ours);
    let random = c.exporter.server_random.unwrap();
    (first, random)
}

/// The first record of `records`.
fn first_record(records: &[u8]) -> &[u8] {
    let len = usize::from(u16::from_be_bytes([records[3], records[4]]));
    &records[..5 + len]
}

#[test]
fn server_random_from_a_real_server_hello() {
    let (flight, random) = real_server_hello();
    assert_eq!(flight[..6], [22, 3, 3, flight[3], flight[4], 2]);
    // The random sits right after the record header, the handshake header
    // and the legacy version.
    assert_eq!(flight[11..43], random);
    let record = first_record(&flight);
    assert_eq!(server_random(record), Some(random));
    // The record alone, cut short: enough bytes or none.
    for cut in 0..record.len() {
        let expected = (cut >= 43).then_some(random);
        assert_eq!(server_random(&record[..cut]), expected, "cut {cut}");
    }
    // The same handshake bytes in records of 1 to 7 bytes.
    for size in 1..8 {
        let mut split = Vec::new();
        for chunk in record[5..].chunks(size) {
            split.extend_from_slice(&[22, 3, 3, 0, chunk.len() as u8]);
            split.extend_from_slice(chunk);
        }
        assert_eq!(server_random(&split), Some(random), "records of {size}");
    }
    // A TLS 1.3 ServerHello too.
    let (client, server) = configs(TLS13_SUITES[0], None);
    let (_, _, flight) = handshake(&Arc::new(client), &Arc::new(server));
    assert_eq!(
        server_random(&flight),
        Some(flight[11..43].try_into().unwrap())
    );
}

#[test]
fn server_random_refuses_malformed_input() {
    let (flight, _) = real_server_hello();
    let record = first_record(&flight).to_vec();
    let with = |at: usize, value: u8| {
        let mut bad = record.clone();
        bad[at] = value;
        server_random(&bad)
    };
    assert_eq!(server_random(&[]), None);
    assert_eq!(with(0, 21), None, "an alert record");
    assert_eq!(with(0, 23), None, "application data");
    assert_eq!(with(1, 2), None, "record version 2.x");
    assert_eq!(with(5, 1), None, "a ClientHello");
    assert_eq!(with(9, 2), None, "legacy version 2.x");
    // A handshake length too short for a version and a random.
    let mut short = record.clone();
    short[6..9].copy_from_slice(&[0, 0, 33]);
    assert_eq!(server_random(&short), None);
    // Record lengths no peer may send: zero, and over 2^14.
    let mut empty = vec![22, 3, 3, 0, 0];
    empty.extend_from_slice(&record);
    assert_eq!(server_random(&empty), None);
    let mut huge = record.clone();
    huge[3..5].copy_from_slice(&0x4001u16.to_be_bytes());
    assert_eq!(server_random(&huge), None);
    // A handshake record followed by something else before the random.
    let mut mixed = vec![22, 3, 3, 0, 4];
    mixed.extend_from_slice(&record[5..9]);
    mixed.extend_from_slice(&[21, 3, 3, 0, 2, 2, 40]);
    assert_eq!(server_random(&mixed), None);
    // A HelloRetryRequest's random is not the server random.
    let mut hrr = record;
    hrr[11..43].copy_from_slice(&HELLO_RETRY_REQUEST);
    assert_eq!(server_random(&hrr), None);
}

#[test]
fn the_hello_retry_request_random_is_rfc_8446s() {
    let hash = digest::digest(&digest::SHA256, b"HelloRetryRequest");
    assert_eq!(hash.as_ref(), HELLO_RETRY_REQUEST);
}
