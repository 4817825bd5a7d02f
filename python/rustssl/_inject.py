"""Putting rustssl in place of the stdlib ``ssl`` module for a whole process.

:func:`inject_into_ssl` makes ``import ssl`` give :mod:`rustssl` and
``import _ssl`` give :mod:`rustssl._ssl`. Modules imported afterwards bind to
rustssl as they import. Modules imported *before* are fixed where that can be
done safely, and the rest are named in a :class:`RuntimeWarning`:

* a global that is the stdlib ``ssl`` (or ``_ssl``) module itself, whatever
  its name (``import ssl``, ``import ssl as _ssl``), is rebound to rustssl;
* a global that is a class, function or enum member taken from the stdlib
  module (``from ssl import SSLContext, create_default_context``) is rebound
  to rustssl's object of the same name;
* exception classes are left as they are: rustssl's exceptions subclass the
  stdlib's, so ``except`` clauses written against them still catch;
* what cannot be converted is reported: ``SSLContext``/``SSLSocket``/
  ``SSLObject`` instances made by the stdlib before injection (aiohttp makes
  its default contexts at import time, for example) and classes that subclass
  the stdlib's.

:func:`extract_from_ssl` undoes every rebinding and restores ``sys.modules``.
"""

from __future__ import annotations

import enum
import sys
import threading
import warnings
from types import ModuleType

# Annotations only: `typing` (and the `re` it pulls in) stays out of the import.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

#: Modules of the stdlib that keep their own reference to the ``ssl`` module.
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

_MISSING: Any = object()
_lock = threading.RLock()
#: ``sys.modules`` entries for ``ssl`` and ``_ssl`` before injection.
_saved: dict[str, Any] = {}
#: Module globals rebound by injection: (module, name, value before).
_rebound: list[tuple[ModuleType, str, Any]] = []
#: Names of the modules already imported when injection happened.
_imported_before: set[str] = set()


def is_injected() -> bool:
    """Whether ``import ssl`` currently gives rustssl."""
    return getattr(sys.modules.get("ssl"), "_IS_RUSTSSL", False)


def _is_own_module(name: str) -> bool:
    return name in ("ssl", "_ssl", "rustssl") or name.startswith("rustssl.")


def _stdlib_object_names(stdlib: ModuleType) -> dict[int, str]:
    """``id(obj) -> name`` for the classes, functions and enum members of ``stdlib``.

    Only objects that belong to ``ssl``/``_ssl`` are listed, so that shared
    objects (``socket.socket``, ``True``, small ints) are never rebound.
    """
    names: dict[int, str] = {}
    for name, value in vars(stdlib).items():
        owner: str | None
        if isinstance(value, enum.Enum):
            owner = type(value).__module__
        elif isinstance(value, type):
            if issubclass(value, BaseException):
                continue
            owner = value.__module__
        elif callable(value):
            owner = getattr(value, "__module__", None)
        else:
            continue
        if owner in ("ssl", "_ssl"):
            names.setdefault(id(value), name)
    return names


def _stdlib_types(stdlib: ModuleType) -> tuple[type, ...]:
    found = []
    for name in ("SSLContext", "SSLSocket", "SSLObject"):
        cls = getattr(stdlib, name, None)
        if isinstance(cls, type):
            found.append(cls)
    return tuple(found)


def _namespace(module: object) -> dict[str, Any] | None:
    """A module's globals; None for the odd objects some libraries put in sys.modules."""
    try:
        namespace = object.__getattribute__(module, "__dict__")
    except Exception:
        return None
    return namespace if isinstance(namespace, dict) else None


def _rebind_module(
    name: str,
    module: Any,
    stdlib: ModuleType,
    stdlib_ext: ModuleType | None,
    replacements: dict[int, str],
    instance_types: tuple[type, ...],
    stale: list[str],
) -> None:
    import rustssl
    from rustssl import _ssl

    namespace = _namespace(module)
    if namespace is None:
        return
    for attr, value in list(namespace.items()):
        if value is stdlib:
            new: Any = rustssl
        elif stdlib_ext is not None and value is stdlib_ext:
            new = _ssl
        elif id(value) in replacements:
            new = getattr(rustssl, replacements[id(value)], _MISSING)
            if new is _MISSING:
                stale.append(f"{name}.{attr} (no rustssl equivalent)")
                continue
            if new is value:
                continue
        elif instance_types and isinstance(value, instance_types):
            stale.append(f"{name}.{attr} ({type(value).__name__} made by the stdlib)")
            continue
        elif (
            instance_types
            and isinstance(value, type)
            and value not in instance_types
            and issubclass(value, instance_types)
            and getattr(value, "__module__", None) == name
        ):
            base = next(b for b in instance_types if issubclass(value, b))
            stale.append(f"{name}.{attr} (subclasses the stdlib's {base.__name__})")
            continue
        else:
            continue
        try:
            setattr(module, attr, new)
        except (AttributeError, TypeError):
            stale.append(f"{name}.{attr} (read-only)")
            continue
        _rebound.append((module, attr, value))


def inject_into_ssl() -> None:
    """Makes ``import ssl`` and ``import _ssl`` give rustssl from now on.

    Modules that imported the stdlib ``ssl`` earlier are rebound where that is
    safe; a :class:`RuntimeWarning` names every reference left pointing at
    the stdlib. Calling it again while injected does nothing.
    """
    import rustssl
    from rustssl import _ssl

    with _lock:
        if is_injected():
            return
        _saved["ssl"] = sys.modules.get("ssl", _MISSING)
        _saved["_ssl"] = sys.modules.get("_ssl", _MISSING)
        sys.modules["ssl"] = rustssl
        sys.modules["_ssl"] = _ssl
        stdlib = _saved["ssl"]
        if not isinstance(stdlib, ModuleType):
            return
        stdlib_ext = _saved["_ssl"] if isinstance(_saved["_ssl"], ModuleType) else None
        replacements = _stdlib_object_names(stdlib)
        instance_types = _stdlib_types(stdlib)
        stale: list[str] = []
        _imported_before.clear()
        _imported_before.update(sys.modules)
        for name, module in list(sys.modules.items()):
            if module is None or _is_own_module(name) or module is stdlib:
                continue
            _rebind_module(name, module, stdlib, stdlib_ext, replacements, instance_types, stale)
    if stale:
        warnings.warn(
            "rustssl.inject_into_ssl(): these were set up with the stdlib ssl module "
            "before injection and still use it: "
            + "; ".join(sorted(stale))
            + ". Call inject_into_ssl() before importing them, or start the program "
            "with `python -m rustssl run` or RUSTSSL_INJECT=1.",
            RuntimeWarning,
            stacklevel=2,
        )


def extract_from_ssl() -> None:
    """Restores the stdlib ``ssl`` and ``_ssl`` modules and undoes every rebinding.

    Modules imported while rustssl was injected are pointed back at the
    stdlib too, where they bound the ``ssl`` module or a class or function of
    it (a global named ``rustssl...`` is left alone). Calling it when not
    injected does nothing.
    """
    import rustssl
    from rustssl import _ssl

    with _lock:
        if not is_injected():
            return
        for name in ("ssl", "_ssl"):
            previous = _saved.pop(name, _MISSING)
            if previous is _MISSING:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = previous
        while _rebound:
            module, attr, value = _rebound.pop()
            try:
                setattr(module, attr, value)
            except (AttributeError, TypeError):
                pass
        stdlib = sys.modules.get("ssl")
        if not isinstance(stdlib, ModuleType):
            return
        stdlib_ext = sys.modules.get("_ssl")
        # Modules imported during injection: map rustssl's objects back by name.
        ours = _stdlib_object_names(stdlib)
        back: dict[int, Any] = {}
        for name in ours.values():
            value = getattr(rustssl, name, _MISSING)
            if value is _MISSING or value is getattr(stdlib, name):
                continue
            if isinstance(value, (type, enum.Enum)) or callable(value):
                back[id(value)] = getattr(stdlib, name)
        for name, module in list(sys.modules.items()):
            # Modules imported before injection were put back from the journal.
            if module is None or _is_own_module(name) or name in _imported_before:
                continue
            namespace = _namespace(module)
            if namespace is None:
                continue
            for attr, value in list(namespace.items()):
                if attr.startswith("rustssl"):  # ``import rustssl`` meant rustssl
                    continue
                if value is rustssl:
                    new: Any = stdlib
                elif value is _ssl and isinstance(stdlib_ext, ModuleType):
                    new = stdlib_ext
                elif id(value) in back:
                    new = back[id(value)]
                else:
                    continue
                try:
                    setattr(module, attr, new)
                except (AttributeError, TypeError):
                    pass


__all__ = ["_BINDS_SSL", "extract_from_ssl", "inject_into_ssl", "is_injected"]
