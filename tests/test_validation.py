"""`creditbank validate`'s decisions, from Python (issue 16, item 1): which standards a
portfolio is checked against, and what makes the files invalid."""

from __future__ import annotations

from pathlib import Path

import pytest

from creditbank.validation import validate, validate_texts
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


# --- validate_texts: files given as text by name (the service's POST /v1/validate) ------


def test_validate_texts_reports_what_validate_reports_for_the_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {
        name: (ROOT / "tests" / "cases" / "broken" / name).read_text(encoding="utf-8")
        for name in ("duplicate_id.yaml", "unknown_reference_near_miss.yaml")
    }
    for name, text in files.items():
        (tmp_path / "std").mkdir(exist_ok=True)
        (tmp_path / "std" / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    on_disk = validate([f"std/{name}" for name in files])
    given = validate_texts({f"std/{name}": text for name, text in files.items()})
    assert not given.ok
    assert [str(p) for p in given.report.problems] == [str(p) for p in on_disk.report.problems]
    assert given.report.files == on_disk.report.files
    assert all("creditbank-validate-" not in str(p) for p in given.report.problems)


@pytest.mark.parametrize(
    "name", ["../x.yaml", "/tmp/x.yaml", ".x.yaml", "a/../x.yaml", "x.txt", "a\\x.yaml", ""]
)
def test_validate_texts_refuses_names_that_are_no_relative_file_of_the_fragment(
    name: str,
) -> None:
    with pytest.raises(ValueError, match="is not a relative"):
        validate_texts({name: "kind: units\nitems: []\n"})


def test_validate_texts_refuses_a_name_that_is_the_folder_of_another() -> None:
    with pytest.raises(ValueError, match="as a file and as a folder"):
        validate_texts({"a/b.yaml": "kind: units\n", "a/b.yaml/c.yaml": "kind: units\n"})
