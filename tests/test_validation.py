"""`creditbank validate`'s decisions, from Python (issue 16, item 1): which standards a
portfolio is checked against, and what makes the files invalid."""

from __future__ import annotations

from pathlib import Path

import pytest

from creditbank.validation import validate
from tests.paths import ROOT

PORTFOLIO = sorted((ROOT / "examples" / "portfolios").glob("*.yaml"))[0]


@pytest.fixture(autouse=True)
def _no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CREDITBANK_STANDARDS", raising=False)


def test_a_portfolio_alone_is_checked_against_the_default_standards() -> None:
    result = validate([PORTFOLIO])
    assert result.ok, result.report.problems
    assert [name for name, _ in result.report.portfolios] == [str(PORTFOLIO)]
    assert result.report.standards is not None and len(result.report.standards) > 0
    assert not result.report.standards_files  # the standards came from the default


def test_the_default_standards_problems_come_first(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-standards"
    result = validate([PORTFOLIO], [missing])
    assert not result.ok
    assert result.report.problems[0].code == "FILE_NOT_FOUND"
    assert str(missing) in str(result.report.problems[0])


def test_a_broken_portfolio_is_invalid(tmp_path: Path) -> None:
    broken = tmp_path / "p.yaml"
    broken.write_text("kind: portfolio\nlearner: w-1\nachievements: 3\n", encoding="utf-8")
    result = validate([broken])
    assert not result.ok and result.report.problems
    assert result.findings is None


def test_strict_adds_the_consistency_findings_and_only_errors_count() -> None:
    plain = validate()
    strict = validate(strict=True)
    assert plain.findings is None and plain.ok
    assert strict.findings is not None
    assert strict.ok == (not [f for f in strict.findings if f.severity == "error"])
    assert strict.errors == [f for f in strict.findings if f.severity == "error"]
