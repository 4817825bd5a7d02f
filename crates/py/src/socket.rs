//! `_SSLSocket`: the TLS state behind both `SSLSocket` and `SSLObject`.
//!
//! One class serves both, as in CPython: over a socket it reads and writes
//! the file descriptor itself with the GIL released (`raw::fd`); over memory
//! BIOs it moves bytes between the BIOs and rustls (`transport`).

use std::sync::Mutex;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyTuple, PyWeakrefReference};
use rustssl_core::{
    cipher_by_suite, key_exchange_group_name, Connection, Error, HandshakeStatus, Role, Timeout,
    Transport, VerifyMode,
};

use crate::certs::{cert_to_dict, PyCertificate};
use crate::context::PyContext;
use crate::convert::{upgrade, weak};
use crate::errors::Result;
use crate::raw::buffer::{InBytes, OutBuffer};
use crate::session::PySession;
use crate::sni;
use crate::transport::Io;

thread_local! {
    /// Where `read(len)` without a buffer decrypts to, reused across calls.
    static SCRATCH: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

/// The channel binding type rustssl provides (RFC 9266).
const CHANNEL_BINDING_EXPORTER: &str = "tls-exporter";
/// The exporter label RFC 9266 defines.
const EXPORTER_LABEL: &[u8] = b"EXPORTER-Channel-Binding";
/// The exporter output length RFC 9266 defines.
const EXPORTER_LENGTH: usize = 32;

/// `ssl.OP_IGNORE_UNEXPECTED_EOF`.
const OP_IGNORE_UNEXPECTED_EOF: u64 = rustssl_core::constants::OP_IGNORE_UNEXPECTED_EOF;

/// `_ssl._SSLSocket`.
#[pyclass(name = "_SSLSocket", module = "_ssl", frozen)]
pub struct PySslSocket {
    conn: Connection,
    io: Io,
    context: Mutex<Py<PyContext>>,
    owner: Mutex<Option<Py<PyWeakrefReference>>>,
    /// The Python socket, for `shutdown()` to hand back (weak, to avoid a cycle).
    socket: Option<Py<PyWeakrefReference>>,
    server_hostname: Option<String>,
    /// `OP_IGNORE_UNEXPECTED_EOF` at creation: a ragged EOF then reads as a clean one.
    ignore_unexpected_eof: bool,
}

impl PySslSocket {
    /// The state of a connection `conn` made by `ctx`, over `io`; `sock` is
    /// the Python socket behind an fd transport.
    pub fn new(
        ctx: &Bound<'_, PyContext>,
        conn: Connection,
        io: Io,
        sock: Option<&Bound<'_, PyAny>>,
        server_hostname: Option<String>,
        owner: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let options = ctx.get().lock().settings().options;
        Ok(PySslSocket {
            conn,
            io,
            context: Mutex::new(ctx.clone().unbind()),
            owner: Mutex::new(weak(owner)?),
            socket: weak(sock)?,
            server_hostname,
            ignore_unexpected_eof: options & OP_IGNORE_UNEXPECTED_EOF != 0,
        })
    }

    fn context_ref(&self, py: Python<'_>) -> Py<PyContext> {
        self.context
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone_ref(py)
    }

    fn is_server(&self) -> bool {
        self.conn.role() == Role::Server
    }

    /// Runs one core operation against the transport.
    fn run<T, F>(&self, py: Python<'_>, op: F) -> Result<T>
    where
        T: Send,
        F: FnMut(&Connection, &mut dyn Transport) -> rustssl_core::Result<T> + Send,
    {
        self.io.run(py, &self.conn, op)
    }

    /// Completes the handshake if it has not been done yet (reads and writes do it implicitly).
    fn ensure_handshake(&self, py: Python<'_>) -> Result<()> {
        if self.conn.is_established() {
            return Ok(());
        }
        self.handshake(py)
    }

    /// Runs the handshake; on the server side, the SNI callback decides the
    /// config once the ClientHello is in.
    fn handshake(&self, py: Python<'_>) -> Result<()> {
        loop {
            let HandshakeStatus::ClientHello(hello) = self.run(py, |c, io| c.handshake(io))? else {
                return Ok(());
            };
            let initial = self.context_ref(py);
            let highest = sni::highest_version(&initial);
            let owner = self.get_owner(py);
            if let Some(alert) =
                sni::run_callback(py, &initial, owner, hello.server_name.as_deref())
            {
                self.run(py, |c, io| c.reject_hello(alert, io))?;
                return Err(sni::callback_failed(alert).into());
            }
            let config = sni::server_config(&initial, &self.context_ref(py), &hello)?;
            self.run(py, |c, io| c.accept(config.clone(), highest, io))?;
        }
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
        Ok(upgrade(py, self.socket.as_ref()))
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
        let chain = ctx.get().lock().verified_chain(&certs, !self.is_server());
        let items = chain.into_iter().map(|c| PyCertificate::new(c.to_vec()));
        Ok(Some(PyList::new(py, items.collect::<Vec<_>>())?))
    }

    /// `(name, protocol, secret_bits)` of the negotiated suite.
    fn cipher<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyTuple>>> {
        let Some(suite) = self.conn.info().cipher_suite else {
            return Ok(None);
        };
        let Some(c) = cipher_by_suite(suite) else {
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
        if !self.is_server() {
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
                .filter_map(cipher_by_suite)
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
        self.is_server()
    }

    /// The host name the client was asked to connect to.
    #[getter]
    fn server_hostname(&self) -> Option<String> {
        self.server_hostname.clone()
    }

    /// The `SSLSocket`/`SSLObject` this state belongs to.
    #[getter]
    fn get_owner(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        upgrade(
            py,
            self.owner
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .as_ref(),
        )
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
        Ok(core.set_session(&self.conn, session)?)
    }

    /// Whether the handshake resumed an earlier session.
    #[getter]
    fn session_reused(&self) -> bool {
        self.conn.info().resumed
    }

    /// Updates the timeout after `settimeout()`/`setblocking()` on the socket.
    fn _set_timeout(&self, timeout: Option<f64>) {
        if let Io::Fd(fd) = &self.io {
            fd.set_timeout(Timeout::from_seconds(timeout));
        }
    }

    /// Forgets the descriptor before the socket closes or detaches it.
    fn _release_fd(&self) {
        if let Io::Fd(fd) = &self.io {
            fd.release();
        }
    }

    /// The key-exchange group of the handshake, such as `X25519MLKEM768`.
    fn _group(&self) -> Option<String> {
        self.conn
            .info()
            .group
            .map(|g| key_exchange_group_name(g).to_owned())
    }
}
