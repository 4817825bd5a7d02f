"""Behaviour that differs between Python 3.11, 3.12 and 3.13 follows the running one.

Every test compares rustssl with the stdlib ``ssl`` of the interpreter that
runs it, so running this file under each supported Python checks each one.
"""

from __future__ import annotations

import _ssl as stdlib_ext
import ssl as stdlib_ssl
import sys
import warnings

import pytest

import rustssl
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
