//! Keying-material exporters (RFC 5705, RFC 8446 §7.5) computed from the
//! secrets rustls logs, for connections that cannot export themselves
//! (rustls' unbuffered connections have no `export_keying_material`).
//!
//! The result is what rustls' own `export_keying_material(out, label,
//! context)` gives on the same connection:
//!
//! - TLS 1.3: `HKDF-Expand-Label(Derive-Secret(EXPORTER_SECRET, label, ""),
//!   "exporter", Hash(context), len)` with the suite's hash; no context is
//!   hashed as an empty one.
//! - TLS 1.2: `PRF(master_secret, label, client_random + server_random
//!   [+ u16 length + context])` with the suite's PRF hash (aws-lc's TLS PRF,
//!   the one rustls' aws-lc-rs provider uses).
//!
//! The secrets come from rustls' key log through the tap (`secrets.rs`):
//! [`Exporter`] is a [`Keeper`] that asks for `EXPORTER_SECRET` (TLS 1.3)
//! and `CLIENT_RANDOM` (TLS 1.2's master secret, with the client random).
//! TLS 1.2 also needs the server random, which no key-log line carries: the
//! connection reads it from the ServerHello, the first handshake record a
//! client receives or a server sends ([`server_random`]).

use aws_lc_rs::{digest, hkdf, tls_prf};
use rustls::crypto::hash::HashAlgorithm;
use rustls::{Error, SupportedCipherSuite};
use zeroize::Zeroizing;

use super::client_hello::{Wire, CONTENT_HANDSHAKE, RANDOM_LEN};
use super::guard::MAX_PLAINTEXT;
use super::secrets::{expand_label_with, Caught, Keeper, Label, Labels, Secret, MAX_SECRET};

/// The handshake type of a ServerHello.
const HANDSHAKE_SERVER_HELLO: u8 = 2;
/// A ServerHello's start: handshake type, 24-bit length, legacy_version, random.
const SERVER_HELLO_HEAD: usize = 1 + 3 + 2 + RANDOM_LEN;
/// The random of a HelloRetryRequest, SHA-256("HelloRetryRequest") (RFC 8446 §4.1.3).
const HELLO_RETRY_REQUEST: [u8; RANDOM_LEN] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];
/// The longest TLS 1.3 exporter label: HkdfLabel's label is at most 255
/// bytes, "tls13 " included (RFC 8446 §7.1).
const MAX_TLS13_LABEL: usize = 255 - 6;

/// The random of the ServerHello at the start of `records`: TLS records as
/// they are on the wire, from the first handshake record a client receives
/// or a server sends. The ServerHello's start may be split over several
/// handshake records, and the last one may be incomplete.
///
/// `None` for anything else: another content type or handshake message,
/// too few bytes, a record length no peer may send, or a HelloRetryRequest
/// (whose random is not the server random).
pub(crate) fn server_random(records: &[u8]) -> Option<[u8; RANDOM_LEN]> {
    let mut head = [0u8; SERVER_HELLO_HEAD];
    let mut have = 0;
    let mut wire = Wire(records);
    while have < head.len() {
        let content_type = wire.u8()?;
        let major = wire.u8()?;
        wire.u8()?; // the record version's minor
        let len = usize::from(wire.u16()?);
        if content_type != CONTENT_HANDSHAKE || major != 3 || len == 0 || len > MAX_PLAINTEXT {
            return None;
        }
        let fragment = wire.take(len.min(wire.0.len()))?;
        let n = fragment.len().min(head.len() - have);
        head[have..have + n].copy_from_slice(&fragment[..n]);
        have += n;
    }
    let mut hello = Wire(&head);
    if hello.u8()? != HANDSHAKE_SERVER_HELLO || hello.u24()? < 2 + RANDOM_LEN {
        return None;
    }
    if hello.u8()? != 3 {
        return None; // legacy_version: TLS 1.0 to 1.2, or 1.3's 0x0303
    }
    hello.u8()?;
    let random: [u8; RANDOM_LEN] = hello.take(RANDOM_LEN)?.try_into().ok()?;
    (random != HELLO_RETRY_REQUEST).then_some(random)
}

/// The secret an exporter works from.
enum Material {
    /// TLS 1.3's exporter master secret.
    Tls13(Secret),
    /// TLS 1.2's master secret and the client random it was logged with.
    Tls12 {
        master: Secret,
        client_random: [u8; RANDOM_LEN],
    },
}

/// One connection's exporter: what it caught of rustls' key log, and the
/// server random for TLS 1.2.
#[derive(Default)]
pub(crate) struct Exporter {
    material: Option<Material>,
    server_random: Option<[u8; RANDOM_LEN]>,
}

impl Keeper for Exporter {
    fn wants(&self, _server: bool) -> Labels {
        Labels::of(Label::Exporter) | Labels::of(Label::ClientRandom)
    }

    fn keep(&mut self, _server: bool, _sent: u64, caught: &mut Caught) {
        if let Some(secret) = caught.take(Label::Exporter) {
            self.material = Some(Material::Tls13(secret));
            // TLS 1.3 does not need it.
            self.server_random = None;
        }
        if let Some((master, client_random)) = caught.take_master_secret() {
            self.material = Some(Material::Tls12 {
                master,
                client_random,
            });
        }
    }
}

/// The hash functions of a suite's hash.
struct Hashes {
    digest: &'static digest::Algorithm,
    hkdf: hkdf::Algorithm,
    prf: &'static tls_prf::Algorithm,
}

impl Hashes {
    fn of(suite: SupportedCipherSuite) -> Option<Hashes> {
        let common = match suite {
            SupportedCipherSuite::Tls12(s) => &s.common,
            SupportedCipherSuite::Tls13(s) => &s.common,
        };
        match common.hash_provider.algorithm() {
            HashAlgorithm::SHA256 => Some(Hashes {
                digest: &digest::SHA256,
                hkdf: hkdf::HKDF_SHA256,
                prf: &tls_prf::P_SHA256,
            }),
            HashAlgorithm::SHA384 => Some(Hashes {
                digest: &digest::SHA384,
                hkdf: hkdf::HKDF_SHA384,
                prf: &tls_prf::P_SHA384,
            }),
            _ => None,
        }
    }
}

/// The error for an exporter that cannot answer for this connection.
fn unavailable() -> Error {
    Error::General("keying material exporter unavailable".into())
}

impl Exporter {
    /// Reads the server random from `records` (see [`server_random`]) if
    /// none is known yet; whether one is known after.
    pub(crate) fn note_server_hello(&mut self, records: &[u8]) -> bool {
        if self.server_random.is_none() {
            self.server_random = server_random(records);
        }
        self.server_random.is_some()
    }

    /// Fills `out` with keying material for `label` and `context`, as
    /// rustls' `export_keying_material` does on a connection that
    /// negotiated `suite`, and fails where it fails: an empty `out`, more
    /// than 255 hashes of output (TLS 1.3), no secret yet
    /// (`HandshakeNotComplete`). Where rustls would panic (TLS 1.2, a
    /// context over 65535 bytes) or silently mis-encode (TLS 1.3, a label
    /// over 249 bytes), this fails too.
    pub(crate) fn export(
        &self,
        suite: SupportedCipherSuite,
        out: &mut [u8],
        label: &[u8],
        context: Option<&[u8]>,
    ) -> Result<(), Error> {
        if out.is_empty() {
            return Err(Error::General(
                "export_keying_material with zero-length output".into(),
            ));
        }
        let material = self.material.as_ref().ok_or(Error::HandshakeNotComplete)?;
        let hashes = Hashes::of(suite).ok_or_else(unavailable)?;
        match (material, suite) {
            (Material::Tls13(secret), SupportedCipherSuite::Tls13(_)) => {
                tls13(&hashes, secret.as_bytes(), out, label, context)
            }
            (
                Material::Tls12 {
                    master,
                    client_random,
                },
                SupportedCipherSuite::Tls12(_),
            ) => {
                let server_random = self.server_random.ok_or_else(unavailable)?;
                let randoms = [client_random, &server_random];
                tls12(&hashes, master.as_bytes(), randoms, out, label, context)
            }
            _ => Err(unavailable()),
        }
    }
}

/// RFC 8446 §7.5 from the exporter master secret.
fn tls13(
    hashes: &Hashes,
    secret: &[u8],
    out: &mut [u8],
    label: &[u8],
    context: Option<&[u8]>,
) -> Result<(), Error> {
    let hash_len = hashes.digest.output_len();
    if secret.len() != hash_len {
        return Err(unavailable());
    }
    if label.len() > MAX_TLS13_LABEL {
        return Err(Error::General("exporter label too long".into()));
    }
    if out.len() > 255 * hash_len {
        return Err(Error::General("exporting too much".into()));
    }
    let prk = hkdf::Prk::new_less_safe(hashes.hkdf, secret);
    let empty = digest::digest(hashes.digest, &[]);
    let mut derived = Zeroizing::new([0u8; MAX_SECRET]);
    let derived = &mut derived[..hash_len];
    expand_label_with(&prk, label, empty.as_ref(), derived).ok_or_else(unavailable)?;
    let prk = hkdf::Prk::new_less_safe(hashes.hkdf, derived);
    let context = digest::digest(hashes.digest, context.unwrap_or_default());
    expand_label_with(&prk, b"exporter", context.as_ref(), out).ok_or_else(unavailable)
}

/// RFC 5705 from the master secret and both randoms.
fn tls12(
    hashes: &Hashes,
    master: &[u8],
    randoms: [&[u8; RANDOM_LEN]; 2],
    out: &mut [u8],
    label: &[u8],
    context: Option<&[u8]>,
) -> Result<(), Error> {
    let mut seed = Vec::with_capacity(2 * RANDOM_LEN + 2 + context.map_or(0, <[u8]>::len));
    seed.extend_from_slice(randoms[0]);
    seed.extend_from_slice(randoms[1]);
    if let Some(context) = context {
        let len = u16::try_from(context.len())
            .map_err(|_| Error::General("exporter context too long".into()))?;
        seed.extend_from_slice(&len.to_be_bytes());
        seed.extend_from_slice(context);
    }
    let derived = tls_prf::Secret::new(hashes.prf, master)
        .and_then(|s| s.derive(label, &seed, out.len()))
        .map_err(|_| unavailable())?;
    out.copy_from_slice(derived.as_ref());
    Ok(())
}

#[cfg(test)]
mod tests;
