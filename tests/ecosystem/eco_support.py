"""Helpers shared by the ecosystem tests: fresh interpreters, bounded."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: Bound on one child interpreter's run.
CHILD_TIMEOUT = 90.0


def child_env(**extra: str) -> dict[str, str]:
    """The environment for a child: this one, without variables that would change it."""
    env = {k: v for k, v in os.environ.items() if k not in ("RUSTSSL_INJECT", "SSLKEYLOGFILE")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra)
    return env


def run_python(
    *args: str, env: dict[str, str] | None = None, timeout: float = CHILD_TIMEOUT, **kwargs: object
) -> subprocess.CompletedProcess[str]:
    """Runs ``python ARGS`` in a fresh interpreter and returns what it did."""
    return subprocess.run(
        [sys.executable, *args],
        env=env if env is not None else child_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
        **kwargs,  # type: ignore[arg-type]
    )


def describe(proc: subprocess.CompletedProcess[str]) -> str:
    return f"exit {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"
