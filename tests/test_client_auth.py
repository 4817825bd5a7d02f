"""A server with ``CERT_REQUIRED``: missing and untrusted client certificates, against the stdlib.

The same stdlib client meets a stdlib server and then a rustssl server with
the same settings; both sides' exceptions must be the same.
"""

from __future__ import annotations

import re
import ssl as stdlib_ssl
from pathlib import Path
from typing import Any

import pytest

import rustssl

pytest.importorskip("pki")
from pki import Issued, make_cert, write
from test_verify_failures import connect


def describe(error: BaseException | None) -> tuple[Any, ...]:
    if error is None:
        return ("ok",)
    return (
        type(error).__name__,
        getattr(error, "reason", None),
        getattr(error, "verify_code", None),
        getattr(error, "verify_message", None),
        re.sub(r" \(_ssl\.c:\d+\)$", "", str(error)),
    )


def run(
    server_module: Any, version: str, root: Issued, client_identity: Issued | None, tmp: Path
) -> dict[str, tuple[Any, ...]]:
    server_leaf = make_cert("localhost", root, dns=("localhost",))
    server = server_module.SSLContext(server_module.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(
        write(tmp, "server.pem", server_leaf.pem), write(tmp, "server.key", server_leaf.key_pem)
    )
    server.verify_mode = server_module.CERT_REQUIRED
    server.load_verify_locations(write(tmp, "root.pem", root.pem))
    server.maximum_version = getattr(server_module.TLSVersion, version)

    client = stdlib_ssl.SSLContext(stdlib_ssl.PROTOCOL_TLS_CLIENT)
    client.load_verify_locations(write(tmp, "root.pem", root.pem))
    if client_identity is not None:
        client.load_cert_chain(
            write(tmp, "client.pem", client_identity.pem),
            write(tmp, "client.key", client_identity.key_pem),
        )
    c, _, errors = connect(client, stdlib_ssl, server, server_module, "localhost")
    if "client" not in errors:
        # Under TLS 1.3 the client finishes first and hears the alert on its first read.
        try:
            c.read(1)
        except (stdlib_ssl.SSLWantReadError, rustssl.SSLWantReadError):
            pass
        except Exception as e:
            errors["client"] = e
    return {side: describe(errors.get(side)) for side in ("client", "server")}


@pytest.fixture(scope="module")
def root() -> Issued:
    return make_cert("Client Auth Root", ca=True)


@pytest.mark.parametrize("version", ["TLSv1_2", "TLSv1_3"])
def test_client_without_a_certificate_is_rejected(
    root: Issued, version: str, tmp_path: Path
) -> None:
    theirs = run(stdlib_ssl, version, root, None, tmp_path)
    ours = run(rustssl, version, root, None, tmp_path)
    assert theirs["server"][0] == "SSLError"
    assert ours["server"] == theirs["server"]
    if version == "TLSv1_2":
        # Known difference: rustls sends certificate_required (a TLS 1.3
        # alert) under TLS 1.2 too, where OpenSSL sends handshake_failure.
        assert theirs["client"][1] == "SSLV3_ALERT_HANDSHAKE_FAILURE"
        assert ours["client"][1] == "TLSV13_ALERT_CERTIFICATE_REQUIRED"
    else:
        assert ours["client"] == theirs["client"]


@pytest.mark.parametrize("version", ["TLSv1_2", "TLSv1_3"])
def test_client_from_an_untrusted_ca_is_rejected(
    root: Issued, version: str, tmp_path: Path
) -> None:
    stranger = make_cert("client", make_cert("Stranger CA", ca=True))
    theirs = run(stdlib_ssl, version, root, stranger, tmp_path)
    ours = run(rustssl, version, root, stranger, tmp_path)
    assert theirs["server"][0] == "SSLCertVerificationError"
    assert ours == theirs


@pytest.mark.parametrize("version", ["TLSv1_2", "TLSv1_3"])
def test_trusted_client_is_accepted(root: Issued, version: str, tmp_path: Path) -> None:
    friend = make_cert("client", root)
    assert run(rustssl, version, root, friend, tmp_path) == {
        "client": ("ok",),
        "server": ("ok",),
    }
