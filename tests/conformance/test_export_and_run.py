"""The conformance suite: the golden cases exported as a dataset, and run against commands.

``creditbank conformance export`` writes every golden case as JSON with its standards in
full; ``creditbank conformance run`` runs a command on each case. creditbank itself, behind
its stdin/stdout adapter, must get every case right; a deliberately wrong adapter (one that
ignores caps, ``tests/conformance/wrong_adapter.py``) must be reported case by case, with
exactly the differences the in-process comparison finds.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

import creditbank
from creditbank.cli import cli
from creditbank.conformance import (
    CASE_FORMAT,
    DATASET_FORMAT,
    CaseError,
    answer_of,
    answer_schema,
    case_schema,
    compare,
    golden_cases_path,
    load_case_portfolio,
    load_case_standards,
    load_dataset,
    manifest_schema,
    read_case,
    read_cases,
    run_case,
)
from creditbank.conformance.adapter import evaluate_case
from creditbank.conformance.dataset import normalise_expect
from creditbank.conformance.jsontext import dumps, loads
from creditbank.conformance.resolve import dump_case_yaml
from tests.conformance.wrong_adapter import without_caps
from tests.paths import ROOT

ADAPTER = f'"{sys.executable}" -m creditbank.conformance.adapter'
WRONG_ADAPTER = f'"{sys.executable}" "{ROOT / "tests" / "conformance" / "wrong_adapter.py"}"'
JOBS = str(max(2, min(8, os.cpu_count() or 2)))
CASES = read_cases(golden_cases_path())


@pytest.fixture(scope="module")
def dataset_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("conformance") / "dataset"
    result = CliRunner().invoke(cli, ["conformance", "export", str(out)])
    assert result.exit_code == 0, result.output
    assert f"wrote {len(CASES)} cases to {out}" in result.output
    return out


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _small_cases(tmp_path: Path, names: list[str]) -> Path:
    cases = tmp_path / "golden"
    cases.mkdir()
    for name in names:
        shutil.copy(golden_cases_path() / f"{name}.yaml", cases)
    return cases


# ------------------------------------------------------------------ the dataset


def test_manifest_lists_every_case_with_checksums(dataset_dir: Path) -> None:
    manifest = _json(dataset_dir / "manifest.json")
    Draft202012Validator(manifest_schema()).validate(manifest)
    assert manifest["format"] == DATASET_FORMAT
    assert manifest["version"] == creditbank.__version__
    assert [e["name"] for e in manifest["cases"]] == [c.name for c in CASES]
    assert manifest["count"] == len(CASES) == len(list((dataset_dir / "cases").glob("*.json")))
    for entry in manifest["cases"]:
        data = (dataset_dir / entry["file"]).read_bytes()
        assert entry["sha256"] == "sha256:" + hashlib.sha256(data).hexdigest()
    for name in ("case", "answer", "manifest"):
        schema = _json(dataset_dir / "schemas" / f"{name}.schema.json")
        Draft202012Validator.check_schema(schema)
    assert "creditbank conformance run" in (dataset_dir / "README.md").read_text(encoding="utf-8")


def test_every_case_file_follows_the_case_schema(dataset_dir: Path) -> None:
    schema = _json(dataset_dir / "schemas" / "case.schema.json")
    assert schema == json.loads(dumps(case_schema()))
    full = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    light = Draft202012Validator(
        {**schema, "properties": {**schema["properties"], "standards": {"type": "object"}}}
    )
    checked: set[str] = set()
    for path in sorted((dataset_dir / "cases").glob("*.json")):
        case = _json(path)
        standards = json.dumps(case["standards"], sort_keys=True)
        # the standards part is large: check the first few different ones in full
        validator = full if standards not in checked and len(checked) < 4 else light
        checked.add(standards)
        errors = [
            f"{list(e.absolute_path)}: {e.message[:200]}" for e in validator.iter_errors(case)
        ]
        assert not errors, f"{path.name}: {errors}"
    broken = _json(dataset_dir / "cases" / f"{CASES[0].name}.json")
    broken["expect"]["decisions"] = {"a1": {"recognised": "yes"}}
    broken["portfolio"]["achievements"][0]["earned"] = "2020-01-01"
    paths = {tuple(e.absolute_path)[:3] for e in full.iter_errors(broken)}
    assert ("expect", "decisions", "a1") in paths and ("portfolio", "achievements", 0) in paths


def test_case_files_hold_the_whole_case(dataset_dir: Path, tmp_path: Path) -> None:
    """Standards load to the very standards of the golden case (same fingerprint), the
    portfolio to its portfolio; the programme is named by id; bundled is spelled out."""
    kinds: dict[tuple[str | dict[str, Any], ...], list[str]] = {}
    for case in CASES:
        record = loads((dataset_dir / "cases" / f"{case.name}.json").read_text(encoding="utf-8"))
        assert record["schema"] == CASE_FORMAT and record["name"] == case.name
        assert record["as_of"] == case.as_of.isoformat()
        assert record["standards"]["kind"] == "standards"
        assert record["program"] in {p["id"] for p in record["standards"]["programs"]}
        assert record["expect"] == json.loads(dumps(normalise_expect(case.expect)))
        as_written = creditbank.load_portfolio_text(dump_case_yaml(case.portfolio))
        assert creditbank.load_portfolio_text(dumps(record["portfolio"])) == as_written
        kind = tuple(p if p == "bundled" else "inline" for p in case.standards)
        kinds.setdefault(kind, []).append(case.name)
    assert ("bundled",) in kinds and any("inline" in kind for kind in kinds)
    for names in kinds.values():  # loading standards is slow: a few cases of each kind
        for name in names[:3]:
            case = next(c for c in CASES if c.name == name)
            record = loads((dataset_dir / "cases" / f"{name}.json").read_text(encoding="utf-8"))
            path = tmp_path / f"{name}.standards.json"
            path.write_text(dumps(record["standards"]), encoding="utf-8")
            standards = load_case_standards(case, tmp_path)
            assert creditbank.load_standards(path).fingerprint() == standards.fingerprint(), name
            assert (
                record["program"]
                == creditbank.evaluate(
                    standards, load_case_portfolio(case, standards), case.program, case.as_of
                ).program
            )


def test_export_is_deterministic_and_replaces_an_earlier_export(tmp_path: Path) -> None:
    runner = CliRunner()
    cases = _small_cases(tmp_path, ["not_yet_earned", "partial_credit", "expired_certificate"])
    out = tmp_path / "out"
    assert (
        runner.invoke(cli, ["conformance", "export", str(out), "--cases", str(cases)]).exit_code
        == 0
    )
    first = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (cases / "partial_credit.yaml").unlink()
    assert (
        runner.invoke(cli, ["conformance", "export", str(out), "--cases", str(cases)]).exit_code
        == 0
    )
    second = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert (
        Path("cases/partial_credit.json") in first
        and Path("cases/partial_credit.json") not in second
    )
    assert second[Path("cases/not_yet_earned.json")] == first[Path("cases/not_yet_earned.json")]
    assert _json(out / "manifest.json")["count"] == 2

    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine", encoding="utf-8")
    result = runner.invoke(cli, ["conformance", "export", str(busy)])
    assert result.exit_code == 1
    assert "not empty and not a conformance dataset" in result.output
    assert (busy / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_a_tampered_case_is_refused(tmp_path: Path) -> None:
    cases = _small_cases(tmp_path, ["not_yet_earned"])
    out = tmp_path / "out"
    assert (
        CliRunner()
        .invoke(cli, ["conformance", "export", str(out), "--cases", str(cases)])
        .exit_code
        == 0
    )
    case_file = out / "cases" / "not_yet_earned.json"
    case_file.write_text(
        case_file.read_text(encoding="utf-8").replace('"2', '"1', 1), encoding="utf-8"
    )
    with pytest.raises(CaseError, match="sha256"):
        load_dataset(out)
    result = CliRunner().invoke(cli, ["conformance", "run", str(out), "--command", ADAPTER])
    assert result.exit_code == 1
    assert "does not match its sha256" in result.output


# ------------------------------------------------------------------ running


def test_creditbank_gets_every_case_right_through_its_adapter(dataset_dir: Path) -> None:
    result = CliRunner().invoke(
        cli, ["conformance", "run", str(dataset_dir), "--command", ADAPTER, "-j", JOBS, "-v"]
    )
    assert result.exit_code == 0, result.output
    assert f"{len(CASES)} of {len(CASES)} cases passed" in result.output
    assert all(f"ok    {case.name}" in result.output for case in CASES)


def test_a_wrong_implementation_is_reported_case_by_case(dataset_dir: Path) -> None:
    capped = [c.name for c in CASES if "CAP_REACHED" in c.expected_reasons()][:2]
    plain = [c.name for c in CASES if not c.expected_reasons() & {"CAP_REACHED"}][:2]
    assert len(capped) == 2 and len(plain) == 2
    names = capped + plain
    expected: dict[str, list[str]] = {}
    for name in names:
        record = loads((dataset_dir / "cases" / f"{name}.json").read_text(encoding="utf-8"))
        evaluation = evaluate_case(without_caps(record))
        expected[name] = compare(record["expect"], answer_of(evaluation))
    failing = sorted(n for n, d in expected.items() if d)
    assert set(capped) <= set(failing), "ignoring caps must break the cases that expect a cap"

    args = ["conformance", "run", str(dataset_dir), "--command", WRONG_ADAPTER, "-j", JOBS]
    for name in names:
        args += ["--case", name]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1, result.output
    out = result.output
    assert f"{len(names) - len(failing)} of {len(names)} cases passed; failed: " in out
    for name in names:
        assert (f"FAIL  {name}:" in out) == (name in failing), out
        for difference in expected[name]:
            assert "  " + difference.replace("\n", "\n  ") in out


def test_the_json_report_gives_every_case(dataset_dir: Path) -> None:
    answer = "import json; print(json.dumps({'decisions': [], 'totals': {'recognised': '0'}}))"
    command = f'"{sys.executable}" -c "{answer}"'
    names = ["not_yet_earned", "partial_credit"]
    args = ["conformance", "run", str(dataset_dir), "--command", command, "--format", "json"]
    report = CliRunner().invoke(cli, [*args, "--case", names[0], "--case", names[1]])
    assert report.exit_code == 1
    data = json.loads(report.output)
    assert data["dataset"]["format"] == DATASET_FORMAT and data["command"] == command
    assert (data["passed"], data["failed"]) == (0, 2)
    assert [c["name"] for c in data["cases"]] == names
    for case in data["cases"]:
        assert case["passed"] is False and case["error"] is None
        assert any(d.endswith("no decision about this achievement") for d in case["differences"])


def test_run_without_a_directory_uses_the_golden_cases() -> None:
    result = CliRunner().invoke(
        cli, ["conformance", "run", "--command", ADAPTER, "--case", "partial_credit", "-v"]
    )
    assert result.exit_code == 0, result.output
    assert "ok    partial_credit" in result.output and "1 of 1 cases passed" in result.output
    unknown = CliRunner().invoke(
        cli, ["conformance", "run", "--command", ADAPTER, "--case", "nope"]
    )
    assert unknown.exit_code == 1 and "no case named nope" in unknown.output
    empty = CliRunner().invoke(cli, ["conformance", "run", "--command", " "])
    assert empty.exit_code == 2


def _script(code: str) -> list[str]:
    return [sys.executable, "-c", code]


RECORD = {"name": "c", "description": "d", "expect": {"total": "2"}}


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (
            "import sys; sys.stderr.write('boom'); sys.exit(3)",
            "exited with status 3; stderr:\nboom",
        ),
        ("print('not json')", "the answer is not JSON"),
        ("import time; time.sleep(30)", "timed out after 0.5 s"),
    ],
    ids=["exit-status", "not-json", "timeout"],
)
def test_a_broken_command_is_a_failed_case(code: str, message: str) -> None:
    result = run_case(_script(code), RECORD, timeout=0.5)
    assert not result.passed
    assert result.error is not None and message in result.error
    assert result.seconds < 10


def test_a_malformed_answer_is_described() -> None:
    result = run_case(_script("print('{\"decisions\": 1}')"), RECORD)
    assert result.error is None
    assert result.differences == (
        "answer: `decisions` must be a list of objects, each with an `achievement` id",
    )
    missing = run_case(_script("print('{\"decisions\": []}')"), RECORD)
    assert missing.differences == ("total: expected 2, actual (missing)",)
    cannot = run_case(["/nonexistent/implementation"], RECORD)
    assert cannot.error is not None and cannot.error.startswith("cannot start the command")


def test_the_case_reaches_the_command_on_stdin_without_expect() -> None:
    echo = (
        "import sys, json; case = json.load(sys.stdin); "
        "ok = 'expect' not in case and case['a'] == 1.50; "
        "print(json.dumps({'decisions': [], 'totals': {'recognised': '2' if ok else '0'}}))"
    )
    record = {"name": "c", "a": Decimal("1.50"), "expect": {"total": "2"}}
    assert run_case(_script(echo), record).passed


# ------------------------------------------------------------------ comparing


def test_creditbank_answers_follow_the_answer_schema() -> None:
    validator = Draft202012Validator(answer_schema())
    case = read_case(golden_cases_path() / "r2_at_the_limit_bundled.yaml")
    standards = load_case_standards(case)
    evaluation = creditbank.evaluate(
        standards, load_case_portfolio(case, standards), case.program, case.as_of
    )
    validator.validate(answer_of(evaluation))
    validator.validate({"decisions": [{"achievement": "a", "recognised": False, "credits": 0}]})
    assert not validator.is_valid({"decisions": [{"achievement": "a", "credits": "x"}]})


def test_the_dataset_form_of_expect_compares_like_the_original(tmp_path: Path) -> None:
    """On wrong answers (caps ignored) the original and the exported expectation find the
    same differences; only their order and how a value is quoted may differ."""
    seen = 0
    for case in CASES:
        standards = load_case_standards(case, tmp_path)
        without = creditbank.Standards(i for i in standards if i.item_kind != "cap")
        evaluation = creditbank.evaluate(
            without, load_case_portfolio(case, standards), case.program, case.as_of
        )
        answer = answer_of(evaluation)
        original = compare(case.expect, answer)
        exported = compare(normalise_expect(case.expect), answer)
        assert sorted(d.replace("'", "") for d in original) == sorted(
            d.replace("'", "") for d in exported
        ), case.name
        seen += bool(original)
    assert seen >= 5
