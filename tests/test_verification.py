"""Verification failures: the stdlib's classes, codes and messages."""

from __future__ import annotations

import ssl as stdlib_ssl

import pytest

import rustssl
from conftest import CertSet, server_context
from test_sans_io import Pair


def failing_pair(client_ctx: rustssl.SSLContext, certs: CertSet, hostname: str) -> Pair:
    sctx = server_context(stdlib_ssl, certs)
    pair = Pair.__new__(Pair)
    pair.c_in, pair.c_out = rustssl.MemoryBIO(), rustssl.MemoryBIO()
    pair.s_in, pair.s_out = stdlib_ssl.MemoryBIO(), stdlib_ssl.MemoryBIO()
    pair.client = client_ctx.wrap_bio(pair.c_in, pair.c_out, server_hostname=hostname)
    pair.server = sctx.wrap_bio(pair.s_in, pair.s_out, server_side=True)
    return pair


def test_untrusted_server_is_rejected_and_caught_by_stdlib_except(
    certs: CertSet, other_certs: CertSet
) -> None:
    ctx = rustssl.SSLContext(rustssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(other_certs.cafile)
    pair = failing_pair(ctx, certs, "localhost")
    try:
        pair.handshake()
    except stdlib_ssl.SSLError as e:  # the stdlib's except clause catches ours
        assert isinstance(e, rustssl.SSLCertVerificationError)
        assert isinstance(e, stdlib_ssl.SSLCertVerificationError)
        assert e.verify_code == 20
        assert e.verify_message == "unable to get local issuer certificate"
        assert e.reason == "CERTIFICATE_VERIFY_FAILED"
        assert e.library == "SSL"
        assert str(e).startswith(
            "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: "
            "unable to get local issuer certificate"
        )
    else:
        pytest.fail("an untrusted certificate was accepted")


def test_wrong_hostname_is_code_62(certs: CertSet) -> None:
    ctx = rustssl.SSLContext(rustssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(certs.cafile)
    pair = failing_pair(ctx, certs, "example.com")
    with pytest.raises(rustssl.SSLCertVerificationError) as info:
        pair.handshake()
    assert info.value.verify_code == 62
    assert (
        info.value.verify_message
        == "Hostname mismatch, certificate is not valid for 'example.com'."
    )


def test_wrong_ip_is_code_64(certs: CertSet) -> None:
    ctx = rustssl.SSLContext(rustssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(certs.cafile)
    pair = failing_pair(ctx, certs, "10.1.2.3")
    with pytest.raises(rustssl.SSLCertVerificationError) as info:
        pair.handshake()
    assert info.value.verify_code == 64
    assert (
        info.value.verify_message == "IP address mismatch, certificate is not valid for '10.1.2.3'."
    )


def test_check_hostname_off_still_verifies_the_chain(certs: CertSet, other_certs: CertSet) -> None:
    ctx = rustssl.SSLContext(rustssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.load_verify_locations(other_certs.cafile)
    pair = failing_pair(ctx, certs, "localhost")
    with pytest.raises(rustssl.SSLCertVerificationError):
        pair.handshake()


def test_cert_none_accepts_and_reports_no_dict(certs: CertSet, other_certs: CertSet) -> None:
    ctx = rustssl.SSLContext(rustssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = rustssl.CERT_NONE
    pair = failing_pair(ctx, certs, "localhost")
    pair.handshake()
    assert pair.client.getpeercert() == {}
    assert pair.client.getpeercert(binary_form=True)


def test_check_hostname_requires_server_hostname(certs: CertSet) -> None:
    ctx = rustssl.SSLContext(rustssl.PROTOCOL_TLS_CLIENT)
    with pytest.raises(ValueError, match="check_hostname requires server_hostname"):
        ctx.wrap_bio(rustssl.MemoryBIO(), rustssl.MemoryBIO())
