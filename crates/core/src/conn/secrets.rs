//! The key-log tap: the secrets a connection needs of rustls, caught from
//! rustls' key-log hook while rustls derives them; and HKDF-Expand-Label,
//! which derives what a TLS 1.3 secret is for.
//!
//! rustls keeps its secrets to itself, but hands each one to the config's
//! `KeyLog` (`keylog.rs`) on the thread that runs the rustls call, as it
//! derives it. So a connection arms a thread-local tap around each rustls
//! call that may derive secrets ([`capture`]); the key log [`offer`]s every
//! secret to the tap, which keeps those the connection asked for. What one
//! call caught is handed to the connection's [`Keeper`]s: the sealed alert
//! (`sealed_alert.rs`) and the keying-material exporter (`exporter.rs`).
//!
//! A caught secret is boxed, so that moving it leaves no copies behind, and
//! zeroized when dropped. A secret nobody asked for is never copied.

use std::cell::RefCell;
use std::ops::BitOr;

use aws_lc_rs::hkdf;
use zeroize::Zeroizing;

use super::client_hello::RANDOM_LEN;

/// The longest secret kept: SHA-384's output, and TLS 1.2's master secret.
pub(crate) const MAX_SECRET: usize = 48;

/// The key-log entries a connection can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Label {
    /// A TLS 1.3 server's first application traffic secret.
    ServerTraffic0,
    /// A TLS 1.3 client's first application traffic secret.
    ClientTraffic0,
    /// TLS 1.3's exporter master secret (RFC 8446 §7.5).
    Exporter,
    /// TLS 1.2's master secret, logged with the client random.
    ClientRandom,
}

impl Label {
    const ALL: [Label; 4] = [
        Label::ServerTraffic0,
        Label::ClientTraffic0,
        Label::Exporter,
        Label::ClientRandom,
    ];

    /// The label rustls logs the secret under (the NSS key-log format).
    pub(crate) const fn name(self) -> &'static str {
        match self {
            Label::ServerTraffic0 => "SERVER_TRAFFIC_SECRET_0",
            Label::ClientTraffic0 => "CLIENT_TRAFFIC_SECRET_0",
            Label::Exporter => "EXPORTER_SECRET",
            Label::ClientRandom => "CLIENT_RANDOM",
        }
    }

    fn of(name: &str) -> Option<Label> {
        Label::ALL.into_iter().find(|l| l.name() == name)
    }

    const fn index(self) -> usize {
        self as usize
    }
}

/// A set of [`Label`]s.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Labels(u8);

impl Labels {
    /// No label.
    pub(crate) const NONE: Labels = Labels(0);

    /// The set holding only `label`.
    pub(crate) const fn of(label: Label) -> Labels {
        Labels(1 << label.index())
    }

    fn has(self, label: Label) -> bool {
        self.0 & Labels::of(label).0 != 0
    }
}

impl BitOr for Labels {
    type Output = Labels;

    fn bitor(self, other: Labels) -> Labels {
        Labels(self.0 | other.0)
    }
}

/// A caught secret. Boxed, so that moving it leaves no copies behind, and
/// zeroized when dropped.
pub(crate) struct Secret {
    bytes: Box<Zeroizing<[u8; MAX_SECRET]>>,
    len: usize,
}

impl Secret {
    /// A copy of `secret`; `None` if it is longer than [`MAX_SECRET`].
    fn copy_of(secret: &[u8]) -> Option<Secret> {
        let mut bytes = Box::new(Zeroizing::new([0u8; MAX_SECRET]));
        bytes.get_mut(..secret.len())?.copy_from_slice(secret);
        Some(Secret {
            bytes,
            len: secret.len(),
        })
    }

    /// The secret's bytes.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

/// What one capture caught, for its [`Keeper`]s to take.
#[derive(Default)]
pub(crate) struct Caught {
    secrets: [Option<Secret>; Label::ALL.len()],
    /// The client random logged with [`Label::ClientRandom`].
    client_random: Option<[u8; RANDOM_LEN]>,
}

impl Caught {
    /// Takes the secret logged under `label`, if it was caught.
    pub(crate) fn take(&mut self, label: Label) -> Option<Secret> {
        self.secrets[label.index()].take()
    }

    /// Takes TLS 1.2's master secret and the client random it was logged with.
    pub(crate) fn take_master_secret(&mut self) -> Option<(Secret, [u8; RANDOM_LEN])> {
        let secret = self.take(Label::ClientRandom)?;
        Some((secret, self.client_random.take()?))
    }
}

/// Something a connection keeps of the secrets rustls derives.
pub(crate) trait Keeper {
    /// The labels it needs from a rustls call on a server (`server`) or client end.
    fn wants(&self, server: bool) -> Labels;

    /// Takes what it needs from `caught`, after a rustls call on a server
    /// (`server`) or client end that had sent `sent` application_data
    /// records before the call.
    fn keep(&mut self, server: bool, sent: u64, caught: &mut Caught);
}

/// The tap armed on this thread.
struct Tap {
    wanted: Labels,
    caught: Caught,
}

thread_local! {
    /// Set only while a connection runs a rustls call that may derive its
    /// secrets; rustls calls its key log synchronously within it.
    static TAP: RefCell<Option<Tap>> = const { RefCell::new(None) };
}

/// Puts back the tap a capture replaced, even if the rustls call unwinds.
struct Restore(Option<Tap>);

impl Drop for Restore {
    fn drop(&mut self) {
        let outer = self.0.take();
        TAP.with(|t| t.replace(outer));
    }
}

/// Runs `f`, a rustls call on a server (`server`) or client end that may
/// derive secrets, with the tap armed for what `keepers` want; then hands
/// them what rustls logged. `sent` is the count of application_data records
/// sent before the call (the sealed alert's reference point).
///
/// A nested capture (another connection driven from within `f`) has a tap
/// of its own; the outer one is back when it returns.
pub(crate) fn capture<R>(
    server: bool,
    sent: u64,
    keepers: &mut [&mut dyn Keeper],
    f: impl FnOnce() -> R,
) -> R {
    let wanted = keepers
        .iter()
        .fold(Labels::NONE, |all, k| all | k.wants(server));
    let tap = Tap {
        wanted,
        caught: Caught::default(),
    };
    let restore = Restore(TAP.with(|t| t.replace(Some(tap))));
    let result = f();
    let mine = TAP.with(|t| t.take());
    drop(restore);
    if let Some(mut tap) = mine {
        for keeper in keepers {
            keeper.keep(server, sent, &mut tap.caught);
        }
    }
    result
}

/// Whether the tap armed on this thread wants the secret logged as `label`
/// (rustls' `KeyLog::will_log`).
pub(crate) fn wants(label: &str) -> bool {
    let Some(label) = Label::of(label) else {
        return false;
    };
    TAP.with(|tap| tap.borrow().as_ref().is_some_and(|t| t.wanted.has(label)))
}

/// Called by the configs' key log (`keylog.rs`) for each secret rustls
/// derives: keeps it if the connection running on this thread asked for it.
pub(crate) fn offer(label: &str, client_random: &[u8], secret: &[u8]) {
    let Some(label) = Label::of(label) else {
        return;
    };
    TAP.with(|tap| {
        let mut tap = tap.borrow_mut();
        let Some(tap) = tap.as_mut().filter(|t| t.wanted.has(label)) else {
            return;
        };
        if label == Label::ClientRandom {
            let Ok(random) = client_random.try_into() else {
                return;
            };
            tap.caught.client_random = Some(random);
        }
        tap.caught.secrets[label.index()] = Secret::copy_of(secret);
    });
}

/// An output length for HKDF-Expand.
struct Len(usize);

impl hkdf::KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

/// HKDF-Expand-Label(secret, label, context, out.len()) (RFC 8446 §7.1),
/// `prk` holding the secret. `None` if a length does not fit its field
/// (a label over 249 bytes, a context over 255) or `out` is longer than
/// HKDF-Expand can give (255 hashes).
pub(crate) fn expand_label_with(
    prk: &hkdf::Prk,
    label: &[u8],
    context: &[u8],
    out: &mut [u8],
) -> Option<()> {
    const PREFIX: &[u8] = b"tls13 ";
    let len = u16::try_from(out.len()).ok()?.to_be_bytes();
    let label_len = [u8::try_from(PREFIX.len() + label.len()).ok()?];
    let context_len = [u8::try_from(context.len()).ok()?];
    let info: [&[u8]; 6] = [&len, &label_len, PREFIX, label, &context_len, context];
    prk.expand(&info, Len(out.len())).ok()?.fill(out).ok()
}

/// HKDF-Expand-Label(secret, label, "", out.len()) (RFC 8446 §7.1).
pub(crate) fn expand_label(prk: &hkdf::Prk, label: &[u8], out: &mut [u8]) -> Option<()> {
    expand_label_with(prk, label, &[], out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keeps what it asked for, as (label, secret), and the client random.
    #[derive(Default)]
    struct Everything {
        wanted: Labels,
        kept: Vec<(Label, Vec<u8>)>,
        client_random: Option<[u8; RANDOM_LEN]>,
    }

    impl Keeper for Everything {
        fn wants(&self, _server: bool) -> Labels {
            self.wanted
        }

        fn keep(&mut self, _server: bool, _sent: u64, caught: &mut Caught) {
            if !self.wanted.has(Label::ClientRandom) {
            } else if let Some((secret, random)) = caught.take_master_secret() {
                self.kept
                    .push((Label::ClientRandom, secret.as_bytes().to_vec()));
                self.client_random = Some(random);
            }
            for label in Label::ALL.into_iter().filter(|&l| self.wanted.has(l)) {
                if let Some(secret) = caught.take(label) {
                    self.kept.push((label, secret.as_bytes().to_vec()));
                }
            }
        }
    }

    /// What rustls logs during a TLS 1.3 handshake, and TLS 1.2's line.
    fn log_everything() {
        for label in [
            "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
            "SERVER_TRAFFIC_SECRET_0",
            "CLIENT_TRAFFIC_SECRET_0",
            "EXPORTER_SECRET",
        ] {
            assert_eq!(wants(label), Label::of(label).is_some() && wants(label));
            offer(label, &[1; RANDOM_LEN], label.as_bytes());
        }
        offer("CLIENT_RANDOM", &[9; RANDOM_LEN], &[5; 48]);
    }

    #[test]
    fn keeps_only_what_was_asked_for() {
        let mut exporter = Everything {
            wanted: Labels::of(Label::Exporter) | Labels::of(Label::ClientRandom),
            ..Everything::default()
        };
        let mut traffic = Everything {
            wanted: Labels::of(Label::ServerTraffic0),
            ..Everything::default()
        };
        capture(true, 0, &mut [&mut exporter, &mut traffic], || {
            assert!(wants("EXPORTER_SECRET") && wants("SERVER_TRAFFIC_SECRET_0"));
            assert!(!wants("CLIENT_TRAFFIC_SECRET_0") && !wants("CLIENT_HANDSHAKE_TRAFFIC_SECRET"));
            log_everything();
        });
        assert_eq!(
            exporter.kept,
            [
                (Label::ClientRandom, vec![5; 48]),
                (Label::Exporter, b"EXPORTER_SECRET".to_vec())
            ]
        );
        assert_eq!(exporter.client_random, Some([9; RANDOM_LEN]));
        assert_eq!(
            traffic.kept,
            [(Label::ServerTraffic0, b"SERVER_TRAFFIC_SECRET_0".to_vec())]
        );
    }

    #[test]
    fn nothing_is_kept_outside_a_capture_or_when_malformed() {
        assert!(!wants("EXPORTER_SECRET"));
        log_everything();
        let mut all = Everything {
            wanted: Labels::of(Label::Exporter) | Labels::of(Label::ClientRandom),
            ..Everything::default()
        };
        capture(false, 0, &mut [&mut all], || {
            // Longer than any hash, and a client random of the wrong length.
            offer("EXPORTER_SECRET", &[1; RANDOM_LEN], &[0; MAX_SECRET + 1]);
            offer("CLIENT_RANDOM", &[9; RANDOM_LEN - 1], &[5; 48]);
        });
        assert!(all.kept.is_empty());
    }

    #[test]
    fn a_nested_capture_keeps_its_own_and_the_outer_tap_returns() {
        let mut outer = Everything {
            wanted: Labels::of(Label::Exporter),
            ..Everything::default()
        };
        let mut inner = Everything {
            wanted: Labels::of(Label::ClientTraffic0),
            ..Everything::default()
        };
        capture(false, 0, &mut [&mut outer], || {
            capture(false, 0, &mut [&mut inner], log_everything);
            assert!(wants("EXPORTER_SECRET") && !wants("CLIENT_TRAFFIC_SECRET_0"));
            offer("EXPORTER_SECRET", &[], b"outer");
        });
        assert_eq!(inner.kept.len(), 1);
        assert_eq!(outer.kept, [(Label::Exporter, b"outer".to_vec())]);
    }

    #[test]
    fn a_panicking_call_disarms_the_tap() {
        let mut all = Everything {
            wanted: Labels::of(Label::Exporter),
            ..Everything::default()
        };
        let unwound = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            capture(false, 0, &mut [&mut all], || panic!("rustls panicked"))
        }));
        assert!(unwound.is_err());
        assert!(!wants("EXPORTER_SECRET"));
    }

    #[test]
    fn expand_label_matches_rfc_8448() {
        // RFC 8448 §3: the server's handshake traffic secret, its write key and IV.
        let secret = b"\xb6\x7b\x7d\x69\x0c\xc1\x6c\x4e\x75\xe5\x42\x13\xcb\x2d\x37\xb4\
            \xe9\xc9\x12\xbc\xde\xd9\x10\x5d\x42\xbe\xfd\x59\xd3\x91\xad\x38";
        let prk = hkdf::Prk::new_less_safe(hkdf::HKDF_SHA256, secret);
        let mut key = [0u8; 16];
        expand_label(&prk, b"key", &mut key).unwrap();
        assert_eq!(
            key,
            *b"\x3f\xce\x51\x60\x09\xc2\x17\x27\xd0\xf2\xe4\xe8\x6e\xe4\x03\xbc"
        );
        let mut iv = [0u8; 12];
        expand_label_with(&prk, b"iv", b"", &mut iv).unwrap();
        assert_eq!(iv, *b"\x5d\x31\x3e\xb2\x67\x12\x76\xee\x13\x00\x0b\x30");
        // Lengths that do not fit their fields.
        assert!(expand_label_with(&prk, &[0; 250], b"", &mut iv).is_none());
        assert!(expand_label_with(&prk, b"iv", &[0; 256], &mut iv).is_none());
        assert!(expand_label(&prk, b"key", &mut [0; 255 * 32 + 1]).is_none());
    }
}
