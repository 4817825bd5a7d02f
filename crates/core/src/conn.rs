//! The connection state machine: one TLS connection over any [`Transport`].
//!
//! A [`Connection`] guards its state with a mutex that is held only while
//! bytes are moved or crypto runs, never while waiting on the socket. So a
//! reader thread and a writer thread can share one connection, as they can
//! share one stdlib `SSLSocket`.

use std::io::{self, IoSlice, Read, Write};
use std::sync::{Arc, Mutex, MutexGuard};

use rustls::pki_types::{CertificateDer, ServerName};
use rustls::server::{Accepted, Acceptor};
use rustls::{ClientConfig, ClientConnection, HandshakeKind, ProtocolVersion, ServerConfig};

use crate::client_hello;
use crate::context::{version_name, Role};
use crate::error::{Error, Operation, Result};
use crate::guard::{self, Check};
use crate::sealed_alert::SealedAlert;
use crate::session::{Session, SessionSlot, Stats};
use crate::transport::{Need, Transport};

/// Size of the buffer ciphertext is received into: a few full records per syscall.
const RECV_BUFFER: usize = 64 * 1024;
/// Plaintext encrypted per step, so one huge `sendall` does not buffer it all at once.
const WRITE_CHUNK: usize = 256 * 1024;
/// Length of a TLS record header.
const RECORD_HEADER: usize = 5;
/// A read of at least this much that comes back full means the peer is
/// streaming (a whole maximum-size plaintext record and more was waiting).
const STREAMING_READ: usize = 16 * 1024;

/// Writes a fatal alert as a plaintext record, for failures before any
/// keys exist. Best effort: the connection is failing either way.
fn send_plaintext_alert(io: &mut dyn Transport, description: u8) {
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

/// The alert a refused ClientHello deserves when rustls queued none; none
/// when the peer itself ended the handshake with an alert.
fn alert_for(e: &rustls::Error) -> Option<u8> {
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
    /// A server read the ClientHello and needs [`Connection::accept`] with a config.
    ClientHello(HelloInfo),
}

/// The rustls engine in its current phase.
enum Engine {
    /// A server waiting for the complete ClientHello.
    Accepting(Box<AcceptState>),
    /// A server holding the ClientHello until its config is chosen.
    Hello(Box<Accepted>),
    /// The handshake is under way or done.
    Active(Box<rustls::Connection>),
    /// A fatal error ended the connection.
    Failed,
}

/// A server's state until the ClientHello is complete.
#[derive(Default)]
struct AcceptState {
    acceptor: Acceptor,
    /// The records fed to the acceptor, kept until it accepts them: rustls'
    /// view of the ClientHello does not list the extensions.
    records: Vec<u8>,
}

/// The outcome of one locked step: finished, or blocked on the transport.
enum Step<T> {
    Done(T),
    Wait(Need),
}

/// Follows TLS record boundaries in the received byte stream, so a read can
/// stop exactly at the end of a record, and runs the guard's header checks.
#[derive(Default)]
struct Framing {
    header: [u8; RECORD_HEADER],
    header_len: usize,
    body_left: usize,
    body_len: usize,
    /// A ChangeCipherSpec record has passed.
    after_ccs: bool,
    /// A protected record has passed: application_data, or any record
    /// after a ChangeCipherSpec.
    protected: bool,
    /// The content type of the last record header seen.
    last_type: Option<u8>,
    /// application_data records seen (in TLS 1.3, every protected record).
    app_records: u64,
    /// The first header the guard refused, if any.
    refused: Option<&'static Check>,
}

impl Framing {
    /// Accounts for bytes received from the transport; with `guarded`,
    /// checks each record header that completes (see `guard.rs`).
    fn observe(&mut self, mut data: &[u8], guarded: bool) {
        while !data.is_empty() {
            if self.body_left > 0 {
                let n = self.body_left.min(data.len());
                self.body_left -= n;
                data = &data[n..];
                continue;
            }
            let n = (RECORD_HEADER - self.header_len).min(data.len());
            self.header[self.header_len..self.header_len + n].copy_from_slice(&data[..n]);
            self.header_len += n;
            data = &data[n..];
            if self.header_len == RECORD_HEADER {
                if guarded && self.refused.is_none() {
                    self.refused = guard::check_header(&self.header, self.after_ccs).err();
                }
                self.protected |= self.after_ccs || guard::is_application_data(&self.header);
                self.app_records += u64::from(guard::is_application_data(&self.header));
                self.last_type = Some(self.header[0]);
                self.after_ccs |= guard::is_ccs(&self.header);
                self.body_len = usize::from(u16::from_be_bytes([self.header[3], self.header[4]]));
                self.body_left = self.body_len;
                self.header_len = 0;
            }
        }
    }

    /// Bytes of the current, incomplete record received so far.
    fn received_of_current(&self) -> usize {
        if self.body_left > 0 {
            RECORD_HEADER + self.body_len - self.body_left
        } else {
            self.header_len
        }
    }

    /// Bytes that may be received without reaching into the next record.
    fn remainder(&self) -> usize {
        if self.body_left > 0 {
            self.body_left
        } else {
            RECORD_HEADER - self.header_len
        }
    }

    /// Bytes that may be received leaving the body of every later record in
    /// the transport: the rest of the current record and the next header.
    /// A record's body is never empty, so whatever follows stays visible to
    /// select(), and one read per record suffices once the first header is in.
    fn through_next_header(&self) -> usize {
        if self.body_left > 0 {
            self.body_left + RECORD_HEADER
        } else {
            RECORD_HEADER - self.header_len
        }
    }
}

thread_local! {
    /// The thread's receive buffer, lent to a connection while it holds unread ciphertext.
    static RECEIVE_BUFFER: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

/// Ciphertext received but not yet handed to rustls.
#[derive(Default)]
struct InBuf {
    buf: Vec<u8>,
    start: usize,
    end: usize,
    framing: Framing,
    /// The last read filled a request of at least a whole record: the peer
    /// is streaming, and the next read may take several records at once.
    streaming: bool,
}

impl InBuf {
    fn is_empty(&self) -> bool {
        self.start == self.end
    }

    fn data(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    fn consume(&mut self, n: usize) {
        self.start = (self.start + n).min(self.end);
        if self.start == self.end {
            self.release();
        }
    }

    /// Hands the drained buffer back to the thread, so an idle connection holds none.
    fn release(&mut self) {
        let buf = std::mem::take(&mut self.buf);
        self.start = 0;
        self.end = 0;
        RECEIVE_BUFFER.with(|cell| {
            let current = cell.take();
            cell.set(if current.len() >= buf.len() {
                current
            } else {
                buf
            });
        });
    }

    /// Receives into the empty buffer: at most `limit` bytes. `Ok(0)` is end of stream.
    ///
    /// The connection borrows its thread's receive buffer for as long as
    /// rustls has not taken everything in it, then gives it back, so idle
    /// connections hold no buffer. One system call fills it with up to 64
    /// KiB; `read_tls` then copies from it into rustls' own buffer, which
    /// takes at most 4 KiB per read from a socket it reads itself.
    fn fill(&mut self, io: &mut dyn Transport, limit: usize, guarded: bool) -> io::Result<usize> {
        debug_assert!(self.is_empty());
        let mut buf = RECEIVE_BUFFER.with(|cell| cell.take());
        if buf.len() < RECV_BUFFER {
            buf.resize(RECV_BUFFER, 0);
        }
        let want = limit.clamp(1, RECV_BUFFER);
        let result = io.recv(&mut buf[..want]);
        self.buf = buf;
        match result {
            Ok(n) if n > 0 => {
                self.streaming = n == want && want >= STREAMING_READ;
                self.framing.observe(&self.buf[..n], guarded);
                self.start = 0;
                self.end = n;
            }
            _ => self.release(),
        }
        result
    }
}

/// Adapts a transport to the `io::Write` rustls sends through; with a
/// framing, follows the records sent until the first protected one.
struct Sink<'a>(&'a mut dyn Transport, Option<&'a mut Framing>);

impl Write for Sink<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_vectored(&[IoSlice::new(buf)])
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        let n = self.0.send(bufs)?;
        if let Some(sent) = &mut self.1 {
            let mut left = n;
            for buf in bufs {
                if left == 0 {
                    break;
                }
                let k = left.min(buf.len());
                sent.observe(&buf[..k], false);
                left -= k;
            }
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A reader with nothing to give. Offered to rustls' `read_tls`, it lets rustls
/// resize its receive buffer (it shrinks an empty one to its 4 KiB minimum)
/// without taking a byte or seeing end of stream.
struct Stalled;

impl io::Read for Stalled {
    fn read(&mut self, _buf: &mut [u8]) -> io::Result<usize> {
        Err(io::ErrorKind::WouldBlock.into())
    }
}

/// Result of moving ciphertext from the transport into rustls.
enum Pumped {
    Progress,
    WouldBlock,
    Eof,
}

/// The locked state of a connection.
struct Tls {
    engine: Engine,
    inbuf: InBuf,
    close_sent: bool,
    peer_closed: bool,
    transport_eof: bool,
    hello: Option<HelloInfo>,
    /// The parsed ClientHello, kept from the hello until `accept` checks it.
    hello_facts: Option<client_hello::Facts>,
    /// The records this end has sent.
    sent: Framing,
    /// This end's TLS 1.3 write secret, for an alert rustls does not send.
    sealed: SealedAlert,
    /// Whether any I/O has happened; a client's session can change only before.
    started: bool,
    /// Whether the completed handshake has been counted in the stats.
    counted: bool,
    /// The name a client connection was created for, to recreate it.
    client_name: Option<ServerName<'static>>,
}

impl Tls {
    /// Whether this end has sent no protected record yet, so the guard
    /// checks record headers and a refusal goes out as a plaintext alert.
    /// A peer takes a plaintext alert until it has decrypted something from
    /// us (RFC 8446 §5; rustls and OpenSSL both do), and OpenSSL's client
    /// itself writes its alerts in plaintext until the server's Finished.
    fn guard_active(&self) -> bool {
        match &self.engine {
            Engine::Accepting(_) | Engine::Hello(_) => true,
            Engine::Active(conn) => conn.is_handshaking() && !self.sent.protected,
            Engine::Failed => false,
        }
    }

    /// Ends the connection for a guard check that failed: what was received
    /// never reaches rustls, and the peer gets the check's alert in plaintext.
    fn refuse(&mut self, io: &mut dyn Transport, check: &'static Check) -> Error {
        let n = self.inbuf.data().len();
        self.inbuf.consume(n);
        send_plaintext_alert(io, check.alert);
        discard_unread(io);
        self.engine = Engine::Failed;
        refusal(check)
    }

    /// Ends the connection for a peer error rustls reported: whatever alert
    /// rustls queued goes out first; if it queued none and no keys are in
    /// use, `alert` is sent in plaintext. (Once keys are in use, rustls has
    /// no public way to send an encrypted fatal alert for us.)
    fn fail(&mut self, io: &mut dyn Transport, alert: Option<u8>, error: Error) -> Error {
        let plaintext = self.guard_active();
        // Best effort: send what rustls queued, noting whether it ends with
        // an alert (a plaintext one, or a protected record: rustls' alert
        // is the last thing it queues when it fails).
        let mut flushed = Framing::default();
        if let Engine::Active(conn) = &mut self.engine {
            while conn.wants_write() {
                if conn.write_tls(&mut Sink(io, Some(&mut flushed))).is_err() {
                    break;
                }
            }
        }
        let alerted = matches!(flushed.last_type, Some(21 | 23));
        if !alerted && plaintext && !flushed.protected {
            if let Some(alert) = alert {
                send_plaintext_alert(io, alert);
            }
        } else if let (false, Some(alert), Engine::Active(conn)) =
            (plaintext, alert, &mut self.engine)
        {
            let sent = self.sent.app_records + flushed.app_records;
            if let Some(record) = self.sealed.seal(conn, sent, alert) {
                let _ = io.send(&[IoSlice::new(&record)]);
            }
        }
        discard_unread(io);
        self.engine = Engine::Failed;
        error
    }

    /// Sends queued ciphertext; `Ok(false)` means the transport is full.
    fn flush(&mut self, io: &mut dyn Transport) -> Result<bool> {
        let Engine::Active(conn) = &mut self.engine else {
            return Ok(true);
        };
        while conn.wants_write() {
            // Follow what we send: the guard answers in plaintext only while
            // it is all plaintext, and a sealed alert counts our records.
            match conn.write_tls(&mut Sink(io, Some(&mut self.sent))) {
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) => return Err(Error::Io(e)),
            }
        }
        Ok(true)
    }

    /// Receives ciphertext (if none is buffered) and lets rustls process it.
    ///
    /// With `exact`, no byte past the current record is taken from the
    /// transport: after close_notify the stream may continue in plaintext.
    /// `room` is how much plaintext the caller can take now, or `None` when
    /// it takes none (the handshake, unwrap).
    fn pump(&mut self, io: &mut dyn Transport, exact: bool, room: Option<usize>) -> Result<Pumped> {
        if self.inbuf.is_empty() {
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
                // buffer is full. rustls holds the start of the current
                // record, whose plaintext arrives with its end. A buffer too
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
                    if let Engine::Active(conn) = &mut self.engine {
                        // An empty read tells rustls the stream ended.
                        let _ = conn.read_tls(&mut io::empty());
                    }
                    self.process(io)?;
                    return Ok(Pumped::Eof);
                }
                Ok(_) => {
                    if let Some(check) = self.inbuf.framing.refused {
                        return Err(self.refuse(io, check));
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(Pumped::WouldBlock),
                Err(e) => return Err(Error::Io(e)),
            }
        }
        let Engine::Active(conn) = &mut self.engine else {
            return Err(Error::State("connection is not established"));
        };
        // Feed rustls until it has taken everything or refuses more (it holds
        // a full record, or unread plaintext), then process once.
        let mut n = 0;
        while !self.inbuf.is_empty() {
            let mut data = self.inbuf.data();
            match conn.read_tls(&mut data) {
                Ok(k) if k > 0 => {
                    self.inbuf.consume(k);
                    n += k;
                }
                _ => break,
            }
        }
        self.process(io)?;
        if n == 0 && !self.inbuf.is_empty() {
            let Engine::Active(conn) = &self.engine else {
                return Ok(Pumped::Progress);
            };
            if conn.wants_read() {
                // rustls takes no more bytes yet wants more: its buffer is
                // full of one incomplete handshake message, larger than the
                // 64 KiB it holds. It queues no alert for that.
                let check = &guard::EXCESSIVE_MESSAGE;
                return Err(self.fail(io, Some(check.alert), refusal(check)));
            }
        }
        Ok(Pumped::Progress)
    }

    /// Lets rustls decrypt the ciphertext already received, without touching
    /// the transport, until it holds plaintext or nothing is left; returns
    /// the plaintext bytes ready. An error is left in rustls, which reports
    /// it again to the next read (which also tells the peer).
    fn decrypt_buffered(&mut self) -> usize {
        loop {
            let Engine::Active(conn) = &mut self.engine else {
                return 0;
            };
            if conn.is_handshaking() {
                return 0;
            }
            let ready = match conn.process_new_packets() {
                Ok(state) => {
                    if state.peer_has_closed() {
                        self.peer_closed = true;
                    }
                    state.plaintext_bytes_to_read()
                }
                Err(_) => return 0,
            };
            if ready > 0 || self.inbuf.is_empty() {
                return ready;
            }
            let mut fed = 0;
            while !self.inbuf.is_empty() {
                let mut data = self.inbuf.data();
                match conn.read_tls(&mut data) {
                    Ok(k) if k > 0 => {
                        self.inbuf.consume(k);
                        fed += k;
                    }
                    _ => break,
                }
            }
            if fed == 0 {
                return 0;
            }
        }
    }

    /// Runs rustls over received records; a fatal error is sent to the peer as an alert.
    fn process(&mut self, io: &mut dyn Transport) -> Result<()> {
        let Engine::Active(conn) = &mut self.engine else {
            return Ok(());
        };
        let server = matches!(**conn, rustls::Connection::Server(_));
        let sent = self.sent.app_records;
        match self
            .sealed
            .capture(server, sent, || conn.process_new_packets())
        {
            Ok(state) => {
                if state.peer_has_closed() {
                    self.peer_closed = true;
                }
                Ok(())
            }
            Err(e) => {
                let alert = alert_for(&e);
                Err(self.fail(io, alert, e.into()))
            }
        }
    }

    fn active(&mut self) -> Result<&mut rustls::Connection> {
        match &mut self.engine {
            Engine::Active(conn) => Ok(conn),
            Engine::Failed => Err(Error::ssl("PROTOCOL_IS_SHUTDOWN", "protocol is shutdown")),
            _ => Err(Error::State("handshake not complete")),
        }
    }

    fn handshake_step(&mut self, io: &mut dyn Transport) -> Result<Step<HandshakeStatus>> {
        self.started = true;
        loop {
            match &mut self.engine {
                Engine::Accepting(_) => {
                    if let Some(step) = self.accept_step(io)? {
                        return Ok(step);
                    }
                }
                Engine::Hello(_) => {
                    return Err(Error::State("the server config has not been chosen"))
                }
                Engine::Failed => {
                    return Err(Error::ssl("PROTOCOL_IS_SHUTDOWN", "protocol is shutdown"))
                }
                Engine::Active(conn) => {
                    // A TLS 1.3 server's only output after the handshake is its
                    // session tickets. Like OpenSSL, send them with the first
                    // read or write rather than now: a client that closes right
                    // after its handshake then ends with a clean FIN instead of
                    // resetting the connection over tickets it never read.
                    if matches!(&**conn, rustls::Connection::Server(s)
                        if !s.is_handshaking() && s.protocol_version() == Some(rustls::ProtocolVersion::TLSv1_3))
                    {
                        return Ok(Step::Done(HandshakeStatus::Complete));
                    }
                    if !self.flush(io)? {
                        return Ok(Step::Wait(Need::Write));
                    }
                    if !self.active()?.is_handshaking() {
                        return Ok(Step::Done(HandshakeStatus::Complete));
                    }
                    match self.pump(io, false, None)? {
                        Pumped::Progress => {}
                        Pumped::WouldBlock => return Ok(Step::Wait(Need::Read)),
                        Pumped::Eof => return Err(Error::Eof),
                    }
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
        let mut data = self.inbuf.data();
        let n = match state.acceptor.read_tls(&mut data) {
            Ok(n) => n,
            Err(_) => {
                // rustls holds at most 64 KiB of ClientHello; refuse a larger
                // one as OpenSSL refuses an excessive message.
                return Err(self.refuse(io, &guard::EXCESSIVE_MESSAGE));
            }
        };
        state.records.extend_from_slice(&self.inbuf.data()[..n]);
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
                self.hello = Some(info.clone());
                self.hello_facts = Some(facts);
                self.engine = Engine::Hello(Box::new(accepted));
                Ok(Some(Step::Done(HandshakeStatus::ClientHello(info))))
            }
            Err((e, mut alert)) => {
                let mut sent = 0;
                while let Ok(k) = alert.write(&mut Sink(io, None)) {
                    if k == 0 {
                        break;
                    }
                    sent += k;
                }
                if sent == 0 {
                    // rustls' acceptor queues no alert for some refusals; a
                    // peer must still learn why the connection ends.
                    if let Some(alert) = alert_for(&e) {
                        send_plaintext_alert(io, alert);
                    }
                }
                self.engine = Engine::Failed;
                Err(e.into())
            }
        }
    }

    fn read_step(&mut self, buf: &mut [u8], io: &mut dyn Transport) -> Result<Step<usize>> {
        self.started = true;
        loop {
            let conn = self.active()?;
            match conn.reader().read(buf) {
                Ok(0) => {
                    self.peer_closed = true;
                    return Err(Error::ZeroReturn);
                }
                Ok(n) => return Ok(Step::Done(self.top_up(buf, n, io)?)),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Err(Error::Eof),
                Err(e) => return Err(Error::Io(e)),
            }
            // Queued output (a server's session tickets, key-update answers)
            // goes out only once the peer has shown it is still there by
            // sending something. Writing to a peer that has closed makes its
            // kernel reset the connection, and the reset would hide the clean
            // EOF waiting to be read: the stdlib reads b'' there.
            match self.pump(io, false, Some(buf.len()))? {
                Pumped::Progress => {
                    self.flush(io)?;
                }
                Pumped::Eof => {}
                Pumped::WouldBlock => {
                    // Nothing left to read: the connection may now sit idle.
                    self.shrink_receive_buffer();
                    return Ok(Step::Wait(Need::Read));
                }
            }
        }
    }

    /// Lets rustls drop its receive buffer to the 4 KiB minimum if it holds
    /// no partial record; the size it grew to for the records just read
    /// (up to 18 KiB) would otherwise stay for as long as the connection
    /// idles. This is what CPython asks of OpenSSL with `SSL_MODE_RELEASE_BUFFERS`.
    fn shrink_receive_buffer(&mut self) {
        if let Engine::Active(conn) = &mut self.engine {
            // The stalled reader's WouldBlock is expected; nothing is consumed.
            let _ = conn.read_tls(&mut Stalled);
        }
    }

    /// Fills more of `buf` (which holds `n` bytes) from ciphertext that was
    /// already received, without another system call: fewer, larger reads
    /// for the caller. Stops at anything but plain progress.
    fn top_up(&mut self, buf: &mut [u8], mut n: usize, io: &mut dyn Transport) -> Result<usize> {
        while n < buf.len() && !self.inbuf.is_empty() {
            if !matches!(self.pump(io, false, Some(buf.len() - n))?, Pumped::Progress) {
                break;
            }
            match self.active()?.reader().read(&mut buf[n..]) {
                Ok(k) if k > 0 => n += k,
                // Close, end of stream or no complete record yet: report next call.
                _ => break,
            }
        }
        Ok(n)
    }

    /// Encrypts and sends from `data[*done..]`; `None` means everything was sent.
    fn write_step(
        &mut self,
        data: &[u8],
        done: &mut usize,
        io: &mut dyn Transport,
    ) -> Result<Option<Need>> {
        self.started = true;
        if self.close_sent {
            return Err(Error::ssl("PROTOCOL_IS_SHUTDOWN", "protocol is shutdown"));
        }
        loop {
            if !self.flush(io)? {
                return Ok(Some(Need::Write));
            }
            if *done == data.len() {
                return Ok(None);
            }
            let end = data.len().min(*done + WRITE_CHUNK);
            let n = self.active()?.writer().write(&data[*done..end])?;
            *done += n;
        }
    }

    fn shutdown_step(&mut self, io: &mut dyn Transport) -> Result<Step<()>> {
        self.started = true;
        let conn = match &mut self.engine {
            Engine::Active(conn) => conn,
            Engine::Failed => return Ok(Step::Done(())),
            _ => {
                return Err(Error::ssl(
                    "SHUTDOWN_WHILE_IN_INIT",
                    "shutdown while in init",
                ))
            }
        };
        if !self.close_sent {
            conn.send_close_notify();
            self.close_sent = true;
        }
        loop {
            if !self.flush(io)? {
                return Ok(Step::Wait(Need::Write));
            }
            if self.peer_closed || self.transport_eof {
                return Ok(Step::Done(()));
            }
            // Data still in flight from the peer is discarded, as OpenSSL does.
            let mut scratch = [0u8; 4096];
            loop {
                match self.active()?.reader().read(&mut scratch) {
                    Ok(0) => {
                        self.peer_closed = true;
                        return Ok(Step::Done(()));
                    }
                    Ok(_) => {}
                    Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                        return Ok(Step::Done(()))
                    }
                    Err(_) => break,
                }
            }
            match self.pump(io, true, None)? {
                Pumped::Progress | Pumped::Eof => {}
                Pumped::WouldBlock => return Ok(Step::Wait(Need::Read)),
            }
        }
    }
}

/// One TLS connection, client or server.
pub struct Connection {
    role: Role,
    tls: Mutex<Tls>,
    /// A client's session store; replaced when a session is set before the handshake.
    slot: Mutex<Option<Arc<SessionSlot>>>,
    stats: Arc<Stats>,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("role", &self.role)
            .finish()
    }
}

impl Connection {
    fn with_engine(
        role: Role,
        engine: Engine,
        client_name: Option<ServerName<'static>>,
        slot: Option<Arc<SessionSlot>>,
        stats: Arc<Stats>,
    ) -> Self {
        Connection {
            role,
            tls: Mutex::new(Tls {
                engine,
                inbuf: InBuf::default(),
                close_sent: false,
                peer_closed: false,
                transport_eof: false,
                hello: None,
                hello_facts: None,
                sent: Framing::default(),
                sealed: SealedAlert::default(),
                started: false,
                counted: false,
                client_name,
            }),
            slot: Mutex::new(slot),
            stats,
        }
    }

    /// A client connection; `server_name` is `None` when no SNI may be sent.
    /// `config` must use `slot` as its session store (see `Context::client_config_for`).
    pub fn client(
        config: Arc<ClientConfig>,
        slot: Arc<SessionSlot>,
        server_name: Option<&str>,
        stats: Arc<Stats>,
    ) -> Result<Self> {
        let name = match server_name {
            Some(host) => ServerName::try_from(host.to_owned())
                .map_err(|_| Error::Value(format!("invalid server_hostname {host:?}")))?,
            // rustls needs a name; an IP address makes it send no SNI, which is
            // what OpenSSL does without one. Host-name checks are off in that case.
            None => ServerName::IpAddress(std::net::Ipv4Addr::UNSPECIFIED.into()),
        };
        let conn = ClientConnection::new(config, name.clone())?;
        Stats::bump(&stats.connect);
        Ok(Self::with_engine(
            Role::Client,
            Engine::Active(Box::new(conn.into())),
            Some(name),
            Some(slot),
            stats,
        ))
    }

    /// A server connection; its config is chosen once the ClientHello is in.
    pub fn server(stats: Arc<Stats>) -> Self {
        Stats::bump(&stats.accept);
        Self::with_engine(
            Role::Server,
            Engine::Accepting(Box::default()),
            None,
            None,
            stats,
        )
    }

    /// Starts a client over with another config and session store, so that a
    /// session set before the handshake is offered in the ClientHello.
    pub fn restart_client(&self, config: Arc<ClientConfig>, slot: Arc<SessionSlot>) -> Result<()> {
        let mut tls = self.lock();
        if tls.started {
            return Err(Error::Value("Cannot set session after handshake.".into()));
        }
        let Some(name) = tls.client_name.clone() else {
            return Err(Error::Value(
                "Cannot set session for server-side SSLSocket.".into(),
            ));
        };
        let conn = ClientConnection::new(config, name)?;
        tls.engine = Engine::Active(Box::new(conn.into()));
        *self.slot.lock().unwrap_or_else(|p| p.into_inner()) = Some(slot);
        Ok(())
    }

    /// The client's current session, once the handshake is done.
    pub fn session(&self) -> Option<Arc<Session>> {
        let resumed = {
            let tls = self.lock();
            match &tls.engine {
                Engine::Active(conn) if !conn.is_handshaking() => {
                    conn.handshake_kind() == Some(HandshakeKind::Resumed)
                }
                _ => return None,
            }
        };
        let slot = self
            .slot
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()?;
        Some(slot.current(resumed))
    }

    /// Counts a completed handshake once, as OpenSSL's session statistics do.
    fn count_completion(&self, tls: &mut Tls) {
        if tls.counted {
            return;
        }
        tls.counted = true;
        // A handshake flight that arrived in pieces leaves rustls' receive
        // buffer at 8 KiB or more, and a new connection often idles first.
        tls.shrink_receive_buffer();
        let resumed = matches!(&tls.engine, Engine::Active(c) if c.handshake_kind() == Some(HandshakeKind::Resumed));
        let good = match self.role {
            Role::Client => &self.stats.connect_good,
            Role::Server => &self.stats.accept_good,
        };
        Stats::bump(good);
        if let Some(slot) = self.slot.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
            slot.handshake_done(resumed);
        }
        if resumed {
            Stats::bump(&self.stats.hits);
        } else if self.role == Role::Client {
            let offered = self
                .slot
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .as_ref()
                .is_some_and(|s| s.offered().is_some());
            if offered {
                Stats::bump(&self.stats.misses);
            }
        }
    }

    fn lock(&self) -> MutexGuard<'_, Tls> {
        // A panic while locked cannot leave rustls half-updated in a way that
        // matters more than failing the connection, so poisoning is ignored.
        self.tls.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Which side this is.
    pub fn role(&self) -> Role {
        self.role
    }

    /// Drives the handshake as far as the transport allows.
    pub fn handshake(&self, io: &mut dyn Transport) -> Result<HandshakeStatus> {
        loop {
            let need = {
                let mut tls = self.lock();
                match tls.handshake_step(io)? {
                    Step::Done(HandshakeStatus::Complete) => {
                        self.count_completion(&mut tls);
                        return Ok(HandshakeStatus::Complete);
                    }
                    Step::Done(status) => return Ok(status),
                    Step::Wait(need) => need,
                }
            };
            io.wait(need, Operation::Handshake)?;
        }
    }

    /// Continues a server handshake with the config chosen for the
    /// ClientHello. `highest` is the highest version the server enables
    /// (that of the initial context): the guard checks the ClientHello's
    /// fallback SCSV and key shares against it first.
    pub fn accept(
        &self,
        config: Arc<ServerConfig>,
        highest: ProtocolVersion,
        io: &mut dyn Transport,
    ) -> Result<()> {
        let mut tls = self.lock();
        if !matches!(tls.engine, Engine::Hello(_)) {
            return Err(Error::State("no ClientHello is waiting"));
        }
        if let Some(facts) = tls.hello_facts.take() {
            if let Err(check) = guard::check_hello_for(&facts, u16::from(highest)) {
                return Err(tls.refuse(io, check));
            }
        }
        let Engine::Hello(accepted) = std::mem::replace(&mut tls.engine, Engine::Failed) else {
            return Err(Error::State("no ClientHello is waiting"));
        };
        let sent = tls.sent.app_records;
        match tls
            .sealed
            .capture(true, sent, || accepted.into_connection(config))
        {
            Ok(conn) => {
                tls.engine = Engine::Active(Box::new(conn.into()));
                Ok(())
            }
            Err((e, mut alert)) => {
                // rustls' flight is dropped with the connection, so the peer
                // has seen nothing protected: if rustls queued no alert, send
                // one in plaintext.
                let mut sent = Framing::default();
                let _ = alert.write_all(&mut Sink(io, Some(&mut sent)));
                if sent.last_type.is_none() {
                    if let Some(alert) = alert_for(&e) {
                        send_plaintext_alert(io, alert);
                    }
                }
                Err(e.into())
            }
        }
    }

    /// Fails a server handshake at the ClientHello with a fatal `alert`, as a
    /// servername callback may ask. Nothing has been sent yet, so the alert
    /// goes out as a plaintext record.
    pub fn reject_hello(&self, alert: u8, io: &mut dyn Transport) -> Result<()> {
        let mut tls = self.lock();
        if !matches!(tls.engine, Engine::Hello(_)) {
            return Err(Error::State("no ClientHello is waiting"));
        }
        tls.engine = Engine::Failed;
        send_plaintext_alert(io, alert);
        Ok(())
    }

    /// Whether this end has sent close_notify (`unwrap()` was called).
    pub fn close_sent(&self) -> bool {
        self.lock().close_sent
    }

    /// Whether the handshake has completed.
    pub fn is_established(&self) -> bool {
        match &self.lock().engine {
            Engine::Active(conn) => !conn.is_handshaking(),
            _ => false,
        }
    }

    /// Decrypts into `buf`; returns the byte count (0 only for an empty `buf`).
    pub fn read(&self, buf: &mut [u8], io: &mut dyn Transport) -> Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            let need = match self.lock().read_step(buf, io)? {
                Step::Done(n) => return Ok(n),
                Step::Wait(need) => need,
            };
            io.wait(need, Operation::Read)?;
        }
    }

    /// Encrypts and sends `data`. Blocking transports send all of it;
    /// non-blocking ones return how much was taken (queued data goes out first next time).
    pub fn write(&self, data: &[u8], io: &mut dyn Transport) -> Result<usize> {
        let mut done = 0;
        loop {
            let need = match self.lock().write_step(data, &mut done, io)? {
                None => return Ok(done),
                Some(need) => need,
            };
            if done > 0 && io.is_nonblocking() {
                return Ok(done);
            }
            io.wait(need, Operation::Write)?;
        }
    }

    /// Sends close_notify and waits for the peer's.
    pub fn shutdown(&self, io: &mut dyn Transport) -> Result<()> {
        loop {
            let need = match self.lock().shutdown_step(io)? {
                Step::Done(()) => return Ok(()),
                Step::Wait(need) => need,
            };
            io.wait(need, Operation::Read)?;
        }
    }

    /// Decrypted bytes ready to be read without touching the transport.
    ///
    /// Ciphertext already taken off the transport (one receive reads up to
    /// 64 KiB ahead) is decrypted first, so this counts every byte that
    /// `read` can return without waiting: a caller that `select()`s on the
    /// socket whenever this is 0 never waits for records rustssl holds.
    pub fn pending(&self) -> usize {
        self.lock().decrypt_buffered()
    }

    /// A server's request for the client's certificate after the handshake
    /// (`verify_client_post_handshake`). It makes OpenSSL's checks in
    /// OpenSSL's order and fails with OpenSSL's error for the first one that
    /// fails. If they all pass it still fails, with [`Error::Unsupported`]:
    /// rustls cannot send a CertificateRequest after the handshake.
    /// `requests_certificates` is whether the server's verify mode asks for
    /// client certificates.
    pub fn verify_client_post_handshake(&self, requests_certificates: bool) -> Result<()> {
        let tls = self.lock();
        let conn = match &tls.engine {
            Engine::Active(conn) if conn.protocol_version() == Some(ProtocolVersion::TLSv1_3) => {
                conn
            }
            _ => return Err(Error::ssl("WRONG_SSL_VERSION", "wrong ssl version")),
        };
        if !matches!(&**conn, rustls::Connection::Server(_)) {
            return Err(Error::ssl("NOT_SERVER", "not server"));
        }
        if conn.is_handshaking() {
            return Err(Error::ssl("STILL_IN_INIT", "still in init"));
        }
        if !tls.hello.as_ref().is_some_and(|h| h.post_handshake_auth) {
            return Err(Error::ssl(
                "EXTENSION_NOT_RECEIVED",
                "extension not received",
            ));
        }
        if !requests_certificates {
            return Err(Error::ssl("INVALID_CONFIG", "invalid config"));
        }
        Err(Error::Unsupported(
            "Post-handshake auth is not supported by rustssl (rustls does not implement it)."
                .into(),
        ))
    }

    /// Facts about the negotiated connection, if the handshake got far enough.
    pub fn info(&self) -> ConnectionInfo {
        let tls = self.lock();
        let mut info = ConnectionInfo {
            server_name: tls.hello.as_ref().and_then(|h| h.server_name.clone()),
            offered_suites: tls
                .hello
                .as_ref()
                .map(|h| h.cipher_suites.clone())
                .unwrap_or_default(),
            ..ConnectionInfo::default()
        };
        if let Engine::Active(conn) = &tls.engine {
            info.established = !conn.is_handshaking();
            info.version = conn.protocol_version().map(version_name);
            info.cipher_suite = conn.negotiated_cipher_suite().map(|s| s.suite());
            info.alpn = conn.alpn_protocol().map(<[u8]>::to_vec);
            info.group = conn.negotiated_key_exchange_group().map(|g| g.name());
            info.resumed = conn.handshake_kind() == Some(HandshakeKind::Resumed);
            info.peer_certificates = conn
                .peer_certificates()
                .map(|c| c.iter().map(|d| d.clone().into_owned()).collect())
                .unwrap_or_default();
        }
        info
    }

    /// Derives keying material (RFC 5705 / RFC 8446 section 7.5).
    pub fn export_keying_material(
        &self,
        label: &[u8],
        context: Option<&[u8]>,
        len: usize,
    ) -> Result<Vec<u8>> {
        let mut tls = self.lock();
        let conn = tls.active()?;
        let mut out = vec![0u8; len];
        conn.export_keying_material(&mut out, label, context)?;
        Ok(out)
    }
}

/// What Python can ask about a connection.
#[derive(Debug, Clone, Default)]
pub struct ConnectionInfo {
    /// Whether the handshake completed.
    pub established: bool,
    /// `version()`.
    pub version: Option<&'static str>,
    /// The negotiated suite.
    pub cipher_suite: Option<rustls::CipherSuite>,
    /// `selected_alpn_protocol()`, raw.
    pub alpn: Option<Vec<u8>>,
    /// The key-exchange group.
    pub group: Option<rustls::NamedGroup>,
    /// `session_reused`.
    pub resumed: bool,
    /// The peer's certificates, leaf first, as sent.
    pub peer_certificates: Vec<CertificateDer<'static>>,
    /// SNI received by a server.
    pub server_name: Option<String>,
    /// The suites a client offered (server side only).
    pub offered_suites: Vec<rustls::CipherSuite>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn framing_runs_the_guard_only_when_asked() {
        // A header claiming 2^14+1 bytes, split across two reads.
        let mut off = Framing::default();
        off.observe(&[22, 3, 1, 0x40, 0x01], false);
        assert_eq!(off.refused, None);
        let mut on = Framing::default();
        on.observe(&[22, 3], true);
        assert_eq!(on.refused, None);
        on.observe(&[1, 0x40, 0x01], true);
        assert_eq!(on.refused, Some(&guard::PLAINTEXT_OVERFLOW));
        // After a ChangeCipherSpec, TLS 1.2 ciphertext may be longer.
        let mut ccs = Framing::default();
        ccs.observe(&[20, 3, 3, 0, 1, 1, 22, 3, 3, 0x40, 0x01], true);
        assert_eq!(ccs.refused, None);
        assert!(ccs.after_ccs);
        // The record after a ChangeCipherSpec is protected; the CCS is not.
        assert!(ccs.protected);
        assert_eq!(ccs.last_type, Some(22));
        let mut hello_only = Framing::default();
        hello_only.observe(&[22, 3, 1, 0, 1, 0, 20, 3, 3, 0, 1, 1], false);
        assert!(!hello_only.protected);
        hello_only.observe(&[23, 3, 3, 0, 0], false);
        assert!(hello_only.protected);
        // The first refusal is kept.
        let mut two = Framing::default();
        two.observe(&[0, 3, 3, 0, 1, 0, 22, 0, 0, 0, 1], true);
        assert_eq!(two.refused, Some(&guard::CONTENT_TYPE));
    }

    #[test]
    fn framing_stops_at_record_ends() {
        let mut f = Framing::default();
        assert_eq!((f.remainder(), f.received_of_current()), (5, 0));
        f.observe(&[23, 3, 3], false);
        assert_eq!((f.remainder(), f.received_of_current()), (2, 3));
        f.observe(&[0, 19], false);
        assert_eq!((f.remainder(), f.received_of_current()), (19, 5));
        f.observe(&[0; 10], false);
        assert_eq!((f.remainder(), f.received_of_current()), (9, 15));
        // The rest of this record plus a whole second one in one chunk.
        let mut chunk = vec![0; 9];
        chunk.extend_from_slice(&[21, 3, 3, 0, 2, 1, 0]);
        f.observe(&chunk, false);
        assert_eq!((f.remainder(), f.received_of_current()), (5, 0));
    }

    #[test]
    fn handshake_reads_stop_at_the_next_header() {
        let mut f = Framing::default();
        assert_eq!(f.through_next_header(), 5);
        f.observe(&[22, 3, 3, 0, 40], false);
        // The body and the next record's header, never the next body.
        assert_eq!(f.through_next_header(), 45);
        f.observe(&[0; 30], false);
        assert_eq!(f.through_next_header(), 15);
        let mut rest = vec![0; 10];
        rest.extend_from_slice(&[23, 3, 3]);
        f.observe(&rest, false);
        assert_eq!(f.through_next_header(), 2);
    }
}
