"""One measurement of one axis with one TLS module, in a process of its own.

Run by ``bench/run.py``; not meant to be run by hand, though it can be::

    python bench/worker.py measure AXIS MODULE CERTDIR [--quick]
    python bench/worker.py serve MODE MODULE CERTDIR OPTIONS_JSON

``measure`` prints one JSON object on its last stdout line: ``{"value": ...}``
or ``{"na": "reason"}``. ``serve`` is the peer process of the socket axes: it
prints ``PORT n`` and serves. Every axis runs the same code for every module;
only the module object differs.
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from biopair import CHUNK, SNI, BioPair

KiB = 1024
MiB = 1024 * KiB
HOST = "127.0.0.1"
#: No process of the suite lives longer than this (seconds).
PROCESS_LIMIT = 150
#: Peer processes started by this process, ended when the measurement ends.
PEERS: list[subprocess.Popen[str]] = []


class NotAvailable(Exception):
    """The module lacks a feature this axis needs."""


# -- contexts -----------------------------------------------------------------


def contexts(
    mod: Any,
    certdir: str,
    key: str = "ecdsa",
    tls12: bool = False,
    x25519: bool = False,
    tickets: bool = True,
) -> tuple[Any, Any]:
    """A client and a server context of ``mod`` over the generated certificates."""
    d = Path(certdir) / key
    client = mod.SSLContext(mod.PROTOCOL_TLS_CLIENT)
    client.load_verify_locations(cafile=str(d / "ca.pem"))
    server = mod.SSLContext(mod.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(str(d / "leaf.pem"), str(d / "leaf.key"))
    if tls12:
        for ctx in (client, server):
            ctx.maximum_version = mod.TLSVersion.TLSv1_2
            ctx.set_ciphers("ECDHE-ECDSA-AES128-GCM-SHA256")
    if x25519:
        for ctx in (client, server):
            if not hasattr(ctx, "set_ecdh_curve"):
                raise NotAvailable("SSLContext.set_ecdh_curve missing")
            ctx.set_ecdh_curve("X25519")
    if not tickets:
        try:
            server.num_tickets = 0
        except (AttributeError, ValueError):
            pass  # the session_reused check in handshakes() still catches a resumption
    return client, server


def group_of(tls: Any) -> str | None:
    """The key-exchange group, where the module can tell (introspection only)."""
    obj = getattr(tls, "_sslobj", None)
    for name in ("_group", "group"):
        fn = getattr(obj, name, None) or getattr(tls, name, None)
        if callable(fn):
            try:
                return str(fn())
            except Exception:
                return None
    return None


# -- the peer process ---------------------------------------------------------


class Peer:
    """A ``serve`` process of the same module, started for one measurement."""

    def __init__(self, mode: str, module: str, certdir: str, **options: Any) -> None:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                __file__,
                "serve",
                mode,
                module,
                certdir,
                json.dumps(options),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        PEERS.append(self.proc)
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], 30)
        line = self.proc.stdout.readline() if ready else ""
        if not line.startswith("PORT "):
            self.proc.kill()
            raise RuntimeError(f"peer did not start: {line!r}")
        self.addr = (HOST, int(line.split()[1]))
        rest = self.proc.stdout.readline().strip()
        if rest.startswith("NA "):
            self.finish()
            raise NotAvailable(rest[3:])

    def connect(self) -> socket.socket:
        raw = socket.create_connection(self.addr, timeout=30)
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        raw.settimeout(None)
        return raw

    def finish(self, timeout: float = 30) -> None:
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def serve(mode: str, module: str, certdir: str, options: dict[str, Any]) -> None:
    mod = importlib.import_module(module)
    listener = socket.create_server((HOST, 0), backlog=256)
    print(f"PORT {listener.getsockname()[1]}", flush=True)
    try:
        _client, server_ctx = contexts(mod, certdir, **options.get("ctx", {}))
    except NotAvailable as e:
        print(f"NA {e}", flush=True)
        return
    print("READY", flush=True)
    if mode == "asyncio":
        asyncio.run(_serve_asyncio(listener, server_ctx, options["connections"]))
        return
    for _ in range(options.get("connections", 1)):
        conn, _addr = listener.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            tls = server_ctx.wrap_socket(conn, server_side=True)
        except OSError:
            conn.close()
            continue
        try:
            if mode == "sink":
                _serve_sink(tls, options["total"], options.get("warmup", 0))
            elif mode == "echo":
                _serve_echo(tls)
            elif mode == "hello":
                tls.sendall(b"x")
        except OSError:
            pass
        finally:
            tls.close()


def _serve_sink(tls: Any, total: int, warmup: int) -> None:
    buf = bytearray(CHUNK)
    view = memoryview(buf)
    got = 0
    while got < warmup + total:
        n = tls.recv_into(view)
        if n == 0:
            break
        got += n
        if got == warmup:
            tls.sendall(b"w")  # the client starts its clock on this
    tls.sendall(b"k")
    tls.recv(1)  # the client's close


def _serve_echo(tls: Any) -> None:
    buf = bytearray(CHUNK)
    view = memoryview(buf)
    while True:
        n = tls.recv_into(view)
        if n == 0:
            return
        tls.sendall(view[:n])


async def _serve_asyncio(listener: socket.socket, ctx: Any, connections: int) -> None:
    left = connections
    done = asyncio.Event()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal left
        try:
            while data := await reader.read(CHUNK):
                writer.write(data)
                await writer.drain()
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()
            left -= 1
            if left == 0:
                done.set()

    server = await asyncio.start_server(handle, sock=listener, ssl=ctx, backlog=256)
    async with server:
        await asyncio.wait_for(done.wait(), PROCESS_LIMIT - 10)


# -- socket axes --------------------------------------------------------------


def bulk_socket(
    mod: Any, module: str, certdir: str, quick: bool, tls12: bool, sustained: bool = False
) -> dict[str, Any]:
    """Client sends, server sinks. ``sustained``: 64 MiB first, untimed, then 512 MiB.

    The plain axes time 64 MiB from a new connection. The stdlib's rate over
    loopback switches between two modes at random points of a transfer, and
    the slow one is more common early on (docs/performance.md, item 1), so
    the sustained axis shows what a long transfer gets.
    """
    total = (16 if quick else 64) * MiB
    warmup = 0
    if sustained:
        total, warmup = total * 8, total
    ctx_opts: dict[str, Any] = {"tls12": tls12}
    client, _ = contexts(mod, certdir, **ctx_opts)
    peer = Peer("sink", module, certdir, ctx=ctx_opts, total=total, warmup=warmup)
    tls = client.wrap_socket(peer.connect(), server_hostname=SNI)
    chunk = memoryview(os.urandom(CHUNK))
    if warmup:
        for _ in range(warmup // CHUNK):
            tls.sendall(chunk)
        if tls.recv(1) != b"w":
            raise RuntimeError("no warm-up ack")
    start = time.perf_counter()
    for _ in range(total // CHUNK):
        tls.sendall(chunk)
    ack = tls.recv(1)
    elapsed = time.perf_counter() - start
    cipher = tls.cipher()
    tls.close()
    peer.finish()
    if ack != b"k":
        raise RuntimeError(f"bad ack {ack!r}")
    return {"value": total / MiB / elapsed, "extra": {"cipher": cipher and cipher[0]}}


def handshakes(
    mod: Any, module: str, certdir: str, quick: bool, key: str, x25519: bool, resume: bool
) -> dict[str, Any]:
    count = 100 if quick else 300
    warmup = 5
    ctx_opts: dict[str, Any] = {"key": key, "x25519": x25519, "tickets": resume}
    client, _ = contexts(mod, certdir, **ctx_opts)
    peer = Peer("hello", module, certdir, ctx=ctx_opts, connections=count + warmup)
    session = None
    reused = 0
    group = None
    start = 0.0
    for i in range(count + warmup):
        if i == warmup:
            start = time.perf_counter()
        # Passed only when there is one, so modules without `session=` still run.
        kw: dict[str, Any] = {"session": session} if session is not None else {}
        tls = client.wrap_socket(peer.connect(), server_hostname=SNI, **kw)
        if tls.recv(1) != b"x":
            raise RuntimeError("no greeting")
        if i >= warmup:
            reused += bool(tls.session_reused)
        if resume:
            session = tls.session
        group = group or group_of(tls)
        tls.close()
    elapsed = time.perf_counter() - start
    peer.finish()
    if resume and reused < count * 0.9:
        raise NotAvailable(f"only {reused}/{count} handshakes resumed")
    if not resume and reused:
        raise RuntimeError(f"{reused}/{count} 'full' handshakes were resumed")
    extra: dict[str, Any] = {"resumed": reused, "group": group}
    if resume and session is None:
        extra["note"] = "resumed through the context's own cache (SSLSocket.session is None)"
    return {"value": count / elapsed, "extra": extra}


def ping_pong(mod: Any, module: str, certdir: str, quick: bool, size: int) -> dict[str, Any]:
    rounds = 3000 if quick else 10000
    client, _ = contexts(mod, certdir)
    peer = Peer("echo", module, certdir)
    tls = client.wrap_socket(peer.connect(), server_hostname=SNI)
    message = b"p" * size
    buf = bytearray(size)
    view = memoryview(buf)

    def round_trip() -> None:
        tls.sendall(message)
        got = 0
        while got < size:
            n = tls.recv_into(view[got:])
            if n == 0:
                raise RuntimeError("peer closed")
            got += n

    for _ in range(100):
        round_trip()
    start = time.perf_counter()
    for _ in range(rounds):
        round_trip()
    elapsed = time.perf_counter() - start
    tls.close()
    peer.finish()
    return {"value": rounds / elapsed}


def asyncio_echo(mod: Any, module: str, certdir: str, quick: bool) -> dict[str, Any]:
    connections = 50
    each = (256 * KiB) if quick else MiB
    client, _ = contexts(mod, certdir)
    peer = Peer("asyncio", module, certdir, connections=connections)
    payload = os.urandom(CHUNK)

    async def one(opened: list[Any]) -> None:
        reader, writer = opened

        async def send() -> None:
            for _ in range(each // CHUNK):
                writer.write(payload)
                await writer.drain()

        async def receive() -> None:
            got = 0
            while got < each:
                data = await reader.read(CHUNK)
                if not data:
                    raise RuntimeError("peer closed early")
                got += len(data)

        await asyncio.gather(send(), receive())
        writer.close()
        try:
            await asyncio.wait_for(writer.wait_closed(), 5)
        except (OSError, TimeoutError):
            pass

    async def main() -> float:
        opened = await asyncio.gather(
            *(
                asyncio.open_connection(*peer.addr, ssl=client, server_hostname=SNI)
                for _ in range(connections)
            )
        )
        start = time.perf_counter()
        await asyncio.wait_for(asyncio.gather(*(one(list(o)) for o in opened)), 120)
        return time.perf_counter() - start

    elapsed = asyncio.run(main())
    peer.finish()
    return {"value": connections * each / MiB / elapsed}


# -- in-process axes ----------------------------------------------------------


def bulk_bio(mod: Any, module: str, certdir: str, quick: bool) -> dict[str, Any]:
    total = (16 if quick else 64) * MiB
    pair = BioPair(mod, *contexts(mod, certdir))
    pair.transfer(4 * CHUNK)
    start = time.perf_counter()
    pair.transfer(total)
    return {"value": total / MiB / (time.perf_counter() - start)}


def two_threads(mod: Any, module: str, certdir: str, quick: bool) -> dict[str, Any]:
    each = (16 if quick else 32) * MiB
    client_ctx, server_ctx = contexts(mod, certdir)
    pairs = [BioPair(mod, client_ctx, server_ctx) for _ in range(2)]
    for p in pairs:
        p.transfer(4 * CHUNK)

    start = time.perf_counter()
    pairs[0].transfer(each)
    one = each / (time.perf_counter() - start)

    barrier = threading.Barrier(3)
    errors: list[BaseException] = []

    def run(p: BioPair) -> None:
        barrier.wait()
        try:
            p.transfer(each)
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=run, args=(p,)) for p in pairs]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join(120)
    both = 2 * each / (time.perf_counter() - start)
    if errors:
        raise errors[0]
    return {
        "value": both / one,
        "extra": {"one_MiBps": one / MiB, "two_MiBps": both / MiB},
    }


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def memory(mod: Any, module: str, certdir: str, quick: bool) -> dict[str, Any]:
    count = 500 if quick else 2000
    client_ctx, server_ctx = contexts(mod, certdir)
    wants = (mod.SSLWantReadError, mod.SSLWantWriteError)

    def pair() -> tuple[Any, Any]:
        a, b = socket.socketpair()
        a.setblocking(False)
        b.setblocking(False)
        c = client_ctx.wrap_socket(a, server_hostname=SNI, do_handshake_on_connect=False)
        s = server_ctx.wrap_socket(b, server_side=True, do_handshake_on_connect=False)
        done = [False, False]
        for _ in range(200):
            for i, obj in enumerate((c, s)):
                if not done[i]:
                    try:
                        obj.do_handshake()
                        done[i] = True
                    except wants:
                        pass
            if all(done):
                return c, s
        raise RuntimeError("handshake over socketpair did not finish")

    keep = [pair() for _ in range(20)]
    gc.collect()
    before = _rss()
    keep += [pair() for _ in range(count)]
    gc.collect()
    after = _rss()
    for c, s in keep:
        c.close()
        s.close()
    return {"value": (after - before) / count / KiB}


#: Run in a fresh interpreter by ``startup``: everything a one-shot HTTPS
#: script pays before its first byte, from ``import`` to a finished handshake.
#: It imports nothing heavy first (asyncio, for one, would import ``ssl``), so
#: it takes ``BioPair`` from ``biopair.py`` rather than from this module.
_STARTUP_CHILD = """
import sys, time
t0 = time.perf_counter()
import importlib
mod = importlib.import_module(sys.argv[1])
d = sys.argv[2]
client = mod.SSLContext(mod.PROTOCOL_TLS_CLIENT)
client.load_verify_locations(cafile=d + "/ca.pem")
server = mod.SSLContext(mod.PROTOCOL_TLS_SERVER)
server.load_cert_chain(d + "/leaf.pem", d + "/leaf.key")
sys.path.insert(0, sys.argv[3])
from biopair import BioPair
BioPair(mod, client, server)
print((time.perf_counter() - t0) * 1000)
"""


def startup(mod: Any, module: str, certdir: str, quick: bool) -> dict[str, Any]:
    """Milliseconds from a fresh interpreter's ``import`` to its first handshake (median)."""
    # Bytecode caching as in an installed package, whatever this shell says.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    here = str(Path(__file__).resolve().parent)
    cmd = [sys.executable, "-c", _STARTUP_CHILD, module, str(Path(certdir) / "ecdsa"), here]
    subprocess.run(cmd, env=env, check=True, capture_output=True, timeout=60)  # writes .pyc
    samples = []
    for _ in range(5 if quick else 11):
        out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True, timeout=60)
        samples.append(float(out.stdout.strip().splitlines()[-1]))
    samples.sort()
    return {"value": samples[len(samples) // 2]}


AXES = {
    "bulk-tls13": lambda m, n, d, q: bulk_socket(m, n, d, q, tls12=False),
    "bulk-tls12": lambda m, n, d, q: bulk_socket(m, n, d, q, tls12=True),
    "bulk-tls13-sustained": lambda m, n, d, q: bulk_socket(m, n, d, q, False, sustained=True),
    "bulk-sansio": bulk_bio,
    "hs-ecdsa-default": lambda m, n, d, q: handshakes(m, n, d, q, "ecdsa", False, False),
    "hs-ecdsa-x25519": lambda m, n, d, q: handshakes(m, n, d, q, "ecdsa", True, False),
    "hs-rsa-default": lambda m, n, d, q: handshakes(m, n, d, q, "rsa", False, False),
    "hs-rsa-x25519": lambda m, n, d, q: handshakes(m, n, d, q, "rsa", True, False),
    "hs-resumed": lambda m, n, d, q: handshakes(m, n, d, q, "ecdsa", False, True),
    "rtt-1b": lambda m, n, d, q: ping_pong(m, n, d, q, 1),
    "rtt-1k": lambda m, n, d, q: ping_pong(m, n, d, q, KiB),
    "memory": memory,
    "asyncio": asyncio_echo,
    "two-threads": two_threads,
    "startup": startup,
}


def measure(axis: str, module: str, certdir: str, quick: bool) -> dict[str, Any]:
    try:
        mod = importlib.import_module(module)
        return AXES[axis](mod, module, certdir, quick)
    except NotAvailable as e:
        return {"na": str(e)}
    except (AttributeError, TypeError) as e:
        # A missing API surfaces as one of these: report it rather than crash the run.
        return {"na": f"{type(e).__name__}: {e}"}
    finally:
        for proc in PEERS:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def main(argv: list[str]) -> None:
    signal.alarm(PROCESS_LIMIT)
    if argv[0] == "serve":
        mode, module, certdir, options = argv[1:5]
        serve(mode, module, certdir, json.loads(options))
    elif argv[0] == "measure":
        axis, module, certdir = argv[1:4]
        result = measure(axis, module, certdir, "--quick" in argv)
        print(json.dumps(result), flush=True)
    else:
        raise SystemExit(f"unknown command {argv[0]!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
