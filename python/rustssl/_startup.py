"""Injection at interpreter start-up, for programs that cannot be edited.

The wheel installs ``rustssl_inject.pth`` into site-packages. Its one line
imports this module only when the ``RUSTSSL_INJECT`` environment variable is
set to something other than ``""`` or ``"0"``, so an interpreter that has not
opted in pays for one ``os.environ`` look-up and nothing else. Python's ``-E``
and ``-I`` flags (ignore the environment) switch it off, as they do the
``PYTHON*`` variables.
"""

from __future__ import annotations

import os
import sys

#: The opt-in variable.
ENV_VAR = "RUSTSSL_INJECT"


def requested() -> bool:
    """Whether the environment asks for injection at start-up."""
    if sys.flags.ignore_environment:
        return False
    return os.environ.get(ENV_VAR, "") not in ("", "0")


def _inject_at_startup() -> None:
    if not requested():
        return
    try:
        from rustssl._inject import inject_into_ssl

        inject_into_ssl()
    except Exception as e:  # never stop the interpreter from starting
        print(
            f"rustssl: {ENV_VAR} is set but injection failed: {type(e).__name__}: {e}",
            file=sys.stderr,
        )


_inject_at_startup()
