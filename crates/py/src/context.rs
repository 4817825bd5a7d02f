//! `_SSLContext`: a thin handle on the core context.
//!
//! Every setting lives in the core [`Context`]; properties read and write it
//! directly, so Python and Rust can never disagree about a setting.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use pyo3::exceptions::{PyEOFError, PyOSError, PyOverflowError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString};
use pyo3::{PyTraverseError, PyVisit};
use rustssl_core::context::{Context, Role, Settings};
use rustssl_core::session::Session;
use rustssl_core::verify::VerifyMode;
use rustssl_core::{ciphers, keys, Error};

use crate::certs::cert_to_dict;
use crate::errors::Result;
use crate::session::PySession;
use crate::socket::{BioHandle, PySslSocket};

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

fn read_file(path: &PathBuf) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::Io(e).into())
}

/// A path argument as CPython's `PyUnicode_FSConverter` takes it, with
/// CPython's `TypeError` text when it is not one.
fn fs_path(value: &Bound<'_, PyAny>, message: &'static str) -> Result<PathBuf> {
    let os = value.py().import("os")?;
    // os.fsdecode takes str, bytes and path-like objects, as the converter does.
    let decoded = os.call_method1("fsdecode", (value,));
    decoded.and_then(|d| d.extract::<PathBuf>()).map_err(|e| {
        if e.is_instance_of::<PyTypeError>(value.py()) {
            PyTypeError::new_err(message).into()
        } else {
            e.into()
        }
    })
}

/// A `load_cert_chain` password before the key says whether it is needed.
enum Password<'py> {
    /// A str, bytes or bytearray given directly.
    Bytes(Vec<u8>),
    /// A callable, called only for an encrypted key.
    Callable(Bound<'py, PyAny>),
    /// None given: asked for on the terminal if the key is encrypted, as
    /// OpenSSL's default password callback does.
    Prompt,
}

/// OpenSSL's prompt for a PEM pass phrase.
const PEM_PROMPT: &str = "Enter PEM pass phrase:";

/// Reads a pass phrase the way OpenSSL's default callback does: from the
/// controlling terminal with echo off, else from standard input (both through
/// `getpass`). `None` when there is nothing to read: the load then fails as
/// for a missing password. Other errors, `KeyboardInterrupt` included, propagate.
fn prompt_pass_phrase(py: Python<'_>) -> Result<Option<Vec<u8>>> {
    match py.import("getpass")?.call_method1("getpass", (PEM_PROMPT,)) {
        Ok(text) => Ok(Some(password_bytes(
            &text,
            "getpass returned a non-string",
        )?)),
        Err(e) if e.is_instance_of::<PyEOFError>(py) || e.is_instance_of::<PyOSError>(py) => {
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

/// The bytes of a password given as str (UTF-8), bytes or bytearray.
fn password_bytes(value: &Bound<'_, PyAny>, type_error: &'static str) -> Result<Vec<u8>> {
    if let Ok(text) = value.cast::<PyString>() {
        let encoded = text.call_method1("encode", ("utf-8",))?;
        return Ok(encoded.cast::<PyBytes>()?.as_bytes().to_vec());
    }
    if let Ok(b) = value.cast::<PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    if let Ok(b) = value.cast::<pyo3::types::PyByteArray>() {
        return Ok(b.to_vec());
    }
    Err(PyTypeError::new_err(type_error).into())
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

    #[getter]
    fn verify_mode(&self) -> i64 {
        self.settings(|s| s.verify_mode.as_int())
    }

    #[setter]
    fn set_verify_mode(&self, value: i64) -> Result<()> {
        let mode = VerifyMode::from_int(value)?;
        self.update(|s| {
            if mode == VerifyMode::None && s.check_hostname {
                return Err(Error::Value(
                    "Cannot set verify_mode to CERT_NONE when check_hostname is enabled.".into(),
                ));
            }
            s.verify_mode = mode;
            Ok(())
        })
    }

    #[getter]
    fn check_hostname(&self) -> bool {
        self.settings(|s| s.check_hostname)
    }

    #[setter]
    fn set_check_hostname(&self, value: &Bound<'_, PyAny>) -> Result<()> {
        let on = value.is_truthy()?;
        self.update(|s| {
            // Turning the check on implies verifying the chain, as in CPython.
            if on && s.verify_mode == VerifyMode::None {
                s.verify_mode = VerifyMode::Required;
            }
            s.check_hostname = on;
            Ok(())
        })
    }

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

    #[getter]
    fn verify_flags(&self) -> u32 {
        self.settings(|s| s.verify_flags)
    }

    #[setter]
    fn set_verify_flags(&self, value: u32) -> Result<()> {
        Settings::check_verify_flags(value)?;
        self.update(|s| {
            s.verify_flags = value;
            Ok(())
        })
    }

    /// Python 3.11 keeps the options in a C `long` (bit 63 reads back
    /// negative); 3.12 and later in a `uint64_t`.
    #[getter]
    fn options(&self, py: Python<'_>) -> i128 {
        let options = self.settings(|s| s.options);
        if py.version_info() < (3, 12) {
            i128::from(options as i64)
        } else {
            i128::from(options)
        }
    }

    /// Out-of-range values raise `OverflowError` with the running
    /// interpreter's own message: a C `long` before 3.12, a `uint64_t` from
    /// 3.12 on (gh-106687).
    #[setter]
    fn set_options(&self, value: &Bound<'_, PyAny>) -> Result<()> {
        let py = value.py();
        let value: i128 = value.extract()?;
        let value = if py.version_info() < (3, 12) {
            let long = i64::try_from(value).map_err(|_| {
                PyOverflowError::new_err("Python int too large to convert to C long")
            })?;
            long as u64
        } else if value < 0 {
            return Err(PyOverflowError::new_err("can't convert negative int to unsigned").into());
        } else {
            u64::try_from(value).map_err(|_| PyOverflowError::new_err("int too big to convert"))?
        };
        self.update(|s| {
            s.set_options(value);
            Ok(())
        })
    }

    #[getter]
    fn minimum_version(&self) -> i32 {
        self.settings(|s| s.minimum_version)
    }

    #[setter]
    fn set_minimum_version(&self, value: i32) -> Result<()> {
        self.update(|s| {
            s.check_version_value(value)?;
            s.minimum_version = value;
            Ok(())
        })
    }

    #[getter]
    fn maximum_version(&self) -> i32 {
        self.settings(|s| s.maximum_version)
    }

    #[setter]
    fn set_maximum_version(&self, value: i32) -> Result<()> {
        self.update(|s| {
            s.check_version_value(value)?;
            s.maximum_version = value;
            Ok(())
        })
    }

    #[getter]
    fn num_tickets(&self) -> usize {
        self.settings(|s| s.num_tickets)
    }

    #[setter]
    fn set_num_tickets(&self, value: isize) -> Result<()> {
        let n = usize::try_from(value)
            .map_err(|_| Error::Value("value must be non-negative".into()))?;
        self.update(|s| {
            if s.protocol == rustssl_core::context::PROTOCOL_TLS_CLIENT {
                return Err(Error::Value("SSLContext is not a server context.".into()));
            }
            s.num_tickets = n;
            Ok(())
        })
    }

    #[getter]
    fn security_level(&self) -> i32 {
        self.settings(|s| s.security_level)
    }

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
            Some(path) => Some(Arc::new(rustssl_core::keylog::KeyLogFile::open(&path)?)),
            None => None,
        };
        self.update(|s| {
            s.keylog = log;
            Ok(())
        })
    }

    /// Restricts ECDHE to the named curve, as OpenSSL's `SSL_CTX_set1_groups` with one group.
    fn set_ecdh_curve(&self, name: &Bound<'_, PyAny>) -> Result<()> {
        let name: String = if let Ok(b) = name.cast::<PyBytes>() {
            String::from_utf8_lossy(b.as_bytes()).into_owned()
        } else {
            name.extract()?
        };
        let group = rustssl_core::context::group_by_curve_name(&name)?;
        self.update(|s| {
            s.groups = Some(vec![group]);
            Ok(())
        })
    }

    /// Checks a DH parameters file. rustls offers no DHE suites, so the
    /// parameters are validated but never used.
    fn load_dh_params(&self, path: PathBuf) -> Result<()> {
        let data = read_file(&path)?;
        let found = rustssl_core::x509::pem_blocks(&data)
            .iter()
            .any(|(label, der)| label == "DH PARAMETERS" && !der.is_empty());
        if !found {
            return Err(Error::Protocol {
                library: "PEM",
                reason: "NO_START_LINE",
                message: "no start line".into(),
            }
            .into());
        }
        Ok(())
    }

    /// External PSK is not available in rustls.
    fn set_psk_client_callback(&self, _callback: &Bound<'_, PyAny>) -> Result<()> {
        Err(Error::Unsupported(
            "TLS-PSK is not supported by rustssl (rustls has no external PSK)".into(),
        )
        .into())
    }

    /// External PSK is not available in rustls.
    #[pyo3(signature = (_callback, identity_hint = None))]
    fn set_psk_server_callback(
        &self,
        _callback: &Bound<'_, PyAny>,
        identity_hint: Option<&str>,
    ) -> Result<()> {
        let _ = identity_hint;
        Err(Error::Unsupported(
            "TLS-PSK is not supported by rustssl (rustls has no external PSK)".into(),
        )
        .into())
    }

    #[getter]
    fn get_sni_callback(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        self.servername_callback(py)
    }

    #[setter]
    fn set_sni_callback(&self, value: Option<Bound<'_, PyAny>>) -> Result<()> {
        if self.settings(|s| s.protocol) == rustssl_core::context::PROTOCOL_TLS_CLIENT {
            return Err(
                Error::Value("sni_callback cannot be set on TLS_CLIENT context".into()).into(),
            );
        }
        let value = match value {
            Some(v) if v.is_none() => None,
            Some(v) if !v.is_callable() => {
                return Err(PyTypeError::new_err("not a callable object").into())
            }
            other => other.map(Bound::unbind),
        };
        *self.sni_callback.lock().unwrap_or_else(|p| p.into_inner()) = value;
        Ok(())
    }

    /// Loads the local certificate chain and private key.
    ///
    /// `password` is str, bytes, bytearray or a callable returning one of
    /// those; the callable is called only if the key is encrypted, as
    /// OpenSSL calls CPython's password callback only then. Without one, an
    /// encrypted key's pass phrase is asked for on the terminal, as OpenSSL's
    /// default callback does.
    #[pyo3(signature = (certfile, keyfile = None, password = None))]
    fn load_cert_chain(
        &self,
        py: Python<'_>,
        certfile: &Bound<'_, PyAny>,
        keyfile: Option<&Bound<'_, PyAny>>,
        password: Option<&Bound<'_, PyAny>>,
    ) -> Result<()> {
        let certfile = fs_path(certfile, "certfile should be a valid filesystem path")?;
        let keyfile = match keyfile {
            Some(k) if !k.is_none() => {
                Some(fs_path(k, "keyfile should be a valid filesystem path")?)
            }
            _ => None,
        };
        let password = match password {
            Some(p) if p.is_none() => Password::Prompt,
            Some(p) if p.is_callable() => Password::Callable(p.clone()),
            Some(p) => Password::Bytes(password_bytes(
                p,
                "password should be a string or callable",
            )?),
            None => Password::Prompt,
        };
        let security_level = self.settings(|s| s.security_level);
        let cert_pem = read_file(&certfile)?;
        let chain = keys::read_chain(&cert_pem, security_level)?;
        let key_pem = match &keyfile {
            Some(path) => read_file(path)?,
            None => cert_pem,
        };
        let password = match password {
            Password::Bytes(b) => Some(b),
            _ if !keys::key_is_encrypted(&key_pem) => None,
            Password::Callable(f) => {
                let returned = f.call0()?;
                Some(password_bytes(
                    &returned,
                    "password callback must return a string",
                )?)
            }
            Password::Prompt => prompt_pass_phrase(py)?,
        };
        let key = keys::read_private_key(&key_pem, password.as_deref())?;
        let provider = self.lock().provider();
        let ck = keys::certified_key(&provider, chain, key)?;
        self.update(|s| {
            s.add_identity(ck);
            Ok(())
        })
    }

    /// Adds trusted certificates and CRLs from a file, a hashed directory or memory.
    #[pyo3(signature = (cafile = None, capath = None, cadata = None))]
    fn load_verify_locations(
        &self,
        cafile: Option<PathBuf>,
        capath: Option<PathBuf>,
        cadata: Option<Bound<'_, PyAny>>,
    ) -> Result<()> {
        if cafile.is_none() && capath.is_none() && cadata.is_none() {
            return Err(
                PyTypeError::new_err("cafile, capath and cadata cannot be all omitted").into(),
            );
        }
        let mut sources: Vec<(Vec<u8>, CaSource)> = Vec::new();
        if let Some(data) = &cadata {
            if let Ok(text) = data.cast::<PyString>() {
                let text = text.to_str()?;
                if !text.is_ascii() {
                    return Err(PyTypeError::new_err("cadata should be an ASCII string").into());
                }
                sources.push((text.as_bytes().to_vec(), CaSource::CadataText));
            } else if let Ok(b) = data.extract::<crate::buffer::InBytes<'_>>() {
                sources.push((b.as_slice().to_vec(), CaSource::CadataDer));
            } else {
                return Err(PyTypeError::new_err(
                    "cadata should be an ASCII string or a bytes-like object",
                )
                .into());
            }
        }
        if let Some(path) = &cafile {
            sources.push((read_file(path)?, CaSource::File));
        }
        let dir = match &capath {
            Some(p) => Some(std::fs::read_dir(p).map_err(Error::Io)?),
            None => None,
        };
        self.update(|s| {
            for (data, source) in &sources {
                match source {
                    CaSource::CadataText => s.trust.add_pem_bundle(data, true)?,
                    CaSource::File => s.trust.add_pem_bundle(data, false)?,
                    CaSource::CadataDer => s.trust.add_der_bundle(data)?,
                };
            }
            if let Some(dir) = dir {
                s.trust.add_hashed_dir(dir)?;
            }
            Ok(())
        })
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
        if cipherlist.contains('\0') {
            return Err(PyValueError::new_err("embedded null character").into());
        }
        let selection =
            ciphers::parse(cipherlist).map_err(|_| Error::Bare("No cipher can be selected."))?;
        selection.check_security_level()?;
        self.update(|s| {
            s.tls12_suites = Some(selection.tls12.iter().map(|c| c.suite).collect());
            if let Some(level) = selection.security_level {
                s.security_level = i32::from(level);
            }
            Ok(())
        })
    }

    /// The enabled suites, as dicts with the stdlib's keys.
    fn get_ciphers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let chosen = self.settings(|s| s.tls12_suites.clone());
        let list = PyList::empty(py);
        let tls12: Vec<&ciphers::CipherInfo> = match &chosen {
            Some(c) => c.iter().filter_map(|s| ciphers::by_suite(*s)).collect(),
            None => ciphers::parse(ciphers::DEFAULT_CIPHER_STRING)
                .map(|sel| sel.tls12)
                .unwrap_or_default(),
        };
        let tls13 = ciphers::all().iter().filter(|c| c.is_tls13());
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
    fn _set_alpn_protocols(&self, protos: crate::buffer::InBytes<'_>) -> Result<()> {
        let wire = protos.as_slice();
        let mut list = Vec::new();
        let mut rest = wire;
        while let Some((&len, tail)) = rest.split_first() {
            let len = usize::from(len);
            if len == 0 || tail.len() < len {
                return Err(Error::Value("invalid ALPN protocol list".into()).into());
            }
            list.push(tail[..len].to_vec());
            rest = &tail[len..];
        }
        self.update(|s| {
            s.alpn_protocols = list;
            Ok(())
        })
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
        let hostname = hostname_arg(server_hostname)?;
        let session = session_arg(session)?;
        let connection = new_connection(slf.get(), server_side, hostname.as_deref(), session)?;
        PySslSocket::over_socket(slf, connection, sock, server_side, hostname, owner)
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
        let hostname = hostname_arg(server_hostname)?;
        let session = session_arg(session)?;
        let connection = new_connection(slf.get(), server_side, hostname.as_deref(), session)?;
        PySslSocket::over_bios(
            slf,
            connection,
            BioHandle::new(incoming),
            BioHandle::new(outgoing),
            server_side,
            hostname,
            owner,
        )
    }
}

/// Where trusted certificates given to `load_verify_locations` came from.
enum CaSource {
    /// `cadata` as text: PEM.
    CadataText,
    /// `cadata` as bytes: concatenated DER.
    CadataDer,
    /// `cafile`: PEM.
    File,
}

/// `server_hostname` as str (already IDNA-encoded by the Python layer) or ASCII bytes.
fn hostname_arg(value: Option<&Bound<'_, PyAny>>) -> Result<Option<String>> {
    let Some(value) = value else {
        return Ok(None);
    };
    if value.is_none() {
        return Ok(None);
    }
    let name: String = if let Ok(b) = value.cast::<PyBytes>() {
        String::from_utf8(b.as_bytes().to_vec())
            .map_err(|_| Error::Value("server_hostname must be ASCII".into()))?
    } else {
        value.extract()?
    };
    if name.is_empty() || name.starts_with('.') {
        return Err(Error::Value(
            "server_hostname cannot be an empty string or start with a leading dot.".into(),
        )
        .into());
    }
    if name.contains('\0') {
        return Err(PyTypeError::new_err(
            "argument must be encoded string without null bytes, not str",
        )
        .into());
    }
    Ok(Some(name))
}

/// The `session` argument: None or an `SSLSession`.
fn session_arg(value: Option<&Bound<'_, PyAny>>) -> Result<Option<Arc<Session>>> {
    match value {
        None => Ok(None),
        Some(v) if v.is_none() => Ok(None),
        Some(v) => Ok(Some(PySession::extract_session(v)?)),
    }
}

/// Checks the wrap request against the context, then creates the core connection.
fn new_connection(
    ctx: &PyContext,
    server_side: bool,
    hostname: Option<&str>,
    session: Option<Arc<Session>>,
) -> Result<rustssl_core::conn::Connection> {
    let mut core = ctx.lock();
    let role = if server_side {
        Role::Server
    } else {
        Role::Client
    };
    let settings = core.settings();
    if !settings.allows(role) {
        let msg = if server_side {
            "Cannot create a server socket with a PROTOCOL_TLS_CLIENT context"
        } else {
            "Cannot create a client socket with a PROTOCOL_TLS_SERVER context"
        };
        return Err(Error::Value(msg.into()).into());
    }
    if !server_side && settings.check_hostname && hostname.is_none() {
        return Err(Error::Value("check_hostname requires server_hostname".into()).into());
    }
    if server_side && session.is_some() {
        return Err(Error::Value("session can only be specified in client mode".into()).into());
    }
    let stats = core.stats();
    Ok(match role {
        Role::Client => {
            let (config, slot) = core.client_config_for(session)?;
            rustssl_core::conn::Connection::client(config, slot, hostname, stats)?
        }
        Role::Server => rustssl_core::conn::Connection::server(stats),
    })
}
