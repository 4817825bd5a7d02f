"""SSLSocket over real loopback sockets, with the stdlib ``ssl`` as the peer."""

from __future__ import annotations

import array
import hashlib
import http.client
import http.server
import os
import select
import socket
import ssl as stdlib_ssl
import threading
import time
from typing import Any

import pytest

import rustssl
from conftest import MODULES, TIMEOUT, CertSet, client_context, server_context
from test_sans_io import Pair

PAIRS = [("rustssl", "stdlib"), ("stdlib", "rustssl")]
VERSIONS = {"TLSv1.2": "TLSv1_2", "TLSv1.3": "TLSv1_3"}


def limit_version(ctx: Any, module: Any, version: str) -> None:
    ctx.maximum_version = getattr(module.TLSVersion, VERSIONS[version])


def connect(ctx: Any, port: int, hostname: str = "localhost") -> Any:
    raw = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    return ctx.wrap_socket(raw, server_hostname=hostname)


def recv_exactly(sock: Any, n: int) -> bytes:
    buf = bytearray(n)
    view = memoryview(buf)
    got = 0
    while got < n:
        k = sock.recv_into(view[got:])
        if not k:
            break
        got += k
    return bytes(buf[:got])


@pytest.mark.parametrize("version", sorted(VERSIONS))
@pytest.mark.parametrize("client_name,server_name", PAIRS)
def test_64_mib_each_way(
    serve: Any, certs: CertSet, version: str, client_name: str, server_name: str
) -> None:
    client_mod, server_mod = MODULES[client_name], MODULES[server_name]
    size = 64 * 1024 * 1024
    chunk = os.urandom(64 * 1024)
    expected = hashlib.sha256(chunk * (size // len(chunk))).hexdigest()
    sctx = server_context(server_mod, certs)
    limit_version(sctx, server_mod, version)

    def handler(conn: socket.socket) -> None:
        with sctx.wrap_socket(conn, server_side=True) as tls:
            digest = hashlib.sha256()
            buf = bytearray(256 * 1024)
            view = memoryview(buf)
            received = 0
            while received < size:
                n = tls.recv_into(buf)
                assert n
                digest.update(view[:n])
                received += n
            tls.sendall(digest.hexdigest().encode())
            for _ in range(size // len(chunk)):
                tls.sendall(chunk)

    with serve(handler) as server:
        with connect(client_context(client_mod, certs), server.port) as tls:
            assert tls.version() == version
            for _ in range(size // len(chunk)):
                tls.sendall(chunk)
            assert recv_exactly(tls, 64).decode() == expected
            digest = hashlib.sha256()
            buf = bytearray(256 * 1024)
            view = memoryview(buf)
            received = 0
            while received < size:
                n = tls.recv_into(buf)
                assert n
                digest.update(view[:n])
                received += n
            assert digest.hexdigest() == expected
    server.raise_errors()


@pytest.mark.parametrize("client_name,server_name", PAIRS)
def test_basic_exchange_and_introspection(
    serve: Any, certs: CertSet, client_name: str, server_name: str
) -> None:
    client_mod, server_mod = MODULES[client_name], MODULES[server_name]
    sctx = server_context(server_mod, certs)
    seen: dict[str, Any] = {}

    def handler(conn: socket.socket) -> None:
        with sctx.wrap_socket(conn, server_side=True) as tls:
            seen["cipher"] = tls.cipher()
            seen["version"] = tls.version()
            data = tls.recv(1024)
            tls.sendall(data[::-1])

    with serve(handler) as server:
        with connect(client_context(client_mod, certs), server.port) as tls:
            assert isinstance(tls, client_mod.SSLSocket)
            assert isinstance(tls, socket.socket)
            tls.sendall(b"abcdef")
            assert tls.recv(1024) == b"fedcba"
            assert tls.cipher() == seen["cipher"]
            assert tls.version() == seen["version"] == "TLSv1.3"
            assert tls.getpeercert()["subjectAltName"][0] == ("DNS", "localhost")
            assert tls.pending() == 0
            assert tls.server_hostname == "localhost"
            assert tls._sslobj is not None
    server.raise_errors()


def test_timeout_covers_a_silent_peer(serve: Any, certs: CertSet) -> None:
    sctx = server_context(stdlib_ssl, certs)
    release = threading.Event()

    def handler(conn: socket.socket) -> None:
        with sctx.wrap_socket(conn, server_side=True):
            release.wait(TIMEOUT)

    with serve(handler) as server:
        with connect(client_context(rustssl, certs), server.port) as tls:
            tls.settimeout(0.2)
            started = time.monotonic()
            with pytest.raises(TimeoutError, match="The read operation timed out"):
                tls.recv(10)
            assert 0.15 < time.monotonic() - started < 2.0
            release.set()
    server.raise_errors()


def test_handshake_timeout_when_server_never_answers(certs: CertSet) -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        raw = socket.create_connection(("127.0.0.1", port), timeout=0.3)
        with pytest.raises(TimeoutError):
            client_context(rustssl, certs).wrap_socket(raw, server_hostname="localhost")
        raw.close()


def test_non_blocking_with_select(serve: Any, certs: CertSet) -> None:
    sctx = server_context(stdlib_ssl, certs)
    go = threading.Event()

    def handler(conn: socket.socket) -> None:
        with sctx.wrap_socket(conn, server_side=True) as tls:
            go.wait(TIMEOUT)
            tls.sendall(b"x" * 100_000)
            assert recv_exactly(tls, 5) == b"thanks"[:5]

    with serve(handler) as server:
        raw = socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT)
        raw.setblocking(False)
        tls = client_context(rustssl, certs).wrap_socket(
            raw, server_hostname="localhost", do_handshake_on_connect=False
        )
        deadline = time.monotonic() + TIMEOUT
        while True:
            try:
                tls.do_handshake()
                break
            except rustssl.SSLWantReadError:
                select.select([tls], [], [], 1.0)
            except rustssl.SSLWantWriteError:
                select.select([], [tls], [], 1.0)
            assert time.monotonic() < deadline
        with pytest.raises(stdlib_ssl.SSLWantReadError):
            tls.recv(10)
        go.set()
        received = bytearray()
        while len(received) < 100_000:
            assert time.monotonic() < deadline
            try:
                received += tls.recv(65536)
            except rustssl.SSLWantReadError:
                select.select([tls], [], [], 1.0)
                continue
            # Data rustls already decrypted is not visible to select(): drain it.
            while tls.pending():
                received += tls.recv(tls.pending())
        assert bytes(received) == b"x" * 100_000
        while True:
            try:
                assert tls.send(b"thank") == 5
                break
            except rustssl.SSLWantWriteError:
                select.select([], [tls], [], 1.0)
        tls.setblocking(True)
        tls.close()
    server.raise_errors()


def test_send_on_a_full_socket_never_blocks(serve: Any, certs: CertSet) -> None:
    sctx = server_context(stdlib_ssl, certs)
    done = threading.Event()

    def handler(conn: socket.socket) -> None:
        with sctx.wrap_socket(conn, server_side=True):
            done.wait(TIMEOUT)

    with serve(handler) as server:
        with connect(client_context(rustssl, certs), server.port) as tls:
            tls.setblocking(False)
            block = b"y" * 65536
            started = time.monotonic()
            with pytest.raises(rustssl.SSLWantWriteError):
                for _ in range(10_000):
                    tls.send(block)
            assert time.monotonic() - started < 5
            done.set()
    server.raise_errors()


@pytest.mark.parametrize("suppress", [True, False])
def test_ragged_eof(serve: Any, certs: CertSet, suppress: bool) -> None:
    sctx = server_context(stdlib_ssl, certs)

    def handler(conn: socket.socket) -> None:
        tls = sctx.wrap_socket(conn, server_side=True)
        tls.sendall(b"bye")
        # Close the TCP connection without close_notify.
        raw = tls.detach() if hasattr(tls, "detach") else None
        socket.socket(fileno=raw).close() if raw is not None else tls.close()

    with serve(handler) as server:
        raw = socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT)
        with client_context(rustssl, certs).wrap_socket(
            raw, server_hostname="localhost", suppress_ragged_eofs=suppress
        ) as tls:
            assert recv_exactly(tls, 3) == b"bye"
            if suppress:
                assert tls.recv(10) == b""
            else:
                with pytest.raises(rustssl.SSLEOFError) as info:
                    tls.recv(10)
                assert isinstance(info.value, stdlib_ssl.SSLEOFError)
                assert info.value.errno == rustssl.SSL_ERROR_EOF
    server.raise_errors()


@pytest.mark.parametrize("client_name,server_name", PAIRS)
def test_close_notify_reads_as_eof(
    serve: Any, certs: CertSet, client_name: str, server_name: str
) -> None:
    client_mod, server_mod = MODULES[client_name], MODULES[server_name]
    sctx = server_context(server_mod, certs)

    def handler(conn: socket.socket) -> None:
        with sctx.wrap_socket(conn, server_side=True) as tls:
            tls.sendall(b"last words")
            tls.unwrap()

    with serve(handler) as server:
        raw = socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT)
        with client_context(client_mod, certs).wrap_socket(
            raw, server_hostname="localhost", suppress_ragged_eofs=False
        ) as tls:
            assert recv_exactly(tls, 10) == b"last words"
            assert tls.recv(10) == b""
            assert tls.recv(10) == b""
            assert tls.read() == b""
            # Answer the peer's close_notify so its unwrap() completes.
            tls.unwrap()
    server.raise_errors()


@pytest.mark.parametrize("client_name,server_name", PAIRS)
def test_unwrap_then_plaintext(
    serve: Any, certs: CertSet, client_name: str, server_name: str
) -> None:
    client_mod, server_mod = MODULES[client_name], MODULES[server_name]
    sctx = server_context(server_mod, certs)

    def handler(conn: socket.socket) -> None:
        tls = sctx.wrap_socket(conn, server_side=True)
        assert recv_exactly(tls, 6) == b"STOPTL"
        plain = tls.unwrap()
        plain.sendall(b"plaintext now")
        assert plain.recv(100) == b"ok"
        plain.close()

    with serve(handler) as server:
        raw = socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT)
        tls = client_context(client_mod, certs).wrap_socket(raw, server_hostname="localhost")
        blocking_before = tls.getblocking()
        tls.sendall(b"STOPTL")
        plain = tls.unwrap()
        assert plain.getblocking() == blocking_before
        received = b""
        while len(received) < 13:
            chunk = plain.recv(100)
            assert chunk
            received += chunk
        assert received == b"plaintext now"
        plain.sendall(b"ok")
        plain.close()
    server.raise_errors()


def test_makefile_readline_reaches_eof(serve: Any, certs: CertSet) -> None:
    sctx = server_context(stdlib_ssl, certs)

    def handler(conn: socket.socket) -> None:
        with sctx.wrap_socket(conn, server_side=True) as tls:
            tls.sendall(b"line one\nline two\npartial")

    with serve(handler) as server:
        with connect(client_context(rustssl, certs), server.port) as tls:
            with tls.makefile("rb") as f:
                assert f.readline() == b"line one\n"
                assert f.readline() == b"line two\n"
                assert f.readline() == b"partial"
                assert f.readline() == b""
    server.raise_errors()


def test_sendfile(serve: Any, certs: CertSet, tmp_path: Any) -> None:
    payload = os.urandom(3 * 1024 * 1024 + 17)
    path = tmp_path / "payload.bin"
    path.write_bytes(payload)
    sctx = server_context(stdlib_ssl, certs)
    got: dict[str, bytes] = {}

    def handler(conn: socket.socket) -> None:
        with sctx.wrap_socket(conn, server_side=True) as tls:
            got["data"] = recv_exactly(tls, len(payload))
            tls.sendall(b"ok")

    with serve(handler) as server:
        with connect(client_context(rustssl, certs), server.port) as tls:
            with open(path, "rb") as f:
                assert tls.sendfile(f) == len(payload)
            # Closing with unread data (session tickets) would reset the connection.
            assert recv_exactly(tls, 2) == b"ok"
    server.raise_errors()
    assert len(got["data"]) == len(payload)
    assert got["data"] == payload


def test_accept_on_a_wrapped_listener(certs: CertSet) -> None:
    sctx = server_context(rustssl, certs)
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.settimeout(TIMEOUT)
        port = listener.getsockname()[1]
        wrapped = sctx.wrap_socket(listener, server_side=True)
        result: dict[str, Any] = {}

        def client() -> None:
            with connect(client_context(stdlib_ssl, certs), port) as tls:
                tls.sendall(b"ping")
                result["reply"] = recv_exactly(tls, 4)

        t = threading.Thread(target=client)
        t.start()
        conn, _addr = wrapped.accept()
        with conn:
            assert isinstance(conn, rustssl.SSLSocket)
            assert conn.server_side
            assert recv_exactly(conn, 4) == b"ping"
            conn.sendall(b"pong")
        t.join(TIMEOUT)
        wrapped.close()
    assert result["reply"] == b"pong"


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = f"GET {self.path}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        body = self.rfile.read(length)[::-1]
        self.send_response(201)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_http_server_serves_http_client(certs: CertSet) -> None:
    httpd = http.server.HTTPServer(("127.0.0.1", 0), _Handler)
    httpd.socket = server_context(rustssl, certs).wrap_socket(httpd.socket, server_side=True)
    httpd.timeout = TIMEOUT
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        conn = http.client.HTTPSConnection(
            "localhost",
            httpd.server_address[1],
            context=client_context(rustssl, certs),
            timeout=TIMEOUT,
        )
        conn.request("GET", "/hello")
        resp = conn.getresponse()
        assert (resp.status, resp.read()) == (200, b"GET /hello")
        conn.request("POST", "/echo", body=b"0123456789")
        resp = conn.getresponse()
        assert (resp.status, resp.read()) == (201, b"9876543210")
        conn.close()
    finally:
        httpd.shutdown()
        thread.join(TIMEOUT)
        httpd.server_close()


@pytest.mark.parametrize("client_name,server_name", PAIRS)
def test_cert_required_rejects_client_without_certificate(
    serve: Any, certs: CertSet, client_name: str, server_name: str
) -> None:
    client_mod, server_mod = MODULES[client_name], MODULES[server_name]
    sctx = server_context(server_mod, certs)
    sctx.verify_mode = server_mod.CERT_REQUIRED
    sctx.load_verify_locations(certs.cafile)
    outcome: dict[str, BaseException] = {}

    def handler(conn: socket.socket) -> None:
        try:
            with sctx.wrap_socket(conn, server_side=True) as tls:
                tls.recv(10)
        except (stdlib_ssl.SSLError, OSError) as e:
            outcome["server"] = e

    with serve(handler) as server:
        raw = socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT)
        with pytest.raises((stdlib_ssl.SSLError, OSError)) as info:
            with client_context(client_mod, certs).wrap_socket(
                raw, server_hostname="localhost"
            ) as tls:
                # TLS 1.3: the client learns of the rejection on its first read.
                tls.sendall(b"hi")
                tls.recv(10)
        raw.close()
    assert isinstance(outcome.get("server"), stdlib_ssl.SSLError)
    assert "PEER_DID_NOT_RETURN_A_CERTIFICATE" in str(outcome["server"])
    assert "CERTIFICATE_REQUIRED" in str(info.value) or isinstance(info.value, OSError)


@pytest.mark.parametrize("client_name,server_name", PAIRS)
def test_cert_required_rejects_untrusted_client(
    serve: Any, certs: CertSet, other_certs: CertSet, client_name: str, server_name: str
) -> None:
    client_mod, server_mod = MODULES[client_name], MODULES[server_name]
    sctx = server_context(server_mod, certs)
    sctx.verify_mode = server_mod.CERT_REQUIRED
    sctx.load_verify_locations(certs.cafile)
    outcome: dict[str, BaseException] = {}

    def handler(conn: socket.socket) -> None:
        try:
            with sctx.wrap_socket(conn, server_side=True) as tls:
                tls.recv(10)
        except (stdlib_ssl.SSLError, OSError) as e:
            outcome["server"] = e

    cctx = client_context(client_mod, certs)
    cctx.load_cert_chain(other_certs.certfile, other_certs.keyfile)
    with serve(handler) as server:
        raw = socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT)
        with pytest.raises((stdlib_ssl.SSLError, OSError)) as info:
            with cctx.wrap_socket(raw, server_hostname="localhost") as tls:
                tls.sendall(b"hi")
                tls.recv(10)
        raw.close()
    server_error = outcome.get("server")
    assert isinstance(server_error, stdlib_ssl.SSLCertVerificationError)
    assert server_error.verify_code == 20
    assert "UNKNOWN_CA" in str(info.value) or isinstance(info.value, OSError)


def test_client_certificate_accepted_when_trusted(serve: Any, certs: CertSet) -> None:
    sctx = server_context(stdlib_ssl, certs)
    sctx.verify_mode = stdlib_ssl.CERT_REQUIRED
    sctx.load_verify_locations(certs.cafile)
    seen: dict[str, Any] = {}

    def handler(conn: socket.socket) -> None:
        with sctx.wrap_socket(conn, server_side=True) as tls:
            seen["peer"] = tls.getpeercert()
            tls.sendall(tls.recv(10))

    cctx = client_context(rustssl, certs)
    cctx.load_cert_chain(certs.certfile, certs.keyfile)
    with serve(handler) as server:
        with connect(cctx, server.port) as tls:
            tls.sendall(b"mtls")
            assert recv_exactly(tls, 4) == b"mtls"
    server.raise_errors()
    assert seen["peer"]["subject"] == ((("commonName", "localhost"),),)


def test_reader_and_writer_threads_share_one_socket(serve: Any, certs: CertSet) -> None:
    sctx = server_context(stdlib_ssl, certs)
    total = 8 * 1024 * 1024

    def handler(conn: socket.socket) -> None:
        with sctx.wrap_socket(conn, server_side=True) as tls:
            buf = bytearray(65536)
            got = 0
            while got < total:
                n = tls.recv_into(buf)
                assert n
                tls.sendall(buf[:n])
                got += n

    with serve(handler) as server:
        with connect(client_context(rustssl, certs), server.port) as tls:
            echoed = bytearray()

            def reader() -> None:
                buf = bytearray(65536)
                while len(echoed) < total:
                    n = tls.recv_into(buf)
                    if not n:
                        return
                    echoed.extend(buf[:n])

            t = threading.Thread(target=reader)
            t.start()
            block = bytes(range(256)) * 256
            for _ in range(total // len(block)):
                tls.sendall(block)
            t.join(TIMEOUT * 3)
            assert not t.is_alive()
            assert bytes(echoed) == block * (total // len(block))
    server.raise_errors()


def test_refused_socket_calls(serve: Any, certs: CertSet) -> None:
    sctx = server_context(stdlib_ssl, certs)

    def handler(conn: socket.socket) -> None:
        with sctx.wrap_socket(conn, server_side=True) as tls:
            tls.recv(1)

    with serve(handler) as server:
        with connect(client_context(rustssl, certs), server.port) as tls:
            with pytest.raises(ValueError):
                tls.recv(10, socket.MSG_PEEK)
            with pytest.raises(ValueError):
                tls.sendto(b"x", ("127.0.0.1", 1))
            with pytest.raises(NotImplementedError):
                tls.dup()
            with pytest.raises(NotImplementedError):
                tls.recvmsg(10)
            with pytest.raises(ValueError):
                tls.recvfrom(10)
            tls.sendall(b"z")
    server.raise_errors()
    with pytest.raises(TypeError):
        rustssl.SSLSocket()


@pytest.mark.parametrize("client_name", ["rustssl", "stdlib"])
def test_client_closing_right_after_handshake_reads_as_eof(
    certs: CertSet, client_name: str
) -> None:
    # A TLS 1.3 server's tickets must not turn such a close into a reset.
    sctx = server_context(rustssl, certs)
    cctx = client_context(MODULES[client_name], certs)
    results: list[Any] = []
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.settimeout(TIMEOUT)
        port = listener.getsockname()[1]

        def server() -> None:
            for _ in range(20):
                conn, _ = listener.accept()
                with conn, sctx.wrap_socket(conn, server_side=True) as tls:
                    try:
                        results.append(tls.recv(100))
                    except OSError as e:
                        results.append(e)

        t = threading.Thread(target=server)
        t.start()
        for _ in range(20):
            raw = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
            cctx.wrap_socket(raw, server_hostname="localhost").close()
        t.join(TIMEOUT)
    assert results == [b""] * 20


def test_select_driven_reader_sees_every_record_and_the_close(serve: Any, certs: CertSet) -> None:
    # A select() loop that reads in small pieces, ignoring pending(), as asyncore
    # servers do: buffered records must not hide from select().
    sctx = server_context(rustssl, certs)
    payload = os.urandom(50_000)
    got = bytearray()

    def handler(conn: socket.socket) -> None:
        tls = sctx.wrap_socket(conn, server_side=True)
        tls.setblocking(False)
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            readable, _, _ = select.select([tls], [], [], 1.0)
            if not readable:
                continue
            try:
                chunk = tls.recv(1000)
            except rustssl.SSLWantReadError:
                continue
            if not chunk:
                break
            got.extend(chunk)
        tls.setblocking(True)
        tls.unwrap()

    with serve(handler) as server:
        with connect(client_context(stdlib_ssl, certs), server.port) as tls:
            tls.sendall(payload)
            tls.unwrap()
    server.raise_errors()
    assert bytes(got) == payload


def test_after_unwrap_reads_raise_and_writes_are_refused(serve: Any, certs: CertSet) -> None:
    sctx = server_context(stdlib_ssl, certs)

    def handler(conn: socket.socket) -> None:
        with sctx.wrap_socket(conn, server_side=True) as tls:
            tls.unwrap()

    with serve(handler) as server:
        pair = Pair(
            client_context(rustssl, certs), server_context(rustssl, certs), rustssl, rustssl
        )
        pair.handshake()
        with pytest.raises(rustssl.SSLWantReadError):
            pair.client.unwrap()
        pair.pump()
        pair.server.read()  # the server sees the client's close_notify: b''
        pair.server.unwrap()
        pair.pump()
        pair.client.unwrap()
        with pytest.raises(rustssl.SSLZeroReturnError):
            pair.client.read()
        with pytest.raises(rustssl.SSLError, match="PROTOCOL_IS_SHUTDOWN"):
            pair.client.write(b"late")
        with connect(client_context(rustssl, certs), server.port) as tls:
            tls.unwrap()
    server.raise_errors()


def _echo_rounds(module: Any, serve: Any, certs: CertSet) -> list[Any]:
    """What sendall() and recv_into() give for each kind of argument, over
    ``module``'s client socket talking to a stdlib echo server."""
    sctx = server_context(stdlib_ssl, certs)

    def handler(conn: socket.socket) -> None:
        with sctx.wrap_socket(conn, server_side=True) as tls:
            while data := tls.recv(4096):
                tls.sendall(data)

    sends: list[Any] = [
        b"bytes",
        bytearray(b"bytearray"),
        memoryview(b"-a memoryview-")[1:-1],
        memoryview(bytearray(b"abcdefgh")).cast("I"),
        array.array("H", [0x4142, 0x4344]),
        b"",
        memoryview(b"abcdef")[::2],
        "not bytes",
    ]
    results: list[Any] = []
    with serve(handler) as server:
        with connect(client_context(module, certs), server.port) as tls:
            for data in sends:
                try:
                    results.append(tls.sendall(data))
                except (TypeError, ValueError) as e:
                    results.append(type(e))
                    continue
                with memoryview(data) as view:
                    size = view.nbytes
                if not size:
                    continue
                for buffer in (
                    bytearray(size),
                    memoryview(bytearray(size + 2))[1:-1],
                    array.array("B", bytes(size)),
                ):
                    got = 0
                    while got < size:
                        n = tls.recv_into(buffer if not got else memoryview(buffer)[got:])
                        assert n
                        got += n
                    results.append(bytes(buffer))
                    tls.sendall(data)
                assert tls.recv(size) == bytes(memoryview(data).cast("B"))
            with pytest.raises(TypeError):
                tls.recv_into(memoryview(b"read-only"))
            released = memoryview(bytearray(4))
            released.release()
            with pytest.raises(ValueError, match="released"):
                tls.recv_into(released)
            with pytest.raises(ValueError, match="released"):
                tls.sendall(released)
    server.raise_errors()
    return results


def test_sendall_and_recv_into_take_what_the_stdlib_takes(serve: Any, certs: CertSet) -> None:
    """Bytes, bytearrays and contiguous views go to the glue as they are;
    other buffers through a byte view; both give the stdlib's results."""
    ours = _echo_rounds(rustssl, serve, certs)
    assert ours == _echo_rounds(stdlib_ssl, serve, certs)
    assert ours[-2:] == [TypeError, TypeError]
