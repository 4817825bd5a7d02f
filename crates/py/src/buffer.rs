//! Borrowing the caller's buffers for the length of one call.
//!
//! Data is read from and decrypted into the memory Python handed us; it is
//! never copied into an intermediate Python object.

use pyo3::buffer::PyBuffer;
use pyo3::exceptions::{PyBufferError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// Bytes the caller passed in: a `bytes` object is borrowed directly, any
/// other object through the buffer protocol.
pub enum InBytes<'py> {
    /// A `bytes` object, borrowed without the buffer protocol.
    Bytes(Bound<'py, PyBytes>),
    /// A contiguous buffer (bytearray, memoryview, array, mmap...).
    Buffer(PyBuffer<u8>),
}

impl<'py> FromPyObject<'_, 'py> for InBytes<'py> {
    type Error = PyErr;

    fn extract(obj: Borrowed<'_, 'py, PyAny>) -> PyResult<Self> {
        if let Ok(b) = obj.cast::<PyBytes>() {
            return Ok(InBytes::Bytes(b.to_owned()));
        }
        let buf = PyBuffer::<u8>::get(&obj).map_err(|_| {
            PyTypeError::new_err(format!(
                "a bytes-like object is required, not '{}'",
                obj.get_type()
                    .name()
                    .map(|n| n.to_string())
                    .unwrap_or_default()
            ))
        })?;
        if !buf.is_c_contiguous() {
            return Err(PyBufferError::new_err("buffer is not contiguous"));
        }
        Ok(InBytes::Buffer(buf))
    }
}

impl InBytes<'_> {
    /// The bytes, valid while `self` is alive.
    pub fn as_slice(&self) -> &[u8] {
        match self {
            InBytes::Bytes(b) => b.as_bytes(),
            // SAFETY: the buffer is C-contiguous (checked on extraction), holds
            // `len_bytes()` bytes at `buf_ptr()`, and stays exported while
            // `self` holds the PyBuffer. Like CPython's ssl module we tolerate
            // another thread mutating a mutable buffer concurrently: the bytes
            // are only read, never interpreted as anything but u8.
            InBytes::Buffer(buf) => unsafe {
                std::slice::from_raw_parts(buf.buf_ptr() as *const u8, buf.len_bytes())
            },
        }
    }
}

/// A writable buffer the caller passed in.
pub struct OutBuffer(PyBuffer<u8>);

impl<'py> FromPyObject<'_, 'py> for OutBuffer {
    type Error = PyErr;

    fn extract(obj: Borrowed<'_, 'py, PyAny>) -> PyResult<Self> {
        let buf = PyBuffer::<u8>::get(&obj)?;
        if buf.readonly() {
            return Err(PyTypeError::new_err(
                "read-write bytes-like object is required",
            ));
        }
        if !buf.is_c_contiguous() {
            return Err(PyBufferError::new_err("buffer is not contiguous"));
        }
        Ok(OutBuffer(buf))
    }
}

impl OutBuffer {
    /// The buffer's length in bytes.
    pub fn len(&self) -> usize {
        self.0.len_bytes()
    }

    /// The writable bytes, valid while `self` is alive.
    #[allow(clippy::mut_from_ref)] // The memory belongs to the Python object, not to `self`.
    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        // SAFETY: the buffer is writable and C-contiguous (checked on
        // extraction) and stays exported while `self` holds it; `&mut self`
        // keeps this call from handing out two slices at once. Concurrent
        // mutation by another Python thread is tolerated as in CPython: any
        // byte pattern is a valid u8.
        unsafe { std::slice::from_raw_parts_mut(self.0.buf_ptr() as *mut u8, self.0.len_bytes()) }
    }
}
