"""SSLObject over MemoryBIO, with the stdlib as the peer, both ways round."""

from __future__ import annotations

import os
import ssl as stdlib_ssl
from typing import Any

import pytest

import rustssl
from conftest import MODULES, CertSet, client_context, server_context

ONE_MIB = 1024 * 1024


class Pair:
    """Two SSLObjects joined through their BIOs, possibly from different modules."""

    def __init__(self, client_ctx: Any, server_ctx: Any, client_mod: Any, server_mod: Any) -> None:
        self.c_in, self.c_out = client_mod.MemoryBIO(), client_mod.MemoryBIO()
        self.s_in, self.s_out = server_mod.MemoryBIO(), server_mod.MemoryBIO()
        self.client = client_ctx.wrap_bio(self.c_in, self.c_out, server_hostname="localhost")
        self.server = server_ctx.wrap_bio(self.s_in, self.s_out, server_side=True)

    def pump(self) -> int:
        moved = 0
        for src, dst in ((self.c_out, self.s_in), (self.s_out, self.c_in)):
            data = src.read()
            if data:
                dst.write(data)
                moved += len(data)
        return moved

    def step(self, obj: Any, call: str, *args: Any) -> Any:
        try:
            return getattr(obj, call)(*args)
        except (stdlib_ssl.SSLWantReadError, rustssl.SSLWantReadError):
            return None

    def handshake(self) -> None:
        done = {"client": False, "server": False}
        for _ in range(50):
            for name, obj in (("client", self.client), ("server", self.server)):
                if not done[name]:
                    try:
                        obj.do_handshake()
                        done[name] = True
                    except stdlib_ssl.SSLWantReadError:
                        pass
            moved = self.pump()
            if all(done.values()) and not moved:
                return
        raise AssertionError(f"handshake did not finish: {done}")

    def transfer(self, sender: Any, receiver: Any, payload: bytes) -> bytes:
        view = memoryview(payload)
        for offset in range(0, len(payload), 256 * 1024):
            assert sender.write(view[offset : offset + 256 * 1024]) == min(
                256 * 1024, len(payload) - offset
            )
        received = bytearray()
        for _ in range(10_000):
            self.pump()
            while True:
                chunk = self.step(receiver, "read", 65536)
                if not chunk:
                    break
                received += chunk
            if len(received) >= len(payload):
                break
        return bytes(received)


VERSIONS = {"TLSv1.2": "TLSv1_2", "TLSv1.3": "TLSv1_3"}


@pytest.mark.parametrize("version", sorted(VERSIONS))
@pytest.mark.parametrize("client_name,server_name", [("rustssl", "stdlib"), ("stdlib", "rustssl")])
def test_handshake_and_one_mib_each_way(
    certs: CertSet, version: str, client_name: str, server_name: str
) -> None:
    client_mod, server_mod = MODULES[client_name], MODULES[server_name]
    cctx = client_context(client_mod, certs)
    sctx = server_context(server_mod, certs)
    limit = getattr(server_mod.TLSVersion, VERSIONS[version])
    sctx.maximum_version = limit
    pair = Pair(cctx, sctx, client_mod, server_mod)
    pair.handshake()
    assert pair.client.version() == version
    assert pair.server.version() == version
    assert pair.client.cipher() == pair.server.cipher()
    assert pair.client.getpeercert()["subject"] == ((("commonName", "localhost"),),)
    up, down = os.urandom(ONE_MIB), os.urandom(ONE_MIB)
    assert pair.transfer(pair.client, pair.server, up) == up
    assert pair.transfer(pair.server, pair.client, down) == down


def test_rustssl_objects_accept_stdlib_memory_bios(certs: CertSet) -> None:
    # asyncio creates stdlib MemoryBIOs and hands them to whatever context it was given.
    cctx = client_context(rustssl, certs)
    sctx = server_context(stdlib_ssl, certs)
    pair = Pair(cctx, sctx, stdlib_ssl, stdlib_ssl)
    pair.handshake()
    payload = os.urandom(100_000)
    assert pair.transfer(pair.client, pair.server, payload) == payload
    assert pair.transfer(pair.server, pair.client, payload) == payload


def test_read_into_callers_buffer(certs: CertSet) -> None:
    pair = Pair(client_context(rustssl, certs), server_context(rustssl, certs), rustssl, rustssl)
    pair.handshake()
    pair.server.write(b"hello world")
    pair.pump()
    buf = bytearray(64)
    assert pair.client.read(64, buf) == 11
    assert bytes(buf[:11]) == b"hello world"
    assert pair.client.pending() == 0


def test_want_read_until_input_arrives(certs: CertSet) -> None:
    pair = Pair(client_context(rustssl, certs), server_context(rustssl, certs), rustssl, rustssl)
    with pytest.raises(stdlib_ssl.SSLWantReadError):
        pair.client.do_handshake()
    assert pair.c_out.pending > 0  # the ClientHello is waiting to be sent
    pair.handshake()
    with pytest.raises(rustssl.SSLWantReadError):
        pair.client.read(10)


def test_unwrap_exchanges_close_notify(certs: CertSet) -> None:
    pair = Pair(
        client_context(rustssl, certs), server_context(stdlib_ssl, certs), rustssl, stdlib_ssl
    )
    pair.handshake()
    with pytest.raises(rustssl.SSLWantReadError):
        pair.client.unwrap()
    pair.pump()
    pair.server.unwrap()
    pair.pump()
    pair.client.unwrap()
    assert pair.c_in.pending == 0


def test_server_side_attributes(certs: CertSet) -> None:
    pair = Pair(client_context(rustssl, certs), server_context(rustssl, certs), rustssl, rustssl)
    assert pair.server.server_side and not pair.client.server_side
    assert pair.client.server_hostname == "localhost"
    assert pair.server.server_hostname is None
    pair.handshake()
    assert pair.server.getpeercert() is None
    assert pair.client.session_reused is False
    assert isinstance(pair.client.context, rustssl.SSLContext)


def test_server_hostname_may_be_idna_bytes(certs: CertSet) -> None:
    cctx = client_context(rustssl, certs)
    obj = cctx.wrap_bio(rustssl.MemoryBIO(), rustssl.MemoryBIO(), server_hostname=b"localhost")
    assert obj.server_hostname == "localhost"
