"""Constants and enums: the stdlib's values, and flags that tell the truth."""

from __future__ import annotations

import ssl as stdlib_ssl
import sys

import pytest

import rustssl

SHARED_PREFIXES = ("ALERT_DESCRIPTION_", "CERT_", "OP_", "PROTOCOL_TLS", "SSL_ERROR_", "VERIFY_")


def shared_names() -> list[str]:
    return sorted(
        n for n in dir(stdlib_ssl) if n.startswith(SHARED_PREFIXES) and hasattr(rustssl, n)
    )


@pytest.mark.parametrize("name", shared_names())
def test_values_equal_the_stdlib(name: str) -> None:
    assert int(getattr(rustssl, name)) == int(getattr(stdlib_ssl, name))


def exported_integers() -> list[str]:
    """Every integer constant the extension exports (the core's one table), booleans aside."""
    return sorted(
        n
        for n in dir(rustssl._ssl)
        if type(getattr(rustssl._ssl, n)) is int and not n.startswith(("OPENSSL_", "_"))
    )


def test_the_table_is_exported() -> None:
    names = exported_integers()
    assert len(names) >= 80
    assert "PROTOCOL_TLS_CLIENT" in names and "ALERT_DESCRIPTION_UNKNOWN_CA" in names


@pytest.mark.parametrize("name", exported_integers())
def test_every_exported_integer_equals_the_stdlib(name: str) -> None:
    import _ssl as stdlib_c

    value = getattr(rustssl._ssl, name)
    if hasattr(stdlib_c, name):
        assert value == getattr(stdlib_c, name)
    if hasattr(stdlib_ssl, name):
        assert int(getattr(rustssl, name)) == int(getattr(stdlib_ssl, name))


def test_every_stdlib_constant_exists() -> None:
    missing = [
        n for n in dir(stdlib_ssl) if n.startswith(SHARED_PREFIXES) and not hasattr(rustssl, n)
    ]
    assert missing == []


def test_feature_flags_are_honest() -> None:
    for name in ("HAS_SSLv2", "HAS_SSLv3", "HAS_TLSv1", "HAS_TLSv1_1", "HAS_NPN"):
        assert getattr(rustssl, name) is False, name
    if sys.version_info >= (3, 13):  # HAS_PSK is new in 3.13
        assert rustssl.HAS_PSK is False
    for name in ("HAS_TLSv1_2", "HAS_TLSv1_3", "HAS_ALPN", "HAS_SNI", "HAS_ECDH"):
        assert getattr(rustssl, name) is True, name
    assert not hasattr(rustssl, "PROTOCOL_SSLv3")


def test_enums_have_stdlib_members() -> None:
    for enum_name in ("Options", "VerifyMode", "VerifyFlags", "AlertDescription", "SSLErrorNumber"):
        ours = getattr(rustssl, enum_name)
        theirs = getattr(stdlib_ssl, enum_name)
        for member in theirs:
            assert ours[member.name] == member.value, (enum_name, member.name)
    assert rustssl.PROTOCOL_SSLv23 is rustssl.PROTOCOL_TLS
    assert rustssl.OP_ALL is rustssl.Options.OP_ALL
    assert [v.name for v in rustssl.TLSVersion] == [v.name for v in stdlib_ssl.TLSVersion]
    assert rustssl.Purpose.SERVER_AUTH.oid == "1.3.6.1.5.5.7.3.1"
    assert rustssl.Purpose.CLIENT_AUTH.nid == stdlib_ssl.Purpose.CLIENT_AUTH.nid


def test_openssl_version_lets_libraries_take_their_secure_path() -> None:
    assert rustssl.OPENSSL_VERSION.startswith("OpenSSL 3.")
    assert "rustssl" in rustssl.OPENSSL_VERSION and "rustls" in rustssl.OPENSSL_VERSION
    assert rustssl.OPENSSL_VERSION_INFO >= (1, 1, 1)
    assert rustssl.OPENSSL_VERSION_NUMBER >= 0x101010CF


@pytest.mark.parametrize("protocol", ["PROTOCOL_TLS_CLIENT", "PROTOCOL_TLS_SERVER", "PROTOCOL_TLS"])
def test_context_defaults_equal_the_stdlib(protocol: str) -> None:
    ours = rustssl.SSLContext(getattr(rustssl, protocol))
    theirs = stdlib_ssl.SSLContext(getattr(stdlib_ssl, protocol))
    for attr in (
        "verify_mode",
        "check_hostname",
        "options",
        "minimum_version",
        "maximum_version",
        "verify_flags",
        "num_tickets",
        "post_handshake_auth",
        "hostname_checks_common_name",
        "protocol",
    ):
        assert int(getattr(ours, attr)) == int(getattr(theirs, attr)), attr


@pytest.mark.parametrize(
    "factory", ["create_default_context", "_create_default_https_context", "_create_stdlib_context"]
)
@pytest.mark.parametrize("purpose", ["SERVER_AUTH", "CLIENT_AUTH"])
def test_context_factories_follow_the_running_stdlib(factory: str, purpose: str) -> None:
    # 3.13 added VERIFY_X509_STRICT and VERIFY_X509_PARTIAL_CHAIN to
    # create_default_context; 3.11 and 3.12 have neither.
    ours = getattr(rustssl, factory)(purpose=getattr(rustssl.Purpose, purpose))
    theirs = getattr(stdlib_ssl, factory)(purpose=getattr(stdlib_ssl.Purpose, purpose))
    for attr in ("verify_mode", "check_hostname", "verify_flags", "options", "protocol"):
        assert int(getattr(ours, attr)) == int(getattr(theirs, attr)), attr
    strict = stdlib_ssl.VERIFY_X509_STRICT | stdlib_ssl.VERIFY_X509_PARTIAL_CHAIN
    if factory != "_create_stdlib_context":
        expected = strict if sys.version_info >= (3, 13) else 0
        assert ours.verify_flags & strict == expected


def test_verify_mode_and_check_hostname_are_coupled() -> None:
    ctx = rustssl.SSLContext(rustssl.PROTOCOL_TLS_CLIENT)
    with pytest.raises(ValueError, match="check_hostname is enabled"):
        ctx.verify_mode = rustssl.CERT_NONE
    ctx.check_hostname = False
    ctx.verify_mode = rustssl.CERT_NONE
    ctx.check_hostname = True
    assert ctx.verify_mode == rustssl.CERT_REQUIRED
