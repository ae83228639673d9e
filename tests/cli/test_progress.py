"""Progress of long work (issue 20, item 13): on standard error, only on a terminal, only
after a delay, never with JSON; the commands that do long work show it."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

from creditbank.cli import cli, progress
from tests.paths import ROOT


def _terminal(monkeypatch: pytest.MonkeyPatch, *, terminal: bool) -> io.StringIO:
    buffer = io.StringIO()

    def fake(*, stderr: bool = False, soft_wrap: bool = True) -> Console:
        assert stderr  # progress goes to standard error only
        return Console(file=buffer, force_terminal=terminal, width=80)

    monkeypatch.setattr(progress, "console", fake)
    return buffer


def test_long_work_on_a_terminal_is_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    shown = _terminal(monkeypatch, terminal=True)
    monkeypatch.setattr(progress, "DELAY", 0.0)
    with progress.counting("verifying credentials", 3) as advance:
        for _ in range(3):
            time.sleep(0.1)
            advance()
    assert "verifying credentials" in shown.getvalue()
    assert "3/3" in shown.getvalue()


@pytest.mark.parametrize(
    ("terminal", "enabled", "delay"),
    [(False, True, 0.0), (True, False, 0.0), (True, True, 60.0)],
    ids=["a-pipe", "json-output", "quick-work"],
)
def test_nothing_is_shown_in_a_pipe_with_json_or_for_quick_work(
    monkeypatch: pytest.MonkeyPatch, terminal: bool, enabled: bool, delay: float
) -> None:
    shown = _terminal(monkeypatch, terminal=terminal)
    monkeypatch.setattr(progress, "DELAY", delay)
    with progress.working("loading standards", enabled=enabled):
        time.sleep(0.1)
    assert shown.getvalue() == ""


def test_the_long_commands_go_through_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Standards loads, credential imports, ledger verify and the pathway search."""
    labels: list[str] = []
    real = progress._shown

    def spy(label: str, total: int | None, enabled: bool):  # type: ignore[no-untyped-def]
        labels.append(label)
        return real(label, total, enabled)

    monkeypatch.setattr(progress, "_shown", spy)
    runner = CliRunner()
    portfolio = str(ROOT / "examples" / "portfolios" / "demo-worker-001-electrician.yaml")
    db = str(tmp_path / "bank.db")
    for argv in (
        ["evaluate", portfolio, "--program", "460301"],
        ["query", "pathway", portfolio, "--program", "460301"],
        ["ledger", "--db", db, "init"],
        ["ledger", "--db", db, "verify"],
    ):
        result = runner.invoke(cli, argv)
        assert result.exit_code == 0, result.output
    assert {"loading standards", "searching for the least-effort pathway"} <= set(labels)
    assert "verifying the ledger" in labels
