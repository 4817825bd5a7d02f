//! An encrypted fatal alert of our choosing, for the TLS 1.3 failures after
//! which rustls sends none.
//!
//! rustls answers a protected record with no inner content type (RFC 8446
//! §5.4: `unexpected_message`) with an error and no alert, and its public
//! API cannot send an encrypted alert for us (`send_close_notify` is the
//! only one). So rustssl seals that one record itself: the connection's own
//! write-direction application traffic secret (`SERVER_TRAFFIC_SECRET_0` or
//! `CLIENT_TRAFFIC_SECRET_0`) is caught from rustls' key-log hook while
//! rustls derives it ([`SealedAlert::capture`], or one [`secrets::capture`]
//! for this and the other [`Keeper`]s); on failure, key and IV come
//! from HKDF-Expand-Label (RFC 8446 §7.3) and the alert is sealed as
//! TLSInnerPlaintext `[2, description, 21]` under the next sequence number
//! (§5.2, §5.3).
//!
//! The sequence number is never guessed: rustls is asked to queue a
//! close_notify (which it does only if it has sent no alert itself), that
//! record is taken but never sent, and it must open under the captured key
//! at one sequence number near the count of records we sent. rustls gave
//! that number to the close_notify, so it was never used on the wire, and
//! our alert takes it. After a KeyUpdate of our key the same proof runs
//! over the next few key generations (RFC 8446 §7.2). If anything differs
//! (TLS 1.2, an unknown suite, rustls sent its own alert, more updates or
//! records than the search covers), nothing more is sent and the connection
//! ends as before. A miscount can therefore never
//! reuse a nonce or send a record the peer would misread.
//!
//! Per connection this keeps one secret (zeroized on drop, and dropped once
//! used) and the count of records sent at its capture; `conn.rs` counts the
//! records sent.

use aws_lc_rs::{aead, hkdf};
use rustls::{CipherSuite, ProtocolVersion};
use zeroize::Zeroizing;

use super::secrets::{expand_label, Caught, Keeper, Label, Labels, Secret, MAX_SECRET};

/// The key-log labels of the first application traffic secrets (the
/// tests forge records under the secrets a rustls peer logs).
#[cfg(test)]
const SERVER_SECRET: &str = Label::ServerTraffic0.name();
#[cfg(test)]
const CLIENT_SECRET: &str = Label::ClientTraffic0.name();
/// How many of our records may have been queued under the handshake key
/// when the secret was captured and sent after: our handshake flight, in
/// records (a certificate chain of up to 4 MiB).
const MAX_QUEUED: u64 = 256;
/// How many KeyUpdates of our key a sealed alert follows.
const MAX_UPDATES: usize = 4;
/// How many records after a KeyUpdate the search tries, per generation.
/// Each try is one AEAD open of a 3-byte record (well under a microsecond),
/// and it runs only on the way out of a failed connection.
const MAX_AFTER_UPDATE: u64 = 4096;
/// Record header of a TLS 1.3 protected record: application_data, 0x0303.
const PROTECTED: [u8; 3] = [23, 3, 3];
/// AEAD tag length of every TLS 1.3 suite.
const TAG: usize = 16;
/// TLSInnerPlaintext of a close_notify warning alert (level 1, code 0, type 21).
const CLOSE_NOTIFY: [u8; 3] = [1, 0, 21];
/// A sealed alert record: header, alert, content type, tag.
pub(crate) const RECORD_LEN: usize = 5 + 3 + TAG;

/// The label of this end's own write secret.
fn own_label(server: bool) -> Label {
    if server {
        Label::ServerTraffic0
    } else {
        Label::ClientTraffic0
    }
}

/// The secret caught at the handshake, and the protected records this end
/// had sent by then.
struct Armed {
    secret: Secret,
    sent_before: u64,
}

/// A connection's means to seal one fatal alert after its handshake.
#[derive(Default)]
pub(crate) struct SealedAlert(Option<Armed>);

impl SealedAlert {
    /// Whether a secret is kept.
    #[cfg(test)]
    pub(crate) fn is_armed(&self) -> bool {
        self.0.is_some()
    }

    /// The fatal alert `description` of a TLS 1.3 server that fails while
    /// it waits for the client's Finished: it has sent its flight under
    /// the handshake key and nothing yet under its application key (rustssl
    /// never enables half-RTT data, and tickets follow the client's
    /// Finished), so the alert is that key's first record, number 0.
    /// Consumes the secret.
    pub(crate) fn seal_first(
        &mut self,
        suite: Option<CipherSuite>,
        description: u8,
    ) -> Option<[u8; RECORD_LEN]> {
        let armed = self.0.take()?;
        let suite = Suite::of(suite?)?;
        let secret = armed.secret.as_bytes();
        if secret.len() != suite.hash_len {
            return None;
        }
        Keys::derive(&suite, secret)?.seal(0, [2, description, 21])
    }

    /// After a fatal error, once everything rustls queued has been sent:
    /// the fatal alert `description` sealed for the peer, if rustls sent no
    /// alert itself and the record can be proved right (see the module
    /// doc). `probe` is the close_notify rustls encrypted for this (never
    /// sent; empty if rustls refused, having sent an alert), `version` and
    /// `suite` the connection's. `sent` is the count of application_data
    /// records sent. Consumes the secret either way.
    pub(crate) fn seal(
        &mut self,
        version: Option<ProtocolVersion>,
        suite: Option<CipherSuite>,
        sent: u64,
        description: u8,
        probe: &[u8],
    ) -> Option<[u8; RECORD_LEN]> {
        let armed = self.0.take()?;
        if version != Some(ProtocolVersion::TLSv1_3) {
            return None;
        }
        let suite = Suite::of(suite?)?;
        let secret = armed.secret.as_bytes();
        if secret.len() != suite.hash_len {
            return None;
        }
        let probe: &[u8; RECORD_LEN] = probe.try_into().ok()?;
        let newest = sent.checked_sub(armed.sent_before)?;
        // The first key: the close_notify took the number after our records.
        let key = Keys::derive(&suite, secret)?;
        let oldest = newest.saturating_sub(MAX_QUEUED);
        if let Some(seq) = (oldest..=newest)
            .rev()
            .find(|&seq| key.open(seq, probe) == Some(CLOSE_NOTIFY))
        {
            return key.seal(seq, [2, description, 21]);
        }
        // Our key was updated (a KeyUpdate rustls sent, most often because
        // the peer asked): each generation is derived from the one before
        // (RFC 8446 §7.2) and numbers its records from 0.
        let mut current = Zeroizing::new([0u8; MAX_SECRET]);
        current[..secret.len()].copy_from_slice(secret);
        for _ in 0..MAX_UPDATES {
            let prk = hkdf::Prk::new_less_safe(suite.hkdf, &current[..suite.hash_len]);
            let mut next = Zeroizing::new([0u8; MAX_SECRET]);
            expand_label(&prk, b"traffic upd", &mut next[..suite.hash_len])?;
            current = next;
            let key = Keys::derive(&suite, &current[..suite.hash_len])?;
            if let Some(seq) = (0..=newest.min(MAX_AFTER_UPDATE))
                .find(|&seq| key.open(seq, probe) == Some(CLOSE_NOTIFY))
            {
                return key.seal(seq, [2, description, 21]);
            }
        }
        None
    }
}

impl Keeper for SealedAlert {
    fn wants(&self, server: bool) -> Labels {
        Labels::of(own_label(server))
    }

    fn keep(&mut self, server: bool, sent: u64, caught: &mut Caught) {
        if let Some(secret) = caught.take(own_label(server)) {
            self.0 = Some(Armed {
                secret,
                sent_before: sent,
            });
        }
    }
}

/// What sealing needs of a TLS 1.3 suite.
struct Suite {
    aead: &'static aead::Algorithm,
    hkdf: hkdf::Algorithm,
    hash_len: usize,
}

impl Suite {
    fn of(suite: CipherSuite) -> Option<Suite> {
        let (aead, hkdf, hash_len) = match suite {
            CipherSuite::TLS13_AES_128_GCM_SHA256 => (&aead::AES_128_GCM, hkdf::HKDF_SHA256, 32),
            CipherSuite::TLS13_AES_256_GCM_SHA384 => (&aead::AES_256_GCM, hkdf::HKDF_SHA384, 48),
            CipherSuite::TLS13_CHACHA20_POLY1305_SHA256 => {
                (&aead::CHACHA20_POLY1305, hkdf::HKDF_SHA256, 32)
            }
            _ => return None,
        };
        Some(Suite {
            aead,
            hkdf,
            hash_len,
        })
    }
}

/// The write key and IV of one traffic secret (RFC 8446 §7.3).
struct Keys {
    key: aead::LessSafeKey,
    iv: Zeroizing<[u8; aead::NONCE_LEN]>,
}

impl Keys {
    fn derive(suite: &Suite, secret: &[u8]) -> Option<Keys> {
        let prk = hkdf::Prk::new_less_safe(suite.hkdf, secret);
        let mut raw = Zeroizing::new([0u8; 32]);
        let raw = &mut raw[..suite.aead.key_len()];
        expand_label(&prk, b"key", raw)?;
        let mut iv = Zeroizing::new([0u8; aead::NONCE_LEN]);
        expand_label(&prk, b"iv", &mut iv[..])?;
        let key = aead::LessSafeKey::new(aead::UnboundKey::new(suite.aead, raw).ok()?);
        Some(Keys { key, iv })
    }

    /// The per-record nonce: the IV XOR the sequence number (§5.3).
    fn nonce(&self, seq: u64) -> aead::Nonce {
        let mut nonce = *self.iv;
        for (n, s) in nonce[4..].iter_mut().zip(seq.to_be_bytes()) {
            *n ^= s;
        }
        aead::Nonce::assume_unique_for_key(nonce)
    }

    /// The inner plaintext of a 3-byte record (an alert) sealed at `seq`.
    fn open(&self, seq: u64, record: &[u8; RECORD_LEN]) -> Option<[u8; 3]> {
        let (header, body) = record.split_at(5);
        if header != header_of(3) {
            return None;
        }
        let mut body: [u8; 3 + TAG] = body.try_into().ok()?;
        let aad = aead::Aad::from(header);
        let plain = self
            .key
            .open_in_place(self.nonce(seq), aad, &mut body)
            .ok()?;
        plain.try_into().ok()
    }

    /// A protected record holding `inner` (a TLSInnerPlaintext), sealed at `seq`.
    fn seal(&self, seq: u64, inner: [u8; 3]) -> Option<[u8; RECORD_LEN]> {
        let header = header_of(inner.len());
        let mut body = inner;
        let tag = self
            .key
            .seal_in_place_separate_tag(self.nonce(seq), aead::Aad::from(header), &mut body)
            .ok()?;
        let mut record = [0u8; RECORD_LEN];
        record[..5].copy_from_slice(&header);
        record[5..8].copy_from_slice(&body);
        record[8..].copy_from_slice(tag.as_ref());
        Some(record)
    }
}

/// The header of a protected record with `inner` bytes of plaintext.
fn header_of(inner: usize) -> [u8; 5] {
    let len = u16::try_from(inner + TAG).unwrap_or(u16::MAX).to_be_bytes();
    [PROTECTED[0], PROTECTED[1], PROTECTED[2], len[0], len[1]]
}

/// The exporter's tests build their rustls peers with these tests' helpers.
#[cfg(test)]
pub(crate) mod tests;
