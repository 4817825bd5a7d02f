"""Threads: eight client threads share one context and make 10,000
connections to a rustssl server while another thread keeps changing
unrelated settings of both contexts and loading certificates into them.

Checks: nothing crashes or deadlocks (every thread finishes within the
deadline), every connection succeeds, and every reply carries exactly the
bytes its own request sent, so no data moved between connections.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

import rustssl
from conftest import CertSet, client_context, server_context

CLIENT_THREADS = 8
CONNECTIONS = int(os.environ.get("RUSTSSL_THREAD_CONNECTIONS", 10_000))
#: Every thread must be done by then, or it is reported as a deadlock.
DEADLINE = 600.0
SOCKET_TIMEOUT = 20.0


class EchoServer:
    """A rustssl server answering each message with ``b"echo:" + message``."""

    def __init__(self, ctx: Any) -> None:
        self.ctx = ctx
        self.listener = socket.create_server(("127.0.0.1", 0), backlog=256)
        self.listener.settimeout(0.5)
        self.port = self.listener.getsockname()[1]
        self.pool = ThreadPoolExecutor(max_workers=8)
        self.stop = threading.Event()
        self.errors: list[BaseException] = []
        self.served = 0
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.pool.submit(self._handle, conn)

    def _handle(self, conn: socket.socket) -> None:
        conn.settimeout(SOCKET_TIMEOUT)
        # Small writes both ways: without this, Nagle plus delayed ACKs add
        # ~40 ms per connection (the same with the stdlib).
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            with self.ctx.wrap_socket(conn, server_side=True) as tls:
                message = tls.recv(256)
                tls.sendall(b"echo:" + message)
                tls.recv(1)  # until the client closes
            with self.lock:
                self.served += 1
        except BaseException as e:
            self.errors.append(e)
        finally:
            conn.close()

    def close(self) -> None:
        self.stop.set()
        self.thread.join(5)
        self.listener.close()
        self.pool.shutdown(wait=True)


def client_worker(
    ctx: Any, port: int, worker: int, count: int, errors: list[BaseException], done: list[int]
) -> None:
    for i in range(count):
        token = f"{worker}:{i}:{os.urandom(8).hex()}".encode()
        try:
            raw = socket.create_connection(("127.0.0.1", port), timeout=SOCKET_TIMEOUT)
            raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with ctx.wrap_socket(raw, server_hostname="localhost") as tls:
                tls.sendall(token)
                reply = b""
                while len(reply) < len(token) + 5:
                    chunk = tls.recv(256)
                    if not chunk:
                        break
                    reply += chunk
            if reply != b"echo:" + token:
                raise AssertionError(f"connection {token!r} got {reply!r}: data mixed up")
            done[worker] += 1
        except BaseException as e:
            errors.append(e)
            return


def mutator(
    cctx: Any, sctx: Any, certs: CertSet, other: CertSet, stop: threading.Event, log: list[str]
) -> None:
    """Changes settings that do not affect these handshakes, as fast as it can."""
    n = 0
    with open(other.cafile) as f:
        other_ca = f.read()
    while not stop.is_set():
        n += 1
        step = n % 8
        if step == 0:
            cctx.load_verify_locations(cadata=other_ca)  # another, unused CA
        elif step == 1:
            cctx.options ^= rustssl.OP_NO_COMPRESSION
        elif step == 2:
            cctx.set_ciphers("ECDHE+AESGCM:ECDHE+CHACHA20" if n % 16 < 8 else "DEFAULT")
        elif step == 3:
            cctx.verify_flags ^= rustssl.VERIFY_X509_TRUSTED_FIRST
        elif step == 4:
            sctx.load_cert_chain(certs.certfile, certs.keyfile)  # the same identity, reloaded
        elif step == 5:
            sctx.options ^= rustssl.OP_NO_COMPRESSION
        elif step == 6:
            cctx.post_handshake_auth = not cctx.post_handshake_auth
            cctx.get_ca_certs()
        else:
            cctx.load_cert_chain(other.certfile, other.keyfile)  # a client identity, unasked
            sctx.cert_store_stats()
        time.sleep(0.002)
    log.append(f"{n} setting changes")


@pytest.mark.timeout(int(DEADLINE) + 60)
def test_shared_context_under_concurrent_setting_changes(
    certs: CertSet, other_certs: CertSet
) -> None:
    sctx = server_context(rustssl, certs)
    sctx.num_tickets = 1
    cctx = client_context(rustssl, certs)
    server = EchoServer(sctx)
    errors: list[BaseException] = []
    done = [0] * CLIENT_THREADS
    stop = threading.Event()
    log: list[str] = []
    mut = threading.Thread(
        target=mutator, args=(cctx, sctx, certs, other_certs, stop, log), daemon=True
    )
    workers = [
        threading.Thread(
            target=client_worker,
            args=(cctx, server.port, w, CONNECTIONS // CLIENT_THREADS, errors, done),
            daemon=True,
        )
        for w in range(CLIENT_THREADS)
    ]
    started = time.monotonic()
    mut.start()
    for t in workers:
        t.start()
    try:
        for t in workers:
            t.join(max(0.0, DEADLINE - (time.monotonic() - started)))
        stuck = [t.name for t in workers if t.is_alive()]
        assert not stuck, f"deadlock: client threads {stuck} still running after {DEADLINE}s"
    finally:
        stop.set()
        mut.join(10)
        server.close()
    elapsed = time.monotonic() - started
    assert not mut.is_alive(), "the settings thread deadlocked"
    print(
        f"\n{sum(done)} connections from {CLIENT_THREADS} threads in {elapsed:.1f}s"
        f" ({sum(done) / elapsed:.0f}/s); {log[0] if log else ''};"
        f" server errors: {len(server.errors)}"
    )
    assert not errors, f"{len(errors)} client failures, first: {errors[0]!r}"
    assert not server.errors, f"{len(server.errors)} server failures: {server.errors[0]!r}"
    assert sum(done) == CONNECTIONS
    assert server.served == CONNECTIONS
    # The CA loaded over and over is stored once, beside the real one.
    assert cctx.cert_store_stats()["x509"] == 2
