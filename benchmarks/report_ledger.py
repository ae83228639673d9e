"""Peak memory and time of ``creditbank report`` on a synthetic ledger of many learners.

Run: ``python benchmarks/report_ledger.py --learners 100000 [--db PATH]``. A template ledger
is built from the example portfolios (tests/progress/demo.py does the same: profiles,
deposits, an application to demo-college:460301 reviewed and approved, funded places); its
accounts' events are then cloned, in order, into ``--learners`` accounts of a new SQLite
ledger (written straight through the store, 2,000 learners a transaction, hash chains and
projection as usual) with regions and migrant-worker status drawn from a fixed seed. The
evaluation each application stores is cut to its totals (the report reads only those) to
keep the file small. Then ``creditbank report --format json`` runs in a child process and
its wall time and peak RSS (``getrusage`` of that child alone) are printed, for a ledger of
a tenth of the learners first (unless ``--no-tenth``) and then for the whole: a flat peak
RSS is the streaming working.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from creditbank.ledger import Ledger
from creditbank.ledger.events import ApplicationSubmitted, Event, ProfileRecorded
from creditbank.ledger.store import Draft
from creditbank.loading import load_standards

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.progress.demo import build  # noqa: E402

BATCH = 2000
REGIONS = ("440300", "441900", "320200", "110105", "510100", "330100", "420100", "610100")


def _template(standards_dir: Path, work: Path) -> list[list[Event]]:
    with build(work / "template.db", load_standards(standards_dir)) as ledger:
        groups = [ledger.events(account) for account in ledger.accounts()]
    # one programme per learner: the applications to the second programme are left out
    kept = []
    for events in groups:
        dropped = {
            e.payload.application
            for e in events
            if isinstance(e.payload, ApplicationSubmitted) and e.payload.program.endswith("460304")
        }
        kept.append(
            [e for e in events if getattr(e.payload, "application", None) not in dropped
             and getattr(e.payload, "program", "").endswith("460304") is False]
        )  # fmt: skip
    return kept


def _clone(template: list[Event], account: str, rng: random.Random) -> list[Draft]:
    drafts = []
    for event in template:
        payload = event.payload
        if isinstance(payload, ApplicationSubmitted):
            totals = payload.evaluation.get("totals", {})
            payload = payload.model_copy(update={"evaluation": {"totals": totals}})
        elif isinstance(payload, ProfileRecorded):
            payload = ProfileRecorded(
                region=rng.choice(REGIONS),
                migrant_worker=rng.random() < 0.6,
                union_member=payload.union_member,
                education=payload.education,
            )
        drafts.append(
            Draft(account, event.at, event.actor, event.command, f"{account}:{event.account_seq}",
                  event.command_hash, payload)
        )  # fmt: skip
    return drafts


def fill(db: Path, learners: int, templates: list[list[Event]]) -> float:
    rng = random.Random(19)
    begin = time.perf_counter()
    with Ledger.open(db, create=True) as ledger:
        for start in range(0, learners, BATCH):
            with ledger.store.writing() as tx:
                drafts: list[Draft] = []
                for number in range(start, min(start + BATCH, learners)):
                    template = templates[number % len(templates)]
                    account = f"s-{number:07d}"
                    actorless = [
                        e.model_copy(update={"actor": e.actor.model_copy(update={"id": account})})
                        if e.actor.role == "learner" else e
                        for e in template
                    ]  # fmt: skip
                    drafts += _clone(actorless, account, rng)
                tx.append(drafts)
    return time.perf_counter() - begin


_MEASURE = """
import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def report(db: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of ``creditbank report``, run by a fresh process so
    that the peak is this report's alone."""
    command = [sys.executable, "-m", "creditbank", "report", "--db", str(db), "--format",
               "json", "-o", str(db.with_suffix(".json"))]  # fmt: skip
    return peak(command)


def peak(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of ``command``, run by a wrapper process so that
    the peak is the command's alone (``getrusage`` of the wrapper's children)."""
    begin = time.perf_counter()
    shown = subprocess.run(
        [sys.executable, "-c", _MEASURE, *command], check=True, capture_output=True, text=True
    ).stdout
    return time.perf_counter() - begin, int(shown.split()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--db", type=Path, default=None, help="Keep the ledger here.")
    parser.add_argument(
        "--no-tenth", action="store_true", help="Skip the ledger of a tenth of the learners."
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="creditbank-report-"))
    templates = _template(ROOT / "standards", work)
    sizes = (args.learners,) if args.no_tenth else (args.learners // 10, args.learners)
    for learners in sizes:
        db = args.db if args.db and learners == args.learners else work / f"{learners}.db"
        seconds = fill(db, learners, templates)
        events = sum(1 for _ in Ledger.open(db, read_only=True).stream_accounts())
        wall, peak = report(db)
        size = db.stat().st_size / 2**20
        print(
            f"{learners:>9,} learners ({events:,} accounts read, {size:,.0f} MiB ledger, "
            f"filled in {seconds:.0f} s): report {wall:.1f} s, child peak RSS {peak:.0f} MiB"
        )


if __name__ == "__main__":
    main()
