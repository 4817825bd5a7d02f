"""Runs CPython's own test suites with rustssl standing in for ``ssl``/``_ssl``.

Usage: python tests/conformance/run.py [--baseline] [--module NAME ...] [--jobs N]
                                       [--timeout SECONDS] [--json FILE] [--verbose]

Each test module runs in child processes (``_bootstrap.py``) that stream one
JSON line per test.  A test that runs past ``--timeout`` is reported as
``timeout`` and one that kills its process as ``crash``; the runner then
starts a new process for the tests that remain.  Outcomes are compared with
``expected_failures.toml``: a failure that is not listed there, or a listed
test that passes, makes the run fail.  See README.md beside this file.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import select
import signal
import subprocess
import sys
import tempfile
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
BOOTSTRAP = HERE / "_bootstrap.py"
EXPECTED_FILE = HERE / "expected_failures.toml"

#: The suites of issue 6, longest first so that two workers finish together.
MODULES = (
    "test_asyncio.test_events",
    "test_logging",
    "test_ssl",
    "test_asyncio.test_ssl",
    "test_ftplib",
    "test_smtplib",
    "test_httplib",
    "test_imaplib",
    "test_poplib",
    "test_urllib2_localnet",
    "test_asyncio.test_sslproto",
)

#: The interpreters rustssl supports; an entry's ``versions`` may name only these.
KNOWN_VERSIONS = ("3.11", "3.12", "3.13")
#: The running interpreter: its own CPython test suites are the ones run.
RUNNING_VERSION = f"{sys.version_info[0]}.{sys.version_info[1]}"

#: The only reasons a test may be expected to fail under rustssl.
CATEGORIES = ("tls-version", "absent-feature", "openssl-internal")
#: What rustls lacks, for the ``absent-feature`` category.
ABSENT_FEATURES = ("post-handshake auth", "external PSK", "NPN", "DHE")

PASSED, SKIPPED = "passed", "skipped"
NOT_PASSING = ("failed", "error", "timeout", "crash", "not run")
#: Exit status of _bootstrap.py when the ssl binding check fails.
EXIT_BINDING = 3
#: The most process starts for one module (each start follows a hang or crash).
MAX_STARTS = 40


@dataclass
class TestOutcome:
    id: str
    outcome: str
    detail: str = ""
    seconds: float = 0.0


@dataclass
class ModuleRun:
    module: str
    outcomes: dict[str, TestOutcome] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    fatal: str = ""
    seconds: float = 0.0

    def count(self, *outcomes: str) -> int:
        return sum(1 for o in self.outcomes.values() if o.outcome in outcomes)


def short_id(test_id: str) -> str:
    """``test.test_ssl.X.y`` -> ``test_ssl.X.y``, the key used in the TOML file."""
    return test_id.removeprefix("test.")


# --------------------------------------------------------------------------
# Running one module


def run_module(module: str, impl: str, timeout: float, log_dir: Path, verbose: bool) -> ModuleRun:
    run = ModuleRun(module)
    started_at = time.monotonic()
    log_path = log_dir / f"{module}.{impl}.log"
    with open(log_path, "w", encoding="utf-8", errors="replace") as log:
        for start in range(MAX_STARTS):
            finished = _run_once(run, impl, timeout, log, log_dir, start)
            if finished or run.fatal:
                break
        else:
            run.problems.append(f"gave up after {MAX_STARTS} process starts")
    for test_id in run.order:
        if test_id not in run.outcomes:
            run.outcomes[test_id] = TestOutcome(test_id, "not run", "no outcome was reported")
    run.seconds = time.monotonic() - started_at
    if verbose:
        print(f"  [{impl}] {module} finished in {run.seconds:.0f}s (log: {log_path})", flush=True)
    return run


def _run_once(run: ModuleRun, impl: str, timeout: float, log, log_dir: Path, start: int) -> bool:
    """Starts one child for the tests not yet reported; True when all are done."""
    exclude_path = log_dir / f"{run.module}.{impl}.exclude.json"
    exclude_path.write_text(json.dumps(sorted(run.outcomes)), encoding="utf-8")
    read_fd, write_fd = os.pipe()
    cmd = [
        sys.executable,
        str(BOOTSTRAP),
        "--impl",
        impl,
        "--events-fd",
        str(write_fd),
        "--exclude-file",
        str(exclude_path),
        "--timeout",
        str(timeout),
        run.module,
    ]
    log.write(f"=== start {start}: {' '.join(cmd)}\n")
    log.flush()
    env = dict(os.environ, PYTHONFAULTHANDLER="1", PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        cmd,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        pass_fds=(write_fd,),
        env=env,
        start_new_session=True,
    )
    os.close(write_fd)
    current: str | None = None
    current_since = time.monotonic()
    last_event = time.monotonic()
    done = False
    killed = False
    exited = False
    buffer = b""
    with os.fdopen(read_fd, "rb", buffering=0) as events:
        while True:
            ready, _, _ = select.select([events], [], [], 1.0)
            if ready:
                chunk = events.read(65536)
                if not chunk:
                    break
                buffer += chunk
                *lines, buffer = buffer.split(b"\n")
                for line in lines:
                    record = json.loads(line)
                    last_event = time.monotonic()
                    kind = record["event"]
                    if kind == "collected":
                        for test_id in record["ids"]:
                            if test_id not in run.outcomes and test_id not in run.order:
                                run.order.append(test_id)
                    elif kind == "start":
                        current, current_since = record["id"], time.monotonic()
                    elif kind == "end":
                        run.outcomes[record["id"]] = TestOutcome(
                            record["id"],
                            record["outcome"],
                            record.get("detail", ""),
                            time.monotonic() - current_since,
                        )
                        current = None
                    elif kind == "fixture":
                        _fixture_error(run, record["id"], record.get("detail", ""))
                    elif kind == "done":
                        done = True
            elif exited:
                break
            elif proc.poll() is not None:
                # Exited, but a grandchild may hold the pipe open: read what
                # is left, then stop.
                exited = True
            elif time.monotonic() - last_event > timeout:
                _kill(proc)
                killed = True
                break
    returncode = proc.wait()
    log.write(f"=== exit status {returncode}{' (killed after a hang)' if killed else ''}\n")
    log.flush()
    if returncode == EXIT_BINDING:
        run.fatal = "the ssl binding check failed (see the log)"
        return True
    if done and returncode == 0:
        return True
    # A hang or a crash: charge it to the test that was running, else to the
    # next one (the hang was in a fixture before it), so that the next start
    # moves on.
    culprit = current or next((t for t in run.order if t not in run.outcomes), None)
    if killed:
        outcome, detail = "timeout", f"no progress for {timeout:.0f}s; killed"
    else:
        outcome, detail = "crash", f"the process ended with status {returncode}"
        if returncode < 0:
            detail += f" ({signal.Signals(-returncode).name})"
    if culprit is None:
        if not run.order:
            run.fatal = f"no test collected: {detail}"
            return True
        run.problems.append(f"{outcome} after the last test: {detail}")
        return True
    if current is None:
        detail += " (outside any test: in a fixture)"
    run.outcomes[culprit] = TestOutcome(culprit, outcome, detail, time.monotonic() - current_since)
    return False


def _fixture_error(run: ModuleRun, description: str, detail: str) -> None:
    """A class or module fixture failed: the tests it covers did not run."""
    last_line = detail.strip().splitlines()[-1] if detail.strip() else ""
    run.problems.append(f"fixture error in {description}: {last_line}")
    # "setUpClass (test.test_x.Class)" -> tests of that class get the error.
    if "(" in description and description.endswith(")"):
        scope = description[description.index("(") + 1 : -1]
        for test_id in run.order:
            if test_id.startswith(scope + ".") and test_id not in run.outcomes:
                run.outcomes[test_id] = TestOutcome(
                    test_id, "error", f"{description} failed:\n{detail}"
                )


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


# --------------------------------------------------------------------------
# Expected failures


@dataclass
class Expectations:
    """The entries that apply to one interpreter version."""

    failures: dict[str, dict]
    environment: dict[str, str]
    #: Open bugs that fit none of the three categories: tolerated so CI can
    #: stay green, but reported as bugs on every run.
    known_bugs: dict[str, str]
    version: str = RUNNING_VERSION


def _check_versions(where: str, versions: object, errors: list[str]) -> tuple[str, ...] | None:
    """An entry's ``versions``: None (every version) or known version strings."""
    if versions is None:
        return None
    if (
        not isinstance(versions, list)
        or not versions
        or not all(isinstance(v, str) for v in versions)
    ):
        errors.append(f'{where}: versions must be a non-empty list of strings like "3.12"')
        return ()
    unknown = [v for v in versions if v not in KNOWN_VERSIONS]
    if unknown:
        errors.append(f"{where}: unknown versions {unknown} (known: {', '.join(KNOWN_VERSIONS)})")
    if len(set(versions)) != len(versions):
        errors.append(f"{where}: versions lists a version twice")
    return tuple(versions)


def _overlap(a: tuple[str, ...] | None, b: tuple[str, ...] | None) -> bool:
    if a is None or b is None:
        return True
    return bool(set(a) & set(b))


def load_expectations(path: Path = EXPECTED_FILE, version: str = RUNNING_VERSION) -> Expectations:
    """Validates the whole file (every version's entries), then keeps ``version``'s."""
    with open(path, "rb") as f:
        data = tomllib.load(f)
    environment = data.pop("environment", {})
    known_bugs = data.pop("known-bugs", {})
    errors: list[str] = []
    #: test id -> [(table, versions)], to refuse one test in two places at once.
    seen: dict[str, list[tuple[str, tuple[str, ...] | None]]] = {}
    reasons: dict[str, dict[str, str]] = {"environment": {}, "known-bugs": {}}

    for table, entries in (("environment", environment), ("known-bugs", known_bugs)):
        for test_id, value in entries.items():
            where = f"[{table}] {test_id}"
            versions: tuple[str, ...] | None = None
            if isinstance(value, dict):
                unknown = set(value) - {"reason", "versions"}
                if unknown:
                    errors.append(f"{where}: unknown keys {sorted(unknown)}")
                versions = _check_versions(where, value.get("versions"), errors)
                reason = value.get("reason")
            else:
                reason = value
            if not isinstance(reason, str) or not reason.strip():
                errors.append(f"{where}: the reason must be a non-empty string")
                continue
            seen.setdefault(test_id, []).append((table, versions))
            if versions is None or version in versions:
                reasons[table][test_id] = reason

    failures: dict[str, dict] = {}
    for test_id, entry in data.items():
        if not isinstance(entry, dict):
            errors.append(f"{test_id}: must be a table")
            continue
        category = entry.get("category")
        if category not in CATEGORIES:
            errors.append(f"{test_id}: category must be one of {', '.join(CATEGORIES)}")
        if not str(entry.get("reason", "")).strip():
            errors.append(f"{test_id}: a reason is required")
        if category == "absent-feature" and entry.get("feature") not in ABSENT_FEATURES:
            errors.append(f"{test_id}: feature must be one of {', '.join(ABSENT_FEATURES)}")
        unknown = set(entry) - {"category", "reason", "feature", "versions"}
        if unknown:
            errors.append(f"{test_id}: unknown keys {sorted(unknown)}")
        versions = _check_versions(test_id, entry.get("versions"), errors)
        seen.setdefault(test_id, []).append(("expected", versions))
        if versions is None or version in versions:
            failures[test_id] = entry

    for test_id, places in seen.items():
        for i, (table, versions) in enumerate(places):
            for other, other_versions in places[i + 1 :]:
                if _overlap(versions, other_versions):
                    errors.append(
                        f"{test_id}: listed both as {table} and as {other} for the same version"
                    )
    if errors:
        raise SystemExit(f"{path}:\n  " + "\n  ".join(errors))
    return Expectations(failures, reasons["environment"], reasons["known-bugs"], version)


# --------------------------------------------------------------------------
# Reporting


def closing_line(run: ModuleRun) -> str:
    passed = run.count(PASSED)
    failed = run.count(*NOT_PASSING)
    skipped = run.count(SKIPPED)
    return f"{run.module}: {passed} passed, {failed} failed, {skipped} skipped"


def hang_note(run: ModuleRun) -> str:
    """``1 timeout, 1 crash`` (counted as failed in the closing line), or ''."""
    parts = [f"{run.count(o)} {o}" for o in ("timeout", "crash", "not run") if run.count(o)]
    return ", ".join(parts)


def report(runs: list[ModuleRun], impl: str, expectations: Expectations, verbose: bool) -> int:
    unexpected_failures: list[TestOutcome] = []
    unexpected_passes: list[str] = []
    environment_failures: list[TestOutcome] = []
    known_bug_failures: list[TestOutcome] = []
    expected_seen: set[str] = set()
    fatal = []
    modules_run = {run.module for run in runs}

    for run in runs:
        if run.fatal:
            fatal.append(f"{run.module}: {run.fatal}")
        for test_id in run.order:
            result = run.outcomes[test_id]
            key = short_id(test_id)
            failing = result.outcome in NOT_PASSING
            if key in expectations.environment:
                if failing:
                    environment_failures.append(result)
                continue
            if impl == "stdlib":
                # The stdlib is the reference: only [environment] may fail.
                if failing:
                    unexpected_failures.append(result)
                continue
            if key in expectations.known_bugs and impl == "rustssl":
                expected_seen.add(key)
                if result.outcome == PASSED:
                    unexpected_passes.append(key)
                elif failing:
                    known_bug_failures.append(result)
                continue
            if key in expectations.failures:
                expected_seen.add(key)
                if result.outcome == PASSED:
                    unexpected_passes.append(key)
                elif not failing:
                    # Skipped: neither proves nor disproves the entry.
                    pass
            elif failing:
                unexpected_failures.append(result)

    stale = []
    if impl == "rustssl":
        for key in [*expectations.failures, *expectations.known_bugs]:
            module = _module_of(key)
            if module in modules_run and key not in expected_seen:
                stale.append(key)

    print()
    for run in runs:
        print(closing_line(run))
        if hang_note(run):
            print(f"    note: of the failures, {hang_note(run)}")
        for problem in run.problems:
            print(f"    note: {problem}")
    totals = ModuleRun("total")
    for run in runs:
        totals.outcomes.update(run.outcomes)
    print(closing_line(totals))

    if environment_failures:
        print(
            f"\nFailing here for environment reasons ([environment], ignored): "
            f"{len(environment_failures)}"
        )
        for result in environment_failures:
            print(f"  {short_id(result.id)}: {result.outcome}")
    if known_bug_failures:
        print(
            f"\nOpen bugs outside the three categories ([known-bugs], still to fix): "
            f"{len(known_bug_failures)}"
        )
        for result in known_bug_failures:
            print(f"  {short_id(result.id)}: {expectations.known_bugs[short_id(result.id)]}")
    if unexpected_failures:
        print(f"\nUnexpected failures ({impl}): {len(unexpected_failures)}")
        for result in unexpected_failures:
            print(f"  {short_id(result.id)}: {result.outcome}: {_essence(result.detail)}")
            if verbose and result.detail:
                print("    " + result.detail.strip().replace("\n", "\n    "))
    if unexpected_passes:
        print(
            f"\nUnexpected passes (remove them from {EXPECTED_FILE.name}): {len(unexpected_passes)}"
        )
        for key in unexpected_passes:
            print(f"  {key}")
    if stale:
        print(f"\nEntries in {EXPECTED_FILE.name} that match no test: {len(stale)}")
        for key in stale:
            print(f"  {key}")
    if fatal:
        print("\nFatal:")
        for line in fatal:
            print(f"  {line}")
    ok = not (unexpected_failures or unexpected_passes or stale or fatal)
    print(f"\nconformance ({impl}, Python {platform.python_version()}): {'OK' if ok else 'FAILED'}")
    return 0 if ok else 1


def _module_of(key: str) -> str:
    for module in MODULES:
        if key.startswith(module + "."):
            return module
    return key.split(".", 1)[0]


def _essence(detail: str) -> str:
    """The last line of a traceback, which usually names the exception."""
    lines = [line for line in detail.strip().splitlines() if line.strip()]
    return lines[-1].strip()[:200] if lines else ""


def write_json(path: Path, runs: list[ModuleRun], impl: str) -> None:
    data = {
        "impl": impl,
        "python": platform.python_version(),
        "executable": sys.executable,
        "test_suites": test_suite_dir(),
        "modules": {
            run.module: {
                "seconds": round(run.seconds, 1),
                "problems": run.problems,
                "fatal": run.fatal,
                "tests": {
                    short_id(t): {
                        "outcome": run.outcomes[t].outcome,
                        "detail": run.outcomes[t].detail,
                        "seconds": round(run.outcomes[t].seconds, 2),
                    }
                    for t in run.order
                },
            }
            for run in runs
        },
    }
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")


def test_suite_dir() -> str:
    """Where the running interpreter's own CPython test package lives."""
    spec = importlib.util.find_spec("test")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"conformance: {sys.executable} has no CPython test package")
    return str(next(iter(spec.submodule_search_locations)))


def interpreter_description() -> str:
    """``Python 3.12.1 (/path/bin/python), tests from /usr/lib/python3.12/test``."""
    return (
        f"Python {platform.python_version()} ({sys.executable}), "
        f"CPython tests from {test_suite_dir()}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", action="store_true", help="run against the stdlib ssl")
    parser.add_argument("--module", action="append", choices=MODULES, help="run only these")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per test")
    parser.add_argument("--json", type=Path, help="write every outcome to this file")
    parser.add_argument("--log-dir", type=Path, help="keep the test output here")
    parser.add_argument("--verbose", "-v", action="store_true")
    args = parser.parse_args(argv)

    impl = "stdlib" if args.baseline else "rustssl"
    expectations = load_expectations()
    modules = args.module or list(MODULES)
    log_dir = args.log_dir or Path(tempfile.mkdtemp(prefix="rustssl-conformance-logs-"))
    log_dir.mkdir(parents=True, exist_ok=True)
    print(
        f"conformance: {len(modules)} modules against {impl}, {args.jobs} jobs, "
        f"{args.timeout:.0f}s per test; logs in {log_dir}\n"
        f"conformance: {interpreter_description()}; "
        f"expected failures for {expectations.version}",
        flush=True,
    )
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [
            pool.submit(run_module, m, impl, args.timeout, log_dir, args.verbose) for m in modules
        ]
        runs = [f.result() for f in futures]
    runs.sort(key=lambda r: modules.index(r.module))
    if args.json:
        write_json(args.json, runs, impl)
    status = report(runs, impl, expectations, args.verbose)
    print(f"conformance: {time.monotonic() - started:.0f}s in all")
    return status


if __name__ == "__main__":
    sys.exit(main())
