//! Record framing: record boundaries in the bytes received and sent, and the receive buffer.

use std::io::{self, IoSlice};

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

/// Largest amount of ciphertext a connection holds while rustls joins one
/// handshake message across records, headers included: the 64 KiB that
/// rustls' own buffered connections hold at most.
pub(super) const MAX_HELD: usize = 0xffff;

thread_local! {
    /// The thread's receive buffer, lent to a connection while it holds unread ciphertext.
    static RECEIVE_BUFFER: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
    /// The thread's send buffer, lent to a connection while it holds unsent ciphertext.
    static SEND_BUFFER: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

/// Takes `cell`'s buffer, at least `len` bytes long (grown, and so zeroed,
/// only when it is shorter).
fn borrow(cell: &'static std::thread::LocalKey<std::cell::Cell<Vec<u8>>>, len: usize) -> Vec<u8> {
    let mut buf = cell.with(std::cell::Cell::take);
    if buf.len() < len {
        buf.resize(len, 0);
    }
    buf
}

/// Gives a buffer back to `cell`, which keeps the larger of the two.
fn give_back(cell: &'static std::thread::LocalKey<std::cell::Cell<Vec<u8>>>, buf: Vec<u8>) {
    if buf.is_empty() {
        return;
    }
    cell.with(|c| {
        let current = c.take();
        c.set(if current.len() >= buf.len() {
            current
        } else {
            buf
        });
    });
}

/// Bytes held between `start` and `end` of a buffer that is either lent by
/// the thread (while the connection works on it) or the connection's own,
/// sized to what it holds (while it waits). An empty `Bytes` holds no
/// allocation, so an idle connection costs nothing here.
#[derive(Default)]
struct Bytes {
    buf: Vec<u8>,
    start: usize,
    end: usize,
    /// Whether `buf` is the thread's.
    lent: bool,
}

impl Bytes {
    fn is_empty(&self) -> bool {
        self.start == self.end
    }

    fn len(&self) -> usize {
        self.end - self.start
    }

    /// Makes room for `more` bytes after `end`, in the thread's buffer of at
    /// least `size` bytes; what is held moves to its front.
    fn reserve(
        &mut self,
        cell: &'static std::thread::LocalKey<std::cell::Cell<Vec<u8>>>,
        size: usize,
        more: usize,
    ) {
        let need = self.len() + more;
        if self.lent && self.buf.len() - self.end >= more {
            return;
        }
        if self.lent && self.buf.len() >= need {
            self.buf.copy_within(self.start..self.end, 0);
        } else {
            let mut buf = borrow(cell, size.max(need));
            buf[..self.len()].copy_from_slice(&self.buf[self.start..self.end]);
            let old = std::mem::replace(&mut self.buf, buf);
            if self.lent {
                give_back(cell, old);
            }
            self.lent = true;
        }
        self.end = self.len();
        self.start = 0;
    }

    fn consume(
        &mut self,
        n: usize,
        cell: &'static std::thread::LocalKey<std::cell::Cell<Vec<u8>>>,
    ) {
        self.start = (self.start + n).min(self.end);
        if self.is_empty() {
            let buf = std::mem::take(&mut self.buf);
            if self.lent {
                give_back(cell, buf);
            }
            *self = Bytes::default();
        }
    }

    /// Before the connection waits: the thread's buffer goes back, and what
    /// is held moves into a buffer of its own size.
    fn park(&mut self, cell: &'static std::thread::LocalKey<std::cell::Cell<Vec<u8>>>) {
        if !self.lent {
            return;
        }
        let own = self.buf[self.start..self.end].to_vec();
        let end = own.len();
        give_back(cell, std::mem::replace(&mut self.buf, own));
        self.start = 0;
        self.end = end;
        self.lent = false;
    }
}

/// Ciphertext received and not yet consumed by rustls, which decrypts it in
/// place. It may hold the start of a record, or (during a handshake) the
/// records of one handshake message that rustls is joining.
#[derive(Default)]
pub(super) struct InBuf {
    bytes: Bytes,
    pub(super) framing: Framing,
    /// The last read filled a request of at least a whole record: the peer
    /// is streaming, and the next read may take several records at once.
    pub(super) streaming: bool,
}

impl InBuf {
    pub(super) fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The held ciphertext, for rustls to process in place.
    pub(super) fn data_mut(&mut self) -> &mut [u8] {
        &mut self.bytes.buf[self.bytes.start..self.bytes.end]
    }

    pub(super) fn consume(&mut self, n: usize) {
        self.bytes.consume(n, &RECEIVE_BUFFER);
    }

    /// Drops everything held.
    pub(super) fn clear(&mut self) {
        let n = self.bytes.len();
        self.consume(n);
    }

    /// Puts `records` in front of what is held (a ClientHello read by the
    /// acceptor, replayed into the connection).
    pub(super) fn prepend(&mut self, records: &[u8]) {
        let held = self.bytes.buf[self.bytes.start..self.bytes.end].to_vec();
        self.clear();
        self.bytes
            .reserve(&RECEIVE_BUFFER, RECV_BUFFER, records.len() + held.len());
        let start = self.bytes.end;
        self.bytes.buf[start..start + records.len()].copy_from_slice(records);
        self.bytes.buf[start + records.len()..start + records.len() + held.len()]
            .copy_from_slice(&held);
        self.bytes.end += records.len() + held.len();
    }

    /// Whether another `fill` can take a byte: what is held is below the
    /// most a connection holds for one handshake message.
    pub(super) fn has_room(&self) -> bool {
        self.bytes.len() < MAX_HELD
    }

    /// Receives at most `limit` bytes after what is held. `Ok(0)` is end of stream.
    ///
    /// The connection borrows its thread's receive buffer for as long as it
    /// works on ciphertext, and gives it back when it waits or has none
    /// left, so idle connections hold no buffer. One system call takes up
    /// to 64 KiB.
    pub(super) fn fill(
        &mut self,
        io: &mut dyn Transport,
        limit: usize,
        guarded: bool,
    ) -> io::Result<usize> {
        let room = MAX_HELD.saturating_sub(self.bytes.len()).min(RECV_BUFFER);
        let want = limit.clamp(1, room.max(1));
        self.bytes.reserve(&RECEIVE_BUFFER, RECV_BUFFER, want);
        let end = self.bytes.end;
        let result = io.recv(&mut self.bytes.buf[end..end + want]);
        match result {
            Ok(n) if n > 0 => {
                self.streaming = n == want && want >= STREAMING_READ;
                self.framing.observe(&self.bytes.buf[end..end + n], guarded);
                self.bytes.end += n;
            }
            _ => {
                if self.bytes.is_empty() {
                    self.bytes.consume(0, &RECEIVE_BUFFER);
                }
            }
        }
        result
    }

    /// Before the connection waits: keeps what is held in a buffer of its own size.
    pub(super) fn park(&mut self) {
        self.bytes.park(&RECEIVE_BUFFER);
    }

    /// Bytes held, and the bytes of the allocation holding them.
    #[cfg(test)]
    pub(super) fn footprint(&self) -> (usize, usize) {
        (self.bytes.len(), self.bytes.buf.capacity())
    }
}

/// Ciphertext made by rustls and not yet sent: encrypted or encoded in
/// place at the end of this buffer, then sent from its front.
#[derive(Default)]
pub(super) struct OutBuf {
    bytes: Bytes,
}

impl OutBuf {
    pub(super) fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// At least `more` writable bytes after what is held.
    pub(super) fn space(&mut self, more: usize) -> &mut [u8] {
        self.bytes.reserve(&SEND_BUFFER, more, more);
        let end = self.bytes.end;
        &mut self.bytes.buf[end..]
    }

    /// Marks `n` bytes of [`space`](Self::space) as written.
    pub(super) fn commit(&mut self, n: usize) {
        self.bytes.end += n;
    }

    /// Sends what is held; `Ok(false)` means the transport took only part
    /// of it. `sent` follows the records sent.
    pub(super) fn flush(&mut self, io: &mut dyn Transport, sent: &mut Framing) -> io::Result<bool> {
        while !self.is_empty() {
            let data = &self.bytes.buf[self.bytes.start..self.bytes.end];
            match io.send(&[IoSlice::new(data)]) {
                Ok(n) => {
                    sent.observe(&data[..n], false);
                    self.bytes.consume(n, &SEND_BUFFER);
                    if n == 0 {
                        return Ok(false);
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) => return Err(e),
            }
        }
        Ok(true)
    }

    /// Bytes held.
    pub(super) fn len(&self) -> usize {
        self.bytes.len()
    }

    /// What is held.
    pub(super) fn data(&self) -> &[u8] {
        &self.bytes.buf[self.bytes.start..self.bytes.end]
    }

    /// Drops what is held (the thread's buffer goes back).
    pub(super) fn clear(&mut self) {
        let n = self.bytes.len();
        self.bytes.consume(n, &SEND_BUFFER);
    }

    /// Takes what is held without sending it.
    pub(super) fn take(&mut self) -> Vec<u8> {
        let data = self.bytes.buf[self.bytes.start..self.bytes.end].to_vec();
        let n = self.bytes.len();
        self.bytes.consume(n, &SEND_BUFFER);
        data
    }

    /// Before the connection waits: keeps what is held in a buffer of its own size.
    pub(super) fn park(&mut self) {
        self.bytes.park(&SEND_BUFFER);
    }

    /// Bytes held, and the bytes of the allocation holding them.
    #[cfg(test)]
    pub(super) fn footprint(&self) -> (usize, usize) {
        (self.bytes.len(), self.bytes.buf.capacity())
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
