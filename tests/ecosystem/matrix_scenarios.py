"""The ecosystem matrix: servers, event loops, clients and drivers over rustssl.

Started by ``test_eco_matrix.py`` as ``python matrix_scenarios.py NAME CERTDIR
PEER_JSON``. It injects rustssl before it imports anything else, so every
package imported here runs on rustssl (``scenarios.py``, whose helpers and
CERTDIR layout it uses, then arms its tripwire against the stdlib ``ssl``).
PEER_JSON describes the real server a driver talks to (``eco_servers.py``),
or is ``{}``.

Each scenario checks the data that crossed, then that a wrong host name and
an untrusted CA are refused with the exception the library normally raises,
and prints ``PASS NAME``. Everything is on loopback; every wait is bounded.
"""

from __future__ import annotations

import rustssl

# Before anything imports the stdlib ssl (asyncio does), as in scenarios.py.
rustssl.inject_into_ssl()

import asyncio  # noqa: E402
import contextlib  # noqa: E402
import hashlib  # noqa: E402
import http.server  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import queue  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
import zipfile  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from functools import partial  # noqa: E402
from typing import Any  # noqa: E402

import scenarios  # noqa: E402
from scenarios import (  # noqa: E402
    TIMEOUT,
    _TLSServer,
    cert_failure,
    check_hostname_failure,
    check_untrusted_failure,
    client_context,
    expect,
    https_server,
    path,
    server_context,
)

ssl = rustssl
MATRIX: dict[str, Callable[[str, dict[str, Any]], None]] = {}


def check_untrusted(e: BaseException) -> None:
    """An untrusted chain: 20 for a leaf alone, 19 when the peer sends its root too.

    OpenSSL-based servers (PostgreSQL, MariaDB, Mosquitto, ...) build their
    chain from their CA file and send the root; rustssl servers send the leaf.
    """
    err = cert_failure(e)
    if err.verify_code != 19:
        check_untrusted_failure(err)


#: A wrong host (the leaves name only ``localhost``) and an untrusted CA.
REFUSALS = (
    ("127.0.0.1", "ca.pem", check_hostname_failure),
    ("localhost", "other_ca.pem", check_untrusted),
)


def check_requests_refusals(certdir: str, port: int) -> None:
    """``requests`` refuses each of ``REFUSALS`` on ``port`` with its own SSLError."""
    import requests

    for host, ca, check in REFUSALS:
        e = expect(
            requests.exceptions.SSLError,
            lambda host=host, ca=ca: requests.get(
                f"https://{host}:{port}/", verify=path(certdir, ca), timeout=TIMEOUT
            ),
        )
        check(e)


def matrix(fn: Callable[[str, dict[str, Any]], None]) -> Callable[[str, dict[str, Any]], None]:
    MATRIX[fn.__name__] = fn
    return fn


def wait_port(port: int) -> None:
    """Until something accepts on 127.0.0.1:``port``; bounded."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.05)
    raise AssertionError(f"nothing listens on {port}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def payload(n: int, seed: str = "rustssl") -> bytes:
    """``n`` reproducible bytes that are not all alike."""
    out = bytearray()
    block = hashlib.sha256(seed.encode()).digest()
    while len(out) < n:
        block = hashlib.sha256(block).digest()
        out += block
    return bytes(out[:n])


async def within(coro: Any) -> Any:
    return await asyncio.wait_for(coro, TIMEOUT * 3)


# --- ASGI/WSGI/HTTP servers -----------------------------------------------------


async def _asgi_echo(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Answers ``PATH VERSION SCHEME BODY-UPPERCASED``."""
    assert scope["type"] == "http", scope["type"]
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    text = f"{scope['path']} {scope['http_version']} {scope['scheme']} ".encode() + body.upper()
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-length", str(len(text)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": text})


def _httpx_refusals(port: int, certdir: str, **client: Any) -> None:
    import httpx

    for host, ca, check in REFUSALS:
        with httpx.Client(verify=client_context(certdir, ca), timeout=TIMEOUT, **client) as c:
            check(
                expect(httpx.ConnectError, lambda c=c, host=host: c.get(f"https://{host}:{port}/"))
            )


def _uvicorn(certdir: str, **options: Any) -> Any:
    """Runs ``_asgi_echo`` under uvicorn (its default loop: uvloop here) and yields the port."""
    import uvicorn

    config = uvicorn.Config(
        _asgi_echo,
        ssl_certfile=path(certdir, "server.pem"),
        ssl_keyfile=path(certdir, "server.key"),
        lifespan="off",
        log_level="critical",
        **options,
    )
    config.load()  # builds the SSLContext here, so a refused setting fails at once
    assert type(config.ssl) is rustssl.SSLContext, type(config.ssl)
    return config


@contextlib.contextmanager
def uvicorn_serving(config: Any) -> Iterator[int]:
    import uvicorn

    sock = socket.create_server(("127.0.0.1", 0))
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]})
    thread.start()
    try:
        deadline = time.monotonic() + TIMEOUT
        while not server.started and thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert server.started, "uvicorn did not start"
        yield sock.getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(TIMEOUT)
        sock.close()
        assert not thread.is_alive(), "uvicorn did not stop"


def _uvicorn_check(certdir: str, config: Any, *, tls12_cipher: str | None = None) -> None:
    import httpx

    with uvicorn_serving(config) as port:
        with httpx.Client(verify=client_context(certdir), timeout=TIMEOUT) as c:
            for i in range(3):  # one kept-alive connection
                r = c.post(f"https://localhost:{port}/u{i}", content=b"hello uvicorn")
                assert r.text == f"/u{i} 1.1 https HELLO UVICORN", r.text
            sslobj = r.extensions["network_stream"].get_extra_info("ssl_object")
            assert sslobj.version() == "TLSv1.3"
        if tls12_cipher is not None:
            ctx = client_context(certdir)
            ctx.maximum_version = ssl.TLSVersion.TLSv1_2
            with httpx.Client(verify=ctx, timeout=TIMEOUT) as c:
                r = c.get(f"https://localhost:{port}/12")
                sslobj = r.extensions["network_stream"].get_extra_info("ssl_object")
                assert sslobj.version() == "TLSv1.2"
                assert sslobj.cipher()[0] == tls12_cipher, sslobj.cipher()
        _httpx_refusals(port, certdir)


@matrix
def uvicorn_default(certdir: str, peer: dict[str, Any]) -> None:
    """uvicorn as documented: only ``ssl_certfile``/``ssl_keyfile``."""
    _uvicorn_check(certdir, _uvicorn(certdir))


@matrix
def uvicorn_ciphers_tlsv1(certdir: str, peer: dict[str, Any]) -> None:
    """``ssl_ciphers="TLSv1"``: uvicorn's default before 0.3x, still common in deployments."""
    _uvicorn_check(certdir, _uvicorn(certdir, ssl_ciphers="TLSv1"))


@matrix
def uvicorn_ciphers(certdir: str, peer: dict[str, Any]) -> None:
    """uvicorn with ``ssl_ciphers``: a TLS 1.2 client gets the one suite allowed."""
    config = _uvicorn(certdir, ssl_ciphers="ECDHE-ECDSA-AES256-GCM-SHA384")
    _uvicorn_check(certdir, config, tls12_cipher="ECDHE-ECDSA-AES256-GCM-SHA384")


@matrix
def hypercorn_h2(certdir: str, peer: dict[str, Any]) -> None:
    """hypercorn negotiates h2 by ALPN; httpx(http2=True) multiplexes on one connection."""
    import httpx
    from hypercorn.asyncio import serve
    from hypercorn.config import Config

    port = free_port()
    config = Config()
    config.bind = [f"127.0.0.1:{port}"]
    config.certfile = path(certdir, "server.pem")
    config.keyfile = path(certdir, "server.key")
    config.loglevel = "CRITICAL"
    config.accesslog = None
    config.errorlog = None

    async def main() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(serve(_asgi_echo, config, shutdown_trigger=stop.wait))  # type: ignore[arg-type]
        try:
            for _ in range(int(TIMEOUT / 0.05)):
                try:
                    _r, w = await asyncio.open_connection("127.0.0.1", port)
                    w.close()
                    break
                except OSError:
                    await asyncio.sleep(0.05)
            verify = client_context(certdir)
            async with httpx.AsyncClient(http2=True, verify=verify, timeout=TIMEOUT) as c:
                rs = await asyncio.gather(
                    *(
                        c.post(f"https://localhost:{port}/s{i}", content=b"h2 body %d" % i)
                        for i in range(8)
                    )
                )
                for i, r in enumerate(rs):
                    assert r.http_version == "HTTP/2", r.http_version
                    assert r.text == f"/s{i} 2 https H2 BODY {i}", r.text
                big = payload(1 << 20)
                r = await c.post(f"https://localhost:{port}/big", content=big)
                assert r.content == b"/big 2 https " + big.upper()
                sslobj = r.extensions["network_stream"].get_extra_info("ssl_object")
                assert sslobj.selected_alpn_protocol() == "h2"
                assert isinstance(sslobj, (rustssl.SSLSocket, rustssl.SSLObject)), type(sslobj)
            for host, ca, check in REFUSALS:
                async with httpx.AsyncClient(
                    http2=True, verify=client_context(certdir, ca), timeout=TIMEOUT
                ) as c:
                    try:
                        await c.get(f"https://{host}:{port}/")
                    except httpx.ConnectError as e:
                        check(e)
                    else:
                        raise AssertionError(f"{host}/{ca} accepted")
        finally:
            stop.set()
            await asyncio.wait_for(task, TIMEOUT)

    asyncio.run(within(main()))


@matrix
def tornado_both(certdir: str, peer: dict[str, Any]) -> None:
    """tornado's HTTPServer (ssl_options) and its own AsyncHTTPClient, both over rustssl."""
    import logging

    import tornado.httpclient
    import tornado.httpserver
    import tornado.netutil
    import tornado.web

    logging.getLogger("tornado").setLevel(logging.CRITICAL)  # the refused handshakes

    class Echo(tornado.web.RequestHandler):
        def post(self) -> None:
            sock = self.request.connection.stream.socket  # type: ignore[union-attr]
            assert isinstance(sock, rustssl.SSLSocket), type(sock)
            self.write(
                f"{self.request.path} {sock.version()} ".encode() + self.request.body.upper()
            )

    async def main() -> None:
        app = tornado.web.Application([(r"/.*", Echo)])
        server = tornado.httpserver.HTTPServer(app, ssl_options=server_context(certdir))
        sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
        server.add_sockets(sockets)
        port = sockets[0].getsockname()[1]
        client = tornado.httpclient.AsyncHTTPClient(force_instance=True)
        try:
            big = payload(1 << 20)
            r = await client.fetch(
                f"https://localhost:{port}/t",
                method="POST",
                body=big,
                ssl_options=client_context(certdir),
                headers={"Content-Type": "application/octet-stream"},
                request_timeout=TIMEOUT,
            )
            assert r.body == b"/t TLSv1.3 " + big.upper()
            for host, ca, check in REFUSALS:
                try:
                    await client.fetch(
                        f"https://{host}:{port}/",
                        ssl_options=client_context(certdir, ca),
                        request_timeout=TIMEOUT,
                    )
                except ssl.SSLCertVerificationError as e:
                    check(e)
                else:
                    raise AssertionError(f"{host}/{ca} accepted")
        finally:
            client.close()
            server.stop()
            await server.close_all_connections()

    asyncio.run(within(main()))


WSGI_APP = """
import ssl
def app(environ, start_response):
    body = environ["wsgi.input"].read()
    out = (environ["PATH_INFO"] + " " + environ["wsgi.url_scheme"] + " " + ssl.__name__ + " ").encode()
    out += body.upper()
    start_response("200 OK", [("Content-Length", str(len(out)))])
    return [out]
"""


@matrix
def gunicorn_certfile(certdir: str, peer: dict[str, Any]) -> None:
    """gunicorn --certfile/--keyfile, started with ``python -m rustssl run -m gunicorn``."""
    import requests

    port = free_port()
    with tempfile.TemporaryDirectory() as app_dir:
        with open(os.path.join(app_dir, "eco_wsgi.py"), "w") as f:
            f.write(WSGI_APP)
        proc = subprocess.Popen(
            [
                sys.executable, "-m", "rustssl", "run", "-m", "gunicorn",
                "--certfile", path(certdir, "server.pem"), "--keyfile", path(certdir, "server.key"),
                "--bind", f"127.0.0.1:{port}", "--workers", "1", "--chdir", app_dir,
                "--log-level", "critical", "eco_wsgi:app",
            ],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            wait_port(port)
            cafile = path(certdir, "ca.pem")
            big = payload(256 * 1024)
            for _ in range(3):  # a fresh connection each time: the sync worker closes it
                r = requests.post(
                    f"https://localhost:{port}/g", data=big, verify=cafile, timeout=TIMEOUT
                )
                assert r.content == b"/g https rustssl " + big.upper(), r.content[:80]
            check_requests_refusals(certdir, port)
        finally:
            proc.terminate()
            try:
                out, _ = proc.communicate(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                out, _ = proc.communicate(timeout=TIMEOUT)
        assert b"Traceback" not in out, out.decode(errors="replace")


# --- event loops and concurrency --------------------------------------------------


@matrix
def uvloop_tls(certdir: str, peer: dict[str, Any]) -> None:
    """uvloop's own SSL protocol (over SSLObject/MemoryBIO): bulk, start_tls, many connections."""
    import uvloop

    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ssl.SSLError, ConnectionError, asyncio.IncompleteReadError):
            first = await reader.readline()
            if first == b"STARTTLS\n":
                writer.write(b"GO\n")
                await writer.drain()
                await writer.start_tls(server_context(certdir))
                first = await reader.readline()
            size = int(first)
            data = await reader.readexactly(size)
            sslobj = writer.get_extra_info("ssl_object")
            assert isinstance(sslobj, rustssl.SSLObject), type(sslobj)
            writer.write(hashlib.sha256(data).digest() + data[::-1])
            await writer.drain()
        writer.close()

    async def exchange(port: int, data: bytes, *, starttls: bool = False) -> None:
        if starttls:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"STARTTLS\n")
            assert await reader.readline() == b"GO\n"
            await writer.start_tls(client_context(certdir), server_hostname="localhost")
        else:
            reader, writer = await asyncio.open_connection(
                "127.0.0.1", port, ssl=client_context(certdir), server_hostname="localhost"
            )
        try:
            assert writer.get_extra_info("ssl_object").version() == "TLSv1.3"
            writer.write(b"%d\n" % len(data) + data)
            await writer.drain()
            assert await reader.readexactly(32) == hashlib.sha256(data).digest()
            assert await reader.readexactly(len(data)) == data[::-1]
        finally:
            writer.close()
            with contextlib.suppress(OSError, ssl.SSLError):
                await writer.wait_closed()

    async def main() -> None:
        assert isinstance(asyncio.get_running_loop(), uvloop.Loop)
        server = await asyncio.start_server(echo, "127.0.0.1", 0, ssl=server_context(certdir))
        port = server.sockets[0].getsockname()[1]
        plain = await asyncio.start_server(echo, "127.0.0.1", 0)
        plain_port = plain.sockets[0].getsockname()[1]
        async with server, plain:
            await exchange(port, payload(16 << 20))  # bulk: 16 MiB each way
            await exchange(plain_port, payload(1 << 20), starttls=True)
            await asyncio.gather(*(exchange(port, payload(32 * 1024, str(i))) for i in range(64)))
            for host, ca, check in REFUSALS:
                try:
                    await asyncio.open_connection(
                        "127.0.0.1", port, ssl=client_context(certdir, ca),
                        server_hostname=host if host != "127.0.0.1" else "wrong.example",
                    )  # fmt: skip
                except ssl.SSLCertVerificationError as e:
                    check(e)
                else:
                    raise AssertionError(f"{host}/{ca} accepted")

    uvloop.run(within(main()))


@matrix
def trio_sslstream(certdir: str, peer: dict[str, Any]) -> None:
    """trio.SSLStream on both ends: echo of 4 MiB, then the refusals."""
    import trio

    refused: list[BaseException] = []

    async def handler(stream: trio.SSLStream[trio.SocketStream]) -> None:
        try:
            await stream.do_handshake()
            want = int((await stream.receive_some(32)).decode())
            got = 0
            while got < want:
                chunk = await stream.receive_some(65536)
                assert chunk, "EOF before all data"
                got += len(chunk)
                await stream.send_all(chunk.upper())
            await stream.aclose()
        except trio.BrokenResourceError as e:
            refused.append(e)

    async def main() -> None:
        with trio.fail_after(TIMEOUT * 3):
            listeners = await trio.open_ssl_over_tcp_listeners(
                0, server_context(certdir), host="127.0.0.1"
            )
            port = listeners[0].transport_listener.socket.getsockname()[1]
            async with trio.open_nursery() as nursery:
                nursery.start_soon(trio.serve_listeners, handler, listeners)
                tcp = await trio.open_tcp_stream("127.0.0.1", port)
                stream = trio.SSLStream(tcp, client_context(certdir), server_hostname="localhost")
                await stream.do_handshake()
                assert isinstance(stream._ssl_object, rustssl.SSLObject)
                data = payload(4 << 20)
                await stream.send_all(b"%-32d" % len(data))
                back = bytearray()

                async def send() -> None:
                    for i in range(0, len(data), 65536):
                        await stream.send_all(data[i : i + 65536])

                async with trio.open_nursery() as inner:
                    inner.start_soon(send)
                    while len(back) < len(data):
                        chunk = await stream.receive_some(65536)
                        assert chunk, "EOF before the echo"
                        back += chunk
                assert bytes(back) == data.upper()
                assert await stream.receive_some(1) == b""  # the server's close_notify
                await stream.aclose()
                for host, ca, check in REFUSALS:
                    tcp = await trio.open_tcp_stream("127.0.0.1", port)
                    name = host if host != "127.0.0.1" else "wrong.example"
                    bad = trio.SSLStream(tcp, client_context(certdir, ca), server_hostname=name)
                    try:
                        await bad.do_handshake()
                    except trio.BrokenResourceError as e:
                        check(e)
                    else:
                        raise AssertionError(f"{host}/{ca} accepted")
                    await trio.aclose_forcefully(bad)
                while len(refused) < 2:
                    await trio.sleep(0.01)
                nursery.cancel_scope.cancel()

    trio.run(main)


# --- clients ------------------------------------------------------------------------


@matrix
def requests_fresh_sessions(certdir: str, peer: dict[str, Any]) -> None:
    """A new requests.Session (so a new pool and context) for every call."""
    import requests

    cafile = path(certdir, "ca.pem")
    with https_server(certdir) as port:
        for i in range(20):
            with requests.Session() as s:
                r = s.get(f"https://localhost:{port}/fresh{i}", verify=cafile, timeout=TIMEOUT)
                assert r.text == f"/fresh{i} via TLSv1.3 for anonymous", r.text
        for host, ca, check in REFUSALS:
            with requests.Session() as s:
                e = expect(
                    requests.exceptions.SSLError,
                    lambda s=s, host=host, ca=ca: s.get(
                        f"https://{host}:{port}/", verify=path(certdir, ca), timeout=TIMEOUT
                    ),
                )
                check(e)


@matrix
def websockets_asyncio(certdir: str, peer: dict[str, Any]) -> None:
    """wss:// with websockets' asyncio server and client."""
    from websockets.asyncio.client import connect
    from websockets.asyncio.server import serve

    async def echo(ws: Any) -> None:
        async for message in ws:
            await ws.send(message.upper() if isinstance(message, str) else message[::-1])

    async def main() -> None:
        async with serve(echo, "127.0.0.1", 0, ssl=server_context(certdir)) as server:
            port = next(iter(server.sockets)).getsockname()[1]
            async with connect(
                f"wss://localhost:{port}/", ssl=client_context(certdir), open_timeout=TIMEOUT
            ) as ws:
                assert ws.transport.get_extra_info("ssl_object").version() == "TLSv1.3"
                await ws.send("hello wss")
                assert await ws.recv() == "HELLO WSS"
                big = payload(512 * 1024)  # under the 1 MiB default max_size
                await ws.send(big)
                assert await ws.recv() == big[::-1]
            for host, ca, check in REFUSALS:
                try:
                    await connect(
                        f"wss://{host}:{port}/",
                        ssl=client_context(certdir, ca),
                        open_timeout=TIMEOUT,
                    )
                except ssl.SSLCertVerificationError as e:
                    check(e)
                else:
                    raise AssertionError(f"{host}/{ca} accepted")

    asyncio.run(within(main()))


@matrix
def websockets_sync(certdir: str, peer: dict[str, Any]) -> None:
    """websockets' threaded client (it select()s before each recv()) against its asyncio server.

    The threaded server is in websockets_sync_coalesced: until issue 16's
    select-then-recv stall is fixed, any run of it can stall, depending on
    how the client's bytes happen to be split into segments. The same stall
    can hold the client's closing handshake under load (seen: 10 s, its
    close_timeout), so that wait is kept short here and not asserted on.
    """
    from websockets.asyncio.server import serve
    from websockets.sync.client import connect

    async def echo(ws: Any) -> None:
        async for message in ws:
            await ws.send(message.upper() if isinstance(message, str) else message[::-1])

    ready: queue.Queue[int] = queue.Queue()
    stop = threading.Event()

    async def serving() -> None:
        async with serve(echo, "127.0.0.1", 0, ssl=server_context(certdir)) as server:
            ready.put(next(iter(server.sockets)).getsockname()[1])
            while not stop.is_set():
                await asyncio.sleep(0.02)

    thread = threading.Thread(target=lambda: asyncio.run(within(serving())))
    thread.start()
    try:
        port = ready.get(timeout=TIMEOUT)
        with connect(
            f"wss://localhost:{port}/",
            ssl=client_context(certdir),
            open_timeout=TIMEOUT,
            close_timeout=2,
        ) as ws:
            assert isinstance(ws.socket, rustssl.SSLSocket), type(ws.socket)
            for i in range(20):  # small frames that arrive together
                ws.send(f"message {i}")
            for i in range(20):
                assert ws.recv(timeout=TIMEOUT) == f"MESSAGE {i}"
            ws.send(b"binary frame")
            assert ws.recv(timeout=TIMEOUT) == b"emarf yranib"
        for host, ca, check in REFUSALS:
            e = expect(
                ssl.SSLCertVerificationError,
                lambda host=host, ca=ca: connect(
                    f"wss://{host}:{port}/", ssl=client_context(certdir, ca), open_timeout=TIMEOUT
                ),
            )
            check(e)
    finally:
        stop.set()
        thread.join(TIMEOUT)


@matrix
def websockets_sync_coalesced(certdir: str, peer: dict[str, Any]) -> None:
    """websockets' threaded server when the client's Finished and its upgrade request share a segment.

    The server's do_handshake (socket with a timeout) may read the request
    along with the Finished; websockets then select()s before recv(), so
    the request must not be held where select() cannot see it. With OpenSSL
    the 101 answer comes at once.
    """
    import base64

    from websockets.sync.server import serve

    def echo(ws: Any) -> None:
        for message in ws:
            ws.send(message)

    # The server gives up on a stalled opening handshake after this long.
    with serve(echo, "127.0.0.1", 0, ssl=server_context(certdir), open_timeout=3) as server:
        thread = threading.Thread(target=server.serve_forever)
        thread.start()
        try:
            port = server.socket.getsockname()[1]
            key = base64.b64encode(os.urandom(16)).decode()
            request = (
                f"GET / HTTP/1.1\r\nHost: localhost:{port}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
            with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as raw:
                incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
                tls = client_context(certdir).wrap_bio(
                    incoming, outgoing, server_hostname="localhost"
                )
                for _ in range(100):
                    try:
                        tls.do_handshake()
                        break
                    except ssl.SSLWantReadError:
                        raw.sendall(outgoing.read())
                        data = raw.recv(65536)
                        assert data, "EOF during the handshake"
                        incoming.write(data)
                tls.write(request)  # queued behind the Finished...
                raw.sendall(outgoing.read())  # ...and sent with it
                answer = b""
                while b"\r\n\r\n" not in answer:
                    try:
                        answer += tls.read(65536)
                    except ssl.SSLWantReadError:
                        data = raw.recv(65536)
                        if not data:
                            break
                        incoming.write(data)
                assert answer.startswith(b"HTTP/1.1 101 "), f"no 101 answer: {answer!r}"
        finally:
            server.shutdown()
            thread.join(TIMEOUT)


class _RawWebSocketServer:
    """One wss:// connection served over an SSLObject, so that we choose the segments.

    It echoes one text frame, then answers the client's close frame with its
    own close frame and its TLS close_notify in a single segment, and waits
    (bounded) for the client to close the connection.
    """

    GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    def __init__(self, ctx: ssl.SSLContext) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(TIMEOUT)
        self.port = self.listener.getsockname()[1]
        self.ctx = ctx
        self.errors: list[BaseException] = []
        self.thread = threading.Thread(target=self._serve)
        self.thread.start()

    def _serve(self) -> None:
        try:
            conn, _ = self.listener.accept()
            with conn:
                conn.settimeout(TIMEOUT)
                self._session(conn)
        except BaseException as e:
            self.errors.append(e)
        finally:
            self.listener.close()

    def _session(self, conn: socket.socket) -> None:
        import base64

        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        tls = self.ctx.wrap_bio(incoming, outgoing, server_side=True)
        buffered = bytearray()

        def pump() -> None:
            if outgoing.pending:
                conn.sendall(outgoing.read())
            data = conn.recv(65536)
            if not data:
                raise EOFError("client went away")
            incoming.write(data)

        def read(n: int) -> bytes:
            while len(buffered) < n:
                try:
                    buffered.extend(tls.read(65536))
                except ssl.SSLWantReadError:
                    pump()
            out = bytes(buffered[:n])
            del buffered[:n]
            return out

        def frame() -> tuple[int, bytes]:
            first, second = read(2)
            assert second & 0x80 and (second & 0x7F) < 126, "a small masked frame"
            mask = read(4)
            data = read(second & 0x7F)
            return first & 0x0F, bytes(b ^ mask[i % 4] for i, b in enumerate(data))

        while True:
            try:
                tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                pump()
        request = b""
        while b"\r\n\r\n" not in request:
            request += read(1)
        key = next(
            line.split(b":", 1)[1].strip()
            for line in request.split(b"\r\n")
            if line.lower().startswith(b"sec-websocket-key:")
        )
        accept = base64.b64encode(hashlib.sha1(key + self.GUID.encode()).digest())
        tls.write(
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
            b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + b"\r\n\r\n"
        )
        opcode, text = frame()
        assert opcode == 1, opcode
        tls.write(bytes([0x81, len(text)]) + text)
        conn.sendall(outgoing.read())
        opcode, reason = frame()
        assert opcode == 8, opcode
        tls.write(bytes([0x88, len(reason)]) + reason)
        with contextlib.suppress(ssl.SSLWantReadError):
            tls.unwrap()  # queues close_notify behind the close frame
        conn.sendall(outgoing.read())  # one segment: close frame + close_notify
        while conn.recv(65536):  # until the client closes (bounded by the timeout)
            pass

    def join(self) -> None:
        self.thread.join(TIMEOUT * 2)
        assert not self.thread.is_alive(), "the raw server did not finish"
        assert not self.errors, self.errors


@matrix
def websockets_sync_close(certdir: str, peer: dict[str, Any]) -> None:
    """websockets' threaded client sees the server's close frame and close_notify in one segment.

    It must then read the end of the TLS stream and finish its closing
    handshake; if the close_notify is held where select() cannot see it, the
    client waits out its close_timeout and records a TimeoutError.
    """
    from websockets.sync.client import connect

    server = _RawWebSocketServer(server_context(certdir))
    with connect(
        f"wss://localhost:{server.port}/",
        ssl=client_context(certdir),
        open_timeout=TIMEOUT,
        close_timeout=3,
    ) as ws:
        ws.send("ping")
        assert ws.recv(timeout=TIMEOUT) == "ping"
    server.join()
    cause = ws.close_exc.__cause__
    assert not isinstance(cause, TimeoutError), f"closing handshake stalled: {cause!r}"
    assert ws.close_exc.rcvd is not None and ws.close_exc.rcvd.code == 1000, ws.close_exc


def _tiny_wheel(directory: str) -> tuple[str, bytes]:
    """A one-module wheel, ``ecoprobe-1.0``; returns its file name and bytes."""
    name = "ecoprobe-1.0-py3-none-any.whl"
    files = {
        "ecoprobe/__init__.py": b"VALUE = 'fetched over rustssl'\n",
        "ecoprobe-1.0.dist-info/METADATA": b"Metadata-Version: 2.1\nName: ecoprobe\nVersion: 1.0\n",
        "ecoprobe-1.0.dist-info/WHEEL": b"Wheel-Version: 1.0\nGenerator: rustssl-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = "".join(f"{n},,\n" for n in files) + "ecoprobe-1.0.dist-info/RECORD,,\n"
    target = os.path.join(directory, name)
    with zipfile.ZipFile(target, "w") as z:
        for n, data in files.items():
            z.writestr(n, data)
        z.writestr("ecoprobe-1.0.dist-info/RECORD", record)
    with open(target, "rb") as f:
        return name, f.read()


@matrix
def pip_download(certdir: str, peer: dict[str, Any]) -> None:
    """``pip download --cert`` from a local HTTPS index; pip verifies through its truststore."""
    _pip_download(certdir)


@matrix
def pip_download_legacy_certs(certdir: str, peer: dict[str, Any]) -> None:
    """The same with ``--use-deprecated=legacy-certs``: pip's requests on plain SSLContext."""
    _pip_download(certdir, "--use-deprecated=legacy-certs")


def _pip_download(certdir: str, *options: str) -> None:
    """``pip download`` of a tiny wheel from a simple index served by http.server on rustssl."""
    with tempfile.TemporaryDirectory() as root:
        os.makedirs(os.path.join(root, "simple", "ecoprobe"))
        os.makedirs(os.path.join(root, "files"))
        wheel, data = _tiny_wheel(os.path.join(root, "files"))
        digest = hashlib.sha256(data).hexdigest()
        with open(os.path.join(root, "simple", "ecoprobe", "index.html"), "w") as f:
            f.write(
                f'<html><body><a href="../../files/{wheel}#sha256={digest}">{wheel}</a></body></html>\n'
            )
        server = _TLSServer(server_context(certdir))
        server.RequestHandlerClass = partial(_QuietFiles, directory=root)  # type: ignore[assignment]
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
        thread.start()
        # pip reads PIP_* variables and config files, and requests lets
        # REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE override --cert: none of them here.
        unwanted = ("PIP_", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_")
        env = {k: v for k, v in os.environ.items() if not k.startswith(unwanted)}
        env.update(PIP_CONFIG_FILE=os.devnull, PIP_NO_INPUT="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
        port = server.server_address[1]

        def pip(host: str, ca: str, out: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [
                    sys.executable, "-m", "rustssl", "run", "-m", "pip", "download", "--no-deps",
                    "--no-cache-dir", "--retries", "0", "--timeout", str(int(TIMEOUT)),
                    "--index-url", f"https://{host}:{port}/simple/", "--cert", path(certdir, ca),
                    "-d", out, *options, "ecoprobe==1.0",
                ],
                env=env, capture_output=True, text=True, timeout=TIMEOUT * 6, stdin=subprocess.DEVNULL,
            )  # fmt: skip

        try:
            out = os.path.join(root, "out")
            proc = pip("localhost", "ca.pem", out)
            assert proc.returncode == 0, proc.stdout + proc.stderr
            with open(os.path.join(out, wheel), "rb") as f:
                assert f.read() == data
            for host, ca, reason in (
                ("127.0.0.1", "ca.pem", "IP address mismatch"),
                ("localhost", "other_ca.pem", "unable to get local issuer certificate"),
            ):
                proc = pip(host, ca, os.path.join(root, "bad"))
                told = proc.stdout + proc.stderr
                assert proc.returncode != 0, told
                # pip reports the SSLCertVerificationError by its message. For an
                # IP address its vendored urllib3 1.26 sends no SNI and, where
                # the ssl module has no match_hostname (3.12+), matches names
                # itself; with truststore's context (check_hostname on) that
                # is a ValueError before any handshake. All as with the stdlib.
                own_check = host == "127.0.0.1" and (
                    "doesn't match 'localhost'" in told
                    or "check_hostname requires server_hostname" in told
                )
                assert own_check or ("CERTIFICATE_VERIFY_FAILED" in told and reason in told), told
                assert not os.path.exists(os.path.join(root, "bad", wheel))
        finally:
            server.shutdown()
            server.server_close()
            thread.join(TIMEOUT)
        # The server saw the refused handshakes (at least the untrusted one's
        # alert; pip may drop the other connection unused), nothing else.
        assert 1 <= len(server.errors) <= 2, server.errors
        assert all(isinstance(e, ssl.SSLError) for e in server.errors), server.errors


class _QuietFiles(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def _urlopen_checks(certdir: str, port: int, make_context: Callable[[str], Any]) -> None:
    import urllib.error
    import urllib.request

    ctx = make_context("ca.pem")
    with urllib.request.urlopen(f"https://localhost:{port}/ts", context=ctx, timeout=TIMEOUT) as r:
        assert r.read() == b"/ts via TLSv1.3 for anonymous"
    for host, ca, check in REFUSALS:
        e = expect(
            urllib.error.URLError,
            lambda host=host, ca=ca: urllib.request.urlopen(
                f"https://{host}:{port}/", context=make_context(ca), timeout=TIMEOUT
            ),
        )
        check(e)


@matrix
def truststore_context(certdir: str, peer: dict[str, Any]) -> None:
    """``truststore.SSLContext`` (built over rustssl's SSLContext) with an extra CA."""
    import truststore

    def make(ca: str) -> Any:
        ctx = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(path(certdir, ca))
        return ctx

    with https_server(certdir) as port:
        _urlopen_checks(certdir, port, make)


@matrix
def truststore_inject(certdir: str, peer: dict[str, Any]) -> None:
    """``truststore.inject_into_ssl()`` on top of rustssl's injection; requests then uses it."""
    import requests
    import truststore

    with https_server(certdir) as port:  # the server keeps rustssl's own context
        truststore.inject_into_ssl()
        try:
            assert issubclass(ssl.SSLContext, truststore.SSLContext), ssl.SSLContext
            cafile = path(certdir, "ca.pem")
            r = requests.get(f"https://localhost:{port}/inj", verify=cafile, timeout=TIMEOUT)
            assert r.text == "/inj via TLSv1.3 for anonymous", r.text
            check_requests_refusals(certdir, port)
        finally:
            truststore.extract_from_ssl()


# --- database and broker drivers against real servers (PEER from eco_servers.py) ---------


@matrix
def asyncpg_postgres(certdir: str, peer: dict[str, Any]) -> None:
    import asyncpg

    async def connect(host: str, ca: str) -> Any:
        return await asyncpg.connect(
            host=host, port=peer["port"], user=peer["user"], database=peer["database"],
            ssl=client_context(certdir, ca), timeout=TIMEOUT,
        )  # fmt: skip

    async def main() -> None:
        conn = await connect("localhost", "ca.pem")
        try:
            row = await conn.fetchrow(
                "SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()"
            )
            assert row["ssl"] is True and row["version"] == "TLSv1.3", row
            assert await conn.fetchval("SELECT upper($1::text)", "over rustssl") == "OVER RUSTSSL"
            big = await conn.fetchval(
                "SELECT string_agg(md5(i::text), '') FROM generate_series(1, 20000) i"
            )
            assert len(big) == 32 * 20000
            assert big.startswith(hashlib.md5(b"1").hexdigest())
        finally:
            await conn.close()
        for host, ca, check in REFUSALS:
            try:
                await connect(host, ca)
            except ssl.SSLCertVerificationError as e:
                check(e)
            else:
                raise AssertionError(f"{host}/{ca} accepted")

    asyncio.run(within(main()))


@matrix
def redis_tls(certdir: str, peer: dict[str, Any]) -> None:
    import redis
    import redis.asyncio
    from redis.backoff import NoBackoff

    def client(host: str, ca: str, module: Any = redis) -> Any:
        # No retries: a refused certificate is final (they would only add back-off time).
        retry = module.retry.Retry(NoBackoff(), 0)
        return module.Redis(
            host=host, port=peer["port"], ssl=True, ssl_ca_certs=path(certdir, ca),
            ssl_check_hostname=True, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT,
            retry=retry,
        )  # fmt: skip

    key = f"rustssl:{uuid.uuid4()}"
    value = payload(1 << 20)
    with client("localhost", "ca.pem") as r:
        assert r.set(key, value, ex=60)
        assert r.get(key) == value
        assert r.connection_pool.get_connection().__class__.__name__ == "SSLConnection"

    async def again() -> None:
        r = client("localhost", "ca.pem", redis.asyncio)
        try:
            assert await r.get(key) == value
            assert await r.delete(key) == 1
        finally:
            await r.aclose()

    asyncio.run(within(again()))
    for host, ca, check in REFUSALS:
        with client(host, ca) as r:
            check(expect(redis.exceptions.ConnectionError, r.ping))


@matrix
def paho_mosquitto(certdir: str, peer: dict[str, Any]) -> None:
    import paho.mqtt.client as mqtt

    got: queue.Queue[tuple[str, bytes]] = queue.Queue()
    subscribed = threading.Event()
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"rustssl-{uuid.uuid4().hex[:8]}")
    c.tls_set_context(client_context(certdir))
    c.on_message = lambda client, userdata, msg: got.put((msg.topic, msg.payload))
    c.on_subscribe = lambda *args: subscribed.set()
    topic = f"rustssl/{uuid.uuid4().hex}"
    assert c.connect("localhost", peer["port"], keepalive=30) == mqtt.MQTT_ERR_SUCCESS
    assert isinstance(c.socket(), rustssl.SSLSocket), type(c.socket())
    c.loop_start()
    try:
        c.subscribe(topic, qos=1)
        assert subscribed.wait(TIMEOUT)
        body = payload(200 * 1024)
        c.publish(topic, body, qos=1).wait_for_publish(TIMEOUT)
        assert got.get(timeout=TIMEOUT) == (topic, body)
    finally:
        c.disconnect()
        c.loop_stop()
    for host, ca, check in REFUSALS:
        bad = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
        bad.tls_set_context(client_context(certdir, ca))
        check(
            expect(
                ssl.SSLCertVerificationError,
                lambda bad=bad, host=host: bad.connect(host, peer["port"]),
            )
        )


@matrix
def pymysql_mariadb(certdir: str, peer: dict[str, Any]) -> None:
    import pymysql

    def connect(host: str, ca: str) -> Any:
        return pymysql.connect(
            host=host, port=peer["port"], user=peer["user"], password=peer["password"],
            ssl_ca=path(certdir, ca), ssl_verify_cert=True, ssl_verify_identity=True,
            connect_timeout=TIMEOUT, read_timeout=TIMEOUT, write_timeout=TIMEOUT,
        )  # fmt: skip

    with connect("localhost", "ca.pem") as conn:
        assert isinstance(conn._sock, rustssl.SSLSocket), type(conn._sock)
        with conn.cursor() as cur:
            cur.execute("SHOW SESSION STATUS LIKE 'Ssl_version'")
            assert cur.fetchone() == ("Ssl_version", "TLSv1.3")
            cur.execute("SELECT UPPER(%s), CURRENT_USER()", ("over rustssl",))
            upper, user = cur.fetchone()
            assert upper == "OVER RUSTSSL" and user.startswith("eco@"), (upper, user)
            blob = payload(512 * 1024)
            cur.execute("SELECT SHA2(%s, 256), LENGTH(%s)", (blob, blob))
            assert cur.fetchone() == (hashlib.sha256(blob).hexdigest(), len(blob))
    for host, ca, check in REFUSALS:
        check(expect(pymysql.err.OperationalError, lambda host=host, ca=ca: connect(host, ca)))


@matrix
def ldap3_slapd(certdir: str, peer: dict[str, Any]) -> None:
    import warnings

    # ldap3 2.9 imports names that newer pyasn1 deprecates: not about TLS.
    warnings.filterwarnings(
        "ignore", "tagMap is deprecated|typeMap is deprecated", DeprecationWarning
    )
    # ...and checks host names with ssl.match_hostname() where it exists
    # (3.11), which warns there as the stdlib's does.
    warnings.filterwarnings("ignore", r"ssl\.match_hostname\(\) is deprecated", DeprecationWarning)
    from ldap3 import Connection, Server, Tls
    from ldap3.core.exceptions import LDAPSocketOpenError

    def server(host: str, ca: str) -> Any:
        tls = Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=path(certdir, ca))
        return Server(host, port=peer["port"], use_ssl=True, tls=tls, connect_timeout=int(TIMEOUT))

    suffix = peer["suffix"]
    with Connection(
        server("localhost", "ca.pem"),
        peer["user"],
        peer["password"],
        auto_bind=True,
        receive_timeout=int(TIMEOUT),
    ) as conn:
        assert isinstance(conn.socket, rustssl.SSLSocket), type(conn.socket)
        conn.add(suffix, ["dcObject", "organization"], {"dc": "eco", "o": "rustssl"})  # may exist
        cn = f"probe-{uuid.uuid4().hex[:8]}"
        note = "x" * 50_000
        assert conn.add(
            f"cn={cn},{suffix}", ["person"], {"sn": "over rustssl", "description": note}
        ), conn.result
        assert conn.search(suffix, f"(cn={cn})", attributes=["sn", "description"])
        entry = conn.entries[0]
        assert entry.sn.value == "over rustssl" and entry.description.value == note
        assert conn.extend.standard.who_am_i() == f"dn:{peer['user']}"
    for host, ca, check in REFUSALS:
        e = expect(
            LDAPSocketOpenError,
            lambda host=host, ca=ca: Connection(
                server(host, ca), auto_bind=True, receive_timeout=int(TIMEOUT)
            ),
        )
        # ldap3 keeps only the message of what the TLS layer raised.
        text = str(e)
        if check is check_hostname_failure:
            assert "mismatch" in text or "doesn't match" in text, text
        else:
            assert (
                "self-signed certificate in certificate chain" in text
                or "unable to get local issuer" in text
            ), text


def _ftps(certdir: str, peer: dict[str, Any], downloads: int, *, tls12: bool = False) -> None:
    """Explicit FTPS to vsftpd, which insists that data connections resume the control's session."""
    import ftplib

    class ReusingFTP_TLS(ftplib.FTP_TLS):
        """The usual recipe: ftplib itself does not pass ``session`` to data connections."""

        def ntransfercmd(self, cmd: str, rest: Any = None) -> tuple[socket.socket, int | None]:
            conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)
            if self._prot_p:  # type: ignore[attr-defined]
                conn = self.context.wrap_socket(  # type: ignore[attr-defined]
                    conn, server_hostname=self.host, session=self.sock.session
                )
                if not conn.session_reused:
                    conn.close()  # so that vsftpd answers at once, not after a timeout
                    raise AssertionError(f"data connection {cmd!r} did not resume")
            return conn, size

    def context(ca: str) -> ssl.SSLContext:
        ctx = client_context(certdir, ca)
        if tls12:
            ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        return ctx

    files = peer["files"]
    with ReusingFTP_TLS(context=context("ca.pem"), timeout=TIMEOUT) as ftp:
        ftp.connect("localhost", peer["port"])
        ftp.auth()
        assert isinstance(ftp.sock, rustssl.SSLSocket)
        assert ftp.sock.version() == ("TLSv1.2" if tls12 else "TLSv1.3")
        ftp.login()
        ftp.prot_p()
        for name in sorted(files)[:downloads]:
            chunks: list[bytes] = []
            ftp.retrbinary(f"RETR {name}", chunks.append)
            assert b"".join(chunks).decode() == files[name], name
        if downloads > 2:
            assert sorted(ftp.nlst()) == sorted(files)
    for host, ca, check in REFUSALS:
        with ReusingFTP_TLS(context=context(ca), timeout=TIMEOUT) as ftp:
            ftp.connect(host, peer["port"])
            check(expect(ssl.SSLCertVerificationError, ftp.auth))


@matrix
def ftplib_vsftpd_tls12(certdir: str, peer: dict[str, Any]) -> None:
    """TLS 1.2: four downloads and a listing, each data connection resuming the session."""
    _ftps(certdir, peer, 4, tls12=True)


@matrix
def ftplib_vsftpd_tls13_two(certdir: str, peer: dict[str, Any]) -> None:
    """TLS 1.3: two data connections, each resuming the control connection's session."""
    _ftps(certdir, peer, 2)


@matrix
def ftplib_vsftpd_tls13_many(certdir: str, peer: dict[str, Any]) -> None:
    """TLS 1.3: four downloads and a listing (OpenSSL resumes one session any number of times)."""
    _ftps(certdir, peer, 4)


def main(argv: list[str]) -> int:
    name, certdir, peer = argv
    MATRIX[name](certdir, json.loads(peer))
    print(f"PASS {name}", flush=True)
    return 0


assert scenarios.ssl is rustssl
if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
