//! Record framing: record boundaries in the bytes received and sent, and the receive buffer.

use std::io::{self, IoSlice, Write};

use super::guard::{self, Check};
use super::transport::Transport;

/// Size of the buffer ciphertext is received into: a few full records per syscall.
pub(super) const RECV_BUFFER: usize = 64 * 1024;
/// Length of a TLS record header.
const RECORD_HEADER: usize = 5;
/// A read of at least this much that comes back full means the peer is
/// streaming (a whole maximum-size plaintext record and more was waiting).
const STREAMING_READ: usize = 16 * 1024;

/// Follows TLS record boundaries in the received byte stream, so a read can
/// stop exactly at the end of a record, and runs the guard's header checks.
#[derive(Default)]
pub(super) struct Framing {
    header: [u8; RECORD_HEADER],
    header_len: usize,
    body_left: usize,
    body_len: usize,
    /// A ChangeCipherSpec record has passed.
    pub(super) after_ccs: bool,
    /// A protected record has passed: application_data, or any record
    /// after a ChangeCipherSpec.
    pub(super) protected: bool,
    /// The content type of the last record header seen.
    pub(super) last_type: Option<u8>,
    /// application_data records seen (in TLS 1.3, every protected record).
    pub(super) app_records: u64,
    /// The first header the guard refused, if any.
    pub(super) refused: Option<&'static Check>,
}

impl Framing {
    /// Accounts for bytes received from the transport; with `guarded`,
    /// checks each record header that completes (see `guard.rs`).
    pub(super) fn observe(&mut self, mut data: &[u8], guarded: bool) {
        while !data.is_empty() {
            if self.body_left > 0 {
                let n = self.body_left.min(data.len());
                self.body_left -= n;
                data = &data[n..];
                continue;
            }
            let n = (RECORD_HEADER - self.header_len).min(data.len());
            self.header[self.header_len..self.header_len + n].copy_from_slice(&data[..n]);
            self.header_len += n;
            data = &data[n..];
            if self.header_len == RECORD_HEADER {
                if guarded && self.refused.is_none() {
                    self.refused = guard::check_header(&self.header, self.after_ccs).err();
                }
                self.protected |= self.after_ccs || guard::is_application_data(&self.header);
                self.app_records += u64::from(guard::is_application_data(&self.header));
                self.last_type = Some(self.header[0]);
                self.after_ccs |= guard::is_ccs(&self.header);
                self.body_len = usize::from(u16::from_be_bytes([self.header[3], self.header[4]]));
                self.body_left = self.body_len;
                self.header_len = 0;
            }
        }
    }

    /// Bytes of the current, incomplete record received so far.
    pub(super) fn received_of_current(&self) -> usize {
        if self.body_left > 0 {
            RECORD_HEADER + self.body_len - self.body_left
        } else {
            self.header_len
        }
    }

    /// Bytes that may be received without reaching into the next record.
    pub(super) fn remainder(&self) -> usize {
        if self.body_left > 0 {
            self.body_left
        } else {
            RECORD_HEADER - self.header_len
        }
    }

    /// Bytes that may be received leaving the body of every later record in
    /// the transport: the rest of the current record and the next header.
    /// A record's body is never empty, so whatever follows stays visible to
    /// select(), and one read per record suffices once the first header is in.
    pub(super) fn through_next_header(&self) -> usize {
        if self.body_left > 0 {
            self.body_left + RECORD_HEADER
        } else {
            RECORD_HEADER - self.header_len
        }
    }
}

thread_local! {
    /// The thread's receive buffer, lent to a connection while it holds unread ciphertext.
    static RECEIVE_BUFFER: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

/// Ciphertext received but not yet handed to rustls.
#[derive(Default)]
pub(super) struct InBuf {
    buf: Vec<u8>,
    start: usize,
    end: usize,
    pub(super) framing: Framing,
    /// The last read filled a request of at least a whole record: the peer
    /// is streaming, and the next read may take several records at once.
    pub(super) streaming: bool,
}

impl InBuf {
    pub(super) fn is_empty(&self) -> bool {
        self.start == self.end
    }

    pub(super) fn data(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    pub(super) fn consume(&mut self, n: usize) {
        self.start = (self.start + n).min(self.end);
        if self.start == self.end {
            self.release();
        }
    }

    /// Hands the drained buffer back to the thread, so an idle connection holds none.
    fn release(&mut self) {
        let buf = std::mem::take(&mut self.buf);
        self.start = 0;
        self.end = 0;
        RECEIVE_BUFFER.with(|cell| {
            let current = cell.take();
            cell.set(if current.len() >= buf.len() {
                current
            } else {
                buf
            });
        });
    }

    /// Receives into the empty buffer: at most `limit` bytes. `Ok(0)` is end of stream.
    ///
    /// The connection borrows its thread's receive buffer for as long as
    /// rustls has not taken everything in it, then gives it back, so idle
    /// connections hold no buffer. One system call fills it with up to 64
    /// KiB; `read_tls` then copies from it into rustls' own buffer, which
    /// takes at most 4 KiB per read from a socket it reads itself.
    pub(super) fn fill(
        &mut self,
        io: &mut dyn Transport,
        limit: usize,
        guarded: bool,
    ) -> io::Result<usize> {
        debug_assert!(self.is_empty());
        let mut buf = RECEIVE_BUFFER.with(|cell| cell.take());
        if buf.len() < RECV_BUFFER {
            buf.resize(RECV_BUFFER, 0);
        }
        let want = limit.clamp(1, RECV_BUFFER);
        let result = io.recv(&mut buf[..want]);
        self.buf = buf;
        match result {
            Ok(n) if n > 0 => {
                self.streaming = n == want && want >= STREAMING_READ;
                self.framing.observe(&self.buf[..n], guarded);
                self.start = 0;
                self.end = n;
            }
            _ => self.release(),
        }
        result
    }
}

/// Adapts a transport to the `io::Write` rustls sends through; with a
/// framing, follows the records sent until the first protected one.
pub(super) struct Sink<'a>(
    pub(super) &'a mut dyn Transport,
    pub(super) Option<&'a mut Framing>,
);

impl Write for Sink<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_vectored(&[IoSlice::new(buf)])
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        let n = self.0.send(bufs)?;
        if let Some(sent) = &mut self.1 {
            let mut left = n;
            for buf in bufs {
                if left == 0 {
                    break;
                }
                let k = left.min(buf.len());
                sent.observe(&buf[..k], false);
                left -= k;
            }
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn framing_runs_the_guard_only_when_asked() {
        // A header claiming 2^14+1 bytes, split across two reads.
        let mut off = Framing::default();
        off.observe(&[22, 3, 1, 0x40, 0x01], false);
        assert_eq!(off.refused, None);
        let mut on = Framing::default();
        on.observe(&[22, 3], true);
        assert_eq!(on.refused, None);
        on.observe(&[1, 0x40, 0x01], true);
        assert_eq!(on.refused, Some(&guard::PLAINTEXT_OVERFLOW));
        // After a ChangeCipherSpec, TLS 1.2 ciphertext may be longer.
        let mut ccs = Framing::default();
        ccs.observe(&[20, 3, 3, 0, 1, 1, 22, 3, 3, 0x40, 0x01], true);
        assert_eq!(ccs.refused, None);
        assert!(ccs.after_ccs);
        // The record after a ChangeCipherSpec is protected; the CCS is not.
        assert!(ccs.protected);
        assert_eq!(ccs.last_type, Some(22));
        let mut hello_only = Framing::default();
        hello_only.observe(&[22, 3, 1, 0, 1, 0, 20, 3, 3, 0, 1, 1], false);
        assert!(!hello_only.protected);
        hello_only.observe(&[23, 3, 3, 0, 0], false);
        assert!(hello_only.protected);
        // The first refusal is kept.
        let mut two = Framing::default();
        two.observe(&[0, 3, 3, 0, 1, 0, 22, 0, 0, 0, 1], true);
        assert_eq!(two.refused, Some(&guard::CONTENT_TYPE));
    }

    #[test]
    fn framing_stops_at_record_ends() {
        let mut f = Framing::default();
        assert_eq!((f.remainder(), f.received_of_current()), (5, 0));
        f.observe(&[23, 3, 3], false);
        assert_eq!((f.remainder(), f.received_of_current()), (2, 3));
        f.observe(&[0, 19], false);
        assert_eq!((f.remainder(), f.received_of_current()), (19, 5));
        f.observe(&[0; 10], false);
        assert_eq!((f.remainder(), f.received_of_current()), (9, 15));
        // The rest of this record plus a whole second one in one chunk.
        let mut chunk = vec![0; 9];
        chunk.extend_from_slice(&[21, 3, 3, 0, 2, 1, 0]);
        f.observe(&chunk, false);
        assert_eq!((f.remainder(), f.received_of_current()), (5, 0));
    }

    #[test]
    fn handshake_reads_stop_at_the_next_header() {
        let mut f = Framing::default();
        assert_eq!(f.through_next_header(), 5);
        f.observe(&[22, 3, 3, 0, 40], false);
        // The body and the next record's header, never the next body.
        assert_eq!(f.through_next_header(), 45);
        f.observe(&[0; 30], false);
        assert_eq!(f.through_next_header(), 15);
        let mut rest = vec![0; 10];
        rest.extend_from_slice(&[23, 3, 3]);
        f.observe(&rest, false);
        assert_eq!(f.through_next_header(), 2);
    }
}
