//! One call into rustls' unbuffered API, for either side, and what came of it.
//!
//! [`step_with`] hands rustls the ciphertext received, and turns the state
//! rustls reports into an [`Event`]: plaintext copied out, records encoded
//! or encrypted into the output buffer, or what rustls waits for.

use rustls::client::{ClientConnectionData, UnbufferedClientConnection};
use rustls::server::{ServerConnectionData, UnbufferedServerConnection};
use rustls::unbuffered::{
    ConnectionState, EncodeError, EncryptError, InsufficientSizeError, UnbufferedConnectionCommon,
    UnbufferedStatus,
};
use rustls::CommonState;

use super::framing::OutBuf;
use super::transport::MemoryBio;

/// Where rustls encodes or encrypts records: rustssl's output buffer, or
/// the outgoing `MemoryBIO` itself.
pub(super) trait Output {
    /// At least `more` writable bytes.
    fn space(&mut self, more: usize) -> &mut [u8];
    /// Keeps the first `n` bytes of [`space`](Self::space).
    fn commit(&mut self, n: usize);
}

impl Output for OutBuf {
    fn space(&mut self, more: usize) -> &mut [u8] {
        OutBuf::space(self, more)
    }
    fn commit(&mut self, n: usize) {
        OutBuf::commit(self, n);
    }
}

impl Output for MemoryBio {
    fn space(&mut self, more: usize) -> &mut [u8] {
        self.spare(more)
    }
    fn commit(&mut self, n: usize) {
        MemoryBio::commit(self, n);
    }
}

/// Room for the records' overhead when encrypting: header, content type,
/// explicit nonce and tag of every record of a chunk, with some to spare.
const RECORD_OVERHEAD: usize = 64;

/// rustls' unbuffered connection, either side.
pub(super) enum Rustls {
    Client(UnbufferedClientConnection),
    Server(UnbufferedServerConnection),
}

impl Rustls {
    /// What both sides share: versions, suites, certificates, progress.
    pub(super) fn common(&self) -> &CommonState {
        match self {
            Rustls::Client(c) => c,
            Rustls::Server(s) => s,
        }
    }

    pub(super) fn is_server(&self) -> bool {
        matches!(self, Rustls::Server(_))
    }
}

/// The one call both sides' unbuffered connections make, so that one
/// generic [`step_with`] drives either.
pub(super) trait Process {
    type Data;
    fn process<'c, 'i>(
        &'c mut self,
        incoming: &'i mut [u8],
    ) -> UnbufferedStatus<'c, 'i, Self::Data>;
}

impl Process for UnbufferedConnectionCommon<ClientConnectionData> {
    type Data = ClientConnectionData;
    fn process<'c, 'i>(
        &'c mut self,
        incoming: &'i mut [u8],
    ) -> UnbufferedStatus<'c, 'i, Self::Data> {
        self.process_tls_records(incoming)
    }
}

impl Process for UnbufferedConnectionCommon<ServerConnectionData> {
    type Data = ServerConnectionData;
    fn process<'c, 'i>(
        &'c mut self,
        incoming: &'i mut [u8],
    ) -> UnbufferedStatus<'c, 'i, Self::Data> {
        self.process_tls_records(incoming)
    }
}

/// What a step does if rustls lets it write application data.
#[derive(Clone, Copy)]
pub(super) enum Want<'a> {
    /// Nothing: the step only reads, encodes or reports.
    Nothing,
    /// Encrypt this plaintext into the output buffer.
    Encrypt(&'a [u8]),
    /// Encrypt a close_notify into the output buffer.
    CloseNotify,
}

/// What one call into rustls produced.
pub(super) enum Event {
    /// This many plaintext bytes went into the caller's buffer (any more
    /// into the connection's plaintext buffer).
    Data(usize),
    /// rustls encoded records into the output buffer; there may be more.
    Encoded,
    /// What was encoded should be sent now.
    Transmit,
    /// rustls needs more ciphertext (or, after the handshake, has nothing to do).
    NeedInput,
    /// What [`Want`] asked was done: this many plaintext bytes encrypted.
    Wrote(usize),
    /// The peer's close_notify was read.
    PeerClosed,
    /// Both close_notify alerts have passed.
    Closed,
    /// rustls failed; the connection is over.
    Failed(rustls::Error),
}

/// Decrypted bytes the caller has not taken yet: the rest of a record
/// larger than the caller's buffer. Empty (no allocation) otherwise.
#[derive(Default)]
pub(super) struct Plain {
    buf: Vec<u8>,
    start: usize,
}

impl Plain {
    pub(super) fn len(&self) -> usize {
        self.buf.len() - self.start
    }

    pub(super) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn push(&mut self, data: &[u8]) {
        self.buf.extend_from_slice(data);
    }

    /// Moves as much as fits into `out`.
    pub(super) fn read_into(&mut self, out: &mut [u8]) -> usize {
        let n = out.len().min(self.len());
        out[..n].copy_from_slice(&self.buf[self.start..self.start + n]);
        self.start += n;
        if self.is_empty() {
            *self = Plain::default();
        }
        n
    }

    pub(super) fn clear(&mut self) {
        *self = Plain::default();
    }
}

/// One call into rustls over the received ciphertext `incoming`: what came
/// of it, and how many bytes at the front of `incoming` are done with.
pub(super) fn step_with<C: Process>(
    conn: &mut C,
    incoming: &mut [u8],
    out: &mut dyn Output,
    plain: &mut Plain,
    dest: &mut [u8],
    want: Want<'_>,
) -> (Event, usize) {
    let UnbufferedStatus { discard, state } = conn.process(incoming);
    let event = match state {
        Err(e) => Event::Failed(e),
        Ok(ConnectionState::ReadTraffic(mut records)) => {
            let mut n = 0;
            while let Some(record) = records.next_record() {
                match record {
                    Ok(record) => {
                        let payload = record.payload;
                        let k = payload.len().min(dest.len() - n);
                        dest[n..n + k].copy_from_slice(&payload[..k]);
                        plain.push(&payload[k..]);
                        n += k;
                    }
                    Err(e) => return (Event::Failed(e), discard),
                }
            }
            Event::Data(n)
        }
        Ok(ConnectionState::EncodeTlsData(mut encode)) => {
            let mut need = 4096;
            loop {
                match encode.encode(out.space(need)) {
                    Ok(n) => {
                        out.commit(n);
                        break Event::Encoded;
                    }
                    Err(EncodeError::InsufficientSize(InsufficientSizeError { required_size })) => {
                        need = required_size;
                    }
                    Err(_) => break Event::Encoded,
                }
            }
        }
        Ok(ConnectionState::TransmitTlsData(transmit)) => {
            // What was encoded is in `out`, which the caller sends (or keeps).
            transmit.done();
            Event::Transmit
        }
        Ok(ConnectionState::WriteTraffic(mut traffic)) => match want {
            Want::Nothing => Event::NeedInput,
            Want::Encrypt(data) => {
                let mut need = data.len() + RECORD_OVERHEAD * (1 + data.len() / 4096);
                loop {
                    match traffic.encrypt(data, out.space(need)) {
                        Ok(n) => {
                            out.commit(n);
                            break Event::Wrote(data.len());
                        }
                        Err(EncryptError::InsufficientSize(InsufficientSizeError {
                            required_size,
                        })) => need = required_size,
                        Err(_) => {
                            break Event::Failed(rustls::Error::EncryptError);
                        }
                    }
                }
            }
            Want::CloseNotify => {
                let mut need = 64;
                loop {
                    match traffic.queue_close_notify(out.space(need)) {
                        Ok(n) => {
                            out.commit(n);
                            break Event::Wrote(0);
                        }
                        Err(EncryptError::InsufficientSize(InsufficientSizeError {
                            required_size,
                        })) => need = required_size,
                        Err(_) => break Event::Failed(rustls::Error::EncryptError),
                    }
                }
            }
        },
        Ok(ConnectionState::BlockedHandshake) => Event::NeedInput,
        Ok(ConnectionState::PeerClosed) => Event::PeerClosed,
        Ok(ConnectionState::Closed) => Event::Closed,
        // Early data is never enabled, and later states are unknown to us.
        Ok(_) => Event::Failed(rustls::Error::General(
            "unexpected state of the TLS connection".into(),
        )),
    };
    (event, discard)
}
