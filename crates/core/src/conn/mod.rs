//! The connection layer: one TLS connection per `SSLSocket`/`SSLObject`, over a socket or `MemoryBIO`s.
//!
//! A [`Connection`] guards its state with a mutex that is held only while
//! bytes are moved or crypto runs, never while waiting on the socket. So a
//! reader thread and a writer thread can share one connection, as they can
//! share one stdlib `SSLSocket`.
//!
//! - `engine`: the locked state and its steps, which drive rustls;
//! - [`transport`]: where ciphertext goes (a socket fd or `MemoryBIO`s);
//! - `framing`: record boundaries in the bytes received and sent, and the
//!   receive buffer;
//! - `guard` and `client_hello`: the record-layer checks in front of
//!   rustls, and the one parse of the ClientHello they need.

use crate::codes::Reason;
use std::sync::{Arc, Mutex, MutexGuard};

use rustls::client::UnbufferedClientConnection;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::server::UnbufferedServerConnection;
use rustls::{ClientConfig, HandshakeKind, ProtocolVersion, ServerConfig};

use crate::error::{Error, Operation, Result};
use crate::session::{Session, SessionSlot, Stats};
use exporter::Exporter;
use sealed_alert::SealedAlert;

mod client_hello;
mod engine;
pub(crate) mod exporter;
mod framing;
mod guard;
pub(crate) mod sealed_alert;
pub(crate) mod secrets;
mod step;
#[cfg(test)]
mod tests;
pub(crate) mod transport;

use engine::{send_plaintext_alert, Engine, Step, Tls};
pub use engine::{HandshakeStatus, HelloInfo};
use framing::{Framing, InBuf, OutBuf};
use step::{Plain, Rustls};
use transport::Transport;

/// Which end of a connection this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The connecting side.
    Client,
    /// The accepting side.
    Server,
}

/// The name Python's `version()` gives a negotiated version.
pub fn version_name(v: ProtocolVersion) -> &'static str {
    match v {
        ProtocolVersion::TLSv1_3 => "TLSv1.3",
        ProtocolVersion::TLSv1_2 => "TLSv1.2",
        ProtocolVersion::TLSv1_1 => "TLSv1.1",
        ProtocolVersion::TLSv1_0 => "TLSv1",
        ProtocolVersion::SSLv3 => "SSLv3",
        _ => "unknown",
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
                out: OutBuf::default(),
                plain: Plain::default(),
                deferred: None,
                close_sent: false,
                peer_closed: false,
                transport_eof: false,
                hello: None,
                hello_facts: None,
                sent: Framing::default(),
                sealed: SealedAlert::default(),
                exporter: Exporter::default(),
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
        let conn = UnbufferedClientConnection::new(config, name.clone())?;
        Stats::bump(&stats.connect);
        Ok(Self::with_engine(
            Role::Client,
            Engine::Active(Box::new(Rustls::Client(conn))),
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
        // `Context::set_session` refuses server-side connections first.
        let Some(name) = tls.client_name.clone() else {
            return Err(Error::State("a server-side connection has no session"));
        };
        let conn = UnbufferedClientConnection::new(config, name)?;
        tls.engine = Engine::Active(Box::new(Rustls::Client(conn)));
        *self.slot.lock().unwrap_or_else(|p| p.into_inner()) = Some(slot);
        Ok(())
    }

    /// The client's current session, once the handshake is done.
    pub fn session(&self) -> Option<Arc<Session>> {
        let resumed = {
            let tls = self.lock();
            match &tls.engine {
                Engine::Active(conn) if !conn.common().is_handshaking() => {
                    conn.common().handshake_kind() == Some(HandshakeKind::Resumed)
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
        let resumed = matches!(&tls.engine, Engine::Active(c) if c.common().handshake_kind() == Some(HandshakeKind::Resumed));
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
                let step = tls.handshake_step(io);
                tls.park();
                match step? {
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
        let Engine::Hello(records) = std::mem::replace(&mut tls.engine, Engine::Failed) else {
            return Err(Error::State("no ClientHello is waiting"));
        };
        // The connection for the chosen config reads the ClientHello again,
        // in front of whatever the client sent after it.
        let conn = UnbufferedServerConnection::new(config)?;
        tls.inbuf.prepend(&records);
        tls.engine = Engine::Active(Box::new(Rustls::Server(conn)));
        tls.park();
        Ok(())
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
            Engine::Active(conn) => !conn.common().is_handshaking(),
            _ => false,
        }
    }

    /// Decrypts into `buf`; returns the byte count (0 only for an empty `buf`).
    pub fn read(&self, buf: &mut [u8], io: &mut dyn Transport) -> Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            let step = {
                let mut tls = self.lock();
                let step = tls.read_step(buf, io);
                tls.park();
                step
            };
            let need = match step? {
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
            let step = {
                let mut tls = self.lock();
                let step = tls.write_step(data, &mut done, io);
                tls.park();
                step
            };
            let need = match step? {
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
            let step = {
                let mut tls = self.lock();
                let step = tls.shutdown_step(io);
                tls.park();
                step
            };
            let need = match step? {
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
        let mut tls = self.lock();
        let n = tls.decrypt_buffered();
        tls.park();
        n
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
            Engine::Active(conn)
                if conn.common().protocol_version() == Some(ProtocolVersion::TLSv1_3) =>
            {
                conn
            }
            _ => return Err(Error::reason(Reason::WrongSslVersion)),
        };
        if !conn.is_server() {
            return Err(Error::reason(Reason::NotServer));
        }
        if conn.common().is_handshaking() {
            return Err(Error::reason(Reason::StillInInit));
        }
        if !tls.hello.as_ref().is_some_and(|h| h.post_handshake_auth) {
            return Err(Error::reason(Reason::ExtensionNotReceived));
        }
        if !requests_certificates {
            return Err(Error::reason(Reason::InvalidConfig));
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
            let conn = conn.common();
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
        let tls = self.lock();
        let conn = match &tls.engine {
            Engine::Active(conn) if !conn.common().is_handshaking() => conn.common(),
            Engine::Failed => return Err(Error::reason(Reason::ProtocolIsShutdown)),
            _ => return Err(Error::State("handshake not complete")),
        };
        let suite = conn
            .negotiated_cipher_suite()
            .ok_or(Error::State("handshake not complete"))?;
        let mut out = vec![0u8; len];
        tls.exporter.export(suite, &mut out, label, context)?;
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
