"""Behaviour snapshot: what creditbank decides and writes stays byte-for-byte the same.

A refactoring (issue 16: the library owns every rule, one home for each idea) must not change
a decision, a document or a hash. This test records, as sha256 digests in
``tests/cases/snapshots/behaviour.json``:

* the ``creditbank.evaluation/1`` JSON of every example portfolio under every bundled
  programme (the library's ``Evaluation.to_json``), and the CLI's ``evaluate`` output of each
  example in JSON and as a table in both languages;
* the batch output (full and summary) of the quick benchmark's data (``Scale.small()``,
  seed 1, as ``benchmarks/run.py --quick`` makes it), for its first 1,000 learners;
* the hash of every event of a ledger driven through the R5 workflow (deposit, apply,
  review, approve, revoke, override) with a fixed clock.

When a change is meant to change behaviour (a bug fix, named in its commit), regenerate
the file with ``python tests/test_behaviour_snapshot.py --update`` and say in the commit
which digests changed and why.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = ROOT / "tests" / "cases" / "snapshots" / "behaviour.json"
EXAMPLES = sorted((ROOT / "examples" / "portfolios").glob("*.yaml"))
AS_OF = dt.date(2026, 9, 1)
BATCH_LEARNERS = 1_000
REGENERATE = "python tests/test_behaviour_snapshot.py --update"


def _digest(data: str | bytes) -> str:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return hashlib.sha256(raw).hexdigest()


def evaluations() -> dict[str, str]:
    import creditbank

    standards = creditbank.load_standards(creditbank.bundled_standards_path())
    out: dict[str, str] = {}
    for path in EXAMPLES:
        portfolio = creditbank.load_portfolio(path, standards)
        for program in sorted(standards.programs):
            result = creditbank.evaluate(standards, portfolio, program, AS_OF)
            out[f"{path.name} {program}"] = _digest(result.to_json())
    return out


def cli_outputs() -> dict[str, str]:
    from click.testing import CliRunner

    from creditbank.cli import cli

    runner = CliRunner()
    out: dict[str, str] = {}
    for path in EXAMPLES:
        for args in (
            ["--program", "460301", "--format", "json"],
            ["--program", "460301", "--format", "table", "--lang", "zh"],
            ["--program", "460304", "--format", "table", "--lang", "en"],
        ):
            argv = ["evaluate", str(path), "--as-of", AS_OF.isoformat(), *args]
            result = runner.invoke(cli, argv, env={"COLUMNS": "120", "NO_COLOR": "1"})
            assert result.exit_code == 0, result.output
            # the path is part of some outputs; record it relative to the checkout
            text = result.output.replace(str(ROOT), "<root>")
            out[f"{path.name} {' '.join(args)}"] = _digest(text)
    return out


def batch_outputs(tmp: Path) -> dict[str, str]:
    from creditbank.batch import run_batch
    from creditbank.synthetic import AS_OF as SYNTHETIC_AS_OF
    from creditbank.synthetic import Scale, build_world, portfolios, write_standards

    world = build_world(Scale.small(), seed=1)
    write_standards(world, tmp / "standards")
    learners = tmp / "learners.jsonl"
    with learners.open("w", encoding="utf-8") as out:
        for record in portfolios(world, BATCH_LEARNERS, seed=1):
            out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
    digests: dict[str, str] = {}
    for summary in (False, True):
        target = tmp / f"out-{summary}.jsonl"
        run_batch(
            learners,
            target,
            standards=[tmp / "standards"],
            program_field="program",
            as_of=SYNTHETIC_AS_OF,
            workers=1,
            cache=False,
            summary=summary,
        )
        digests["summary" if summary else "full"] = _digest(target.read_bytes())
    return digests


def ledger_hashes(tmp: Path) -> list[str]:
    import creditbank
    from creditbank.ledger import Ledger
    from creditbank.ledger.chain import event_hash
    from creditbank.testing.ledger import (
        MENU,
        OPERATOR,
        PROGRAMS,
        REGISTRAR,
        REVIEWER,
        fixed_clock,
        issuer_of,
        learner,
    )

    standards = creditbank.load_standards(creditbank.bundled_standards_path())
    account = "w-001"
    me = learner(account)
    with Ledger.open(tmp / "bank.db", standards, create=True, clock=fixed_clock) as ledger:
        ledger.open_account(account, actor=me, key="open")
        for name in ("elec-l4", "elec-l3", "plc-training", "safety-online", "welder-l4"):
            ledger.deposit(account, MENU[name], actor=issuer_of(MENU[name]), key=f"dep:{name}")
        first = ledger.apply(
            account, PROGRAMS[0], actor=OPERATOR, key="apply-1", as_of=dt.date(2026, 1, 1)
        ).application
        assert first is not None
        ledger.review(account, first, actor=REVIEWER, key="rev-1", reason="材料齐全")
        ledger.approve(account, first, actor=REGISTRAR, key="appr-1", reason="同意")
        ledger.revoke(account, "plc-training", actor=OPERATOR, key="revoke-1", reason="证书撤销")
        second = ledger.apply(
            account, PROGRAMS[1], actor=OPERATOR, key="apply-2", as_of=dt.date(2026, 2, 1)
        ).application
        assert second is not None
        ledger.review(account, second, actor=REVIEWER, key="rev-2")
        ledger.reject(account, second, actor=REGISTRAR, key="rej-2", reason="材料不全")
        assert ledger.verify().ok
        return [event_hash(line) for line in ledger.export_events()]


def current(tmp: Path) -> dict[str, Any]:
    (tmp / "batch").mkdir()
    (tmp / "ledger").mkdir()
    return {
        "evaluations": evaluations(),
        "cli": cli_outputs(),
        "batch": batch_outputs(tmp / "batch"),
        "ledger": ledger_hashes(tmp / "ledger"),
    }


def test_behaviour_is_unchanged(tmp_path: Path) -> None:
    recorded = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    now = current(tmp_path)
    changed = [
        f"{part}: {key}"
        for part in ("evaluations", "cli", "batch")
        for key in sorted(set(recorded[part]) | set(now[part]))
        if recorded[part].get(key) != now[part].get(key)
    ]
    if recorded["ledger"] != now["ledger"]:
        changed.append(f"ledger: {len(recorded['ledger'])} recorded, {len(now['ledger'])} now")
    assert not changed, (
        "behaviour changed; if meant (a named bug fix), run "
        f"`{REGENERATE}` and say why in the commit:\n  " + "\n  ".join(changed)
    )


if __name__ == "__main__":  # pragma: no cover - the regeneration command
    import tempfile

    if sys.argv[1:] != ["--update"]:
        sys.exit(f"usage: {REGENERATE}")
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory() as scratch:
        snapshot = current(Path(scratch))
    SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
    SNAPSHOT.write_text(json.dumps(snapshot, indent=1, ensure_ascii=False) + "\n", "utf-8")
    print(f"wrote {SNAPSHOT.relative_to(ROOT)}")
