"""The Python-level ``ssl`` API against the stdlib: enums, helpers, context
properties and warnings, argument checks, buffers and ``_ssl`` types.

Each test guards a behaviour CPython's own test_ssl checks (named in the
docstrings); where possible the stdlib on this machine is the oracle.
"""

from __future__ import annotations

import array
import enum
import ssl as stdlib_ssl
import sys
import warnings
from typing import Any

import pytest

import rustssl
from conftest import CertSet, client_context, server_context
from rustssl import _ssl

py311_only = pytest.mark.skipif(sys.version_info >= (3, 12), reason="removed in Python 3.12")

# --- enums (test_ssl.TestEnumerations) -----------------------------------------------------

CONVERTED = [
    ("Options", enum.IntFlag, "OP_"),
    ("AlertDescription", enum.IntEnum, "ALERT_DESCRIPTION_"),
    ("SSLErrorNumber", enum.IntEnum, "SSL_ERROR_"),
    ("VerifyFlags", enum.IntFlag, "VERIFY_"),
    ("VerifyMode", enum.IntEnum, "CERT_"),
]


@pytest.mark.parametrize("name,etype,prefix", CONVERTED, ids=[c[0] for c in CONVERTED])
def test_enum_is_what_convert_builds(name: str, etype: type, prefix: str) -> None:
    """Same members, order, aliases and class attributes as ``_convert_`` from ``_ssl``."""
    checked = enum._old_convert_(  # type: ignore[attr-defined]
        etype, name, "ssl", lambda n: n.startswith(prefix), source=_ssl
    )
    enum._test_simple_enum(checked, getattr(rustssl, name))  # type: ignore[attr-defined]


def test_sslmethod_is_what_convert_builds() -> None:
    checked = enum._old_convert_(  # type: ignore[attr-defined]
        enum.IntEnum,
        "_SSLMethod",
        "ssl",
        lambda n: n.startswith("PROTOCOL_") and n != "PROTOCOL_SSLv23",
        source=_ssl,
    )
    checked.PROTOCOL_SSLv23 = checked.PROTOCOL_TLS
    enum._test_simple_enum(checked, rustssl._SSLMethod)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "name", ["_SSLMethod", "Options", "AlertDescription", "SSLErrorNumber", "VerifyFlags"]
)
def test_enum_members_match_the_stdlib(name: str) -> None:
    ours, theirs = getattr(rustssl, name), getattr(stdlib_ssl, name)
    assert ours.__module__ == theirs.__module__ == "ssl"
    # The same members as the running interpreter's stdlib, no more (3.11 has
    # neither OP_ENABLE_KTLS nor OP_LEGACY_SERVER_CONNECT).
    assert list(ours.__members__) == list(theirs.__members__)
    shared = list(theirs.__members__)
    assert [(n, int(ours[n])) for n in shared] == [(n, int(theirs[n])) for n in shared]
    assert [m.name for m in ours if m.name in shared] == [m.name for m in theirs]
    assert "_iter_member_" not in vars(ours)


def test_protocol_sslv23_is_not_a_member() -> None:
    assert "PROTOCOL_SSLv23" not in rustssl._SSLMethod.__members__
    assert rustssl._SSLMethod.PROTOCOL_SSLv23 is rustssl._SSLMethod.PROTOCOL_TLS
    assert rustssl.PROTOCOL_SSLv23 is rustssl.PROTOCOL_TLS
    assert repr(rustssl.PROTOCOL_SSLv23) == repr(stdlib_ssl.PROTOCOL_SSLv23)


# --- module helpers (test_ssl.BasicSocketTests) --------------------------------------------


def test_protocol_names_are_keyed_by_member() -> None:
    """test_ssl builds PROTOCOLS = sorted(ssl._PROTOCOL_NAMES) and reads ``.name``."""
    assert {int(k): v for k, v in rustssl._PROTOCOL_NAMES.items()} == {
        int(k): v for k, v in stdlib_ssl._PROTOCOL_NAMES.items()
    }
    assert all(isinstance(k, rustssl._SSLMethod) for k in rustssl._PROTOCOL_NAMES)
    for code in (2, 5, 16, 17, 99, -1):
        assert rustssl.get_protocol_name(code) == stdlib_ssl.get_protocol_name(code)


@py311_only
@pytest.mark.parametrize(
    "ipname",
    [
        "127.0.0.1",
        "192.168.0.1",
        "::1",
        "2001:db8:85a3::8a2e:370:7334",
        "1",
        "",
        "1.2.3",
        "256.0.0.1",
        "127.0.0.1/24",
        "127.1",
        "1.2.3.4 x",
        "zz",
        "a\0b",
        "::1%lo",
        5,
    ],
)
def test_inet_paton_matches_the_stdlib(ipname: Any) -> None:
    def outcome(module: Any) -> Any:
        try:
            return module._inet_paton(ipname)
        except Exception as e:
            return type(e), str(e)

    assert outcome(rustssl) == outcome(stdlib_ssl)


@py311_only
def test_rand_pseudo_bytes() -> None:
    """test_ssl.BasicSocketTests.test_random."""
    with pytest.warns(DeprecationWarning, match=r"^ssl\.RAND_pseudo_bytes\(\) is deprecated$"):
        data, strong = rustssl.RAND_pseudo_bytes(16)
    assert len(data) == 16 and strong is True
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with pytest.raises(ValueError, match="num must be positive"):
            rustssl.RAND_pseudo_bytes(-5)
    assert _ssl.RAND_pseudo_bytes is rustssl.RAND_pseudo_bytes


# --- SSLContext (test_ssl.ContextTests, BasicSocketTests.test_openssl111_deprecations) -----


def warning_messages(action: Any) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        action()
    return [str(w.message) for w in caught if issubclass(w.category, DeprecationWarning)]


@pytest.mark.parametrize(
    "option", ["OP_NO_SSLv2", "OP_NO_SSLv3", "OP_NO_TLSv1", "OP_NO_TLSv1_1", "OP_NO_TLSv1_2"]
)
def test_setting_a_protocol_option_warns_like_the_stdlib(option: str) -> None:
    def run(module: Any) -> tuple[list[str], list[str]]:
        ctx = module.SSLContext(module.PROTOCOL_TLS_CLIENT)

        def set_it() -> None:
            ctx.options |= getattr(module, option)

        first = warning_messages(set_it)
        return first, warning_messages(set_it)  # already set: no second warning

    assert run(rustssl) == run(stdlib_ssl)


def test_option_warning_message_and_location() -> None:
    ctx = rustssl.SSLContext(rustssl.PROTOCOL_TLS_CLIENT)
    with pytest.warns(DeprecationWarning) as record:
        ctx.options |= rustssl.OP_NO_TLSv1_3
    assert [str(w.message) for w in record] == [
        "ssl.OP_NO_SSL*/ssl.OP_NO_TLS* options are deprecated"
    ]
    assert record[0].filename == __file__
    assert (
        warning_messages(lambda: setattr(ctx, "options", ctx.options | rustssl.OP_NO_TICKET)) == []
    )


@pytest.mark.parametrize("attr", ["minimum_version", "maximum_version"])
@pytest.mark.parametrize("version", ["SSLv3", "TLSv1", "TLSv1_1", "TLSv1_2", "TLSv1_3"])
def test_setting_a_deprecated_version_warns_like_the_stdlib(attr: str, version: str) -> None:
    def run(module: Any) -> list[str]:
        ctx = module.SSLContext(module.PROTOCOL_TLS_CLIENT)
        return warning_messages(lambda: setattr(ctx, attr, module.TLSVersion[version]))

    assert run(rustssl) == run(stdlib_ssl)


@pytest.mark.parametrize("value", [769.0, "x", None])
def test_bad_version_types_do_not_warn(value: Any) -> None:
    ctx = rustssl.SSLContext(rustssl.PROTOCOL_TLS_CLIENT)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        with pytest.raises(TypeError):
            ctx.minimum_version = value


@pytest.mark.parametrize("protocol", ["PROTOCOL_TLS", "PROTOCOL_TLS_CLIENT", "PROTOCOL_TLS_SERVER"])
def test_min_max_version_getters_match_the_stdlib(protocol: str) -> None:
    def run(module: Any) -> tuple[str, str]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            ctx = module.SSLContext(getattr(module, protocol))
        return repr(ctx.minimum_version), repr(ctx.maximum_version)

    assert run(rustssl) == run(stdlib_ssl)


def test_tls12_only_context_reports_tlsversion_members() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx = rustssl.SSLContext(rustssl.PROTOCOL_TLSv1_2)
    assert ctx.minimum_version is rustssl.TLSVersion.MINIMUM_SUPPORTED
    assert ctx.maximum_version is rustssl.TLSVersion.MAXIMUM_SUPPORTED


def test_msg_callback_property() -> None:
    """test_ssl.TestSSLDebug.test_msg_callback. rustls has no message hook: it is stored only."""
    ctx = rustssl.SSLContext(rustssl.PROTOCOL_TLS_CLIENT)
    assert ctx._msg_callback is None

    def cb(*args: Any) -> None:
        pass

    ctx._msg_callback = cb
    assert ctx._msg_callback is cb
    bad = object()
    with pytest.raises(TypeError) as ours:
        ctx._msg_callback = bad
    with pytest.raises(TypeError) as theirs:
        stdlib_ssl.SSLContext(stdlib_ssl.PROTOCOL_TLS_CLIENT)._msg_callback = bad
    assert str(ours.value) == str(theirs.value)
    assert ctx._msg_callback is cb
    ctx._msg_callback = None
    assert ctx._msg_callback is None


@pytest.mark.parametrize(
    "hostname",
    [
        "",
        ".example.org",
        "example.org\x00evil.com",
        b"example.org\x00evil.com",
        b"",
        "a..b",
        "example.org.",
        "\u00e9x.com",
        b"\xff",
        "B\u00fccher.Example",
        "EXAMPLE.org",
        "x" * 64 + ".org",
    ],
)
def test_server_hostname_checks_match_the_stdlib(hostname: Any) -> None:
    """test_ssl.SSLErrorTests.test_bad_server_hostname and friends; asked
    twice, as rustssl keeps the names it has converted."""

    def outcome(module: Any) -> Any:
        ctx = module.create_default_context()
        try:
            obj = ctx.wrap_bio(module.MemoryBIO(), module.MemoryBIO(), server_hostname=hostname)
        except Exception as e:
            return type(e).__name__, str(e)
        return obj.server_hostname

    assert outcome(rustssl) == outcome(rustssl) == outcome(stdlib_ssl)


def test_wrap_socket_rejects_nul_in_server_hostname() -> None:
    import socket

    ctx = rustssl.create_default_context()
    with socket.socket() as sock:
        with pytest.raises(TypeError, match="without null bytes"):
            ctx.wrap_socket(sock, server_hostname="a\x00b")


def test_wrap_bio_checks_nul_before_the_leading_dot() -> None:
    """CPython's "es" converter rejects a NUL before _ssl looks at the name."""

    def outcome(module: Any) -> Any:
        ctx = module.create_default_context()
        try:
            ctx._wrap_bio(module.MemoryBIO(), module.MemoryBIO(), False, ".a\x00")
        except Exception as e:
            return type(e).__name__, str(e)
        return None

    assert outcome(rustssl) == outcome(stdlib_ssl)


def test_bytes_and_pathlike_paths(certs: CertSet, tmp_path: Any) -> None:
    """test_ssl.ContextTests.test_load_verify_locations / test_load_dh_params with bytes."""
    import os
    import pathlib

    ctx = rustssl.SSLContext(rustssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(os.fsencode(certs.cafile))
    ctx.load_verify_locations(pathlib.Path(certs.cafile))
    ctx.load_verify_locations(capath=os.fsencode(str(tmp_path)))
    for module in (rustssl, stdlib_ssl):
        other = module.SSLContext(module.PROTOCOL_TLS_CLIENT)
        with pytest.raises(TypeError, match="cafile should be a valid filesystem path"):
            other.load_verify_locations(1)
        with pytest.raises(TypeError, match="capath should be a valid filesystem path"):
            other.load_verify_locations(capath=1)
        with pytest.raises(FileNotFoundError):
            other.load_dh_params(os.fsencode(str(tmp_path / "missing.pem")))


# --- buffers (test_ssl.ThreadedTests.test_recv_into_buffer_protocol_len) -------------------


def handshake(client: Any, server: Any, bios: tuple[Any, Any, Any, Any]) -> None:
    c_in, c_out, s_in, s_out = bios
    for _ in range(20):
        done = 0
        for obj in (client, server):
            try:
                obj.do_handshake()
                done += 1
            except (rustssl.SSLWantReadError, stdlib_ssl.SSLWantReadError):
                pass
        s_in.write(c_out.read())
        c_in.write(s_out.read())
        if done == 2:
            return
    raise AssertionError("handshake did not finish")


def connected(certs: CertSet) -> tuple[Any, Any, tuple[Any, Any, Any, Any]]:
    """A rustssl client SSLObject connected to a stdlib server SSLObject."""
    bios = (
        rustssl.MemoryBIO(),
        rustssl.MemoryBIO(),
        stdlib_ssl.MemoryBIO(),
        stdlib_ssl.MemoryBIO(),
    )
    client = client_context(rustssl, certs).wrap_bio(bios[0], bios[1], server_hostname="localhost")
    server = server_context(stdlib_ssl, certs).wrap_bio(bios[2], bios[3], server_side=True)
    handshake(client, server, bios)
    return client, server, bios


@pytest.mark.parametrize(
    "make",
    [
        lambda: array.array("I", [0, 0]),
        lambda: array.array("d", [0.0]),
        lambda: memoryview(bytearray(8)).cast("Q"),
        lambda: memoryview(bytearray(8)).cast("B", (2, 4)),
        lambda: bytearray(8),
    ],
    ids=["array-I", "array-d", "memoryview-Q", "memoryview-2d", "bytearray"],
)
def test_read_into_any_contiguous_buffer(certs: CertSet, make: Any) -> None:
    client, server, (c_in, _c_out, _s_in, s_out) = connected(certs)
    server.write(b"datadata")
    c_in.write(s_out.read())
    buf = make()
    assert client.read(8, buf) == 8
    assert bytes(buf) == b"datadata"


def test_write_from_any_contiguous_buffer(certs: CertSet) -> None:
    client, server, (_c_in, c_out, s_in, _s_out) = connected(certs)
    for data in (array.array("I", [1, 2]), memoryview(b"abcdefgh").cast("H"), b"12345678"):
        assert client.write(data) == 8
        s_in.write(c_out.read())
        assert server.read(8) == bytes(data)
    bio = rustssl.MemoryBIO()
    bio.write(array.array("h", [1]))
    assert bio.read() == b"\x01\x00"


def test_buffer_errors(certs: CertSet) -> None:
    client, _server, _bios = connected(certs)
    with pytest.raises(TypeError, match="read-write bytes-like object is required"):
        client.read(4, b"abcd")
    with pytest.raises(TypeError, match="read-write bytes-like object is required"):
        client.read(4, memoryview(bytearray(8))[::2])
    with pytest.raises(TypeError, match="a bytes-like object is required, not 'str'"):
        rustssl.MemoryBIO().write("text")  # type: ignore[arg-type]
    with pytest.raises(BufferError):
        rustssl.MemoryBIO().write(memoryview(b"abcdef")[::2])


# --- _ssl types (test_ssl.BasicSocketTests.test_ssl_types) ---------------------------------


def test_certificate_cannot_be_instantiated() -> None:
    with pytest.raises(TypeError, match=r"^cannot create '_ssl\.Certificate' instances$"):
        _ssl.Certificate()
    assert _ssl.Certificate.__module__ == "_ssl"
    assert _ssl.Certificate.__qualname__ == "Certificate"


def test_certificate_repr_matches_the_stdlib(certs: CertSet) -> None:
    """test_ssl.TestPostHandshakeAuth.test_internal_chain_client compares reprs."""

    def chain_reprs(module: Any) -> list[str]:
        bios = (
            module.MemoryBIO(),
            module.MemoryBIO(),
            stdlib_ssl.MemoryBIO(),
            stdlib_ssl.MemoryBIO(),
        )
        client = client_context(module, certs).wrap_bio(
            bios[0], bios[1], server_hostname="localhost"
        )
        server = server_context(stdlib_ssl, certs).wrap_bio(bios[2], bios[3], server_side=True)
        handshake(client, server, bios)
        return [repr(c) for c in client._sslobj.get_verified_chain()]

    ours = chain_reprs(rustssl)
    assert ours == chain_reprs(stdlib_ssl)
    assert len(set(ours)) == 2


def test_rfc2253_escaping(tmp_path: Any) -> None:
    """Specials, edge spaces and non-ASCII in the repr as OpenSSL escapes them."""
    crypto = pytest.importorskip("cryptography")
    del crypto
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "XY"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ' a,b+c"d\\e<f>g;h #'),
            x509.NameAttribute(NameOID.COMMON_NAME, "#caf\u00e9 "),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    certfile = tmp_path / "c.pem"
    certfile.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    keyfile = tmp_path / "k.pem"
    keyfile.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    pem = certfile.read_text()
    special = CertSet(str(certfile), str(certfile), str(keyfile), pem)

    def chain_reprs(module: Any) -> list[str]:
        bios = (
            module.MemoryBIO(),
            module.MemoryBIO(),
            stdlib_ssl.MemoryBIO(),
            stdlib_ssl.MemoryBIO(),
        )
        ctx = module.SSLContext(module.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = module.CERT_NONE
        client = ctx.wrap_bio(bios[0], bios[1], server_hostname="localhost")
        server = server_context(stdlib_ssl, special).wrap_bio(bios[2], bios[3], server_side=True)
        handshake(client, server, bios)
        return [repr(c) for c in client._sslobj.get_unverified_chain()]

    ours = chain_reprs(rustssl)
    assert ours == chain_reprs(stdlib_ssl)
    assert "\\C3\\A9" in ours[0]
