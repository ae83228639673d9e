"""``creditbank conformance export`` carries the eligibility cases: each file is complete
in itself (its standards and portfolio give, read back, the answer its expect states)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from click.testing import CliRunner

from creditbank.cli import cli
from creditbank.conformance.eligibility import (
    EligibilityCase,
    check_eligibility_case,
    eligibility_cases_path,
)
from creditbank.engine import eligibility
from creditbank.loading import load_portfolio_text, load_standards


def test_the_export_holds_every_eligibility_case_self_contained(tmp_path: Path) -> None:
    out = tmp_path / "dataset"
    run = CliRunner().invoke(cli, ["conformance", "export", str(out)])
    assert run.exit_code == 0, run.output
    names = sorted(p.stem for p in eligibility_cases_path().glob("*.yaml"))
    manifest = json.loads((out / "eligibility" / "manifest.json").read_text(encoding="utf-8"))
    assert [c["name"] for c in manifest["cases"]] == names
    assert "eligibility/" in (out / "README.md").read_text(encoding="utf-8")
    for name in names:
        record = json.loads((out / "eligibility" / f"{name}.json").read_text(encoding="utf-8"))
        standards_dir = tmp_path / name
        standards_dir.mkdir()
        (standards_dir / "standards.json").write_text(
            json.dumps(record["standards"], ensure_ascii=False), encoding="utf-8"
        )
        standards = load_standards(standards_dir)
        portfolio = load_portfolio_text(json.dumps(record["portfolio"]), standards)
        day = dt.date.fromisoformat(record["as_of"])
        result = eligibility(standards, portfolio, day, record["for"])
        case = EligibilityCase(
            name, "", (), day, tuple(record["for"]), record["portfolio"], record["expect"]
        )
        assert check_eligibility_case(case, result) == [], name


def test_a_second_export_removes_cases_that_are_gone(tmp_path: Path) -> None:
    out = tmp_path / "dataset"
    assert CliRunner().invoke(cli, ["conformance", "export", str(out)]).exit_code == 0
    stale = out / "eligibility" / "a_case_removed_since.json"
    stale.write_text("{}", encoding="utf-8")
    assert CliRunner().invoke(cli, ["conformance", "export", str(out)]).exit_code == 0
    assert not stale.exists()
