"""Peak memory and time of ``creditbank report --batch`` on many synthetic batch results.

Run: ``python benchmarks/report_batch.py --learners 100000 [--summary] [--keep DIR]``. The
example portfolios are evaluated once by ``creditbank batch`` (against demo-college:460301,
full ``creditbank.evaluation/1`` lines, or ``--summary`` lines); their input and result
lines are then cloned, in order, into ``--learners`` learners (ids renamed, regions and
migrant-worker status drawn from a fixed seed). ``creditbank report --batch --input
--format json`` then runs in a fresh process and its wall time and peak RSS (``getrusage``
of that child alone) are printed, for a tenth of the learners first (unless ``--no-tenth``)
and then for the whole: a flat peak RSS is the streaming working.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import tempfile
from pathlib import Path

from creditbank.batch import run_batch
from creditbank.bundled import bundled_standards_path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from report_ledger import peak  # noqa: E402  (the sibling benchmark's measuring wrapper)

REGIONS = ("440300", "441900", "320200", "110105", "510100", "330100", "420100", "610100")
PROGRAM = "demo-college:460301"
Template = list[tuple[dict[str, object], dict[str, object]]]


def _template(work: Path, summary: bool) -> Template:
    """(input record, result line) of each example portfolio, evaluated by the batch."""
    import yaml  # noqa: PLC0415 (a test dependency, needed only here)

    source = work / "template-in.jsonl"
    records = [
        yaml.safe_load(file.read_text(encoding="utf-8"))
        for file in sorted((ROOT / "examples" / "portfolios").glob("*.yaml"))
    ]
    source.write_text(
        "".join(json.dumps(r, default=str, ensure_ascii=False) + "\n" for r in records),
        encoding="utf-8",
    )
    out = work / "template-out.jsonl"
    run_batch(
        source,
        out,
        standards=[bundled_standards_path()],
        program=PROGRAM,
        as_of=dt.date(2026, 11, 29),
        workers=1,
        summary=summary,
    )
    results = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    by_learner = {r["learner"]: r for r in records}
    return [(by_learner[r["learner"]], r) for r in results]


def fill(work: Path, learners: int, templates: Template) -> tuple[Path, Path]:
    rng = random.Random(19)
    source, results = work / f"in-{learners}.jsonl", work / f"out-{learners}.jsonl"
    with source.open("w", encoding="utf-8") as ins, results.open("w", encoding="utf-8") as outs:
        for number in range(learners):
            record, result = templates[number % len(templates)]
            learner = f"s-{number:07d}"
            profile = dict(record.get("profile") or {})  # type: ignore[call-overload]
            profile.update(region=rng.choice(REGIONS), migrant_worker=rng.random() < 0.6)
            ins.write(json.dumps({**record, "learner": learner, "profile": profile},
                                 default=str, ensure_ascii=False) + "\n")  # fmt: skip
            outs.write(json.dumps({**result, "learner": learner}, ensure_ascii=False) + "\n")
    return source, results


def report(source: Path, results: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of ``creditbank report --batch`` in a fresh process."""
    out = results.with_suffix(".report.json")
    return peak([sys.executable, "-m", "creditbank", "report", "--batch", str(results),
                 "--input", str(source), "--format", "json", "-o", str(out)])  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--summary", action="store_true", help="Summary result lines.")
    parser.add_argument("--no-tenth", action="store_true")
    parser.add_argument("--keep", type=Path, default=None, help="Keep the files here.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        work = args.keep or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        templates = _template(work, args.summary)
        sizes = [args.learners] if args.no_tenth else [args.learners // 10, args.learners]
        for learners in sizes:
            source, results = fill(work, learners, templates)
            seconds, rss = report(source, results)
            mib = results.stat().st_size / 2**20
            print(f"{learners:,} learners, results {mib:,.0f} MiB: report {seconds:,.0f} s, "
                  f"peak RSS {rss:,.0f} MiB")  # fmt: skip


if __name__ == "__main__":
    main()
