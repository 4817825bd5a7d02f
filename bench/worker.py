"""One measurement of one axis with one TLS module, in a process of its own.

Run by ``bench/run.py``; not meant to be run by hand, though it can be::

    python bench/worker.py measure AXIS MODULE CERTDIR [--quick]
    python bench/worker.py serve MODE MODULE CERTDIR OPTIONS_JSON

``measure`` prints one JSON object on its last stdout line: ``{"value": ...}``,
``{"values": {"row": ..., ...}}`` for an axis with several rows, or
``{"na": "reason"}``. The single-threaded in-memory axes (``bulk-sansio``,
``hs-sansio``) add ``cpu_value`` / ``cpu_values``: the same work per second of
the measuring thread's CPU time (``time.thread_time()``), which time spent
preempted by other processes does not inflate. ``serve`` is the peer process of the socket axes: it
prints ``PORT n`` and serves. Every axis runs the same code for every module;
only the module object differs.
"""

from __future__ import annotations

import asyncio
import functools
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
import warnings
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

    def read_value(self, prefix: str) -> float:
        """The number the peer printed on its next line, ``PREFIX number``."""
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], 30)
        line = self.proc.stdout.readline() if ready else ""
        if not line.startswith(prefix + " "):
            raise RuntimeError(f"peer sent {line!r}, expected {prefix}")
        return float(line.split()[1])

    def finish(self, timeout: float = 30) -> None:
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def serve(mode: str, module: str, certdir: str, options: dict[str, Any]) -> None:
    if "cpu" in options:
        os.sched_setaffinity(0, {options["cpu"]})
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
            elif mode == "http":
                _serve_http(tls)
        except OSError:
            pass
        finally:
            tls.close()


def _serve_sink(tls: Any, total: int, warmup: int) -> None:
    buf = bytearray(CHUNK)
    view = memoryview(buf)
    got = 0
    cpu = time.process_time()
    while got < warmup + total:
        n = tls.recv_into(view)
        if n == 0:
            break
        got += n
        if got == warmup:
            tls.sendall(b"w")  # the client starts its clock on this
            cpu = time.process_time()
    # This process's CPU time (user + system) for the timed bytes, for `bulk-cpu`.
    print(f"CPU {time.process_time() - cpu}", flush=True)
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


#: What the `https-get` server answers to every request.
HTTP_BODY = b"ok"


def _serve_http(tls: Any) -> None:
    """One HTTP/1.1 request, answered with ``Connection: close``."""
    request = b""
    while b"\r\n\r\n" not in request:
        data = tls.recv(4096)
        if not data:
            return
        request += data
        if len(request) > 64 * KiB:
            raise RuntimeError("request head too long")
    head = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
    tls.sendall(head % len(HTTP_BODY) + HTTP_BODY)


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
    mod: Any,
    module: str,
    certdir: str,
    quick: bool,
    tls12: bool,
    sustained: bool = False,
    pinned: bool = False,
) -> dict[str, Any]:
    """Client sends, server sinks. ``sustained``: 64 MiB first, untimed, then 512 MiB.

    The plain axes time 64 MiB from a new connection. The stdlib's rate over
    loopback switches between two modes at random points of a transfer, and
    the slow one is more common early on (docs/performance.md, item 1), so
    the sustained axis shows what a long transfer gets.

    ``pinned`` (the `bulk-cpu` axis): sender and receiver each run on a core
    of their own, and each side's CPU time (user + system, its whole process)
    over the timed bytes is reported as MiB per CPU-second, next to the wall
    time. It sends four times as much (256 MiB, 64 with ``quick``), so that
    connection start-up weighs little in the CPU per byte.
    """
    total = (16 if quick else 64) * MiB * (4 if pinned else 1)
    warmup = 0
    if sustained:
        total, warmup = total * 8, total
    ctx_opts: dict[str, Any] = {"tls12": tls12}
    peer_opts: dict[str, Any] = {}
    if pinned:
        cores = sorted(os.sched_getaffinity(0))
        if len(cores) < 2:
            raise NotAvailable(f"needs two cores, this process may use {cores}")
        os.sched_setaffinity(0, {cores[0]})
        peer_opts["cpu"] = cores[1]
    client, _ = contexts(mod, certdir, **ctx_opts)
    peer = Peer("sink", module, certdir, ctx=ctx_opts, total=total, warmup=warmup, **peer_opts)
    tls = client.wrap_socket(peer.connect(), server_hostname=SNI)
    chunk = memoryview(os.urandom(CHUNK))
    if warmup:
        for _ in range(warmup // CHUNK):
            tls.sendall(chunk)
        if tls.recv(1) != b"w":
            raise RuntimeError("no warm-up ack")
    start = time.perf_counter()
    cpu = time.process_time()
    for _ in range(total // CHUNK):
        tls.sendall(chunk)
    ack = tls.recv(1)
    elapsed = time.perf_counter() - start
    sender_cpu = time.process_time() - cpu
    receiver_cpu = peer.read_value("CPU")
    cipher = tls.cipher()
    tls.close()
    peer.finish()
    if ack != b"k":
        raise RuntimeError(f"bad ack {ack!r}")
    extra: dict[str, Any] = {"cipher": cipher and cipher[0]}
    if not pinned:
        return {"value": total / MiB / elapsed, "extra": extra}
    extra["cpu_seconds"] = {"sender": sender_cpu, "receiver": receiver_cpu, "wall": elapsed}
    values = {
        "sender": total / MiB / sender_cpu,
        "receiver": total / MiB / receiver_cpu,
        "wall": total / MiB / elapsed,
    }
    return {"values": values, "extra": extra}


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


class Timed:
    """Wall time and this thread's CPU time of a ``with`` block, in seconds.

    Both ends of a sans-IO pair run in this one thread, so its CPU time is
    all the work; unlike the wall time, it does not grow while the thread
    waits for a core the machine's other processes hold.
    """

    def __init__(self) -> None:
        self.wall = self.cpu = 0.0
        self._start = (0.0, 0.0)

    def __enter__(self) -> Timed:
        self._start = (time.perf_counter(), time.thread_time())
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self._start[0]
        self.cpu = time.thread_time() - self._start[1]

    def rates(self, work: float) -> tuple[float, float]:
        """``work`` per second of wall time and per second of thread CPU time."""
        return work / self.wall, work / self.cpu


def bulk_bio(mod: Any, module: str, certdir: str, quick: bool) -> dict[str, Any]:
    total = (16 if quick else 64) * MiB
    pair = BioPair(mod, *contexts(mod, certdir))
    pair.transfer(4 * CHUNK)
    with Timed() as timed:
        pair.transfer(total)
    wall, cpu = timed.rates(total / MiB)
    return {"value": wall, "cpu_value": cpu}


#: The full handshakes of the `hs-sansio` axis: key, certificate, X25519 only.
SANSIO_HANDSHAKES = {
    "ecdsa-default": ("ecdsa", False),
    "ecdsa-x25519": ("ecdsa", True),
    "rsa-default": ("rsa", False),
    "rsa-x25519": ("rsa", True),
}


def handshakes_in_memory(mod: Any, module: str, certdir: str, quick: bool) -> dict[str, Any]:
    """Full handshakes per second, both ends in this thread over ``MemoryBIO``s.

    The same work as the ceiling bench's handshakes (rustls alone, both ends in
    one thread, no tickets), so the `ceiling` rows can compare the two.
    """
    count = 100 if quick else 300
    values, cpu_values = {}, {}
    for name, (key, x25519) in SANSIO_HANDSHAKES.items():
        client, server = contexts(mod, certdir, key=key, x25519=x25519, tickets=False)
        timed = _timed_calls(count, lambda c=client, s=server: BioPair(mod, c, s))
        values[name], cpu_values[name] = timed.rates(count)
    return {"values": values, "cpu_values": cpu_values}


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


#: The `idle-memory` exchange: a request the size of a small HTTP request, and
#: a response of one full TLS record (16 KiB), so every buffer is used once.
REQUEST_SIZE = KiB
RESPONSE_SIZE = 16 * KiB


def _read_exactly(tls: Any, size: int, wants: tuple[type[BaseException], ...]) -> None:
    """Reads ``size`` bytes from a non-blocking socket whose peer already sent them."""
    buf = bytearray(size)
    view = memoryview(buf)
    got = 0
    for _ in range(1000):
        try:
            n = tls.recv_into(view[got:])
        except wants:
            continue
        if n == 0:
            raise RuntimeError("peer closed")
        got += n
        if got == size:
            return
    raise RuntimeError(f"read {got} of {size} bytes")


def pair_memory(mod: Any, certdir: str, quick: bool, exchange: bool) -> dict[str, float]:
    """RSS growth per connected client+server pair over ``socketpair()``, in KiB.

    ``handshake``: after the handshake. With ``exchange``, also ``exchange``:
    after each pair then carried one request and one response, each read to
    its last byte and no further, as a client that knows the length does (an
    HTTP client returning a connection to its pool).
    """
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

    def request_response(c: Any, s: Any) -> None:
        c.sendall(request)
        _read_exactly(s, REQUEST_SIZE, wants)
        s.sendall(response)
        _read_exactly(c, RESPONSE_SIZE, wants)

    request, response = b"q" * REQUEST_SIZE, b"r" * RESPONSE_SIZE
    keep = [pair() for _ in range(20)]
    if exchange:
        for c, s in keep:
            request_response(c, s)
    gc.collect()
    before = _rss()
    keep += [pair() for _ in range(count)]
    gc.collect()
    result = {"handshake": (_rss() - before) / count / KiB}
    if exchange:
        for c, s in keep[20:]:
            request_response(c, s)
        gc.collect()
        result["exchange"] = (_rss() - before) / count / KiB
    for c, s in keep:
        c.close()
        s.close()
    return result


def memory(mod: Any, module: str, certdir: str, quick: bool) -> dict[str, Any]:
    return {"value": pair_memory(mod, certdir, quick, exchange=False)["handshake"]}


def idle_memory(mod: Any, module: str, certdir: str, quick: bool) -> dict[str, Any]:
    sizes = {"request": REQUEST_SIZE, "response": RESPONSE_SIZE}
    return {"values": pair_memory(mod, certdir, quick, exchange=True), "extra": sizes}


# -- what a script pays per call ----------------------------------------------


def _timed_calls(
    calls: int, call: Any, first: dict[str, float] | None = None, key: str = ""
) -> Timed:
    """The time ``calls`` calls of ``call()`` take, after one call timed apart,
    whose milliseconds go into ``first[key]`` (a process's first call fills its caches)."""
    start = time.perf_counter()
    call()
    if first is not None:
        first[key] = round((time.perf_counter() - start) * 1000, 2)
    with Timed() as timed:
        for _ in range(calls):
            call()
    return timed


def _per_second(
    calls: int, call: Any, first: dict[str, float] | None = None, key: str = ""
) -> float:
    """Calls per second of wall time of ``call()``, as ``_timed_calls`` times them."""
    return calls / _timed_calls(calls, call, first, key).wall


def context_creation(mod: Any, module: str, certdir: str, quick: bool) -> dict[str, Any]:
    """``create_default_context()`` per call, then with certifi's bundle as ``cafile``."""
    import certifi

    calls = 20 if quick else 60
    bundle = certifi.where()
    first: dict[str, float] = {}
    values = {
        "default": _per_second(calls, mod.create_default_context, first, "first_default_ms"),
        "certifi": _per_second(
            calls, lambda: mod.create_default_context(cafile=bundle), first, "first_certifi_ms"
        ),
    }
    return {"values": values, "extra": first}


def certifi_plus(ca: Path) -> Path:
    """certifi's bundle (requests' default ``verify``) followed by ``ca``, in a file beside ``ca``."""
    import certifi

    path = ca.with_name("certifi-plus-ca.pem")
    if not path.exists():
        tmp = path.with_name(f"{path.name}.{os.getpid()}")
        tmp.write_text(Path(certifi.where()).read_text() + "\n" + ca.read_text())
        tmp.replace(path)
    return path


def https_get(mod: Any, module: str, certdir: str, quick: bool) -> dict[str, Any]:
    """A fresh ``requests.get()`` per call against a stdlib-``ssl`` server process.

    Only the client differs between columns: the server is always the stdlib's.
    The client module is what ``requests`` (through urllib3) imports as ``ssl``:
    a module other than the stdlib is injected before requests is imported.
    """
    if module != "ssl":
        inject = getattr(mod, "inject_into_ssl", None)
        if inject is None:
            raise NotAvailable(f"{module} has no inject_into_ssl()")
        with warnings.catch_warnings():
            # asyncio, imported by this worker, kept the stdlib: not used here.
            warnings.simplefilter("ignore", RuntimeWarning)
            inject()
    import requests
    import urllib3.util.ssl_

    if urllib3.util.ssl_.SSLContext is not mod.SSLContext:
        raise RuntimeError(f"urllib3 does not use {module}'s SSLContext")
    one_ca = Path(certdir) / "ecdsa" / "ca.pem"
    bundles = {"certifi": certifi_plus(one_ca), "one-ca": one_ca}
    calls = 30 if quick else 100
    peer = Peer("http", "ssl", certdir, connections=len(bundles) * (calls + 1))
    url = f"https://{SNI}:{peer.addr[1]}/"

    def get(cafile: str) -> None:
        r = requests.get(url, verify=cafile, timeout=30)
        if r.status_code != 200 or r.content != HTTP_BODY:
            raise RuntimeError(f"bad response {r.status_code} {r.content!r}")

    values = {}
    extra: dict[str, Any] = {"server": "stdlib ssl", "requests": requests.__version__}
    for key, path in bundles.items():
        values[key] = _per_second(
            calls, functools.partial(get, str(path)), extra, f"first_{key}_ms"
        )
    peer.finish()
    return {"values": values, "extra": extra}


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
    "bulk-cpu": lambda m, n, d, q: bulk_socket(m, n, d, q, False, pinned=True),
    "bulk-sansio": bulk_bio,
    "hs-ecdsa-default": lambda m, n, d, q: handshakes(m, n, d, q, "ecdsa", False, False),
    "hs-ecdsa-x25519": lambda m, n, d, q: handshakes(m, n, d, q, "ecdsa", True, False),
    "hs-rsa-default": lambda m, n, d, q: handshakes(m, n, d, q, "rsa", False, False),
    "hs-rsa-x25519": lambda m, n, d, q: handshakes(m, n, d, q, "rsa", True, False),
    "hs-resumed": lambda m, n, d, q: handshakes(m, n, d, q, "ecdsa", False, True),
    "rtt-1b": lambda m, n, d, q: ping_pong(m, n, d, q, 1),
    "rtt-1k": lambda m, n, d, q: ping_pong(m, n, d, q, KiB),
    "hs-sansio": handshakes_in_memory,
    "memory": memory,
    "idle-memory": idle_memory,
    "context": context_creation,
    "https-get": https_get,
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
