"""Server-name callbacks: switching contexts, rejecting with alerts, errors."""

from __future__ import annotations

import ssl as stdlib_ssl
import sys
from pathlib import Path
from typing import Any

import pytest

import rustssl
from conftest import CertSet, server_context
from test_sans_io import Pair


@pytest.fixture(scope="module")
def named_certs(tmp_path_factory: pytest.TempPathFactory) -> CertSet:
    from rustssl import _ssl

    directory: Path = tmp_path_factory.mktemp("named")
    (ca, _), (leaf, key) = _ssl._generate_certificates(["other.example"], "ecdsa-p256")
    for name, text in (("ca.pem", ca), ("leaf.pem", leaf), ("leaf.key", key)):
        (directory / name).write_text(text)
    return CertSet(
        str(directory / "ca.pem"), str(directory / "leaf.pem"), str(directory / "leaf.key"), ca
    )


def stdlib_client(*cafiles: str) -> stdlib_ssl.SSLContext:
    ctx = stdlib_ssl.SSLContext(stdlib_ssl.PROTOCOL_TLS_CLIENT)
    for cafile in cafiles:
        ctx.load_verify_locations(cafile)
    return ctx


def rejected(pair: Pair) -> tuple[BaseException, BaseException]:
    """Runs a handshake the server refuses; returns (server error, client error)."""
    with pytest.raises(stdlib_ssl.SSLWantReadError):
        pair.client.do_handshake()
    pair.pump()
    with pytest.raises(rustssl.SSLError) as server_error:
        pair.server.do_handshake()
    pair.pump()
    with pytest.raises(stdlib_ssl.SSLError) as client_error:
        pair.client.do_handshake()
    return server_error.value, client_error.value


def make_pair(client_ctx: Any, server_ctx: Any, hostname: str | None) -> Pair:
    pair = Pair.__new__(Pair)
    pair.c_in, pair.c_out = stdlib_ssl.MemoryBIO(), stdlib_ssl.MemoryBIO()
    pair.s_in, pair.s_out = rustssl.MemoryBIO(), rustssl.MemoryBIO()
    pair.client = client_ctx.wrap_bio(pair.c_in, pair.c_out, server_hostname=hostname)
    pair.server = server_ctx.wrap_bio(pair.s_in, pair.s_out, server_side=True)
    return pair


def test_callback_switches_the_certificate(certs: CertSet, named_certs: CertSet) -> None:
    default_ctx = server_context(rustssl, certs)
    other_ctx = server_context(rustssl, named_certs)
    calls: list[tuple[Any, str | None, Any]] = []

    def callback(sslobj: Any, server_name: str | None, ctx: Any) -> None:
        calls.append((sslobj, server_name, ctx))
        if server_name == "other.example":
            sslobj.context = other_ctx

    default_ctx.sni_callback = callback
    pair = make_pair(stdlib_client(certs.cafile, named_certs.cafile), default_ctx, "other.example")
    pair.handshake()
    assert pair.client.getpeercert()["subject"] == ((("commonName", "other.example"),),)
    assert [c[1] for c in calls] == ["other.example"]
    assert calls[0][0] is pair.server
    assert calls[0][2] is default_ctx
    assert pair.server.context is other_ctx

    pair = make_pair(stdlib_client(certs.cafile), default_ctx, "localhost")
    pair.handshake()
    assert pair.client.getpeercert()["subject"] == ((("commonName", "localhost"),),)


def test_no_sni_gives_none(certs: CertSet) -> None:
    ctx = server_context(rustssl, certs)
    names: list[str | None] = []
    ctx.sni_callback = lambda sslobj, name, c: names.append(name)
    client = stdlib_client(certs.cafile)
    pair = make_pair(client, ctx, "127.0.0.1")
    pair.handshake()
    assert names == [None]


def test_alert_return_value_reaches_the_client(certs: CertSet) -> None:
    ctx = server_context(rustssl, certs)
    ctx.sni_callback = lambda *args: rustssl.ALERT_DESCRIPTION_ACCESS_DENIED
    pair = make_pair(stdlib_client(certs.cafile), ctx, "localhost")
    server_error, client_error = rejected(pair)
    assert client_error.reason == "TLSV1_ALERT_ACCESS_DENIED"  # type: ignore[attr-defined]
    assert "access denied" in str(server_error)


def _expect_alert(certs: CertSet, callback: Any, reason: str, unraisable: type) -> None:
    ctx = server_context(rustssl, certs)
    ctx.sni_callback = callback
    seen: list[Any] = []
    old_hook = sys.unraisablehook
    sys.unraisablehook = seen.append
    try:
        pair = make_pair(stdlib_client(certs.cafile), ctx, "localhost")
        _server_error, client_error = rejected(pair)
    finally:
        sys.unraisablehook = old_hook
    assert client_error.reason == reason  # type: ignore[attr-defined]
    assert [u.exc_type for u in seen] == [unraisable]


def test_raising_callback_sends_handshake_failure(certs: CertSet) -> None:
    def callback(*args: Any) -> None:
        raise ZeroDivisionError

    _expect_alert(certs, callback, "SSLV3_ALERT_HANDSHAKE_FAILURE", ZeroDivisionError)


def test_wrong_return_type_sends_internal_error(certs: CertSet) -> None:
    _expect_alert(certs, lambda *args: "foo", "TLSV1_ALERT_INTERNAL_ERROR", TypeError)


def test_set_servername_callback_and_validation(certs: CertSet) -> None:
    ctx = server_context(rustssl, certs)
    with pytest.raises(TypeError):
        ctx.sni_callback = 42
    names: list[str | None] = []
    ctx.set_servername_callback(lambda sslobj, name, c: names.append(name))
    pair = make_pair(stdlib_client(certs.cafile), ctx, "localhost")
    pair.handshake()
    assert names == ["localhost"]
    ctx.set_servername_callback(None)
    assert ctx.sni_callback is None
    client_ctx = rustssl.SSLContext(rustssl.PROTOCOL_TLS_CLIENT)
    with pytest.raises(ValueError):
        client_ctx.sni_callback = lambda *args: None


def test_switching_context_keeps_the_initial_verification(
    certs: CertSet, named_certs: CertSet
) -> None:
    # OpenSSL's context switch brings only the certificate (and ALPN): a
    # context without client-certificate checks must not relax them.
    strict = server_context(rustssl, certs)
    strict.verify_mode = rustssl.CERT_REQUIRED
    strict.load_verify_locations(certs.cafile)
    lenient = server_context(rustssl, named_certs)
    strict.sni_callback = lambda sslobj, name, ctx: setattr(sslobj, "context", lenient)
    pair = make_pair(stdlib_client(named_certs.cafile), strict, "other.example")
    with pytest.raises((stdlib_ssl.SSLError, rustssl.SSLError)) as info:
        pair.handshake()
        # TLS 1.3: the client learns of the rejection when it next reads.
        pair.transfer(pair.server, pair.client, b"x")
    assert "CERTIFICATE_REQUIRED" in str(info.value) or "PEER_DID_NOT_RETURN" in str(info.value)


def test_switching_to_a_strict_context_does_not_demand_a_certificate(
    certs: CertSet, named_certs: CertSet
) -> None:
    lenient = server_context(rustssl, certs)
    strict = server_context(rustssl, named_certs)
    strict.verify_mode = rustssl.CERT_REQUIRED
    strict.load_verify_locations(named_certs.cafile)
    lenient.sni_callback = lambda sslobj, name, ctx: setattr(sslobj, "context", strict)
    pair = make_pair(stdlib_client(named_certs.cafile), lenient, "other.example")
    pair.handshake()
    assert pair.client.getpeercert()["subject"] == ((("commonName", "other.example"),),)
    assert pair.server.getpeercert() is None
