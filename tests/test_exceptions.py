"""The exception hierarchy matches the stdlib's and plugs into it."""

from __future__ import annotations

import ssl as stdlib_ssl

import pytest

import rustssl
from rustssl import _ssl

NAMES = [
    "SSLError",
    "SSLZeroReturnError",
    "SSLWantReadError",
    "SSLWantWriteError",
    "SSLSyscallError",
    "SSLEOFError",
    "SSLCertVerificationError",
]


@pytest.mark.parametrize("name", NAMES)
def test_each_class_subclasses_the_stdlib_class(name: str) -> None:
    ours = getattr(rustssl, name)
    assert issubclass(ours, getattr(stdlib_ssl, name))
    assert issubclass(ours, rustssl.SSLError)
    assert issubclass(ours, OSError)
    assert getattr(_ssl, name) is ours


def test_certificate_error_is_the_verification_error() -> None:
    assert rustssl.CertificateError is rustssl.SSLCertVerificationError
    assert issubclass(rustssl.CertificateError, ValueError)


def test_str_is_the_message_without_errno() -> None:
    e = rustssl.SSLError(1, "[SSL: NO_SHARED_CIPHER] no shared cipher")
    assert str(e) == "[SSL: NO_SHARED_CIPHER] no shared cipher"
    assert e.errno == 1
