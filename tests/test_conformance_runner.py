"""The conformance runner's per-version expectations (tests/conformance/run.py)."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

RUN_PY = Path(__file__).resolve().parent / "conformance" / "run.py"
_spec = importlib.util.spec_from_file_location("conformance_run", RUN_PY)
assert _spec is not None and _spec.loader is not None
run = importlib.util.module_from_spec(_spec)
sys.modules["conformance_run"] = run  # dataclasses look their module up
_spec.loader.exec_module(run)

FILE = """
["test_ssl.A.everywhere"]
category = "tls-version"
reason = "r"

["test_ssl.A.new_only"]
category = "openssl-internal"
versions = ["3.12", "3.13"]
reason = "r"

[environment]
"test_ssl.A.env" = { versions = ["3.11"], reason = "r" }

[known-bugs]
"test_ssl.A.bug" = "r"
"test_ssl.A.old_bug" = { versions = ["3.11"], reason = "r" }
"test_ssl.A.new_only" = { versions = ["3.11"], reason = "a bug on 3.11 only" }
"""


def load(tmp_path: Path, text: str, version: str) -> object:
    path = tmp_path / "expected.toml"
    path.write_text(text)
    return run.load_expectations(path, version)


def test_entries_apply_to_their_versions(tmp_path: Path) -> None:
    e311 = load(tmp_path, FILE, "3.11")
    assert set(e311.failures) == {"test_ssl.A.everywhere"}
    assert set(e311.known_bugs) == {"test_ssl.A.bug", "test_ssl.A.old_bug", "test_ssl.A.new_only"}
    assert set(e311.environment) == {"test_ssl.A.env"}
    e313 = load(tmp_path, FILE, "3.13")
    assert set(e313.failures) == {"test_ssl.A.everywhere", "test_ssl.A.new_only"}
    assert set(e313.known_bugs) == {"test_ssl.A.bug"}
    assert e313.environment == {}


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('versions = ["3.14"]', "unknown versions ['3.14']"),
        ('versions = ["3.12", "3.12"]', "versions lists a version twice"),
        ("versions = []", "non-empty list"),
        ('versions = "3.12"', "non-empty list"),
        ("version = ['3.12']", "unknown keys ['version']"),
    ],
)
def test_bad_versions_are_refused(tmp_path: Path, entry: str, message: str) -> None:
    text = f'["test_ssl.A.b"]\ncategory = "tls-version"\nreason = "r"\n{entry}\n'
    with pytest.raises(SystemExit, match=re.escape(message)):
        load(tmp_path, text, "3.12")


def test_overlapping_entries_are_refused(tmp_path: Path) -> None:
    text = (
        '["test_ssl.A.b"]\ncategory = "tls-version"\nreason = "r"\nversions = ["3.12"]\n'
        '[known-bugs]\n"test_ssl.A.b" = { versions = ["3.12", "3.13"], reason = "r" }\n'
    )
    with pytest.raises(SystemExit, match="for the same version"):
        load(tmp_path, text, "3.13")


def _module_run(outcomes: dict[str, str]) -> object:
    module_run = run.ModuleRun("test_ssl")
    for name, outcome in outcomes.items():
        test_id = f"test.test_ssl.A.{name}"
        module_run.order.append(test_id)
        module_run.outcomes[test_id] = run.TestOutcome(test_id, outcome)
    return module_run


def test_a_pass_on_a_listed_version_fails_the_run(tmp_path: Path, capsys) -> None:
    outcomes = {
        "everywhere": "failed",
        "new_only": "passed",
        "bug": "failed",
        "old_bug": "passed",
        "env": "failed",
    }
    # On 3.13 new_only is expected to fail: its pass fails the run. old_bug
    # (3.11 only) and env (3.11 only) are not listed on 3.13, so env fails.
    e313 = load(tmp_path, FILE, "3.13")
    assert run.report([_module_run(outcomes)], "rustssl", e313, False) == 1
    out = capsys.readouterr().out
    assert "Unexpected passes" in out and "test_ssl.A.new_only" in out
    assert "test_ssl.A.env: failed" in out
    # On 3.11 new_only is a known bug there, so its pass fails the run too.
    e311 = load(tmp_path, FILE, "3.11")
    outcomes.update(new_only="failed", old_bug="failed")
    assert run.report([_module_run(outcomes)], "rustssl", e311, False) == 0
    outcomes.update(old_bug="passed")
    assert run.report([_module_run(outcomes)], "rustssl", e311, False) == 1
