"""Child side of the conformance runner: runs one CPython test module.

Started by ``run.py`` as ``python _bootstrap.py --impl rustssl|stdlib MODULE``.
With ``--impl rustssl`` it puts rustssl in ``sys.modules['ssl']`` and
``rustssl._ssl`` in ``sys.modules['_ssl']`` before any test code is imported,
then checks that the stdlib modules that keep a reference to ``ssl`` really
got rustssl.  It then sets the process up the way regrtest does (its own
``setup_process``, no resources enabled, regrtest's timeouts) and runs the
module's tests with a unittest result that writes one JSON line per event to
the file descriptor named by ``--events-fd``.  The parent kills this process
on a hang and starts a new one that leaves out the tests already reported
(``--exclude-file``).

Events, one JSON object a line:
    {"event": "collected", "ids": [...]}      the tests to run, in order
    {"event": "start", "id": ...}
    {"event": "end", "id": ..., "outcome": ..., "detail": ...}
    {"event": "fixture", "id": ..., "detail": ...}  setUpClass & co. failed
    {"event": "done"}
"""

from __future__ import annotations

import argparse
import faulthandler
import importlib
import json
import os
import sys
import tempfile
import time
import traceback
import unittest

#: Exit status that tells the parent the ssl binding check failed.
EXIT_BINDING = 3
#: Longest traceback text sent back for one test.
DETAIL_LIMIT = 6000

#: Modules that hold their own reference to the ``ssl`` module.
BOUND_MODULES = (
    "http.client",
    "asyncio.sslproto",
    "asyncio.selector_events",
    "urllib.request",
    "ftplib",
    "poplib",
    "imaplib",
    "smtplib",
)


def install_ssl(impl: str) -> object:
    """Binds ``ssl``/``_ssl`` to the implementation under test; returns it."""
    if impl == "rustssl":
        # rustssl imports the stdlib ssl once (its exception base classes), so
        # it must come first; only then can the names be taken over.
        import rustssl
        from rustssl import _ssl as rust_ssl_ext

        sys.modules["ssl"] = rustssl
        sys.modules["_ssl"] = rust_ssl_ext
        expected: object = rustssl
    else:
        import ssl

        expected = ssl
    wrong = []
    for name in BOUND_MODULES:
        module = importlib.import_module(name)
        bound = getattr(module, "ssl", None)
        if bound is not expected:
            wrong.append(f"{name}.ssl is {bound!r}")
    if sys.modules.get("ssl") is not expected:
        wrong.append(f"sys.modules['ssl'] is {sys.modules.get('ssl')!r}")
    if impl == "rustssl":
        import _ssl

        if _ssl is not sys.modules["_ssl"] or not _ssl.__name__.startswith("rustssl"):
            wrong.append(f"import _ssl gives {_ssl!r}")
    if wrong:
        print(f"conformance: ssl binding check failed for {impl}:", file=sys.stderr)
        for line in wrong:
            print(f"  {line}", file=sys.stderr)
        sys.exit(EXIT_BINDING)
    return expected


def setup_like_regrtest(timeout: float) -> None:
    """The parts of regrtest's per-process setup that tests depend on."""
    from test import support
    from test.libregrtest.setup import setup_process

    setup_process()
    support.verbose = 0
    support.failfast = False
    support.PGO = False
    support.PGO_EXTENDED = False
    support.junit_xml_list = None
    # regrtest's default: no -u option, so no resource (network, cpu, ...).
    support.use_resources = ()
    # regrtest --timeout raises the loopback/short/long timeouts this way.
    support.LOOPBACK_TIMEOUT = min(max(support.LOOPBACK_TIMEOUT, timeout / 120), timeout)
    support.INTERNET_TIMEOUT = min(support.INTERNET_TIMEOUT, timeout)
    support.SHORT_TIMEOUT = min(max(support.SHORT_TIMEOUT, timeout / 40), timeout)
    support.LONG_TIMEOUT = min(max(support.LONG_TIMEOUT, timeout / 4), timeout)


class StreamingResult(unittest.TestResult):
    """Reports each test's outcome as a JSON line as soon as it is known."""

    def __init__(self, emit, timeout: float) -> None:
        super().__init__()
        self._emit = emit
        self._timeout = timeout
        self._outcome: str | None = None
        self._detail = ""
        self._subtest_failures: list[str] = []

    def _text(self, err, test) -> str:
        return self._exc_info_to_string(err, test)[-DETAIL_LIMIT:]

    def startTest(self, test) -> None:
        super().startTest(test)
        self._outcome = None
        self._detail = ""
        self._subtest_failures = []
        self._emit({"event": "start", "id": test.id()})
        # A traceback of every thread shortly before the parent gives up.
        faulthandler.dump_traceback_later(max(self._timeout - 2, 1), exit=False)

    def _set(self, outcome: str, detail: str = "") -> None:
        # The first hard failure wins; teardown errors after a failure keep it.
        if self._outcome in ("failed", "error"):
            if detail:
                self._detail = (self._detail + "\n" + detail)[-DETAIL_LIMIT:]
            return
        self._outcome = outcome
        self._detail = detail

    def addSuccess(self, test) -> None:
        super().addSuccess(test)
        if self._outcome is None:
            self._set("passed")

    def addFailure(self, test, err) -> None:
        super().addFailure(test, err)
        self._set("failed", self._text(err, test))

    def addError(self, test, err) -> None:
        super().addError(test, err)
        if isinstance(test, unittest.case._SubTest):
            test = test.test_case
        if not isinstance(test, unittest.TestCase):
            # setUpClass, setUpModule, tearDown... of a class or module.
            self._emit(
                {
                    "event": "fixture",
                    "id": getattr(test, "description", str(test)),
                    "detail": self._text(err, None),
                }
            )
            return
        self._set("error", self._text(err, test))

    def addSkip(self, test, reason) -> None:
        super().addSkip(test, reason)
        if self._outcome is None:
            self._set("skipped", str(reason))

    def addExpectedFailure(self, test, err) -> None:
        super().addExpectedFailure(test, err)
        self._set("passed", "expected failure (unittest.expectedFailure)")

    def addUnexpectedSuccess(self, test) -> None:
        super().addUnexpectedSuccess(test)
        self._set("failed", "unexpected success (unittest.expectedFailure)")

    def addSubTest(self, test, subtest, err) -> None:
        super().addSubTest(test, subtest, err)
        if err is not None:
            self._subtest_failures.append(f"{subtest.id()}\n{self._text(err, subtest)}")

    def stopTest(self, test) -> None:
        faulthandler.cancel_dump_traceback_later()
        outcome, detail = self._outcome, self._detail
        if self._subtest_failures and outcome not in ("failed", "error"):
            outcome = "failed"
            detail = "\n".join(self._subtest_failures)[-DETAIL_LIMIT:]
        if outcome is None:
            outcome, detail = "error", "the test reported no outcome"
        self._emit({"event": "end", "id": test.id(), "outcome": outcome, "detail": detail})
        super().stopTest(test)


def iter_cases(suite):
    for item in suite:
        if isinstance(item, unittest.TestSuite):
            yield from iter_cases(item)
        else:
            yield item


def keep_only(suite: unittest.TestSuite, excluded: set[str]) -> None:
    """Drops the tests named in ``excluded`` from ``suite``, in place."""
    kept = []
    for item in suite._tests:
        if isinstance(item, unittest.TestSuite):
            keep_only(item, excluded)
            kept.append(item)
        elif item.id() not in excluded:
            kept.append(item)
    suite._tests = kept


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--impl", choices=("rustssl", "stdlib"), required=True)
    parser.add_argument("--events-fd", type=int, required=True)
    parser.add_argument("--exclude-file")
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("module")
    args = parser.parse_args()

    events = os.fdopen(args.events_fd, "w", buffering=1, encoding="utf-8")

    def emit(record: dict) -> None:
        record["time"] = time.monotonic()
        events.write(json.dumps(record) + "\n")
        events.flush()

    install_ssl(args.impl)
    setup_like_regrtest(args.timeout)

    excluded: set[str] = set()
    if args.exclude_file:
        with open(args.exclude_file, encoding="utf-8") as f:
            excluded = set(json.load(f))

    # regrtest runs each test file in a fresh temporary working directory.
    with tempfile.TemporaryDirectory(prefix="rustssl-conformance-") as workdir:
        os.chdir(workdir)
        module = importlib.import_module(f"test.{args.module}")
        loader = unittest.TestLoader()
        suite = loader.loadTestsFromModule(module)
        if loader.errors:
            for error in loader.errors:
                print(error, file=sys.stderr)
            emit({"event": "fixture", "id": "load_tests", "detail": "\n".join(loader.errors)})
        keep_only(suite, excluded)
        emit({"event": "collected", "ids": [case.id() for case in iter_cases(suite)]})
        result = StreamingResult(emit, args.timeout)
        try:
            suite.run(result)
        except BaseException:
            emit({"event": "fixture", "id": "suite", "detail": traceback.format_exc()})
            raise
        finally:
            os.chdir(tempfile.gettempdir())
        emit({"event": "done"})
    return 0


if __name__ == "__main__":
    sys.exit(main())
