"""How long one evaluation of a large portfolio takes: 50 achievements, a 40-course programme.

Run: ``python benchmarks/large_portfolio.py [--profile dense|realistic] [--seed N] [--repeat N]
[--achievements N]``. Prints the time of one evaluation (best and median of the repeats), the
time of validating the same portfolio with pydantic (the floor), and the ratio.

``--seeds 0-20`` runs every seed of the range instead and prints one line per seed (best and
median of the repeats, the total recognised, which solver decided) and a summary: the
minimum, median and maximum over the seeds of each seed's best time. Deterministic from the
seed; nothing here is asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time
from decimal import Decimal
from typing import Any

from creditbank import Portfolio, Standards, evaluate
from creditbank.models import (
    Cap,
    CourseUnit,
    ExemptCourses,
    Framework,
    Label,
    Level,
    Match,
    OtherUnit,
    Program,
    Requirement,
    RequirementCredits,
    Rule,
    TrainingUnit,
)

AS_OF = dt.date(2026, 6, 30)
TYPES = ["public_basic", "professional_foundation", "professional_core"]


def build(
    seed: int, courses: int = 40, units: int = 20, achievements: int = 50
) -> tuple[Standards, Portfolio]:
    rnd = random.Random(seed)
    levels = tuple(Level(id=f"L{r}", rank=r, name=Label(en=f"level {r}")) for r in range(1, 6))
    scale = Framework(id="scale", name=Label(en="scale"), example=True, levels=levels)
    course_items = [
        CourseUnit(
            id=f"c{i}",
            name=Label(en=f"course {i}"),
            example=True,
            credits=rnd.choice(["2", "3", "4"]),
            hours=Decimal(48),
            course_type=TYPES[i % 3],
        )
        for i in range(courses)
    ]
    unit_items: list[Any] = [
        OtherUnit(
            id=f"u{i}",
            name=Label(en=f"certificate {i}"),
            example=True,
            framework="scale",
            family=f"f{i % 7}",
            tags=("online",) if i % 5 == 0 else (),
        )
        for i in range(units)
    ]
    unit_items += [
        TrainingUnit(
            id=f"t{i}",
            name=Label(en=f"training {i}"),
            example=True,
            hours=Decimal(rnd.choice([16, 32, 48])),
        )
        for i in range(5)
    ]
    program = Program(
        id="p",
        name=Label(en="programme"),
        example=True,
        education_level="higher_vocational",
        total_credits=Decimal(150),
        hours_per_credit=Decimal(16),
        requirements=(
            Requirement(
                id="core",
                name=Label(en="core"),
                kind="required_courses",
                courses=tuple(c.id for c in course_items[:30]),
            ),
            Requirement(
                id="pool",
                name=Label(en="pool"),
                kind="elective_pool",
                courses=tuple(c.id for c in course_items[30:]),
                min_credits=Decimal(20),
            ),
        ),
    )
    rules = []
    for i, unit in enumerate(unit_items[:units]):
        for level in ("L2", "L3", "L4"):
            targets = rnd.sample(course_items, 3)
            rules.append(
                Rule(
                    id=f"r{i}-{level}",
                    name=Label(en="rule"),
                    example=True,
                    programs=("p",),
                    when=Match(units=(unit.id,), level={"at_least": level}),
                    then=ExemptCourses(
                        courses=tuple(c.id for c in targets), choose="any", max_courses=2
                    ),
                )
            )
        rules.append(
            Rule(
                id=f"r{i}-credits",
                name=Label(en="rule"),
                example=True,
                programs=("p",),
                when=Match(units=(unit.id,)),
                then=RequirementCredits(requirement="pool", credits=Decimal(2)),
            )
        )
    for t in unit_items[units:]:
        rules.append(
            Rule(
                id=f"r-{t.id}",
                name=Label(en="rule"),
                example=True,
                programs=("p",),
                when=Match(units=(t.id,)),
                then={"kind": "hours_to_credits", "requirement": "pool"},
            )
        )
    caps = [
        Cap.model_validate({"id": "half", "name": "50 %", "example": True, "max_share": "50%"}),
        Cap.model_validate(
            {
                "id": "online",
                "name": "online",
                "example": True,
                "max_share": "25%",
                "counts": {"tags": ["online"]},
            }
        ),
        Cap.model_validate(
            {
                "id": "eight",
                "name": "8 per achievement",
                "example": True,
                "per": "achievement",
                "max_credits": 8,
            }
        ),
        Cap.model_validate(
            {"id": "one-per-course", "name": "R1", "example": True, "per": "course", "max_count": 1}
        ),
        Cap.model_validate(
            {
                "id": "highest",
                "name": "highest",
                "example": True,
                "per": "family",
                "highest_only": True,
            }
        ),
    ]
    standards = Standards([scale, *course_items, *unit_items, program, *rules, *caps])
    portfolio = Portfolio.model_validate(
        {
            "learner": "big",
            "achievements": [
                {
                    "id": f"a{i}",
                    "unit": (u := rnd.choice(unit_items)).id,
                    "level": rnd.choice(["L1", "L2", "L3", "L4", "L5"])
                    if u.kind == "other"
                    else None,
                    "earned_on": dt.date(
                        2020 + rnd.randrange(6), rnd.randrange(1, 13), 1
                    ).isoformat(),
                }
                for i in range(achievements)
            ],
        }
    )
    return standards, portfolio


def build_realistic(seed: int) -> tuple[Standards, Portfolio]:
    """A worker's long record: 38 training records, 8 certificates climbing the levels of 3
    occupations, 4 prior courses; each certificate level maps to one or two courses."""
    standards, _ = build(seed)
    rnd = random.Random(seed)
    certificates = [u for u in standards.units.values() if u.kind == "other"][:3]
    trainings = [u for u in standards.units.values() if u.kind == "training"]
    records: list[dict[str, Any]] = []
    for i in range(38):
        records.append(
            {
                "id": f"t{i}",
                "unit": rnd.choice(trainings).id,
                "earned_on": dt.date(2019 + i % 7, 1 + i % 12, 1).isoformat(),
            }
        )
    for i in range(8):
        unit = certificates[i % 3]
        records.append(
            {
                "id": f"c{i}",
                "unit": unit.id,
                "level": f"L{1 + i // 3 + 1}",
                "earned_on": dt.date(2018 + i, 6, 1).isoformat(),
            }
        )
    for i in range(4):
        records.append(
            {
                "id": f"x{i}",
                "unit": certificates[i % 3].id,
                "level": "L1",
                "earned_on": dt.date(2017, 1 + i, 1).isoformat(),
            }
        )
    return standards, Portfolio.model_validate({"learner": "long", "achievements": records})


def _timed(
    profile: str, seed: int, repeat: int, achievements: int
) -> tuple[list[float], list[float], Any]:
    if profile == "dense":
        standards, portfolio = build(seed, achievements=achievements)
    else:
        standards, portfolio = build_realistic(seed)
    payload = portfolio.model_dump_json()
    floor_times, times = [], []
    evaluation = None
    for _ in range(repeat):
        start = time.perf_counter()
        Portfolio.model_validate_json(payload)
        floor_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        evaluation = evaluate(standards, portfolio, "p", AS_OF)
        times.append(time.perf_counter() - start)
    return times, floor_times, evaluation


def _seed_range(text: str) -> list[int]:
    first, _, last = text.partition("-")
    return list(range(int(first), int(last or first) + 1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--seeds", help="a range of seeds, e.g. 0-20: one line each, a summary")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--achievements", type=int, default=50, help="portfolio size (dense profile only)"
    )
    parser.add_argument(
        "--profile",
        choices=["dense", "realistic"],
        default="dense",
        help="dense: 50 achievements of 25 units at random levels, every unit "
        "with four rules (a hard case); realistic: a long working life's record",
    )
    args = parser.parse_args()
    if args.seeds:
        bests = []
        for seed in _seed_range(args.seeds):
            times, _, evaluation = _timed(args.profile, seed, args.repeat, args.achievements)
            bests.append(min(times))
            print(
                f"seed {seed:3d}: {min(times) * 1000:7.1f} ms (median "
                f"{statistics.median(times) * 1000:7.1f} ms); recognised "
                f"{evaluation.totals.recognised}, optimal={evaluation.totals.optimal}",
                flush=True,
            )
        print(
            f"{args.profile}, {len(bests)} seeds, best of {args.repeat} each: min "
            f"{min(bests) * 1000:.1f} ms, median {statistics.median(bests) * 1000:.1f} ms, "
            f"max {max(bests) * 1000:.1f} ms"
        )
        return
    times, floor_times, evaluation = _timed(args.profile, args.seed, args.repeat, args.achievements)
    best, floor = min(times), min(floor_times)
    portfolio_size = args.achievements if args.profile == "dense" else 50
    print(f"profile {args.profile}, seed {args.seed}, achievements: {portfolio_size}, courses: 40")
    print(
        f"evaluate: {best * 1000:.1f} ms (median {statistics.median(times) * 1000:.1f} ms); "
        f"recognised {evaluation.totals.recognised}, optimal={evaluation.totals.optimal}"
    )
    print(
        f"floor (pydantic validation of the portfolio JSON): {floor * 1e6:.0f} µs; "
        f"ratio {best / floor:.0f}x"
    )


if __name__ == "__main__":
    main()
