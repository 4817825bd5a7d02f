"""Prints the x509-limbo counts at the end of the run."""

from __future__ import annotations

from typing import Any

import pytest


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    from limbo.test_limbo import RESULTS

    if not RESULTS:
        return
    outcomes = [r[0] for r in RESULTS.values()]
    passed, failed, skipped = (outcomes.count(k) for k in ("pass", "fail", "skip"))
    terminalreporter.write_sep("-", "x509-limbo")
    terminalreporter.write_line(
        f"limbo: {passed} passed, {failed} failed, {skipped} skipped of {len(RESULTS)} cases"
    )
    reasons: dict[str, int] = {}
    for outcome, detail in RESULTS.values():
        if outcome == "skip":
            reasons[detail] = reasons.get(detail, 0) + 1
    for reason, n in sorted(reasons.items(), key=lambda kv: -kv[1]):
        terminalreporter.write_line(f"  skipped {n:3}: {reason}")
    for case_id, (outcome, detail) in sorted(RESULTS.items()):
        if outcome == "fail":
            terminalreporter.write_line(f"  failed: {case_id}: {detail}")
