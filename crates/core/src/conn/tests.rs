//! The engine's states over `MemoryBIO`s: two in-memory connections, one client and one server.

use std::io::{self, IoSlice};
use std::sync::Arc;

use rustls::{ProtocolVersion, ServerConfig};

use super::transport::{BioTransport, MemoryBio, Need, Transport};
use super::{Connection, HandshakeStatus};
use crate::context::{Context, PROTOCOL_TLS_CLIENT, PROTOCOL_TLS_SERVER};
use crate::error::{Error, Operation, Result};
use crate::session::Session;

/// A self-signed certificate for `localhost` and its key, both PEM.
fn self_signed() -> (String, String) {
    let made = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()])
        .expect("generating a certificate");
    (made.cert.pem(), made.signing_key.serialize_pem())
}

/// A server context with a fresh identity, and a client context that trusts it
/// (`trusting == false`: a client that trusts nothing).
fn contexts(trusting: bool, tickets: usize) -> (Context, Context) {
    let (cert, key) = self_signed();
    let mut server = Context::new(PROTOCOL_TLS_SERVER).unwrap();
    let chain = crate::keys::read_chain(cert.as_bytes(), 2).unwrap();
    let key = crate::keys::read_private_key(key.as_bytes(), None).unwrap();
    let ck = crate::keys::certified_key(&server.provider(), chain, key).unwrap();
    server
        .update(|s| {
            s.add_identity(ck);
            s.num_tickets = tickets;
            Ok(())
        })
        .unwrap();
    let mut client = Context::new(PROTOCOL_TLS_CLIENT).unwrap();
    if trusting {
        client
            .update(|s| s.trust.add_pem_bundle(cert.as_bytes(), false).map(|_| ()))
            .unwrap();
    }
    (server, client)
}

/// One end's two `MemoryBIO`s.
#[derive(Default)]
struct Bios {
    incoming: MemoryBio,
    outgoing: MemoryBio,
}

impl Bios {
    fn io(&mut self) -> BioTransport<'_> {
        BioTransport {
            incoming: &mut self.incoming,
            outgoing: &mut self.outgoing,
        }
    }
}

/// A client and a server joined by `MemoryBIO`s, carried by hand.
struct Pair {
    server_config: Arc<ServerConfig>,
    highest: ProtocolVersion,
    client: Connection,
    server: Connection,
    c: Bios,
    s: Bios,
}

impl Pair {
    fn new(
        server_ctx: &mut Context,
        client_ctx: &mut Context,
        offer: Option<Arc<Session>>,
    ) -> Self {
        let (config, slot) = client_ctx.client_config_for(offer).unwrap();
        let client =
            Connection::client(config, slot, Some("localhost"), client_ctx.stats()).unwrap();
        let server = Connection::server(server_ctx.stats());
        Pair {
            server_config: server_ctx.server_config(true).unwrap(),
            highest: server_ctx.settings().highest_version(),
            client,
            server,
            c: Bios::default(),
            s: Bios::default(),
        }
    }

    /// Moves what each end sent to the other; returns the bytes moved.
    fn carry(&mut self) -> usize {
        let to_server = self.c.outgoing.read(None);
        let to_client = self.s.outgoing.read(None);
        self.s.incoming.write(&to_server).unwrap();
        self.c.incoming.write(&to_client).unwrap();
        to_server.len() + to_client.len()
    }

    /// One handshake step of the server, choosing its config at the ClientHello.
    fn server_step(&mut self) -> Result<HandshakeStatus> {
        match self.server.handshake(&mut self.s.io())? {
            HandshakeStatus::ClientHello(_) => {
                let config = self.server_config.clone();
                self.server.accept(config, self.highest, &mut self.s.io())?;
                self.server.handshake(&mut self.s.io())
            }
            done => Ok(done),
        }
    }

    /// Runs both handshakes to the end (bounded), failing on any error but WantRead.
    fn handshake(&mut self) {
        for _ in 0..10 {
            let c = self.client.handshake(&mut self.c.io());
            let s = self.server_step();
            let done = matches!(c, Ok(HandshakeStatus::Complete))
                && matches!(s, Ok(HandshakeStatus::Complete));
            for r in [c.map(|_| ()), s.map(|_| ())] {
                assert!(matches!(r, Ok(()) | Err(Error::WantRead)), "{r:?}");
            }
            if self.carry() == 0 && done {
                return;
            }
        }
        panic!("the handshake did not finish");
    }

    /// Reads what the client can from the server's bytes carried so far.
    fn client_reads(&mut self, n: usize) -> Result<Vec<u8>> {
        let mut buf = vec![0; n];
        let k = self.client.read(&mut buf, &mut self.c.io())?;
        buf.truncate(k);
        Ok(buf)
    }

    fn server_reads(&mut self, n: usize) -> Result<Vec<u8>> {
        let mut buf = vec![0; n];
        let k = self.server.read(&mut buf, &mut self.s.io())?;
        buf.truncate(k);
        Ok(buf)
    }
}

fn reason(e: &Error) -> Option<&'static str> {
    e.library_reason().1
}

#[test]
fn a_connection_goes_from_handshake_to_established_to_closed() {
    let (mut server_ctx, mut client_ctx) = contexts(true, 2);
    let mut p = Pair::new(&mut server_ctx, &mut client_ctx, None);
    assert!(!p.client.is_established() && !p.server.is_established());
    // Before the handshake: no data, no shutdown.
    assert!(matches!(p.server_reads(1), Err(Error::State(_))));
    let e = p.server.shutdown(&mut p.s.io()).unwrap_err();
    assert_eq!(reason(&e), Some("SHUTDOWN_WHILE_IN_INIT"));

    // The client's first step sends a ClientHello and waits for the answer.
    assert!(matches!(
        p.client.handshake(&mut p.c.io()),
        Err(Error::WantRead)
    ));
    assert!(p.c.outgoing.pending() > 0);
    p.carry();
    match p.server.handshake(&mut p.s.io()).unwrap() {
        HandshakeStatus::ClientHello(hello) => {
            assert_eq!(hello.server_name.as_deref(), Some("localhost"));
            assert!(!hello.cipher_suites.is_empty());
        }
        HandshakeStatus::Complete => panic!("a server completed before its ClientHello"),
    }
    // The server's config is not chosen yet: handshaking again is an error.
    assert!(matches!(
        p.server.handshake(&mut p.s.io()),
        Err(Error::State(_))
    ));
    let config = p.server_config.clone();
    p.server.accept(config, p.highest, &mut p.s.io()).unwrap();
    p.handshake();
    assert!(p.client.is_established() && p.server.is_established());
    let info = p.client.info();
    assert!(info.established);
    assert_eq!(info.version, Some("TLSv1.3"));
    assert!(!info.resumed);
    assert_eq!(p.server.info().server_name.as_deref(), Some("localhost"));

    // Established: data both ways, and WantRead when nothing is there.
    assert!(matches!(p.client_reads(10), Err(Error::WantRead)));
    assert_eq!(p.client.write(b"ping", &mut p.c.io()).unwrap(), 4);
    p.carry();
    assert_eq!(p.server_reads(100).unwrap(), b"ping");
    assert!(matches!(p.server_reads(100), Err(Error::WantRead)));
    assert_eq!(p.server.write(b"pong", &mut p.s.io()).unwrap(), 4);
    p.carry();
    assert_eq!(p.client_reads(100).unwrap(), b"pong");

    // Closing: the client sends close_notify and waits for the server's.
    assert!(!p.client.close_sent());
    assert!(matches!(
        p.client.shutdown(&mut p.c.io()),
        Err(Error::WantRead)
    ));
    assert!(p.client.close_sent());
    let e = p.client.write(b"late", &mut p.c.io()).unwrap_err();
    assert_eq!(reason(&e), Some("PROTOCOL_IS_SHUTDOWN"));
    p.carry();
    assert!(matches!(p.server_reads(10), Err(Error::ZeroReturn)));
    p.server.shutdown(&mut p.s.io()).unwrap();
    p.carry();
    // Closed: both ends done.
    p.client.shutdown(&mut p.c.io()).unwrap();
    assert!(p.server.close_sent());
    assert!(matches!(p.client_reads(10), Err(Error::ZeroReturn)));
}

#[test]
fn pending_counts_plaintext_already_received() {
    let (mut server_ctx, mut client_ctx) = contexts(true, 0);
    let mut p = Pair::new(&mut server_ctx, &mut client_ctx, None);
    p.handshake();
    assert_eq!(p.client.pending(), 0);
    p.server.write(&[7; 100], &mut p.s.io()).unwrap();
    p.server.write(&[8; 50], &mut p.s.io()).unwrap();
    p.carry();
    // One read takes every record in the BIO; ten bytes go to the caller.
    assert_eq!(p.client_reads(10).unwrap(), [7; 10]);
    assert_eq!(p.client.pending(), 140);
    assert_eq!(p.client_reads(200).unwrap().len(), 140);
    assert_eq!(p.client.pending(), 0);
}

/// A BIO transport whose outgoing side takes at most `room` more bytes,
/// and that counts the sends it took. (It never offers the outgoing BIO
/// itself, so every record goes through a send.)
struct Choked<'a> {
    bio: BioTransport<'a>,
    room: usize,
    sends: usize,
}

impl<'a> Choked<'a> {
    fn new(bio: BioTransport<'a>, room: usize) -> Self {
        Choked {
            bio,
            room,
            sends: 0,
        }
    }
}

impl Transport for Choked<'_> {
    fn recv(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.bio.recv(buf)
    }

    fn send(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        let total: usize = bufs.iter().map(|b| b.len()).sum();
        if total > self.room {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        self.room -= total;
        self.sends += 1;
        self.bio.send(bufs)
    }

    fn wait(&mut self, need: Need, op: Operation) -> Result<()> {
        self.bio.wait(need, op)
    }

    fn is_nonblocking(&self) -> bool {
        true
    }
}

#[test]
fn a_full_transport_gives_partial_writes_then_want_write() {
    let (mut server_ctx, mut client_ctx) = contexts(true, 0);
    let mut p = Pair::new(&mut server_ctx, &mut client_ctx, None);
    p.handshake();
    let data = vec![5u8; 40_000];
    // Nothing can go out: the first write is taken (queued in the
    // connection's send buffer) ...
    let taken = {
        let mut io = Choked::new(p.c.io(), 0);
        p.client.write(&data, &mut io).unwrap()
    };
    assert_eq!(taken, data.len());
    assert_eq!(p.c.outgoing.pending(), 0);
    // ... and the next must wait for room: WantWrite, with nothing taken.
    let e = {
        let mut io = Choked::new(p.c.io(), 0);
        p.client.write(b"more", &mut io).unwrap_err()
    };
    assert!(matches!(e, Error::WantWrite), "{e:?}");
    // With room again, the queued records go out first, then the new bytes.
    assert_eq!(p.client.write(b"more", &mut p.c.io()).unwrap(), 4);
    p.carry();
    let mut got = Vec::new();
    for _ in 0..10 {
        match p.server_reads(65_536) {
            Ok(chunk) => got.extend(chunk),
            Err(Error::WantRead) => break,
            Err(e) => panic!("{e:?}"),
        }
    }
    assert_eq!(got.len(), data.len() + 4);
    assert_eq!(&got[data.len()..], b"more");
}

#[test]
fn an_untrusted_certificate_fails_both_ends() {
    let (mut server_ctx, mut client_ctx) = contexts(false, 2);
    let mut p = Pair::new(&mut server_ctx, &mut client_ctx, None);
    let mut client_error = None;
    let mut server_error = None;
    for _ in 0..10 {
        if client_error.is_none() {
            match p.client.handshake(&mut p.c.io()) {
                Ok(_) | Err(Error::WantRead) => {}
                Err(e) => client_error = Some(e),
            }
        }
        if server_error.is_none() {
            match p.server_step() {
                Ok(_) | Err(Error::WantRead) => {}
                Err(e) => server_error = Some(e),
            }
        }
        if p.carry() == 0 {
            break;
        }
    }
    let client_error = client_error.expect("the client accepted an untrusted certificate");
    assert!(
        matches!(client_error, Error::CertVerification { .. }),
        "{client_error:?}"
    );
    // The server learns why from the client's alert.
    let server_error = server_error.expect("the server did not see the failure");
    assert!(
        matches!(server_error, Error::Protocol { .. }),
        "{server_error:?}"
    );
    assert!(!p.client.is_established());
    // A failed connection stays failed.
    let e = p.client.handshake(&mut p.c.io()).unwrap_err();
    assert_eq!(reason(&e), Some("PROTOCOL_IS_SHUTDOWN"));
    let e = p.client_reads(1).unwrap_err();
    assert_eq!(reason(&e), Some("PROTOCOL_IS_SHUTDOWN"));
    p.client.shutdown(&mut p.c.io()).unwrap();
}

#[test]
fn the_guard_refuses_a_bad_record_with_a_plaintext_alert() {
    let (mut server_ctx, mut client_ctx) = contexts(true, 2);
    let mut p = Pair::new(&mut server_ctx, &mut client_ctx, None);
    // Content type 0 is no TLS record.
    p.s.incoming.write(&[0, 3, 3, 0, 1, 0]).unwrap();
    let e = p.server.handshake(&mut p.s.io()).unwrap_err();
    assert_eq!(
        e.library_reason().1,
        Some(super::guard::CONTENT_TYPE.reason.name())
    );
    let alert = p.s.outgoing.read(None);
    assert_eq!(
        alert,
        super::guard::plaintext_alert(super::guard::CONTENT_TYPE.alert)
    );
    assert!(!p.server.is_established());
}

#[test]
fn a_servername_refusal_sends_its_alert() {
    let (mut server_ctx, mut client_ctx) = contexts(true, 2);
    let mut p = Pair::new(&mut server_ctx, &mut client_ctx, None);
    assert!(p.client.handshake(&mut p.c.io()).is_err());
    p.carry();
    assert!(matches!(
        p.server.handshake(&mut p.s.io()),
        Ok(HandshakeStatus::ClientHello(_))
    ));
    // unrecognized_name (112)
    p.server.reject_hello(112, &mut p.s.io()).unwrap();
    assert_eq!(p.s.outgoing.read(None), super::guard::plaintext_alert(112));
    let e = p.server.handshake(&mut p.s.io()).unwrap_err();
    assert_eq!(reason(&e), Some("PROTOCOL_IS_SHUTDOWN"));
}

#[test]
fn end_of_stream_in_the_handshake_is_eof() {
    let (mut server_ctx, mut client_ctx) = contexts(true, 2);
    let mut p = Pair::new(&mut server_ctx, &mut client_ctx, None);
    assert!(matches!(
        p.client.handshake(&mut p.c.io()),
        Err(Error::WantRead)
    ));
    p.c.incoming.write_eof();
    assert!(matches!(p.client.handshake(&mut p.c.io()), Err(Error::Eof)));
    // A server that sees the stream end before a ClientHello.
    p.s.incoming.write_eof();
    assert!(matches!(p.server.handshake(&mut p.s.io()), Err(Error::Eof)));
}

#[test]
fn end_of_stream_without_close_notify_is_eof() {
    let (mut server_ctx, mut client_ctx) = contexts(true, 0);
    let mut p = Pair::new(&mut server_ctx, &mut client_ctx, None);
    p.handshake();
    p.c.incoming.write_eof();
    assert!(matches!(p.client_reads(10), Err(Error::Eof)));
}

/// Runs a client of `client_ctx` offering `offer` to a fresh server
/// connection of `server_ctx`'s settings; the server writes one byte so
/// its TLS 1.3 tickets go out, and the client reads it.
fn session_round(
    server_ctx: &mut Context,
    client_ctx: &mut Context,
    offer: Option<Arc<Session>>,
) -> Pair {
    let mut p = Pair::new(server_ctx, client_ctx, offer);
    p.handshake();
    p.server.write(b"x", &mut p.s.io()).unwrap();
    p.carry();
    assert_eq!(p.client_reads(10).unwrap(), b"x");
    p
}

#[test]
fn the_session_slot_stores_takes_once_and_refills() {
    let (mut server_ctx, mut client_ctx) = contexts(true, 1);
    // Store: a full handshake's session holds the server's ticket.
    let first = session_round(&mut server_ctx, &mut client_ctx, None);
    assert!(!first.client.info().resumed);
    let session = first.client.session().expect("a client session");
    assert!(session.has_ticket());
    assert!(first.server.session().is_none(), "servers have no slot");
    // The same connection's session is the same object while nothing changes.
    assert!(Arc::ptr_eq(&session, &first.client.session().unwrap()));

    // Take once: resuming spends the single-use ticket ...
    let mut second = Pair::new(&mut server_ctx, &mut client_ctx, Some(session.clone()));
    second.handshake();
    assert!(second.client.info().resumed);
    assert!(!session.has_ticket(), "the ticket was not taken");
    // ... and refill: the resumed connection's new ticket goes back to it.
    second.server.write(b"x", &mut second.s.io()).unwrap();
    second.carry();
    assert_eq!(second.client_reads(10).unwrap(), b"x");
    assert!(
        session.has_ticket(),
        "the new ticket did not refill the session"
    );
    let resumed = second.client.session().unwrap();
    assert!(Arc::ptr_eq(&resumed, &session));
    assert_eq!(resumed.id(), session.id());

    // So one session object resumes again and again.
    let third = session_round(&mut server_ctx, &mut client_ctx, Some(session.clone()));
    assert!(third.client.info().resumed);
    let stats = client_ctx.stats().snapshot();
    let get = |name: &str| stats.iter().find(|(k, _)| *k == name).unwrap().1;
    assert_eq!(
        (get("connect"), get("connect_good"), get("hits")),
        (3, 3, 2)
    );
}

#[test]
fn a_spent_session_falls_back_to_a_full_handshake() {
    let (mut server_ctx, mut client_ctx) = contexts(true, 1);
    let first = session_round(&mut server_ctx, &mut client_ctx, None);
    let session = first.client.session().unwrap();
    // A resumption that never reads the server's new ticket spends the session.
    let mut second = Pair::new(&mut server_ctx, &mut client_ctx, Some(session.clone()));
    second.handshake();
    assert!(second.client.info().resumed);
    assert!(!session.has_ticket());
    let third = session_round(&mut server_ctx, &mut client_ctx, Some(session.clone()));
    assert!(!third.client.info().resumed);
    // The fresh session is a new one, with a new id.
    let fresh = third.client.session().unwrap();
    assert_ne!(fresh.id(), session.id());
    assert!(fresh.has_ticket());
    let stats = client_ctx.stats().snapshot();
    assert!(stats.contains(&("misses", 1)), "{stats:?}");
}

#[test]
fn a_session_is_set_only_before_the_handshake() {
    let (mut server_ctx, mut client_ctx) = contexts(true, 1);
    let first = session_round(&mut server_ctx, &mut client_ctx, None);
    let session = first.client.session().unwrap();
    let mut p = Pair::new(&mut server_ctx, &mut client_ctx, None);
    // Before any I/O a client may start over with the session offered.
    let (config, slot) = client_ctx.client_config_for(Some(session.clone())).unwrap();
    p.client.restart_client(config, slot).unwrap();
    p.handshake();
    assert!(p.client.info().resumed);
    let (config, slot) = client_ctx.client_config_for(Some(session.clone())).unwrap();
    assert!(matches!(
        p.client.restart_client(config, slot),
        Err(Error::Value(m)) if m == "Cannot set session after handshake."
    ));
    assert!(matches!(
        client_ctx.set_session(&p.client, session.clone()),
        Err(Error::Value(m)) if m == "Cannot set session after handshake."
    ));
    // A server has no session to set: the context refuses it by role first.
    let server = Connection::server(server_ctx.stats());
    assert!(matches!(
        client_ctx.set_session(&server, session),
        Err(Error::Value(m)) if m == "Cannot set session for server-side SSLSocket."
    ));
    let (config, slot) = client_ctx.client_config_for(None).unwrap();
    assert!(matches!(
        server.restart_client(config, slot),
        Err(Error::State(_))
    ));
}

#[test]
fn a_session_belongs_to_its_context() {
    let (_, mut client_ctx) = contexts(true, 1);
    let (mut server_ctx, mut other) = contexts(true, 1);
    let first = session_round(&mut server_ctx, &mut other, None);
    let session = first.client.session().unwrap();
    assert!(matches!(
        client_ctx.client_config_for(Some(session)),
        Err(Error::Value(_))
    ));
}

/// What a connection keeps between calls: (received bytes held, their
/// allocation; unsent bytes held, their allocation; plaintext held).
fn kept(conn: &Connection) -> ((usize, usize), (usize, usize), usize) {
    let tls = conn.lock();
    (tls.inbuf.footprint(), tls.out.footprint(), tls.plain.len())
}

#[test]
fn an_idle_connection_keeps_no_buffer() {
    let (mut server_ctx, mut client_ctx) = contexts(true, 2);
    let mut p = Pair::new(&mut server_ctx, &mut client_ctx, None);
    p.handshake();
    assert_eq!(kept(&p.client), ((0, 0), (0, 0), 0));
    // A request, and a response of more than one record, each read to its
    // last byte and no further (an HTTP client returning it to its pool).
    p.client.write(&[1; 1024], &mut p.c.io()).unwrap();
    p.carry();
    assert_eq!(p.server_reads(1024).unwrap().len(), 1024);
    p.server.write(&[2; 20_000], &mut p.s.io()).unwrap();
    p.carry();
    let mut got = 0;
    while got < 20_000 {
        got += p.client_reads(20_000 - got).unwrap().len();
    }
    assert_eq!(got, 20_000);
    for conn in [&p.client, &p.server] {
        assert_eq!(kept(conn), ((0, 0), (0, 0), 0));
    }
}

#[test]
fn a_record_cut_by_the_transport_is_kept_at_its_own_size() {
    let (mut server_ctx, mut client_ctx) = contexts(true, 0);
    let mut p = Pair::new(&mut server_ctx, &mut client_ctx, None);
    p.handshake();
    p.server.write(&[3; 1000], &mut p.s.io()).unwrap();
    let record = p.s.outgoing.read(None);
    // Half the record: nothing to read yet, and the half is kept, in an
    // allocation of its size rather than the thread's 64 KiB.
    p.c.incoming.write(&record[..500]).unwrap();
    assert!(matches!(p.client_reads(2000), Err(Error::WantRead)));
    assert_eq!(kept(&p.client), ((500, 500), (0, 0), 0));
    p.c.incoming.write(&record[500..]).unwrap();
    assert_eq!(p.client_reads(2000).unwrap(), vec![3; 1000]);
    assert_eq!(kept(&p.client), ((0, 0), (0, 0), 0));
    // A caller's buffer smaller than the record: the rest of its plaintext
    // waits, and only that.
    p.server.write(&[4; 1000], &mut p.s.io()).unwrap();
    p.carry();
    assert_eq!(p.client_reads(100).unwrap(), vec![4; 100]);
    assert_eq!(kept(&p.client), ((0, 0), (0, 0), 900));
    assert_eq!(p.client_reads(2000).unwrap(), vec![4; 900]);
    assert_eq!(kept(&p.client), ((0, 0), (0, 0), 0));
}

#[test]
fn a_client_sends_its_change_cipher_spec_and_finished_together() {
    let (mut server_ctx, mut client_ctx) = contexts(true, 0);
    let mut p = Pair::new(&mut server_ctx, &mut client_ctx, None);
    assert!(matches!(
        p.client.handshake(&mut p.c.io()),
        Err(Error::WantRead)
    ));
    p.carry();
    assert!(matches!(p.server_step(), Err(Error::WantRead)));
    p.carry();
    // The server's whole flight is in; the client answers with one send.
    let mut io = Choked::new(p.c.io(), usize::MAX);
    assert!(matches!(
        p.client.handshake(&mut io),
        Ok(HandshakeStatus::Complete)
    ));
    assert_eq!(io.sends, 1);
    // middlebox ChangeCipherSpec (plaintext), then the protected Finished.
    let flight = p.c.outgoing.read(None);
    assert_eq!(flight[..6], [20, 3, 3, 0, 1, 1]);
    assert_eq!(flight[6], 23);
}

#[test]
fn servers_send_no_half_rtt_data() {
    // `SealedAlert::seal_first` seals a server's alert before the client's
    // Finished at sequence number 0 of its application key: right only
    // while rustls writes nothing under that key before then.
    let (mut server_ctx, _) = contexts(true, 2);
    for with_alpn in [true, false] {
        assert!(
            !server_ctx
                .server_config(with_alpn)
                .unwrap()
                .send_half_rtt_data
        );
    }
}
