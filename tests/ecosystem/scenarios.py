"""Real libraries over rustssl, run in a fresh interpreter with rustssl injected.

Started by the ecosystem tests as ``python scenarios.py NAME CERTDIR``. The
first thing it does is ``rustssl.inject_into_ssl()``; only then are the
libraries imported, so both the local TLS servers and the clients run on
rustssl. If the stdlib ``ssl`` was loaded before that, a tripwire makes any
use of its ``SSLContext`` fail loudly.

Every scenario checks the data that crossed the connection, then that a
wrong host name and an untrusted certificate are refused with the exception
the library normally raises. Each prints ``PASS NAME`` when done. Everything
is on loopback, and every wait is bounded by ``TIMEOUT``.

CERTDIR holds (written by ``conftest.py``):
    ca.pem                   the CA that issued server.pem
    server.pem, server.key   a leaf for ``localhost`` only (so 127.0.0.1 is a wrong host)
    client_ca.pem            the CA that issued client.pem
    client.pem, client.key   a client certificate
    other_ca.pem             a CA that issued nothing here: trusting only it fails
"""

from __future__ import annotations

import rustssl

rustssl.inject_into_ssl()

import asyncio  # noqa: E402
import contextlib  # noqa: E402
import http.server  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import socket  # noqa: E402
import ssl  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
import warnings  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from typing import Any  # noqa: E402

TIMEOUT = 10.0
SCENARIOS: dict[str, Callable[[str], None]] = {}

# Any warning (urllib3's NotOpenSSLWarning, a DeprecationWarning from a
# rustssl shim, ...) is a failure.
warnings.simplefilter("error")


def _tripwire(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("the stdlib ssl.SSLContext was used although rustssl is injected")


def _arm_tripwire() -> None:
    from rustssl import _inject

    stdlib = _inject._saved.get("ssl")
    if isinstance(stdlib, type(sys)):
        assert stdlib is not rustssl
        stdlib.SSLContext.__new__ = _tripwire
    else:
        # Nothing imported the stdlib ssl before the injection (rustssl itself
        # only needs the _ssl extension's exception classes), so every later
        # `import ssl` gives rustssl and the stdlib SSLContext is unreachable.
        assert sys.modules["ssl"] is rustssl


_arm_tripwire()
assert ssl is rustssl


def scenario(fn: Callable[[str], None]) -> Callable[[str], None]:
    SCENARIOS[fn.__name__] = fn
    return fn


def path(certdir: str, name: str) -> str:
    return os.path.join(certdir, name)


def server_context(certdir: str, *, client_ca: bool = False) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(path(certdir, "server.pem"), path(certdir, "server.key"))
    if client_ca:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(path(certdir, "client_ca.pem"))
    assert type(ctx) is ssl.SSLContext is rustssl.SSLContext
    return ctx


def client_context(certdir: str, ca: str = "ca.pem") -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=path(certdir, ca))
    assert type(ctx) is ssl.SSLContext is rustssl.SSLContext
    return ctx


def expect(
    exc: type[BaseException] | tuple[type[BaseException], ...], fn: Callable[[], Any]
) -> Any:
    """Calls ``fn`` and returns the exception it raises, which must be ``exc``."""
    try:
        fn()
    except exc as e:
        return e
    raise AssertionError(f"{fn} did not raise {exc}")


def cert_failure(e: BaseException | None) -> ssl.SSLCertVerificationError:
    """The ``SSLCertVerificationError`` in ``e``'s cause/context/reason chain."""
    seen = set()
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        if isinstance(e, ssl.SSLCertVerificationError):
            assert isinstance(e, rustssl.SSLCertVerificationError), type(e)
            return e
        nxt = getattr(e, "reason", None)
        if not isinstance(nxt, BaseException):
            nxt = e.__cause__ or e.__context__
            if nxt is None and e.args and isinstance(e.args[0], BaseException):
                nxt = e.args[0]
        e = nxt
    raise AssertionError("no SSLCertVerificationError in the exception chain")


def check_hostname_failure(e: BaseException) -> None:
    err = cert_failure(e)
    # X509_V_ERR_HOSTNAME_MISMATCH, or X509_V_ERR_IP_ADDRESS_MISMATCH for an IP address
    assert err.verify_code in (62, 64), (err.verify_code, err.verify_message)


def check_untrusted_failure(e: BaseException) -> None:
    err = cert_failure(e)
    assert err.verify_code == 20, (err.verify_code, err.verify_message)  # unable to get issuer


# --- a threaded HTTPS server (http.server on rustssl) -----------------------


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        tls = self.request
        assert isinstance(tls, rustssl.SSLSocket), type(tls)
        peer = tls.getpeercert()
        who = "anonymous"
        if peer:
            who = dict(rdn[0] for rdn in peer["subject"])["commonName"]
        body = f"{self.path} via {tls.version()} for {who}".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _TLSServer(http.server.ThreadingHTTPServer):
    # Connection threads are joined at the end, after their sockets are shut
    # down, so no thread is left blocked in a read when the interpreter exits.
    daemon_threads = False

    def __init__(self, ctx: ssl.SSLContext) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.ctx = ctx
        self.errors: list[BaseException] = []
        self.open: set[socket.socket] = set()
        self.open_lock = threading.Lock()

    def finish_request(self, request: Any, client_address: Any) -> None:
        # The handshake runs here, in the connection's own thread.
        request.settimeout(TIMEOUT)
        with self.ctx.wrap_socket(request, server_side=True) as tls:
            with self.open_lock:
                self.open.add(tls)
            try:
                self.RequestHandlerClass(tls, client_address, self)
            finally:
                with self.open_lock:
                    self.open.discard(tls)

    def server_close(self) -> None:
        with self.open_lock:
            for sock in self.open:  # wakes readers of kept-alive connections
                with contextlib.suppress(OSError):
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)
        super().server_close()  # joins the connection threads

    def handle_error(self, request: Any, client_address: Any) -> None:
        self.errors.append(sys.exc_info()[1])  # type: ignore[arg-type]


@contextlib.contextmanager
def https_server(certdir: str, *, client_ca: bool = False) -> Iterator[int]:
    server = _TLSServer(server_context(certdir, client_ca=client_ca))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(TIMEOUT)


# --- scenarios ----------------------------------------------------------------


@scenario
def identity(certdir: str) -> None:
    """The names and types that libraries check, after injection."""
    import _ssl
    import asyncio.selector_events
    import asyncio.sslproto
    import ftplib
    import http.client
    import imaplib
    import poplib
    import smtplib
    import urllib.request

    import anyio.streams.tls
    import urllib3
    import urllib3.util.ssl_

    assert _ssl is rustssl._ssl
    for module in (
        http.client,
        urllib.request,
        smtplib,
        imaplib,
        poplib,
        ftplib,
        asyncio.sslproto,
        asyncio.selector_events,
        anyio.streams.tls,
        urllib3.util.ssl_,
    ):
        assert module.ssl is rustssl, module
    ctx = ssl.create_default_context()
    assert type(ctx) is ssl.SSLContext  # anyio's fast path
    assert type(ctx) is anyio.streams.tls.ssl.SSLContext
    assert type(ssl._create_default_https_context()) is ssl.SSLContext
    assert type(ssl._create_stdlib_context()) is ssl.SSLContext
    assert type(http.client.HTTPSConnection("localhost")._context) is ssl.SSLContext
    assert type(ftplib.FTP_TLS().context) is ssl.SSLContext
    # urllib3 keeps its own check_hostname: it trusts HAS_NEVER_CHECK_COMMON_NAME.
    assert urllib3.util.ssl_.HAS_NEVER_CHECK_COMMON_NAME
    assert urllib3.util.ssl_.SSLContext is rustssl.SSLContext
    u3 = urllib3.util.ssl_.create_urllib3_context()
    assert type(u3) is rustssl.SSLContext and u3.check_hostname
    assert u3.verify_mode == ssl.CERT_REQUIRED
    # The exception classes asyncio, aiohttp and anyio catch.
    import aiohttp.client_exceptions as aio_exc

    assert asyncio.sslproto.SSLAgainErrors == (ssl.SSLWantReadError, ssl.SSLSyscallError)
    assert aio_exc.ssl_errors == (rustssl.SSLError,)
    assert aio_exc.cert_errors == (rustssl.CertificateError,)
    assert issubclass(aio_exc.ClientConnectorCertificateError, rustssl.CertificateError)
    # A socket made by wrap_socket carries _sslobj, as the stdlib's does.
    with https_server(certdir) as port:
        with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as raw:
            with client_context(certdir).wrap_socket(raw, server_hostname="localhost") as tls:
                assert tls._sslobj is not None
                assert type(tls) is ssl.SSLSocket


@scenario
def requests_verify(certdir: str) -> None:
    import requests

    cafile = path(certdir, "ca.pem")
    with https_server(certdir) as port:
        r = requests.get(f"https://localhost:{port}/hello", verify=cafile, timeout=TIMEOUT)
        assert r.status_code == 200
        assert r.text == "/hello via TLSv1.3 for anonymous", r.text
        with requests.Session() as s:
            for i in range(3):  # kept-alive connection, reused
                assert s.get(f"https://localhost:{port}/{i}", verify=cafile, timeout=TIMEOUT).ok
        e = expect(
            requests.exceptions.SSLError,
            lambda: requests.get(f"https://127.0.0.1:{port}/", verify=cafile, timeout=TIMEOUT),
        )
        check_hostname_failure(e)
        e = expect(
            requests.exceptions.SSLError,
            lambda: requests.get(
                f"https://localhost:{port}/", verify=path(certdir, "other_ca.pem"), timeout=TIMEOUT
            ),
        )
        check_untrusted_failure(e)


@scenario
def requests_mtls(certdir: str) -> None:
    import requests

    cafile = path(certdir, "ca.pem")
    cert = (path(certdir, "client.pem"), path(certdir, "client.key"))
    with https_server(certdir, client_ca=True) as port:
        url = f"https://localhost:{port}/mtls"
        r = requests.get(url, verify=cafile, cert=cert, timeout=TIMEOUT)
        assert r.text == "/mtls via TLSv1.3 for rustssl-client", r.text
        # No client certificate: the server refuses it. With TLS 1.3 the
        # client learns so from the server's alert on its first read.
        expect(
            (requests.exceptions.SSLError, requests.exceptions.ConnectionError),
            lambda: requests.get(url, verify=cafile, timeout=TIMEOUT),
        )


@scenario
def urllib3_pool(certdir: str) -> None:
    import urllib3

    with https_server(certdir) as port:
        ctx = client_context(certdir)
        with urllib3.PoolManager(ssl_context=ctx, retries=False, timeout=TIMEOUT) as pool:
            r = pool.request("GET", f"https://localhost:{port}/pool")
            assert r.status == 200 and r.data == b"/pool via TLSv1.3 for anonymous", r.data
            e = expect(
                urllib3.exceptions.SSLError,
                lambda: pool.request("GET", f"https://127.0.0.1:{port}/"),
            )
            check_hostname_failure(e)
        other = client_context(certdir, "other_ca.pem")
        with urllib3.PoolManager(ssl_context=other, retries=False, timeout=TIMEOUT) as pool:
            e = expect(
                urllib3.exceptions.SSLError,
                lambda: pool.request("GET", f"https://localhost:{port}/"),
            )
            check_untrusted_failure(e)


@scenario
def httpx_sync(certdir: str) -> None:
    import httpx

    with https_server(certdir) as port:
        with httpx.Client(verify=client_context(certdir), timeout=TIMEOUT) as client:
            r = client.get(f"https://localhost:{port}/sync")
            assert r.text == "/sync via TLSv1.3 for anonymous", r.text
            e = expect(httpx.ConnectError, lambda: client.get(f"https://127.0.0.1:{port}/"))
            check_hostname_failure(e)
        with httpx.Client(
            verify=client_context(certdir, "other_ca.pem"), timeout=TIMEOUT
        ) as client:
            e = expect(httpx.ConnectError, lambda: client.get(f"https://localhost:{port}/"))
            check_untrusted_failure(e)


@scenario
def httpx_async(certdir: str) -> None:
    import httpx

    async def main(port: int) -> None:
        async with httpx.AsyncClient(verify=client_context(certdir), timeout=TIMEOUT) as client:
            r = await client.get(f"https://localhost:{port}/async")
            assert r.text == "/async via TLSv1.3 for anonymous", r.text
            try:
                await client.get(f"https://127.0.0.1:{port}/")
            except httpx.ConnectError as e:
                check_hostname_failure(e)
            else:
                raise AssertionError("wrong host accepted")
        other = client_context(certdir, "other_ca.pem")
        async with httpx.AsyncClient(verify=other, timeout=TIMEOUT) as client:
            try:
                await client.get(f"https://localhost:{port}/")
            except httpx.ConnectError as e:
                check_untrusted_failure(e)
            else:
                raise AssertionError("untrusted certificate accepted")

    with https_server(certdir) as port:
        asyncio.run(asyncio.wait_for(main(port), TIMEOUT * 3))


@scenario
def anyio_tls(certdir: str) -> None:
    import anyio
    import anyio.to_thread
    from anyio.streams.tls import TLSListener

    # anyio wraps a stdlib-typed context inline and any other in a worker
    # thread: the tripwire proves rustssl's context takes the inline path.
    async def no_threads(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("anyio treated rustssl's SSLContext as a foreign one")

    anyio.to_thread.run_sync = no_threads  # type: ignore[assignment]
    refused: list[BaseException] = []

    class QuietTLSListener(TLSListener):
        @staticmethod
        async def handle_handshake_error(exc: BaseException, stream: Any) -> None:
            refused.append(exc)
            await anyio.aclose_forcefully(stream)

    async def echo(stream: Any) -> None:
        async with stream:
            with contextlib.suppress(anyio.EndOfStream, anyio.BrokenResourceError, ssl.SSLError):
                data = await stream.receive()
                assert isinstance(
                    stream.extra(anyio.streams.tls.TLSAttribute.ssl_object), rustssl.SSLObject
                )
                await stream.send(data.upper())

    async def main() -> None:
        tcp = await anyio.create_tcp_listener(local_host="127.0.0.1")
        port = tcp.extra(anyio.abc.SocketAttribute.local_port)
        listener = QuietTLSListener(tcp, server_context(certdir), standard_compatible=False)
        async with anyio.create_task_group() as tg:
            tg.start_soon(listener.serve, echo)
            stream = await anyio.connect_tcp(
                "127.0.0.1", port, ssl_context=client_context(certdir), tls_hostname="localhost"
            )
            async with stream:
                assert stream.extra(anyio.streams.tls.TLSAttribute.tls_version) == "TLSv1.3"
                await stream.send(b"rustssl")
                assert await stream.receive() == b"RUSTSSL"
            for ca, hostname, check in (
                ("ca.pem", "wrong.example", check_hostname_failure),
                ("other_ca.pem", "localhost", check_untrusted_failure),
            ):
                try:
                    await anyio.connect_tcp(
                        "127.0.0.1",
                        port,
                        ssl_context=client_context(certdir, ca),
                        tls_hostname=hostname,
                    )
                except ssl.SSLCertVerificationError as e:
                    check(e)
                else:
                    raise AssertionError(f"{ca}/{hostname} accepted")
            with anyio.fail_after(TIMEOUT):  # the server saw both refusals too
                while len(refused) < 2:
                    await anyio.sleep(0.01)
            tg.cancel_scope.cancel()
        await listener.aclose()
        assert len(refused) == 2, refused

    asyncio.run(asyncio.wait_for(main(), TIMEOUT * 3))


@scenario
def aiohttp_both(certdir: str) -> None:
    import aiohttp
    from aiohttp import web

    async def hello(request: web.Request) -> web.Response:
        sslobj = request.transport.get_extra_info("ssl_object") if request.transport else None
        assert isinstance(sslobj, rustssl.SSLObject), type(sslobj)
        return web.Response(text=f"{request.path} via {sslobj.version()}")

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/{tail:.*}", hello)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=server_context(certdir))
        await site.start()
        port = runner.addresses[0][1]
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT)) as s:
                async with s.get(f"https://localhost:{port}/aio", ssl=client_context(certdir)) as r:
                    assert r.status == 200
                    assert await r.text() == "/aio via TLSv1.3"
                try:
                    await s.get(f"https://127.0.0.1:{port}/", ssl=client_context(certdir))
                except aiohttp.ClientConnectorCertificateError as e:
                    check_hostname_failure(e.certificate_error)
                else:
                    raise AssertionError("wrong host accepted")
                other = client_context(certdir, "other_ca.pem")
                try:
                    await s.get(f"https://localhost:{port}/", ssl=other)
                except aiohttp.ClientConnectorCertificateError as e:
                    check_untrusted_failure(e.certificate_error)
                else:
                    raise AssertionError("untrusted certificate accepted")
        finally:
            await runner.cleanup()

    asyncio.run(asyncio.wait_for(main(), TIMEOUT * 3))


@scenario
def asyncio_start_tls(certdir: str) -> None:
    server_errors: list[BaseException] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            assert await reader.readline() == b"STARTTLS\r\n"
            writer.write(b"GO\r\n")
            await writer.drain()
            await writer.start_tls(server_context(certdir))
            sslobj = writer.get_extra_info("ssl_object")
            assert isinstance(sslobj, rustssl.SSLObject), type(sslobj)
            line = await reader.readline()
            writer.write(line.upper())
            await writer.drain()
        except (ssl.SSLError, ConnectionError, asyncio.IncompleteReadError) as e:
            server_errors.append(e)
        finally:
            writer.close()

    async def client(port: int, ctx: ssl.SSLContext, hostname: str) -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(b"STARTTLS\r\n")
            assert await reader.readline() == b"GO\r\n"
            await writer.start_tls(ctx, server_hostname=hostname)
            assert writer.get_extra_info("ssl_object").version() == "TLSv1.3"
            writer.write(b"hello over tls\n")
            return await reader.readline()
        finally:
            writer.close()
            with contextlib.suppress(OSError, ssl.SSLError):
                await writer.wait_closed()

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with server:
            assert await client(port, client_context(certdir), "localhost") == b"HELLO OVER TLS\n"
            try:
                await client(port, client_context(certdir), "wrong.example")
            except ssl.SSLCertVerificationError as e:
                check_hostname_failure(e)
            else:
                raise AssertionError("wrong host accepted")
            try:
                await client(port, client_context(certdir, "other_ca.pem"), "localhost")
            except ssl.SSLCertVerificationError as e:
                check_untrusted_failure(e)
            else:
                raise AssertionError("untrusted certificate accepted")
            # The two refused handshakes failed on the server too (how depends
            # on how asyncio closed the client side: reset, EOF or an alert).
            for _ in range(int(TIMEOUT / 0.01)):
                if len(server_errors) >= 2:
                    break
                await asyncio.sleep(0.01)
            assert len(server_errors) == 2, server_errors

    asyncio.run(asyncio.wait_for(main(), TIMEOUT * 3))


@scenario
def smtplib_starttls(certdir: str) -> None:
    import smtplib
    from email.message import EmailMessage

    from aiosmtpd.controller import Controller

    # aiosmtpd logs the refused STARTTLS handshakes with their tracebacks.
    logging.getLogger("mail.log").setLevel(logging.CRITICAL)
    received: list[bytes] = []

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            received.append(envelope.content)
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(
        Handler(),
        hostname="127.0.0.1",
        port=port,
        tls_context=server_context(certdir),
        require_starttls=True,
        ready_timeout=TIMEOUT,
    )
    controller.start()
    try:
        msg = EmailMessage()
        msg["From"] = "a@example.test"
        msg["To"] = "b@example.test"
        msg["Subject"] = "rustssl"
        msg.set_content("sent over STARTTLS")
        with smtplib.SMTP("localhost", port, timeout=TIMEOUT) as smtp:
            smtp.starttls(context=client_context(certdir))
            assert isinstance(smtp.sock, rustssl.SSLSocket)
            assert smtp.sock.version() == "TLSv1.3"
            smtp.send_message(msg)
        assert len(received) == 1 and b"sent over STARTTLS" in received[0], received
        with smtplib.SMTP("127.0.0.1", port, timeout=TIMEOUT) as smtp:
            e = expect(
                ssl.SSLCertVerificationError, lambda: smtp.starttls(context=client_context(certdir))
            )
            check_hostname_failure(e)
        with smtplib.SMTP("localhost", port, timeout=TIMEOUT) as smtp:
            other = client_context(certdir, "other_ca.pem")
            e = expect(ssl.SSLCertVerificationError, lambda: smtp.starttls(context=other))
            check_untrusted_failure(e)
    finally:
        controller.stop()


@scenario
def urllib_custom_ca(certdir: str) -> None:
    import urllib.error
    import urllib.request

    with https_server(certdir) as port:
        ctx = client_context(certdir)
        with urllib.request.urlopen(
            f"https://localhost:{port}/urllib", context=ctx, timeout=TIMEOUT
        ) as r:
            assert r.read() == b"/urllib via TLSv1.3 for anonymous"
        e = expect(
            urllib.error.URLError,
            lambda: urllib.request.urlopen(
                f"https://127.0.0.1:{port}/", context=ctx, timeout=TIMEOUT
            ),
        )
        check_hostname_failure(e)
        other = client_context(certdir, "other_ca.pem")
        e = expect(
            urllib.error.URLError,
            lambda: urllib.request.urlopen(
                f"https://localhost:{port}/", context=other, timeout=TIMEOUT
            ),
        )
        check_untrusted_failure(e)
        # The process-wide default HTTPS context is rustssl's too.
        assert type(ssl._create_default_https_context()) is rustssl.SSLContext


@scenario
def truststore_chain(certdir: str) -> None:
    """truststore (pip's default verifier) runs its own chain code over rustssl.

    After each handshake truststore walks ``._sslobj`` until an object has
    ``get_unverified_chain``; before 3.13 it then calls ``public_bytes()`` on
    what that returns, from 3.13 it takes the public method's DER bytes.
    Both the SSLSocket (urllib) and the SSLObject (asyncio) path are used.
    """
    import urllib.error
    import urllib.request

    import truststore
    from truststore import _api

    seen: list[tuple[list[bytes], str | None]] = []
    real_impl = _api._verify_peercerts_impl

    def spy(ssl_context: Any, cert_chain: list[bytes], server_hostname: str | None = None) -> None:
        seen.append((cert_chain, server_hostname))
        real_impl(ssl_context, cert_chain, server_hostname=server_hostname)

    _api._verify_peercerts_impl = spy  # type: ignore[assignment]
    with open(path(certdir, "server.pem")) as f:
        leaf = ssl.PEM_cert_to_DER_cert(f.read())

    def context() -> Any:
        ctx = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(path(certdir, "ca.pem"))
        return ctx

    async def fetch(port: int) -> bytes:
        reader, writer = await asyncio.open_connection(
            "127.0.0.1", port, ssl=context(), server_hostname="localhost"
        )
        try:
            assert isinstance(writer.get_extra_info("ssl_object"), rustssl.SSLObject)
            writer.write(b"GET /asyncio HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            return await reader.read()
        finally:
            writer.close()
            with contextlib.suppress(OSError, ssl.SSLError):
                await writer.wait_closed()

    with https_server(certdir) as port:
        with urllib.request.urlopen(
            f"https://localhost:{port}/truststore", context=context(), timeout=TIMEOUT
        ) as r:
            assert r.read() == b"/truststore via TLSv1.3 for anonymous"
        response = asyncio.run(asyncio.wait_for(fetch(port), TIMEOUT))
        assert response.endswith(b"/asyncio via TLSv1.3 for anonymous"), response
        # A wrong host name is still refused (by rustssl, before truststore looks).
        e = expect(
            urllib.error.URLError,
            lambda: urllib.request.urlopen(
                f"https://127.0.0.1:{port}/", context=context(), timeout=TIMEOUT
            ),
        )
        check_hostname_failure(e)
    # urllib (truststore checks after its own handshake call and again in
    # do_handshake) and asyncio: at least one each.
    assert len(seen) >= 2, len(seen)
    for chain, hostname in seen:
        assert hostname == "localhost"
        assert chain and all(type(der) is bytes for der in chain), chain
        assert chain[0] == leaf


def main(argv: list[str]) -> int:
    name, certdir = argv
    SCENARIOS[name](certdir)
    print(f"PASS {name}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
