//! `_SSLSocket`: the TLS state behind both `SSLSocket` and `SSLObject`.
//!
//! One class serves both, as in CPython: over a socket it reads and writes
//! the file descriptor itself with the GIL released; over memory BIOs it
//! moves bytes between the BIOs and rustls.

use std::os::fd::BorrowedFd;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::Mutex;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyTuple, PyWeakrefReference};
use rustssl_core::conn::{Connection, HandshakeStatus};
use rustssl_core::error::Operation;
use rustssl_core::transport::{BioTransport, FdTransport, Need, Timeout, Transport};
use rustssl_core::verify::VerifyMode;
use rustssl_core::{ciphers, Error};

use crate::bio::PyMemoryBio;
use crate::buffer::{InBytes, OutBuffer};
use crate::certs::{cert_to_dict, PyCertificate};
use crate::context::PyContext;
use crate::errors::{Failure, Result};
use crate::session::PySession;

thread_local! {
    /// Where `read(len)` without a buffer decrypts to, reused across calls.
    static SCRATCH: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

/// `ALERT_DESCRIPTION_HANDSHAKE_FAILURE`.
const ALERT_HANDSHAKE_FAILURE: u8 = 40;
/// `ALERT_DESCRIPTION_INTERNAL_ERROR`.
const ALERT_INTERNAL_ERROR: u8 = 80;

/// The channel binding type rustssl provides (RFC 9266).
const CHANNEL_BINDING_EXPORTER: &str = "tls-exporter";
/// The exporter label RFC 9266 defines.
const EXPORTER_LABEL: &[u8] = b"EXPORTER-Channel-Binding";
/// The exporter output length RFC 9266 defines.
const EXPORTER_LENGTH: usize = 32;

/// One end of an `SSLObject`'s transport.
pub enum BioHandle {
    /// Our own `MemoryBIO`: its queue is used in place.
    Ours(Py<PyMemoryBio>),
    /// Any other object with `read()`, `write()` and `eof` (the stdlib's `MemoryBIO`).
    Foreign(Py<PyAny>),
}

impl BioHandle {
    /// Classifies a BIO argument.
    pub fn new(obj: &Bound<'_, PyAny>) -> Self {
        match obj.cast::<PyMemoryBio>() {
            Ok(ours) => BioHandle::Ours(ours.clone().unbind()),
            Err(_) => BioHandle::Foreign(obj.clone().unbind()),
        }
    }
}

/// Memory BIOs of which at least one is not ours, used with the GIL held.
struct PyBioTransport<'a, 'py> {
    py: Python<'py>,
    incoming: &'a BioHandle,
    outgoing: &'a BioHandle,
    /// A Python exception raised by a BIO method, re-raised after the operation.
    error: Option<PyErr>,
}

impl PyBioTransport<'_, '_> {
    fn fail(&mut self, err: PyErr) -> std::io::Error {
        self.error = Some(err);
        std::io::Error::other("a MemoryBIO method raised")
    }

    fn recv_foreign(&mut self, obj: &Py<PyAny>, buf: &mut [u8]) -> std::io::Result<usize> {
        let obj = obj.bind(self.py);
        let data = match obj
            .call_method1("read", (buf.len(),))
            .and_then(|d| Ok(d.cast_into::<PyBytes>()?))
        {
            Ok(d) => d,
            Err(e) => return Err(self.fail(e)),
        };
        let bytes = data.as_bytes();
        let n = bytes.len().min(buf.len());
        buf[..n].copy_from_slice(&bytes[..n]);
        if n > 0 || buf.is_empty() {
            return Ok(n);
        }
        match obj.getattr("eof").and_then(|e| e.is_truthy()) {
            Ok(true) => Ok(0),
            Ok(false) => Err(std::io::ErrorKind::WouldBlock.into()),
            Err(e) => Err(self.fail(e)),
        }
    }
}

impl Transport for PyBioTransport<'_, '_> {
    fn recv(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self.incoming {
            BioHandle::Ours(bio) => bio.get().lock().recv(buf),
            BioHandle::Foreign(obj) => self.recv_foreign(obj, buf),
        }
    }

    fn send(&mut self, bufs: &[std::io::IoSlice<'_>]) -> std::io::Result<usize> {
        let total: usize = bufs.iter().map(|b| b.len()).sum();
        match self.outgoing {
            BioHandle::Ours(bio) => {
                let mut bio = bio.get().lock();
                for b in bufs {
                    bio.write(b).map_err(std::io::Error::other)?;
                }
                Ok(total)
            }
            BioHandle::Foreign(obj) => {
                let data = PyBytes::new_with(self.py, total, |out| {
                    let mut at = 0;
                    for b in bufs {
                        out[at..at + b.len()].copy_from_slice(b);
                        at += b.len();
                    }
                    Ok(())
                });
                match data.and_then(|d| obj.bind(self.py).call_method1("write", (d,))) {
                    Ok(_) => Ok(total),
                    Err(e) => Err(self.fail(e)),
                }
            }
        }
    }

    fn wait(&mut self, need: Need, _op: Operation) -> rustssl_core::Result<()> {
        Err(match need {
            Need::Read => Error::WantRead,
            Need::Write => Error::WantWrite,
        })
    }

    fn is_nonblocking(&self) -> bool {
        true
    }
}

/// Where the connection's ciphertext goes.
enum Io {
    /// A socket: its descriptor (−1 once closed) and Python timeout.
    Fd {
        fd: AtomicI32,
        timeout: Mutex<Timeout>,
    },
    /// Two memory BIOs.
    Bio {
        incoming: BioHandle,
        outgoing: BioHandle,
    },
}

/// `_ssl._SSLSocket`.
#[pyclass(name = "_SSLSocket", module = "_ssl", frozen)]
pub struct PySslSocket {
    conn: Connection,
    io: Io,
    context: Mutex<Py<PyContext>>,
    owner: Mutex<Option<Py<PyWeakrefReference>>>,
    /// The Python socket, for `shutdown()` to hand back (weak, to avoid a cycle).
    socket: Option<Py<PyWeakrefReference>>,
    server_side: bool,
    server_hostname: Option<String>,
    established: AtomicBool,
    /// `OP_IGNORE_UNEXPECTED_EOF` at creation: a ragged EOF then reads as a clean one.
    ignore_unexpected_eof: bool,
}

/// `ssl.OP_IGNORE_UNEXPECTED_EOF`.
const OP_IGNORE_UNEXPECTED_EOF: u64 = 0x80;

fn ignores_unexpected_eof(ctx: &Bound<'_, PyContext>) -> bool {
    ctx.get().lock().settings().options & OP_IGNORE_UNEXPECTED_EOF != 0
}

fn weak(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Py<PyWeakrefReference>>> {
    match obj {
        Some(o) if !o.is_none() => Ok(Some(PyWeakrefReference::new(o)?.unbind())),
        _ => Ok(None),
    }
}

/// Reads the socket's `gettimeout()`.
fn socket_timeout(sock: &Bound<'_, PyAny>) -> PyResult<Timeout> {
    let t: Option<f64> = sock.call_method0("gettimeout")?.extract()?;
    Ok(Timeout::from_seconds(t))
}

impl PySslSocket {
    /// The state of an `SSLSocket` over `sock`.
    pub fn over_socket(
        ctx: &Bound<'_, PyContext>,
        conn: Connection,
        sock: &Bound<'_, PyAny>,
        server_side: bool,
        server_hostname: Option<String>,
        owner: Option<&Bound<'_, PyAny>>,
    ) -> Result<Self> {
        let fd: i32 = sock.call_method0("fileno")?.extract()?;
        let timeout = socket_timeout(sock)?;
        Ok(PySslSocket {
            conn,
            io: Io::Fd {
                fd: AtomicI32::new(fd),
                timeout: Mutex::new(timeout),
            },
            context: Mutex::new(ctx.clone().unbind()),
            owner: Mutex::new(weak(owner)?),
            socket: weak(Some(sock))?,
            server_side,
            server_hostname,
            established: AtomicBool::new(false),
            ignore_unexpected_eof: ignores_unexpected_eof(ctx),
        })
    }

    /// The state of an `SSLObject` over two BIOs.
    pub fn over_bios(
        ctx: &Bound<'_, PyContext>,
        conn: Connection,
        incoming: BioHandle,
        outgoing: BioHandle,
        server_side: bool,
        server_hostname: Option<String>,
        owner: Option<&Bound<'_, PyAny>>,
    ) -> Result<Self> {
        Ok(PySslSocket {
            conn,
            io: Io::Bio { incoming, outgoing },
            context: Mutex::new(ctx.clone().unbind()),
            owner: Mutex::new(weak(owner)?),
            socket: None,
            server_side,
            server_hostname,
            established: AtomicBool::new(false),
            ignore_unexpected_eof: ignores_unexpected_eof(ctx),
        })
    }

    fn context_ref(&self, py: Python<'_>) -> Py<PyContext> {
        self.context
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone_ref(py)
    }

    /// Runs one core operation against the transport, with the GIL released.
    fn run<T, F>(&self, py: Python<'_>, mut op: F) -> Result<T>
    where
        T: Send,
        F: FnMut(&Connection, &mut dyn Transport) -> rustssl_core::Result<T> + Send,
    {
        match &self.io {
            Io::Fd { fd, timeout } => loop {
                let raw = fd.load(Ordering::Acquire);
                if raw < 0 {
                    return Err(Error::Io(std::io::Error::from_raw_os_error(9)).into());
                }
                let timeout = *timeout.lock().unwrap_or_else(|p| p.into_inner());
                let conn = &self.conn;
                let result = py.detach(|| {
                    // SAFETY: `raw` is the descriptor of the Python socket this
                    // object wraps. The SSLSocket invalidates it (sets −1) before
                    // closing or detaching the descriptor, and holds a reference
                    // to this object for the whole call, so the descriptor stays
                    // open while it is borrowed here. A close racing from another
                    // thread is the same hazard CPython's own module accepts.
                    let fd = unsafe { BorrowedFd::borrow_raw(raw) };
                    let mut transport = FdTransport::new(fd, timeout);
                    let result = op(conn, &mut transport);
                    crate::finalizing::park_if_finalizing();
                    result
                });
                match result {
                    Err(Error::Io(e)) if e.kind() == std::io::ErrorKind::Interrupted => {
                        // Let Python run its signal handlers (and raise), then retry.
                        py.check_signals()?;
                    }
                    other => return other.map_err(Failure::from),
                }
            },
            Io::Bio { incoming, outgoing } => self.run_bio(py, incoming, outgoing, op),
        }
    }

    fn run_bio<T, F>(
        &self,
        py: Python<'_>,
        incoming: &BioHandle,
        outgoing: &BioHandle,
        mut op: F,
    ) -> Result<T>
    where
        T: Send,
        F: FnMut(&Connection, &mut dyn Transport) -> rustssl_core::Result<T> + Send,
    {
        if let (BioHandle::Ours(inc), BioHandle::Ours(out)) = (incoming, outgoing) {
            let (inc, out) = (inc.get(), out.get());
            let conn = &self.conn;
            return py
                .detach(|| {
                    let mut inc = inc.lock();
                    let mut out = out.lock();
                    let mut t = BioTransport {
                        incoming: &mut inc,
                        outgoing: &mut out,
                    };
                    let result = op(conn, &mut t);
                    crate::finalizing::park_if_finalizing();
                    result
                })
                .map_err(Failure::from);
        }
        // A foreign BIO (the stdlib's MemoryBIO, which asyncio creates): the
        // connection reads and writes it through its Python methods, taking
        // only what it asks for, so nothing has to be handed back.
        let mut t = PyBioTransport {
            py,
            incoming,
            outgoing,
            error: None,
        };
        let result = op(&self.conn, &mut t);
        if let Some(err) = t.error.take() {
            return Err(Failure::Py(err));
        }
        result.map_err(Failure::from)
    }

    /// Completes the handshake if it has not been done yet (reads and writes do it implicitly).
    fn ensure_handshake(&self, py: Python<'_>) -> Result<()> {
        if self.established.load(Ordering::Acquire) {
            return Ok(());
        }
        self.handshake(py)
    }

    fn handshake(&self, py: Python<'_>) -> Result<()> {
        loop {
            match self.run(py, |c, io| c.handshake(io))? {
                HandshakeStatus::Complete => {
                    self.established.store(true, Ordering::Release);
                    return Ok(());
                }
                HandshakeStatus::ClientHello(hello) => {
                    let initial = self.context_ref(py);
                    // Versions stay those of the initial context (see below).
                    let highest = initial.get().lock().settings().highest_version();
                    self.call_servername_callback(py, hello.server_name.as_deref())?;
                    let current = self.context_ref(py);
                    let config = if current.is(&initial) {
                        let mut core = initial.get().lock();
                        let alpn_ok = hello.alpn_compatible(&core.settings().alpn_protocols);
                        core.server_config(alpn_ok)?
                    } else {
                        // As with OpenSSL's SSL_set_SSL_CTX, the new context
                        // brings its certificate and ALPN protocols; verification,
                        // versions and suites stay those of the initial context,
                        // so a switch can never relax client-certificate checks.
                        let (identity, alpn) = {
                            let core = current.get().lock();
                            let s = core.settings();
                            (s.completed_identities(), s.alpn_protocols.clone())
                        };
                        let alpn_ok = hello.alpn_compatible(&alpn);
                        initial
                            .get()
                            .lock()
                            .server_config_with_identity(alpn_ok, identity, alpn)?
                    };
                    self.run(py, |c, io| c.accept(config.clone(), highest, io))?;
                }
            }
        }
    }

    /// Runs the context's `sni_callback`, if any, with the received server name.
    ///
    /// As in CPython: `None` continues; an int is sent as a fatal alert; an
    /// exception (reported as unraisable) sends `handshake_failure`; any other
    /// value sends `internal_error`.
    fn call_servername_callback(&self, py: Python<'_>, server_name: Option<&str>) -> Result<()> {
        let ctx = self.context_ref(py);
        let Some(callback) = ctx.get().servername_callback(py) else {
            return Ok(());
        };
        let callback = callback.bind(py);
        let owner = self.get_owner(py);
        let alert = match callback.call1((owner, server_name, ctx.clone_ref(py))) {
            Ok(result) if result.is_none() => return Ok(()),
            Ok(result) => match result.extract::<i64>() {
                Ok(code) => u8::try_from(code).unwrap_or(ALERT_INTERNAL_ERROR),
                Err(e) => {
                    e.write_unraisable(py, Some(&result));
                    ALERT_INTERNAL_ERROR
                }
            },
            Err(e) => {
                e.write_unraisable(py, Some(callback));
                ALERT_HANDSHAKE_FAILURE
            }
        };
        self.run(py, |c, io| c.reject_hello(alert, io))?;
        let (_, message) = rustssl_core::codes::alert_reason(alert);
        Err(Error::ssl(
            "CALLBACK_FAILED",
            format!("servername callback failed ({message})"),
        )
        .into())
    }

    fn verify_mode(&self, py: Python<'_>) -> VerifyMode {
        self.context_ref(py).get().lock().settings().verify_mode
    }
}

#[pymethods]
impl PySslSocket {
    /// Performs the TLS handshake.
    fn do_handshake(&self, py: Python<'_>) -> Result<()> {
        self.handshake(py)
    }

    /// Reads up to `len` bytes, into `buffer` when given (returning the count).
    #[pyo3(signature = (len = 1024, buffer = None))]
    fn read(&self, py: Python<'_>, len: isize, buffer: Option<OutBuffer>) -> Result<Py<PyAny>> {
        self.ensure_handshake(py)?;
        let lenient = self.ignore_unexpected_eof;
        let read = |c: &Connection, io: &mut dyn Transport, buf: &mut [u8]| match c.read(buf, io) {
            // The peer's close_notify reads as end of file, as in CPython,
            // unless this end has shut down too: then it is an error.
            Err(Error::ZeroReturn) if !c.close_sent() => Ok(0),
            Err(Error::Eof) if lenient => Ok(0),
            other => other,
        };
        match buffer {
            Some(mut buffer) => {
                let n = match usize::try_from(len) {
                    Ok(0) | Err(_) => buffer.len(),
                    Ok(n) => n.min(buffer.len()),
                };
                let slice = &mut buffer.as_mut_slice()[..n];
                let got = self.run(py, |c, io| read(c, io, slice))?;
                Ok(got
                    .into_pyobject(py)
                    .map_err(PyErr::from)?
                    .into_any()
                    .unbind())
            }
            None => {
                let n = usize::try_from(len)
                    .map_err(|_| PyValueError::new_err("size should not be negative"))?;
                // Decrypt into a per-thread buffer, then copy exactly what
                // arrived into the bytes object: no per-call allocation or
                // zeroing of `len` bytes (asyncio asks for 256 KiB at a time).
                SCRATCH.with(|cell| {
                    let mut scratch = cell.take();
                    if scratch.len() < n {
                        scratch.resize(n, 0);
                    }
                    let result = self.run(py, |c, io| read(c, io, &mut scratch[..n]));
                    let out =
                        result.map(|got| PyBytes::new(py, &scratch[..got]).into_any().unbind());
                    cell.replace(scratch);
                    out
                })
            }
        }
    }

    /// Writes all of `data`; returns the number of bytes taken.
    fn write(&self, py: Python<'_>, data: InBytes<'_>) -> Result<usize> {
        self.ensure_handshake(py)?;
        let bytes = data.as_slice();
        self.run(py, |c, io| c.write(bytes, io))
    }

    /// Decrypted bytes that can be read without touching the transport.
    fn pending(&self) -> usize {
        self.conn.pending()
    }

    /// Sends close_notify and waits for the peer's; returns the socket (None over BIOs).
    fn shutdown(&self, py: Python<'_>) -> Result<Option<Py<PyAny>>> {
        self.run(py, |c, io| c.shutdown(io))?;
        Ok(self
            .socket
            .as_ref()
            .and_then(|w| w.bind(py).upgrade())
            .map(Bound::unbind))
    }

    /// The peer's certificate: a dict, DER bytes, or None.
    #[pyo3(signature = (binary_form = false))]
    fn getpeercert(&self, py: Python<'_>, binary_form: bool) -> Result<Option<Py<PyAny>>> {
        let info = self.conn.info();
        if !info.established {
            return Err(Error::Value("handshake not done yet".into()).into());
        }
        let Some(leaf) = info.peer_certificates.first() else {
            return Ok(None);
        };
        if binary_form {
            return Ok(Some(PyBytes::new(py, leaf).into_any().unbind()));
        }
        if self.verify_mode(py) == VerifyMode::None {
            // CPython reports nothing about a certificate it did not verify.
            return Ok(Some(pyo3::types::PyDict::new(py).into_any().unbind()));
        }
        Ok(Some(cert_to_dict(py, leaf)?.into_any().unbind()))
    }

    /// The chain as the peer sent it, as `Certificate` objects.
    fn get_unverified_chain<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyList>>> {
        let certs = self.conn.info().peer_certificates;
        if certs.is_empty() {
            return Ok(None);
        }
        let items = certs
            .into_iter()
            .map(|c| PyCertificate::new(c.to_vec()))
            .collect::<Vec<_>>();
        Ok(Some(PyList::new(py, items)?))
    }

    /// The chain verification validated: leaf, intermediates, trust anchor.
    fn get_verified_chain<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyList>>> {
        let certs = self.conn.info().peer_certificates;
        if certs.is_empty() {
            return Ok(None);
        }
        let ctx = self.context_ref(py);
        let chain = ctx.get().lock().verified_chain(&certs, !self.server_side);
        let items = chain.into_iter().map(|c| PyCertificate::new(c.to_vec()));
        Ok(Some(PyList::new(py, items.collect::<Vec<_>>())?))
    }

    /// `(name, protocol, secret_bits)` of the negotiated suite.
    fn cipher<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyTuple>>> {
        let Some(suite) = self.conn.info().cipher_suite else {
            return Ok(None);
        };
        let Some(c) = ciphers::by_suite(suite) else {
            return Ok(None);
        };
        Ok(Some(PyTuple::new(
            py,
            [
                c.name.into_pyobject(py)?.into_any(),
                c.protocol.into_pyobject(py)?.into_any(),
                c.strength_bits.into_pyobject(py)?.into_any(),
            ],
        )?))
    }

    /// The negotiated protocol version, such as `TLSv1.3`.
    fn version(&self) -> Option<&'static str> {
        let info = self.conn.info();
        if info.established {
            info.version
        } else {
            None
        }
    }

    /// The ALPN protocol the server selected.
    fn selected_alpn_protocol(&self) -> Option<String> {
        self.conn
            .info()
            .alpn
            .map(|p| String::from_utf8_lossy(&p).into_owned())
    }

    /// TLS compression is never used.
    fn compression(&self) -> Option<&'static str> {
        None
    }

    /// Suites offered by the client and enabled here, in our order (server side).
    fn shared_ciphers(&self, py: Python<'_>) -> Option<Vec<(&'static str, &'static str, u32)>> {
        if !self.server_side {
            return None;
        }
        let offered = self.conn.info().offered_suites;
        if offered.is_empty() {
            return None;
        }
        let enabled = self.context_ref(py).get().lock().provider().cipher_suites;
        Some(
            enabled
                .iter()
                .map(|s| s.suite())
                .filter(|s| offered.contains(s))
                .filter_map(ciphers::by_suite)
                .map(|c| (c.name, c.protocol, c.strength_bits))
                .collect(),
        )
    }

    /// Channel binding data. `tls-exporter` (RFC 9266) is available;
    /// `tls-unique` needs the Finished message, which rustls does not expose.
    #[pyo3(signature = (cb_type = "tls-unique"))]
    fn get_channel_binding<'py>(
        &self,
        py: Python<'py>,
        cb_type: &str,
    ) -> Result<Option<Bound<'py, PyBytes>>> {
        if cb_type != CHANNEL_BINDING_EXPORTER {
            return Err(
                Error::Value(format!("'{cb_type}' channel binding type not implemented")).into(),
            );
        }
        if !self.conn.info().established {
            return Ok(None);
        }
        let data = self
            .conn
            .export_keying_material(EXPORTER_LABEL, None, EXPORTER_LENGTH)?;
        Ok(Some(PyBytes::new(py, &data)))
    }

    /// Fails as OpenSSL does where OpenSSL would fail too (TLS 1.2, a client,
    /// a client that did not offer it, ...); otherwise fails as on an OpenSSL
    /// build without post-handshake authentication, which rustls lacks.
    fn verify_client_post_handshake(&self, py: Python<'_>) -> Result<()> {
        let requests = self.verify_mode(py) != VerifyMode::None;
        Ok(self.conn.verify_client_post_handshake(requests)?)
    }

    /// The context this connection uses.
    #[getter]
    fn get_context(&self, py: Python<'_>) -> Py<PyContext> {
        self.context_ref(py)
    }

    #[setter]
    fn set_context(&self, value: Py<PyContext>) {
        *self.context.lock().unwrap_or_else(|p| p.into_inner()) = value;
    }

    /// Whether this is the server end.
    #[getter]
    fn server_side(&self) -> bool {
        self.server_side
    }

    /// The host name the client was asked to connect to.
    #[getter]
    fn server_hostname(&self) -> Option<String> {
        self.server_hostname.clone()
    }

    /// The `SSLSocket`/`SSLObject` this state belongs to.
    #[getter]
    fn get_owner(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        self.owner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .and_then(|w| w.bind(py).upgrade())
            .map(Bound::unbind)
    }

    #[setter]
    fn set_owner(&self, value: Option<Bound<'_, PyAny>>) -> PyResult<()> {
        *self.owner.lock().unwrap_or_else(|p| p.into_inner()) = weak(value.as_ref())?;
        Ok(())
    }

    /// The client's TLS session, for resumption (None before the handshake).
    #[getter]
    fn get_session(&self) -> Option<PySession> {
        self.conn.session().map(PySession)
    }

    /// Sets the session a client resumes; only before the handshake.
    #[setter]
    fn set_session(&self, py: Python<'_>, value: &Bound<'_, PyAny>) -> Result<()> {
        let session = PySession::extract_session(value)?;
        let ctx = self.context_ref(py);
        let mut core = ctx.get().lock();
        if session.context_id() != core.id() {
            return Err(Error::Value("Session refers to a different SSLContext.".into()).into());
        }
        if self.server_side {
            return Err(
                Error::Value("Cannot set session for server-side SSLSocket.".into()).into(),
            );
        }
        if self.established.load(Ordering::Acquire) {
            return Err(Error::Value("Cannot set session after handshake.".into()).into());
        }
        let (config, slot) = core.client_config_for(Some(session))?;
        self.conn.restart_client(config, slot)?;
        Ok(())
    }

    /// Whether the handshake resumed an earlier session.
    #[getter]
    fn session_reused(&self) -> bool {
        self.conn.info().resumed
    }

    /// Updates the timeout after `settimeout()`/`setblocking()` on the socket.
    fn _set_timeout(&self, timeout: Option<f64>) {
        if let Io::Fd { timeout: t, .. } = &self.io {
            *t.lock().unwrap_or_else(|p| p.into_inner()) = Timeout::from_seconds(timeout);
        }
    }

    /// Forgets the descriptor before the socket closes or detaches it.
    fn _release_fd(&self) {
        if let Io::Fd { fd, .. } = &self.io {
            fd.store(-1, Ordering::Release);
        }
    }

    /// The key-exchange group of the handshake, such as `X25519MLKEM768`.
    fn _group(&self) -> Option<String> {
        self.conn
            .info()
            .group
            .map(|g| rustssl_core::context::group_name(g).to_owned())
    }
}
