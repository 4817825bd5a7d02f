"""Fail closed: every security setting rustssl accepts is enforced, or raises.

The audit covers verification flags, CRLs, ``verify_mode`` on servers and
clients, ``check_hostname``, ``minimum_version``/``maximum_version`` and the
``OP_NO_TLS*`` options, ciphers and curves, and the settings rustls cannot
honour. Each test sets the setting on the rustssl end, gives it a peer (the
stdlib, over memory BIOs) that violates it, and checks the handshake fails,
with a positive control that the same peer succeeds when the setting allows
it. Settings that cannot be enforced must raise when set or used.
"""

from __future__ import annotations

import ssl as stdlib_ssl
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography.x509.oid import ExtendedKeyUsageOID

import rustssl
from conftest import CertSet, client_context, server_context
from pki import Issued, make_cert, make_crl, write


def _module(ctx: Any) -> Any:
    return rustssl if isinstance(ctx, rustssl.SSLContext) else stdlib_ssl


def handshake(cctx: Any, sctx: Any, hostname: str | None = "localhost") -> Any:
    """Runs a handshake over memory BIOs; returns the first exception, or None
    (then the negotiated version)."""
    cm, sm = _module(cctx), _module(sctx)
    c_in, c_out, s_in, s_out = cm.MemoryBIO(), cm.MemoryBIO(), sm.MemoryBIO(), sm.MemoryBIO()
    try:
        client = cctx.wrap_bio(c_in, c_out, server_hostname=hostname)
        server = sctx.wrap_bio(s_in, s_out, server_side=True)
    except (rustssl.SSLError, stdlib_ssl.SSLError) as e:
        return e  # refused before any byte was sent: fail-closed too
    done = {id(client): False, id(server): False}
    for _ in range(20):
        for obj, mod in ((client, cm), (server, sm)):
            if done[id(obj)]:
                continue
            try:
                obj.do_handshake()
                done[id(obj)] = True
            except mod.SSLWantReadError:
                pass
            except (rustssl.SSLError, stdlib_ssl.SSLError) as e:
                return e
        moved = False
        for src, dst in ((c_out, s_in), (s_out, c_in)):
            data = src.read()
            if data:
                dst.write(data)
                moved = True
        if all(done.values()) and not moved:
            # Data flows after a TLS 1.3 client-auth handshake: the server's
            # verdict on the client certificate arrives with the first read.
            try:
                client.write(b"x")
                s_in.write(c_out.read())
                server.read(1)
            except (rustssl.SSLError, stdlib_ssl.SSLError) as e:
                return e
            return client.version()
    raise AssertionError("handshake did not finish")


def fails(result: Any, code: int | None = None) -> None:
    assert isinstance(result, (rustssl.SSLError, stdlib_ssl.SSLError)), (
        f"accepted (negotiated {result}) where it must fail"
    )
    if code is not None:
        assert getattr(result, "verify_code", None) == code, repr(result)


def succeeds(result: Any) -> None:
    assert isinstance(result, str), f"control handshake failed: {result!r}"


@dataclass
class Pki:
    root: Issued
    inter: Issued
    server: Issued
    client: Issued
    dir: Path

    def files(self, name: str, *parts: str) -> str:
        return write(self.dir, name, *parts)

    def server_ctx(self, module: Any, leaf: Issued | None = None) -> Any:
        leaf = leaf or self.server
        ctx = module.SSLContext(module.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(
            self.files("chain.pem", leaf.pem, self.inter.pem), self.files("key.pem", leaf.key_pem)
        )
        return ctx

    def client_ctx(self, module: Any, *trust: str) -> Any:
        ctx = module.SSLContext(module.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(cadata="".join(trust or (self.root.pem,)))
        return ctx


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    root = make_cert("Audit Root", ca=True)
    inter = make_cert("Audit Intermediate", root, ca=True)
    server = make_cert("localhost", inter, dns=("localhost",), ips=("127.0.0.1",))
    client = make_cert("audit client", inter)
    return Pki(root, inter, server, client, tmp_path_factory.mktemp("audit"))


# ------------------------------------------------------------- check_hostname


def test_check_hostname_is_enforced(pki: Pki) -> None:
    sctx = pki.server_ctx(stdlib_ssl)
    succeeds(handshake(pki.client_ctx(rustssl), sctx, "localhost"))
    fails(handshake(pki.client_ctx(rustssl), sctx, "example.com"), 62)
    fails(handshake(pki.client_ctx(rustssl), sctx, "127.0.0.2"), 64)


def test_check_hostname_cannot_be_left_on_without_verification(pki: Pki) -> None:
    ctx = pki.client_ctx(rustssl)
    with pytest.raises(ValueError):
        ctx.verify_mode = rustssl.CERT_NONE
    assert ctx.verify_mode == rustssl.CERT_REQUIRED


def test_hostname_checks_common_name_off_rejects_cn_only(pki: Pki) -> None:
    cn_only = make_cert("localhost", pki.inter)  # no subjectAltName
    cctx = pki.client_ctx(rustssl)
    cctx.hostname_checks_common_name = False
    fails(handshake(cctx, pki.server_ctx(stdlib_ssl, cn_only)), 62)


# ---------------------------------------------------------------- verify_mode


def test_client_cert_optional_still_verifies(pki: Pki, other_certs: CertSet) -> None:
    """CERT_OPTIONAL on a client verifies like CERT_REQUIRED (as OpenSSL does)."""
    cctx = client_context(rustssl, other_certs)  # trusts another CA only
    cctx.check_hostname = False
    cctx.verify_mode = rustssl.CERT_OPTIONAL
    fails(handshake(cctx, pki.server_ctx(stdlib_ssl)), 20)


@pytest.mark.parametrize("mode", ["CERT_REQUIRED", "CERT_OPTIONAL"])
def test_server_verify_mode_enforced(pki: Pki, other_certs: CertSet, mode: str) -> None:
    sctx = pki.server_ctx(rustssl)
    sctx.verify_mode = getattr(rustssl, mode)
    sctx.load_verify_locations(cadata=pki.root.pem)
    # A trusted client certificate: accepted.
    good = pki.client_ctx(stdlib_ssl)
    good.load_cert_chain(
        pki.files("c.pem", pki.client.pem, pki.inter.pem), pki.files("ck.pem", pki.client.key_pem)
    )
    succeeds(handshake(good, sctx))
    # A certificate from an untrusted CA: refused in both modes.
    bad = pki.client_ctx(stdlib_ssl)
    bad.load_cert_chain(other_certs.certfile, other_certs.keyfile)
    fails(handshake(bad, sctx))
    # No certificate: refused only when required.
    result = handshake(pki.client_ctx(stdlib_ssl), sctx)
    if mode == "CERT_REQUIRED":
        fails(result)
    else:
        succeeds(result)


def test_server_rejects_client_cert_without_client_auth_purpose(pki: Pki) -> None:
    server_only = make_cert("svc", pki.inter, eku=(ExtendedKeyUsageOID.SERVER_AUTH,))
    for module in (stdlib_ssl, rustssl):
        sctx = pki.server_ctx(module)
        sctx.verify_mode = module.CERT_REQUIRED
        sctx.load_verify_locations(cadata=pki.root.pem)
        cctx = pki.client_ctx(stdlib_ssl)
        cctx.load_cert_chain(
            pki.files("s.pem", server_only.pem, pki.inter.pem),
            pki.files("sk.pem", server_only.key_pem),
        )
        fails(handshake(cctx, sctx))


# ------------------------------------------------------------ verify flags, CRLs


def test_crl_check_leaf_needs_a_crl_and_honours_it(pki: Pki) -> None:
    sctx = pki.server_ctx(stdlib_ssl)
    cctx = pki.client_ctx(rustssl)
    cctx.verify_flags |= rustssl.VERIFY_CRL_CHECK_LEAF
    fails(handshake(cctx, sctx), 3)  # no CRL at all: unable to get CRL
    cctx.load_verify_locations(cadata=make_crl(pki.inter))
    succeeds(handshake(cctx, sctx))
    revoked = pki.client_ctx(rustssl)
    revoked.verify_flags |= rustssl.VERIFY_CRL_CHECK_LEAF
    revoked.load_verify_locations(cadata=make_crl(pki.inter, (pki.server,)))
    fails(handshake(revoked, sctx), 23)


def test_crl_check_chain_covers_the_intermediate(pki: Pki) -> None:
    sctx = pki.server_ctx(stdlib_ssl)
    cctx = pki.client_ctx(rustssl)
    cctx.verify_flags |= rustssl.VERIFY_CRL_CHECK_CHAIN
    cctx.load_verify_locations(cadata=make_crl(pki.inter) + make_crl(pki.root, (pki.inter,)))
    fails(handshake(cctx, sctx), 23)
    leaf_only = pki.client_ctx(rustssl)
    leaf_only.verify_flags |= rustssl.VERIFY_CRL_CHECK_LEAF
    leaf_only.load_verify_locations(cadata=make_crl(pki.inter) + make_crl(pki.root, (pki.inter,)))
    succeeds(handshake(leaf_only, sctx))


def test_crl_on_a_server_checks_client_certificates(pki: Pki) -> None:
    sctx = pki.server_ctx(rustssl)
    sctx.verify_mode = rustssl.CERT_REQUIRED
    sctx.load_verify_locations(cadata=pki.root.pem + make_crl(pki.inter, (pki.client,)))
    sctx.verify_flags |= rustssl.VERIFY_CRL_CHECK_LEAF
    cctx = pki.client_ctx(stdlib_ssl)
    cctx.load_cert_chain(
        pki.files("c.pem", pki.client.pem, pki.inter.pem), pki.files("ck.pem", pki.client.key_pem)
    )
    fails(handshake(cctx, sctx))


def test_partial_chain_flag_is_required_to_anchor_at_an_intermediate(pki: Pki) -> None:
    sctx = pki.server_ctx(stdlib_ssl)
    cctx = pki.client_ctx(rustssl, pki.inter.pem)
    cctx.verify_flags &= ~rustssl.VERIFY_X509_PARTIAL_CHAIN
    fails(handshake(cctx, sctx))
    cctx.verify_flags |= rustssl.VERIFY_X509_PARTIAL_CHAIN
    succeeds(handshake(cctx, sctx))


def test_x509_strict_rejects_what_openssl_rejects(pki: Pki) -> None:
    no_akid = make_cert("localhost", pki.inter, dns=("localhost",), akid=False)
    for module in (stdlib_ssl, rustssl):
        cctx = pki.client_ctx(module)
        cctx.verify_flags |= module.VERIFY_X509_STRICT
        fails(handshake(cctx, pki.server_ctx(stdlib_ssl, no_akid)))
        lax = pki.client_ctx(module)
        lax.verify_flags &= ~module.VERIFY_X509_STRICT
        succeeds(handshake(lax, pki.server_ctx(stdlib_ssl, no_akid)))


def test_unenforceable_verify_flags_raise(pki: Pki) -> None:
    """Bits rustls cannot honour (OpenSSL's IGNORE_CRITICAL 0x10, USE_CHECK_TIME
    0x2, NO_ALT_CHAINS 0x100000...) are refused, never silently ignored."""
    ctx = pki.client_ctx(rustssl)
    for bit in (0x2, 0x10, 0x100000, 0x200000):
        with pytest.raises((NotImplementedError, ValueError)):
            ctx.verify_flags = ctx.verify_flags | bit
        assert not int(ctx.verify_flags) & bit


def test_allow_proxy_certs_does_not_loosen_verification(pki: Pki, other_certs: CertSet) -> None:
    """VERIFY_ALLOW_PROXY_CERTS is accepted (proxy chains then fail): it must not
    let anything else through."""
    cctx = client_context(rustssl, other_certs)
    try:
        cctx.verify_flags |= rustssl.VERIFY_ALLOW_PROXY_CERTS
    except NotImplementedError:
        return  # refusing the flag is fail-closed too
    fails(handshake(cctx, pki.server_ctx(stdlib_ssl)), 20)
    good = pki.client_ctx(rustssl)
    good.verify_flags |= rustssl.VERIFY_ALLOW_PROXY_CERTS
    succeeds(handshake(good, pki.server_ctx(stdlib_ssl)))


def test_expired_and_not_yet_valid_certificates_fail(pki: Pki) -> None:
    from pki import DAY, NOW

    expired = make_cert("localhost", pki.inter, dns=("localhost",), not_after=NOW - DAY)
    future = make_cert("localhost", pki.inter, dns=("localhost",), not_before=NOW + DAY)
    fails(handshake(pki.client_ctx(rustssl), pki.server_ctx(stdlib_ssl, expired)), 10)
    fails(handshake(pki.client_ctx(rustssl), pki.server_ctx(stdlib_ssl, future)), 9)


# --------------------------------------------------------------- versions


def _limited(module: Any, certs: CertSet, side: str, **limits: Any) -> Any:
    ctx = server_context(module, certs) if side == "server" else client_context(module, certs)
    for name, value in limits.items():
        setattr(ctx, name, getattr(module.TLSVersion, value))
    return ctx


@pytest.mark.parametrize("rustssl_side", ["client", "server"])
def test_minimum_version_enforced(certs: CertSet, rustssl_side: str) -> None:
    other = "server" if rustssl_side == "client" else "client"
    ours = _limited(rustssl, certs, rustssl_side, minimum_version="TLSv1_3")
    peer = _limited(stdlib_ssl, certs, other, maximum_version="TLSv1_2")
    pair = (ours, peer) if rustssl_side == "client" else (peer, ours)
    fails(handshake(*pair))
    ok_peer = _limited(stdlib_ssl, certs, other)
    succeeds(handshake(*((ours, ok_peer) if rustssl_side == "client" else (ok_peer, ours))))


@pytest.mark.parametrize("rustssl_side", ["client", "server"])
def test_maximum_version_enforced(certs: CertSet, rustssl_side: str) -> None:
    other = "server" if rustssl_side == "client" else "client"
    ours = _limited(rustssl, certs, rustssl_side, maximum_version="TLSv1_2")
    peer = _limited(stdlib_ssl, certs, other, minimum_version="TLSv1_3")
    fails(handshake(*((ours, peer) if rustssl_side == "client" else (peer, ours))))


def test_versions_rustls_lacks_fail_instead_of_widening(certs: CertSet) -> None:
    """maximum_version TLSv1_1 leaves nothing rustls can speak: the handshake
    must fail, not quietly negotiate TLS 1.2."""
    ctx = client_context(rustssl, certs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx.maximum_version = rustssl.TLSVersion.TLSv1_1
    fails(handshake(ctx, server_context(stdlib_ssl, certs)))


def test_no_tls_options_enforced(certs: CertSet) -> None:
    ctx = client_context(rustssl, certs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx.options |= rustssl.OP_NO_TLSv1_3
    assert handshake(ctx, server_context(stdlib_ssl, certs)) == "TLSv1.2"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx.options |= rustssl.OP_NO_TLSv1_2
    fails(handshake(ctx, server_context(stdlib_ssl, certs)))


# ---------------------------------------------------------- ciphers, curves


def _tls12(ctx: Any, module: Any, ciphers: str) -> Any:
    ctx.maximum_version = module.TLSVersion.TLSv1_2
    ctx.set_ciphers(ciphers)
    return ctx


@pytest.mark.parametrize("rustssl_side", ["client", "server"])
def test_set_ciphers_enforced(certs: CertSet, rustssl_side: str) -> None:
    ours_ciphers, theirs = "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-ECDSA-AES128-GCM-SHA256"
    if rustssl_side == "client":
        cctx = _tls12(client_context(rustssl, certs), rustssl, ours_ciphers)
        sctx = _tls12(server_context(stdlib_ssl, certs), stdlib_ssl, theirs)
    else:
        cctx = _tls12(client_context(stdlib_ssl, certs), stdlib_ssl, theirs)
        sctx = _tls12(server_context(rustssl, certs), rustssl, ours_ciphers)
    fails(handshake(cctx, sctx))


def test_cipher_strings_selecting_nothing_raise() -> None:
    ctx = rustssl.SSLContext(rustssl.PROTOCOL_TLS_CLIENT)
    for s in ("RC4", "3DES", "!ALL", "NOT-A-CIPHER"):
        with pytest.raises(rustssl.SSLError):
            ctx.set_ciphers(s)


@pytest.mark.parametrize("ciphers", ["eNULL", "aNULL", "TLSv1", "kRSA"])
def test_cipher_strings_selecting_only_absent_suites_refuse_tls12(
    certs: CertSet, ciphers: str
) -> None:
    # OpenSSL accepts these (NULL, anonymous, CBC, RSA-key-exchange suites);
    # rustls has none of them, so TLS 1.2 has no suite left, never a default one.
    for rustssl_side in ("client", "server"):
        cctx = client_context(rustssl if rustssl_side == "client" else stdlib_ssl, certs)
        sctx = server_context(rustssl if rustssl_side == "server" else stdlib_ssl, certs)
        ours = cctx if rustssl_side == "client" else sctx
        ours.set_ciphers(ciphers)
        assert handshake(cctx, sctx) == "TLSv1.3"  # set_ciphers never touches TLS 1.3
        ours.maximum_version = rustssl.TLSVersion.TLSv1_2
        fails(handshake(cctx, sctx))


def test_set_ecdh_curve_enforced(certs: CertSet) -> None:
    sctx = server_context(rustssl, certs)
    sctx.set_ecdh_curve("secp384r1")
    cctx = client_context(stdlib_ssl, certs)
    cctx.set_ecdh_curve("prime256v1")
    fails(handshake(cctx, sctx))
    with pytest.raises(ValueError):
        sctx.set_ecdh_curve("secp521r1")  # not offered by rustls: refused, not ignored


# ------------------------------------------------------- cannot be honoured


def test_post_handshake_auth_raises_when_used(certs: CertSet) -> None:
    """A client that offered post-handshake auth, a server that asks for it:
    OpenSSL would send a CertificateRequest, rustls cannot, so it raises and
    the connection carries on without a client certificate."""
    from test_sans_io import Pair

    sctx = server_context(rustssl, certs)
    sctx.post_handshake_auth = True
    sctx.verify_mode = rustssl.CERT_OPTIONAL
    sctx.load_verify_locations(certs.cafile)
    cctx = client_context(stdlib_ssl, certs)
    cctx.post_handshake_auth = True
    cctx.load_cert_chain(certs.certfile, certs.keyfile)
    pair = Pair(cctx, sctx, stdlib_ssl, rustssl)
    pair.handshake()
    with pytest.raises(NotImplementedError):
        pair.server.verify_client_post_handshake()
    # CERT_OPTIONAL asked for the certificate in the handshake instead.
    assert pair.server.getpeercert()


def test_sni_callback_alert_fails_the_handshake(certs: CertSet) -> None:
    sctx = server_context(rustssl, certs)
    sctx.sni_callback = lambda obj, name, ctx: rustssl.ALERT_DESCRIPTION_ACCESS_DENIED
    fails(handshake(client_context(stdlib_ssl, certs), sctx))
