"""``python -m rustssl``: demo, info, serve and connect, as a user runs them."""

from __future__ import annotations

import queue
import re
import socket
import ssl as stdlib_ssl
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from rustssl import _ssl

from .eco_support import CHILD_TIMEOUT, child_env, describe, run_python

TIMEOUT = 10.0


def test_demo() -> None:
    proc = run_python("-m", "rustssl", "demo")
    assert proc.returncode == 0, describe(proc)
    for label in ("version:       TLSv1.3", "ALPN:          h2", "throughput:"):
        assert label in proc.stdout, describe(proc)


def test_info() -> None:
    proc = run_python("-m", "rustssl", "info")
    assert proc.returncode == 0, describe(proc)
    out = proc.stdout
    for needle in (
        "TLS library:    OpenSSL 3.0.0 compatible",
        "trust store:",
        "TLSv1.3  TLS_AES_256_GCM_SHA384",
        "key-exchange groups on offer:",
        "x25519",
        "active:       no",
    ):
        assert needle in out, describe(proc)


def test_info_under_run_reports_injection() -> None:
    proc = run_python("-m", "rustssl", "run", "-m", "rustssl", "info")
    assert proc.returncode == 0, describe(proc)
    assert "active:       yes" in proc.stdout, describe(proc)


@contextmanager
def serving(tmp_path: Path, *args: str) -> Iterator[tuple[int, str]]:
    """Runs ``serve`` (bounded by --count and a kill at the end); yields (port, cafile)."""
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "rustssl",
            "serve",
            "--port",
            "0",
            "--certdir",
            str(tmp_path),
            *args,
        ],
        env=child_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(
        target=lambda: [lines.put(line) for line in server.stdout],  # type: ignore[union-attr]
        daemon=True,
    )
    reader.start()
    try:
        first = lines.get(timeout=CHILD_TIMEOUT)
        match = re.search(r"listening on 127\.0\.0\.1:(\d+)", first)
        assert match, first
        yield int(match.group(1)), str(tmp_path / "ca.pem")
        server.wait(timeout=CHILD_TIMEOUT)
        assert server.returncode == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(timeout=CHILD_TIMEOUT)
        reader.join(TIMEOUT)
        server.stderr.close()  # type: ignore[union-attr]


def test_serve_https_and_connect(tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    with serving(tmp_path / "srv", "--mode", "https", "--count", "4") as (port, cafile):
        # 1: connect, trusting the server's CA.
        proc = run_python(
            "-m",
            "rustssl",
            "connect",
            f"127.0.0.1:{port}",
            "--cafile",
            cafile,
            "--sni",
            "localhost",
            "--alpn",
            "h2,http/1.1",
        )
        assert proc.returncode == 0, describe(proc)
        out = proc.stdout
        for needle in (
            "version:        TLSv1.3",
            "cipher:         TLS_",
            "ALPN:           http/1.1",
            "0 subject:  commonName=localhost",
            "issuer:   commonName=rustssl test CA",
            "valid:    ",
            "verification:   ok: 0 (ok)",
            "handshake:      ",
        ):
            assert needle in out, describe(proc)
        assert re.search(r"group:\s+\S+", out), describe(proc)
        # 2: the stdlib (OpenSSL) as an HTTPS client of the rustssl server.
        ctx = stdlib_ssl.create_default_context(cafile=cafile)
        with urllib.request.urlopen(
            f"https://localhost:{port}/hi", context=ctx, timeout=TIMEOUT
        ) as response:
            body = response.read().decode()
        assert "path:    /hi" in body and "version: TLSv1.3" in body, body
        # 3: a CA the server's certificate does not chain to.
        (other / "ca.pem").write_text(_ssl._generate_certificates(["x"], "ecdsa-p256")[0][0])
        proc = run_python(
            "-m",
            "rustssl",
            "connect",
            f"localhost:{port}",
            "--cafile",
            str(other / "ca.pem"),
        )
        assert proc.returncode == 1, describe(proc)
        assert "verification:   FAILED: 20 (unable to get local issuer certificate)" in (
            proc.stdout
        ), describe(proc)
        # The chain is still shown, from a second, unverified handshake.
        assert "0 subject:  commonName=localhost" in proc.stdout, describe(proc)


def test_serve_echo(tmp_path: Path) -> None:
    with serving(tmp_path, "--count", "1") as (port, cafile):
        ctx = stdlib_ssl.create_default_context(cafile=cafile)
        with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost") as tls:
                tls.sendall(b"ping over rustssl")
                assert tls.recv(1024) == b"ping over rustssl"


def test_connect_refused_is_reported() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once closed
    proc = run_python("-m", "rustssl", "connect", f"127.0.0.1:{port}", "--timeout", "5")
    assert proc.returncode == 1, describe(proc)
    assert "rustssl connect: 127.0.0.1" in proc.stderr, describe(proc)


@pytest.mark.parametrize("bad", ["", ":443", "[::1", "host:port", "[::1]x"])
def test_connect_bad_target(bad: str) -> None:
    proc = run_python("-m", "rustssl", "connect", bad)
    assert proc.returncode == 2, describe(proc)
