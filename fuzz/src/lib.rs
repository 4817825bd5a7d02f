//! The bodies of rustssl's fuzz targets, shared by the libFuzzer binaries in
//! `fuzz_targets/` and by the seeded random-input loops in `tests/`.
//!
//! Each `fuzz_*` function takes arbitrary bytes, drives one part of
//! `rustssl-core` with them, and panics only when an invariant breaks: a
//! crash, or an answer that contradicts another answer. Plain errors are the
//! expected outcome for almost every input.

use std::sync::{Mutex, MutexGuard, OnceLock};

use rustssl_core::constants::{PROTOCOL_TLS_CLIENT, PROTOCOL_TLS_SERVER};
use rustssl_core::{
    certificate_is_ca, certificate_is_self_signed, certified_key, cipher_by_name,
    decode_certificate, decrypt_legacy_pem, decrypt_pkcs8, key_is_encrypted, parse_cipher_string,
    pem_blocks, pem_certificates, pem_encode, pem_first_certificate, read_certificate_chain,
    read_private_key, testcert, BioTransport, Connection, Context, Error, HandshakeStatus,
    MemoryBio, TrustStore,
};

/// Largest record body TLS allows for any content (2^14 + 2048 for TLS 1.2 ciphertext).
const MAX_RECORD_BODY: usize = 16_384 + 2_048;
/// Content types a well-formed record can carry.
const RECORD_TYPES: [u8; 5] = [20, 21, 22, 23, 24];
/// Bounds the operations one input can cause, so every run ends quickly.
const MAX_STEPS: usize = 64;

/// A generated CA and leaf, shared by every run of a process.
pub struct Identity {
    /// The CA certificate, PEM.
    pub ca_pem: String,
    /// The leaf certificate, PEM.
    pub cert_pem: String,
    /// The leaf's PKCS#8 key, PEM.
    pub key_pem: String,
}

/// The identity every connection target uses (ECDSA P-256: cheap to sign with).
pub fn identity() -> &'static Identity {
    static ID: OnceLock<Identity> = OnceLock::new();
    ID.get_or_init(|| {
        let names = vec!["localhost".to_owned()];
        let (ca, leaf) = testcert::ca_and_leaf(&names, testcert::KeyKind::EcdsaP256)
            .expect("generating test certificates");
        Identity {
            ca_pem: ca.cert_pem,
            cert_pem: leaf.cert_pem,
            key_pem: leaf.key_pem,
        }
    })
}

fn lock(m: &'static Mutex<Context>) -> MutexGuard<'static, Context> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A server context holding the shared identity.
pub fn server_context() -> MutexGuard<'static, Context> {
    static CTX: OnceLock<Mutex<Context>> = OnceLock::new();
    lock(CTX.get_or_init(|| {
        let id = identity();
        let mut ctx = Context::new(PROTOCOL_TLS_SERVER).expect("server context");
        let chain = read_certificate_chain(id.cert_pem.as_bytes(), 2).expect("chain");
        let key = read_private_key(id.key_pem.as_bytes(), None).expect("key");
        let ck = certified_key(&ctx.provider(), chain, key).expect("certified key");
        ctx.update(|s| {
            s.add_identity(ck);
            Ok(())
        })
        .expect("update");
        Mutex::new(ctx)
    }))
}

/// A client context trusting the shared CA.
pub fn client_context() -> MutexGuard<'static, Context> {
    static CTX: OnceLock<Mutex<Context>> = OnceLock::new();
    lock(CTX.get_or_init(|| {
        let id = identity();
        let mut ctx = Context::new(PROTOCOL_TLS_CLIENT).expect("client context");
        ctx.update(|s| {
            s.trust
                .add_pem_bundle(id.ca_pem.as_bytes(), false)
                .map(|_| ())
        })
        .expect("trust");
        Mutex::new(ctx)
    }))
}

// ------------------------------------------------------------------ loading

/// PEM and DER certificate, key and CRL loading, as `load_cert_chain`,
/// `load_verify_locations(cadata=...)` and the encrypted-key readers see it.
pub fn fuzz_pem_der_load(data: &[u8]) {
    for level in [0, 2, 5] {
        if let Ok(chain) = read_certificate_chain(data, level) {
            assert!(
                !chain.is_empty(),
                "read_chain succeeded with no certificate"
            );
            // Whatever read_chain accepts the decoder must handle without panicking.
            for cert in &chain {
                let _ = decode_certificate(cert);
            }
        }
    }
    let _ = key_is_encrypted(data);
    for password in [None, Some(&b"password"[..]), Some(&b""[..])] {
        if let Ok(key) = read_private_key(data, password) {
            let ctx = server_context();
            let provider = ctx.provider();
            drop(ctx);
            if let Ok(chain) = read_certificate_chain(identity().cert_pem.as_bytes(), 0) {
                let _ = certified_key(&provider, chain, key);
            }
        }
    }
    let _ = pem_blocks(data);
    let _ = pem_first_certificate(data);
    let _ = pem_certificates(data);
    for cadata in [false, true] {
        let mut store = TrustStore::default();
        let _ = store.add_pem_bundle(data, cadata);
    }
    let mut store = TrustStore::default();
    let _ = store.add_der_bundle(data);
    let _ = store.add_crl(data);
    let _ = store.stats();
    let _ = decrypt_pkcs8(data, b"password");
    // Legacy PEM encryption: the first line is the DEK-Info header value.
    if let Some(split) = data.iter().position(|&b| b == b'\n') {
        if let Ok(dek) = std::str::from_utf8(&data[..split]) {
            let _ = decrypt_legacy_pem(dek, b"password", &data[split + 1..]);
        }
    }
}

// ----------------------------------------------------------------- decoding

/// Certificate decoding into the `getpeercert()` dict, plus the PEM round trip.
pub fn fuzz_cert_decode(data: &[u8]) {
    let decoded = decode_certificate(data);
    let _ = certificate_is_ca(data);
    let _ = certificate_is_self_signed(data);
    if let Ok(dict) = &decoded {
        // Decoding is a pure function of the bytes.
        assert_eq!(
            decode_certificate(data).as_ref(),
            Ok(dict),
            "decode_certificate is not deterministic"
        );
        // DER -> PEM -> DER gives the same bytes back.
        let text = pem_encode(data, "CERTIFICATE");
        assert_eq!(
            pem_first_certificate(text.as_bytes()).as_deref(),
            Some(data),
            "PEM round trip changed the certificate"
        );
    }
}

// ------------------------------------------------------------------ ciphers

/// The OpenSSL cipher-string parser.
pub fn fuzz_cipher_string(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let first = parse_cipher_string(text);
    assert_eq!(
        parse_cipher_string(text),
        first,
        "cipher parsing is not deterministic"
    );
    // A successful parse may select no TLS 1.2 suite: a string OpenSSL
    // accepts for suites rustls lacks ("TLSv1", "SHA1") leaves TLS 1.2 empty
    // and TLS 1.3 alone, as OpenSSL would with those suites disabled.
    if let Ok(selection) = first {
        for name in selection.names() {
            assert!(cipher_by_name(name).is_some(), "unknown suite {name}");
        }
        let suites = selection.to_rustls();
        assert!(suites.len() >= selection.tls12.len());
    }
}

// -------------------------------------------------------------- connections

/// Checks that everything a connection sent is whole, plausible TLS records.
fn assert_records(out: &[u8]) {
    let mut rest = out;
    while !rest.is_empty() {
        assert!(
            rest.len() >= 5,
            "a partial record header was sent: {rest:?}"
        );
        assert!(
            RECORD_TYPES.contains(&rest[0]),
            "a record of content type {} was sent",
            rest[0]
        );
        assert_eq!(rest[1], 3, "record version major byte {}", rest[1]);
        let len = usize::from(u16::from_be_bytes([rest[3], rest[4]]));
        assert!(
            len <= MAX_RECORD_BODY,
            "oversized record ({len} bytes) sent"
        );
        assert!(rest.len() >= 5 + len, "a truncated record was sent");
        rest = &rest[5 + len..];
    }
}

/// Splits `data` into chunks whose sizes come from its own first byte, so
/// the fuzzer explores records split across reads as well as whole flights.
fn chunks(data: &[u8]) -> Vec<&[u8]> {
    let Some((&seed, mut rest)) = data.split_first() else {
        return Vec::new();
    };
    let mut state = u32::from(seed) | 0x100;
    let mut out = Vec::new();
    while !rest.is_empty() {
        // A small linear congruential generator: sizes 1..=4096, biased small.
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let wanted = match (state >> 16) % 4 {
            0 => 1 + (state >> 20) as usize % 7,
            1 => 1 + (state >> 20) as usize % 300,
            _ => rest.len(),
        };
        // `rest` is not empty, so the size is at least 1.
        let size = wanted.min(rest.len()).clamp(1, 4096);
        let (head, tail) = rest.split_at(size);
        out.push(head);
        rest = tail;
    }
    out
}

/// What one handshake step produced.
enum Outcome {
    /// Wants more input.
    More,
    /// Handshake complete.
    Done,
    /// A fatal error: the connection is over.
    Failed(Error),
}

/// Feeds `data` to `conn` chunk by chunk, answering the server's ClientHello
/// stop with the shared config, then checks the connection stays failed.
fn drive(conn: &Connection, data: &[u8], server: bool) {
    let mut incoming = MemoryBio::new();
    let mut outgoing = MemoryBio::new();
    let mut failed = false;
    let mut pieces = chunks(data).into_iter();
    let mut steps = 0;
    loop {
        steps += 1;
        if steps > MAX_STEPS {
            break;
        }
        let outcome = {
            let mut io = BioTransport {
                incoming: &mut incoming,
                outgoing: &mut outgoing,
            };
            match conn.handshake(&mut io) {
                Ok(HandshakeStatus::Complete) => Outcome::Done,
                Ok(HandshakeStatus::ClientHello(_)) => {
                    assert!(server, "a client stopped at a ClientHello");
                    let mut ctx = server_context();
                    let highest = ctx.settings().highest_version();
                    let config = ctx.server_config(true).expect("server config");
                    drop(ctx);
                    match conn.accept(config, highest, &mut io) {
                        Ok(()) => Outcome::More,
                        Err(e) => Outcome::Failed(e),
                    }
                }
                Err(Error::WantRead) => Outcome::More,
                Err(e) => Outcome::Failed(e),
            }
        };
        match outcome {
            Outcome::More => match pieces.next() {
                Some(piece) => {
                    incoming.write(piece).expect("incoming BIO");
                }
                None if !incoming.eof_written() => incoming.write_eof(),
                None => break,
            },
            Outcome::Done => {
                // Application data, if the fuzzer ever gets this far.
                let mut io = BioTransport {
                    incoming: &mut incoming,
                    outgoing: &mut outgoing,
                };
                let mut buf = [0u8; 512];
                let _ = conn.read(&mut buf, &mut io);
                let _ = conn.write(b"ping", &mut io);
                let _ = conn.shutdown(&mut io);
                break;
            }
            Outcome::Failed(e) => {
                // A fatal error is final: the message is never empty, and the
                // connection refuses to go on.
                assert!(!e.to_string().is_empty(), "an error without a message");
                failed = true;
                break;
            }
        }
    }
    let sent = outgoing.read(None);
    assert_records(&sent);
    if failed {
        let mut io = BioTransport {
            incoming: &mut incoming,
            outgoing: &mut outgoing,
        };
        assert!(
            conn.handshake(&mut io).is_err(),
            "a failed connection recovered"
        );
        let mut buf = [0u8; 16];
        assert!(
            conn.read(&mut buf, &mut io).is_err(),
            "a failed connection read data"
        );
    }
    let _ = conn.info();
    let _ = conn.pending();
}

/// A server connection fed arbitrary client bytes.
pub fn fuzz_conn_server(data: &[u8]) {
    let stats = server_context().stats();
    let conn = Connection::server(stats);
    drive(&conn, data, true);
}

/// A client connection fed arbitrary server bytes (after sending its ClientHello).
pub fn fuzz_conn_client(data: &[u8]) {
    let (config, slot, stats) = {
        let mut ctx = client_context();
        let (config, slot) = ctx.client_config_for(None).expect("client config");
        (config, slot, ctx.stats())
    };
    let conn = Connection::client(config, slot, Some("localhost"), stats).expect("client");
    drive(&conn, data, false);
}

// -------------------------------------------------------------------- guard

/// How a connection driven by [`fuzz_guard`] ended.
enum Ending {
    /// The input ran out; the peer then closed (end of stream).
    Closed,
    /// A fatal error, and the bytes the connection sent before the failing step.
    Failed(Error, usize),
    /// The step budget ran out first.
    Budget,
}

/// The record-layer guard (`conn::guard` in rustssl-core): arbitrary bytes in front
/// of a server connection, cut into reads by the first byte.
///
/// Invariants: no panic; everything sent is whole records; and the
/// connection ends either with a clean close (the peer's end of stream or
/// the peer's own alert) or with a fatal alert sent by us in the failing
/// step: a plaintext one while no keys are in use, an encrypted record once
/// they are. Unbounded allocation is caught by libFuzzer's malloc and RSS
/// limits (`fuzz/run.sh`); every input is at most 64 KiB.
pub fn fuzz_guard(data: &[u8]) {
    let conn = Connection::server(server_context().stats());
    let mut incoming = MemoryBio::new();
    let mut outgoing = MemoryBio::new();
    let mut pieces = chunks(data).into_iter();
    let mut sent = Vec::new();
    let mut ending = Ending::Budget;
    for _ in 0..MAX_STEPS {
        sent.extend_from_slice(&outgoing.read(None));
        let before = sent.len();
        let mut io = BioTransport {
            incoming: &mut incoming,
            outgoing: &mut outgoing,
        };
        let result = match conn.handshake(&mut io) {
            Ok(HandshakeStatus::ClientHello(_)) => {
                let mut ctx = server_context();
                let highest = ctx.settings().highest_version();
                let config = ctx.server_config(true).expect("server config");
                drop(ctx);
                conn.accept(config, highest, &mut io)
            }
            Ok(HandshakeStatus::Complete) => {
                // Only a real client's keys get this far; nothing to check.
                ending = Ending::Budget;
                break;
            }
            Err(e) => Err(e),
        };
        match result {
            Ok(()) | Err(Error::WantRead) => match pieces.next() {
                Some(piece) => {
                    incoming.write(piece).expect("incoming BIO");
                }
                None if !incoming.eof_written() => incoming.write_eof(),
                None => break,
            },
            Err(Error::Eof) => {
                ending = Ending::Closed;
                break;
            }
            Err(e) => {
                ending = Ending::Failed(e, before);
                break;
            }
        }
    }
    sent.extend_from_slice(&outgoing.read(None));
    assert_records(&sent);
    let Ending::Failed(error, before) = ending else {
        return;
    };
    let peer_alert = matches!(&error, Error::Protocol { reason, .. } if reason.contains("ALERT"));
    if peer_alert {
        return; // the peer ended it: no alert owed
    }
    // The last record sent in the failing step is our alert.
    let mut records = Vec::new();
    let mut rest = &sent[..];
    while rest.len() >= 5 {
        let len = usize::from(u16::from_be_bytes([rest[3], rest[4]]));
        records.push((rest[0], &rest[5..5 + len], sent.len() - rest.len()));
        rest = &rest[5 + len..];
    }
    match records.last() {
        Some(&(21, body, at)) if at >= before => assert!(
            body.len() == 2 && body[0] == 2,
            "not a fatal alert: {body:?} ({error})"
        ),
        // An encrypted alert: only after our ServerHello (a handshake record).
        Some(&(23, _, at)) if at >= before => assert!(
            records.iter().any(|r| r.0 == 22),
            "encrypted record before any ServerHello ({error})"
        ),
        _ => panic!("the connection failed ({error}) without sending an alert"),
    }
}

// ------------------------------------------------------------------- seeds

/// Starting inputs for each target, named by target: real certificates,
/// keys, cipher strings and handshake flights.
pub fn seeds() -> Vec<(&'static str, Vec<u8>)> {
    let id = identity();
    let mut out = Vec::new();
    let cert_der = read_certificate_chain(id.cert_pem.as_bytes(), 0).expect("chain");
    let ca_der = read_certificate_chain(id.ca_pem.as_bytes(), 0).expect("ca");
    for pem in [&id.cert_pem, &id.key_pem, &id.ca_pem] {
        out.push(("pem_der_load", pem.as_bytes().to_vec()));
    }
    let mut both = id.cert_pem.clone();
    both.push_str(&id.ca_pem);
    out.push(("pem_der_load", both.into_bytes()));
    out.push(("pem_der_load", cert_der[0].to_vec()));
    out.push(("cert_decode", cert_der[0].to_vec()));
    out.push(("cert_decode", ca_der[0].to_vec()));
    for s in [
        "DEFAULT",
        "ECDHE+AESGCM:!aNULL",
        "HIGH:!MD5:@STRENGTH",
        "ALL:-RSA:+ECDSA:@SECLEVEL=3",
        "SUITEB128",
        "kEECDH+aRSA+CHACHA20:COMPLEMENTOFDEFAULT",
        "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384",
    ] {
        out.push(("cipher_string", s.as_bytes().to_vec()));
    }
    // A client's first flight, for the server target; the server's answer
    // to it, for the client target. Prefixed with a chunking byte.
    let (hello, answer) = first_flights();
    out.push(("conn_server", [&[0u8][..], &hello].concat()));
    out.push(("conn_server", [&[7u8][..], &hello].concat()));
    out.push(("conn_client", [&[0u8][..], &answer].concat()));
    out.push(("guard", [&[0u8][..], &hello].concat()));
    out.push(("guard", [&[3u8][..], &hello].concat()));
    out
}

/// A real ClientHello, and a real server's first flight in answer to it.
pub fn first_flights() -> (Vec<u8>, Vec<u8>) {
    let (config, slot, stats) = {
        let mut ctx = client_context();
        let (config, slot) = ctx.client_config_for(None).expect("client config");
        (config, slot, ctx.stats())
    };
    let client = Connection::client(config, slot, Some("localhost"), stats).expect("client");
    let server = Connection::server(server_context().stats());
    let (mut c_in, mut c_out) = (MemoryBio::new(), MemoryBio::new());
    let (mut s_in, mut s_out) = (MemoryBio::new(), MemoryBio::new());
    let _ = client.handshake(&mut BioTransport {
        incoming: &mut c_in,
        outgoing: &mut c_out,
    });
    let hello = c_out.read(None);
    s_in.write(&hello).expect("write");
    let mut io = BioTransport {
        incoming: &mut s_in,
        outgoing: &mut s_out,
    };
    if let Ok(HandshakeStatus::ClientHello(_)) = server.handshake(&mut io) {
        let mut ctx = server_context();
        let highest = ctx.settings().highest_version();
        let config = ctx.server_config(true).expect("config");
        drop(ctx);
        server.accept(config, highest, &mut io).expect("accept");
        let _ = server.handshake(&mut io);
    }
    (hello, s_out.read(None))
}
