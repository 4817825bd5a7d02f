"""The exception hierarchy of rustssl.

Each class subclasses the stdlib ``ssl`` class of the same name when the
stdlib module can be imported, so ``except ssl.SSLError`` in asyncio and in
third-party libraries catches rustssl's errors too. Those classes live in
the stdlib's ``_ssl`` extension, which is imported only for that; no TLS
work ever goes through it.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType

__all__ = [
    "CertificateError",
    "SSLCertVerificationError",
    "SSLEOFError",
    "SSLError",
    "SSLSyscallError",
    "SSLWantReadError",
    "SSLWantWriteError",
    "SSLZeroReturnError",
]


def _stdlib_ssl_extension() -> ModuleType | None:
    """The stdlib's ``_ssl`` extension, unless it is missing or already replaced by us.

    Its exception classes are the ones ``ssl`` re-exports (``ssl.SSLError is
    _ssl.SSLError``); importing the extension alone skips the ~20 ms that
    ``ssl.py`` spends building its enums.
    """
    module = sys.modules.get("_ssl")
    if module is None:
        try:
            module = importlib.import_module("_ssl")
        except ImportError:
            return None
    # Injection binds ``sys.modules["_ssl"]`` to our own ``rustssl._ssl``.
    if module.__name__.startswith("rustssl"):
        return None
    return module


_std = _stdlib_ssl_extension()


def _std_base(name: str) -> tuple[type, ...]:
    base = getattr(_std, name, None) if _std is not None else None
    return (base,) if isinstance(base, type) else ()


class SSLError(*_std_base("SSLError"), OSError):  # type: ignore[misc]
    """An error from the TLS layer. ``errno`` is an ``SSL_ERROR_*`` code."""

    library: str | None = None
    reason: str | None = None

    def __str__(self) -> str:
        # Like CPython: the message alone, without the "[Errno N]" prefix.
        if isinstance(self.strerror, str):
            return self.strerror
        return super().__str__()


class SSLZeroReturnError(SSLError, *_std_base("SSLZeroReturnError")):  # type: ignore[misc]
    """The TLS connection was closed cleanly with close_notify."""


class SSLWantReadError(SSLError, *_std_base("SSLWantReadError")):  # type: ignore[misc]
    """More data must be received before the operation can finish."""


class SSLWantWriteError(SSLError, *_std_base("SSLWantWriteError")):  # type: ignore[misc]
    """Data must be sent before the operation can finish."""


class SSLSyscallError(SSLError, *_std_base("SSLSyscallError")):  # type: ignore[misc]
    """A system-level error occurred below TLS."""


class SSLEOFError(SSLError, *_std_base("SSLEOFError")):  # type: ignore[misc]
    """The connection was closed without close_notify."""


class SSLCertVerificationError(
    SSLError,
    *(_std_base("SSLCertVerificationError") or (ValueError,)),  # type: ignore[misc]
):
    """Certificate verification failed; see ``verify_code`` and ``verify_message``."""

    verify_code: int | None = None
    verify_message: str | None = None


CertificateError = SSLCertVerificationError


class _PostHandshakeAuthUnsupported(SSLError, NotImplementedError):
    """Post-handshake authentication is not available: rustls lacks it.

    A NotImplementedError, as on an OpenSSL build without the feature, and
    also an SSLError, so that servers which answer TLS errors to their peer
    still answer this one instead of dying silently.
    """


for _cls in (
    SSLError,
    SSLZeroReturnError,
    SSLWantReadError,
    SSLWantWriteError,
    SSLSyscallError,
    SSLEOFError,
    SSLCertVerificationError,
):
    # Report the classes where CPython's live, so tracebacks and pickles read the same.
    _cls.__module__ = "ssl"
del _cls
