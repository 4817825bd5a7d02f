//! The fd transport: core operations on a socket's descriptor, run with the
//! GIL released. Socket bytes never pass through Python objects.

use std::os::fd::BorrowedFd;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Mutex;

use pyo3::prelude::*;
use rustssl_core::{Connection, Error, FdTransport, Timeout, Transport};

use crate::errors::{Failure, Result};

/// A socket's descriptor (−1 once released) and its Python timeout.
pub struct FdIo {
    fd: AtomicI32,
    timeout: Mutex<Timeout>,
}

impl FdIo {
    /// The transport over descriptor `fd`, waiting as `timeout` says.
    pub fn new(fd: i32, timeout: Timeout) -> Self {
        FdIo {
            fd: AtomicI32::new(fd),
            timeout: Mutex::new(timeout),
        }
    }

    /// Follows `settimeout()`/`setblocking()` on the socket.
    pub fn set_timeout(&self, timeout: Timeout) {
        *self.timeout.lock().unwrap_or_else(|p| p.into_inner()) = timeout;
    }

    /// Forgets the descriptor before the socket closes or detaches it.
    pub fn release(&self) {
        self.fd.store(-1, Ordering::Release);
    }

    /// Runs `op` on `conn` over the descriptor with the GIL released,
    /// retrying after Python's signal handlers when a wait is interrupted.
    pub fn run<T, F>(&self, py: Python<'_>, conn: &Connection, mut op: F) -> Result<T>
    where
        T: Send,
        F: FnMut(&Connection, &mut dyn Transport) -> rustssl_core::Result<T> + Send,
    {
        loop {
            let raw = self.fd.load(Ordering::Acquire);
            if raw < 0 {
                return Err(Error::Io(std::io::Error::from_raw_os_error(libc::EBADF)).into());
            }
            let timeout = *self.timeout.lock().unwrap_or_else(|p| p.into_inner());
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
                super::finalizing::park_if_finalizing();
                result
            });
            match result {
                Err(Error::Io(e)) if e.kind() == std::io::ErrorKind::Interrupted => {
                    // Let Python run its signal handlers (and raise), then retry.
                    py.check_signals()?;
                }
                other => return other.map_err(Failure::from),
            }
        }
    }
}
