"""Resource leaks: memory over 100,000 handshakes, and file descriptors on
every error path of a socket connection.

The handshakes run sans-IO (two ``SSLObject``s joined by ``MemoryBIO``s), so
the test measures rustssl rather than the kernel's socket buffers, and is
cheap enough for CI: ECDSA P-256 certificates, X25519 key exchange, full
certificate verification on the client, and no session tickets (so every
handshake is a full one).
"""

from __future__ import annotations

import gc
import os
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

import rustssl
from conftest import CertSet, client_context, server_context
from reliability.peers import OneShotServer

#: Handshakes in the RSS test.
HANDSHAKES = 100_000
#: Handshakes before the baseline is taken: allocator pools, caches and the
#: session cache reach their working size first.
WARMUP = 5_000
#: The bound: RSS may grow by at most this much from the baseline over all
#: the remaining handshakes (a leak of even 100 bytes per handshake would
#: add ~9 MiB; 1 KiB per handshake ~90 MiB).
MAX_GROWTH_MIB = 8.0


def rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def open_fds() -> set[int]:
    return {int(n) for n in os.listdir("/proc/self/fd")}


class BioPair:
    """A rustssl client and server joined by memory BIOs."""

    def __init__(self, cctx: Any, sctx: Any) -> None:
        self.c_in, self.c_out = rustssl.MemoryBIO(), rustssl.MemoryBIO()
        self.s_in, self.s_out = rustssl.MemoryBIO(), rustssl.MemoryBIO()
        self.client = cctx.wrap_bio(self.c_in, self.c_out, server_hostname="localhost")
        self.server = sctx.wrap_bio(self.s_in, self.s_out, server_side=True)

    def _pump(self) -> bool:
        a, b = self.c_out.read(), self.s_out.read()
        if a:
            self.s_in.write(a)
        if b:
            self.c_in.write(b)
        return bool(a or b)

    def handshake(self) -> None:
        for _ in range(8):
            for obj in (self.client, self.server):
                try:
                    obj.do_handshake()
                except rustssl.SSLWantReadError:
                    pass
            if not self._pump():
                break

    def close(self) -> None:
        """Both ends send close_notify (the client first, as ``unwrap()`` does)."""
        for obj in (self.client, self.server):
            try:
                obj.unwrap()
            except rustssl.SSLWantReadError:
                pass
            self._pump()


@pytest.fixture(scope="module")
def bio_contexts(certs: CertSet) -> tuple[Any, Any]:
    sctx = server_context(rustssl, certs)
    sctx.num_tickets = 0
    cctx = client_context(rustssl, certs)
    for ctx in (sctx, cctx):
        ctx.set_ecdh_curve("X25519")
    return cctx, sctx


def run_handshakes(n: int, cctx: Any, sctx: Any, check_every: int = 997) -> None:
    for i in range(n):
        pair = BioPair(cctx, sctx)
        pair.handshake()
        if i % check_every == 0:
            assert pair.client.version() == "TLSv1.3"
            pair.client.write(b"hello")
            pair._pump()
            assert pair.server.read(5) == b"hello"
        pair.close()


@pytest.mark.once_per_run
@pytest.mark.timeout(900)
def test_rss_flat_over_100k_handshakes(bio_contexts: tuple[Any, Any]) -> None:
    """100,000 full handshakes plus close: RSS grows by less than MAX_GROWTH_MIB."""
    cctx, sctx = bio_contexts
    run_handshakes(WARMUP, cctx, sctx)
    gc.collect()
    baseline = rss_mib()
    started = time.monotonic()
    samples = []
    step = (HANDSHAKES - WARMUP) // 5
    for _ in range(5):
        run_handshakes(step, cctx, sctx)
        gc.collect()
        samples.append(round(rss_mib() - baseline, 2))
    elapsed = time.monotonic() - started
    print(
        f"\nRSS: baseline {baseline:.1f} MiB after {WARMUP} handshakes; growth at each"
        f" fifth of {HANDSHAKES - WARMUP} more: {samples} MiB"
        f" ({(HANDSHAKES - WARMUP) / elapsed:.0f} handshakes/s)"
    )
    assert max(samples) < MAX_GROWTH_MIB, f"RSS grew by {max(samples)} MiB: {samples}"
    # Flat, not just small: the last fifth adds at most a quarter of the bound.
    assert samples[-1] - samples[-2] < MAX_GROWTH_MIB / 4, samples


# ------------------------------------------------------------ descriptors


@pytest.fixture
def no_fd_leak() -> Iterator[None]:
    gc.collect()
    before = open_fds()
    yield
    gc.collect()
    # Threads of the harness close their sockets before joining.
    leaked = open_fds() - before
    assert not leaked, f"leaked descriptors: {sorted(leaked)}"


ROUNDS = 50


def test_no_fd_leak_failed_handshakes_client_side(
    certs: CertSet, other_certs: CertSet, no_fd_leak: None
) -> None:
    """Verification failure, a server that closes, and a garbage answer."""
    cctx = client_context(rustssl, certs)
    for _ in range(ROUNDS):
        server = OneShotServer(rustssl, other_certs)  # untrusted certificate
        with pytest.raises(rustssl.SSLCertVerificationError):
            cctx.wrap_socket(
                socket.create_connection(("127.0.0.1", server.port), timeout=5),
                server_hostname="localhost",
            )
        server.join()
    for answer in (b"", b"HTTP/1.1 400 Bad Request\r\n\r\n"):
        for _ in range(ROUNDS):
            port, thread = _answer_once(answer)
            with pytest.raises(rustssl.SSLError):
                cctx.wrap_socket(
                    socket.create_connection(("127.0.0.1", port), timeout=5),
                    server_hostname="localhost",
                )
            thread.join(5)


def test_no_fd_leak_failed_handshakes_server_side(
    certs: CertSet, other_certs: CertSet, no_fd_leak: None
) -> None:
    """A server whose handshakes fail: required client cert missing, or garbage."""
    sctx = server_context(rustssl, certs)
    sctx.verify_mode = rustssl.CERT_REQUIRED
    sctx.load_verify_locations(certs.cafile)
    stdlib_client = client_context(__import__("ssl"), certs)
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.settimeout(5)
        port = listener.getsockname()[1]
        for payload in (None, b"GET / HTTP/1.0\r\n\r\n"):
            for _ in range(ROUNDS):
                client = threading.Thread(target=_client_once, args=(port, payload, stdlib_client))
                client.start()
                conn, _ = listener.accept()
                conn.settimeout(5)
                with pytest.raises(rustssl.SSLError):
                    sctx.wrap_socket(conn, server_side=True)
                client.join(5)
        # And the listening-socket path: SSLSocket.accept() wrapping a failing peer.
        with sctx.wrap_socket(socket.create_server(("127.0.0.1", 0)), server_side=True) as tls:
            tls.settimeout(5)
            for _ in range(ROUNDS):
                client = threading.Thread(
                    target=_client_once, args=(tls.getsockname()[1], b"\x00" * 8, None)
                )
                client.start()
                with pytest.raises(rustssl.SSLError):
                    tls.accept()
                client.join(5)


def test_no_fd_leak_timeouts_and_close_during_handshake(certs: CertSet, no_fd_leak: None) -> None:
    """A handshake that times out, and one closed half-way (non-blocking)."""
    cctx = client_context(rustssl, certs)
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts, never answers
        port = silent.getsockname()[1]
        held = []
        for _ in range(ROUNDS):
            raw = socket.create_connection(("127.0.0.1", port), timeout=0.02)
            with pytest.raises(TimeoutError):
                cctx.wrap_socket(raw, server_hostname="localhost")
            held.append(silent.accept()[0])
        for _ in range(ROUNDS):
            raw = socket.create_connection(("127.0.0.1", port))
            raw.setblocking(False)
            tls = cctx.wrap_socket(raw, server_hostname="localhost", do_handshake_on_connect=False)
            with pytest.raises(rustssl.SSLWantReadError):
                tls.do_handshake()
            tls.close()  # mid-handshake
            held.append(silent.accept()[0])
        for _ in range(ROUNDS):
            # Blocking handshake in a thread, socket closed from this thread.
            raw = socket.create_connection(("127.0.0.1", port), timeout=5)
            tls = cctx.wrap_socket(raw, server_hostname="localhost", do_handshake_on_connect=False)
            errors: list[BaseException] = []

            def hs(tls: Any = tls, errors: list[BaseException] = errors) -> None:
                try:
                    tls.do_handshake()
                except BaseException as e:
                    errors.append(e)

            t = threading.Thread(target=hs)
            t.start()
            peer = silent.accept()[0]
            time.sleep(0.005)
            peer.close()  # the peer goes away mid-handshake
            t.join(5)
            assert not t.is_alive()
            assert errors and isinstance(errors[0], OSError), errors
            tls.close()
        for conn in held:
            conn.close()


def _answer_once(answer: bytes) -> tuple[int, threading.Thread]:
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(5)

    def run() -> None:
        with listener:
            conn, _ = listener.accept()
            with conn:
                conn.recv(65536)
                if answer:
                    conn.sendall(answer)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return listener.getsockname()[1], t


def _client_once(port: int, payload: bytes | None, ctx: Any) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        if payload is not None:
            raw.sendall(payload)
            try:
                raw.recv(1024)
            except OSError:
                pass
            return
        try:
            with ctx.wrap_socket(raw, server_hostname="localhost") as tls:
                tls.recv(1)
        except OSError:
            pass
