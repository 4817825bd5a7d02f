"""rustssl against OpenSSL's command-line peers: ``s_server`` and ``s_client``."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

import rustssl
from interop.peers import (
    VERSION_NAMES,
    Peer,
    Pki,
    TLSServer,
    client_context,
    common_name,
    https_get,
    run_client,
    server_context,
    tool,
)

KEY_TYPES = ["ecdsa", "rsa"]
VERSIONS = ["1.2", "1.3"]
VERSION_FLAGS = {"1.2": "-tls1_2", "1.3": "-tls1_3"}


@pytest.fixture(autouse=True)
def _peer_installed() -> None:
    """Skips (or, under CI, fails) before any server starts if the peer is missing."""
    tool("openssl")


@contextlib.contextmanager
def s_server(pki: Pki, *args: str) -> Iterator[tuple[int, Peer]]:
    """``openssl s_server -www`` on an ephemeral loopback port; yields ``(port, peer)``."""
    argv = [tool("openssl"), "s_server", "-accept", "127.0.0.1:0", "-www", *args]
    with Peer(argv, pki.directory) as peer:
        port = int(peer.wait_for(r"ACCEPT 127\.0\.0\.1:(\d+)").group(1))
        yield port, peer


def identity_args(pki: Pki, key_type: str) -> list[str]:
    server = pki.server(key_type)
    return ["-cert", server.cert, "-key", server.key]


# -- rustssl client, openssl s_server


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("key_type", KEY_TYPES)
def test_client_to_s_server(pki: Pki, key_type: str, version: str) -> None:
    args = [*identity_args(pki, key_type), VERSION_FLAGS[version]]
    with s_server(pki, *args) as (port, _):
        ctx = client_context(pki.server(key_type).ca)
        got = https_get(ctx, port)
    assert got.status_line == "HTTP/1.0 200 ok"
    assert got.version == VERSION_NAMES[version]
    # s_server's status page shows the session it negotiated with us.
    assert f"Protocol  : {VERSION_NAMES[version]}" in got.body.decode()
    assert common_name(got.peer) == "localhost"
    if version == "1.2":
        auth = "ECDSA" if key_type == "ecdsa" else "RSA"
        assert f"ECDHE-{auth}-" in got.body.decode()


@pytest.mark.parametrize("version", VERSIONS)
def test_client_alpn_with_s_server(pki: Pki, version: str) -> None:
    args = [*identity_args(pki, "ecdsa"), VERSION_FLAGS[version], "-alpn", "h2,http/1.1"]
    with s_server(pki, *args) as (port, _):
        ctx = client_context(pki.ecdsa.ca)
        ctx.set_alpn_protocols(["spdy/1", "http/1.1"])
        got = https_get(ctx, port)
        assert got.alpn == "http/1.1"
        ctx = client_context(pki.ecdsa.ca)
        ctx.set_alpn_protocols(["h2", "http/1.1"])
        assert https_get(ctx, port).alpn == "h2"
        # Without ALPN from us, none is selected.
        assert https_get(client_context(pki.ecdsa.ca), port).alpn is None


@pytest.mark.parametrize("version", VERSIONS)
def test_client_sni_with_s_server(pki: Pki, version: str) -> None:
    args = [
        *identity_args(pki, "ecdsa"),
        VERSION_FLAGS[version],
        "-servername",
        "alt.test",
        "-cert2",
        pki.alt.cert,
        "-key2",
        pki.alt.key,
    ]
    with s_server(pki, *args) as (port, _):
        ctx = client_context(pki.server_cas)
        alt = https_get(ctx, port, server_hostname="alt.test")
        # Another name: s_server falls back to its first certificate
        # (with a warning alert under TLS 1.2, which must not break the handshake).
        default = https_get(ctx, port, server_hostname="localhost")
    assert common_name(alt.peer) == "alt.test"
    assert common_name(default.peer) == "localhost"
    assert alt.status_line == default.status_line == "HTTP/1.0 200 ok"


@pytest.mark.parametrize("version", VERSIONS)
def test_client_certificate_to_s_server(pki: Pki, version: str) -> None:
    args = [
        *identity_args(pki, "rsa"),
        VERSION_FLAGS[version],
        "-Verify",
        "1",
        "-verify_return_error",
        "-CAfile",
        pki.client.ca,
    ]
    with s_server(pki, *args) as (port, _):
        ctx = client_context(pki.rsa.ca)
        ctx.load_cert_chain(pki.client.cert, pki.client.key)
        got = https_get(ctx, port)
        assert got.status_line == "HTTP/1.0 200 ok"
        page = got.body.decode()
        assert "Client certificate" in page
        assert "CN = client.test" in page or "CN=client.test" in page

        # No certificate, or one from a CA s_server does not trust: refused.
        # (Under TLS 1.3 the refusal arrives after our side of the handshake.)
        no_cert = "SSLV3_ALERT_HANDSHAKE_FAILURE"
        if version == "1.3":
            no_cert = "TLSV13_ALERT_CERTIFICATE_REQUIRED"
        for identity, reason in ((None, no_cert), (pki.stranger, "TLSV1_ALERT_UNKNOWN_CA")):
            ctx = client_context(pki.rsa.ca)
            if identity is not None:
                ctx.load_cert_chain(identity.cert, identity.key)
            with pytest.raises(rustssl.SSLError) as caught:
                https_get(ctx, port)
            assert caught.value.reason == reason


def test_client_refuses_untrusted_s_server(pki: Pki) -> None:
    with s_server(pki, *identity_args(pki, "ecdsa")) as (port, _):
        with pytest.raises(rustssl.SSLCertVerificationError) as caught:
            https_get(client_context(pki.rsa.ca), port)
        assert caught.value.verify_code == 20  # unable to get local issuer certificate
        # Right CA, wrong name.
        with pytest.raises(rustssl.SSLCertVerificationError) as caught:
            https_get(client_context(pki.ecdsa.ca), port, server_hostname="other.test")
        assert caught.value.verify_code == 62  # hostname mismatch


# -- openssl s_client, rustssl server


def s_client(pki: Pki, port: int, *args: str, data: bytes = b"ping\n") -> str:
    argv = [
        tool("openssl"),
        "s_client",
        "-connect",
        f"127.0.0.1:{port}",
        "-verify_return_error",
        *args,
    ]
    run = run_client(argv, data, cwd=pki.directory)
    assert run.returncode == 0, run.output
    return run.output


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("key_type", KEY_TYPES)
def test_s_client_to_server(pki: Pki, key_type: str, version: str) -> None:
    identity = pki.server(key_type)
    with TLSServer(server_context(identity)) as server:
        out = s_client(
            pki,
            server.port,
            VERSION_FLAGS[version],
            "-CAfile",
            identity.ca,
            "-servername",
            "localhost",
            "-verify_hostname",
            "localhost",
        )
    seen = server.result()
    assert seen.error is None, seen.error
    assert seen.version == VERSION_NAMES[version]
    assert seen.received == b"ping\n"
    assert seen.server_name is None  # no sni_callback installed
    assert "Verification: OK" in out
    assert f"New, {VERSION_NAMES[version]}, Cipher is {seen.cipher}" in out
    assert seen.answer().decode().strip() in out
    if version == "1.2":
        auth = "ECDSA" if key_type == "ecdsa" else "RSA"
        assert seen.cipher is not None and f"ECDHE-{auth}-" in seen.cipher


@pytest.mark.parametrize("version", VERSIONS)
def test_s_client_alpn(pki: Pki, version: str) -> None:
    ctx = server_context(pki.ecdsa)
    ctx.set_alpn_protocols(["h2", "http/1.1"])
    with TLSServer(ctx, connections=2) as server:
        base = [VERSION_FLAGS[version], "-CAfile", pki.ecdsa.ca, "-servername", "localhost"]
        first = s_client(pki, server.port, *base, "-alpn", "http/1.1,h2")
        second = s_client(pki, server.port, *base, "-alpn", "x-unknown")
    # The server's preference wins, as with OpenSSL.
    assert [s.alpn for s in server.seen] == ["h2", None]
    assert "ALPN protocol: h2" in first
    assert "No ALPN negotiated" in second


@pytest.mark.parametrize("version", VERSIONS)
def test_s_client_sni(pki: Pki, version: str) -> None:
    ctx = server_context(pki.ecdsa)
    with TLSServer(ctx, connections=2, sni={"alt.test": server_context(pki.alt)}) as server:
        base = [VERSION_FLAGS[version], "-CAfile", pki.server_cas]
        alt = s_client(pki, server.port, *base, "-servername", "alt.test")
        local = s_client(pki, server.port, *base, "-servername", "localhost")
    assert [s.server_name for s in server.seen] == ["alt.test", "localhost"]
    assert all(s.error is None for s in server.seen), server.seen
    assert "CN = alt.test" in alt
    assert "CN = localhost" in local and "CN = alt.test" not in local


@pytest.mark.parametrize("version", VERSIONS)
def test_s_client_certificate(pki: Pki, version: str) -> None:
    ctx = server_context(pki.rsa)
    ctx.verify_mode = rustssl.CERT_REQUIRED
    ctx.load_verify_locations(pki.client.ca)
    base = [VERSION_FLAGS[version], "-CAfile", pki.rsa.ca, "-servername", "localhost"]
    with TLSServer(ctx) as server:
        s_client(pki, server.port, *base, "-cert", pki.client.cert, "-key", pki.client.key)
    seen = server.result()
    assert seen.error is None, seen.error
    assert seen.peer == "client.test"

    # No certificate, then an untrusted one: the handshake fails on our side.
    stranger = ["-cert", pki.stranger.cert, "-key", pki.stranger.key]
    for extra, reason in (
        ([], "PEER_DID_NOT_RETURN_A_CERTIFICATE"),
        (stranger, "CERTIFICATE_VERIFY_FAILED"),
    ):
        with TLSServer(ctx) as server:
            argv = [
                tool("openssl"),
                "s_client",
                "-connect",
                f"127.0.0.1:{server.port}",
                *base,
                *extra,
            ]
            run = run_client(argv, b"ping\n", cwd=Path(pki.directory))
        seen = server.result()
        assert isinstance(seen.error, rustssl.SSLError), (seen, run.output)
        assert seen.error.reason == reason
        assert seen.received == b""
