"""The ecosystem matrix (issue 16): widely used packages over rustssl, against real peers.

Each case runs in a fresh interpreter with rustssl injected before the
package is imported (``matrix_scenarios.py``; gevent and eventlet, which must
patch first, in ``green_scenarios.py``). Database and broker drivers talk to
real servers that ``tests/ecosystem/servers/setup.sh`` installs and
``conftest.py`` starts once per session. A case whose package or server is
missing is skipped with the reason; ``docs/ecosystem.md`` lists them all.

Cases with a known bug hit one of issue 16's rustssl bugs. Their xfail is
strict, so they fail loudly once the fix lands and the mark must go, and
narrow: only a failure that shows that bug's symptom counts as expected.
"""

from __future__ import annotations

import importlib.util
import json
import re

import pytest

from .eco_support import HERE, describe, run_python

#: Bound on one case's interpreter: each wait inside is bounded far below it.
CASE_TIMEOUT = 60.0


class KnownBug(Exception):
    """A case failed exactly the way its issue-16 bug makes it fail."""


#: bug -> (what it is, a regex for how it shows in the case's output, whether
#: it shows on this interpreter). Issue 16's five bugs were found through
#: this matrix and are fixed; a case that hits a newly found bug names it
#: here and in its CASES row, so that its xfail stays strict and narrow.
BUGS: dict[str, tuple[str, str, bool]] = {}


def applies(bug: str | None) -> bool:
    return bug is not None and BUGS[bug][2]


def known(bug: str) -> pytest.MarkDecorator:
    # strict: an XPASS (the fix landed) fails, so the mark gets removed;
    # raises: any other failure is a real one, not an expected one.
    return pytest.mark.xfail(strict=True, raises=KnownBug, reason=f"issue 16: {BUGS[bug][0]}")


# (case, script, the modules it needs, the real server it needs or None, known bug or None)
CASES: list[tuple[str, str, tuple[str, ...], str | None, str | None]] = [
    # ASGI/WSGI/HTTP servers
    ("uvicorn_default", "matrix", ("uvicorn", "uvloop", "httpx"), None, None),
    ("uvicorn_ciphers", "matrix", ("uvicorn", "uvloop", "httpx"), None, None),
    ("uvicorn_ciphers_tlsv1", "matrix", ("uvicorn", "httpx"), None, None),
    ("hypercorn_h2", "matrix", ("hypercorn", "httpx", "h2"), None, None),
    ("tornado_both", "matrix", ("tornado",), None, None),
    ("gunicorn_certfile", "matrix", ("gunicorn", "requests"), None, None),
    # Event loops and concurrency
    ("uvloop_tls", "matrix", ("uvloop",), None, None),
    ("trio_sslstream", "matrix", ("trio",), None, None),
    ("gevent_patch_all", "green", ("gevent",), None, None),
    ("eventlet_green", "green", ("eventlet",), None, None),
    # Clients
    ("requests_fresh_sessions", "matrix", ("requests",), None, None),
    ("websockets_asyncio", "matrix", ("websockets",), None, None),
    ("websockets_sync", "matrix", ("websockets",), None, None),
    ("websockets_sync_coalesced", "matrix", ("websockets",), None, None),
    ("websockets_sync_close", "matrix", ("websockets",), None, None),
    ("pip_download", "matrix", ("pip",), None, None),
    ("pip_download_legacy_certs", "matrix", ("pip",), None, None),
    ("truststore_context", "matrix", ("truststore",), None, None),
    ("truststore_inject", "matrix", ("truststore", "requests"), None, None),
    # Database and broker drivers against their real servers
    ("asyncpg_postgres", "matrix", ("asyncpg",), "postgres", None),
    ("redis_tls", "matrix", ("redis",), "redis", None),
    ("paho_mosquitto", "matrix", ("paho.mqtt",), "mosquitto", None),
    ("pymysql_mariadb", "matrix", ("pymysql",), "mariadb", None),
    ("ldap3_slapd", "matrix", ("ldap3",), "slapd", None),
    ("ftplib_vsftpd_tls12", "matrix", (), "vsftpd", None),
    ("ftplib_vsftpd_tls13_two", "matrix", (), "vsftpd", None),
    ("ftplib_vsftpd_tls13_many", "matrix", (), "vsftpd", None),
]


@pytest.mark.parametrize(
    ("name", "script", "modules", "server", "bug"),
    [
        pytest.param(n, s, m, srv, bug, id=n, marks=[known(bug)] if bug and applies(bug) else [])
        for n, s, m, srv, bug in CASES
    ],
)
def test_matrix(
    name: str,
    script: str,
    modules: tuple[str, ...],
    server: str | None,
    bug: str | None,
    request: pytest.FixtureRequest,
    eco_certs: str,
) -> None:
    for module in modules:
        try:
            found = importlib.util.find_spec(module) is not None
        except ModuleNotFoundError:  # its parent package is missing
            found = False
        if not found:
            pytest.skip(f"{module} is not installed (requirements-dev.txt installs it)")
    certdir, peer = eco_certs, {}
    if server is not None:
        certdir = request.getfixturevalue("server_certdir")
        peer = request.getfixturevalue(f"{server}_server").as_json()
    child = HERE / f"{script}_scenarios.py"
    proc = run_python(str(child), name, certdir, json.dumps(peer), timeout=CASE_TIMEOUT)
    if proc.returncode != 0 and bug and applies(bug) and re.search(BUGS[bug][1], describe(proc)):
        raise KnownBug(describe(proc))
    assert proc.returncode == 0, describe(proc)
    assert f"PASS {name}" in proc.stdout, describe(proc)
