//! The engine: a connection's locked state, driving rustls' unbuffered API one step at a time.
//!
//! rustls keeps no buffer of its own here. Ciphertext is received into
//! [`InBuf`] and decrypted in place there; handshake records and
//! application data are encoded or encrypted straight into [`OutBuf`]. Both
//! borrow the thread's buffers while they work and give them back before
//! the connection waits, keeping only what is left over (the start of a
//! record, unsent ciphertext) in an allocation of its own size. An idle
//! connection therefore holds no TLS buffer at all.

use crate::codes::Reason;
use std::io::{self, IoSlice};

use rustls::server::Acceptor;
use rustls::ProtocolVersion;

use super::client_hello;
use super::exporter::Exporter;
use super::framing::{Framing, InBuf, OutBuf, RECV_BUFFER};
use super::guard::{self, Check};
use super::sealed_alert::SealedAlert;
use super::secrets::{self, Keeper};
use super::step::{step_with, Event, Output, Plain, Rustls, Want};
use super::transport::{MemoryBio, Need, Transport};
use crate::error::{Error, Result};

/// Plaintext encrypted per step, so one huge `sendall` does not encrypt it all at once.
const WRITE_CHUNK: usize = 256 * 1024;
/// Queued ciphertext that is sent before more is encrypted behind it.
const FLUSH_AT: usize = 16 * 1024;

/// Writes a fatal alert as a plaintext record, for failures before any
/// keys exist. Best effort: the connection is failing either way.
pub(super) fn send_plaintext_alert(io: &mut dyn Transport, description: u8) {
    let record = guard::plaintext_alert(description);
    let _ = io.send(&[IoSlice::new(&record)]);
}

/// After a fatal error on a socket, takes (and drops) what the peer has
/// already sent: a kernel resets a connection closed with unread data, and
/// the reset can reach the peer before it reads our alert. Since reads
/// stop at record ends, the rest of the peer's flight is usually still
/// there. Bounded, and never waits.
fn discard_unread(io: &mut dyn Transport) {
    if !io.is_watched() {
        return;
    }
    let mut scratch = [0u8; 16 * 1024];
    for _ in 0..16 {
        if !matches!(io.recv(&mut scratch), Ok(n) if n > 0) {
            break;
        }
    }
}

/// The error Python sees for a refusal by the guard.
fn refusal(check: &'static Check) -> Error {
    Error::ssl(check.reason, check.what)
}

/// The alert a failed handshake deserves when rustls queued none; none
/// when the peer itself ended the handshake with an alert.
pub(super) fn alert_for(e: &rustls::Error) -> Option<u8> {
    use rustls::AlertDescription as A;
    let alert = match e {
        rustls::Error::AlertReceived(_) => return None,
        rustls::Error::InappropriateMessage { .. }
        | rustls::Error::InappropriateHandshakeMessage { .. }
        | rustls::Error::PeerMisbehaved(_) => A::UnexpectedMessage,
        rustls::Error::PeerSentOversizedRecord => A::RecordOverflow,
        rustls::Error::InvalidMessage(_) => A::DecodeError,
        _ => A::HandshakeFailure,
    };
    Some(u8::from(alert))
}

/// What the server learned from the ClientHello before choosing its config.
#[derive(Debug, Clone, Default)]
pub struct HelloInfo {
    /// The SNI host name, if the client sent one.
    pub server_name: Option<String>,
    /// The ALPN protocols the client offered, in its order.
    pub alpn: Vec<Vec<u8>>,
    /// The cipher suites the client offered, in its order.
    pub cipher_suites: Vec<rustls::CipherSuite>,
    /// Whether the client sent the `post_handshake_auth` extension.
    pub post_handshake_auth: bool,
}

impl HelloInfo {
    /// Whether a server offering `ours` can negotiate ALPN without failing the handshake.
    pub fn alpn_compatible(&self, ours: &[Vec<u8>]) -> bool {
        ours.is_empty() || self.alpn.is_empty() || self.alpn.iter().any(|p| ours.contains(p))
    }
}

/// How far a handshake got.
#[derive(Debug)]
pub enum HandshakeStatus {
    /// The handshake is complete.
    Complete,
    /// A server read the ClientHello and needs [`Connection::accept`](super::Connection::accept) with a config.
    ClientHello(HelloInfo),
}

/// The rustls engine in its current phase.
pub(super) enum Engine {
    /// A server waiting for the complete ClientHello.
    Accepting(Box<AcceptState>),
    /// A server holding the ClientHello's records until its config is
    /// chosen; they are then replayed into the new connection.
    Hello(Vec<u8>),
    /// The handshake is under way or done.
    Active(Box<Rustls>),
    /// A fatal error ended the connection.
    Failed,
}

/// A server's state until the ClientHello is complete.
#[derive(Default)]
pub(super) struct AcceptState {
    acceptor: Acceptor,
    /// The records fed to the acceptor: rustls' view of the ClientHello
    /// does not list the extensions, and the connection chosen for it
    /// reads them again.
    records: Vec<u8>,
}

/// The outcome of one locked step: finished, or blocked on the transport.
pub(super) enum Step<T> {
    Done(T),
    Wait(Need),
}

/// Result of receiving ciphertext from the transport.
enum Received {
    Bytes,
    WouldBlock,
    Eof,
}

/// The locked state of a connection.
pub(super) struct Tls {
    pub(super) engine: Engine,
    pub(super) inbuf: InBuf,
    /// Ciphertext rustls produced that the transport has not taken yet.
    pub(super) out: OutBuf,
    pub(super) plain: Plain,
    /// A failure found while plaintext was still owed to the caller (or by
    /// `pending`, which cannot report it): reported by the next read.
    pub(super) deferred: Option<Box<rustls::Error>>,
    pub(super) close_sent: bool,
    pub(super) peer_closed: bool,
    pub(super) transport_eof: bool,
    pub(super) hello: Option<Box<HelloInfo>>,
    /// The parsed ClientHello, kept from the hello until `accept` checks it.
    pub(super) hello_facts: Option<Box<client_hello::Facts>>,
    /// The records this end has sent.
    pub(super) sent: Framing,
    /// This end's TLS 1.3 write secret, for an alert rustls does not send.
    pub(super) sealed: SealedAlert,
    /// The secrets keying-material export needs (`exporter`).
    pub(super) exporter: Exporter,
    /// Whether any I/O has happened; a client's session can change only before.
    pub(super) started: bool,
    /// Whether the completed handshake has been counted in the stats.
    pub(super) counted: bool,
    /// The name a client connection was created for, to recreate it.
    pub(super) client_name: Option<rustls::pki_types::ServerName<'static>>,
}

impl Tls {
    /// Before the lock is released: buffers lent by the thread go back.
    pub(super) fn park(&mut self) {
        self.inbuf.park();
        self.out.park();
    }

    /// Whether this end has sent no protected record yet, so the guard
    /// checks record headers and a refusal goes out as a plaintext alert.
    /// A peer takes a plaintext alert until it has decrypted something from
    /// us (RFC 8446 §5; rustls and OpenSSL both do), and OpenSSL's client
    /// itself writes its alerts in plaintext until the server's Finished.
    fn guard_active(&self) -> bool {
        match &self.engine {
            Engine::Accepting(_) | Engine::Hello(_) => true,
            Engine::Active(conn) => conn.common().is_handshaking() && !self.sent.protected,
            Engine::Failed => false,
        }
    }

    fn handshaking(&self) -> bool {
        match &self.engine {
            Engine::Active(conn) => conn.common().is_handshaking(),
            _ => true,
        }
    }

    /// Ends the connection for a guard check that failed: what was received
    /// never reaches rustls, and the peer gets the check's alert in plaintext.
    pub(super) fn refuse(&mut self, io: &mut dyn Transport, check: &'static Check) -> Error {
        self.inbuf.clear();
        send_plaintext_alert(io, check.alert);
        discard_unread(io);
        self.engine = Engine::Failed;
        refusal(check)
    }

    /// One call into rustls over the ciphertext held (or, with `held`
    /// false, over none). What rustls writes goes to the output buffer, or
    /// to `bio` (the outgoing `MemoryBIO`) when given, the output buffer
    /// being empty then; the records written are followed in `sent`. While
    /// the handshake runs, the key log is tapped for this end's secrets
    /// (`secrets.rs`).
    fn step_to(
        &mut self,
        held: bool,
        mut bio: Option<&mut MemoryBio>,
        dest: &mut [u8],
        want: Want<'_>,
    ) -> Result<Event> {
        let Engine::Active(conn) = &mut self.engine else {
            return Err(match self.engine {
                Engine::Failed => Error::reason(Reason::ProtocolIsShutdown),
                _ => Error::State("handshake not complete"),
            });
        };
        let server = conn.is_server();
        let handshaking = conn.common().is_handshaking();
        // TLS 1.2's exporter needs the server random, from the ServerHello:
        // the first record a client receives (before rustls reads it) or a
        // server sends (once rustls has encoded it).
        if handshaking && !server && held {
            self.exporter.note_server_hello(self.inbuf.data_mut());
        }
        let mut none = [0u8; 0];
        let incoming = if held {
            self.inbuf.data_mut()
        } else {
            &mut none[..]
        };
        let before = bio.as_ref().map_or(0, |b| b.pending());
        let out: &mut dyn Output = match bio.as_deref_mut() {
            Some(bio) => bio,
            None => &mut self.out,
        };
        let plain = &mut self.plain;
        let mut run = || match &mut **conn {
            Rustls::Client(c) => step_with(&mut **c, incoming, out, plain, dest, want),
            Rustls::Server(s) => step_with(&mut **s, incoming, out, plain, dest, want),
        };
        let (event, discard) = if handshaking {
            let sent = self.sent.app_records;
            let keepers: &mut [&mut dyn Keeper] = &mut [&mut self.sealed, &mut self.exporter];
            secrets::capture(server, sent, keepers, run)
        } else {
            run()
        };
        if held {
            self.inbuf.consume(discard);
        }
        if let Some(bio) = bio {
            // Written straight to the peer's queue: these records are sent.
            let written = bio.pending() - before;
            self.sent.observe(bio.newest(written), false);
        }
        if handshaking && server && !self.out.is_empty() {
            self.exporter.note_server_hello(self.out.data());
        }
        Ok(event)
    }

    /// One call into rustls over the ciphertext held.
    fn step(&mut self, dest: &mut [u8], want: Want<'_>) -> Result<Event> {
        self.step_to(true, None, dest, want)
    }

    /// Ends the connection for an error: whatever rustls queued (its
    /// alert last) goes out first; if it queued none and no keys are in
    /// use, `alert` is sent in plaintext; if keys are in use, a TLS 1.3
    /// alert is sealed by `sealed_alert` when it can be proved right.
    /// `by_rustls` is whether rustls itself failed (else rustssl refuses
    /// what rustls was still waiting for).
    fn fail(
        &mut self,
        io: &mut dyn Transport,
        by_rustls: bool,
        alert: Option<u8>,
        error: Error,
    ) -> Error {
        let plaintext = self.guard_active();
        let mut flushed = Framing::default();
        if let Engine::Active(conn) = &self.engine {
            let mut queued = conn.common().wants_write();
            // rustls hands out what it queued before it reads anything
            // more, so no input is given: the record that failed must
            // never be read again.
            for _ in 0..16 {
                if !queued {
                    break;
                }
                let _ = self.step_to(false, None, &mut [], Want::Nothing);
                queued = matches!(&self.engine, Engine::Active(c) if c.common().wants_write());
            }
            let _ = self.out.flush(io, &mut flushed);
        }
        let alerted = matches!(flushed.last_type, Some(21 | 23));
        if !alerted && plaintext && !flushed.protected {
            if let Some(alert) = alert {
                send_plaintext_alert(io, alert);
            }
        } else if let (false, Some(alert)) = (plaintext, alert) {
            let sent = self.sent.app_records + flushed.app_records;
            if let Some(record) = self.seal(!by_rustls, sent, alert) {
                let _ = io.send(&[IoSlice::new(&record)]);
            }
        }
        discard_unread(io);
        self.inbuf.clear();
        self.out.clear();
        self.plain.clear();
        self.engine = Engine::Failed;
        error
    }

    /// The sealed fatal alert of `sealed_alert`, once rustls has nothing
    /// left to send: rustls encrypts a close_notify that is never sent,
    /// which proves the sequence number the alert takes. `held`: rustls is
    /// not in error and may be given what is held (it still waits for the
    /// rest of a handshake message there); otherwise it is given nothing.
    fn seal(&mut self, held: bool, sent: u64, alert: u8) -> Option<Vec<u8>> {
        let Engine::Active(conn) = &self.engine else {
            return None;
        };
        let version = conn.common().protocol_version();
        let suite = conn.common().negotiated_cipher_suite().map(|s| s.suite());
        if version != Some(ProtocolVersion::TLSv1_3) {
            return None;
        }
        if conn.is_server() && conn.common().is_handshaking() {
            // rustls writes nothing under its application key until the
            // client's Finished, not even a probe.
            return self
                .sealed
                .seal_first(suite, alert)
                .map(|record| record.to_vec());
        }
        // Given nothing, rustls reads from where its handshake-message
        // joining stands; if a peer's post-handshake message was being
        // joined across records when it failed, that is past the empty
        // input, and rustls panics: no alert is sealed then.
        let probe = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            match self.step_to(held, None, &mut [], Want::CloseNotify) {
                Ok(Event::Wrote(_)) => Some(self.out.take()),
                _ => None,
            }
        }))
        .ok()
        .flatten()?;
        self.sealed
            .seal(version, suite, sent, alert, &probe)
            .map(|record| record.to_vec())
    }

    /// Sends queued ciphertext; `Ok(false)` means the transport is full.
    fn flush(&mut self, io: &mut dyn Transport) -> Result<bool> {
        // Follow what we send: the guard answers in plaintext only while
        // it is all plaintext, and a sealed alert counts our records.
        self.out.flush(io, &mut self.sent).map_err(Error::Io)
    }

    /// Receives ciphertext after what is held.
    ///
    /// With `exact`, no byte past the current record is taken from the
    /// transport: after close_notify the stream may continue in plaintext.
    /// `room` is how much plaintext the caller can take now, or `None` when
    /// it takes none (the handshake, unwrap).
    fn receive(
        &mut self,
        io: &mut dyn Transport,
        exact: bool,
        room: Option<usize>,
    ) -> Result<Received> {
        if !self.inbuf.has_room() {
            // rustls wants more of one handshake message than its 64 KiB limit.
            let check = &guard::EXCESSIVE_MESSAGE;
            return Err(self.fail(io, false, Some(check.alert), refusal(check)));
        }
        let framing = &self.inbuf.framing;
        let limit = if exact || io.reads_by_record() {
            framing.remainder()
        } else if !io.is_watched() {
            RECV_BUFFER
        } else if let (Some(room), true) = (room, self.inbuf.streaming) {
            // The owner may select() on the socket, which sees only what
            // is still in the kernel. While the peer streams, take no
            // more than the caller's buffer can hold once decrypted, so
            // that no whole record is left inside rustssl when the
            // buffer is full. The start of the current record is held
            // here, and its plaintext arrives with its end. A buffer too
            // small for that gets one record at most, as from OpenSSL.
            // Left open: the read that ends a stream can take a
            // close_notify with the last data, which matters only to a
            // peer that then keeps the connection open and waits.
            let held = framing.received_of_current();
            if room > held {
                room - held
            } else {
                framing.remainder()
            }
        } else {
            // The handshake, or a peer that is not streaming, on a socket
            // its owner may select() on: take one record per read, as
            // OpenSSL does, so that whatever follows stays visible to
            // select(). A peer's first application data can share a
            // segment with its last handshake record (a client's Finished
            // and its request), and a close_notify with the data before
            // it (websockets' close frame): taken in the same read, the
            // request or the end of the stream would be inside rustssl,
            // and select() would wait for bytes already here.
            framing.through_next_header()
        };
        let guarded = self.guard_active();
        match self.inbuf.fill(io, limit, guarded) {
            Ok(0) => {
                self.transport_eof = true;
                Ok(Received::Eof)
            }
            Ok(_) => match self.inbuf.framing.refused {
                Some(check) => Err(self.refuse(io, check)),
                None => Ok(Received::Bytes),
            },
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(Received::WouldBlock),
            Err(e) => Err(Error::Io(e)),
        }
    }

    /// Lets rustls decrypt the ciphertext already received, without touching
    /// the transport, until it yields plaintext or nothing complete is left;
    /// returns the plaintext bytes ready. An error is kept for the next
    /// read, which reports it (and tells the peer).
    pub(super) fn decrypt_buffered(&mut self) -> usize {
        while !self.inbuf.is_empty() && self.deferred.is_none() {
            if self.handshaking() {
                break;
            }
            match self.step(&mut [], Want::Nothing) {
                Ok(Event::Data(_) | Event::Encoded | Event::Transmit) => {}
                Ok(Event::PeerClosed | Event::Closed) => {
                    self.peer_closed = true;
                    break;
                }
                Ok(Event::Failed(e)) => self.deferred = Some(Box::new(e)),
                _ => break,
            }
        }
        self.plain.len()
    }

    pub(super) fn handshake_step(
        &mut self,
        io: &mut dyn Transport,
    ) -> Result<Step<HandshakeStatus>> {
        self.started = true;
        loop {
            let conn = match &mut self.engine {
                Engine::Accepting(_) => {
                    if let Some(step) = self.accept_step(io)? {
                        return Ok(step);
                    }
                    continue;
                }
                Engine::Hello(_) => {
                    return Err(Error::State("the server config has not been chosen"))
                }
                Engine::Failed => return Err(Error::reason(Reason::ProtocolIsShutdown)),
                Engine::Active(conn) => conn,
            };
            // A TLS 1.3 server's only output after the handshake is its
            // session tickets. Like OpenSSL, send them with the first
            // read or write rather than now: a client that closes right
            // after its handshake then ends with a clean FIN instead of
            // resetting the connection over tickets it never read.
            let common = conn.common();
            if conn.is_server()
                && !common.is_handshaking()
                && common.protocol_version() == Some(ProtocolVersion::TLSv1_3)
            {
                return Ok(Step::Done(HandshakeStatus::Complete));
            }
            match self.step(&mut [], Want::Nothing)? {
                // What rustls encodes goes out when it needs the peer's
                // answer or the handshake is done, not at each flight's
                // end: a TLS 1.3 client's ChangeCipherSpec and Finished
                // then leave in one send, as from OpenSSL, and a peer that
                // does not set TCP_NODELAY waits for no delayed ACK.
                Event::Encoded | Event::Transmit | Event::Data(_) | Event::Wrote(_) => {}
                Event::NeedInput => {
                    if !self.flush(io)? {
                        return Ok(Step::Wait(Need::Write));
                    }
                    if !self.handshaking() {
                        return Ok(Step::Done(HandshakeStatus::Complete));
                    }
                    match self.receive(io, false, None)? {
                        Received::Bytes => {}
                        Received::WouldBlock => return Ok(Step::Wait(Need::Read)),
                        Received::Eof => return Err(Error::Eof),
                    }
                }
                Event::PeerClosed | Event::Closed => {
                    self.peer_closed = true;
                    return Err(Error::Eof);
                }
                Event::Failed(e) => {
                    let alert = alert_for(&e);
                    return Err(self.fail(io, true, alert, e.into()));
                }
            }
        }
    }

    /// Feeds the acceptor; `None` means call again.
    fn accept_step(&mut self, io: &mut dyn Transport) -> Result<Option<Step<HandshakeStatus>>> {
        if self.inbuf.is_empty() {
            match self.inbuf.fill(io, RECV_BUFFER, true) {
                Ok(0) => return Err(Error::Eof),
                Ok(_) => {
                    if let Some(check) = self.inbuf.framing.refused {
                        return Err(self.refuse(io, check));
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    return Ok(Some(Step::Wait(Need::Read)))
                }
                Err(e) => return Err(Error::Io(e)),
            }
        }
        let Engine::Accepting(state) = &mut self.engine else {
            return Ok(None);
        };
        let mut data: &[u8] = self.inbuf.data_mut();
        let n = match state.acceptor.read_tls(&mut data) {
            Ok(n) => n,
            Err(_) => {
                // rustls holds at most 64 KiB of ClientHello; refuse a larger
                // one as OpenSSL refuses an excessive message.
                return Err(self.refuse(io, &guard::EXCESSIVE_MESSAGE));
            }
        };
        state.records.extend_from_slice(&self.inbuf.data_mut()[..n]);
        self.inbuf.consume(n);
        match state.acceptor.accept() {
            Ok(None) => Ok(None),
            Ok(Some(accepted)) => {
                // rustls accepted these records as one ClientHello, so they parse.
                let facts = client_hello::parse(&state.records).unwrap_or_default();
                if let Err(check) = guard::check_hello(&facts) {
                    return Err(self.refuse(io, check));
                }
                let hello = accepted.client_hello();
                let info = HelloInfo {
                    post_handshake_auth: facts.has(client_hello::EXT_POST_HANDSHAKE_AUTH),
                    server_name: hello.server_name().map(str::to_owned),
                    alpn: hello
                        .alpn()
                        .map(|it| it.map(<[u8]>::to_vec).collect())
                        .unwrap_or_default(),
                    cipher_suites: hello.cipher_suites().to_vec(),
                };
                let records = std::mem::take(&mut state.records);
                self.hello = Some(Box::new(info.clone()));
                self.hello_facts = Some(Box::new(facts));
                self.engine = Engine::Hello(records);
                Ok(Some(Step::Done(HandshakeStatus::ClientHello(info))))
            }
            Err((e, mut alert)) => {
                let mut record = Vec::new();
                let _ = alert.write_all(&mut record);
                if record.is_empty() {
                    // rustls' acceptor queues no alert for some refusals; a
                    // peer must still learn why the connection ends.
                    if let Some(alert) = alert_for(&e) {
                        send_plaintext_alert(io, alert);
                    }
                } else {
                    let _ = io.send(&[IoSlice::new(&record)]);
                }
                self.engine = Engine::Failed;
                Err(e.into())
            }
        }
    }

    /// Runs the handshake to its end if it is not over yet, as OpenSSL does
    /// when a read or write comes first. `None` means it is complete.
    fn finish_handshake(&mut self, io: &mut dyn Transport) -> Result<Option<Need>> {
        if !matches!(self.engine, Engine::Active(_)) || !self.handshaking() {
            return Ok(None);
        }
        match self.handshake_step(io)? {
            Step::Done(HandshakeStatus::Complete) => Ok(None),
            Step::Done(HandshakeStatus::ClientHello(_)) => {
                Err(Error::State("the server config has not been chosen"))
            }
            Step::Wait(need) => Ok(Some(need)),
        }
    }

    pub(super) fn read_step(
        &mut self,
        buf: &mut [u8],
        io: &mut dyn Transport,
    ) -> Result<Step<usize>> {
        self.started = true;
        let mut n = self.plain.read_into(buf);
        if n == buf.len() {
            return Ok(Step::Done(n));
        }
        if let Some(e) = self.deferred.take() {
            if n > 0 {
                self.deferred = Some(e);
                return Ok(Step::Done(n));
            }
            return Err(self.fail(io, true, alert_for(&e), (*e).into()));
        }
        if n == 0 && self.peer_closed {
            return Err(Error::ZeroReturn);
        }
        if let Engine::Failed = self.engine {
            return Err(Error::reason(Reason::ProtocolIsShutdown));
        }
        if let Some(need) = self.finish_handshake(io)? {
            return Ok(Step::Wait(need));
        }
        let mut received = false;
        loop {
            match self.step(&mut buf[n..], Want::Nothing)? {
                Event::Data(k) => {
                    n += k;
                    if n == buf.len() {
                        return Ok(Step::Done(n));
                    }
                }
                Event::Encoded | Event::Wrote(_) => {}
                Event::Transmit => {
                    // Queued output (a server's session tickets, key-update
                    // answers) goes out only once the peer has shown it is
                    // still there by sending something. Writing to a peer
                    // that has closed makes its kernel reset the
                    // connection, and the reset would hide the clean EOF
                    // waiting to be read: the stdlib reads b'' there.
                    if received {
                        self.flush(io)?;
                    }
                }
                Event::NeedInput => {
                    if n > 0 {
                        // Everything received is decrypted: no more system calls.
                        return Ok(Step::Done(n));
                    }
                    match self.receive(io, false, Some(buf.len()))? {
                        Received::Bytes => {
                            received = true;
                            self.flush(io)?;
                        }
                        Received::WouldBlock => return Ok(Step::Wait(Need::Read)),
                        Received::Eof => {
                            return Err(if self.peer_closed {
                                Error::ZeroReturn
                            } else {
                                Error::Eof
                            })
                        }
                    }
                }
                Event::PeerClosed | Event::Closed => {
                    self.peer_closed = true;
                    if n > 0 {
                        return Ok(Step::Done(n));
                    }
                    return Err(Error::ZeroReturn);
                }
                Event::Failed(e) => {
                    if n > 0 {
                        self.deferred = Some(Box::new(e));
                        return Ok(Step::Done(n));
                    }
                    let alert = alert_for(&e);
                    return Err(self.fail(io, true, alert, e.into()));
                }
            }
        }
    }

    /// Encrypts and sends from `data[*done..]`; `None` means everything was sent.
    pub(super) fn write_step(
        &mut self,
        data: &[u8],
        done: &mut usize,
        io: &mut dyn Transport,
    ) -> Result<Option<Need>> {
        self.started = true;
        if self.close_sent {
            return Err(Error::reason(Reason::ProtocolIsShutdown));
        }
        if let Some(need) = self.finish_handshake(io)? {
            return Ok(Some(need));
        }
        loop {
            // What is queued (a server's deferred tickets, a key update, an
            // earlier write the socket did not take) leaves in the same
            // send as this data, unless it is already a chunk's worth.
            if self.out.len() >= FLUSH_AT && !self.flush(io)? {
                return Ok(Some(Need::Write));
            }
            if *done == data.len() {
                if !self.flush(io)? {
                    return Ok(Some(Need::Write));
                }
                return Ok(None);
            }
            let end = data.len().min(*done + WRITE_CHUNK);
            let want = Want::Encrypt(&data[*done..end]);
            // Into an outgoing MemoryBIO, records are encrypted in place
            // there, once what was queued before has joined it.
            let bio = if self.out.is_empty() {
                io.outgoing_bio()
            } else {
                None
            };
            match self.step_to(true, bio, &mut [], want)? {
                Event::Wrote(k) => *done += k,
                Event::Encoded | Event::Transmit | Event::Data(_) => {}
                Event::PeerClosed => self.peer_closed = true,
                Event::NeedInput => return Err(Error::State("handshake not complete")),
                Event::Closed => return Err(Error::reason(Reason::ProtocolIsShutdown)),
                Event::Failed(e) => {
                    let alert = alert_for(&e);
                    return Err(self.fail(io, true, alert, e.into()));
                }
            }
        }
    }

    pub(super) fn shutdown_step(&mut self, io: &mut dyn Transport) -> Result<Step<()>> {
        self.started = true;
        match &self.engine {
            Engine::Active(conn) if !conn.common().is_handshaking() => {}
            Engine::Failed => return Ok(Step::Done(())),
            _ => return Err(Error::reason(Reason::ShutdownWhileInInit)),
        }
        while !self.close_sent {
            match self.step(&mut [], Want::CloseNotify)? {
                Event::Wrote(_) | Event::Closed => self.close_sent = true,
                Event::Encoded | Event::Transmit => {}
                Event::Data(_) => self.plain.clear(),
                Event::PeerClosed => self.peer_closed = true,
                Event::NeedInput => return Err(Error::reason(Reason::ShutdownWhileInInit)),
                Event::Failed(e) => {
                    let alert = alert_for(&e);
                    return Err(self.fail(io, true, alert, e.into()));
                }
            }
        }
        // Data still in flight from the peer is discarded, as OpenSSL does.
        self.plain.clear();
        loop {
            if !self.flush(io)? {
                return Ok(Step::Wait(Need::Write));
            }
            if self.peer_closed || self.transport_eof {
                return Ok(Step::Done(()));
            }
            match self.step(&mut [], Want::Nothing)? {
                Event::Data(_) => self.plain.clear(),
                Event::Encoded | Event::Transmit | Event::Wrote(_) => {}
                Event::PeerClosed | Event::Closed => {
                    self.peer_closed = true;
                    return Ok(Step::Done(()));
                }
                Event::NeedInput => match self.receive(io, true, None)? {
                    Received::Bytes => {}
                    Received::WouldBlock => return Ok(Step::Wait(Need::Read)),
                    Received::Eof => return Ok(Step::Done(())),
                },
                Event::Failed(e) => {
                    let alert = alert_for(&e);
                    return Err(self.fail(io, true, alert, e.into()));
                }
            }
        }
    }
}
