"""Protocol controls against the stdlib peer: ALPN, ciphers, curves, keylog, options."""

from __future__ import annotations

import ssl as stdlib_ssl
import sys
from pathlib import Path
from typing import Any

import pytest

import rustssl
from conftest import MODULES, CertSet, client_context, server_context
from test_sans_io import Pair

PAIRS = [("rustssl", "stdlib"), ("stdlib", "rustssl")]


def make_pair(cctx: Any, sctx: Any, client_mod: Any, server_mod: Any) -> Pair:
    return Pair(cctx, sctx, client_mod, server_mod)


@pytest.mark.parametrize("client_name,server_name", PAIRS)
def test_alpn_negotiated_both_ways(certs: CertSet, client_name: str, server_name: str) -> None:
    client_mod, server_mod = MODULES[client_name], MODULES[server_name]
    cctx, sctx = client_context(client_mod, certs), server_context(server_mod, certs)
    cctx.set_alpn_protocols(["h2", "http/1.1"])
    sctx.set_alpn_protocols(["http/1.1", "h2"])
    pair = make_pair(cctx, sctx, client_mod, server_mod)
    pair.handshake()
    # The server's preference wins, as with OpenSSL.
    assert pair.client.selected_alpn_protocol() == "http/1.1"
    assert pair.server.selected_alpn_protocol() == "http/1.1"


@pytest.mark.parametrize("client_name,server_name", PAIRS)
def test_alpn_without_overlap_goes_on_without_alpn(
    certs: CertSet, client_name: str, server_name: str
) -> None:
    client_mod, server_mod = MODULES[client_name], MODULES[server_name]
    cctx, sctx = client_context(client_mod, certs), server_context(server_mod, certs)
    cctx.set_alpn_protocols(["spdy/2"])
    sctx.set_alpn_protocols(["h2"])
    pair = make_pair(cctx, sctx, client_mod, server_mod)
    pair.handshake()
    assert pair.client.selected_alpn_protocol() is None
    assert pair.server.selected_alpn_protocol() is None


def test_alpn_protocol_length_is_checked() -> None:
    ctx = rustssl.SSLContext(rustssl.PROTOCOL_TLS_CLIENT)
    with pytest.raises(rustssl.SSLError):
        ctx.set_alpn_protocols(["x" * 256])


@pytest.mark.parametrize("client_name,server_name", PAIRS)
def test_set_ciphers_limits_tls12(certs: CertSet, client_name: str, server_name: str) -> None:
    client_mod, server_mod = MODULES[client_name], MODULES[server_name]
    cctx, sctx = client_context(client_mod, certs), server_context(server_mod, certs)
    cctx.maximum_version = client_mod.TLSVersion.TLSv1_2
    cctx.set_ciphers("ECDHE+AESGCM")
    names = {c["name"] for c in cctx.get_ciphers() if c["protocol"] == "TLSv1.2"}
    assert names == {
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        "ECDHE-RSA-AES128-GCM-SHA256",
    }
    pair = make_pair(cctx, sctx, client_mod, server_mod)
    pair.handshake()
    assert pair.client.cipher()[0] in names
    assert pair.client.version() == "TLSv1.2"


def test_set_ciphers_selecting_nothing_fails() -> None:
    ctx = rustssl.SSLContext(rustssl.PROTOCOL_TLS_CLIENT)
    with pytest.raises(rustssl.SSLError, match="No cipher can be selected"):
        ctx.set_ciphers("RC4-MD5")
    # CBC only: OpenSSL accepts it; rustls has no such suite, so TLS 1.2 gets none.
    stdlib_ssl.SSLContext(stdlib_ssl.PROTOCOL_TLS_CLIENT).set_ciphers("AES256-SHA")
    ctx.set_ciphers("AES256-SHA")
    assert {c["protocol"] for c in ctx.get_ciphers()} == {"TLSv1.3"}


@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.SSLContext(m.PROTOCOL_TLS_CLIENT).set_ciphers("RC4-MD5"),
        lambda m: (lambda bio: (bio.write_eof(), bio.write(b"x")))(m.MemoryBIO()),
    ],
    ids=["set_ciphers", "write_after_eof"],
)
def test_message_only_errors_have_the_stdlib_shape(call: Any) -> None:
    """CPython raises these SSLErrors with a message alone: no errno, no reason."""
    shapes = []
    for module in (stdlib_ssl, rustssl):
        with pytest.raises(module.SSLError) as info:
            call(module)
        e = info.value
        shapes.append((e.args, e.errno, e.strerror, str(e), getattr(e, "reason", None)))
    assert shapes[0] == shapes[1]
    assert shapes[1][1] is None


def test_a_forced_suite_is_used(certs: CertSet) -> None:
    cctx, sctx = client_context(rustssl, certs), server_context(stdlib_ssl, certs)
    cctx.maximum_version = rustssl.TLSVersion.TLSv1_2
    cctx.set_ciphers("ECDHE-ECDSA-CHACHA20-POLY1305")
    pair = make_pair(cctx, sctx, rustssl, stdlib_ssl)
    pair.handshake()
    assert pair.client.cipher() == ("ECDHE-ECDSA-CHACHA20-POLY1305", "TLSv1.2", 256)
    assert pair.server.cipher() == pair.client.cipher()
    assert ("ECDHE-ECDSA-CHACHA20-POLY1305", "TLSv1.2", 256) in pair.server.shared_ciphers()


def test_shared_ciphers_on_a_rustssl_server(certs: CertSet) -> None:
    cctx, sctx = client_context(stdlib_ssl, certs), server_context(rustssl, certs)
    pair = make_pair(cctx, sctx, stdlib_ssl, rustssl)
    pair.handshake()
    shared = pair.server.shared_ciphers()
    assert ("TLS_AES_256_GCM_SHA384", "TLSv1.3", 256) in shared
    assert pair.client.shared_ciphers() is None or isinstance(pair.client.shared_ciphers(), list)


def test_get_ciphers_has_the_stdlib_keys() -> None:
    ours = rustssl.SSLContext(rustssl.PROTOCOL_TLS_CLIENT).get_ciphers()
    theirs = stdlib_ssl.SSLContext(stdlib_ssl.PROTOCOL_TLS_CLIENT).get_ciphers()
    assert {tuple(sorted(c)) for c in ours} == {tuple(sorted(theirs[0]))}
    by_name = {c["name"]: c for c in theirs}
    for cipher in ours:
        assert cipher == by_name[cipher["name"]]


def test_set_ecdh_curve(certs: CertSet) -> None:
    cctx, sctx = client_context(rustssl, certs), server_context(stdlib_ssl, certs)
    cctx.set_ecdh_curve("prime256v1")
    pair = make_pair(cctx, sctx, rustssl, stdlib_ssl)
    pair.handshake()
    assert pair.client._sslobj._group() == "prime256v1"
    cctx.set_ecdh_curve(b"X25519")
    with pytest.raises(ValueError, match="unknown elliptic curve name 'foo'"):
        cctx.set_ecdh_curve("foo")


def test_default_key_exchange_is_post_quantum_hybrid(certs: CertSet) -> None:
    pair = make_pair(
        client_context(rustssl, certs), server_context(rustssl, certs), rustssl, rustssl
    )
    pair.handshake()
    assert pair.client._sslobj._group() == "X25519MLKEM768"


def client_random_of(client_hello_record: bytes) -> bytes:
    # record header (5) + handshake header (4) + legacy_version (2), then 32 random bytes.
    assert client_hello_record[0] == 22 and client_hello_record[5] == 1
    return client_hello_record[11:43]


@pytest.mark.parametrize("version", ["TLSv1_2", "TLSv1_3"])
def test_keylog_lines_are_keyed_by_the_client_random(
    certs: CertSet, tmp_path: Path, version: str
) -> None:
    path = tmp_path / "keys.log"
    cctx = client_context(rustssl, certs)
    cctx.maximum_version = getattr(rustssl.TLSVersion, version)
    cctx.keylog_filename = str(path)
    assert cctx.keylog_filename == str(path)
    assert path.read_text().count("\n") == 1  # the header
    pair = make_pair(cctx, server_context(stdlib_ssl, certs), rustssl, stdlib_ssl)
    with pytest.raises(rustssl.SSLWantReadError):
        pair.client.do_handshake()
    hello = pair.c_out.read()
    random = client_random_of(hello).hex()
    pair.s_in.write(hello)
    pair.handshake()
    lines = [line.split() for line in path.read_text().splitlines()[1:]]
    labels = {line[0] for line in lines}
    assert {line[1] for line in lines} == {random}
    if version == "TLSv1_3":
        assert labels == {
            "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
            "SERVER_HANDSHAKE_TRAFFIC_SECRET",
            "CLIENT_TRAFFIC_SECRET_0",
            "SERVER_TRAFFIC_SECRET_0",
            "EXPORTER_SECRET",
        }
    else:
        assert labels == {"CLIENT_RANDOM"}
    cctx.keylog_filename = None
    assert cctx.keylog_filename is None


@pytest.mark.parametrize("version", ["TLSv1_2", "TLSv1_3"])
def test_tls_exporter_channel_binding_matches_on_both_ends(certs: CertSet, version: str) -> None:
    """Each end derives the exporter from its own secrets (for TLS 1.2 with
    the server random it received or sent); a new connection gets a new one."""
    bindings = []
    for _ in range(2):
        cctx = client_context(rustssl, certs)
        cctx.maximum_version = getattr(rustssl.TLSVersion, version)
        pair = make_pair(cctx, server_context(rustssl, certs), rustssl, rustssl)
        assert pair.client.get_channel_binding("tls-exporter") is None
        pair.handshake()
        assert pair.client.version() == version.replace("_", ".")
        assert rustssl.CHANNEL_BINDING_TYPES == ["tls-exporter"]
        client_cb = pair.client.get_channel_binding("tls-exporter")
        assert len(client_cb) == 32
        assert client_cb == pair.server.get_channel_binding("tls-exporter")
        bindings.append(client_cb)
    assert bindings[0] != bindings[1]
    with pytest.raises(ValueError, match="'tls-unique' channel binding type not implemented"):
        pair.client.get_channel_binding()


def test_versions_and_option_flags(certs: CertSet) -> None:
    cctx, sctx = client_context(rustssl, certs), server_context(stdlib_ssl, certs)
    cctx.options |= rustssl.OP_NO_TLSv1_3
    pair = make_pair(cctx, sctx, rustssl, stdlib_ssl)
    pair.handshake()
    assert pair.client.version() == "TLSv1.2"
    cctx = client_context(rustssl, certs)
    cctx.minimum_version = rustssl.TLSVersion.TLSv1_3
    sctx.maximum_version = stdlib_ssl.TLSVersion.TLSv1_2
    pair = make_pair(cctx, sctx, rustssl, stdlib_ssl)
    with pytest.raises(stdlib_ssl.SSLError):
        pair.handshake()
    cctx = client_context(rustssl, certs)
    cctx.options |= rustssl.OP_NO_TLSv1_2 | rustssl.OP_NO_TLSv1_3
    with pytest.raises(rustssl.SSLError, match="NO_PROTOCOLS_AVAILABLE"):
        cctx.wrap_bio(rustssl.MemoryBIO(), rustssl.MemoryBIO(), server_hostname="localhost")


def test_legacy_protocols_are_refused_like_a_build_without_them() -> None:
    with pytest.raises(ValueError):
        rustssl.SSLContext(rustssl.PROTOCOL_TLSv1)
    with pytest.raises(ValueError):
        rustssl.SSLContext(rustssl.PROTOCOL_TLSv1_1)


def test_features_rustls_lacks_raise(certs: CertSet, tmp_path: Path) -> None:
    ctx = rustssl.SSLContext(rustssl.PROTOCOL_TLS_SERVER)
    if sys.version_info >= (3, 13):
        with pytest.raises(NotImplementedError):
            ctx.set_psk_server_callback(lambda identity: b"")
        with pytest.raises(NotImplementedError):
            rustssl.SSLContext(rustssl.PROTOCOL_TLS_CLIENT).set_psk_client_callback(
                lambda hint: None
            )
    with pytest.warns(DeprecationWarning), pytest.raises(NotImplementedError):
        ctx.set_npn_protocols(["http/1.1"])
    ctx.post_handshake_auth = True
    assert ctx.post_handshake_auth is True
    pair = make_pair(
        client_context(rustssl, certs), server_context(rustssl, certs), rustssl, rustssl
    )
    pair.handshake()
    assert pair.client.compression() is None
    assert pair.client.selected_npn_protocol() is None


def _pha_reason(call: Any) -> str:
    """The SSLError reason of a verify_client_post_handshake call that must fail."""
    with pytest.raises((stdlib_ssl.SSLError, rustssl.SSLError)) as info:
        call()
    return str(info.value.reason)


def _pha_pair(certs: CertSet, server_mod: Any, offer: bool, **server: Any) -> Pair:
    """A stdlib client (offering post-handshake auth or not) and a server of `server_mod`."""
    cctx = client_context(stdlib_ssl, certs)
    cctx.post_handshake_auth = offer
    sctx = server_context(server_mod, certs)
    for name, value in server.items():
        setattr(sctx, name, value)
    return make_pair(cctx, sctx, stdlib_ssl, server_mod)


@pytest.mark.parametrize(
    "offer,server,reason",
    [
        (False, {}, "EXTENSION_NOT_RECEIVED"),
        (False, {"verify_mode": stdlib_ssl.CERT_OPTIONAL}, "EXTENSION_NOT_RECEIVED"),
        (True, {}, "INVALID_CONFIG"),
        (True, {"maximum_version": stdlib_ssl.TLSVersion.TLSv1_2}, "WRONG_SSL_VERSION"),
    ],
)
def test_verify_client_post_handshake_fails_as_openssl_does(
    certs: CertSet, offer: bool, server: dict[str, Any], reason: str
) -> None:
    """Where OpenSSL refuses, rustssl refuses with OpenSSL's reason: the same
    stdlib client, once against each module's server."""
    for server_mod in (stdlib_ssl, rustssl):
        pair = _pha_pair(certs, server_mod, offer, **server)
        assert _pha_reason(pair.server.verify_client_post_handshake) == "WRONG_SSL_VERSION"
        pair.handshake()
        assert _pha_reason(pair.server.verify_client_post_handshake) == reason, server_mod
        if not server:
            # A client may not ask; both modules' clients say so.
            assert _pha_reason(pair.client.verify_client_post_handshake) == "NOT_SERVER"


def test_rustssl_client_never_offers_post_handshake_auth(certs: CertSet) -> None:
    cctx = client_context(rustssl, certs)
    cctx.post_handshake_auth = True
    sctx = server_context(stdlib_ssl, certs)
    sctx.verify_mode = stdlib_ssl.CERT_OPTIONAL
    sctx.post_handshake_auth = True
    pair = make_pair(cctx, sctx, rustssl, stdlib_ssl)
    pair.handshake()
    # OpenSSL's server saw no post_handshake_auth extension from our client.
    assert _pha_reason(pair.server.verify_client_post_handshake) == "EXTENSION_NOT_RECEIVED"
    assert _pha_reason(pair.client.verify_client_post_handshake) == "NOT_SERVER"


def test_verify_client_post_handshake_never_pretends(certs: CertSet) -> None:
    """When OpenSSL would send a CertificateRequest, rustssl cannot, and says so."""
    stdlib_pair = _pha_pair(
        certs, stdlib_ssl, True, verify_mode=stdlib_ssl.CERT_OPTIONAL, post_handshake_auth=True
    )
    stdlib_pair.handshake()
    assert stdlib_pair.server.verify_client_post_handshake() is None  # OpenSSL accepts
    pair = _pha_pair(
        certs, rustssl, True, verify_mode=rustssl.CERT_OPTIONAL, post_handshake_auth=True
    )
    pair.handshake()
    with pytest.raises(NotImplementedError) as info:
        pair.server.verify_client_post_handshake()
    assert isinstance(info.value, rustssl.SSLError)
    assert "rustls does not implement it" in str(info.value)
    assert pair.server.getpeercert() is None  # nothing was requested or received


def test_load_dh_params_validates(certs: CertSet, tmp_path: Path) -> None:
    import test  # the stdlib's test package ships a DH parameter file

    dhfile = Path(test.__file__).parent / "certdata" / "ffdh3072.pem"
    ctx = rustssl.SSLContext(rustssl.PROTOCOL_TLS_SERVER)
    ctx.load_dh_params(str(dhfile))
    with pytest.raises(FileNotFoundError):
        ctx.load_dh_params(str(tmp_path / "missing.pem"))
    with pytest.raises(rustssl.SSLError):
        ctx.load_dh_params(certs.certfile)


@pytest.mark.parametrize("side", ["client", "server"])
def test_a_lone_leaf_is_sent_with_its_issuers_from_the_store(certs: CertSet, side: str) -> None:
    # OpenSSL completes a local chain from the trust store; peers that only
    # trust the root still verify, and see the same chain as from the stdlib.
    cctx, sctx = client_context(rustssl, certs), server_context(rustssl, certs)
    sctx.load_verify_locations(certs.cafile)
    sctx.verify_mode = rustssl.CERT_REQUIRED
    cctx.load_cert_chain(certs.certfile, certs.keyfile)
    pair = make_pair(cctx, sctx, rustssl, rustssl)
    pair.handshake()
    receiver = pair.server if side == "client" else pair.client
    chain = [
        c.public_bytes(rustssl._ssl.ENCODING_DER) for c in receiver._sslobj.get_unverified_chain()
    ]
    assert len(chain) == 2
    assert chain[1] == rustssl.PEM_cert_to_DER_cert(certs.ca_pem)


@pytest.mark.parametrize(
    "suite,key_type",
    [("ECDHE-RSA-AES128-GCM-SHA256", "rsa"), ("ECDHE-ECDSA-AES128-GCM-SHA256", "ecdsa")],
)
def test_server_holds_an_rsa_and_an_ecdsa_identity(
    certs: CertSet, rsa_certs: CertSet, suite: str, key_type: str
) -> None:
    sctx = server_context(rustssl, certs)
    sctx.load_cert_chain(rsa_certs.certfile, rsa_certs.keyfile)  # kept beside the ECDSA one
    cctx = stdlib_ssl.SSLContext(stdlib_ssl.PROTOCOL_TLS_CLIENT)
    cctx.load_verify_locations(certs.cafile)
    cctx.load_verify_locations(rsa_certs.cafile)
    cctx.maximum_version = stdlib_ssl.TLSVersion.TLSv1_2
    cctx.set_ciphers(suite)
    pair = make_pair(cctx, sctx, stdlib_ssl, rustssl)
    pair.handshake()
    assert pair.client.cipher()[0] == suite
    der = pair.client.getpeercert(binary_form=True)
    expected = rsa_certs if key_type == "rsa" else certs
    assert der == stdlib_ssl.PEM_cert_to_DER_cert(open(expected.certfile).read())


def test_capath_certificates_count_once_used(certs: CertSet, tmp_path: Path) -> None:
    import shutil
    import subprocess

    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl tool names capath files by subject hash")
    digest = subprocess.run(
        [openssl, "x509", "-hash", "-noout", "-in", certs.cafile],
        capture_output=True,
        text=True,
        check=True,
        timeout=10,
    ).stdout.strip()
    (tmp_path / f"{digest}.0").write_text(certs.ca_pem)
    cctx = rustssl.SSLContext(rustssl.PROTOCOL_TLS_CLIENT)
    cctx.load_verify_locations(capath=str(tmp_path))
    # As with OpenSSL, a capath certificate is loaded when a lookup needs it.
    assert cctx.get_ca_certs() == []
    pair = make_pair(cctx, server_context(rustssl, certs), rustssl, rustssl)
    pair.handshake()
    assert len(cctx.get_ca_certs()) == 1
    assert cctx.cert_store_stats()["x509_ca"] == 1


@pytest.mark.parametrize("limit", ["maximum_version", "minimum_version"])
def test_client_offers_only_suites_of_its_versions(certs: CertSet, limit: str) -> None:
    """OpenSSL's server sees the same offer from our client as from the stdlib's."""
    offers = []
    for client_mod in (stdlib_ssl, rustssl):
        cctx = client_context(client_mod, certs)
        one_version = "TLSv1_2" if limit == "maximum_version" else "TLSv1_3"
        setattr(cctx, limit, getattr(client_mod.TLSVersion, one_version))
        cctx.set_ciphers("ECDHE-ECDSA-AES128-GCM-SHA256")
        pair = make_pair(cctx, server_context(stdlib_ssl, certs), client_mod, stdlib_ssl)
        pair.handshake()
        offers.append(sorted(pair.server.shared_ciphers()))
    assert offers[0] == offers[1]
    versions = {protocol for _name, protocol, _bits in offers[1]}
    assert versions == {"TLSv1.2" if limit == "maximum_version" else "TLSv1.3"}
