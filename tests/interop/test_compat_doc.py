"""``docs/compat.md`` covers the whole spec and tells the truth about what exists."""

from __future__ import annotations

import os
import re
import socket
import ssl as stdlib_ssl
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import rustssl

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "compat.md"
# shared/ sits beside the repository, in CI as on the developers' machines.
SPEC_NAMES = ROOT.parent / "shared" / "spec" / "api_names.txt"
STATUSES = {"same", "differs", "unsupported"}

ROW = re.compile(r"^\| `(ssl\.[^`]+)` \| (\w+) \|")
TOTALS = re.compile(
    r"^Totals: \*\*(\d+) same\*\*, \*\*(\d+) differs\*\*, \*\*(\d+) unsupported\*\*"
)

#: Names the doc marks as present whose module-level lookup is known to fail.
#: Strict xfail: once fixed, the test fails until the entry is removed here.
KNOWN_GAPS: dict[str, str] = {}


def doc_rows() -> list[tuple[str, str]]:
    return [
        (m.group(1), m.group(2))
        for m in map(ROW.match, DOC.read_text().splitlines())
        if m is not None
    ]


def spec_names() -> list[str]:
    if not SPEC_NAMES.exists():
        message = f"{SPEC_NAMES} is missing (shared/ must sit beside the repository)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return [line.strip() for line in SPEC_NAMES.read_text().splitlines() if line.strip()]


def lookup(name: str) -> Any:
    """``ssl.A.B`` looked up as ``rustssl.A.B``.

    An attribute that only instances carry (``SSLSocket.server_side``, as in
    the stdlib) is looked up on a fresh, unconnected instance.
    """
    *path, last = name.split(".")[1:]
    owner: Any = rustssl
    for part in path:
        owner = getattr(owner, part)
    try:
        return getattr(owner, last)
    except AttributeError:
        if owner is not rustssl.SSLSocket:
            raise
    ctx = rustssl.SSLContext(rustssl.PROTOCOL_TLS_CLIENT)
    with ctx.wrap_socket(socket.socket(), server_hostname="localhost") as sock:
        return getattr(sock, last)


def test_rows_are_unique_and_well_formed() -> None:
    rows = doc_rows()
    names = [name for name, _ in rows]
    assert len(names) == len(set(names)), [n for n, c in Counter(names).items() if c > 1]
    bad = [(name, status) for name, status in rows if status not in STATUSES]
    assert not bad, bad


def test_every_spec_name_has_a_row() -> None:
    documented = {name for name, _ in doc_rows()}
    spec = spec_names()
    missing = [name for name in spec if name not in documented]
    assert not missing, f"docs/compat.md lacks rows for {missing}"
    extra = sorted(documented - set(spec))
    assert not extra, f"docs/compat.md has rows for names not in the spec: {extra}"


def test_totals_match_the_tables() -> None:
    totals = [m for m in map(TOTALS.match, DOC.read_text().splitlines()) if m is not None]
    assert len(totals) == 1, "docs/compat.md needs exactly one 'Totals:' line"
    counts = Counter(status for _, status in doc_rows())
    stated = tuple(int(n) for n in totals[0].groups())
    assert stated == (counts["same"], counts["differs"], counts["unsupported"])


def _present_params() -> list[Any]:
    params = []
    for name, status in doc_rows():
        if status == "unsupported":
            continue
        gap = next((why for prefix, why in KNOWN_GAPS.items() if name.startswith(prefix)), None)
        marks = [pytest.mark.xfail(reason=gap, raises=AttributeError, strict=True)] if gap else []
        params.append(pytest.param(name, id=name, marks=marks))
    return params


def _in_running_stdlib(name: str) -> bool:
    """Whether this interpreter's stdlib ``ssl`` has ``name`` (on the class, for methods)."""
    owner: Any = stdlib_ssl
    for part in name.split(".")[1:]:
        if not hasattr(owner, part):
            return False
        owner = getattr(owner, part)
    return True


@pytest.mark.parametrize("name", _present_params())
def test_same_and_differs_names_exist(name: str) -> None:
    try:
        lookup(name)
    except AttributeError:
        # The spec is 3.13's; a name newer than the running Python is absent
        # from its stdlib too (SSLSocket.get_verified_chain before 3.13).
        if not _in_running_stdlib(name):
            pytest.skip("absent from this Python's stdlib ssl too")
        raise


def test_session_class_is_reachable_from_a_connection() -> None:
    # The public name is the class behind SSLSocket.session.
    assert rustssl.SSLSession is rustssl._ssl.SSLSession
    session_type = rustssl.SSLSession
    for attribute in ("id", "time", "timeout", "ticket_lifetime_hint", "has_ticket"):
        assert hasattr(session_type, attribute), attribute
