"""Helpers for the interop tests: certificates on disk, peer processes and rustssl servers.

Every wait is bounded by ``TIMEOUT``; every process started here is ended by
the context manager that started it, whatever the test's outcome. All traffic
stays on 127.0.0.1.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import rustssl
from rustssl import _ssl

#: Bound on every wait: a peer's start-up, a handshake, one client run.
TIMEOUT = 10.0

#: Debian installs nginx in /usr/sbin, which a non-root PATH may lack.
_SBIN = os.pathsep.join(["/usr/sbin", "/sbin"])


def tool(name: str) -> str:
    """The path of a peer's program.

    A missing program skips the test, saying why; under CI (``CI`` set) it
    fails instead, since ``make test`` installs every peer first.
    """
    path = shutil.which(name) or shutil.which(name, path=_SBIN)
    if path is None:
        message = f"{name} is not installed (`make interop-deps` installs it)"
        if os.environ.get("CI"):
            pytest.fail(message + "; under CI every interop test must run")
        pytest.skip(message)
    return path


# -- certificates


@dataclass(frozen=True)
class Identity:
    """A freshly generated CA and one leaf it signed, written to files."""

    ca: str
    cert: str
    key: str


def make_identity(directory: Path, label: str, names: list[str], key_type: str) -> Identity:
    (ca_pem, _ca_key), (leaf_pem, leaf_key) = _ssl._generate_certificates(names, key_type)
    files = {}
    for suffix, text in (("ca.pem", ca_pem), ("cert.pem", leaf_pem), ("key.pem", leaf_key)):
        path = directory / f"{label}-{suffix}"
        path.write_text(text)
        files[suffix] = str(path)
    return Identity(files["ca.pem"], files["cert.pem"], files["key.pem"])


@dataclass(frozen=True)
class Pki:
    """Every identity the interop tests use, each under its own CA.

    ``ecdsa`` and ``rsa`` serve localhost and 127.0.0.1; ``alt`` serves
    ``alt.test`` (the SNI tests); ``client`` is a client identity for
    ``client.test``; ``stranger`` is a client identity nobody trusts.
    """

    directory: Path
    ecdsa: Identity
    rsa: Identity
    alt: Identity
    client: Identity
    stranger: Identity

    def server(self, key_type: str) -> Identity:
        return {"ecdsa": self.ecdsa, "rsa": self.rsa}[key_type]

    @property
    def server_cas(self) -> str:
        """One file with the CAs of every server identity."""
        path = self.directory / "server-cas.pem"
        if not path.exists():
            text = "".join(Path(i.ca).read_text() for i in (self.ecdsa, self.rsa, self.alt))
            path.write_text(text)
        return str(path)


def make_pki(directory: Path) -> Pki:
    local = ["localhost", "127.0.0.1"]
    return Pki(
        directory=directory,
        ecdsa=make_identity(directory, "ecdsa", local, "ecdsa-p256"),
        rsa=make_identity(directory, "rsa", local, "rsa2048"),
        alt=make_identity(directory, "alt", ["alt.test"], "ecdsa-p256"),
        client=make_identity(directory, "client", ["client.test"], "ecdsa-p256"),
        stranger=make_identity(directory, "stranger", ["client.test"], "ecdsa-p256"),
    )


def client_context(cafile: str, version: str | None = None) -> rustssl.SSLContext:
    """A rustssl client context trusting ``cafile``, pinned to ``version`` if given.

    (Not ``create_default_context``: its ``VERIFY_X509_STRICT`` wants an
    authority key identifier, which the generated leaves do not carry.)
    """
    ctx = rustssl.SSLContext(rustssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(cafile)
    if version is not None:
        ctx.minimum_version = ctx.maximum_version = TLS_VERSIONS[version]
    return ctx


def server_context(identity: Identity, version: str | None = None) -> rustssl.SSLContext:
    """A rustssl server context for ``identity``, pinned to ``version`` if given."""
    ctx = rustssl.SSLContext(rustssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(identity.cert, identity.key)
    if version is not None:
        ctx.minimum_version = ctx.maximum_version = TLS_VERSIONS[version]
    return ctx


TLS_VERSIONS = {"1.2": rustssl.TLSVersion.TLSv1_2, "1.3": rustssl.TLSVersion.TLSv1_3}
VERSION_NAMES = {"1.2": "TLSv1.2", "1.3": "TLSv1.3"}


def common_name(cert: dict[str, Any] | None) -> str | None:
    """The subject commonName of a ``getpeercert()`` dict."""
    for rdn in (cert or {}).get("subject", ()):
        for key, value in rdn:
            if key == "commonName":
                return str(value)
    return None


# -- processes


class Peer:
    """A peer program running in the background; its output goes to a file."""

    def __init__(self, argv: list[str], cwd: Path) -> None:
        handle, name = tempfile.mkstemp(prefix=Path(argv[0]).name + "-", suffix=".log", dir=cwd)
        self.log = Path(name)
        self._out = os.fdopen(handle, "wb")
        self.argv = argv
        self.proc = subprocess.Popen(
            argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=self._out, stderr=subprocess.STDOUT
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def _check_alive(self) -> None:
        if self.proc.poll() is not None:
            pytest.fail(f"{self.argv[0]} exited ({self.proc.returncode}):\n{self.output()}")

    def wait_for(self, pattern: str) -> re.Match[str]:
        """Waits until the output matches ``pattern``."""
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            found = re.search(pattern, self.output())
            if found:
                return found
            self._check_alive()
            time.sleep(0.02)
        pytest.fail(f"{self.argv[0]} never printed {pattern!r}:\n{self.output()}")

    def wait_listening(self, port: int) -> None:
        """Waits until 127.0.0.1:``port`` accepts TCP connections."""
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            self._check_alive()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.02)
        pytest.fail(f"{self.argv[0]} never listened on port {port}:\n{self.output()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(TIMEOUT)
        self._out.close()

    def __enter__(self) -> Peer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


@dataclass
class Run:
    """A finished client run."""

    returncode: int
    output: str


def run_client(argv: list[str], data: bytes = b"", cwd: Path | None = None) -> Run:
    """Runs a client program, sends it ``data`` and waits (bounded) for it to exit.

    Its standard input stays open until it exits, so a client that quits at
    the end of its input (gnutls-cli) still reads the server's answer, which
    arrives before the server closes the connection.
    """
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(
            argv, cwd=cwd, stdin=subprocess.PIPE, stdout=out, stderr=subprocess.STDOUT
        )
        assert proc.stdin is not None
        try:
            try:
                proc.stdin.write(data)
                proc.stdin.flush()
            except BrokenPipeError:
                pass  # it already exited; its output says why
            proc.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(TIMEOUT)
            out.seek(0)
            text = out.read().decode(errors="replace")
            pytest.fail(f"{argv[0]} did not finish within {TIMEOUT}s:\n{text}")
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(TIMEOUT)
            try:
                proc.stdin.close()
            except BrokenPipeError:
                pass
        out.seek(0)
        return Run(proc.returncode, out.read().decode(errors="replace"))


# -- rustssl servers


@dataclass
class Seen:
    """What a rustssl server saw of one connection."""

    version: str | None = None
    cipher: str | None = None
    alpn: str | None = None
    server_name: str | None = None
    peer: str | None = None
    received: bytes = b""
    error: BaseException | None = None

    def answer(self) -> bytes:
        return (
            f"rustssl-says version={self.version} cipher={self.cipher} alpn={self.alpn} "
            f"sni={self.server_name} peer={self.peer}\n"
        ).encode()


class TLSServer:
    """A rustssl server on loopback, in a thread, for a fixed number of connections.

    For each one it completes the handshake, reads a line, answers with what
    it saw (``Seen.answer``) and closes with close_notify. ``sni`` maps server
    names to the contexts to switch to, through ``sni_callback``.
    """

    def __init__(
        self,
        context: rustssl.SSLContext,
        connections: int = 1,
        sni: dict[str, rustssl.SSLContext] | None = None,
    ) -> None:
        self.context = context
        self.connections = connections
        self.seen: list[Seen] = []
        self._names: list[str | None] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(TIMEOUT)
        self.port: int = self.listener.getsockname()[1]
        if sni is not None:
            contexts = dict(sni)

            def pick(sslobj: Any, name: str | None, _ctx: Any) -> None:
                self._names.append(name)
                if name in contexts:
                    sslobj.context = contexts[name]

            context.sni_callback = pick
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        for _ in range(self.connections):
            seen = Seen()
            self.seen.append(seen)
            try:
                conn, _ = self.listener.accept()
            except OSError as e:
                seen.error = e
                return
            self._serve(conn, seen)

    def _serve(self, conn: socket.socket, seen: Seen) -> None:
        conn.settimeout(TIMEOUT)
        try:
            with self.context.wrap_socket(conn, server_side=True) as tls:
                seen.version = tls.version()
                seen.cipher = (tls.cipher() or ("?",))[0]
                seen.alpn = tls.selected_alpn_protocol()
                seen.server_name = self._names[-1] if self._names else None
                seen.peer = common_name(tls.getpeercert())
                data = b""
                while not data.endswith(b"\n"):
                    chunk = tls.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                seen.received = data
                tls.sendall(seen.answer())
                try:
                    tls.unwrap()
                except OSError:
                    pass  # the peer closed first: nothing left to wait for
        except OSError as e:  # SSLError included: the handshake or I/O failed
            seen.error = e
        finally:
            conn.close()

    def __enter__(self) -> TLSServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        # Wakes an accept() still waiting for a client that never came
        # (close() alone does not, on Linux).
        try:
            self.listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.listener.close()
        self.thread.join(TIMEOUT)
        assert not self.thread.is_alive(), "rustssl server thread did not finish"

    def result(self) -> Seen:
        """The one connection's record, once the server is done with it."""
        self.thread.join(TIMEOUT)
        assert not self.thread.is_alive(), "rustssl server thread did not finish"
        assert len(self.seen) == 1, self.seen
        return self.seen[0]


class HTTPSServer:
    """``http.server`` on loopback behind a rustssl server context.

    ``GET`` answers with JSON describing the TLS connection.
    """

    def __init__(self, context: rustssl.SSLContext) -> None:
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                tls: Any = self.connection
                body = json.dumps(
                    {
                        "version": tls.version(),
                        "cipher": tls.cipher()[0],
                        "alpn": tls.selected_alpn_protocol(),
                        "peer": common_name(tls.getpeercert()),
                        "path": self.path,
                    }
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.port: int = self.httpd.server_address[1]
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> HTTPSServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(TIMEOUT)
        assert not self.thread.is_alive(), "HTTPS server thread did not finish"


@dataclass
class Fetched:
    """A response read by ``https_get``."""

    status_line: str
    body: bytes
    version: str | None
    alpn: str | None
    peer: dict[str, Any] | None = field(default=None)


def https_get(
    ctx: rustssl.SSLContext, port: int, server_hostname: str = "localhost", path: str = "/"
) -> Fetched:
    """A plain HTTP/1.0 GET over rustssl, read to the end of the stream."""
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
        with ctx.wrap_socket(sock, server_hostname=server_hostname) as tls:
            request = f"GET {path} HTTP/1.0\r\nHost: {server_hostname}\r\n\r\n"
            tls.sendall(request.encode())
            data = b""
            while True:
                chunk = tls.recv(65536)
                if not chunk:
                    break
                data += chunk
            head, sep, body = data.partition(b"\r\n\r\n")
            if not sep:
                head, sep, body = data.partition(b"\n\n")
            return Fetched(
                status_line=head.split(b"\n", 1)[0].decode(errors="replace").strip(),
                body=body,
                version=tls.version(),
                alpn=tls.selected_alpn_protocol(),
                peer=tls.getpeercert(),
            )
