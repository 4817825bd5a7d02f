//! Where a connection's ciphertext goes: a socket's descriptor (the fd
//! transport in `raw::fd`) or two memory BIOs, ours or any Python object
//! with `read()`, `write()` and `eof` (the stdlib's, which asyncio creates).

use pyo3::prelude::*;
use pyo3::types::PyBytes;
use rustssl_core::{BioTransport, Connection, Error, Need, Operation, Transport};

use crate::bio::PyMemoryBio;
use crate::errors::{Failure, Result};
use crate::raw::fd::FdIo;

/// One end of an `SSLObject`'s transport.
pub enum BioHandle {
    /// Our own `MemoryBIO`: its queue is used in place.
    Ours(Py<PyMemoryBio>),
    /// Any other object with `read()`, `write()` and `eof` (the stdlib's `MemoryBIO`).
    Foreign(Py<PyAny>),
}

impl BioHandle {
    /// Classifies a BIO argument.
    pub fn new(obj: &Bound<'_, PyAny>) -> Self {
        match obj.cast::<PyMemoryBio>() {
            Ok(ours) => BioHandle::Ours(ours.clone().unbind()),
            Err(_) => BioHandle::Foreign(obj.clone().unbind()),
        }
    }
}

/// Where the connection's ciphertext goes.
pub enum Io {
    /// A socket's descriptor.
    Fd(FdIo),
    /// Two memory BIOs.
    Bio {
        /// What the peer sent.
        incoming: BioHandle,
        /// What goes to the peer.
        outgoing: BioHandle,
    },
}

impl Io {
    /// Runs one core operation against the transport: with the GIL released,
    /// unless a BIO is a Python object whose methods must be called.
    pub fn run<T, F>(&self, py: Python<'_>, conn: &Connection, op: F) -> Result<T>
    where
        T: Send,
        F: FnMut(&Connection, &mut dyn Transport) -> rustssl_core::Result<T> + Send,
    {
        match self {
            Io::Fd(fd) => fd.run(py, conn, op),
            Io::Bio { incoming, outgoing } => run_bio(py, conn, incoming, outgoing, op),
        }
    }
}

fn run_bio<T, F>(
    py: Python<'_>,
    conn: &Connection,
    incoming: &BioHandle,
    outgoing: &BioHandle,
    mut op: F,
) -> Result<T>
where
    T: Send,
    F: FnMut(&Connection, &mut dyn Transport) -> rustssl_core::Result<T> + Send,
{
    if let (BioHandle::Ours(inc), BioHandle::Ours(out)) = (incoming, outgoing) {
        let (inc, out) = (inc.get(), out.get());
        return py
            .detach(|| {
                let mut inc = inc.lock();
                let mut out = out.lock();
                let mut t = BioTransport {
                    incoming: &mut inc,
                    outgoing: &mut out,
                };
                let result = op(conn, &mut t);
                crate::raw::finalizing::park_if_finalizing();
                result
            })
            .map_err(Failure::from);
    }
    // A foreign BIO: the connection reads and writes it through its Python
    // methods, taking only what it asks for, so nothing has to be handed back.
    let mut t = PyBioTransport {
        py,
        incoming,
        outgoing,
        error: None,
    };
    let result = op(conn, &mut t);
    if let Some(err) = t.error.take() {
        return Err(Failure::Py(err));
    }
    result.map_err(Failure::from)
}

/// Memory BIOs of which at least one is not ours, used with the GIL held.
struct PyBioTransport<'a, 'py> {
    py: Python<'py>,
    incoming: &'a BioHandle,
    outgoing: &'a BioHandle,
    /// A Python exception raised by a BIO method, re-raised after the operation.
    error: Option<PyErr>,
}

impl PyBioTransport<'_, '_> {
    fn fail(&mut self, err: PyErr) -> std::io::Error {
        self.error = Some(err);
        std::io::Error::other("a MemoryBIO method raised")
    }

    fn recv_foreign(&mut self, obj: &Py<PyAny>, buf: &mut [u8]) -> std::io::Result<usize> {
        let obj = obj.bind(self.py);
        let data = match obj
            .call_method1("read", (buf.len(),))
            .and_then(|d| Ok(d.cast_into::<PyBytes>()?))
        {
            Ok(d) => d,
            Err(e) => return Err(self.fail(e)),
        };
        let bytes = data.as_bytes();
        let n = bytes.len().min(buf.len());
        buf[..n].copy_from_slice(&bytes[..n]);
        if n > 0 || buf.is_empty() {
            return Ok(n);
        }
        match obj.getattr("eof").and_then(|e| e.is_truthy()) {
            Ok(true) => Ok(0),
            Ok(false) => Err(std::io::ErrorKind::WouldBlock.into()),
            Err(e) => Err(self.fail(e)),
        }
    }
}

impl Transport for PyBioTransport<'_, '_> {
    fn recv(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self.incoming {
            BioHandle::Ours(bio) => bio.get().lock().recv(buf),
            BioHandle::Foreign(obj) => self.recv_foreign(obj, buf),
        }
    }

    fn send(&mut self, bufs: &[std::io::IoSlice<'_>]) -> std::io::Result<usize> {
        let total: usize = bufs.iter().map(|b| b.len()).sum();
        match self.outgoing {
            BioHandle::Ours(bio) => {
                let mut bio = bio.get().lock();
                for b in bufs {
                    bio.write(b).map_err(std::io::Error::other)?;
                }
                Ok(total)
            }
            BioHandle::Foreign(obj) => {
                let data = PyBytes::new_with(self.py, total, |out| {
                    let mut at = 0;
                    for b in bufs {
                        out[at..at + b.len()].copy_from_slice(b);
                        at += b.len();
                    }
                    Ok(())
                });
                match data.and_then(|d| obj.bind(self.py).call_method1("write", (d,))) {
                    Ok(_) => Ok(total),
                    Err(e) => Err(self.fail(e)),
                }
            }
        }
    }

    fn wait(&mut self, need: Need, _op: Operation) -> rustssl_core::Result<()> {
        Err(match need {
            Need::Read => Error::WantRead,
            Need::Write => Error::WantWrite,
        })
    }

    fn is_nonblocking(&self) -> bool {
        true
    }
}
