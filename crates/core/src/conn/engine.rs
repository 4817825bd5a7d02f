//! The engine: a connection's locked state, driving rustls one step at a time.

use crate::codes::Reason;
use std::io::{self, IoSlice, Read, Write};

use rustls::pki_types::ServerName;
use rustls::server::{Accepted, Acceptor};

use super::client_hello;
use super::framing::{Framing, InBuf, Sink, RECV_BUFFER};
use super::guard::{self, Check};
use super::sealed_alert::SealedAlert;
use super::transport::{Need, Transport};
use crate::error::{Error, Result};

/// Plaintext encrypted per step, so one huge `sendall` does not buffer it all at once.
const WRITE_CHUNK: usize = 256 * 1024;

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

/// The alert a refused ClientHello deserves when rustls queued none; none
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
    /// A server holding the ClientHello until its config is chosen.
    Hello(Box<Accepted>),
    /// The handshake is under way or done.
    Active(Box<rustls::Connection>),
    /// A fatal error ended the connection.
    Failed,
}

/// A server's state until the ClientHello is complete.
#[derive(Default)]
pub(super) struct AcceptState {
    acceptor: Acceptor,
    /// The records fed to the acceptor, kept until it accepts them: rustls'
    /// view of the ClientHello does not list the extensions.
    records: Vec<u8>,
}

/// The outcome of one locked step: finished, or blocked on the transport.
pub(super) enum Step<T> {
    Done(T),
    Wait(Need),
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
pub(super) struct Tls {
    pub(super) engine: Engine,
    pub(super) inbuf: InBuf,
    pub(super) close_sent: bool,
    pub(super) peer_closed: bool,
    pub(super) transport_eof: bool,
    pub(super) hello: Option<HelloInfo>,
    /// The parsed ClientHello, kept from the hello until `accept` checks it.
    pub(super) hello_facts: Option<client_hello::Facts>,
    /// The records this end has sent.
    pub(super) sent: Framing,
    /// This end's TLS 1.3 write secret, for an alert rustls does not send.
    pub(super) sealed: SealedAlert,
    /// Whether any I/O has happened; a client's session can change only before.
    pub(super) started: bool,
    /// Whether the completed handshake has been counted in the stats.
    pub(super) counted: bool,
    /// The name a client connection was created for, to recreate it.
    pub(super) client_name: Option<ServerName<'static>>,
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
    pub(super) fn refuse(&mut self, io: &mut dyn Transport, check: &'static Check) -> Error {
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
    pub(super) fn decrypt_buffered(&mut self) -> usize {
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
        // rustls derives the traffic secrets only while handshaking; after
        // that, records are processed without the key-log tap.
        let processed = if conn.is_handshaking() {
            let server = matches!(**conn, rustls::Connection::Server(_));
            let sent = self.sent.app_records;
            self.sealed
                .capture(server, sent, || conn.process_new_packets())
        } else {
            conn.process_new_packets()
        };
        match processed {
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

    pub(super) fn active(&mut self) -> Result<&mut rustls::Connection> {
        match &mut self.engine {
            Engine::Active(conn) => Ok(conn),
            Engine::Failed => Err(Error::reason(Reason::ProtocolIsShutdown)),
            _ => Err(Error::State("handshake not complete")),
        }
    }

    pub(super) fn handshake_step(
        &mut self,
        io: &mut dyn Transport,
    ) -> Result<Step<HandshakeStatus>> {
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
                Engine::Failed => return Err(Error::reason(Reason::ProtocolIsShutdown)),
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

    pub(super) fn read_step(
        &mut self,
        buf: &mut [u8],
        io: &mut dyn Transport,
    ) -> Result<Step<usize>> {
        self.started = true;
        loop {
            let conn = self.active()?;
            match conn.reader().read(buf) {
                Ok(0) => {
                    self.peer_closed = true;
                    return Err(Error::ZeroReturn);
                }
                Ok(n) => {
                    let n = self.top_up(buf, n, io)?;
                    self.release_if_drained();
                    return Ok(Step::Done(n));
                }
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
    pub(super) fn shrink_receive_buffer(&mut self) {
        if let Engine::Active(conn) = &mut self.engine {
            // The stalled reader's WouldBlock is expected; nothing is consumed.
            let _ = conn.read_tls(&mut Stalled);
        }
    }

    /// After a read, when rustls has been given every byte received and no
    /// part of a record is missing, lets it shrink its receive buffer: the
    /// caller may have read to the last byte it expects and now leave the
    /// connection idle (an HTTP client returning it to its pool), with a
    /// buffer grown to the size of the last record. OpenSSL frees its read
    /// buffer whenever it empties under `SSL_MODE_RELEASE_BUFFERS`, which
    /// CPython sets. A streaming peer costs a reallocation per read that
    /// ends on a record boundary.
    fn release_if_drained(&mut self) {
        if self.inbuf.is_empty() && self.inbuf.framing.received_of_current() == 0 {
            self.shrink_receive_buffer();
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

    pub(super) fn shutdown_step(&mut self, io: &mut dyn Transport) -> Result<Step<()>> {
        self.started = true;
        let conn = match &mut self.engine {
            Engine::Active(conn) => conn,
            Engine::Failed => return Ok(Step::Done(())),
            _ => return Err(Error::reason(Reason::ShutdownWhileInInit)),
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
