"""Putting rustssl in place of the stdlib ``ssl`` module for a whole process."""

from __future__ import annotations

import sys
import warnings
from types import ModuleType

_saved: dict[str, ModuleType | None] = {}

#: Modules that keep their own reference to the ``ssl`` module they imported.
_BINDS_SSL = (
    "asyncio.sslproto",
    "asyncio.selector_events",
    "asyncio.base_events",
    "http.client",
    "urllib.request",
    "ftplib",
    "poplib",
    "imaplib",
    "smtplib",
)


def is_injected() -> bool:
    """Whether ``import ssl`` currently gives rustssl."""
    return getattr(sys.modules.get("ssl"), "_IS_RUSTSSL", False)


def inject_into_ssl() -> None:
    """Makes ``import ssl`` and ``import _ssl`` give rustssl from now on.

    Modules that imported the stdlib ``ssl`` earlier and keep a reference to it
    are rebound where their attribute is the module itself; a warning names
    any that are left pointing at the stdlib.
    """
    import rustssl
    from rustssl import _ssl

    if is_injected():
        return
    _saved["ssl"] = sys.modules.get("ssl")
    _saved["_ssl"] = sys.modules.get("_ssl")
    stdlib = _saved["ssl"]
    sys.modules["ssl"] = rustssl
    sys.modules["_ssl"] = _ssl
    if stdlib is None:
        return
    stale = []
    for name, module in list(sys.modules.items()):
        if module is None or module is rustssl or name in ("ssl", "_ssl"):
            continue
        if getattr(module, "ssl", None) is stdlib:
            try:
                module.ssl = rustssl  # type: ignore[attr-defined]
            except (AttributeError, TypeError):
                stale.append(name)
    if stale:
        warnings.warn(
            "rustssl: these modules still use the stdlib ssl module: " + ", ".join(sorted(stale)),
            RuntimeWarning,
            stacklevel=2,
        )


def extract_from_ssl() -> None:
    """Restores the stdlib ``ssl`` and ``_ssl`` modules."""
    import rustssl

    if not is_injected():
        return
    for name in ("ssl", "_ssl"):
        previous = _saved.pop(name, None)
        if previous is None:
            sys.modules.pop(name, None)
        else:
            sys.modules[name] = previous
    stdlib = sys.modules.get("ssl")
    if stdlib is None:
        return
    for module in list(sys.modules.values()):
        if module is not None and getattr(module, "ssl", None) is rustssl:
            try:
                module.ssl = stdlib  # type: ignore[attr-defined]
            except (AttributeError, TypeError):
                pass


__all__ = ["_BINDS_SSL", "extract_from_ssl", "inject_into_ssl", "is_injected"]
