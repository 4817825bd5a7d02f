"""The release wheel: one abi3 wheel that installs into a fresh venv, and whose
stubs match the built extension (``mypy.stubtest``).

``make test`` builds the release wheel once (manylinux2014, with zig) and
names it in ``RUSTSSL_WHEEL``; every interpreter's run tests that same file.
Without it (a developer's ``pytest`` in ``.venv``) the wheel is built here
with ``maturin build --release``, reusing what ``make build`` compiled, under
the same lock as ``make build``.  ``RUSTSSL_SDIST`` names the sdist that
``make test`` built; one interpreter's run installs it from source.
"""

from __future__ import annotations

import fcntl
import os
import re
import subprocess
import sys
import time
import venv
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ALLOWLIST = ROOT / "tests" / "stubtest-allowlist.txt"
BUILD_TIMEOUT = 1200.0
RUN_TIMEOUT = 120.0

pytest.importorskip("maturin")


def _clean_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("RUSTSSL_INJECT", "PYTHONPATH", "MYPYPATH", "VIRTUAL_ENV", "PYTHONHOME")
    }
    env.update(extra)
    return env


@contextmanager
def _build_lock() -> Iterator[None]:
    """The lock ``make build`` holds, so a build never races another on the same venv."""
    lock_path = Path(sys.prefix) / ".build-lock"
    if not lock_path.parent.is_dir() or not os.access(lock_path.parent, os.W_OK):
        yield
        return
    with open(lock_path, "a") as lock:
        deadline = time.monotonic() + BUILD_TIMEOUT
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    pytest.fail("timed out waiting for the build lock")
                time.sleep(0.5)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _run(cmd: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    kwargs.setdefault("timeout", RUN_TIMEOUT)
    kwargs.setdefault("env", _clean_env())
    return subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
        **kwargs,  # type: ignore[call-overload]
    )


def _show(proc: subprocess.CompletedProcess[str]) -> str:
    return (
        f"{proc.args}\nexit {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"
    )


#: Set by ``make test`` (scripts/test-python): the release wheel and the sdist.
RELEASE_WHEEL = os.environ.get("RUSTSSL_WHEEL")
RELEASE_SDIST = os.environ.get("RUSTSSL_SDIST")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if RELEASE_WHEEL:
        path = Path(RELEASE_WHEEL)
        assert path.is_file(), f"RUSTSSL_WHEEL={RELEASE_WHEEL} does not exist"
        return path
    out = tmp_path_factory.mktemp("wheels")
    with _build_lock():
        proc = _run(
            [
                sys.executable,
                "-m",
                "maturin",
                "build",
                "--release",
                "--quiet",
                "--out",
                str(out),
                "--interpreter",
                sys.executable,
            ],
            cwd=ROOT,
            timeout=BUILD_TIMEOUT,
            env=_clean_env(),
        )
    assert proc.returncode == 0, _show(proc)
    wheels = sorted(out.glob("*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def _new_venv(root: Path) -> Path:
    """A new venv at ``root`` with no pip of its own; returns its python."""
    venv.EnvBuilder(with_pip=False, symlinks=True).create(root)
    return root / "bin" / "python"


def _pip_install(python: Path, *args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    """This environment's pip installs into the venv of ``python``."""
    cmd = [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet"]
    return _run([*cmd, "--disable-pip-version-check", *args], **kwargs)


@pytest.fixture(scope="module")
def fresh_venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new venv (no pip of its own) with only the wheel installed; returns its python."""
    python = _new_venv(tmp_path_factory.mktemp("venv"))
    proc = _pip_install(python, "--no-index", "--no-deps", str(wheel))
    assert proc.returncode == 0, _show(proc)
    return python


def _site_packages(python: Path) -> str:
    proc = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['platlib'])"])
    assert proc.returncode == 0, _show(proc)
    return proc.stdout.strip()


def test_one_abi3_wheel(wheel: Path) -> None:
    # name-version-cp311-abi3-platform.whl: one wheel for CPython 3.11 and later.
    assert re.fullmatch(r"rustssl-[\w.]+-cp311-abi3-[\w.]+\.whl", wheel.name), wheel.name
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        meta = next(n for n in names if n.endswith(".dist-info/WHEEL"))
        wheel_meta = zf.read(meta).decode()
        metadata = zf.read(meta.replace("WHEEL", "METADATA")).decode()
    for name in (
        "rustssl/__init__.py",
        "rustssl/_ssl.abi3.so",
        "rustssl/_ssl.pyi",
        "rustssl/py.typed",
        "rustssl/_inject.py",
        "rustssl/_startup.py",
        "rustssl/_cli.py",
        "rustssl/__main__.py",
        "rustssl_inject.pth",
    ):
        assert name in names, sorted(names)
    assert "Root-Is-Purelib: false" in wheel_meta
    assert re.search(r"^Tag: cp311-abi3-", wheel_meta, re.M), wheel_meta
    assert "Requires-Python: >=3.11" in metadata


def test_installs_and_imports(fresh_venv: Path) -> None:
    site = _site_packages(fresh_venv)
    code = (
        "import sys, rustssl, rustssl._ssl as ext\n"
        "assert rustssl.__file__.startswith(sys.argv[1]), rustssl.__file__\n"
        "assert ext.__file__.endswith('_ssl.abi3.so'), ext.__file__\n"
        "import _ssl as std\n"
        "assert issubclass(rustssl.SSLError, std.SSLError) and sys.modules.get('ssl') is not rustssl\n"
        "bio = [rustssl.MemoryBIO() for _ in range(4)]\n"
        "ctx = rustssl.create_default_context()\n"
        "assert type(ctx) is rustssl.SSLContext and ctx.check_hostname\n"
        "print(rustssl.__version__, rustssl.OPENSSL_VERSION)\n"
    )
    proc = _run([str(fresh_venv), "-c", code, site], cwd=str(fresh_venv.parent))
    assert proc.returncode == 0, _show(proc)
    assert "rustls" in proc.stdout
    proc = _run([str(fresh_venv), "-m", "rustssl", "info"], cwd=str(fresh_venv.parent))
    assert proc.returncode == 0, _show(proc)
    assert f"start-up hook: {os.path.join(site, 'rustssl_inject.pth')}" in proc.stdout


def test_startup_hook(fresh_venv: Path) -> None:
    code = (
        "import sys\n"
        "early = 'rustssl' in sys.modules\n"
        "import ssl, _ssl, http.client\n"
        "print(early, getattr(ssl, '_IS_RUSTSSL', False), _ssl.__name__,"
        " http.client.ssl is ssl, type(ssl.create_default_context()).__module__)\n"
    )
    cwd = str(fresh_venv.parent)
    on = _run([str(fresh_venv), "-c", code], env=_clean_env(RUSTSSL_INJECT="1"), cwd=cwd)
    assert on.returncode == 0, _show(on)
    assert on.stdout.split() == ["True", "True", "rustssl._ssl", "True", "rustssl._context"]
    assert on.stderr == "", _show(on)
    # Not opted in: the hook costs one environment look-up and imports nothing.
    off = _run([str(fresh_venv), "-c", code], cwd=cwd)
    assert off.returncode == 0, _show(off)
    assert off.stdout.split() == ["False", "False", "_ssl", "True", "ssl"]
    # -E ignores the environment, as it does for PYTHON* variables.
    ignored = _run([str(fresh_venv), "-E", "-c", code], env=_clean_env(RUSTSSL_INJECT="1"), cwd=cwd)
    assert ignored.stdout.split()[1] == "False", _show(ignored)


def test_stubtest_against_built_module(fresh_venv: Path, tmp_path: Path) -> None:
    pytest.importorskip("mypy")
    site = _site_packages(fresh_venv)
    config = tmp_path / "mypy.ini"  # not the project's: only what stubtest needs
    config.write_text("[mypy]\n")
    # mypy runs from this environment; the module and its stub come from the
    # fresh venv's site-packages (PYTHONPATH and MYPYPATH), not the source tree.
    env = _clean_env(PYTHONPATH=site, MYPYPATH=site)
    proc = _run(
        [
            sys.executable,
            "-m",
            "mypy.stubtest",
            "rustssl._ssl",
            "--allowlist",
            str(ALLOWLIST),
            "--mypy-config-file",
            str(config),
        ],
        env=env,
        cwd=str(tmp_path),
        timeout=RUN_TIMEOUT,
    )
    assert proc.returncode == 0, _show(proc)
    # The check really ran on the installed copy.
    where = _run(
        [sys.executable, "-c", "import rustssl._ssl as m; print(m.__file__)"],
        env=env,
        cwd=str(tmp_path),
    )
    assert where.stdout.strip().startswith(site), _show(where)


@pytest.mark.skipif(not RELEASE_WHEEL, reason="only the release wheel of `make test` is manylinux")
def test_release_wheel_runs_on_glibc_2_17(wheel: Path) -> None:
    # manylinux2014 is manylinux_2_17: RHEL 7/8, Amazon Linux 2, Ubuntu 20.04.
    # `make wheel` also has `auditwheel show` check the symbols behind the tag.
    platform = wheel.name.removesuffix(".whl").split("-")[-1]
    tags = platform.split(".")
    assert "manylinux_2_17_x86_64" in tags, wheel.name
    assert not [t for t in tags if t.startswith("manylinux_2_") and t != "manylinux_2_17_x86_64"]
    # The extension needs no glibc symbol newer than 2.17.
    with zipfile.ZipFile(wheel) as zf:
        ext = zf.read("rustssl/_ssl.abi3.so")
    versions = {
        tuple(int(p) for p in m.split(b"."))
        for m in re.findall(rb"GLIBC_(\d+\.\d+(?:\.\d+)?)", ext)
    }
    assert versions and max(versions) <= (2, 17), sorted(versions)


@pytest.mark.skipif(not RELEASE_SDIST, reason="`make test` names the sdist in RUSTSSL_SDIST")
@pytest.mark.timeout(BUILD_TIMEOUT + RUN_TIMEOUT)
def test_sdist_builds_from_source_and_imports(tmp_path: Path) -> None:
    sdist = Path(RELEASE_SDIST or "")
    assert sdist.is_file() and sdist.name.endswith(".tar.gz"), sdist
    python = _new_venv(tmp_path / "venv")
    # pip builds the sdist in an isolated environment with maturin from the
    # index, as it would on a platform with no wheel; cargo shares the
    # project's target directory (when make gives one) only to skip
    # recompiling the dependencies.
    proc = _pip_install(python, str(sdist), timeout=BUILD_TIMEOUT, cwd=str(tmp_path))
    assert proc.returncode == 0, _show(proc)
    code = (
        "import rustssl, ssl, sys\n"
        "assert rustssl.__file__.startswith(sys.prefix), rustssl.__file__\n"
        "ctx = rustssl.create_default_context()\n"
        "assert ctx.verify_mode == rustssl.CERT_REQUIRED and issubclass(rustssl.SSLError, ssl.SSLError)\n"
        "print(rustssl.OPENSSL_VERSION)\n"
    )
    proc = _run([str(python), "-c", code], cwd=str(tmp_path))
    assert proc.returncode == 0, _show(proc)
    assert "rustls" in proc.stdout
