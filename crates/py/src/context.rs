//! `_SSLContext`: a thin handle on the core context.
//!
//! Every setting lives in the core [`Context`] and is validated by its
//! `Settings` setters; properties here only convert Python values, so
//! Python and Rust can never disagree about a setting.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};
use pyo3::{PyTraverseError, PyVisit};
use rustssl_core::{
    all_ciphers, cipher_by_suite, parse_cipher_string, CipherInfo, Connection, Context, Error,
    KeyLogFile, Role, Settings, VerifyMode, DEFAULT_CIPHER_STRING,
};

use crate::certs::cert_to_dict;
use crate::convert;
use crate::errors::Result;
use crate::loaders;
use crate::raw::buffer::InBytes;
use crate::raw::fd::FdIo;
use crate::socket::PySslSocket;
use crate::transport::{BioHandle, Io};

/// `_ssl._SSLContext`.
#[pyclass(name = "_SSLContext", module = "_ssl", subclass, frozen)]
pub struct PyContext {
    inner: Mutex<Context>,
    sni_callback: Mutex<Option<Py<PyAny>>>,
}

impl PyContext {
    /// Locks the core context.
    pub fn lock(&self) -> MutexGuard<'_, Context> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn update<T>(&self, f: impl FnOnce(&mut Settings) -> rustssl_core::Result<T>) -> Result<T> {
        Ok(self.lock().update(f)?)
    }

    fn settings<T>(&self, f: impl FnOnce(&Settings) -> T) -> T {
        f(self.lock().settings())
    }

    /// The servername callback, if one is set.
    pub fn servername_callback(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        self.sni_callback
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .map(|c| c.clone_ref(py))
    }
}

#[pymethods]
impl PyContext {
    #[new]
    fn new(protocol: i32) -> Result<Self> {
        Ok(PyContext {
            inner: Mutex::new(Context::new(protocol)?),
            sni_callback: Mutex::new(None),
        })
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> std::result::Result<(), PyTraverseError> {
        if let Ok(cb) = self.sni_callback.try_lock() {
            if let Some(cb) = cb.as_ref() {
                visit.call(cb)?;
            }
        }
        Ok(())
    }

    fn __clear__(&self) {
        if let Ok(mut cb) = self.sni_callback.try_lock() {
            *cb = None;
        }
    }

    /// The `PROTOCOL_*` this context was created with.
    #[getter]
    fn protocol(&self) -> i32 {
        self.settings(|s| s.protocol)
    }

    /// Whether and how peer certificates are verified (`CERT_*`).
    #[getter]
    fn verify_mode(&self) -> i64 {
        self.settings(|s| s.verify_mode.as_int())
    }

    #[setter]
    fn set_verify_mode(&self, value: i64) -> Result<()> {
        let mode = VerifyMode::from_int(value)?;
        self.update(|s| s.set_verify_mode(mode))
    }

    /// Whether the peer's certificate must match `server_hostname`.
    #[getter]
    fn check_hostname(&self) -> bool {
        self.settings(|s| s.check_hostname)
    }

    #[setter]
    fn set_check_hostname(&self, value: &Bound<'_, PyAny>) -> Result<()> {
        let on = value.is_truthy()?;
        self.update(|s| {
            s.set_check_hostname(on);
            Ok(())
        })
    }

    /// The host-name matching flags (`HOSTFLAG_*`).
    #[getter(_host_flags)]
    fn host_flags(&self) -> u32 {
        self.settings(|s| s.host_flags)
    }

    #[setter(_host_flags)]
    fn set_host_flags(&self, value: u32) -> Result<()> {
        self.update(|s| {
            s.host_flags = value;
            Ok(())
        })
    }

    /// The chain verification flags (`VERIFY_*`).
    #[getter]
    fn verify_flags(&self) -> u32 {
        self.settings(|s| s.verify_flags)
    }

    #[setter]
    fn set_verify_flags(&self, value: u32) -> Result<()> {
        self.update(|s| s.set_verify_flags(value))
    }

    /// The `OP_*` option bits.
    #[getter]
    fn options(&self, py: Python<'_>) -> i128 {
        convert::options_to_py(py, self.settings(|s| s.options))
    }

    #[setter]
    fn set_options(&self, value: &Bound<'_, PyAny>) -> Result<()> {
        let value = convert::options_from_py(value)?;
        self.update(|s| {
            s.set_options(value);
            Ok(())
        })
    }

    /// The lowest TLS version allowed (a `TLSVersion` value).
    #[getter]
    fn minimum_version(&self) -> i32 {
        self.settings(|s| s.minimum_version)
    }

    #[setter]
    fn set_minimum_version(&self, value: i32) -> Result<()> {
        self.update(|s| s.set_minimum_version(value))
    }

    /// The highest TLS version allowed (a `TLSVersion` value).
    #[getter]
    fn maximum_version(&self) -> i32 {
        self.settings(|s| s.maximum_version)
    }

    #[setter]
    fn set_maximum_version(&self, value: i32) -> Result<()> {
        self.update(|s| s.set_maximum_version(value))
    }

    /// TLS 1.3 session tickets a server sends after a full handshake.
    #[getter]
    fn num_tickets(&self) -> usize {
        self.settings(|s| s.num_tickets)
    }

    #[setter]
    fn set_num_tickets(&self, value: isize) -> Result<()> {
        self.update(|s| s.set_num_tickets(value as i64))
    }

    /// The security level (from `@SECLEVEL=` in a cipher string).
    #[getter]
    fn security_level(&self) -> i32 {
        self.settings(|s| s.security_level)
    }

    /// Whether a client offers post-handshake authentication.
    #[getter]
    fn post_handshake_auth(&self) -> bool {
        self.settings(|s| s.post_handshake_auth)
    }

    #[setter]
    fn set_post_handshake_auth(&self, value: &Bound<'_, PyAny>) -> Result<()> {
        let on = value.is_truthy()?;
        self.update(|s| {
            s.post_handshake_auth = on;
            Ok(())
        })
    }

    /// The file TLS secrets are logged to, or None.
    #[getter]
    fn get_keylog_filename(&self) -> Option<String> {
        self.settings(|s| {
            s.keylog
                .as_ref()
                .map(|k| k.path().to_string_lossy().into_owned())
        })
    }

    #[setter]
    fn set_keylog_filename(&self, value: Option<PathBuf>) -> Result<()> {
        let log = match value {
            Some(path) => Some(Arc::new(KeyLogFile::open(&path)?)),
            None => None,
        };
        self.update(|s| {
            s.keylog = log;
            Ok(())
        })
    }

    /// Restricts ECDHE to the named curve, as OpenSSL's `SSL_CTX_set1_groups` with one group.
    fn set_ecdh_curve(&self, name: &Bound<'_, PyAny>) -> Result<()> {
        let name = convert::curve_name(name)?;
        self.update(|s| s.set_ecdh_curve(&name))
    }

    /// Checks a DH parameters file (rustls has no DHE suites to use it with).
    fn load_dh_params(&self, path: &Bound<'_, PyAny>) -> Result<()> {
        loaders::dh_params(path)
    }

    /// External PSK is not available in rustls.
    fn set_psk_client_callback(&self, _callback: &Bound<'_, PyAny>) -> Result<()> {
        Err(psk_unsupported().into())
    }

    /// External PSK is not available in rustls.
    #[pyo3(signature = (_callback, identity_hint = None))]
    fn set_psk_server_callback(
        &self,
        _callback: &Bound<'_, PyAny>,
        identity_hint: Option<&str>,
    ) -> Result<()> {
        let _ = identity_hint;
        Err(psk_unsupported().into())
    }

    #[getter]
    fn get_sni_callback(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        self.servername_callback(py)
    }

    #[setter]
    fn set_sni_callback(&self, value: Option<Bound<'_, PyAny>>) -> Result<()> {
        self.settings(Settings::check_sni_callback)?;
        let value = convert::opt_callable(value)?;
        *self.sni_callback.lock().unwrap_or_else(|p| p.into_inner()) = value;
        Ok(())
    }

    /// Loads the local certificate chain and private key.
    #[pyo3(signature = (certfile, keyfile = None, password = None))]
    fn load_cert_chain(
        &self,
        py: Python<'_>,
        certfile: &Bound<'_, PyAny>,
        keyfile: Option<&Bound<'_, PyAny>>,
        password: Option<&Bound<'_, PyAny>>,
    ) -> Result<()> {
        loaders::cert_chain(py, &self.inner, certfile, keyfile, password)
    }

    /// Adds trusted certificates and CRLs from a file, a hashed directory or memory.
    #[pyo3(signature = (cafile = None, capath = None, cadata = None))]
    fn load_verify_locations(
        &self,
        cafile: Option<&Bound<'_, PyAny>>,
        capath: Option<&Bound<'_, PyAny>>,
        cadata: Option<&Bound<'_, PyAny>>,
    ) -> Result<()> {
        loaders::verify_locations(&self.inner, cafile, capath, cadata)
    }

    /// `{'x509': n, 'crl': n, 'x509_ca': n}` for the trust store.
    fn cert_store_stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let (x509, ca, crl) = self.settings(|s| s.trust.stats());
        let d = PyDict::new(py);
        d.set_item("x509", x509)?;
        d.set_item("crl", crl)?;
        d.set_item("x509_ca", ca)?;
        Ok(d)
    }

    /// The CA certificates in the trust store, decoded or as DER.
    #[pyo3(signature = (binary_form = false))]
    fn get_ca_certs<'py>(&self, py: Python<'py>, binary_form: bool) -> Result<Bound<'py, PyList>> {
        let ders: Vec<Vec<u8>> = self.settings(|s| {
            s.trust
                .loaded_certs()
                .iter()
                .filter(|c| c.is_ca)
                .map(|c| c.der.to_vec())
                .collect()
        });
        let list = PyList::empty(py);
        for der in ders {
            if binary_form {
                list.append(PyBytes::new(py, &der))?;
            } else {
                list.append(cert_to_dict(py, &der)?)?;
            }
        }
        Ok(list)
    }

    /// Trusts the system's default locations (`SSL_CERT_FILE`, `SSL_CERT_DIR`, the OS bundle).
    fn set_default_verify_paths(&self) -> Result<()> {
        self.update(|s| s.trust.add_default_paths())
    }

    /// Selects TLS 1.2 suites with an OpenSSL cipher string.
    fn set_ciphers(&self, cipherlist: &str) -> Result<()> {
        let cipherlist = convert::c_string(cipherlist)?;
        self.update(|s| s.set_ciphers(cipherlist))
    }

    /// The enabled suites, as dicts with the stdlib's keys.
    fn get_ciphers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let chosen = self.settings(|s| s.tls12_suites.clone());
        let list = PyList::empty(py);
        let tls12: Vec<&CipherInfo> = match &chosen {
            Some(c) => c.iter().filter_map(|s| cipher_by_suite(*s)).collect(),
            None => parse_cipher_string(DEFAULT_CIPHER_STRING)
                .map(|sel| sel.tls12)
                .unwrap_or_default(),
        };
        let tls13 = all_ciphers().iter().filter(|c| c.is_tls13());
        for info in tls13.chain(tls12) {
            let d = PyDict::new(py);
            d.set_item("id", info.id)?;
            d.set_item("name", info.name)?;
            d.set_item("protocol", info.protocol)?;
            d.set_item("description", info.description())?;
            d.set_item("strength_bits", info.strength_bits)?;
            d.set_item("alg_bits", info.alg_bits)?;
            d.set_item("aead", info.aead)?;
            d.set_item("symmetric", info.symmetric)?;
            d.set_item("digest", info.digest)?;
            d.set_item("kea", info.kea)?;
            d.set_item("auth", info.auth)?;
            list.append(d)?;
        }
        Ok(list)
    }

    /// Sets the ALPN protocols from their wire encoding (length-prefixed names).
    fn _set_alpn_protocols(&self, protos: InBytes<'_>) -> Result<()> {
        self.update(|s| s.set_alpn_wire(protos.as_slice()))
    }

    /// Per-context handshake and session counters.
    fn session_stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (key, value) in self.lock().stats().snapshot() {
            d.set_item(key, value)?;
        }
        Ok(d)
    }

    /// Creates the TLS state of an `SSLSocket` over `sock`'s file descriptor.
    #[pyo3(signature = (sock, server_side, server_hostname = None, *, owner = None, session = None))]
    fn _wrap_socket(
        slf: &Bound<'_, Self>,
        sock: &Bound<'_, PyAny>,
        server_side: bool,
        server_hostname: Option<&Bound<'_, PyAny>>,
        owner: Option<&Bound<'_, PyAny>>,
        session: Option<&Bound<'_, PyAny>>,
    ) -> Result<PySslSocket> {
        let (conn, hostname) = connect(slf.get(), server_side, server_hostname, session)?;
        let fd: i32 = sock.call_method0("fileno")?.extract()?;
        let io = Io::Fd(FdIo::new(fd, convert::socket_timeout(sock)?));
        Ok(PySslSocket::new(
            slf,
            conn,
            io,
            Some(sock),
            hostname,
            owner,
        )?)
    }

    /// Creates the TLS state of an `SSLObject` over two memory BIOs.
    #[pyo3(signature = (incoming, outgoing, server_side, server_hostname = None, *, owner = None, session = None))]
    fn _wrap_bio(
        slf: &Bound<'_, Self>,
        incoming: &Bound<'_, PyAny>,
        outgoing: &Bound<'_, PyAny>,
        server_side: bool,
        server_hostname: Option<&Bound<'_, PyAny>>,
        owner: Option<&Bound<'_, PyAny>>,
        session: Option<&Bound<'_, PyAny>>,
    ) -> Result<PySslSocket> {
        if incoming.is(outgoing) {
            return Err(Error::Value("incoming and outgoing must be distinct BIOs".into()).into());
        }
        let (conn, hostname) = connect(slf.get(), server_side, server_hostname, session)?;
        let io = Io::Bio {
            incoming: BioHandle::new(incoming),
            outgoing: BioHandle::new(outgoing),
        };
        Ok(PySslSocket::new(slf, conn, io, None, hostname, owner)?)
    }
}

/// A core connection for a `_wrap_*` request, and its host name converted.
fn connect(
    ctx: &PyContext,
    server_side: bool,
    server_hostname: Option<&Bound<'_, PyAny>>,
    session: Option<&Bound<'_, PyAny>>,
) -> Result<(Connection, Option<String>)> {
    let hostname = convert::server_hostname(server_hostname)?;
    let session = convert::session(session)?;
    let role = if server_side {
        Role::Server
    } else {
        Role::Client
    };
    let conn = ctx.lock().connect(role, hostname.as_deref(), session)?;
    Ok((conn, hostname))
}

/// What both TLS-PSK callbacks raise: rustls has no external PSK.
fn psk_unsupported() -> Error {
    Error::Unsupported("TLS-PSK is not supported by rustssl (rustls has no external PSK)".into())
}
