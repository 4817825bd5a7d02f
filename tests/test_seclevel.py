"""@SECLEVEL=N: enforced as OpenSSL 3.0 enforces it for levels 0-2, refused above."""

from __future__ import annotations

import ssl as stdlib_ssl
from typing import Any

import pytest

import rustssl
from conftest import MODULES, CertSet, client_context, server_context
from test_sans_io import Pair


def names(ctx: Any) -> list[str]:
    return [c["name"] for c in ctx.get_ciphers()]


@pytest.mark.parametrize("level", [0, 1, 2])
def test_enforced_levels_match_the_stdlib(level: int) -> None:
    cipherlist = f"ECDHE+AESGCM:@SECLEVEL={level}"
    ours = rustssl.SSLContext(rustssl.PROTOCOL_TLS_CLIENT)
    theirs = stdlib_ssl.SSLContext(stdlib_ssl.PROTOCOL_TLS_CLIENT)
    ours.set_ciphers(cipherlist)
    theirs.set_ciphers(cipherlist)
    assert ours.security_level == theirs.security_level == level
    # Every suite of ECDHE+AESGCM is one rustls has, so the lists are equal.
    assert names(ours) == names(theirs)


@pytest.mark.parametrize("client_name,server_name", [("rustssl", "stdlib"), ("stdlib", "rustssl")])
def test_level_two_negotiates_as_openssl_does(
    certs: CertSet, client_name: str, server_name: str
) -> None:
    client_mod, server_mod = MODULES[client_name], MODULES[server_name]
    cctx, sctx = client_context(client_mod, certs), server_context(server_mod, certs)
    cctx.maximum_version = client_mod.TLSVersion.TLSv1_2
    aes128 = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256"
    cctx.set_ciphers(aes128 + ":@SECLEVEL=2")
    sctx.set_ciphers("ALL:@SECLEVEL=2")
    pair = Pair(cctx, sctx, client_mod, server_mod)
    pair.handshake()
    assert pair.client.cipher()[0] in aes128.split(":")


@pytest.mark.parametrize("level", [3, 4, 5])
def test_levels_that_cannot_be_enforced_are_refused(level: int) -> None:
    cipherlist = f"ECDHE+AESGCM:@SECLEVEL={level}"
    # OpenSSL accepts the level, and then also checks certificate key sizes,
    # groups and signature algorithms against it, which rustls does not.
    theirs = stdlib_ssl.SSLContext(stdlib_ssl.PROTOCOL_TLS_CLIENT)
    theirs.set_ciphers(cipherlist)
    assert theirs.security_level == level
    ours = rustssl.SSLContext(rustssl.PROTOCOL_TLS_CLIENT)
    before = names(ours)
    with pytest.raises(rustssl.SSLError, match=f"@SECLEVEL={level} cannot be enforced"):
        ours.set_ciphers(cipherlist)
    # Refused as a whole: neither the level nor the suites changed.
    assert ours.security_level == 2
    assert names(ours) == before
