"""Shared fixtures: generated certificates and the stdlib ``ssl`` as a real peer."""

from __future__ import annotations

import socket
import ssl as stdlib_ssl
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import rustssl
from rustssl import _ssl

assert not getattr(stdlib_ssl, "_IS_RUSTSSL", False), "tests need the real stdlib ssl as a peer"

#: Bound on every blocking socket operation in the tests.
TIMEOUT = 10.0


@dataclass(frozen=True)
class CertSet:
    """A CA and a leaf for localhost/127.0.0.1/::1, written to files."""

    cafile: str
    certfile: str
    keyfile: str
    ca_pem: str


def _make_certs(directory: Path, key_type: str) -> CertSet:
    (ca_cert, _ca_key), (leaf_cert, leaf_key) = _ssl._generate_certificates(
        ["localhost", "127.0.0.1", "::1"], key_type
    )
    paths = {}
    for name, text in (("ca.pem", ca_cert), ("leaf.pem", leaf_cert), ("leaf.key", leaf_key)):
        path = directory / name
        path.write_text(text)
        paths[name] = str(path)
    return CertSet(paths["ca.pem"], paths["leaf.pem"], paths["leaf.key"], ca_cert)


@pytest.fixture(scope="session")
def certs(tmp_path_factory: pytest.TempPathFactory) -> CertSet:
    return _make_certs(tmp_path_factory.mktemp("ecdsa"), "ecdsa-p256")


@pytest.fixture(scope="session")
def rsa_certs(tmp_path_factory: pytest.TempPathFactory) -> CertSet:
    return _make_certs(tmp_path_factory.mktemp("rsa"), "rsa2048")


@pytest.fixture(scope="session")
def other_certs(tmp_path_factory: pytest.TempPathFactory) -> CertSet:
    """A second, unrelated CA and leaf: trusted by nobody else."""
    return _make_certs(tmp_path_factory.mktemp("other"), "ecdsa-p256")


def server_context(module: Any, certs: CertSet) -> Any:
    ctx = module.SSLContext(module.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(certs.certfile, certs.keyfile)
    return ctx


def client_context(module: Any, certs: CertSet) -> Any:
    ctx = module.SSLContext(module.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(certs.cafile)
    return ctx


class ThreadedServer:
    """Runs ``handler(conn)`` for each accepted loopback connection in a thread."""

    def __init__(self, handler: Callable[[socket.socket], None]) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(TIMEOUT)
        self.port = self.listener.getsockname()[1]
        self.handler = handler
        self.errors: list[BaseException] = []
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            conn, _ = self.listener.accept()
            conn.settimeout(TIMEOUT)
            with conn:
                self.handler(conn)
        except BaseException as e:  # reported to the test by join()
            self.errors.append(e)

    def __enter__(self) -> ThreadedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.thread.join(TIMEOUT)
        self.listener.close()
        assert not self.thread.is_alive(), "server thread did not finish"

    def raise_errors(self) -> None:
        self.thread.join(TIMEOUT)
        if self.errors:
            raise self.errors[0]


@pytest.fixture
def serve() -> Iterator[Callable[[Callable[[socket.socket], None]], ThreadedServer]]:
    servers: list[ThreadedServer] = []

    def start(handler: Callable[[socket.socket], None]) -> ThreadedServer:
        server = ThreadedServer(handler)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.listener.close()


MODULES = {"rustssl": rustssl, "stdlib": stdlib_ssl}
