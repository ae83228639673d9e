"""``creditbank report --batch RESULTS --input PORTFOLIOS``: a batch run over the example
portfolios, its report's sums checked against the result lines and the input profiles
(read here, not by the report's code), the same rows as the ledger report where both
count the same thing, located errors (text and JSON), and a Chinese report without English."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from creditbank.batch import run_batch
from creditbank.bundled import bundled_standards_path
from creditbank.cli import cli
from creditbank.engine import eligibility
from creditbank.errors import LoadError
from creditbank.ledger import Ledger
from creditbank.loading import load_portfolio
from creditbank.progress import batch_report, bundled_targets_path, ledger_report, load_targets
from creditbank.progress.notes import WORDS
from creditbank.testing.ledger import PROGRAMS
from tests.bundled import bundled_standards
from tests.progress.demo import PORTFOLIOS, as_of_day

STANDARDS = bundled_standards()
TARGETS = load_targets(bundled_targets_path())


def _portfolios_jsonl(path: Path) -> Path:
    """The example portfolios as one JSON line each (the batch's input)."""
    lines = []
    for file in PORTFOLIOS:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        lines.append(json.dumps(data, default=str, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def batch_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example portfolios evaluated against each bundled programme (one run each), full
    lines and --summary lines."""
    here = tmp_path_factory.mktemp("batch-report")
    source = _portfolios_jsonl(here / "in.jsonl")
    for number, program in enumerate(PROGRAMS):
        for summary in (False, True):
            run_batch(
                source,
                here / f"out-{number}{'-summary' if summary else ''}.jsonl",
                standards=[bundled_standards_path()],
                program=program,
                as_of=as_of_day(),
                workers=1,
                summary=summary,
            )
    return here


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_the_sums_agree_with_the_result_lines(batch_dir: Path) -> None:
    results, source = batch_dir / "out-0.jsonl", batch_dir / "in.jsonl"
    report = batch_report(results, source, TARGETS, STANDARDS)
    lines = _lines(results)
    profiles = {p["learner"]: p.get("profile") or {} for p in _lines(source)}
    assert report.basis == "batch" and report.as_of == as_of_day()
    assert report.national.learners == len(lines) == len(PORTFOLIOS)
    assert report.national.credits_total == sum(
        (Decimal(line["totals"]["recognised"]) for line in lines), Decimal(0)
    )
    migrant = {k for k, p in profiles.items() if p.get("migrant_worker")}
    assert report.national.migrant_learners == len(migrant) > 0
    # eligible for funding of the programme evaluated, as the eligibility engine says
    eligible = set()
    for file in PORTFOLIOS:
        portfolio = load_portfolio(file, STANDARDS)
        outcomes = eligibility(STANDARDS, portfolio, as_of_day(), ("funding",)).outcomes
        if any(
            o.eligible and str(getattr(o.outcome, "program", "")) == PROGRAMS[0] for o in outcomes
        ):
            eligible.add(portfolio.learner)
    assert report.national.funded_learners == len(eligible) > 0
    assert report.national.migrant_funded_learners == len(eligible & migrant)
    completed = [
        line
        for line in lines
        if Decimal(line["totals"]["recognised"]) >= Decimal(line["totals"]["program_total"])
    ]
    assert report.national.completions == len(completed)
    [row] = report.rows
    assert row.key == PROGRAMS[0] and row.learners == len(lines)
    by_metric = {t.metric: t for t in report.targets}
    assert by_metric["funded_learners"].notes == ("ELIGIBLE_NOT_FUNDED",)
    assert by_metric["funded_learners"].measured == len(eligible)


def test_by_region_every_learner_is_in_one_row(batch_dir: Path) -> None:
    report = batch_report(
        batch_dir / "out-0.jsonl", batch_dir / "in.jsonl", TARGETS, STANDARDS, by="region"
    )
    regions = {(p.get("profile") or {}).get("region") for p in _lines(batch_dir / "in.jsonl")}
    assert {row.key for row in report.rows} == regions
    assert sum(row.learners for row in report.rows) == report.national.learners
    assert sum(row.credits_total for row in report.rows) == report.national.credits_total


def test_summary_lines_give_the_same_report(batch_dir: Path) -> None:
    source = batch_dir / "in.jsonl"
    for number in range(len(PROGRAMS)):
        full = batch_report(batch_dir / f"out-{number}.jsonl", source, TARGETS, STANDARDS)
        brief = batch_report(batch_dir / f"out-{number}-summary.jsonl", source, TARGETS, STANDARDS)
        assert full == brief


def test_each_programme_row_is_the_ledger_reports(batch_dir: Path, demo_ledger: Ledger) -> None:
    """The demo ledger applied every example portfolio to each programme on the batch's day
    and granted the funded places the eligibility engine found: the same learners, credits
    by kind, completions and (eligible) funded learners."""
    ledger = {row.key: row for row in ledger_report(demo_ledger, TARGETS, standards=STANDARDS).rows}
    for number, program in enumerate(PROGRAMS):
        report = batch_report(
            batch_dir / f"out-{number}.jsonl", batch_dir / "in.jsonl", TARGETS, STANDARDS
        )
        [row] = report.rows
        assert row == ledger[program]


def test_records_without_a_result_are_passed_over(batch_dir: Path, tmp_path: Path) -> None:
    """A bad record (no result line) before a good one of another learner, and a repeated
    learner, do not shift the join."""
    lines = (batch_dir / "in.jsonl").read_text(encoding="utf-8").splitlines()
    bad = '{"learner": "demo-worker-002", "achievements": 7}'
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join([bad, *lines, lines[0]]) + "\n", encoding="utf-8")
    run_batch(
        source,
        tmp_path / "out.jsonl",
        standards=[bundled_standards_path()],
        program=PROGRAMS[0],
        as_of=as_of_day(),
        workers=1,
    )
    report = batch_report(tmp_path / "out.jsonl", source, TARGETS, STANDARDS)
    expected = batch_report(batch_dir / "out-0.jsonl", batch_dir / "in.jsonl", TARGETS, STANDARDS)
    assert report == expected


@pytest.mark.parametrize(
    ("content", "code", "line"),
    [
        ("not json\n", "INVALID_VALUE", 1),
        ('{"schema": "creditbank.report/1"}\n', "UNKNOWN_KIND", 1),
        ('FIRST\n\n{"schema": "creditbank.evaluation/1"}\n', "INVALID_VALUE", 3),
        ("FIRST\n" + '{"schema": "creditbank.evaluation-summary/1"}\n', "INVALID_VALUE", 2),
        ("FIRST\nFIRST\n", "UNKNOWN_REFERENCE", 2),
        (b"\xff\n", "INVALID_UTF8", 1),
    ],
)
def test_a_bad_results_file_is_located(
    batch_dir: Path, tmp_path: Path, content: str | bytes, code: str, line: int
) -> None:
    first = (batch_dir / "out-0.jsonl").read_bytes().split(b"\n")[0]
    results = tmp_path / "results.jsonl"
    data = content if isinstance(content, bytes) else content.encode("utf-8")
    results.write_bytes(data.replace(b"FIRST", first))
    with pytest.raises(LoadError) as caught:
        batch_report(results, batch_dir / "in.jsonl", TARGETS, STANDARDS)
    [problem] = caught.value.problems
    assert (problem.code, problem.location.file, problem.location.line) == (
        code,
        str(results),
        line,
    )
    assert re.match(rf"{re.escape(str(results))}:{line}:\d+: {code} ", str(problem))


def test_the_command_prints_located_errors(batch_dir: Path, tmp_path: Path) -> None:
    source = str(batch_dir / "in.jsonl")
    bad = tmp_path / "results.jsonl"
    bad.write_text("{}\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["report", "--batch", str(bad), "--input", source])
    assert result.exit_code == 1
    assert f"{bad}:1:1: UNKNOWN_KIND " in result.stderr
    result = CliRunner().invoke(
        cli, ["report", "--batch", str(bad), "--input", source, "--format", "json"]
    )
    assert result.exit_code == 1
    error = json.loads(result.stdout)["error"]
    assert error["problems"][0]["code"] == "UNKNOWN_KIND", error
    missing = tmp_path / "none.jsonl"
    result = CliRunner().invoke(
        cli, ["report", "--batch", str(missing), "--input", source, "--format", "json"]
    )
    assert (result.exit_code, json.loads(result.stdout)["error"]["code"]) == (1, "FILE_NOT_FOUND")


@pytest.mark.parametrize(
    "words",
    [
        ["--batch", "r.jsonl"],
        ["--input", "in.jsonl", "--db", "x.db"],
        ["--batch", "r.jsonl", "--input", "in.jsonl", "--db", "x.db"],
        ["--batch", "r.jsonl", "--input", "in.jsonl", "--as-of", "2026-01-01"],
    ],
)
def test_one_source_at_a_time(words: list[str]) -> None:
    result = CliRunner().invoke(cli, ["report", *words, "--format", "json"])
    assert result.exit_code == 2
    assert json.loads(result.stdout)["error"]["code"] == "USAGE_ERROR"


def test_the_chinese_report_has_no_english_labels(batch_dir: Path) -> None:
    words = [
        "report",
        "--batch",
        str(batch_dir / "out-0.jsonl"),
        "--input",
        str(batch_dir / "in.jsonl"),
    ]
    zh = CliRunner().invoke(cli, [*words, "--lang", "zh"], env={"COLUMNS": "300"})
    assert zh.exit_code == 0, zh.output
    assert WORDS["eligible"][0] in zh.stdout and "符合资助条件" in zh.stdout
    for _, english in WORDS.values():
        if english.isascii() and len(english) > 3:
            assert english not in zh.stdout, english
    en = CliRunner().invoke(cli, [*words, "--lang", "en"], env={"COLUMNS": "300"})
    assert "eligible for funding" in en.stdout
    assert "batch results say eligible for funding, not funded" in en.stdout


@settings(max_examples=25, deadline=None)
@given(kept=st.lists(st.booleans(), min_size=len(PORTFOLIOS), max_size=len(PORTFOLIOS)))
def test_any_results_in_order_join_to_their_own_learners(
    batch_dir: Path, tmp_path_factory: pytest.TempPathFactory, kept: list[bool]
) -> None:
    """Results of any subset of the input (in its order), as when records were bad or
    repeated, count exactly those learners: the join skips input records without a result."""
    lines = (batch_dir / "out-0.jsonl").read_text(encoding="utf-8").splitlines()
    chosen = [line for line, keep in zip(lines, kept, strict=True) if keep]
    results = tmp_path_factory.mktemp("subset") / "results.jsonl"
    results.write_text("".join(line + "\n" for line in chosen), encoding="utf-8")
    report = batch_report(results, batch_dir / "in.jsonl", TARGETS, STANDARDS, by="region")
    profiles = {p["learner"]: p.get("profile") or {} for p in _lines(batch_dir / "in.jsonl")}
    learners = [json.loads(line)["learner"] for line in chosen]
    assert report.national.learners == len(chosen)
    assert report.national.credits_total == sum(
        (Decimal(json.loads(line)["totals"]["recognised"]) for line in chosen), Decimal(0)
    )
    assert report.national.migrant_learners == sum(
        bool(profiles[learner].get("migrant_worker")) for learner in learners
    )
    assert {row.key: row.learners for row in report.rows} == {
        region: [profiles[learner].get("region") for learner in learners].count(region)
        for region in {profiles[learner].get("region") for learner in learners}
    }


def test_a_missing_input_is_named(batch_dir: Path, tmp_path: Path) -> None:
    missing = tmp_path / "nothere.jsonl"
    result = CliRunner().invoke(
        cli,
        ["report", "--batch", str(batch_dir / "out-0.jsonl"), "--input", str(missing)],
    )
    assert result.exit_code == 1 and "FILE_NOT_FOUND" in result.stderr
    assert str(missing) in result.stderr
