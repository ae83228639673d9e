# ruff: noqa: PLC0415 - each stage imports only what it measures, in its own process
"""National-scale benchmarks: each stage's time per item against its floor, and peak memory.

Run ``python benchmarks/run.py`` (the full run of ``benchmarks/RESULTS.md``: 100,000 rules,
1,000,000 learners through ``creditbank batch``) or ``--quick`` (a province: 4,000 rules,
20,000 learners; for a before-and-after of one change). Data is synthetic
(:mod:`creditbank.synthetic`), deterministic from ``--seed``, written to ``--workdir`` (a
temporary directory by default). Every stage runs in its own process, so its peak memory
(RSS) is its own and nothing is warm that a real start would not have warm.

Stages and their floors:

========================  =========================================================
parse (floor)             PyYAML's C loader (``yaml.load``, ``CSafeLoader``) on every
                          standards file, the garbage collector on and off (the faster
                          one is the floor)
load                      ``load_standards`` without the cache: parse, validate, check
                          references, index — against the parse floor
load from cache           ``load_standards`` of the same files, from the compiled cache
                          (in a new process, as a repeated start)
validate (floor)          pydantic ``Portfolio.model_validate_json`` of each portfolio
evaluate                  ``evaluate()`` of each portfolio once, national standards
result                    the result alone, for a tenth of the evaluated learners:
                          its models built from plain data with validation (as the
                          engine's constructors do, ``Evaluation.model_validate``)
                          and written as the batch writes it (the models' serializer,
                          JSON bytes); what the engine pays on top of deciding
evaluate (bundled)        ``evaluate()`` of the example portfolios, bundled standards
batch                     ``creditbank batch`` JSONL in → JSONL out on ``--workers``
                          processes; floor: validation alone, spread over the workers;
                          memory: the whole process tree, sampled (RSS and PSS sums)
batch, grouped            the same learners sorted by programme first (the sort is not
                          timed): learners of one programme in a row share the engine's
                          memos of its rules and caps
========================  =========================================================

Nothing is asserted: the targets of issue 6 are printed beside the figures.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(ROOT))

WARM_UP = 200
"""Learners evaluated before the evaluate stage's timing starts (they build the rule index
of the programmes they apply to); they are not among the learners timed."""

STAGES = (
    "parse",
    "load",
    "cache",
    "validate",
    "evaluate",
    "result",
    "bundled",
    "batch",
    "grouped",
)


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _best(runs: int, work: Callable[[], Any]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


# ---------------------------------------------------------------- stages (one process each)


def stage_parse(work: Path, args: argparse.Namespace) -> dict[str, Any]:
    import yaml

    files = sorted(p for p in (work / "standards").rglob("*.yaml"))
    texts = [p.read_bytes() for p in files]

    def parse() -> int:
        count = 0
        for text in texts:
            count += len(yaml.load(text, Loader=yaml.CSafeLoader).get("items", ()))
        return count

    items = parse()
    with_gc = _best(args.repeat, parse)
    gc.disable()
    without_gc = _best(args.repeat, parse)
    gc.enable()
    return {
        "items": items,
        "seconds": min(with_gc, without_gc),
        "with_gc": with_gc,
        "without_gc": without_gc,
        "bytes": sum(map(len, texts)),
        "peak_mib": _peak_mib(),
    }


def stage_load(work: Path, args: argparse.Namespace) -> dict[str, Any]:
    import creditbank

    start = time.perf_counter()
    standards = creditbank.load_standards(work / "standards", cache=False)
    seconds = time.perf_counter() - start
    start = time.perf_counter()
    gc.collect()  # the load pauses the collector; its first pass afterwards is reported too
    collect = time.perf_counter() - start
    return {
        "items": len(standards),
        "seconds": seconds,
        "first_collection": collect,
        "peak_mib": _peak_mib(),
    }


def stage_cache(work: Path, args: argparse.Namespace) -> dict[str, Any]:
    import creditbank

    cache = work / "cache"
    if not any(cache.glob("standards-*")):  # the first start fills it (not measured)
        subprocess.run(
            [sys.executable, "-c", _FILL, str(work / "standards"), str(cache)],
            check=True,
            cwd=ROOT,
        )
    start = time.perf_counter()
    standards = creditbank.load_standards(work / "standards", cache=cache)
    seconds = time.perf_counter() - start
    start = time.perf_counter()
    gc.collect()
    collect = time.perf_counter() - start
    return {
        "items": len(standards),
        "seconds": seconds,
        "first_collection": collect,
        "peak_mib": _peak_mib(),
    }


_FILL = "import sys, creditbank; creditbank.load_standards(sys.argv[1], cache=sys.argv[2])"


def _records(work: Path, count: int) -> list[tuple[str, str]]:
    """(programme, portfolio JSON) of the first ``count`` learners."""
    out = []
    with (work / "learners.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            program = record.pop("program")
            out.append((program, json.dumps(record, ensure_ascii=False)))
            if len(out) >= count:
                break
    return out


def _timed(items: list[Any], work: Callable[[Any], Any], repeat: int) -> tuple[float, float]:
    """(total seconds, median seconds per item), the best of ``repeat`` rounds."""
    best: list[float] | None = None
    for _ in range(repeat):
        times = []
        for item in items:
            start = time.perf_counter()
            work(item)
            times.append(time.perf_counter() - start)
        if best is None or sum(times) < sum(best):
            best = times
    assert best is not None
    return sum(best), statistics.median(best)


def stage_validate(work: Path, args: argparse.Namespace) -> dict[str, Any]:
    from creditbank.models import Portfolio

    records = [text for _, text in _records(work, args.evaluate)]
    seconds, median = _timed(records, Portfolio.model_validate_json, args.repeat)
    return {"items": len(records), "seconds": seconds, "median": median, "peak_mib": _peak_mib()}


def stage_evaluate(work: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Each portfolio evaluated once, as in a batch: every learner is new to the engine's
    memos (a best-of-rounds figure would find the later rounds memoised)."""
    import creditbank
    from creditbank.models import Portfolio
    from creditbank.synthetic import AS_OF

    standards = creditbank.load_standards(work / "standards", cache=work / "cache")
    standards.fingerprint()
    gc.collect()
    gc.freeze()  # as a batch worker does: the standards are never garbage
    loaded = [
        (p, Portfolio.model_validate_json(t)) for p, t in _records(work, args.evaluate + WARM_UP)
    ]
    records, others = loaded[: args.evaluate], loaded[args.evaluate :]
    with creditbank.bulk_evaluation():  # as a batch worker does
        for program, portfolio in others:  # warm-up, not timed
            creditbank.evaluate(standards, portfolio, program, AS_OF)

        def one(record: tuple[str, Any]) -> None:
            creditbank.evaluate(standards, record[1], record[0], AS_OF)

        seconds, median = _timed(records, one, 1)
    sizes = [len(p.achievements) for _, p in records]
    return {
        "items": len(records),
        "seconds": seconds,
        "median": median,
        "achievements": sum(sizes) / len(sizes),
        "peak_mib": _peak_mib(),
    }


def stage_result(work: Path, args: argparse.Namespace) -> dict[str, Any]:
    """The result alone, for learners evaluated (not timed) as in the evaluate stage: its
    models built from plain data with validation, as the engine's constructors build them,
    and written as JSON bytes, as a batch worker writes them."""
    import creditbank
    from creditbank.engine.result import Evaluation
    from creditbank.models import Portfolio
    from creditbank.synthetic import AS_OF

    standards = creditbank.load_standards(work / "standards", cache=work / "cache")
    records = _records(work, max(1, args.evaluate // 10))
    with creditbank.bulk_evaluation():
        evaluations = [
            creditbank.evaluate(standards, Portfolio.model_validate_json(text), program, AS_OF)
            for program, text in records
        ]
    dumped = [e.model_dump() for e in evaluations]
    build_seconds, build_median = _timed(dumped, Evaluation.model_validate, args.repeat)
    serializer = Evaluation.__pydantic_serializer__
    write_seconds, write_median = _timed(
        evaluations, lambda e: serializer.to_json(e, by_alias=True), args.repeat
    )
    return {
        "items": len(evaluations),
        "seconds": build_seconds + write_seconds,
        "median": build_median + write_median,
        "build_seconds": build_seconds,
        "write_seconds": write_seconds,
        "decisions": sum(len(e.decisions) for e in evaluations) / len(evaluations),
        "peak_mib": _peak_mib(),
    }


def stage_bundled(work: Path, args: argparse.Namespace) -> dict[str, Any]:
    import datetime as dt

    import creditbank
    from creditbank.models import Portfolio

    standards = creditbank.load_standards(creditbank.bundled_standards_path())
    folder = ROOT / "examples" / "portfolios"
    portfolios = [creditbank.load_portfolio(p, standards) for p in sorted(folder.glob("*.yaml"))]
    cases = [(p, prog) for p in portfolios for prog in standards.programs]
    day = dt.date(2026, 11, 29)
    texts = [p.model_dump_json() for p, _ in cases]
    repeat = max(1, args.evaluate // (10 * len(cases)))

    def run() -> None:
        for _ in range(repeat):
            for portfolio, program in cases:
                creditbank.evaluate(standards, portfolio, program, day)

    def floor() -> None:
        for _ in range(repeat):
            for text in texts:
                Portfolio.model_validate_json(text)

    run()
    seconds = _best(args.repeat, run)
    return {
        "items": repeat * len(cases),
        "seconds": seconds,
        "floor_seconds": _best(args.repeat, floor),
        "peak_mib": _peak_mib(),
    }


def _tree_memory_mib(pid: int) -> tuple[float, float]:
    """(RSS, PSS) of a process and all its descendants, summed (Linux /proc).

    The RSS sum counts a page shared by several processes (the standards the batch workers
    share after ``fork``) once in each; the PSS sum divides each shared page among the
    processes that share it, so it is what the tree really occupies."""
    rss = pss = 0
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    stack = [pid]
    while stack:
        current = stack.pop()
        stack.extend(children.get(current, ()))
        for name, key in (("status", "VmRSS:"), ("smaps_rollup", "Pss:")):
            try:
                for line in (Path("/proc") / str(current) / name).read_text().splitlines():
                    if line.startswith(key):
                        if key == "VmRSS:":
                            rss += int(line.split()[1])
                        else:
                            pss += int(line.split()[1])
                        break
            except OSError:
                continue
    return rss / 1024, pss / 1024


def stage_batch(work: Path, args: argparse.Namespace) -> dict[str, Any]:
    return _batch(work, args, work / "batch.jsonl")


def stage_grouped(work: Path, args: argparse.Namespace) -> dict[str, Any]:
    """The same learners sorted by programme first (not timed), as docs/scale.md suggests."""
    grouped = work / "batch-by-program.jsonl"
    with (work / "batch.jsonl").open(encoding="utf-8") as source:
        lines = sorted(
            (line if line.endswith("\n") else line + "\n" for line in source),
            key=lambda line: str(json.loads(line)["program"]),
        )
    with grouped.open("w", encoding="utf-8") as target:
        target.writelines(lines)
    del lines
    try:
        return _batch(work, args, grouped)
    finally:
        grouped.unlink()


def _batch(work: Path, args: argparse.Namespace, learners: Path) -> dict[str, Any]:
    from creditbank.synthetic import AS_OF

    out = work / "results.jsonl"
    out.unlink(missing_ok=True)
    command = [
        sys.executable,
        "-c",
        "from creditbank.cli import main; main()",
        "batch",
        str(learners),
        "--program-field",
        "program",
        "-o",
        str(out),
        "--standards",
        str(work / "standards"),
        "--as-of",
        AS_OF.isoformat(),
        "--workers",
        str(args.workers),
        "--no-progress",
    ]
    env = {**os.environ, "CREDITBANK_CACHE_DIR": str(work / "cache")}
    # stderr to a file: the command reports each bad record there, more than a pipe holds
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        process = subprocess.Popen(command, env=env, cwd=ROOT, stderr=errors)
        peak = peak_pss = 0.0
        linux = Path("/proc/self/stat").exists()
        while process.poll() is None:
            if linux:
                rss, pss = _tree_memory_mib(process.pid)
                peak, peak_pss = max(peak, rss), max(peak_pss, pss)
            time.sleep(0.25)
        seconds = time.perf_counter() - start
        errors.seek(0)
        stderr = errors.read().decode(errors="replace")
    # exit code 1 with an output: some records were bad (reported, skipped); else it failed
    if process.returncode not in (0, 1) or not out.exists():
        tail = "\n".join(stderr.strip().splitlines()[-20:])
        raise SystemExit(f"creditbank batch exited with {process.returncode}:\n{tail}")
    lines = sum(1 for _ in out.open("rb"))
    return {
        "items": lines,
        "seconds": seconds,
        "peak_mib": peak or resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "peak_pss_mib": peak_pss,
        "exit": process.returncode,
        "summary": stderr.strip().splitlines()[-1] if stderr.strip() else "",
        "output_bytes": out.stat().st_size,
    }


RUNNERS: dict[str, Callable[[Path, argparse.Namespace], dict[str, Any]]] = {
    "parse": stage_parse,
    "load": stage_load,
    "cache": stage_cache,
    "validate": stage_validate,
    "evaluate": stage_evaluate,
    "result": stage_result,
    "bundled": stage_bundled,
    "batch": stage_batch,
    "grouped": stage_grouped,
}


# ------------------------------------------------------------------------ the driver


def _generate(work: Path, args: argparse.Namespace) -> dict[str, Any]:
    from creditbank.synthetic import Scale, build_world, portfolios, write_standards

    scale = Scale.small() if args.quick else Scale.national()
    started = time.perf_counter()
    world = build_world(scale, seed=args.seed)
    if (work / "standards").exists():
        shutil.rmtree(work / "standards")
    write_standards(world, work / "standards")
    learners = max(args.evaluate + WARM_UP, args.batch)
    with (
        (work / "learners.jsonl").open("w", encoding="utf-8") as all_out,
        (work / "batch.jsonl").open("w", encoding="utf-8") as batch_out,
    ):
        for index, record in enumerate(portfolios(world, learners, seed=args.seed)):
            line = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
            if index < args.evaluate + WARM_UP:
                all_out.write(line)
            if index < args.batch:
                batch_out.write(line)
    return {
        "scale": scale.__dict__,
        "rules": len(world.rules),
        "programs": len(world.programs),
        "occupations": len(world.occupations),
        "occupations_source": world.occupations_source,
        "seconds": time.perf_counter() - started,
    }


def machine() -> dict[str, Any]:
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = "unknown"
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split("MemTotal:")[1].split()[0])
        memory = f"{kib / 1024 / 1024:.1f} GiB"
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory": memory,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def _run_stage(name: str, work: Path, args: argparse.Namespace) -> dict[str, Any]:
    command = [sys.executable, __file__, "--stage", name, "--workdir", str(work)]
    command += ["--repeat", str(args.repeat), "--evaluate", str(args.evaluate)]
    command += ["--workers", str(args.workers)]
    env = {**os.environ, "CREDITBANK_CACHE_DIR": str(work / "cache")}
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"stage {name} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _us(seconds: float, items: int) -> float:
    return seconds / max(items, 1) * 1e6


def table(results: dict[str, dict[str, Any]], args: argparse.Namespace) -> list[list[str]]:
    """Rows: stage, items, time per item, floor per item, ratio, peak memory, note."""
    parse, load, cache = results["parse"], results["load"], results["cache"]
    validate, evaluate = results["validate"], results["evaluate"]
    bundled, batch = results["bundled"], results["batch"]
    parse_us = _us(parse["seconds"], parse["items"])
    validate_us = _us(validate["seconds"], validate["items"])
    rows = []

    def row(name: str, item: str, per: float, *figures: Any) -> None:
        floor, peak, note = figures
        rows.append(
            [
                name,
                item,
                f"{per:,.1f} µs",
                f"{floor:,.1f} µs" if floor is not None else "—",
                f"{per / floor:.2f}x" if floor else "—",
                f"{peak:,.0f} MiB",
                note,
            ]
        )

    row(
        "parse (floor)",
        f"{parse['items']:,} items, {parse['bytes'] / 2**20:.1f} MiB",
        parse_us,
        None,
        parse["peak_mib"],
        f"{parse['seconds']:.2f} s (gc on {parse['with_gc']:.2f} s, "
        f"off {parse['without_gc']:.2f} s)",
    )
    load_us = _us(load["seconds"], load["items"])
    row(
        "load",
        f"{load['items']:,} items",
        load_us,
        parse_us,
        load["peak_mib"],
        f"{load['seconds']:.2f} s (+{load['first_collection']:.2f} s first gc); target <= 2x",
    )
    cache_us = _us(cache["seconds"], cache["items"])
    row(
        "load from cache",
        f"{cache['items']:,} items",
        cache_us,
        parse_us,
        cache["peak_mib"],
        f"{cache['seconds']:.2f} s (+{cache['first_collection']:.2f} s first gc); target <= 0.25x",
    )
    row(
        "validate (floor)",
        f"{validate['items']:,} portfolios",
        validate_us,
        None,
        validate["peak_mib"],
        "pydantic model_validate_json",
    )
    evaluate_us = _us(evaluate["seconds"], evaluate["items"])
    row(
        "evaluate (mean)",
        f"{evaluate['items']:,} portfolios ({evaluate['achievements']:.1f} achievements)",
        evaluate_us,
        validate_us,
        evaluate["peak_mib"],
        f"{1e6 / evaluate_us:,.0f}/s per core; target >= 10,000/s, <= 5x",
    )
    row(
        "evaluate (median)",
        "the typical portfolio",
        evaluate["median"] * 1e6,
        validate["median"] * 1e6,
        evaluate["peak_mib"],
        f"{1 / evaluate['median']:,.0f}/s per core",
    )
    result = results["result"]
    row(
        "result (build + write)",
        f"{result['items']:,} evaluations ({result['decisions']:.1f} decisions)",
        _us(result["seconds"], result["items"]),
        None,
        result["peak_mib"],
        f"build {_us(result['build_seconds'], result['items']):,.1f} µs + write "
        f"{_us(result['write_seconds'], result['items']):,.1f} µs; medians "
        f"{result['median'] * 1e6:,.1f} µs",
    )
    bundled_us = _us(bundled["seconds"], bundled["items"])
    row(
        "evaluate (bundled)",
        f"{bundled['items']:,} evaluations",
        bundled_us,
        _us(bundled["floor_seconds"], bundled["items"]),
        bundled["peak_mib"],
        f"{1e6 / bundled_us:,.0f}/s per core",
    )

    def batch_note(stage: dict[str, Any], per: float) -> str:
        # µs per learner is also seconds per million learners
        return (
            f"{stage['seconds']:.1f} s wall; 1,000,000 in {per / 60:.1f} min; "
            f"PSS {stage.get('peak_pss_mib', 0):,.0f} MiB"
        )

    batch_us = _us(batch["seconds"], batch["items"])
    row(
        f"batch ({args.workers} workers)",
        f"{batch['items']:,} learners",
        batch_us,
        validate_us / args.workers,
        batch["peak_mib"],
        batch_note(batch, batch_us) + "; target <= 2 min, <= 1 GiB",
    )
    grouped = results["grouped"]
    grouped_us = _us(grouped["seconds"], grouped["items"])
    row(
        f"batch, grouped ({args.workers} workers)",
        f"{grouped['items']:,} learners by programme",
        grouped_us,
        validate_us / args.workers,
        grouped["peak_mib"],
        batch_note(grouped, grouped_us) + f"; {batch_us / grouped_us:.2f}x the batch",
    )
    return rows


def _print(rows: list[list[str]], markdown: bool) -> None:
    header = ["stage", "items", "time/item", "floor/item", "ratio", "peak RSS", "note"]
    if markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "|".join("---" for _ in header) + "|")
        for row in rows:
            print("| " + " | ".join(row) + " |")
        return
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a province (smaller data)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the generated data")
    parser.add_argument(
        "--repeat", type=int, default=None, help="best of N (default 3; 1), not for evaluate"
    )
    parser.add_argument("--evaluate", type=int, default=None, help="learners to evaluate")
    parser.add_argument("--batch", type=int, default=None, help="learners in the batch")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--stage", choices=STAGES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.repeat is None:
        args.repeat = 1 if args.quick else 3
    if args.evaluate is None:
        args.evaluate = 3_000 if args.quick else 20_000
    if args.batch is None:
        args.batch = 20_000 if args.quick else 1_000_000
    if args.stage:
        print(json.dumps(RUNNERS[args.stage](args.workdir, args)))
        return
    work = args.workdir or Path(tempfile.mkdtemp(prefix="creditbank-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    info = machine()
    print(
        f"machine: {info['nproc']} cpus, {info['cpu']}, {info['memory']}, Python {info['python']}"
    )
    generated = _generate(work, args)
    print(
        f"data: {generated['rules']:,} rules, {generated['programs']} programmes, "
        f"{generated['occupations']:,} occupations ({generated['occupations_source']}), "
        f"{max(args.evaluate + WARM_UP, args.batch):,} learners; "
        f"made in {generated['seconds']:.1f} s"
    )
    results: dict[str, dict[str, Any]] = {}
    try:
        for name in STAGES:
            started = time.perf_counter()
            results[name] = _run_stage(name, work, args)
            print(f"  {name}: {time.perf_counter() - started:.1f} s", file=sys.stderr)
        rows = table(results, args)
        _print(rows, args.markdown)
        if results["batch"].get("summary"):
            print(f"batch: {results['batch']['summary']}")
        if args.json:
            args.json.write_text(
                json.dumps({"machine": info, "data": generated, "stages": results}, indent=2)
            )
    finally:
        if args.workdir is None and not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
