"""rustssl as a client of nginx (nginx over OpenSSL as the TLS server)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import rustssl
from interop.peers import (
    TIMEOUT,
    VERSION_NAMES,
    Peer,
    Pki,
    client_context,
    common_name,
    https_get,
    tool,
)

# What each server block answers: the TLS parameters nginx negotiated.
ANSWER = (
    "block=$block protocol=$ssl_protocol cipher=$ssl_cipher sni=$ssl_server_name "
    "alpn=$ssl_alpn_protocol verify=$ssl_client_verify client=$ssl_client_s_dn\\n"
)

CONFIG = """\
daemon off;
master_process off;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log info;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {d}/tmp-body;
    proxy_temp_path {d}/tmp-proxy;
    fastcgi_temp_path {d}/tmp-fastcgi;
    uwsgi_temp_path {d}/tmp-uwsgi;
    scgi_temp_path {d}/tmp-scgi;
    default_type text/plain;
    ssl_protocols TLSv1.2 TLSv1.3;

    server {{
        listen 127.0.0.1:{ecdsa} ssl http2;
        server_name localhost;
        ssl_certificate {ecdsa_cert};
        ssl_certificate_key {ecdsa_key};
        set $block ecdsa;
        location / {{ return 200 "{answer}"; }}
    }}
    server {{
        listen 127.0.0.1:{ecdsa} ssl http2;
        server_name alt.test;
        ssl_certificate {alt_cert};
        ssl_certificate_key {alt_key};
        set $block alt;
        location / {{ return 200 "{answer}"; }}
    }}
    server {{
        listen 127.0.0.1:{rsa} ssl;
        server_name localhost;
        ssl_certificate {rsa_cert};
        ssl_certificate_key {rsa_key};
        set $block rsa;
        location / {{ return 200 "{answer}"; }}
    }}
    server {{
        listen 127.0.0.1:{mtls} ssl;
        server_name localhost;
        ssl_certificate {ecdsa_cert};
        ssl_certificate_key {ecdsa_key};
        ssl_verify_client on;
        ssl_client_certificate {client_ca};
        set $block mtls;
        location / {{ return 200 "{answer}"; }}
    }}
}}
"""


@dataclass(frozen=True)
class Nginx:
    ecdsa: int
    rsa: int
    mtls: int


def free_ports(count: int) -> list[int]:
    """Loopback ports that were free a moment ago (nginx cannot report its own)."""
    sockets = [socket.create_server(("127.0.0.1", 0)) for _ in range(count)]
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


@pytest.fixture(scope="module")
def nginx(pki: Pki, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Nginx]:
    binary = tool("nginx")
    directory = tmp_path_factory.mktemp("nginx")
    ecdsa, rsa, mtls = free_ports(3)
    config = CONFIG.format(
        d=directory,
        ecdsa=ecdsa,
        rsa=rsa,
        mtls=mtls,
        answer=ANSWER,
        ecdsa_cert=pki.ecdsa.cert,
        ecdsa_key=pki.ecdsa.key,
        alt_cert=pki.alt.cert,
        alt_key=pki.alt.key,
        rsa_cert=pki.rsa.cert,
        rsa_key=pki.rsa.key,
        client_ca=pki.client.ca,
    )
    conf = Path(directory) / "nginx.conf"
    conf.write_text(config)
    argv = [binary, "-p", str(directory), "-c", str(conf), "-e", str(directory / "error.log")]
    with Peer(argv, directory) as peer:
        for port in (ecdsa, rsa, mtls):
            peer.wait_listening(port)
        yield Nginx(ecdsa, rsa, mtls)


def answer(body: bytes) -> dict[str, str]:
    """nginx's answer line as a dict."""
    fields = {}
    for item in body.decode().split(" "):
        key, _, value = item.strip().partition("=")
        fields[key] = value
    return fields


@pytest.mark.parametrize("version", ["1.2", "1.3"])
@pytest.mark.parametrize("key_type", ["ecdsa", "rsa"])
def test_get_from_nginx(pki: Pki, nginx: Nginx, key_type: str, version: str) -> None:
    port = nginx.ecdsa if key_type == "ecdsa" else nginx.rsa
    ctx = client_context(pki.server(key_type).ca, version)
    got = https_get(ctx, port)
    fields = answer(got.body)
    assert got.status_line == "HTTP/1.1 200 OK"
    assert got.version == fields["protocol"] == VERSION_NAMES[version]
    assert fields["block"] == key_type
    assert fields["sni"] == "localhost"
    assert common_name(got.peer) == "localhost"
    if version == "1.2":
        auth = "ECDSA" if key_type == "ecdsa" else "RSA"
        assert fields["cipher"].startswith(f"ECDHE-{auth}-")


def test_sni_selects_nginx_server_block(pki: Pki, nginx: Nginx) -> None:
    ctx = client_context(pki.server_cas)
    alt = https_get(ctx, nginx.ecdsa, server_hostname="alt.test")
    local = https_get(ctx, nginx.ecdsa, server_hostname="localhost")
    assert answer(alt.body)["block"] == "alt"
    assert common_name(alt.peer) == "alt.test"
    assert answer(local.body)["block"] == "ecdsa"
    assert common_name(local.peer) == "localhost"


@pytest.mark.parametrize("version", ["1.2", "1.3"])
def test_alpn_with_nginx(pki: Pki, nginx: Nginx, version: str) -> None:
    ctx = client_context(pki.ecdsa.ca, version)
    ctx.set_alpn_protocols(["http/1.1"])
    got = https_get(ctx, nginx.ecdsa)
    assert got.alpn == "http/1.1"
    assert answer(got.body)["alpn"] == "http/1.1"

    # nginx prefers h2 when offered (this block has http2 on).
    ctx = client_context(pki.ecdsa.ca, version)
    ctx.set_alpn_protocols(["http/1.1", "h2"])
    with socket.create_connection(("127.0.0.1", nginx.ecdsa), timeout=TIMEOUT) as sock:
        with ctx.wrap_socket(sock, server_hostname="localhost") as tls:
            assert tls.selected_alpn_protocol() == "h2"

    # Nothing in common: nginx ends the handshake (no_application_protocol).
    ctx = client_context(pki.ecdsa.ca, version)
    ctx.set_alpn_protocols(["x-unknown"])
    with pytest.raises(rustssl.SSLError):
        https_get(ctx, nginx.ecdsa)


@pytest.mark.parametrize("version", ["1.2", "1.3"])
def test_client_certificate_to_nginx(pki: Pki, nginx: Nginx, version: str) -> None:
    ctx = client_context(pki.ecdsa.ca, version)
    ctx.load_cert_chain(pki.client.cert, pki.client.key)
    fields = answer(https_get(ctx, nginx.mtls).body)
    assert fields["block"] == "mtls"
    assert fields["verify"] == "SUCCESS"
    assert fields["client"] == "CN=client.test"

    # nginx refuses at the HTTP level: 400 with "No required SSL certificate".
    got = https_get(client_context(pki.ecdsa.ca, version), nginx.mtls)
    assert got.status_line == "HTTP/1.1 400 Bad Request"
    assert b"No required SSL certificate was sent" in got.body

    # An untrusted certificate: 400 "The SSL certificate error".
    ctx = client_context(pki.ecdsa.ca, version)
    ctx.load_cert_chain(pki.stranger.cert, pki.stranger.key)
    got = https_get(ctx, nginx.mtls)
    assert got.status_line == "HTTP/1.1 400 Bad Request"
    assert b"The SSL certificate error" in got.body


def test_nginx_certificate_is_verified(pki: Pki, nginx: Nginx) -> None:
    with pytest.raises(rustssl.SSLCertVerificationError):
        https_get(client_context(pki.ecdsa.ca), nginx.rsa)
