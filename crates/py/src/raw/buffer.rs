//! Borrowing the caller's buffers for the length of one call.
//!
//! Data is read from and decrypted into the memory Python handed us; it is
//! never copied into an intermediate Python object.
//!
//! Like CPython's `y*` and `w*` argument formats, any C-contiguous buffer is
//! accepted and seen as raw bytes, whatever its item format: an
//! `array('I')`, a memoryview cast to `'Q'`, an mmap... (`PyBuffer<u8>`
//! would insist on an unsigned-byte format, so the buffer is acquired
//! directly with `PyObject_GetBuffer`, which the stable ABI has since 3.11.)

use std::ffi::c_char;

use pyo3::exceptions::{PyBufferError, PyTypeError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// An exported buffer held for as long as this value lives, released on drop.
pub struct RawBuffer {
    /// Boxed so the view never moves while exported: exporters may keep
    /// pointers into it.
    view: Box<ffi::Py_buffer>,
}

// SAFETY: the view only describes memory owned by the exporting Python
// object, which the view keeps alive with a strong reference; releasing it
// (on drop) takes the GIL. Sending the handle to another thread is what
// PyO3's own `PyBuffer` allows too.
unsafe impl Send for RawBuffer {}
// SAFETY: `&RawBuffer` only gives out a shared byte slice (see `as_slice`);
// writing needs `&mut RawBuffer`.
unsafe impl Sync for RawBuffer {}

impl RawBuffer {
    /// Acquires `obj`'s buffer with `flags` (`PyBUF_SIMPLE` or
    /// `PyBUF_WRITABLE`, neither of which asks for a format) and checks that
    /// it is C-contiguous. The error is the exporter's own (a TypeError for
    /// objects without the buffer protocol, a BufferError for read-only
    /// exporters asked for a writable buffer).
    fn get(obj: &Bound<'_, PyAny>, flags: i32) -> PyResult<Self> {
        let mut view = Box::new(ffi::Py_buffer::new());
        // SAFETY: `obj` is a valid object (we hold a reference and the GIL)
        // and `view` points to writable, properly aligned storage for one
        // Py_buffer that outlives the call.
        let rc = unsafe { ffi::PyObject_GetBuffer(obj.as_ptr(), &mut *view, flags) };
        if rc != 0 {
            return Err(PyErr::fetch(obj.py()));
        }
        // From here on `buffer` owns the export and releases it on drop,
        // including on the error path below.
        let buffer = RawBuffer { view };
        // SAFETY: the view was filled in by a successful PyObject_GetBuffer.
        let contiguous = unsafe { ffi::PyBuffer_IsContiguous(&*buffer.view, b'C' as c_char) };
        if contiguous == 0 {
            return Err(PyBufferError::new_err("buffer is not contiguous"));
        }
        if buffer.view.len < 0 || (buffer.view.len > 0 && buffer.view.buf.is_null()) {
            return Err(PyBufferError::new_err("invalid buffer export"));
        }
        Ok(buffer)
    }

    /// The buffer's length in bytes.
    fn len(&self) -> usize {
        // Non-negative: checked in `get`.
        self.view.len as usize
    }

    fn readonly(&self) -> bool {
        self.view.readonly != 0
    }

    /// The exported bytes.
    fn as_slice(&self) -> &[u8] {
        if self.len() == 0 {
            return &[];
        }
        // SAFETY: a C-contiguous export (checked in `get`) is `len` bytes at
        // `buf` (non-null, checked in `get`), which stay valid until the view
        // is released in `drop`, after every borrow of `self` has ended. As in
        // CPython's ssl module, another thread may mutate a mutable buffer
        // concurrently; the bytes are only copied out as plain u8, for which
        // every bit pattern is valid.
        unsafe { std::slice::from_raw_parts(self.view.buf as *const u8, self.len()) }
    }

    /// The exported bytes, writable. Only for views acquired with
    /// `PyBUF_WRITABLE`.
    fn as_mut_slice(&mut self) -> &mut [u8] {
        if self.len() == 0 {
            return &mut [];
        }
        // SAFETY: as in `as_slice`; in addition the exporter granted a
        // writable view (PyBUF_WRITABLE succeeded and `readonly` is checked by
        // the caller on extraction), and `&mut self` keeps us from handing out
        // two slices of it at once.
        unsafe { std::slice::from_raw_parts_mut(self.view.buf as *mut u8, self.len()) }
    }
}

impl Drop for RawBuffer {
    fn drop(&mut self) {
        Python::attach(|_py| {
            // SAFETY: the view was acquired by a successful PyObject_GetBuffer
            // (a RawBuffer exists only then) and is released exactly once,
            // here, with the GIL held.
            unsafe { ffi::PyBuffer_Release(&mut *self.view) }
        });
    }
}

/// Bytes the caller passed in: a `bytes` object is borrowed directly, any
/// other object through the buffer protocol.
pub enum InBytes<'py> {
    /// A `bytes` object, borrowed without the buffer protocol.
    Bytes(Bound<'py, PyBytes>),
    /// A C-contiguous buffer of any format (bytearray, memoryview, array, mmap...).
    Buffer(RawBuffer),
}

impl<'py> FromPyObject<'_, 'py> for InBytes<'py> {
    type Error = PyErr;

    fn extract(obj: Borrowed<'_, 'py, PyAny>) -> PyResult<Self> {
        if let Ok(b) = obj.cast::<PyBytes>() {
            return Ok(InBytes::Bytes(b.to_owned()));
        }
        // PyObject_GetBuffer raises "a bytes-like object is required, not
        // 'X'" for objects without the protocol, as `y*` does.
        Ok(InBytes::Buffer(RawBuffer::get(&obj, ffi::PyBUF_SIMPLE)?))
    }
}

impl InBytes<'_> {
    /// The bytes, valid while `self` is alive.
    pub fn as_slice(&self) -> &[u8] {
        match self {
            InBytes::Bytes(b) => b.as_bytes(),
            InBytes::Buffer(buf) => buf.as_slice(),
        }
    }
}

/// A writable buffer the caller passed in.
pub struct OutBuffer(RawBuffer);

impl<'py> FromPyObject<'_, 'py> for OutBuffer {
    type Error = PyErr;

    fn extract(obj: Borrowed<'_, 'py, PyAny>) -> PyResult<Self> {
        let not_writable = || {
            PyTypeError::new_err(format!(
                "read-write bytes-like object is required, not '{}'",
                obj.get_type()
                    .name()
                    .map(|n| n.to_string())
                    .unwrap_or_default()
            ))
        };
        // Like `w*`, every failure (no buffer protocol, read-only, not
        // contiguous) is this TypeError.
        let buf = RawBuffer::get(&obj, ffi::PyBUF_WRITABLE).map_err(|_| not_writable())?;
        if buf.readonly() {
            return Err(not_writable());
        }
        Ok(OutBuffer(buf))
    }
}

impl OutBuffer {
    /// The buffer's length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The writable bytes, valid while `self` is alive.
    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        self.0.as_mut_slice()
    }
}
