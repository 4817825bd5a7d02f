//! The fuzz targets as plain tests: seeded random inputs and mutations of
//! real certificates, keys, cipher strings and handshake flights, for a
//! bounded time per target, plus every saved regression input.
//!
//! This runs on a stable compiler without libFuzzer. `make fuzz` prefers
//! cargo-fuzz (coverage-guided) and falls back to this loop.
//!
//! - `RUSTSSL_FUZZ_SECONDS`: time per target (default 2).
//! - `RUSTSSL_FUZZ_SEED`: the PRNG seed (default: from the clock, printed).
//! - `RUSTSSL_FUZZ_SEEDS=DIR`: also write the seed inputs to `DIR/<target>/`.

use std::path::Path;
use std::time::{Duration, Instant};

type Target = fn(&[u8]);

const TARGETS: [(&str, Target); 6] = [
    ("pem_der_load", rustssl_fuzz::fuzz_pem_der_load),
    ("cert_decode", rustssl_fuzz::fuzz_cert_decode),
    ("cipher_string", rustssl_fuzz::fuzz_cipher_string),
    ("conn_server", rustssl_fuzz::fuzz_conn_server),
    ("conn_client", rustssl_fuzz::fuzz_conn_client),
    ("guard", rustssl_fuzz::fuzz_guard),
];

/// xorshift64*: small, fast, and reproducible from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Tokens the cipher-string parser gives meaning to.
const CIPHER_WORDS: [&str; 24] = [
    "ALL",
    "DEFAULT",
    "HIGH",
    "MEDIUM",
    "LOW",
    "aNULL",
    "eNULL",
    "ECDHE",
    "ECDSA",
    "RSA",
    "AESGCM",
    "CHACHA20",
    "AES128",
    "AES256",
    "SHA256",
    "SHA384",
    "@STRENGTH",
    "@SECLEVEL=",
    "COMPLEMENTOFDEFAULT",
    "SUITEB128",
    "kEECDH",
    "aRSA",
    "TLSv1.2",
    "ECDHE-RSA-AES128-GCM-SHA256",
];

/// One mutation of `input`: bit flips, byte overwrites, truncation, length
/// field damage, duplication of a slice, or splicing in random bytes.
fn mutate(rng: &mut Rng, input: &[u8], target: &str) -> Vec<u8> {
    let mut out = input.to_vec();
    let rounds = 1 + rng.below(4);
    for _ in 0..rounds {
        match rng.below(8) {
            0 if !out.is_empty() => {
                let i = rng.below(out.len());
                out[i] ^= 1 << rng.below(8);
            }
            1 if !out.is_empty() => {
                let i = rng.below(out.len());
                out[i] = [0, 0xff, 0x7f, 0x80, 1][rng.below(5)];
            }
            2 => {
                let keep = rng.below(out.len() + 1);
                out.truncate(keep);
            }
            3 if out.len() > 2 => {
                let i = rng.below(out.len() - 1);
                let v = (rng.next() & 0xffff) as u16;
                out[i..i + 2].copy_from_slice(&v.to_be_bytes());
            }
            4 if !out.is_empty() => {
                let a = rng.below(out.len());
                let b = (a + rng.below(256)).min(out.len());
                let slice = out[a..b].to_vec();
                let at = rng.below(out.len() + 1);
                out.splice(at..at, slice);
            }
            5 if target == "cipher_string" => {
                let mut s = String::from_utf8_lossy(&out).into_owned();
                for _ in 0..1 + rng.below(4) {
                    let sep = [":", "+", "!", "-", ",", " ", ""][rng.below(7)];
                    s.push_str(sep);
                    s.push_str(CIPHER_WORDS[rng.below(CIPHER_WORDS.len())]);
                }
                out = s.into_bytes();
            }
            _ => {
                let n = rng.below(64);
                let at = rng.below(out.len() + 1);
                let junk: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
                out.splice(at..at, junk);
            }
        }
    }
    out
}

fn seconds() -> f64 {
    std::env::var("RUSTSSL_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2.0)
}

fn seed() -> u64 {
    std::env::var("RUSTSSL_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(1)
        })
        | 1
}

fn run_target(name: &str, target: Target) {
    let seeds: Vec<Vec<u8>> = rustssl_fuzz::seeds()
        .into_iter()
        .filter(|(t, _)| *t == name)
        .map(|(_, d)| d)
        .collect();
    let start_seed = seed();
    let mut rng = Rng(start_seed);
    let budget = Duration::from_secs_f64(seconds());
    let started = Instant::now();
    let mut execs = 0u64;
    for s in &seeds {
        target(s);
        execs += 1;
    }
    while started.elapsed() < budget {
        let input = if seeds.is_empty() || rng.below(8) == 0 {
            let n = rng.below(512);
            (0..n).map(|_| rng.next() as u8).collect()
        } else {
            let pick = rng.below(seeds.len());
            mutate(&mut rng, &seeds[pick], name)
        };
        let result = std::panic::catch_unwind(|| target(&input));
        if let Err(panic) = result {
            let path = format!("artifacts/{name}/crash-random-{start_seed}-{execs}");
            let _ = std::fs::create_dir_all(format!("artifacts/{name}"));
            let _ = std::fs::write(&path, &input);
            std::panic::resume_unwind(panic);
        }
        execs += 1;
    }
    eprintln!(
        "{name}: {execs} execs in {:.1}s, seed {start_seed}, 0 crashes",
        started.elapsed().as_secs_f64()
    );
}

#[test]
fn pem_der_load_random() {
    run_target(TARGETS[0].0, TARGETS[0].1);
}

#[test]
fn cert_decode_random() {
    run_target(TARGETS[1].0, TARGETS[1].1);
}

#[test]
fn cipher_string_random() {
    run_target(TARGETS[2].0, TARGETS[2].1);
}

#[test]
fn conn_server_random() {
    run_target(TARGETS[3].0, TARGETS[3].1);
}

#[test]
fn conn_client_random() {
    run_target(TARGETS[4].0, TARGETS[4].1);
}

#[test]
fn guard_random() {
    run_target(TARGETS[5].0, TARGETS[5].1);
}

/// Every input in `regressions/<target>/` (crashes found earlier) still passes.
#[test]
fn regressions() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("regressions");
    let mut ran = 0;
    for (name, target) in TARGETS {
        let Ok(entries) = std::fs::read_dir(root.join(name)) else {
            continue;
        };
        for entry in entries.flatten() {
            let data = std::fs::read(entry.path()).expect("regression input");
            target(&data);
            ran += 1;
        }
    }
    eprintln!("{ran} regression inputs passed");
}

/// With `RUSTSSL_FUZZ_SEEDS=DIR`, writes the seed inputs for cargo-fuzz.
#[test]
fn write_seed_corpus() {
    let Ok(dir) = std::env::var("RUSTSSL_FUZZ_SEEDS") else {
        return;
    };
    for (i, (name, data)) in rustssl_fuzz::seeds().into_iter().enumerate() {
        let target_dir = Path::new(&dir).join(name);
        std::fs::create_dir_all(&target_dir).expect("corpus dir");
        std::fs::write(target_dir.join(format!("seed-{i}")), data).expect("seed");
    }
}
