"""Shows what tests/frontend measured (build, upload to completed, retry) at the end of the run."""

from __future__ import annotations

REPORT: list[str] = []


def pytest_terminal_summary(terminalreporter) -> None:
    if REPORT:
        terminalreporter.section("through the real frontend")
        for line in REPORT:
            terminalreporter.write_line(line)
