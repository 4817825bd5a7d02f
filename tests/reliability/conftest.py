"""Prints the hostile-input table at the end of the run and saves it under results/."""

from __future__ import annotations

from typing import Any

import pytest


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    from reliability.peers import RESULTS_DIR, TABLE

    if not TABLE.rows:
        return
    text = TABLE.render()
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / "hostile_peers.md").write_text(text)
    terminalreporter.write_sep(
        "-", "hostile peers (also in tests/reliability/results/hostile_peers.md)"
    )
    for line in text.splitlines():
        terminalreporter.write_line(line)
