"""The synthetic country: occupations, schools, programmes, rules, caps, and learners.

:func:`build_world` makes every item as plain data (deterministic from ``seed``);
:func:`write_standards` writes them as standards YAML files; :func:`portfolios` yields learner
records that :func:`write_portfolios` writes as JSON lines. Everything is ``example: true``.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

__all__ = [
    "AS_OF",
    "Scale",
    "World",
    "build_world",
    "default_occupations_csv",
    "portfolios",
    "write_portfolios",
    "write_standards",
]

AS_OF = dt.date(2026, 6, 30)
"""The day the synthetic learners are evaluated on."""

_CODE = re.compile(r"^\d-\d{2}-\d{2}-\d{2}$")
_SKILL_LEVELS = ("5", "4", "3", "2", "1")
_X_LEVELS = ("初级", "中级", "高级")
_PRIZES = ("一等奖", "二等奖", "三等奖")
_TRAINING_HOURS = (16, 24, 32, 48, 64, 96, 128)
_COURSE_STEMS = (
    "基础",
    "技术",
    "实训",
    "工艺",
    "安全",
    "维护",
    "设计",
    "检测",
    "管理",
    "应用",
)
_PUBLIC_COURSES = (
    "思想道德与法治",
    "大学英语",
    "高等数学",
    "信息技术",
    "体育与健康",
    "职业生涯规划",
    "劳动教育",
    "心理健康教育",
    "应用文写作",
    "创新创业基础",
)


@dataclass(frozen=True)
class Scale:
    """How big the synthetic country is. :meth:`national` is the size the benchmarks use."""

    occupations: int = 1600
    schools: int = 150
    programs_per_school: int = 5
    courses_per_program: int = 40
    rules: int = 100_000
    x_certificates: int = 400
    trainings: int = 800
    competitions: int = 300

    @classmethod
    def national(cls) -> Scale:
        """About 1,600 occupations, 750 programmes of 40 courses, 100,000 rules."""
        return cls()

    @classmethod
    def small(cls) -> Scale:
        """A province-sized slice: 30 programmes, 4,000 rules (quick to load and evaluate)."""
        return cls(
            occupations=300,
            schools=10,
            programs_per_school=3,
            rules=4_000,
            x_certificates=60,
            trainings=120,
            competitions=30,
        )

    @classmethod
    def tiny(cls) -> Scale:
        """A handful of programmes and 300 rules, for tests."""
        return cls(
            occupations=60,
            schools=2,
            programs_per_school=2,
            courses_per_program=24,
            rules=300,
            x_certificates=12,
            trainings=24,
            competitions=6,
        )

    @property
    def programs(self) -> int:
        return self.schools * self.programs_per_school


@dataclass
class _Occupation:
    id: str
    code: str
    name: str
    levels: tuple[str, ...]
    skill_unit: str
    validity: int | None


@dataclass
class _Program:
    id: str
    school: str
    public: list[str]
    foundation: list[str]
    core: list[str]
    electives: list[str]
    window: list[int]
    x_certificates: list[int]
    trainings: list[int]


@dataclass
class World:
    """Every synthetic item as plain data, grouped by the file it is written to."""

    scale: Scale
    seed: int
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    occupations: list[_Occupation] = field(default_factory=list)
    programs: list[_Program] = field(default_factory=list)
    rules: list[dict[str, Any]] = field(default_factory=list)
    courses: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Course id -> (credits, hours)."""
    x_certificates: list[str] = field(default_factory=list)
    trainings: list[tuple[str, int, bool]] = field(default_factory=list)
    """Training unit id, hours, online."""
    awards: list[str] = field(default_factory=list)
    assessment_centres: list[str] = field(default_factory=list)
    employers: list[tuple[str, set[int]]] = field(default_factory=list)
    x_organisations: list[str] = field(default_factory=list)
    training_providers: list[str] = field(default_factory=list)
    organisers: list[str] = field(default_factory=list)
    occupations_source: str = "synthetic"


def default_occupations_csv() -> Path:
    """``../shared/data/csco22.csv`` beside the repository this package is in."""
    return Path(__file__).resolve().parents[3] / "shared" / "data" / "csco22.csv"


def _read_occupations(path: Path | None, count: int, rnd: random.Random) -> list[tuple[str, str]]:
    """(code, name) of ``count`` occupations: from the classification when readable."""
    rows: list[tuple[str, str]] = []
    seen: set[str] = set()
    if path is not None and path.is_file():
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                code, name = row.get("code", "").strip(), row.get("name", "").strip()
                if row.get("level") == "4" and _CODE.match(code) and name and code not in seen:
                    seen.add(code)  # the classification lists a few codes twice
                    rows.append((code, name.rstrip("SL") or name))
    if len(rows) >= count:
        picked = sorted(rnd.sample(range(len(rows)), count))
        return [rows[i] for i in picked]
    index = 0
    while len(rows) < count:
        code = f"9-{index // 900 % 100:02d}-{index // 30 % 30:02d}-{index % 30:02d}"
        if code not in seen:
            rows.append((code, f"职业 {index:04d}"))
        index += 1
    return sorted(rows)


def build_world(
    scale: Scale | None = None,
    seed: int = 0,
    *,
    occupations_csv: Path | str | bool | None = True,
) -> World:
    """Make the synthetic standards. ``occupations_csv``: True for the default path (used
    when present), a path, or None/False for invented occupations."""
    scale = scale or Scale.national()
    csv_path: Path | None
    if occupations_csv is True:
        csv_path = default_occupations_csv()
    elif occupations_csv in (None, False):
        csv_path = None
    else:
        csv_path = Path(str(occupations_csv))
    world = World(scale, seed)
    rnd = random.Random(f"creditbank-synthetic:{seed}")
    rows = _read_occupations(csv_path, scale.occupations, rnd)
    world.occupations_source = (
        str(csv_path) if csv_path is not None and csv_path.is_file() else "synthetic"
    )
    _frameworks(world)
    _occupations(world, rows, rnd)
    _units(world, rnd)
    _issuers(world, rnd)
    _programs(world, rnd)
    _rules(world, rnd)
    _caps(world)
    return world


def _doc(kind: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"kind": kind, "example": True, "items": items}


def _frameworks(world: World) -> None:
    skill = {
        "id": "syn-skill",
        "name": {"zh": "职业技能等级", "en": "Vocational skill levels"},
        "scale": "skill",
        "levels": [
            {"id": level, "rank": rank, "name": {"zh": f"{zh}级"}, "aliases": [alias]}
            for rank, (level, zh, alias) in enumerate(
                zip(
                    _SKILL_LEVELS,
                    "五四三二一",
                    ("初级工", "中级工", "高级工", "技师", "高级技师"),
                    strict=True,
                ),
                start=1,
            )
        ],
    }
    onex = {
        "id": "syn-1x",
        "name": {"zh": "1+X 证书等级", "en": "1+X levels"},
        "scale": "certificate",
        "levels": [
            {"id": name, "rank": rank, "name": {"zh": name}}
            for rank, name in enumerate(_X_LEVELS, start=1)
        ],
    }
    prize = {
        "id": "syn-prize",
        "name": {"zh": "竞赛奖项", "en": "Competition prizes"},
        "scale": "award",
        "levels": [
            {"id": name, "rank": rank, "name": {"zh": name}}
            for rank, name in enumerate(reversed(_PRIZES), start=1)
        ],
    }
    world.files["frameworks.yaml"] = _doc("frameworks", [skill, onex, prize])
    world.files["grade_scales.yaml"] = _doc(
        "grade_scales",
        [
            {
                "id": "syn-four-grade",
                "name": {"zh": "四级制"},
                "kind": "ordinal",
                "grades": [
                    {"id": "优秀", "rank": 4, "min_percent": 85},
                    {"id": "良好", "rank": 3, "min_percent": 75},
                    {"id": "合格", "rank": 2, "min_percent": 60},
                    {"id": "不合格", "rank": 1, "min_percent": 0, "passing": False},
                ],
            },
            {
                "id": "syn-percent",
                "name": {"zh": "百分制"},
                "kind": "numeric",
                "minimum": 0,
                "maximum": 100,
                "pass_mark": 60,
            },
        ],
    )


def _occupations(world: World, rows: list[tuple[str, str]], rnd: random.Random) -> None:
    items, units = [], []
    prefix = "csco2022" if world.occupations_source != "synthetic" else "syn-occ"
    for code, name in rows:
        levels = _SKILL_LEVELS if rnd.random() < 0.7 else _SKILL_LEVELS[1:]
        occupation = {
            "id": f"{prefix}:{code}",
            "code": code,
            "edition": 2022,
            "name": name,
            "framework": "syn-skill",
        }
        if len(levels) != len(_SKILL_LEVELS):
            occupation["levels"] = list(levels)
        items.append(occupation)
        validity = 6 if rnd.random() < 0.2 else None
        scope = rnd.choices(("national", "industry", "enterprise"), (85, 10, 5))[0]
        unit: dict[str, Any] = {
            "id": f"skill:{prefix}:{code}",
            "kind": "skill_certificate",
            "name": f"{name}职业技能等级证书",
            "occupation": f"{prefix}:{code}",
            "family": f"fam:{code}",
            "scope": scope,
        }
        if validity:
            unit["validity_years"] = validity
        units.append(unit)
        world.occupations.append(
            _Occupation(f"{prefix}:{code}", code, name, levels, unit["id"], validity)
        )
    world.files["occupations.yaml"] = _doc("occupations", items)
    world.files["units/skill-certificates.yaml"] = _doc("units", units)


def _units(world: World, rnd: random.Random) -> None:
    scale, occs = world.scale, world.occupations
    xs = []
    for k in range(scale.x_certificates):
        start = rnd.randrange(len(occs))
        linked = [occs[(start + i) % len(occs)] for i in range(rnd.choice((1, 1, 2)))]
        unit: dict[str, Any] = {
            "id": f"x:{k:04d}",
            "kind": "x_certificate",
            "name": f"{linked[0].name}（1+X 证书 {k:04d}）",
            "framework": "syn-1x",
            "occupations": [o.id for o in linked],
            "family": f"fam-x:{k:04d}",
            "recognised_credits": {"初级": 3, "中级": 5, "高级": 8},
        }
        if rnd.random() < 0.3:
            unit["validity_years"] = 3
        xs.append(unit)
        world.x_certificates.append(unit["id"])
    trainings = []
    for k in range(scale.trainings):
        hours = rnd.choice(_TRAINING_HOURS)
        online = rnd.random() < 0.25
        occ = occs[rnd.randrange(len(occs))]
        training: dict[str, Any] = {
            "id": f"training:{k:04d}",
            "kind": "training",
            "name": f"{occ.name}培训（{hours} 学时）",
            "hours": hours,
            "assessed": rnd.random() < 0.7,
            "online": online,
            "tags": ["online"] if online else ["classroom"],
        }
        trainings.append(training)
        world.trainings.append((training["id"], hours, online))
    awards = []
    for k in range(scale.competitions):
        tier = rnd.choices(("national", "provincial", "municipal"), (2, 5, 3))[0]
        team = rnd.random() < 0.2
        occ = occs[rnd.randrange(len(occs))]
        awards.append(
            {
                "id": f"award:{k:04d}",
                "kind": "award",
                "name": f"{occ.name}职业技能竞赛（{k:04d}）",
                "tier": tier,
                "team": team,
                "framework": "syn-prize",
                "occupations": [occ.id],
                "tags": ["team" if team else "individual"],
            }
        )
        world.awards.append(f"award:{k:04d}")
    world.files["units/x-certificates.yaml"] = _doc("units", xs)
    world.files["units/training.yaml"] = _doc("units", trainings)
    world.files["units/awards.yaml"] = _doc("units", awards)


def _issuers(world: World, rnd: random.Random) -> None:
    occs = world.occupations
    items: list[dict[str, Any]] = []
    for s in range(world.scale.schools):
        items.append({"id": f"syn-s{s:03d}", "kind": "school", "name": f"示例职业技术学院 {s:03d}"})
    for k in range(20):
        world.assessment_centres.append(f"syn-assess-{k:02d}")
        items.append(
            {
                "id": f"syn-assess-{k:02d}",
                "kind": "evaluation_organisation",
                "name": f"示例职业技能评价机构 {k:02d}",
                "authorised": [{"unit_kinds": ["skill_certificate"]}],
            }
        )
    for k in range(30):
        start = rnd.randrange(len(occs))
        window = {(start + i) % len(occs) for i in range(min(60, len(occs)))}
        world.employers.append((f"syn-employer-{k:02d}", window))
        items.append(
            {
                "id": f"syn-employer-{k:02d}",
                "kind": "employer",
                "name": f"示例企业 {k:02d}（企业自主评价）",
                "authorised": [
                    {
                        "occupations": [occs[i].id for i in sorted(window)],
                        "levels": ["5", "4", "3"],
                        "effective_from": dt.date(2019, 1, 1),
                    }
                ],
            }
        )
    for k in range(10):
        world.x_organisations.append(f"syn-xorg-{k:02d}")
        items.append(
            {
                "id": f"syn-xorg-{k:02d}",
                "kind": "evaluation_organisation",
                "name": f"示例培训评价组织 {k:02d}",
                "authorised": [{"unit_kinds": ["x_certificate"]}],
            }
        )
    for k in range(20):
        world.training_providers.append(f"syn-train-{k:02d}")
        name = f"示例培训机构 {k:02d}"
        items.append({"id": f"syn-train-{k:02d}", "kind": "training_provider", "name": name})
    for k in range(5):
        world.organisers.append(f"syn-organiser-{k}")
        items.append(
            {
                "id": f"syn-organiser-{k}",
                "kind": "competition_organiser",
                "name": f"示例竞赛组委会 {k}",
            }
        )
    world.files["issuers.yaml"] = _doc("issuers", items)


def _course(
    world: World,
    out: list[dict[str, Any]],
    cid: str,
    name: str,
    *,
    course_type: str,
    rnd: random.Random,
    school: str,
) -> str:
    credits = rnd.choice((2, 2, 3, 3, 4))
    hours = credits * 16
    out.append(
        {
            "id": cid,
            "kind": "course",
            "name": name,
            "credits": credits,
            "hours": hours,
            "course_type": course_type,
            "school": school,
        }
    )
    world.courses[cid] = (credits, hours)
    return cid


def _programs(world: World, rnd: random.Random) -> None:
    scale, occs = world.scale, world.occupations
    per = scale.courses_per_program
    n_public = max(2, per // 5)
    n_found = max(2, per // 4)
    n_elect = max(2, per // 4)
    n_core = max(2, per - n_public - n_found - n_elect)
    width = min(30, len(occs))
    for s in range(scale.schools):
        school = f"syn-s{s:03d}"
        courses: list[dict[str, Any]] = []
        public = [
            _course(
                world,
                courses,
                f"course:s{s:03d}:pub{i:02d}",
                _PUBLIC_COURSES[i % len(_PUBLIC_COURSES)],
                course_type="public_basic",
                rnd=rnd,
                school=school,
            )
            for i in range(n_public)
        ]
        programs = []
        for j in range(scale.programs_per_school):
            start = rnd.randrange(len(occs))
            window = [(start + i) % len(occs) for i in range(width)]
            field_name = occs[window[0]].name
            pid = f"syn-s{s:03d}:p{j}"

            made: dict[str, list[str]] = {}
            for prefix, count, course_type in (
                ("f", n_found, "professional_foundation"),
                ("c", n_core, "professional_core"),
                ("e", n_elect, "elective"),
            ):
                made[prefix] = [
                    _course(
                        world,
                        courses,
                        f"course:s{s:03d}:p{j}:{prefix}{i:02d}",
                        f"{occs[window[i % width]].name}{_COURSE_STEMS[i % 10]}",
                        course_type=course_type,
                        rnd=rnd,
                        school=school,
                    )
                    for i in range(count)
                ]
            foundation, core, electives = made["f"], made["c"], made["e"]
            xs = [
                k
                for k, x in enumerate(world.files["units/x-certificates.yaml"]["items"])
                if any(o.id in x["occupations"] for o in (occs[i] for i in window[: width // 2]))
            ][:8]
            while len(xs) < 8 and len(xs) < len(world.x_certificates):
                k = rnd.randrange(len(world.x_certificates))
                if k not in xs:
                    xs.append(k)
            trainings = rnd.sample(range(len(world.trainings)), min(14, len(world.trainings)))
            required = sum(world.courses[c][0] for c in (*public, *foundation, *core))
            programs.append(
                {
                    "id": pid,
                    "name": f"{field_name}技术（示例 {s:03d}-{j}）",
                    "code": f"{46 + s % 10}{(s * 7 + j) % 100:02d}{j:02d}",
                    "school": school,
                    "education_level": "higher_vocational",
                    "duration_years": 3,
                    "total_credits": required + 10,
                    "hours_per_credit": 16,
                    "requirements": [
                        {
                            "id": "public",
                            "name": "公共基础课",
                            "kind": "required_courses",
                            "courses": public,
                        },
                        {
                            "id": "foundation",
                            "name": "专业基础课",
                            "kind": "required_courses",
                            "courses": foundation,
                        },
                        {
                            "id": "core",
                            "name": "专业核心课",
                            "kind": "required_courses",
                            "courses": core,
                        },
                        {
                            "id": "electives",
                            "name": "选修课",
                            "kind": "elective_pool",
                            "courses": electives,
                            "min_credits": 10,
                            "max_credits": 16,
                        },
                    ],
                }
            )
            world.programs.append(
                _Program(pid, school, public, foundation, core, electives, window, xs, trainings)
            )
        world.files[f"units/courses/s{s:03d}.yaml"] = _doc("units", courses)
        world.files[f"programs/s{s:03d}.yaml"] = _doc("programs", programs)


_GRADE = {"policy": "fixed", "value": 60, "scale": "syn-percent"}


def _program_rules(world: World, program: _Program, quota: int, rnd: random.Random) -> list[Any]:
    """About ``quota`` rules of one programme, most varied first."""
    occs = world.occupations
    practice = program.foundation + program.core
    made: list[tuple[dict[str, Any], dict[str, Any], str, dict[str, Any]]] = []

    def add(when: dict[str, Any], then: dict[str, Any], name: str, **extra: Any) -> None:
        made.append((when, then, name, extra))

    # selectors by kind, tag, tier and family (the rules every achievement of a kind meets)
    add(
        {"unit_kinds": ["skill_certificate"], "scopes": ["national"], "must_be_valid": True},
        {"kind": "credits", "requirement": "electives", "credits": 3},
        "国家级职业技能等级证书（有效期内）→ 3 学分",
    )
    for tier, table in (
        ("national", {"一等奖": 4, "二等奖": 3, "三等奖": 2}),
        ("provincial", {"一等奖": 3, "二等奖": 2, "三等奖": 1}),
        ("municipal", {"一等奖": 2, "二等奖": 1.5, "三等奖": 1}),
    ):
        add(
            {"unit_kinds": ["award"], "tiers": [tier], "tags": ["individual"]},
            {"kind": "credits", "requirement": "electives", "credits_by_level": table},
            f"{tier} 技能竞赛个人奖项",
        )
    add(
        {"unit_kinds": ["training"], "tags": ["online"], "assessed": True},
        {
            "kind": "hours_to_credits",
            "requirement": "electives",
            "min_hours": 16,
            "max_credits": 2,
            "rounding": "down",
        },
        "在线培训（经考核）按学时折算",
    )
    first = occs[program.window[0]]
    add(
        {"families": [f"fam:{first.code}"], "level": {"at_least": "3"}},
        {"kind": "exempt_courses", "courses": [practice[0]], "recorded_grade": _GRADE},
        f"{first.name} 证书（同一系列）三级 → 课程",
    )
    # combinations
    w = program.window
    for i in range(2):
        a, b = occs[w[(2 * i + 1) % len(w)]], occs[w[(2 * i + 2) % len(w)]]
        add(
            {
                "all_of": [
                    {"units": [a.skill_unit], "level": {"at_least": "4"}},
                    {"units": [b.skill_unit], "level": {"at_least": "4"}},
                ]
            },
            {"kind": "exempt_courses", "courses": [program.core[-1 - i]], "recorded_grade": _GRADE},
            f"{a.name} + {b.name} 四级 → 核心课",
        )
    trio = [world.trainings[t][0] for t in program.trainings[:3]]
    add(
        {"n": 2, "of": [{"units": [t]} for t in trio]},
        {"kind": "exempt_courses", "courses": [program.electives[0]], "recorded_grade": _GRADE},
        "三项培训中任两项 → 选修课",
    )
    # 1+X certificates (rule R4: level decides the target)
    for k in program.x_certificates:
        x = world.x_certificates[k]
        add(
            {"units": [x], "level": {"one_of": ["初级"]}, "earned_within": {"years": 5}},
            {
                "kind": "exempt_courses",
                "requirements": ["foundation"],
                "choose": "any",
                "max_courses": 1,
                "recorded_grade": _GRADE,
            },
            f"{x} 初级 → 专业基础课一门",
        )
        add(
            {"units": [x], "level": {"one_of": ["中级"]}},
            {
                "kind": "exempt_courses",
                "course_types": ["professional_core"],
                "choose": "any",
                "max_courses": 1,
                "recorded_grade": _GRADE,
            },
            f"{x} 中级 → 专业核心课一门",
        )
        add(
            {"units": [x], "level": {"at_least": "高级"}},
            {
                "kind": "exempt_courses",
                "requirements": ["foundation", "core"],
                "choose": "any",
                "max_courses": 2,
                "recorded_grade": _GRADE,
            },
            f"{x} 高级 → 专业基础课和核心课",
        )
    # training: hours at a rate, or a course when the hours cover it
    for position, t in enumerate(program.trainings):
        tid = world.trainings[t][0]
        if position % 3 == 2:
            add(
                {
                    "units": [tid],
                    "assessed": True,
                    "grade": {"at_least": "合格", "scale": "syn-four-grade"},
                },
                {
                    "kind": "exempt_courses",
                    "courses": [program.electives[position % len(program.electives)]],
                    "min_coverage": "hours",
                    "recorded_grade": _GRADE,
                },
                f"{tid} 经考核合格 → 选修课",
            )
        else:
            add(
                {"units": [tid], "earned_within": {"years": 5}},
                {
                    "kind": "hours_to_credits",
                    "requirement": "electives",
                    "hours_per_credit": 16,
                    "min_hours": 16,
                    "max_credits": 4,
                    "step": 0.5 if position % 2 else 1,
                },
                f"{tid} 按 16 学时 1 学分折算",
            )
    # certificates of the programme's occupations: by occupation, then by unit and level
    for i in w[::2]:
        occ = occs[i]
        add(
            {"occupations": [occ.id], "level": {"at_least": "2"}},
            {"kind": "credits", "requirement": "electives", "credits": 4},
            f"{occ.name} 二级及以上 → 4 学分",
        )
    extra = 0
    while len(made) < quota:
        occ = occs[w[extra % len(w)]] if extra < 2 * len(w) else rnd.choice(occs)
        c1 = practice[rnd.randrange(len(practice))]
        c2 = practice[rnd.randrange(len(practice))]
        if extra % 2 == 0:
            add(
                {"units": [occ.skill_unit], "level": {"at_least": "4"}},
                {"kind": "exempt_courses", "courses": [c1], "recorded_grade": _GRADE},
                f"{occ.name} 四级及以上 → 课程",
            )
        else:
            add(
                {"units": [occ.skill_unit], "level": {"at_least": "3"}},
                {
                    "kind": "exempt_courses",
                    "courses": list(dict.fromkeys((c1, c2))),
                    "recorded_grade": _GRADE,
                },
                f"{occ.name} 三级及以上 → 课程",
                **({"effective_until": dt.date(2020, 8, 31)} if extra % 17 == 3 else {}),
            )
        extra += 1
    return made[:quota]


def _rules(world: World, rnd: random.Random) -> None:
    programs = world.programs
    base, spare = divmod(world.scale.rules, len(programs))
    by_school: dict[str, list[dict[str, Any]]] = {}
    for index, program in enumerate(programs):
        quota = base + (1 if index < spare else 0)
        for n, (when, then, name, extra) in enumerate(_program_rules(world, program, quota, rnd)):
            rule = {
                "id": f"r:{program.id}:{n:04d}",
                "name": name,
                "programs": [program.id],
                "when": when,
                "then": then,
                **extra,
            }
            by_school.setdefault(program.school, []).append(rule)
            world.rules.append(rule)
    for school, rules in by_school.items():
        world.files[f"rules/{school}.yaml"] = _doc("rules", rules)


def _caps(world: World) -> None:
    items: list[dict[str, Any]] = []
    for s in range(world.scale.schools):
        school = f"syn-s{s:03d}"
        base = f"cap:{school}"
        items += [
            {
                "id": f"{base}:half",
                "name": "转换学分不超过 50%",
                "school": school,
                "max_share": "50%",
            },
            {
                "id": f"{base}:online",
                "name": "在线课程证书不超过 25%",
                "school": school,
                "counts": {"online": True},
                "max_share": "25%",
            },
            {
                "id": f"{base}:highest",
                "name": "同系列证书只认最高等级",
                "school": school,
                "per": "family",
                "highest_only": True,
            },
            {
                "id": f"{base}:r1",
                "name": "每门课程只能被一个X证书替代",
                "school": school,
                "counts": {"unit_kinds": ["x_certificate"]},
                "per": "course",
                "max_count": 1,
            },
            {
                "id": f"{base}:r2",
                "name": "每个X证书最多转换 8 学分",
                "school": school,
                "counts": {"unit_kinds": ["x_certificate"]},
                "per": "achievement",
                "max_credits": 8,
            },
            {
                "id": f"{base}:r3",
                "name": "不超过学分银行认定的学分",
                "school": school,
                "counts": {"unit_kinds": ["x_certificate"]},
                "per": "achievement",
                "within_recognised": True,
            },
            {
                "id": f"{base}:public",
                "name": "公共基础课转换不超过 10 学分",
                "school": school,
                "counts": {"course_types": ["public_basic"]},
                "max_credits": 10,
            },
        ]
    world.files["caps.yaml"] = _doc("caps", items)


# ----------------------------------------------------------------------------- writing


_PLAIN = re.compile(r"^[A-Za-z\u4e00-\u9fff](?:[\w\u4e00-\u9fff.:/+（）→%-]| (?![ #]))*(?<![: ])$")
_NUMBERISH = re.compile(r"^[-+.\d]")
_RESERVED = frozenset(("y", "n", "yes", "no", "on", "off", "true", "false", "null"))


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    plain = _PLAIN.match(text) and ": " not in text and text.lower() not in _RESERVED
    if plain and not _NUMBERISH.match(text):
        return text
    return json.dumps(text, ensure_ascii=False)


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return _scalar(value)


def _yaml(document: dict[str, Any]) -> str:
    """A document as YAML: items as block mappings whose values are written flow style."""
    lines = ["# Synthetic standards written by creditbank.synthetic: illustrative, not official."]
    for key, value in document.items():
        if key != "items":
            lines.append(f"{key}: {_flow(value)}")
    lines.append("items:")
    for item in document["items"]:
        first = True
        for key, value in item.items():
            lines.append(f"{'  - ' if first else '    '}{key}: {_flow(value)}")
            first = False
    return "\n".join(lines) + "\n"


def write_standards(world: World, directory: Path | str) -> list[Path]:
    """Write the world's standards files under ``directory``; returns the files written."""
    root = Path(directory)
    written = []
    for relative, document in world.files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_yaml(document), encoding="utf-8")
        written.append(path)
    return written


# ----------------------------------------------------------------------------- learners


def _day(rnd: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rnd.randrange(max(1, (end - start).days)))


_EARLIEST = dt.date(2012, 1, 1)
_SIZES = list(range(1, 21))
_SIZE_WEIGHTS = [8, 12, 14, 14, 12, 10, 8, 6, 4, 3, 2, 2, 1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5]


def _achievement(world: World, program: _Program, rnd: random.Random, n: int) -> dict[str, Any]:
    kind = rnd.choices(("skill", "x", "training", "award", "course"), (45, 15, 25, 10, 5))[0]
    earned = _day(rnd, _EARLIEST, AS_OF + dt.timedelta(days=60))
    out: dict[str, Any] = {"id": f"a{n}", "unit": "", "earned_on": earned.isoformat()}
    if kind == "skill":
        _skill(world, program, rnd, out, earned)
    elif kind == "x":
        ks = program.x_certificates
        use_program = ks and rnd.random() < 0.8
        out["unit"] = (
            world.x_certificates[rnd.choice(ks)]
            if use_program
            else rnd.choice(world.x_certificates)
        )
        out["level"] = rnd.choices(_X_LEVELS, (4, 4, 2))[0]
        out["issuer"] = rnd.choice(world.x_organisations)
        if rnd.random() < 0.5:
            out["score"] = rnd.randrange(60, 100)
            out["scale"] = "syn-percent"
    elif kind == "training":
        _training(world, program, rnd, out)
    elif kind == "award":
        out["unit"] = rnd.choice(world.awards)
        out["level"] = rnd.choices(_PRIZES, (1, 2, 4))[0]
        out["issuer"] = rnd.choice(world.organisers)
    else:
        other = world.programs[rnd.randrange(len(world.programs))]
        course = rnd.choice(other.foundation + other.core)
        out["unit"] = course
        out["issuer"] = other.school
        out["score"] = rnd.randrange(60, 100)
        out["scale"] = "syn-percent"
        out["credits"] = world.courses[course][0]
    return out


def _skill(
    world: World, program: _Program, rnd: random.Random, out: dict[str, Any], earned: dt.date
) -> None:
    occs = world.occupations
    index = (
        program.window[rnd.randrange(len(program.window))]
        if rnd.random() < 0.8
        else rnd.randrange(len(occs))
    )
    occ = occs[index]
    out["unit"] = occ.skill_unit
    out["level"] = rnd.choices(occ.levels, [3, 4, 3, 2, 1][-len(occ.levels) :])[0]
    employers = [e for e, window in world.employers if index in window]
    if employers and rnd.random() < 0.3:
        out["issuer"] = rnd.choice(employers)
    elif rnd.random() < 0.95:
        out["issuer"] = rnd.choice(world.assessment_centres)
    else:
        out["issuer"] = rnd.choice(world.training_providers)  # not authorised
    out["certificate_number"] = f"{rnd.randrange(10**17):017d}"
    if rnd.random() < 0.05:
        out["expires_on"] = (earned + dt.timedelta(days=365 * 3)).isoformat()


def _training(world: World, program: _Program, rnd: random.Random, out: dict[str, Any]) -> None:
    pick = (
        program.trainings[rnd.randrange(len(program.trainings))]
        if rnd.random() < 0.7
        else rnd.randrange(len(world.trainings))
    )
    tid, hours, online = world.trainings[pick]
    out["unit"] = tid
    out["issuer"] = rnd.choice(world.training_providers)
    out["hours"] = hours if rnd.random() < 0.8 else rnd.choice(_TRAINING_HOURS)
    out["assessed"] = rnd.random() < 0.8
    if online:
        out["online"] = True
    roll = rnd.random()
    if roll < 0.5:
        out["grade"] = rnd.choices(("优秀", "良好", "合格", "不合格"), (2, 4, 5, 1))[0]
        out["scale"] = "syn-four-grade"
    elif roll < 0.8:
        out["score"] = rnd.randrange(40, 100)
        out["scale"] = "syn-percent"


def portfolios(
    world: World,
    count: int,
    seed: int = 0,
    *,
    program_field: str | None = "program",
    start: int = 0,
) -> Iterator[dict[str, Any]]:
    """``count`` learner records (portfolios, with the programme in ``program_field``).

    Learner ``i`` depends only on ``seed`` and ``i``, so any slice can be made alone.
    """
    for i in range(start, start + count):
        rnd = random.Random(f"learner:{seed}:{i}")
        program = world.programs[rnd.randrange(len(world.programs))]
        size = rnd.choices(_SIZES, _SIZE_WEIGHTS)[0]
        achievements: list[dict[str, Any]] = []
        while len(achievements) < size:
            n = len(achievements)
            if achievements and rnd.random() < 0.08:
                twin = dict(rnd.choice(achievements))  # the same certificate recorded twice
                twin["id"] = f"a{n}"
                achievements.append(twin)
            else:
                achievements.append(_achievement(world, program, rnd, n))
        record: dict[str, Any] = {"learner": f"syn-{seed}-{i:07d}", "example": True}
        if program_field:
            record[program_field] = program.id
        record["achievements"] = achievements
        yield record


def write_portfolios(
    world: World,
    path: Path | str,
    count: int,
    seed: int = 0,
    *,
    program_field: str | None = "program",
) -> Path:
    """Write ``count`` learner records as JSON lines."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8") as out:
        for record in portfolios(world, count, seed, program_field=program_field):
            out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
    return target
