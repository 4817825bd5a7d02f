"""requests, urllib3, httpx, aiohttp, asyncio, smtplib, urllib and truststore over rustssl.

Each scenario runs in its own interpreter with rustssl injected before the
library is imported, against a local TLS server that also runs on rustssl;
see ``scenarios.py`` for what each one checks.
"""

from __future__ import annotations

import pytest

from .eco_support import HERE, describe, run_python

SCENARIOS = [
    "identity",
    "requests_verify",
    "requests_mtls",
    "urllib3_pool",
    "httpx_sync",
    "httpx_async",
    "anyio_tls",
    "aiohttp_both",
    "asyncio_start_tls",
    "smtplib_starttls",
    "urllib_custom_ca",
    "truststore_chain",
]


@pytest.mark.parametrize("name", SCENARIOS)
def test_library_over_rustssl(name: str, eco_certs: str) -> None:
    proc = run_python(str(HERE / "scenarios.py"), name, eco_certs)
    assert proc.returncode == 0, describe(proc)
    assert f"PASS {name}" in proc.stdout, describe(proc)
