//! `SSLSession`: a session a client can resume with.

use std::sync::Arc;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use rustssl_core::Session;

/// `_ssl.SSLSession`. Created by connections, never by Python code.
#[pyclass(name = "SSLSession", module = "_ssl", frozen)]
pub struct PySession(pub Arc<Session>);

impl PySession {
    /// The core session behind a Python `SSLSession`, or the stdlib's TypeError.
    pub fn extract_session(value: &Bound<'_, PyAny>) -> PyResult<Arc<Session>> {
        value
            .cast::<PySession>()
            .map(|s| s.get().0.clone())
            .map_err(|_| PyTypeError::new_err("Value is not a SSLSession."))
    }
}

#[pymethods]
impl PySession {
    /// The session id.
    #[getter]
    fn id<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.0.id())
    }

    /// Creation time, in seconds since the epoch.
    #[getter]
    fn time(&self) -> u64 {
        self.0.time()
    }

    /// Lifetime in seconds.
    #[getter]
    fn timeout(&self) -> u64 {
        self.0.timeout()
    }

    /// The ticket lifetime hint, in seconds.
    #[getter]
    fn ticket_lifetime_hint(&self) -> u64 {
        self.0.ticket_lifetime_hint()
    }

    /// Whether the session holds a ticket.
    #[getter]
    fn has_ticket(&self) -> bool {
        self.0.has_ticket()
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PySession>()
            .map(|o| o.get().0.id() == self.0.id())
            .unwrap_or(false)
    }
}
