"""National scale, evaluation and batch: same results as one by one, resumable, forgiving.

* the compiled rule index gives the evaluation a scan of every rule gives;
* ``creditbank batch`` writes, for each learner, exactly what evaluating the learner's
  portfolio on its own writes — in this process or in worker processes;
* a run killed in the middle and started again writes the same file as a run never stopped;
* a malformed record is reported with its line number and skipped; the rest goes on.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import creditbank
from creditbank.batch import BatchError, evaluate_many, read_done, run_batch
from creditbank.cli import cli
from creditbank.engine.index import rule_index
from creditbank.synthetic import AS_OF, Scale, World, build_world, portfolios, write_portfolios
from creditbank.synthetic import write_standards as write_synthetic
from tests.paths import ROOT

SEED = 5


@pytest.fixture(scope="module")
def world() -> World:
    return build_world(Scale.tiny(), seed=SEED, occupations_csv=None)


@pytest.fixture(scope="module")
def standards_dir(world: World, tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("batch") / "standards"
    write_synthetic(world, directory)
    return directory


@pytest.fixture(scope="module")
def standards(standards_dir: Path) -> creditbank.Standards:
    return creditbank.load_standards(standards_dir, cache=False)


@pytest.fixture(scope="module")
def learners(world: World, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("learners") / "learners.jsonl"
    return write_portfolios(world, path, 400, seed=SEED)


def _one_by_one(standards: creditbank.Standards, line: str, as_of: dt.date) -> str:
    """What evaluating the record's portfolio on its own gives, read as a portfolio file."""
    record = json.loads(line)
    program = record.pop("program")
    portfolio = creditbank.load_portfolio_text(
        json.dumps(record, ensure_ascii=False), standards, file="one.json"
    )
    return creditbank.evaluate(standards, portfolio, program, as_of).to_json(indent=None)


def test_candidates_are_the_rules_that_select(
    world: World, standards: creditbank.Standards
) -> None:
    from creditbank.engine.conditions import selects
    from creditbank.engine.facts import make_facts

    index = rule_index(standards)
    for record in portfolios(world, 60, seed=SEED + 2):
        data = dict(record)
        program = standards.programs[str(data.pop("program"))]
        portfolio = creditbank.Portfolio.model_validate(data)
        facts = [make_facts(standards, a) for a in portfolio.achievements]
        wanted = {
            rule.id
            for rule in standards.rules.values()
            if program.id in rule.programs
            and any(selects(m, f, standards) for m in rule.when.matches() for f in facts)
        }
        found = index.program(program).candidates(f.unit for f in facts)
        assert wanted <= {r.id for r in found}
        assert [r.id for r in found] == sorted(r.id for r in found)


def test_batch_output_equals_one_by_one(
    standards: creditbank.Standards, standards_dir: Path, learners: Path, tmp_path: Path
) -> None:
    lines = learners.read_text(encoding="utf-8").splitlines()
    expected = [_one_by_one(standards, line, AS_OF) for line in lines]
    here = tmp_path / "here.jsonl"
    summary = run_batch(
        learners,
        here,
        standards=[standards_dir],
        program_field="program",
        as_of=AS_OF,
        workers=1,
        cache=False,
    )
    assert summary.evaluated == len(lines) and not summary.bad
    assert here.read_text(encoding="utf-8").splitlines() == expected
    library = [
        r.to_json() for r in evaluate_many(standards, lines, program_field="program", as_of=AS_OF)
    ]
    assert library == expected


def test_batch_in_worker_processes_equals_one_process(
    standards_dir: Path, learners: Path, tmp_path: Path
) -> None:
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    args = ["--program-field", "program", "--standards", str(standards_dir)]
    args += ["--as-of", AS_OF.isoformat(), "--no-progress", "--chunk-size", "37"]
    runner = CliRunner()
    first = runner.invoke(cli, ["batch", str(learners), "-o", str(one), "--workers", "1", *args])
    assert first.exit_code == 0, first.output
    second = runner.invoke(cli, ["batch", str(learners), "-o", str(two), "--workers", "2", *args])
    assert second.exit_code == 0, second.output
    assert one.read_bytes() == two.read_bytes()
    assert "400 learners evaluated" in second.stderr


def test_a_fixed_program_for_every_learner(
    standards: creditbank.Standards, standards_dir: Path, world: World, tmp_path: Path
) -> None:
    source = tmp_path / "plain.jsonl"
    write_portfolios(world, source, 30, seed=SEED, program_field=None)
    program = world.programs[0].id
    out = tmp_path / "out.jsonl"
    run_batch(source, out, standards=[standards_dir], program=program, as_of=AS_OF, workers=1)
    got = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(got) == 30 and {g["program"] for g in got} == {program}
    with pytest.raises(BatchError, match="unknown programme"):
        run_batch(source, tmp_path / "x.jsonl", standards=[standards_dir], program="nope")


def _bad_input(learners: Path, target: Path) -> list[int]:
    """The learners with bad records put in; returns the lines of the bad ones."""
    lines = learners.read_text(encoding="utf-8").splitlines()[:40]
    good = json.loads(lines[0])
    unknown_unit = dict(good, learner="bad-unit")
    unknown_unit["achievements"] = [dict(good["achievements"][0], unit="skill:nope")]
    bad = [
        (5, '{"learner": "broken", "achievements": [}'),  # not JSON (nor YAML)
        (9, json.dumps(unknown_unit)),
        (14, json.dumps({"learner": "no-program", "achievements": []})),
        (20, json.dumps(dict(good, program="syn-s000:p9"))),  # no such programme
        (23, json.dumps({**good, "learner": "two-ids", "learner_id": 3})),
        (30, lines[0]),  # the first learner again
    ]
    for number, text in bad:
        lines.insert(number - 1, text)
    lines.insert(11, "")  # a blank line is skipped silently
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [n if n < 12 else n + 1 for n, _ in bad]


def test_malformed_records_are_reported_with_their_line_and_skipped(
    standards_dir: Path, learners: Path, tmp_path: Path
) -> None:
    source = tmp_path / "mixed.jsonl"
    bad_lines = _bad_input(learners, source)
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(
        cli,
        [
            "batch",
            str(source),
            "--program-field",
            "program",
            "-o",
            str(out),
            "--standards",
            str(standards_dir),
            "--as-of",
            "2026-06-30",
            "--workers",
            "1",
        ],
    )
    assert result.exit_code == 1, result.output
    reported = [line for line in result.stderr.splitlines() if line.startswith(str(source))]
    at = {int(line.split(":")[1]): line for line in reported}
    assert sorted(at) == bad_lines, result.stderr
    assert "YAML_SYNTAX" in at[bad_lines[0]]
    assert "UNKNOWN_REFERENCE" in at[bad_lines[1]] and "skill:nope" in at[bad_lines[1]]
    assert "MISSING_FIELD" in at[bad_lines[2]] and "program" in at[bad_lines[2]]
    assert "UNKNOWN_REFERENCE" in at[bad_lines[3]] and "syn-s000:p9" in at[bad_lines[3]]
    assert "UNKNOWN_FIELD" in at[bad_lines[4]]
    assert "DUPLICATE_ID" in at[bad_lines[5]]
    written = out.read_text(encoding="utf-8").splitlines()
    assert len(written) == 40  # every good learner, once
    assert "40 learners evaluated" in result.stderr and "5 bad records" in result.stderr
    assert "1 repeated learners" in result.stderr


def _wait_for_lines(path: Path, count: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if path.exists() and path.read_bytes().count(b"\n") >= count:
            return
        if process.poll() is not None:
            raise AssertionError("the batch ended before it could be interrupted")
        time.sleep(0.05)
    raise AssertionError("the batch wrote too little")


def _batch_process(source: Path, out: Path, standards_dir: Path) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-c",
        "from creditbank.cli import main; main()",
        "batch",
        str(source),
        "-o",
        str(out),
        "--program-field",
        "program",
        "--standards",
        str(standards_dir),
        "--as-of",
        AS_OF.isoformat(),
        "--workers",
        "2",
        "--chunk-size",
        "10",
        "--no-progress",
    ]
    env = {**os.environ, "CREDITBANK_NO_CACHE": "1", "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,
    )


@pytest.fixture(scope="module")
def many(world: World, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("many") / "learners.jsonl"
    return write_portfolios(world, path, 3000, seed=SEED + 7)


def test_an_interrupted_batch_resumed_writes_the_same_output(
    standards_dir: Path, many: Path, tmp_path: Path
) -> None:
    whole = tmp_path / "whole.jsonl"
    run_batch(
        many,
        whole,
        standards=[standards_dir],
        program_field="program",
        as_of=AS_OF,
        workers=1,
        cache=False,
    )
    out = tmp_path / "resumed.jsonl"
    process = _batch_process(many, out, standards_dir)
    try:
        _wait_for_lines(out, 200, process)
    finally:
        os.killpg(process.pid, signal.SIGKILL)  # the command and its workers, mid-run
        process.wait()
    written = out.read_bytes()
    assert 0 < written.count(b"\n") < 3000
    with out.open("ab") as handle:  # as if killed in the middle of writing a line
        handle.write(b'{"schema":"creditbank.evaluation/1","program":"syn-s0')
    resumed = _batch_process(many, out, standards_dir)
    _, stderr = resumed.communicate(timeout=240)
    assert resumed.returncode == 0, stderr.decode()
    assert b"already there" in stderr
    assert out.read_bytes() == whole.read_bytes()


def test_resuming_keeps_the_day_and_the_standards(
    standards_dir: Path, learners: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.jsonl"
    source = tmp_path / "few.jsonl"
    source.write_text(
        "\n".join(learners.read_text(encoding="utf-8").splitlines()[:5]) + "\n", encoding="utf-8"
    )
    run_batch(
        source, out, standards=[standards_dir], program_field="program", as_of=AS_OF, workers=1
    )
    done, stamp = read_done(out)
    assert len(done) == 5 and stamp["as_of"] == AS_OF.isoformat()
    again = run_batch(source, out, standards=[standards_dir], program_field="program", workers=1)
    assert again.skipped == 5 and again.evaluated == 0
    with pytest.raises(BatchError, match="as of"):
        run_batch(
            source,
            out,
            standards=[standards_dir],
            program_field="program",
            as_of=dt.date(2020, 1, 1),
            workers=1,
        )
    with pytest.raises(BatchError, match="other standards"):
        run_batch(
            source,
            out,
            standards=[creditbank.bundled_standards_path()],
            program="demo-college:460301",
            workers=1,
        )
    foreign = tmp_path / "foreign.jsonl"
    foreign.write_text('{"a": 1}\n', encoding="utf-8")
    with pytest.raises(BatchError, match="not a creditbank evaluation"):
        run_batch(source, foreign, standards=[standards_dir], program_field="program", workers=1)


def test_batch_needs_one_way_to_name_the_programme(learners: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["batch", str(learners), "-o", str(tmp_path / "o.jsonl")])
    assert result.exit_code == 2 and "--program" in result.output


def test_synthetic_data_is_deterministic_and_marked_as_example(
    world: World, tmp_path: Path
) -> None:
    again = build_world(Scale.tiny(), seed=SEED, occupations_csv=None)
    assert again.files == world.files
    assert build_world(Scale.tiny(), seed=SEED + 1, occupations_csv=None).files != world.files
    assert all(doc["example"] is True for doc in world.files.values())
    records = list(portfolios(world, 300, seed=1))
    assert records == list(portfolios(world, 300, seed=1))
    sizes = [len(r["achievements"]) for r in records]
    assert min(sizes) >= 1 and max(sizes) <= 20
    units = [a["unit"].split(":")[0] for r in records for a in r["achievements"]]
    assert {"skill", "x", "training", "award", "course"} <= set(units)
    assert any(a.get("expires_on") for r in records for a in r["achievements"])
    twins = sum(
        len({json.dumps({**a, "id": ""}) for a in r["achievements"]}) < len(r["achievements"])
        for r in records
    )
    assert twins > 10 and all(r["example"] is True for r in records)


def test_synthetic_occupations_come_from_the_classification_when_present() -> None:
    csv = ROOT.parent / "shared" / "data" / "csco22.csv"
    if not csv.is_file():
        pytest.skip("../shared/data/csco22.csv is not beside the repository")
    world = build_world(Scale.tiny(), seed=1)
    assert world.occupations_source == str(csv.resolve()) or world.occupations_source == str(csv)
    assert all(o.id.startswith("csco2022:") for o in world.occupations)


def test_learners_already_written_are_exact_whatever_the_hashes(
    standards_dir: Path, learners: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hashes only propose: with three hash values for 60 learners (collisions everywhere)
    a resumed run skips exactly the learners written, and a repeated learner is caught."""
    import creditbank.batch.index
    import creditbank.batch.run

    real = creditbank.batch.index.learner_key

    def crowded(learner: str) -> int:
        return real(learner) % 3

    monkeypatch.setattr(creditbank.batch.index, "learner_key", crowded)
    monkeypatch.setattr(creditbank.batch.run, "learner_key", crowded)
    lines = learners.read_text(encoding="utf-8").splitlines()[:60]
    source, half = tmp_path / "in.jsonl", tmp_path / "half.jsonl"
    source.write_text("\n".join([*lines, lines[7]]) + "\n", encoding="utf-8")
    half.write_text("\n".join(lines[:25]) + "\n", encoding="utf-8")
    batch = functools.partial(
        run_batch, standards=[standards_dir], program_field="program", as_of=AS_OF, workers=1
    )
    whole = tmp_path / "whole.jsonl"
    first = batch(source, whole)
    assert (first.evaluated, first.duplicates) == (60, 1)
    assert first.problems[-1].code == "DUPLICATE_ID" and first.problems[-1].location.line == 61
    out = tmp_path / "resumed.jsonl"
    batch(half, out)
    again = batch(source, out)
    assert (again.skipped, again.evaluated, again.duplicates) == (26, 35, 0)
    assert out.read_bytes() == whole.read_bytes()
    done, _ = read_done(out)
    assert len(done) == 60 and set(done) == {json.loads(line)["learner"] for line in lines}
    assert "nobody" not in done and all(json.loads(line)["learner"] in done for line in lines)


def test_the_set_of_learners_written_takes_16_bytes_a_learner(tmp_path: Path) -> None:
    from creditbank.batch.index import _RECENT, WrittenLearners, learner_key

    written = WrittenLearners(tmp_path / "none.jsonl")
    count = 3 * _RECENT + 5
    for number in range(count):
        written.add_key(learner_key(f"learner-{number}"), number * 4500)
    assert len(written) == count
    assert written.nbytes == 16 * (count - count % _RECENT)  # the rest waits, unsorted
    assert written.offsets(learner_key("learner-77")) == [77 * 4500]
    assert written.offsets(learner_key(f"learner-{count - 1}")) == [(count - 1) * 4500]
    assert written.maybe([learner_key("learner-5"), learner_key("nobody")]) == [True, False]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="forked workers need fork")
def test_spawned_and_forked_workers_write_the_same(
    standards_dir: Path, learners: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Forked workers (Linux) share the standards of the leader; elsewhere each worker is
    spawned and loads them itself. Both write what one process writes."""
    import creditbank.batch.workers

    batch = functools.partial(
        run_batch, standards=[standards_dir], program_field="program", as_of=AS_OF, chunk_size=23
    )
    one = tmp_path / "one.jsonl"
    batch(learners, one, workers=1)
    for fork in (True, False):
        monkeypatch.setattr(creditbank.batch.workers, "FORK", fork)
        out = tmp_path / f"fork-{fork}.jsonl"
        summary = batch(learners, out, workers=3)
        assert summary.evaluated == 400
        assert out.read_bytes() == one.read_bytes()


def test_a_summary_is_the_full_evaluation_without_its_explanations(
    standards_dir: Path, learners: Path, tmp_path: Path
) -> None:
    from creditbank.batch.summary import SUMMARY_SCHEMA, summarise

    batch = functools.partial(
        run_batch, standards=[standards_dir], program_field="program", as_of=AS_OF
    )
    full, brief = tmp_path / "full.jsonl", tmp_path / "brief.jsonl"
    batch(learners, full, workers=1)
    result = CliRunner().invoke(
        cli,
        [
            "batch",
            str(learners),
            "-o",
            str(brief),
            "--summary",
            "--program-field",
            "program",
            "--standards",
            str(standards_dir),
            "--as-of",
            AS_OF.isoformat(),
            "--workers",
            "2",
            "--no-progress",
        ],
    )
    assert result.exit_code == 0, result.output
    expected = [
        summarise(creditbank.Evaluation.model_validate_json(line)).to_json_bytes()
        for line in full.read_bytes().splitlines()
    ]
    assert brief.read_bytes().splitlines() == expected
    first = json.loads(expected[0])
    assert first["schema"] == SUMMARY_SCHEMA and "decisions" not in first
    assert sum(len(line) for line in expected) * 3 < full.stat().st_size
    assert sum(bool(json.loads(line)["uses"]) for line in expected) > 50
    with pytest.raises(BatchError, match="without --summary"):
        batch(learners, full, workers=1, summary=True)
    with pytest.raises(BatchError, match="with --summary"):
        batch(learners, brief, workers=1)
    again = batch(learners, brief, workers=1, summary=True)
    assert again.skipped == 400 and again.evaluated == 0


def test_an_engine_failure_stops_the_run_cleanly_at_its_line(
    standards_dir: Path, learners: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A record the engine raises on (a bug, not a bad record) stops the run with its line
    and no traceback; the output holds whole chunks only, and a new run goes on from there."""
    import creditbank.batch.evaluator

    real = creditbank.batch.evaluator.evaluate
    unlucky = json.loads(learners.read_text(encoding="utf-8").splitlines()[44])["learner"]

    def flaky(
        standards: creditbank.Standards,
        portfolio: creditbank.Portfolio,
        program: str,
        as_of: dt.date | None = None,
    ) -> creditbank.Evaluation:
        if portfolio.learner == unlucky:
            raise RuntimeError("the search lost its way")
        return real(standards, portfolio, program, as_of)

    monkeypatch.setattr(creditbank.batch.evaluator, "evaluate", flaky)
    out = tmp_path / "out.jsonl"
    args = ["batch", str(learners), "-o", str(out), "--program-field", "program"]
    args += ["--standards", str(standards_dir), "--as-of", AS_OF.isoformat(), "--workers", "1"]
    result = CliRunner().invoke(cli, [*args, "--chunk-size", "20", "--no-progress"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert f"{learners}:45: evaluating this record failed unexpectedly" in result.stderr
    assert "RuntimeError: the search lost its way" in result.stderr
    assert "Traceback" not in result.output
    assert out.read_bytes().count(b"\n") == 40  # the two whole chunks before it
    monkeypatch.setattr(creditbank.batch.evaluator, "evaluate", real)
    again = CliRunner().invoke(cli, [*args, "--no-progress"])
    assert again.exit_code == 0 and "360 learners evaluated" in again.stderr
