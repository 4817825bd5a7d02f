"""Session resumption with the stdlib's explicit model, against the stdlib as peer."""

from __future__ import annotations

import ssl as stdlib_ssl
from typing import Any

import pytest

import rustssl
from conftest import MODULES, CertSet, client_context, server_context
from test_sans_io import VERSIONS, Pair

PAIRS = [("rustssl", "stdlib"), ("stdlib", "rustssl"), ("rustssl", "rustssl")]


def connect(cctx: Any, sctx: Any, client_mod: Any, server_mod: Any, session: Any = None) -> Pair:
    pair = Pair.__new__(Pair)
    pair.c_in, pair.c_out = client_mod.MemoryBIO(), client_mod.MemoryBIO()
    pair.s_in, pair.s_out = server_mod.MemoryBIO(), server_mod.MemoryBIO()
    pair.client = cctx.wrap_bio(pair.c_in, pair.c_out, server_hostname="localhost", session=session)
    pair.server = sctx.wrap_bio(pair.s_in, pair.s_out, server_side=True)
    pair.handshake()
    # Exchange data so that TLS 1.3 tickets reach the client.
    assert pair.transfer(pair.server, pair.client, b"ping") == b"ping"
    assert pair.transfer(pair.client, pair.server, b"pong") == b"pong"
    return pair


@pytest.mark.parametrize("version", sorted(VERSIONS))
@pytest.mark.parametrize("client_name,server_name", PAIRS)
def test_resumption(certs: CertSet, version: str, client_name: str, server_name: str) -> None:
    client_mod, server_mod = MODULES[client_name], MODULES[server_name]
    cctx = client_context(client_mod, certs)
    sctx = server_context(server_mod, certs)
    sctx.maximum_version = getattr(server_mod.TLSVersion, VERSIONS[version])

    first = connect(cctx, sctx, client_mod, server_mod)
    assert first.client.session_reused is False
    assert first.server.session_reused is False
    session = first.client.session
    assert session is not None
    assert session.has_ticket
    assert session.time > 0 and session.timeout > 0

    second = connect(cctx, sctx, client_mod, server_mod, session=session)
    assert second.client.session_reused is True
    assert second.server.session_reused is True
    assert second.client.version() == version

    third = connect(cctx, sctx, client_mod, server_mod)
    assert third.client.session_reused is False
    assert third.client.session != session
    if version == "TLSv1.2" and client_mod is rustssl:
        # A resumed session keeps its identity. (OpenSSL clients start a new
        # session whenever the server renews the ticket, as rustls servers do.)
        assert second.client.session == session


def test_session_rules(certs: CertSet) -> None:
    cctx = client_context(rustssl, certs)
    sctx = server_context(rustssl, certs)
    pair = connect(cctx, sctx, rustssl, rustssl)
    session = pair.client.session
    assert isinstance(session, rustssl._ssl.SSLSession)
    with pytest.raises(TypeError, match=r"Value is not a SSLSession\."):
        pair.client.session = object()
    with pytest.raises(ValueError, match=r"Cannot set session after handshake\."):
        pair.client.session = session
    other = client_context(rustssl, certs)
    fresh = other.wrap_bio(rustssl.MemoryBIO(), rustssl.MemoryBIO(), server_hostname="localhost")
    with pytest.raises(ValueError, match=r"Session refers to a different SSLContext\."):
        fresh.session = session
    with pytest.raises(TypeError):
        rustssl._ssl.SSLSession()


def test_session_set_before_handshake_is_offered(certs: CertSet) -> None:
    cctx = client_context(rustssl, certs)
    sctx = server_context(stdlib_ssl, certs)
    sctx.maximum_version = stdlib_ssl.TLSVersion.TLSv1_2
    session = connect(cctx, sctx, rustssl, stdlib_ssl).client.session
    pair = Pair.__new__(Pair)
    pair.c_in, pair.c_out = rustssl.MemoryBIO(), rustssl.MemoryBIO()
    pair.s_in, pair.s_out = stdlib_ssl.MemoryBIO(), stdlib_ssl.MemoryBIO()
    pair.client = cctx.wrap_bio(pair.c_in, pair.c_out, server_hostname="localhost")
    pair.client.session = session
    pair.server = sctx.wrap_bio(pair.s_in, pair.s_out, server_side=True)
    pair.handshake()
    assert pair.client.session_reused and pair.server.session_reused


def test_session_stats_move(certs: CertSet) -> None:
    cctx = client_context(rustssl, certs)
    sctx = server_context(rustssl, certs)
    sctx.maximum_version = rustssl.TLSVersion.TLSv1_2
    session = connect(cctx, sctx, rustssl, rustssl).client.session
    connect(cctx, sctx, rustssl, rustssl, session=session)
    server = sctx.session_stats()
    client = cctx.session_stats()
    assert (server["accept"], server["accept_good"], server["hits"]) == (2, 2, 1)
    assert (client["connect"], client["connect_good"], client["hits"]) == (2, 2, 1)
    assert set(server) == set(stdlib_ssl.SSLContext(stdlib_ssl.PROTOCOL_TLS_SERVER).session_stats())
