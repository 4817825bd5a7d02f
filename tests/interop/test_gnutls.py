"""``gnutls-cli`` (GnuTLS) as a client of a rustssl server."""

from __future__ import annotations

import pytest

import rustssl
from interop.peers import (
    VERSION_NAMES,
    Pki,
    Run,
    TLSServer,
    run_client,
    server_context,
    tool,
)

PRIORITIES = {
    "1.2": "NORMAL:-VERS-ALL:+VERS-TLS1.2",
    "1.3": "NORMAL:-VERS-ALL:+VERS-TLS1.3",
}
DESCRIPTIONS = {"1.2": "(TLS1.2-X.509)", "1.3": "(TLS1.3-X.509)"}


@pytest.fixture(autouse=True)
def _peer_installed() -> None:
    """Skips (or, under CI, fails) before any server starts if the peer is missing."""
    tool("gnutls-cli")


def gnutls_cli(pki: Pki, port: int, cafile: str, *args: str, name: str = "localhost") -> Run:
    argv = [
        tool("gnutls-cli"),
        "--port",
        str(port),
        "--x509cafile",
        cafile,
        "--sni-hostname",
        name,
        "--verify-hostname",
        name,
        *args,
        "127.0.0.1",
    ]
    return run_client(argv, b"ping\n", cwd=pki.directory)


@pytest.mark.parametrize("version", ["1.2", "1.3"])
@pytest.mark.parametrize("key_type", ["ecdsa", "rsa"])
def test_gnutls_cli_to_server(pki: Pki, key_type: str, version: str) -> None:
    identity = pki.server(key_type)
    with TLSServer(server_context(identity)) as server:
        run = gnutls_cli(pki, server.port, identity.ca, "--priority", PRIORITIES[version])
    seen = server.result()
    assert run.returncode == 0, run.output
    assert seen.error is None, seen.error
    assert seen.version == VERSION_NAMES[version]
    assert seen.received == b"ping\n"
    assert "- Status: The certificate is trusted." in run.output
    assert f"- Description: {DESCRIPTIONS[version]}" in run.output
    sig = "ECDSA" if key_type == "ecdsa" else "RSA"
    assert f"-({sig}" in run.output.split("- Description:", 1)[1].split("\n", 1)[0]
    assert seen.answer().decode().strip() in run.output
    # close_notify reached it: a clean end, not a truncation.
    assert "Peer has closed the GnuTLS connection" in run.output


@pytest.mark.parametrize("version", ["1.2", "1.3"])
def test_gnutls_cli_alpn(pki: Pki, version: str) -> None:
    ctx = server_context(pki.ecdsa)
    ctx.set_alpn_protocols(["h2", "http/1.1"])
    with TLSServer(ctx, connections=2) as server:
        base = ["--priority", PRIORITIES[version]]
        first = gnutls_cli(pki, server.port, pki.ecdsa.ca, *base, "--alpn", "http/1.1")
        second = gnutls_cli(pki, server.port, pki.ecdsa.ca, *base, "--alpn", "x-unknown")
    assert first.returncode == 0, first.output
    assert second.returncode == 0, second.output
    assert [s.alpn for s in server.seen] == ["http/1.1", None]
    assert "- Application protocol: http/1.1" in first.output
    assert "- Application protocol:" not in second.output


@pytest.mark.parametrize("version", ["1.2", "1.3"])
def test_gnutls_cli_sni(pki: Pki, version: str) -> None:
    ctx = server_context(pki.ecdsa)
    with TLSServer(ctx, connections=2, sni={"alt.test": server_context(pki.alt)}) as server:
        base = ["--priority", PRIORITIES[version]]
        alt = gnutls_cli(pki, server.port, pki.server_cas, *base, name="alt.test")
        local = gnutls_cli(pki, server.port, pki.server_cas, *base, name="localhost")
    assert alt.returncode == 0, alt.output
    assert local.returncode == 0, local.output
    assert [s.server_name for s in server.seen] == ["alt.test", "localhost"]
    assert "subject `CN=alt.test'" in alt.output
    assert "subject `CN=localhost'" in local.output


@pytest.mark.parametrize("version", ["1.2", "1.3"])
def test_gnutls_cli_client_certificate(pki: Pki, version: str) -> None:
    ctx = server_context(pki.rsa)
    ctx.verify_mode = rustssl.CERT_REQUIRED
    ctx.load_verify_locations(pki.client.ca)
    base = ["--priority", PRIORITIES[version]]
    with TLSServer(ctx) as server:
        run = gnutls_cli(
            pki,
            server.port,
            pki.rsa.ca,
            *base,
            "--x509certfile",
            pki.client.cert,
            "--x509keyfile",
            pki.client.key,
        )
    assert run.returncode == 0, run.output
    assert server.result().peer == "client.test"

    stranger = ["--x509certfile", pki.stranger.cert, "--x509keyfile", pki.stranger.key]
    for extra, reason in (
        ([], "PEER_DID_NOT_RETURN_A_CERTIFICATE"),
        (stranger, "CERTIFICATE_VERIFY_FAILED"),
    ):
        with TLSServer(ctx) as server:
            run = gnutls_cli(pki, server.port, pki.rsa.ca, *base, *extra)
        seen = server.result()
        assert isinstance(seen.error, rustssl.SSLError), (seen, run.output)
        assert seen.error.reason == reason
        assert seen.received == b""
        assert run.returncode != 0, run.output


def test_gnutls_cli_rejects_untrusted_server(pki: Pki) -> None:
    with TLSServer(server_context(pki.ecdsa)) as server:
        run = gnutls_cli(pki, server.port, pki.rsa.ca)
    assert run.returncode != 0
    assert "The certificate is NOT trusted" in run.output
    # rustssl sees the client's alert and reports it.
    assert isinstance(server.result().error, rustssl.SSLError)
