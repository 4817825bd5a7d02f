//! Where ciphertext comes from and goes to: a socket fd or a pair of `MemoryBIO`s.
//!
//! Transports never block in `recv`/`send`; blocking, timeouts and
//! non-blocking behaviour all live in [`Transport::wait`], so a connection
//! can release its lock while it waits.

use std::io::{self, IoSlice};
use std::os::fd::BorrowedFd;
use std::time::{Duration, Instant};

use rustix::event::{poll, PollFd, PollFlags, Timespec};
use rustix::net::{RecvFlags, SendFlags};

use crate::error::{Error, Operation, Result};

/// What a connection waits for before it can go on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Ciphertext from the peer.
    Read,
    /// Room to send ciphertext.
    Write,
}

/// A source and sink of ciphertext.
pub trait Transport {
    /// Reads available ciphertext; `Ok(0)` is end of stream, `WouldBlock` means none yet.
    fn recv(&mut self, buf: &mut [u8]) -> io::Result<usize>;
    /// Sends ciphertext without blocking; `WouldBlock` means no room yet.
    fn send(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize>;
    /// Waits until `need` can be met, or fails with the error Python expects
    /// (`WantRead`/`WantWrite` when non-blocking, `Timeout` past the deadline).
    fn wait(&mut self, need: Need, op: Operation) -> Result<()>;
    /// Whether waiting is impossible, so partial progress must be returned.
    fn is_nonblocking(&self) -> bool;
    /// Whether ciphertext must be taken one record at a time. A non-blocking
    /// socket is watched with select()/poll() by its owner, which sees only
    /// what is still in the kernel: reading ahead would hide records that are
    /// already here (OpenSSL, which CPython uses, never reads ahead).
    fn reads_by_record(&self) -> bool {
        false
    }
    /// Whether the owner may wait for ciphertext with select()/poll() on
    /// the transport itself (a socket), which cannot see what was already
    /// taken from it: then a read takes no more than the caller can be given.
    fn is_watched(&self) -> bool {
        false
    }
    /// The outgoing `MemoryBIO` itself, when application data can be
    /// encrypted straight into it (never full, so nothing is ever left
    /// unsent); `None` for a socket or a Python object.
    fn outgoing_bio(&mut self) -> Option<&mut MemoryBio> {
        None
    }
}

/// How a socket blocks, from Python's `sock.gettimeout()`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Timeout {
    /// `None`: wait for ever.
    Blocking,
    /// `0.0`: never wait.
    NonBlocking,
    /// A positive timeout covering the whole operation.
    After(Duration),
}

impl Timeout {
    /// Converts Python's `gettimeout()` value.
    pub fn from_seconds(t: Option<f64>) -> Self {
        match t {
            None => Timeout::Blocking,
            Some(s) if s <= 0.0 => Timeout::NonBlocking,
            Some(s) => Timeout::After(Duration::from_secs_f64(s)),
        }
    }
}

/// A connected socket, used for the length of one operation.
#[derive(Debug)]
pub struct FdTransport<'fd> {
    fd: BorrowedFd<'fd>,
    timeout: Timeout,
    deadline: Option<Instant>,
}

impl<'fd> FdTransport<'fd> {
    /// Starts an operation on `fd`; a timeout's deadline starts counting now.
    pub fn new(fd: BorrowedFd<'fd>, timeout: Timeout) -> Self {
        let deadline = match timeout {
            Timeout::After(d) => Instant::now().checked_add(d),
            _ => None,
        };
        FdTransport {
            fd,
            timeout,
            deadline,
        }
    }
}

impl Transport for FdTransport<'_> {
    fn recv(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            match rustix::net::recv(self.fd, &mut *buf, RecvFlags::DONTWAIT) {
                Ok((_, n)) => return Ok(n),
                Err(rustix::io::Errno::INTR) => continue,
                Err(e) => return Err(e.into()),
            }
        }
    }

    fn send(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        let mut control = rustix::net::SendAncillaryBuffer::default();
        loop {
            match rustix::net::sendmsg(
                self.fd,
                bufs,
                &mut control,
                SendFlags::DONTWAIT | SendFlags::NOSIGNAL,
            ) {
                Ok(n) => return Ok(n),
                Err(rustix::io::Errno::INTR) => continue,
                Err(e) => return Err(e.into()),
            }
        }
    }

    fn wait(&mut self, need: Need, op: Operation) -> Result<()> {
        let remaining = match self.timeout {
            Timeout::NonBlocking => {
                return Err(match need {
                    Need::Read => Error::WantRead,
                    Need::Write => Error::WantWrite,
                })
            }
            Timeout::Blocking => None,
            Timeout::After(_) => {
                let left = self
                    .deadline
                    .map(|d| d.saturating_duration_since(Instant::now()))
                    .unwrap_or(Duration::MAX);
                if left.is_zero() {
                    return Err(Error::Timeout(op));
                }
                Some(left)
            }
        };
        let flags = match need {
            Need::Read => PollFlags::IN,
            Need::Write => PollFlags::OUT,
        };
        let mut fds = [PollFd::new(&self.fd, flags)];
        let spec = remaining.map(|d| Timespec {
            tv_sec: i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            tv_nsec: i64::from(d.subsec_nanos()),
        });
        match poll(&mut fds, spec.as_ref()) {
            Ok(0) => Err(Error::Timeout(op)),
            Ok(_) => Ok(()),
            // Surface EINTR so the caller can run Python's signal handlers, then retry.
            Err(e) => Err(Error::Io(e.into())),
        }
    }

    fn is_nonblocking(&self) -> bool {
        self.timeout == Timeout::NonBlocking
    }

    fn reads_by_record(&self) -> bool {
        self.timeout == Timeout::NonBlocking
    }

    fn is_watched(&self) -> bool {
        true
    }
}

/// A growable byte queue: the state of a `MemoryBIO`.
///
/// The bytes waiting are `buf[start..end]`; `buf` beyond `end` is room
/// already allocated (and zeroed once), so that ciphertext can be encrypted
/// straight into it ([`spare`](Self::spare)).
#[derive(Debug, Default)]
pub struct MemoryBio {
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
}

impl MemoryBio {
    /// An empty buffer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Bytes waiting to be read.
    pub fn pending(&self) -> usize {
        self.end - self.start
    }

    /// Whether `write_eof` was called and everything was read.
    pub fn eof(&self) -> bool {
        self.eof && self.pending() == 0
    }

    /// Whether `write_eof` was called.
    pub fn eof_written(&self) -> bool {
        self.eof
    }

    /// Appends bytes.
    pub fn write(&mut self, data: &[u8]) -> Result<usize> {
        if self.eof {
            return Err(Error::Bare("cannot write() after write_eof()"));
        }
        self.push(data);
        Ok(data.len())
    }

    fn push(&mut self, data: &[u8]) {
        self.spare(data.len())[..data.len()].copy_from_slice(data);
        self.commit(data.len());
    }

    /// At least `more` writable bytes after those waiting, to be made part
    /// of the queue with [`commit`](Self::commit).
    pub(crate) fn spare(&mut self, more: usize) -> &mut [u8] {
        if self.buf.len() - self.end < more {
            if self.start > 0 {
                // What was read is dropped from the front first.
                self.buf.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
            }
            let need = self.end + more;
            if self.buf.len() < need {
                self.buf.resize(need.max(2 * self.buf.len()), 0);
            }
        }
        &mut self.buf[self.end..]
    }

    /// Appends the first `n` bytes of [`spare`](Self::spare) to the queue.
    pub(crate) fn commit(&mut self, n: usize) {
        self.end = (self.end + n).min(self.buf.len());
    }

    /// The last `n` bytes waiting.
    pub(crate) fn newest(&self, n: usize) -> &[u8] {
        &self.buf[self.end - n.min(self.pending())..self.end]
    }

    /// Marks the end of the stream.
    pub fn write_eof(&mut self) {
        self.eof = true;
    }

    /// Moves up to `out.len()` bytes into `out`.
    pub fn read_into(&mut self, out: &mut [u8]) -> usize {
        let n = out.len().min(self.pending());
        out[..n].copy_from_slice(&self.buf[self.start..self.start + n]);
        self.start += n;
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
        n
    }

    /// Reads as a transport does: `Ok(0)` once `write_eof` was called and
    /// everything read, `WouldBlock` while empty otherwise.
    pub fn recv(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.read_into(buf) {
            0 if self.eof || buf.is_empty() => Ok(0),
            0 => Err(io::ErrorKind::WouldBlock.into()),
            n => Ok(n),
        }
    }

    /// Takes up to `n` bytes (all when `n` is `None`).
    pub fn read(&mut self, n: Option<usize>) -> Vec<u8> {
        let n = n.unwrap_or(usize::MAX).min(self.pending());
        let mut out = vec![0; n];
        self.read_into(&mut out);
        out
    }
}

/// The two `MemoryBIO`s of an `SSLObject`, used for one operation.
#[derive(Debug)]
pub struct BioTransport<'a> {
    /// Ciphertext received from the peer.
    pub incoming: &'a mut MemoryBio,
    /// Ciphertext to be sent to the peer.
    pub outgoing: &'a mut MemoryBio,
}

impl Transport for BioTransport<'_> {
    fn recv(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.incoming.recv(buf)
    }

    fn send(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        let mut n = 0;
        for b in bufs {
            self.outgoing.push(b);
            n += b.len();
        }
        Ok(n)
    }

    fn wait(&mut self, need: Need, _op: Operation) -> Result<()> {
        Err(match need {
            Need::Read => Error::WantRead,
            Need::Write => Error::WantWrite,
        })
    }

    fn is_nonblocking(&self) -> bool {
        true
    }

    fn outgoing_bio(&mut self) -> Option<&mut MemoryBio> {
        Some(self.outgoing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_bio_is_a_fifo() {
        let mut b = MemoryBio::new();
        b.write(b"hello ").unwrap();
        b.write(b"world").unwrap();
        assert_eq!(b.pending(), 11);
        assert_eq!(b.read(Some(5)), b"hello");
        assert_eq!(b.read(None), b" world");
        assert!(!b.eof());
        b.write_eof();
        assert!(b.eof());
        assert!(b.write(b"x").is_err());
    }

    #[test]
    fn memory_bio_keeps_order_when_it_makes_room() {
        let mut b = MemoryBio::new();
        b.write(b"abcdef").unwrap();
        assert_eq!(b.read(Some(4)), b"abcd");
        // Room for more than is left after "ef": what was read is dropped
        // from the front, nothing waiting moves out of order.
        let room = b.spare(100);
        assert!(room.len() >= 100);
        room[..3].copy_from_slice(b"ghi");
        b.commit(3);
        assert_eq!(b.newest(3), b"ghi");
        assert_eq!(b.newest(10), b"efghi");
        b.write(&[b'j'; 5000]).unwrap();
        assert_eq!(b.pending(), 5005);
        assert_eq!(b.read(Some(5)), b"efghi");
        assert_eq!(b.read(None), vec![b'j'; 5000]);
        assert_eq!(b.pending(), 0);
    }

    #[test]
    fn bio_transport_reports_would_block_then_eof() {
        let mut inc = MemoryBio::new();
        let mut out = MemoryBio::new();
        let mut buf = [0u8; 4];
        {
            let mut t = BioTransport {
                incoming: &mut inc,
                outgoing: &mut out,
            };
            let e = t.recv(&mut buf).unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::WouldBlock);
            assert!(matches!(
                t.wait(Need::Read, Operation::Read),
                Err(Error::WantRead)
            ));
            t.send(&[IoSlice::new(b"ab"), IoSlice::new(b"c")]).unwrap();
        }
        assert_eq!(out.read(None), b"abc");
        inc.write_eof();
        let mut t = BioTransport {
            incoming: &mut inc,
            outgoing: &mut out,
        };
        assert_eq!(t.recv(&mut buf).unwrap(), 0);
    }
}
