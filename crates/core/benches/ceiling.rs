//! The ceiling: what rustls does without Python, on rustssl's generated certificates.
//!
//! `cargo bench -p rustssl-core --bench ceiling [-- --quick] [--json] [--only KEY] [--reps N]`
//!
//! A plain `main` (no harness): each case runs a few times and the median is
//! printed, in the units of the Python suite (`bench/run.py`), so the two
//! tables can be read side by side. Certificates are generated per run.
//! `--json` prints one JSON object per case instead of a table row, keyed by
//! the `bench/run.py` row that does the same work through Python (axis, or
//! `axis:row`); `bench/run.py --only ceiling` reads that. `--only KEY` runs
//! only the cases whose key starts with KEY, `--reps N` runs each N times:
//! `bench/run.py` runs one repetition at a time, between its own, so that the
//! ceiling and the Python rows share the machine's load.
//!
//! The cases that run in one thread (in memory: both ends in this thread) are
//! also rated per second of that thread's CPU time (`CLOCK_THREAD_CPUTIME_ID`),
//! which time spent preempted by other processes does not inflate: the
//! `bench/run.py` ceiling targets compare those rates, against the Python
//! rows' `time.thread_time()`. `--json` gives them as `cpu_median` and
//! `cpu_runs` (`null` for the socket cases, which run two threads).

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use rustix::time::{clock_gettime, ClockId};
use rustls::client::Resumption;
use rustls::crypto::{aws_lc_rs, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, ServerConfig, ServerConnection};
use rustssl_core::testcert::{ca_and_leaf, KeyKind};

const KIB: usize = 1024;
const MIB: usize = 1024 * KIB;
const CHUNK: usize = 64 * KIB;

/// What a case varies.
#[derive(Clone, Copy)]
struct Setup {
    key: KeyKind,
    tls12: bool,
    x25519_only: bool,
    tickets: bool,
}

impl Setup {
    const DEFAULT: Setup = Setup {
        key: KeyKind::EcdsaP256,
        tls12: false,
        x25519_only: false,
        tickets: false,
    };
}

fn provider(setup: Setup) -> CryptoProvider {
    let mut p = aws_lc_rs::default_provider();
    if setup.tls12 {
        p.cipher_suites = vec![aws_lc_rs::cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256];
    }
    if setup.x25519_only {
        p.kx_groups = vec![aws_lc_rs::kx_group::X25519];
    }
    p
}

/// A client and a server config over freshly generated certificates.
fn configs(setup: Setup) -> (Arc<ClientConfig>, Arc<ServerConfig>) {
    let (ca, leaf) = ca_and_leaf(&["localhost".to_owned()], setup.key).expect("certificates");
    let mut roots = RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(ca.cert_pem.as_bytes()).expect("ca pem"))
        .expect("ca");
    let chain = vec![CertificateDer::from_pem_slice(leaf.cert_pem.as_bytes()).expect("leaf pem")];
    let key = PrivateKeyDer::from_pem_slice(leaf.key_pem.as_bytes()).expect("key pem");
    let versions: &[&rustls::SupportedProtocolVersion] = if setup.tls12 {
        &[&rustls::version::TLS12]
    } else {
        &[&rustls::version::TLS13]
    };
    let p = Arc::new(provider(setup));
    let mut client = ClientConfig::builder_with_provider(p.clone())
        .with_protocol_versions(versions)
        .expect("versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    let mut server = ServerConfig::builder_with_provider(p)
        .with_protocol_versions(versions)
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .expect("server cert");
    if setup.tickets {
        server.ticketer = aws_lc_rs::Ticketer::new().expect("ticketer");
    } else {
        server.send_tls13_tickets = 0;
        client.resumption = Resumption::disabled();
    }
    (Arc::new(client), Arc::new(server))
}

/// Moves all of `from`'s pending ciphertext into `to`.
fn carry(from: &mut rustls::Connection, to: &mut rustls::Connection, pipe: &mut Vec<u8>) {
    pipe.clear();
    while from.wants_write() {
        from.write_tls(pipe).expect("write_tls");
    }
    let mut rest = &pipe[..];
    while !rest.is_empty() {
        to.read_tls(&mut rest).expect("read_tls");
        to.process_new_packets().expect("process");
    }
}

/// A connected pair in memory, handshake done and tickets delivered.
fn pair(
    client: &Arc<ClientConfig>,
    server: &Arc<ServerConfig>,
    pipe: &mut Vec<u8>,
) -> (rustls::Connection, rustls::Connection) {
    let name = ServerName::try_from("localhost").expect("name");
    let mut c: rustls::Connection = ClientConnection::new(client.clone(), name)
        .expect("client")
        .into();
    let mut s: rustls::Connection = ServerConnection::new(server.clone())
        .expect("server")
        .into();
    while c.is_handshaking() || s.is_handshaking() || c.wants_write() || s.wants_write() {
        carry(&mut c, &mut s, pipe);
        carry(&mut s, &mut c, pipe);
    }
    (c, s)
}

/// One run of a case: work per second of wall time and, for a case run in
/// this one thread, per second of this thread's CPU time.
struct Rate {
    wall: f64,
    cpu: Option<f64>,
}

/// This thread's CPU time so far.
fn thread_cpu() -> Duration {
    let t = clock_gettime(ClockId::ThreadCPUTime);
    let secs = u64::try_from(t.tv_sec).expect("CPU seconds");
    let nanos = u32::try_from(t.tv_nsec).expect("CPU nanoseconds");
    Duration::new(secs, nanos)
}

/// Wall time and this thread's CPU time since it was started.
struct Stopwatch {
    wall: Instant,
    cpu: Duration,
}

impl Stopwatch {
    fn start() -> Self {
        Stopwatch {
            wall: Instant::now(),
            cpu: thread_cpu(),
        }
    }

    /// `work` per second of wall time and of this thread's CPU time, since the start.
    fn rate(&self, work: f64) -> Rate {
        let wall = self.wall.elapsed().as_secs_f64();
        let cpu = (thread_cpu() - self.cpu).as_secs_f64();
        Rate {
            wall: work / wall,
            cpu: Some(work / cpu),
        }
    }
}

/// Full or resumed handshakes per second, both ends in this thread.
fn handshakes(setup: Setup, count: usize) -> Rate {
    let (client, server) = configs(setup);
    let mut pipe = Vec::new();
    for _ in 0..5 {
        pair(&client, &server, &mut pipe);
    }
    let start = Stopwatch::start();
    let mut resumed = 0;
    for _ in 0..count {
        let (c, _s) = pair(&client, &server, &mut pipe);
        resumed += usize::from(c.handshake_kind() == Some(rustls::HandshakeKind::Resumed));
    }
    let rate = start.rate(count as f64);
    assert_eq!(
        resumed > count / 2,
        setup.tickets,
        "resumption not as intended"
    );
    rate
}

/// Feeds `ciphertext` to `conn`, reading plaintext into `out` as it appears
/// (rustls holds at most 16 KiB of unread plaintext). Returns the plaintext count.
fn feed(conn: &mut rustls::Connection, mut ciphertext: &[u8], out: &mut [u8]) -> usize {
    let mut got = 0;
    while !ciphertext.is_empty() {
        conn.read_tls(&mut ciphertext).expect("read_tls");
        conn.process_new_packets().expect("process");
        got += drain(conn, out);
    }
    got
}

/// Reads all available plaintext into `out` (overwriting it), returning the count.
fn drain(conn: &mut rustls::Connection, out: &mut [u8]) -> usize {
    let mut got = 0;
    loop {
        match conn.reader().read(out) {
            Ok(0) => return got,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return got,
            Err(e) => panic!("read: {e}"),
        }
    }
}

/// Client → server bulk in memory, 64 KiB writes read into one buffer: MiB/s.
fn bulk_memory(setup: Setup, total: usize) -> Rate {
    let (client, server) = configs(setup);
    let mut pipe = Vec::with_capacity(2 * CHUNK);
    let (mut c, mut s) = pair(&client, &server, &mut pipe);
    let chunk = vec![7u8; CHUNK];
    let mut buf = vec![0u8; CHUNK];
    let start = Stopwatch::start();
    let mut got = 0;
    for _ in 0..total / CHUNK {
        c.writer().write_all(&chunk).expect("write");
        pipe.clear();
        while c.wants_write() {
            c.write_tls(&mut pipe).expect("write_tls");
        }
        got += feed(&mut s, &pipe, &mut buf);
    }
    assert_eq!(got, total);
    start.rate(total as f64 / MIB as f64)
}

/// Receives until at least one plaintext byte arrived, into a 64 KiB buffer
/// that rustls is fed from (one syscall per 64 KiB instead of per 4 KiB, which
/// is what `read_tls(&mut socket)` does). Returns the plaintext count.
fn recv_plaintext(
    conn: &mut rustls::Connection,
    sock: &mut TcpStream,
    raw: &mut [u8],
    out: &mut [u8],
) -> usize {
    loop {
        let n = sock.read(raw).expect("recv");
        assert!(n > 0, "peer closed");
        let got = feed(conn, &raw[..n], out);
        if got > 0 {
            return got;
        }
    }
}

fn flush(conn: &mut rustls::Connection, sock: &mut TcpStream) {
    while conn.wants_write() {
        conn.write_tls(sock).expect("write_tls");
    }
}

/// Handshake over a socket with blocking I/O.
fn handshake_blocking(conn: &mut rustls::Connection, sock: &mut TcpStream) {
    while conn.is_handshaking() {
        flush(conn, sock);
        if conn.is_handshaking() && conn.wants_read() {
            conn.read_tls(sock).expect("read_tls");
            conn.process_new_packets().expect("process");
        }
    }
    flush(conn, sock);
}

fn loopback() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let client = TcpStream::connect(listener.local_addr().expect("addr")).expect("connect");
    let (server, _) = listener.accept().expect("accept");
    for s in [&client, &server] {
        s.set_nodelay(true).expect("nodelay");
        s.set_read_timeout(Some(Duration::from_secs(60)))
            .expect("timeout");
    }
    (client, server)
}

/// Bulk over loopback TCP, client and server on two threads: MiB/s (wall time only).
fn bulk_socket_rustls(setup: Setup, total: usize) -> Rate {
    let (client, server) = configs(setup);
    let (mut csock, mut ssock) = loopback();
    let receiver = thread::spawn(move || {
        let mut s: rustls::Connection = ServerConnection::new(server).expect("server").into();
        handshake_blocking(&mut s, &mut ssock);
        let (mut raw, mut buf) = (vec![0u8; CHUNK], vec![0u8; CHUNK]);
        let mut got = 0;
        while got < total {
            got += recv_plaintext(&mut s, &mut ssock, &mut raw, &mut buf);
        }
        s.writer().write_all(b"k").expect("ack");
        flush(&mut s, &mut ssock);
    });
    let name = ServerName::try_from("localhost").expect("name");
    let mut c: rustls::Connection = ClientConnection::new(client, name).expect("client").into();
    handshake_blocking(&mut c, &mut csock);
    let chunk = vec![7u8; CHUNK];
    let start = Instant::now();
    for _ in 0..total / CHUNK {
        c.writer().write_all(&chunk).expect("write");
        flush(&mut c, &mut csock);
    }
    let (mut raw, mut ack) = (vec![0u8; CHUNK], [0u8; 1]);
    while recv_plaintext(&mut c, &mut csock, &mut raw, &mut ack) == 0 {}
    let elapsed = start.elapsed().as_secs_f64();
    receiver.join().expect("receiver");
    Rate {
        wall: total as f64 / MIB as f64 / elapsed,
        cpu: None,
    }
}

fn median(mut runs: Vec<f64>) -> f64 {
    runs.sort_by(f64::total_cmp);
    runs[runs.len() / 2]
}

/// The lowest and highest of `runs`.
fn range(runs: &[f64]) -> (f64, f64) {
    runs.iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)))
}

/// How the results are printed.
struct Report {
    json: bool,
    reps: usize,
    only: Option<String>,
}

impl Report {
    /// Runs `case` `reps` times and prints its median and range, per wall
    /// second and (if the case has it) per thread-CPU second. `key` names the
    /// `bench/run.py` row the case is the ceiling of.
    fn case(&self, key: &str, name: &str, unit: &str, mut case: impl FnMut() -> Rate) {
        if self
            .only
            .as_ref()
            .is_some_and(|only| !key.starts_with(only))
        {
            return;
        }
        let rates: Vec<Rate> = (0..self.reps).map(|_| case()).collect();
        let runs: Vec<f64> = rates.iter().map(|r| r.wall).collect();
        let cpu_runs: Option<Vec<f64>> = rates.iter().map(|r| r.cpu).collect();
        let cpu_median = cpu_runs.clone().map(median);
        if self.json {
            let case = serde_json::json!({
                "key": key, "name": name, "unit": unit, "median": median(runs.clone()), "runs": runs,
                "cpu_median": cpu_median, "cpu_runs": cpu_runs,
            });
            println!("{case}");
        } else {
            let (lo, hi) = range(&runs);
            let cpu = match (&cpu_runs, cpu_median) {
                (Some(cpu_runs), Some(cpu_median)) => {
                    let (lo, hi) = range(cpu_runs);
                    format!("{cpu_median:.0} | {lo:.0}–{hi:.0}")
                }
                _ => "- | -".to_owned(),
            };
            println!(
                "| {name} | {unit} | {:.0} | {lo:.0}–{hi:.0} | {cpu} |",
                median(runs)
            );
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--quick");
    let json = args.iter().any(|a| a == "--json");
    let value_of = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .map(|i| args.get(i + 1).cloned().expect("a value after the flag"))
    };
    let only = value_of("--only");
    let (reps, total, count) = if quick {
        (3, 16 * MIB, 200)
    } else {
        (5, 64 * MIB, 1000)
    };
    let tls12 = Setup {
        tls12: true,
        ..Setup::DEFAULT
    };
    let rsa = Setup {
        key: KeyKind::Rsa2048,
        ..Setup::DEFAULT
    };
    let x25519 = |s: Setup| Setup {
        x25519_only: true,
        ..s
    };
    let reps = value_of("--reps").map_or(reps, |n| n.parse().expect("--reps N"));
    let report = Report { json, reps, only };
    if !json {
        println!("| case | unit | median | range | per thread-CPU-s | range |");
        println!("|---|---|---|---|---|---|");
    }
    report.case(
        "bulk-tls13",
        "bulk socket TLS 1.3, rustls, 64 KiB recv",
        "MiB/s",
        || bulk_socket_rustls(Setup::DEFAULT, total),
    );
    report.case(
        "bulk-tls12",
        "bulk socket TLS 1.2 AES128-GCM, rustls",
        "MiB/s",
        || bulk_socket_rustls(tls12, total),
    );
    report.case(
        "bulk-sansio",
        "bulk in memory TLS 1.3, rustls",
        "MiB/s",
        || bulk_memory(Setup::DEFAULT, total),
    );
    report.case(
        "hs-sansio:ecdsa-default",
        "full handshake ECDSA, default kx",
        "hs/s",
        || handshakes(Setup::DEFAULT, count),
    );
    report.case(
        "hs-sansio:ecdsa-x25519",
        "full handshake ECDSA, X25519",
        "hs/s",
        || handshakes(x25519(Setup::DEFAULT), count),
    );
    report.case(
        "hs-sansio:rsa-default",
        "full handshake RSA-2048, default kx",
        "hs/s",
        || handshakes(rsa, count),
    );
    report.case(
        "hs-sansio:rsa-x25519",
        "full handshake RSA-2048, X25519",
        "hs/s",
        || handshakes(x25519(rsa), count),
    );
    let resumed = Setup {
        tickets: true,
        ..Setup::DEFAULT
    };
    report.case("hs-resumed", "resumed TLS 1.3 handshake", "hs/s", || {
        handshakes(resumed, count)
    });
}
