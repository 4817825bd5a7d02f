"""curl (libcurl over OpenSSL) against an ``http.server`` served through rustssl."""

from __future__ import annotations

import json
from typing import Any

import pytest

import rustssl
from interop.peers import VERSION_NAMES, HTTPSServer, Pki, run_client, server_context, tool

# curl's exit codes for the failures checked below.
CURL_SSL_CONNECT_ERROR = 35
CURL_PEER_FAILED_VERIFICATION = 60
CURL_RECV_ERROR = 56

VERSION_ARGS = {
    "1.2": ["--tlsv1.2", "--tls-max", "1.2"],
    "1.3": ["--tlsv1.3", "--tls-max", "1.3"],
}


@pytest.fixture(autouse=True)
def _peer_installed() -> None:
    """Skips (or, under CI, fails) before any server starts if the peer is missing."""
    tool("curl")


def curl(pki: Pki, port: int, *args: str, host: str = "localhost") -> tuple[int, str, str]:
    """Runs curl against https://host:port/ (resolved to 127.0.0.1).

    Returns ``(exit code, body, verbose log)``.
    """
    body_file = pki.directory / f"curl-body-{port}.out"
    body_file.unlink(missing_ok=True)
    argv = [
        tool("curl"),
        "--silent",
        "--show-error",
        "--verbose",
        "--max-time",
        "10",
        "--resolve",
        f"{host}:{port}:127.0.0.1",
        "--output",
        str(body_file),
        *args,
        f"https://{host}:{port}/interop",
    ]
    run = run_client(argv, cwd=pki.directory)
    body = body_file.read_text() if body_file.exists() else ""
    return run.returncode, body, run.output


def ok(pki: Pki, port: int, *args: str, host: str = "localhost") -> dict[str, Any]:
    code, body, log = curl(pki, port, *args, host=host)
    assert code == 0, log
    info: dict[str, Any] = json.loads(body)
    assert info["path"] == "/interop"
    return info


@pytest.mark.parametrize("version", ["1.2", "1.3"])
@pytest.mark.parametrize("key_type", ["ecdsa", "rsa"])
def test_curl_versions_and_key_types(pki: Pki, key_type: str, version: str) -> None:
    identity = pki.server(key_type)
    with HTTPSServer(server_context(identity)) as server:
        info = ok(pki, server.port, "--cacert", identity.ca, *VERSION_ARGS[version])
    assert info["version"] == VERSION_NAMES[version]
    if version == "1.2":
        auth = "ECDSA" if key_type == "ecdsa" else "RSA"
        assert info["cipher"].startswith(f"ECDHE-{auth}-")
    else:
        assert info["cipher"].startswith("TLS_")


def test_curl_alpn(pki: Pki) -> None:
    ctx = server_context(pki.ecdsa)
    # http.server speaks HTTP/1.1 only, so that is all it offers.
    ctx.set_alpn_protocols(["http/1.1"])
    with HTTPSServer(ctx) as server:
        base = ["--cacert", pki.ecdsa.ca]
        http2 = ok(pki, server.port, *base, "--http2")
        http11 = ok(pki, server.port, *base, "--http1.1")
        none = ok(pki, server.port, *base, "--no-alpn")
        code, _, log = curl(pki, server.port, *base, "--http2")
    assert http2["alpn"] == "http/1.1"  # curl offered h2 and http/1.1
    assert http11["alpn"] == "http/1.1"
    assert none["alpn"] is None
    assert code == 0
    assert "ALPN: server accepted http/1.1" in log or "ALPN, server accepted" in log


def test_curl_client_certificate(pki: Pki) -> None:
    ctx = server_context(pki.rsa)
    ctx.verify_mode = rustssl.CERT_REQUIRED
    ctx.load_verify_locations(pki.client.ca)
    with HTTPSServer(ctx) as server:
        base = ["--cacert", pki.rsa.ca]
        for version in ("1.2", "1.3"):
            info = ok(
                pki,
                server.port,
                *base,
                *VERSION_ARGS[version],
                "--cert",
                pki.client.cert,
                "--key",
                pki.client.key,
            )
            assert info["peer"] == "client.test"
            assert info["version"] == VERSION_NAMES[version]
        # No certificate, or an untrusted one: the server's handshake fails.
        stranger = ["--cert", pki.stranger.cert, "--key", pki.stranger.key]
        for extra in ([], stranger):
            code, body, log = curl(pki, server.port, *base, *extra)
            assert code in (CURL_SSL_CONNECT_ERROR, CURL_RECV_ERROR), log
            assert body == ""


def test_curl_refuses_untrusted_server(pki: Pki) -> None:
    with HTTPSServer(server_context(pki.ecdsa)) as server:
        code, _, log = curl(pki, server.port, "--cacert", pki.rsa.ca)
        assert code == CURL_PEER_FAILED_VERIFICATION, log
        # The right CA, a name the certificate does not cover.
        code, _, log = curl(pki, server.port, "--cacert", pki.ecdsa.ca, host="alt.test")
        assert code == CURL_PEER_FAILED_VERIFICATION, log


def test_curl_sni(pki: Pki) -> None:
    ctx = server_context(pki.ecdsa)
    names: list[str | None] = []

    def pick(sslobj: Any, name: str | None, _ctx: Any) -> None:
        names.append(name)
        if name == "alt.test":
            sslobj.context = alt

    alt = server_context(pki.alt)
    ctx.sni_callback = pick
    with HTTPSServer(ctx) as server:
        ok(pki, server.port, "--cacert", pki.server_cas, host="alt.test")
        ok(pki, server.port, "--cacert", pki.server_cas, host="localhost")
    assert names == ["alt.test", "localhost"]
