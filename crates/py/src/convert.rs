//! Argument conversion: Python values to the core's types, with the
//! `TypeError`/`ValueError` texts of CPython's own argument converters.
//!
//! Only shapes are checked here; what a value means to a setting is decided
//! by the core's `Settings` setters.

use std::path::PathBuf;
use std::sync::Arc;

use pyo3::exceptions::{PyOverflowError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyString, PyWeakrefReference};
use rustssl_core::{Error, Session, Timeout};

use crate::errors::Result;
use crate::session::PySession;

/// A path argument as CPython's `PyUnicode_FSConverter` takes it (str,
/// bytes or path-like). With `message`, a value that is none of those
/// raises that `TypeError`; without, `os.fsdecode`'s own.
pub fn fs_path(value: &Bound<'_, PyAny>, message: Option<&'static str>) -> Result<PathBuf> {
    let os = value.py().import("os")?;
    let decoded = os.call_method1("fsdecode", (value,));
    decoded.and_then(|d| d.extract::<PathBuf>()).map_err(|e| {
        match message {
            Some(m) if e.is_instance_of::<PyTypeError>(value.py()) => PyTypeError::new_err(m),
            _ => e,
        }
        .into()
    })
}

/// An optional path argument: None (or absent) is no path.
pub fn opt_fs_path(
    value: Option<&Bound<'_, PyAny>>,
    message: &'static str,
) -> Result<Option<PathBuf>> {
    match value {
        Some(v) if !v.is_none() => Ok(Some(fs_path(v, Some(message))?)),
        _ => Ok(None),
    }
}

/// The bytes of a password given as str (UTF-8), bytes or bytearray.
pub fn password_bytes(value: &Bound<'_, PyAny>, type_error: &'static str) -> Result<Vec<u8>> {
    if let Ok(text) = value.cast::<PyString>() {
        let encoded = text.call_method1("encode", ("utf-8",))?;
        return Ok(encoded.cast::<PyBytes>()?.as_bytes().to_vec());
    }
    if let Ok(b) = value.cast::<PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    if let Ok(b) = value.cast::<PyByteArray>() {
        return Ok(b.to_vec());
    }
    Err(PyTypeError::new_err(type_error).into())
}

/// A host name as CPython's `es` converter takes it: text with no NUL.
pub fn encoded_hostname(name: String) -> Result<String> {
    if name.contains('\0') {
        return Err(PyTypeError::new_err(
            "argument must be encoded string without null bytes, not str",
        )
        .into());
    }
    Ok(name)
}

/// `server_hostname` as str (IDNA-encoded by the Python layer) or ASCII
/// bytes, then CPython's check that it names a host.
pub fn server_hostname(value: Option<&Bound<'_, PyAny>>) -> Result<Option<String>> {
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    let name: String = if let Ok(b) = value.cast::<PyBytes>() {
        String::from_utf8(b.as_bytes().to_vec())
            .map_err(|_| Error::Value("server_hostname must be ASCII".into()))?
    } else {
        value.extract()?
    };
    let name = encoded_hostname(name)?;
    if name.is_empty() || name.starts_with('.') {
        return Err(Error::Value(
            "server_hostname cannot be an empty string or start with a leading dot.".into(),
        )
        .into());
    }
    Ok(Some(name))
}

/// The `session` argument: None or an `SSLSession`.
pub fn session(value: Option<&Bound<'_, PyAny>>) -> Result<Option<Arc<Session>>> {
    match value {
        Some(v) if !v.is_none() => Ok(Some(PySession::extract_session(v)?)),
        _ => Ok(None),
    }
}

/// A weak reference to `obj`, or None for None.
pub fn weak(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Py<PyWeakrefReference>>> {
    match obj {
        Some(o) if !o.is_none() => Ok(Some(PyWeakrefReference::new(o)?.unbind())),
        _ => Ok(None),
    }
}

/// The object behind a weak reference, if it is still alive.
pub fn upgrade(py: Python<'_>, weak: Option<&Py<PyWeakrefReference>>) -> Option<Py<PyAny>> {
    weak.and_then(|w| w.bind(py).upgrade()).map(Bound::unbind)
}

/// A socket's `gettimeout()`.
pub fn socket_timeout(sock: &Bound<'_, PyAny>) -> PyResult<Timeout> {
    let t: Option<f64> = sock.call_method0("gettimeout")?.extract()?;
    Ok(Timeout::from_seconds(t))
}

/// `options` as the running interpreter reads them: Python 3.11 keeps them
/// in a C `long` (bit 63 reads back negative), 3.12 and later in a `uint64_t`.
pub fn options_to_py(py: Python<'_>, options: u64) -> i128 {
    if py.version_info() < (3, 12) {
        i128::from(options as i64)
    } else {
        i128::from(options)
    }
}

/// `options` as the running interpreter takes them: out-of-range values
/// raise `OverflowError` with its own message, for a C `long` before 3.12
/// and a `uint64_t` from 3.12 on (gh-106687).
pub fn options_from_py(value: &Bound<'_, PyAny>) -> Result<u64> {
    let py = value.py();
    let value: i128 = value.extract()?;
    if py.version_info() < (3, 12) {
        let long = i64::try_from(value)
            .map_err(|_| PyOverflowError::new_err("Python int too large to convert to C long"))?;
        Ok(long as u64)
    } else if value < 0 {
        Err(PyOverflowError::new_err("can't convert negative int to unsigned").into())
    } else {
        Ok(u64::try_from(value).map_err(|_| PyOverflowError::new_err("int too big to convert"))?)
    }
}

/// A `str` argument as CPython's `s` converter takes it: no NUL inside.
pub fn c_string(value: &str) -> Result<&str> {
    if value.contains('\0') {
        return Err(PyValueError::new_err("embedded null character").into());
    }
    Ok(value)
}

/// A `set_ecdh_curve` name: str, or bytes read as text.
pub fn curve_name(name: &Bound<'_, PyAny>) -> Result<String> {
    if let Ok(b) = name.cast::<PyBytes>() {
        return Ok(String::from_utf8_lossy(b.as_bytes()).into_owned());
    }
    Ok(name.extract()?)
}

/// An optional callable: None clears it; anything else must be callable.
pub fn opt_callable(value: Option<Bound<'_, PyAny>>) -> Result<Option<Py<PyAny>>> {
    match value {
        Some(v) if v.is_none() => Ok(None),
        Some(v) if !v.is_callable() => Err(PyTypeError::new_err("not a callable object").into()),
        other => Ok(other.map(Bound::unbind)),
    }
}
