"""Fixes for breakages found by running real libraries over rustssl (issue 16).

Each test here failed before its fix; the stdlib ``ssl`` is the peer.
"""

from __future__ import annotations

import array
import fcntl
import os
import random
import select
import socket
import ssl as stdlib_ssl
import subprocess
import sys
import termios
import threading
import time
from typing import Any

import pytest

import rustssl
from conftest import TIMEOUT, CertSet, client_context, server_context
from test_sans_io import Pair

# --- 1. select() then recv(): nothing may wait inside rustssl unseen ---------

#: Transfers in the select-then-recv loop, and the seed of their sizes.
TRANSFERS = 300
SEED = 16


def _sizes() -> list[int]:
    rng = random.Random(SEED)
    sizes = []
    for _ in range(TRANSFERS):
        kind = rng.randrange(4)
        if kind == 0:
            sizes.append(rng.randint(1, 2048))
        elif kind == 1:
            sizes.append(rng.randint(16_000, 70_000))
        else:
            sizes.append(rng.randint(60_000, 400_000))
    return sizes


def _stdlib_sender(
    certs: CertSet, listener: socket.socket, sizes: list[int], errors: list[BaseException]
) -> None:
    """Sends each transfer in one write, then waits for the client's one-byte ack."""
    try:
        sctx = server_context(stdlib_ssl, certs)
        raw, _ = listener.accept()
        # Longer than the client's wait, so that a stall fails the client's check first.
        raw.settimeout(3 * TIMEOUT)
        with sctx.wrap_socket(raw, server_side=True) as conn:
            for i, size in enumerate(sizes):
                conn.sendall(bytes([i % 251]) * size)
                assert conn.recv(1) == b"k"
    except BaseException as e:  # reported by the test
        errors.append(e)


_MODES = {"blocking": None, "timeout": TIMEOUT, "nonblocking": 0.0}
_STALL_CASES = [
    pytest.param(
        "rustssl", mode, check, id=f"rustssl-{mode}-{'pending-select' if check else 'select'}"
    )
    for mode in _MODES
    for check in (False, True)
] + [pytest.param("stdlib", "blocking", False, id="stdlib-blocking-select")]


@pytest.mark.parametrize("version", ["TLSv1_2", "TLSv1_3"])
@pytest.mark.parametrize("client_name,mode,check_pending", _STALL_CASES)
def test_select_then_recv_never_stalls(
    certs: CertSet, version: str, client_name: str, mode: str, check_pending: bool
) -> None:
    # websockets' sync client: select() on the socket, then one recv(65536),
    # never asking pending(). Records rustssl has taken off the socket and
    # not delivered are invisible to select(), so a recv must never leave
    # any behind when the caller's buffer could have taken them. Other
    # clients ask pending() first; that must count them too. The stdlib run
    # is the control: the pattern works with OpenSSL.
    timeout = _MODES[mode]
    module = rustssl if client_name == "rustssl" else stdlib_ssl
    sizes = _sizes()
    errors: list[BaseException] = []
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.settimeout(TIMEOUT)
        server = threading.Thread(
            target=_stdlib_sender, args=(certs, listener, sizes, errors), daemon=True
        )
        server.start()
        cctx = client_context(module, certs)
        cctx.maximum_version = getattr(module.TLSVersion, version)
        raw = socket.create_connection(listener.getsockname(), timeout=TIMEOUT)
        with cctx.wrap_socket(raw, server_hostname="localhost") as sock:
            sock.settimeout(timeout)
            for i, size in enumerate(sizes):
                got = 0
                while got < size:
                    if not (check_pending and sock.pending()):
                        readable, _, _ = select.select([sock], [], [], TIMEOUT)
                        assert readable, (
                            f"transfer {i}: select() timed out with {size - got} of {size} "
                            f"bytes undelivered (pending() == {sock.pending()})"
                        )
                    try:
                        chunk = sock.recv(65536)
                    except module.SSLWantReadError:
                        continue  # non-blocking: part of a record arrived
                    assert chunk, f"transfer {i}: EOF"
                    assert chunk == bytes([i % 251]) * len(chunk)
                    got += len(chunk)
                assert got == size
                _send_ack(sock)
        server.join(TIMEOUT)
    assert not server.is_alive()
    if errors:
        raise errors[0]


def _send_ack(sock: Any) -> None:
    for _ in range(1000):
        try:
            if sock.send(b"k") == 1:
                return
        except (rustssl.SSLWantWriteError, stdlib_ssl.SSLWantWriteError):
            pass
        select.select([], [sock], [], TIMEOUT)
    raise AssertionError("could not send the ack")


def _records(pair: Pair, payload: bytes) -> None:
    """Has the server write `payload` and moves all of its ciphertext to the client's BIO."""
    assert pair.server.write(payload) == len(payload)
    pair.pump()


def test_pending_counts_ciphertext_already_taken_from_the_bio(certs: CertSet) -> None:
    # Three full records reach the client's incoming BIO; one read of one
    # record takes all the ciphertext off the BIO. The other two must show in
    # pending(), as OpenSSL's pending() counts the records it holds.
    cctx = client_context(rustssl, certs)
    sctx = server_context(stdlib_ssl, certs)
    pair = Pair(cctx, sctx, rustssl, stdlib_ssl)
    pair.handshake()
    record = 16384
    _records(pair, b"a" * record + b"b" * record + b"c" * record)
    assert pair.client.pending() == 0  # nothing taken from the BIO yet
    assert pair.client.read(record) == b"a" * record
    assert pair.c_in.pending == 0
    assert pair.client.pending() > 0
    rest = b""
    while pair.client.pending():
        rest += pair.client.read(pair.client.pending())
    assert rest == b"b" * record + b"c" * record
    assert pair.client.pending() == 0
    with pytest.raises(rustssl.SSLWantReadError):
        pair.client.read(1)


def test_pending_is_zero_without_application_data(certs: CertSet) -> None:
    cctx = client_context(rustssl, certs)
    sctx = server_context(stdlib_ssl, certs)
    pair = Pair(cctx, sctx, rustssl, stdlib_ssl)
    pair.handshake()
    assert pair.client.pending() == 0
    # A record split across two arrivals is not pending until it is whole.
    assert pair.server.write(b"x" * 1000) == 1000
    data = pair.s_out.read()
    pair.c_in.write(data[:100])
    with pytest.raises(rustssl.SSLWantReadError):
        pair.client.read(10)
    assert pair.client.pending() == 0
    pair.c_in.write(data[100:])
    assert pair.client.pending() == 0  # still in the BIO: read() has not taken it
    assert pair.client.read(10) == b"x" * 10
    assert pair.client.pending() == 990


def _kernel_bytes(sock: socket.socket) -> int:
    buf = array.array("i", [0])
    fcntl.ioctl(sock.fileno(), termios.FIONREAD, buf)
    return buf[0]


def test_recv_leaves_what_it_cannot_deliver_in_the_kernel(certs: CertSet) -> None:
    # Three records wait in the kernel; a recv of one record must not read
    # the other two off the socket, where select() would no longer see them.
    record = 16384
    payload = b"p" * (3 * record)
    errors: list[BaseException] = []

    def sender(listener: socket.socket) -> None:
        try:
            raw, _ = listener.accept()
            raw.settimeout(TIMEOUT)
            with server_context(stdlib_ssl, certs).wrap_socket(raw, server_side=True) as conn:
                conn.sendall(payload)
                assert conn.recv(1) == b"k"
        except BaseException as e:
            errors.append(e)

    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.settimeout(TIMEOUT)
        t = threading.Thread(target=sender, args=(listener,), daemon=True)
        t.start()
        raw = socket.create_connection(listener.getsockname(), timeout=TIMEOUT)
        with client_context(rustssl, certs).wrap_socket(raw, server_hostname="localhost") as sock:
            deadline = time.monotonic() + TIMEOUT
            while _kernel_bytes(sock) < len(payload) and time.monotonic() < deadline:
                select.select([sock], [], [], 0.05)
            assert _kernel_bytes(sock) >= len(payload)
            got = sock.recv(record)
            assert got == payload[: len(got)]
            # What is not delivered stays where select() sees it: a recv
            # takes no more ciphertext than its buffer can hold decrypted.
            assert _kernel_bytes(sock) >= len(payload) - len(got)
            while len(got) < len(payload):
                if not sock.pending():
                    assert select.select([sock], [], [], TIMEOUT)[0], (
                        "stalled with data inside rustssl"
                    )
                got += sock.recv(record)
            assert got == payload
            sock.sendall(b"k")
        t.join(TIMEOUT)
    if errors:
        raise errors[0]


# --- 2. One TLS 1.3 session resumes any number of times ---------------------

RESUMPTIONS = 6


def _serve_many(
    sctx: Any, listener: socket.socket, count: int, reused: list[bool], errors: list[BaseException]
) -> None:
    """Accepts `count` connections; each sends a payload then waits for the client's close."""
    try:
        for _ in range(count):
            raw, _ = listener.accept()
            raw.settimeout(TIMEOUT)
            with sctx.wrap_socket(raw, server_side=True) as conn:
                reused.append(conn.session_reused)
                conn.sendall(b"data" * 1000)
                conn.recv(1)  # the client's EOF
    except BaseException as e:
        errors.append(e)


@pytest.mark.parametrize("server_name", ["stdlib", "rustssl"])
def test_one_session_resumes_again_and_again(certs: CertSet, server_name: str) -> None:
    # An FTP client resumes the control connection's session on every data
    # connection with session=control.session. rustls tickets are single-use;
    # the tickets a resumed connection receives must refill the session.
    server_mod = stdlib_ssl if server_name == "stdlib" else rustssl
    sctx = server_context(server_mod, certs)
    cctx = client_context(rustssl, certs)
    cctx.minimum_version = rustssl.TLSVersion.TLSv1_3
    reused: list[bool] = []
    errors: list[BaseException] = []
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.settimeout(TIMEOUT)
        t = threading.Thread(
            target=_serve_many, args=(sctx, listener, RESUMPTIONS + 1, reused, errors), daemon=True
        )
        t.start()

        def transfer(session: Any) -> tuple[bool, Any]:
            raw = socket.create_connection(listener.getsockname(), timeout=TIMEOUT)
            with cctx.wrap_socket(raw, server_hostname="localhost", session=session) as sock:
                data = b""
                while len(data) < 4000:
                    chunk = sock.recv(65536)
                    assert chunk
                    data += chunk
                assert sock.version() == "TLSv1.3"
                return sock.session_reused, sock.session

        first_reused, control = transfer(None)
        assert not first_reused
        assert control.has_ticket
        for i in range(RESUMPTIONS):
            was_reused, session = transfer(control)
            assert was_reused, f"resumption {i + 1} of the same session did a full handshake"
            assert session == control
        t.join(TIMEOUT)
    if errors:
        raise errors[0]
    assert reused == [False] + [True] * RESUMPTIONS
    assert cctx.session_stats()["hits"] == RESUMPTIONS


def test_tickets_of_a_full_handshake_do_not_refill_the_offered_session(certs: CertSet) -> None:
    # A session the server refuses to resume stays as it was: the new
    # connection's tickets belong to its own, new session.
    sctx = server_context(stdlib_ssl, certs)
    cctx = client_context(rustssl, certs)
    other = server_context(stdlib_ssl, certs)  # another server: its tickets are foreign
    first = _bio_connect(cctx, other)
    session = first.client.session
    assert session.has_ticket
    second = _bio_connect(cctx, sctx, session=session)
    assert not second.client.session_reused
    assert second.client.session != session
    assert second.client.session.has_ticket


def _bio_connect(cctx: Any, sctx: Any, session: Any = None) -> Pair:
    pair = Pair.__new__(Pair)
    pair.c_in, pair.c_out = rustssl.MemoryBIO(), rustssl.MemoryBIO()
    pair.s_in, pair.s_out = stdlib_ssl.MemoryBIO(), stdlib_ssl.MemoryBIO()
    pair.client = cctx.wrap_bio(pair.c_in, pair.c_out, server_hostname="localhost", session=session)
    pair.server = sctx.wrap_bio(pair.s_in, pair.s_out, server_side=True)
    pair.handshake()
    assert pair.transfer(pair.server, pair.client, b"ping") == b"ping"
    return pair


# --- 4. Monkey-patchers replace names on the ssl module ----------------------

_HTTPS_SERVER = """
import http.server, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[1], sys.argv[2])
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "5")
        self.end_headers()
        self.wfile.write(b"hello")
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
server.socket = ctx.wrap_socket(server.socket, server_side=True)
server.timeout = 30
print(server.server_address[1], flush=True)
server.handle_request()
"""


def _run_client(certs: CertSet, script: str) -> str:
    """Runs `script` in a fresh interpreter against a one-request stdlib HTTPS server."""
    env = dict(os.environ, SSL_CERT_FILE=certs.cafile, PYTHONWARNINGS="ignore")
    server = subprocess.Popen(
        [sys.executable, "-c", _HTTPS_SERVER, certs.certfile, certs.keyfile],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        client = subprocess.run(
            [sys.executable, "-c", script, f"https://localhost:{port}/"],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
        )
        assert client.returncode == 0, client.stderr
        return client.stdout
    finally:
        server.kill()
        server.wait(TIMEOUT)


def test_gevent_patch_all_over_injected_rustssl(certs: CertSet) -> None:
    pytest.importorskip("gevent")
    out = _run_client(
        certs,
        """
import sys
import rustssl
rustssl.inject_into_ssl()
from gevent import monkey
monkey.patch_all()
import gevent.ssl, ssl, urllib.request
assert type(ssl.create_default_context()) is gevent.ssl.SSLContext
assert type(ssl._create_default_https_context()) is gevent.ssl.SSLContext
assert type(ssl._create_unverified_context()) is gevent.ssl.SSLContext
with urllib.request.urlopen(sys.argv[1], timeout=10) as r:
    print(r.status, r.read().decode())
""",
    )
    assert out.split() == ["200", "hello"]


def test_truststore_inject_over_rustssl(certs: CertSet) -> None:
    pytest.importorskip("truststore")
    out = _run_client(
        certs,
        """
import sys
import rustssl
rustssl.inject_into_ssl()
import truststore
truststore.inject_into_ssl()
import ssl, urllib.request
assert ssl is rustssl
ctx = ssl.create_default_context()
assert type(ctx) is truststore.SSLContext, type(ctx)
assert type(ssl._create_default_https_context()) is truststore.SSLContext
with urllib.request.urlopen(sys.argv[1], timeout=10) as r:
    print(r.status, r.read().decode())
truststore.extract_from_ssl()
assert type(ssl.create_default_context()) is rustssl.SSLContext
""",
    )
    assert out.split() == ["200", "hello"]


def test_helpers_use_a_replaced_sslcontext(monkeypatch: pytest.MonkeyPatch) -> None:
    # What the patchers rely on, without them: the helpers look SSLContext up
    # on the public module when they run, as CPython's ssl.py does.
    class Patched(rustssl.SSLContext):
        pass

    monkeypatch.setattr(rustssl, "SSLContext", Patched)
    assert type(rustssl.create_default_context()) is Patched
    assert type(rustssl._create_default_https_context()) is Patched
    assert type(rustssl._create_unverified_context()) is Patched
    assert type(rustssl._create_stdlib_context()) is Patched


# --- 3. set_ciphers() strings that select only suites rustls lacks -----------

#: Accepted by OpenSSL, which selects only suites rustls lacks (CBC, RSA key
#: exchange, DHE, CAMELLIA, ARIA, CCM, PSK, SRP, NULL).
ABSENT_ONLY = [
    "TLSv1",
    "TLSv1.0",
    "SSLv3",
    "SHA1",
    "SHA",
    "SHA256",
    "AES128-SHA",
    "AES256-SHA",
    "kRSA",
    "RSA",
    "DHE",
    "EDH",
    "CBC",
    "CAMELLIA",
    "ARIA",
    "AESCCM",
    "PSK",
    "SRP",
    "eNULL",
    "DHE-RSA-AES256-GCM-SHA384",
]


@pytest.mark.parametrize("cipherlist", ABSENT_ONLY)
def test_absent_only_cipher_strings_are_accepted_like_openssl(cipherlist: str) -> None:
    ours = rustssl.SSLContext(rustssl.PROTOCOL_TLS_CLIENT)
    theirs = stdlib_ssl.SSLContext(stdlib_ssl.PROTOCOL_TLS_CLIENT)
    theirs.set_ciphers(cipherlist)  # OpenSSL accepts it
    ours.set_ciphers(cipherlist)
    # OpenSSL lists TLS 1.3 suites plus the selected ones; rustls has only the former.
    names = [c["name"] for c in ours.get_ciphers()]
    tls13 = [c["name"] for c in theirs.get_ciphers() if c["protocol"] == "TLSv1.3"]
    assert sorted(names) == sorted(tls13)
    assert all(c["protocol"] == "TLSv1.3" for c in ours.get_ciphers())


@pytest.mark.parametrize(
    "cipherlist", ["FOO", "3DES", "RC4", "TLSv1.3", "!ALL", "ALL:!ALL", "AEAD"]
)
def test_cipher_strings_openssl_rejects_still_raise(cipherlist: str) -> None:
    with pytest.raises(stdlib_ssl.SSLError):
        stdlib_ssl.SSLContext(stdlib_ssl.PROTOCOL_TLS_CLIENT).set_ciphers(cipherlist)
    ctx = rustssl.SSLContext(rustssl.PROTOCOL_TLS_CLIENT)
    with pytest.raises(rustssl.SSLError, match=r"No cipher can be selected\."):
        ctx.set_ciphers(cipherlist)


def _serve_once(sctx: Any, listener: socket.socket, results: list[Any]) -> None:
    try:
        raw, _ = listener.accept()
        raw.settimeout(TIMEOUT)
        with sctx.wrap_socket(raw, server_side=True) as conn:
            results.append(conn.version())
            conn.sendall(b"ok")
    except Exception as e:  # the refused handshake lands here
        results.append(e)


def _connect(sctx: Any, cctx: Any) -> tuple[Any, Any]:
    """One handshake; (client outcome, server outcome), each a version or an exception."""
    results: list[Any] = []
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.settimeout(TIMEOUT)
        t = threading.Thread(target=_serve_once, args=(sctx, listener, results), daemon=True)
        t.start()
        raw = socket.create_connection(listener.getsockname(), timeout=TIMEOUT)
        client: Any
        try:
            with cctx.wrap_socket(raw, server_hostname="localhost") as sock:
                assert sock.recv(2) == b"ok"
                client = sock.version()
        except (stdlib_ssl.SSLError, OSError) as e:
            client = e
        t.join(TIMEOUT)
    assert not t.is_alive()
    return client, results[0]


def test_uvicorn_style_tlsv1_ciphers_serve_tls13_and_refuse_tls12(certs: CertSet) -> None:
    # uvicorn before 0.48 calls set_ciphers("TLSv1") on its server context.
    sctx = server_context(rustssl, certs)
    sctx.set_ciphers("TLSv1")
    cctx = client_context(stdlib_ssl, certs)
    assert _connect(sctx, cctx) == ("TLSv1.3", "TLSv1.3")
    # A TLS 1.2-only client finds no suite in common: refused, never a weaker suite.
    cctx12 = client_context(stdlib_ssl, certs)
    cctx12.maximum_version = stdlib_ssl.TLSVersion.TLSv1_2
    client, server = _connect(sctx, cctx12)
    assert isinstance(client, stdlib_ssl.SSLError), client
    assert isinstance(server, rustssl.SSLError), server


def test_client_with_tlsv1_ciphers_uses_tls13_only(certs: CertSet) -> None:
    cctx = client_context(rustssl, certs)
    cctx.set_ciphers("TLSv1")
    assert _connect(server_context(stdlib_ssl, certs), cctx) == ("TLSv1.3", "TLSv1.3")
    sctx12 = server_context(stdlib_ssl, certs)
    sctx12.maximum_version = stdlib_ssl.TLSVersion.TLSv1_2
    client, server = _connect(sctx12, cctx)
    assert isinstance(client, rustssl.SSLError), client
    assert isinstance(server, stdlib_ssl.SSLError), server
