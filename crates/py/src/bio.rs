//! `MemoryBIO`: the in-memory transport of `SSLObject`.

use std::sync::{Mutex, MutexGuard};

use pyo3::prelude::*;
use pyo3::types::PyBytes;
use rustssl_core::MemoryBio;

use crate::errors::Result;
use crate::raw::buffer::InBytes;

/// `_ssl.MemoryBIO`.
#[pyclass(name = "MemoryBIO", module = "_ssl", frozen)]
pub struct PyMemoryBio {
    inner: Mutex<MemoryBio>,
}

impl PyMemoryBio {
    /// Locks the queue for one operation.
    pub fn lock(&self) -> MutexGuard<'_, MemoryBio> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[pymethods]
impl PyMemoryBio {
    #[new]
    fn new() -> Self {
        PyMemoryBio {
            inner: Mutex::new(MemoryBio::new()),
        }
    }

    /// The number of bytes waiting to be read.
    #[getter]
    fn pending(&self) -> usize {
        self.lock().pending()
    }

    /// Whether the end of the stream has been reached.
    #[getter]
    fn eof(&self) -> bool {
        self.lock().eof()
    }

    /// Reads up to `size` bytes (all of them when `size` is negative).
    #[pyo3(signature = (size = -1))]
    fn read<'py>(&self, py: Python<'py>, size: isize) -> PyResult<Bound<'py, PyBytes>> {
        let mut bio = self.lock();
        let n = usize::try_from(size)
            .unwrap_or(usize::MAX)
            .min(bio.pending());
        PyBytes::new_with(py, n, |out| {
            bio.read_into(out);
            Ok(())
        })
    }

    /// Appends bytes; returns how many were written.
    fn write(&self, data: InBytes<'_>) -> Result<usize> {
        Ok(self.lock().write(data.as_slice())?)
    }

    /// Marks the end of the stream: no more data will be written.
    fn write_eof(&self) {
        self.lock().write_eof();
    }
}
