"""inject_into_ssl / extract_from_ssl, ``python -m rustssl run`` and the start-up switch.

Every check runs in a fresh interpreter, so nothing leaks into this process.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from .eco_support import child_env, describe, run_python


def run_code(code: str, **env: str) -> str:
    proc = run_python("-c", textwrap.dedent(code), env=child_env(**env))
    assert proc.returncode == 0, describe(proc)
    return proc.stdout


def test_inject_after_imports_rebinds_and_names_what_it_cannot() -> None:
    out = run_code(
        """
        import sys, warnings
        import http.client, urllib.request
        import urllib3.util.ssl_
        import aiohttp
        from ssl import SSLContext as EarlyContext, create_default_context as early_factory
        keep = [sys.modules["ssl"], sys.modules["_ssl"]]  # lists are never rebound
        import rustssl

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            rustssl.inject_into_ssl()
            rustssl.inject_into_ssl()  # a second call does nothing
        assert len(caught) == 1, caught
        message = str(caught[0].message)
        assert caught[0].category is RuntimeWarning
        assert "aiohttp.connector._SSL_CONTEXT_VERIFIED" in message, message
        assert "http.client" not in message, message

        import ssl, _ssl
        assert ssl is rustssl and _ssl is rustssl._ssl and rustssl.is_injected()
        assert http.client.ssl is rustssl and urllib.request.ssl is rustssl
        assert urllib3.util.ssl_.ssl is rustssl
        assert urllib3.util.ssl_.SSLContext is rustssl.SSLContext
        assert EarlyContext is rustssl.SSLContext and early_factory is rustssl.create_default_context
        # Exception classes stay: rustssl's subclass them, so except clauses still catch.
        assert issubclass(rustssl.SSLError, urllib3.util.ssl_.ssl.SSLError)
        import smtplib  # imported while injected
        assert smtplib.ssl is rustssl

        rustssl.extract_from_ssl()
        rustssl.extract_from_ssl()  # a second call does nothing
        import ssl as again, _ssl as again_ext
        assert again is keep[0] and again_ext is keep[1] and not rustssl.is_injected()
        assert http.client.ssl is keep[0] and smtplib.ssl is keep[0]
        assert urllib3.util.ssl_.SSLContext is keep[0].SSLContext
        assert EarlyContext is keep[0].SSLContext
        assert type(again.create_default_context()) is keep[0].SSLContext
        print("ok")
        """
    )
    assert out.strip() == "ok"


def test_inject_first_gives_rustssl_everywhere_without_warning() -> None:
    out = run_code(
        """
        import warnings
        warnings.simplefilter("error")
        import rustssl
        rustssl.inject_into_ssl()
        import asyncio, http.client, smtplib, imaplib, poplib, ftplib, urllib.request, ssl
        for m in (http.client, smtplib, imaplib, poplib, ftplib, urllib.request):
            assert m.ssl is rustssl, m
        import asyncio.sslproto
        assert asyncio.sslproto.ssl is rustssl
        assert type(ssl.create_default_context()) is ssl.SSLContext
        print("ok")
        """
    )
    assert out.strip() == "ok"


SCRIPT = """
import json, os, ssl, sys
import rustssl
print(json.dumps({
    "injected": ssl is rustssl and rustssl.is_injected(),
    "name": __name__,
    "argv": sys.argv,
    "path0": sys.path[0],
    "main_file": getattr(sys.modules["__main__"], "__file__", None),
}))
sys.exit(int(os.environ.get("EXIT_WITH", "0")))
"""


def test_run_script(tmp_path: Path) -> None:
    script = tmp_path / "prog.py"
    script.write_text(SCRIPT)
    proc = run_python(
        "-m", "rustssl", "run", str(script), "a", "--flag", env=child_env(EXIT_WITH="3")
    )
    assert proc.returncode == 3, describe(proc)
    seen = json.loads(proc.stdout)
    assert seen["injected"] is True
    assert seen["name"] == "__main__"
    assert seen["argv"] == [str(script), "a", "--flag"]
    assert seen["path0"] == str(tmp_path)


def test_run_module(tmp_path: Path) -> None:
    (tmp_path / "eco_prog.py").write_text(SCRIPT)
    proc = run_python("-m", "rustssl", "run", "-m", "eco_prog", "x", cwd=str(tmp_path))
    assert proc.returncode == 0, describe(proc)
    seen = json.loads(proc.stdout)
    assert seen["injected"] is True
    assert seen["name"] == "__main__"
    assert seen["argv"][1:] == ["x"]
    assert seen["argv"][0].endswith("eco_prog.py")


def test_run_usage_errors(tmp_path: Path) -> None:
    proc = run_python("-m", "rustssl", "run", str(tmp_path / "missing.py"))
    assert proc.returncode == 2 and "can't open file" in proc.stderr, describe(proc)
    proc = run_python("-m", "rustssl", "run", "-m")
    assert proc.returncode == 2 and "usage" in proc.stderr, describe(proc)


def test_startup_switch() -> None:
    # What rustssl_inject.pth runs; the .pth itself is tested on an installed wheel.
    code = "import rustssl._startup, ssl; print(getattr(ssl, '_IS_RUSTSSL', False))"
    assert run_code(code, RUSTSSL_INJECT="1").strip() == "True"
    assert run_code(code, RUSTSSL_INJECT="0").strip() == "False"
    assert run_code(code, RUSTSSL_INJECT="").strip() == "False"
    proc = run_python("-E", "-c", code, env=child_env(RUSTSSL_INJECT="1"))
    assert proc.stdout.strip() == "False", describe(proc)
