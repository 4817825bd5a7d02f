"""Behaviour that differs between Python 3.11, 3.12 and 3.13 follows the running one.

Every test compares rustssl with the stdlib ``ssl`` of the interpreter that
runs it, so running this file under each supported Python checks each one.
"""

from __future__ import annotations

import _ssl as stdlib_ext
import gc
import socket
import ssl as stdlib_ssl
import sys
import warnings

import pytest

import rustssl
from conftest import TIMEOUT, CertSet, client_context, server_context
from rustssl import _ssl as rustssl_ext

# --- SSLContext.options: a C long before 3.12, a uint64_t from 3.12 (gh-106687)


OPTION_VALUES = [0, 1, -1, -5, 2**63 - 1, 2**63, -(2**63), -(2**63) - 1, 2**64 - 1, 2**64, 2**100]


def _set_options(module, value: int) -> tuple[str, str] | int:
    """The error setting ``value`` raises, or the raw value read back."""
    ctx = module.SSLContext(module.PROTOCOL_TLS_CLIENT)
    base = stdlib_ext._SSLContext if module is stdlib_ssl else rustssl_ext._SSLContext
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            ctx.options = value
        except Exception as e:
            return type(e).__name__, str(e)
    return int(base.options.__get__(ctx))


@pytest.mark.parametrize("value", OPTION_VALUES)
def test_options_range_is_the_running_pythons(value: int) -> None:
    ours, theirs = _set_options(rustssl, value), _set_options(stdlib_ssl, value)
    if isinstance(theirs, tuple):
        assert ours == theirs
    else:
        # Accepted by both. rustssl keeps a few options always on, so only
        # the sign (a C long reads back negative on 3.11) and the bits that
        # were asked for are compared.
        assert isinstance(ours, int)
        assert (ours < 0) == (theirs < 0)
        assert ours & value == theirs & value


def test_options_overflow_as_in_test_ssl() -> None:
    ctx = rustssl.SSLContext(rustssl.PROTOCOL_TLS_CLIENT)
    if sys.version_info >= (3, 12):
        with pytest.raises(OverflowError):
            ctx.options = -1
    with pytest.raises(OverflowError):
        ctx.options = 2**100


# --- names a later Python added: absent before, so hasattr() tells the truth


@pytest.mark.parametrize(
    ("owner", "name"),
    [
        ("module", "HAS_PSK"),
        ("module", "OP_ENABLE_KTLS"),
        ("module", "OP_LEGACY_SERVER_CONNECT"),
        ("ext", "HAS_PSK"),
        ("ext", "OP_ENABLE_KTLS"),
        ("ext", "OP_LEGACY_SERVER_CONNECT"),
        ("Options", "OP_ENABLE_KTLS"),
        ("Options", "OP_LEGACY_SERVER_CONNECT"),
        ("SSLContext", "set_psk_client_callback"),
        ("SSLContext", "set_psk_server_callback"),
        ("SSLSocket", "get_verified_chain"),
        ("SSLSocket", "get_unverified_chain"),
        ("SSLObject", "get_verified_chain"),
        ("SSLObject", "get_unverified_chain"),
        ("_SSLSocket", "get_verified_chain"),
        ("_SSLSocket", "get_unverified_chain"),
    ],
)
def test_feature_detection_matches_the_stdlib(owner: str, name: str) -> None:
    def resolve(module, ext):
        if owner == "module":
            return module
        if owner == "ext":
            return ext
        if owner == "_SSLSocket":
            return ext._SSLSocket
        return getattr(module, owner)

    assert hasattr(resolve(rustssl, rustssl_ext), name) == hasattr(
        resolve(stdlib_ssl, stdlib_ext), name
    )


# --- the peer's chain at the _sslobj level and the public level


def _chains(module, certs: CertSet, serve) -> tuple[object, object, object, object]:
    """(verified, unverified) from ``_sslobj`` and from the public methods, if any."""

    def handler(conn: socket.socket) -> None:
        with server_context(stdlib_ssl, certs).wrap_socket(conn, server_side=True) as tls:
            tls.sendall(b"x")

    with serve(handler) as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT) as raw:
            ctx = client_context(module, certs)
            with ctx.wrap_socket(raw, server_hostname="localhost") as tls:
                assert tls.recv(1) == b"x"
                low = (tls._sslobj.get_verified_chain(), tls._sslobj.get_unverified_chain())
                public = (
                    tls.get_verified_chain() if hasattr(tls, "get_verified_chain") else None,
                    tls.get_unverified_chain() if hasattr(tls, "get_unverified_chain") else None,
                )
        server.raise_errors()
    return (*low, *public)


def test_chains_have_the_stdlib_shape(certs: CertSet, serve) -> None:
    ours = _chains(rustssl, certs, serve)
    theirs = _chains(stdlib_ssl, certs, serve)
    # _sslobj gives certificate objects (truststore calls public_bytes() on
    # them before 3.13); the public methods (3.13+) give DER bytes.
    for low_ours, low_theirs in zip(ours[:2], theirs[:2], strict=True):
        assert isinstance(low_ours, list) and isinstance(low_theirs, list)
        assert [c.public_bytes(rustssl_ext.ENCODING_DER) for c in low_ours] == [
            c.public_bytes(stdlib_ext.ENCODING_DER) for c in low_theirs
        ]
    assert ours[2:] == theirs[2:]
    if sys.version_info >= (3, 13):
        assert all(isinstance(der, bytes) for der in ours[2])
        assert ours[3] and all(isinstance(der, bytes) for der in ours[3])


def test_chains_before_the_handshake(certs: CertSet) -> None:
    # CPython returns None from _sslobj before there is a peer chain.
    def before(module, ext):
        ctx = client_context(module, certs)
        obj = ctx.wrap_bio(module.MemoryBIO(), module.MemoryBIO(), server_hostname="localhost")
        return obj._sslobj.get_verified_chain(), obj._sslobj.get_unverified_chain()

    assert before(rustssl, rustssl_ext) == before(stdlib_ssl, stdlib_ext)


# --- a host name that cannot be encoded leaves no socket open (3.13's test_ssl)


@pytest.mark.parametrize("hostname", [".pythontest.net", b"k\xf6nig.idn.pythontest.net"])
def test_bad_server_hostname_closes_the_socket(hostname: str | bytes) -> None:
    ctx = rustssl.SSLContext(rustssl.PROTOCOL_TLS_CLIENT)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sock = socket.socket()
        with pytest.raises(UnicodeError):
            ctx.wrap_socket(sock, server_hostname=hostname)
        sock.close()
        del sock
        gc.collect()
    assert [w for w in caught if issubclass(w.category, ResourceWarning)] == []
