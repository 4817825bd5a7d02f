//! The one place where core errors become Python exceptions.
//!
//! The exception classes themselves are defined in `rustssl._exceptions`
//! (so that they can subclass the stdlib's when it is importable) and are
//! bound here once.

use pyo3::exceptions::{PyNotImplementedError, PyOSError, PyTimeoutError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyType;
use rustssl_core::Error;

/// The exception classes `rustssl._exceptions` defines, bound on first use.
pub struct Exceptions {
    /// `SSLError`.
    pub ssl_error: Py<PyType>,
    /// `SSLZeroReturnError`.
    pub zero_return: Py<PyType>,
    /// `SSLWantReadError`.
    pub want_read: Py<PyType>,
    /// `SSLWantWriteError`.
    pub want_write: Py<PyType>,
    /// `SSLSyscallError`.
    pub syscall: Py<PyType>,
    /// `SSLEOFError`.
    pub eof: Py<PyType>,
    /// `SSLCertVerificationError`.
    pub cert_verification: Py<PyType>,
}

static EXCEPTIONS: PyOnceLock<Exceptions> = PyOnceLock::new();

/// The bound exception classes.
pub fn exceptions(py: Python<'_>) -> PyResult<&Exceptions> {
    EXCEPTIONS.get_or_try_init(py, || {
        let m = py.import("rustssl._exceptions")?;
        let get = |name: &str| -> PyResult<Py<PyType>> {
            Ok(m.getattr(name)?.cast_into::<PyType>()?.unbind())
        };
        Ok(Exceptions {
            ssl_error: get("SSLError")?,
            zero_return: get("SSLZeroReturnError")?,
            want_read: get("SSLWantReadError")?,
            want_write: get("SSLWantWriteError")?,
            syscall: get("SSLSyscallError")?,
            eof: get("SSLEOFError")?,
            cert_verification: get("SSLCertVerificationError")?,
        })
    })
}

/// A failure of a glue call: either a core error or an exception Python already raised.
pub enum Failure {
    /// An error from the core, converted in [`Failure::into_pyerr`].
    Core(Error),
    /// A Python exception passing through.
    Py(PyErr),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Core(e)
    }
}

impl From<std::convert::Infallible> for Failure {
    fn from(e: std::convert::Infallible) -> Self {
        match e {}
    }
}

impl From<pyo3::CastError<'_, '_>> for Failure {
    fn from(e: pyo3::CastError<'_, '_>) -> Self {
        Failure::Py(e.into())
    }
}

impl From<PyErr> for Failure {
    fn from(e: PyErr) -> Self {
        Failure::Py(e)
    }
}

impl From<Failure> for PyErr {
    fn from(f: Failure) -> Self {
        match f {
            Failure::Py(e) => e,
            Failure::Core(e) => Python::attach(|py| core_to_py(py, e)),
        }
    }
}

/// The glue's result type.
pub type Result<T> = std::result::Result<T, Failure>;

/// Builds an `SSLError` instance of class `ty` with CPython's attributes.
fn ssl_exception(
    py: Python<'_>,
    ty: &Py<PyType>,
    e: &Error,
    verify: Option<(i32, &str)>,
) -> PyResult<PyErr> {
    let value = ty.bind(py).call1((e.ssl_errno(), e.ssl_text()))?;
    let (library, reason) = e.library_reason();
    value.setattr("library", library)?;
    value.setattr("reason", reason)?;
    if let Some((code, message)) = verify {
        value.setattr("verify_code", code)?;
        value.setattr("verify_message", message)?;
    }
    Ok(PyErr::from_value(value))
}

/// The C library's message for `errno`, without Rust's "(os error N)" suffix.
fn strerror(py: Python<'_>, errno: i32) -> PyResult<String> {
    py.import("os")?
        .call_method1("strerror", (errno,))?
        .extract()
}

/// Converts a core error into the exception CPython raises for the same outcome.
pub fn core_to_py(py: Python<'_>, e: Error) -> PyErr {
    let exc = match exceptions(py) {
        Ok(exc) => exc,
        Err(err) => return err,
    };
    let built = match &e {
        Error::WantRead => ssl_exception(py, &exc.want_read, &e, None),
        Error::WantWrite => ssl_exception(py, &exc.want_write, &e, None),
        Error::ZeroReturn => ssl_exception(py, &exc.zero_return, &e, None),
        Error::Eof => ssl_exception(py, &exc.eof, &e, None),
        Error::Syscall(_) => ssl_exception(py, &exc.syscall, &e, None),
        Error::CertVerification { code, message } => {
            ssl_exception(py, &exc.cert_verification, &e, Some((*code, message)))
        }
        Error::Protocol { .. } | Error::Load { .. } => ssl_exception(py, &exc.ssl_error, &e, None),
        Error::Bare(m) => exc.ssl_error.bind(py).call1((*m,)).map(PyErr::from_value),
        Error::Io(io) => match io.raw_os_error() {
            // OSError picks the subclass (FileNotFoundError, ...) from the
            // errno; the text is the C library's, as CPython shows it.
            Some(errno) => strerror(py, errno).map(|text| PyOSError::new_err((errno, text))),
            None => Ok(PyOSError::new_err(io.to_string())),
        },
        Error::Timeout(_) => Ok(PyTimeoutError::new_err(e.to_string())),
        Error::Value(m) => Ok(PyValueError::new_err(m.clone())),
        Error::State(m) => Ok(PyValueError::new_err(*m)),
        Error::Unsupported(m) => Ok(PyNotImplementedError::new_err(m.clone())),
    };
    built.unwrap_or_else(|err| err)
}
