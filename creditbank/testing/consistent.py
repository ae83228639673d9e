"""Hypothesis strategies for data that fits together: standards whose references resolve,
and achievements and portfolios consistent with a given :class:`~creditbank.Standards`.

Import them from :mod:`creditbank.testing.strategies` (needs ``hypothesis``, the ``test``
extra). Everything generated here passes the library's own checks:
:func:`standards_sets` through :func:`creditbank.loading.crosscheck.check_standards` with no
problem, :func:`achievements_for` and :func:`portfolios_for` through
:func:`~creditbank.loading.crosscheck.check_portfolio`.

An achievement of :func:`achievements_for` is of a unit of the standards, at a level the
unit allows (:func:`~creditbank.loading.crosscheck.unit_levels`), earned on or before the
as-of date, from an issuer the standards authorise for that unit and level on that day
(no issuer where nobody is authorised for the unit), with an expiry after it was earned,
and with hours, grades and scores that fit the unit.

>>> import creditbank
>>> from hypothesis import given, settings
>>> from creditbank.loading.crosscheck import check_portfolio
>>> bundled = creditbank.load_standards(creditbank.bundled_standards_path())
>>> @settings(max_examples=20)
... @given(portfolios_for(bundled, max_size=4))
... def test_consistent(portfolio):
...     assert check_portfolio(portfolio, bundled, None) == []
>>> test_consistent()
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from creditbank.engine.facts import add_years, grant_covers, names_unit
from creditbank.loading.crosscheck import unit_framework, unit_levels
from creditbank.models import (
    Achievement,
    AllOf,
    AnyOf,
    Authorisation,
    AwardUnit,
    Cap,
    CourseCredits,
    CourseUnit,
    ExemptCourses,
    Framework,
    Grade,
    GradeCondition,
    GradeScale,
    HoursToCredits,
    Issuer,
    Label,
    Level,
    LevelCondition,
    LevelCredits,
    Match,
    NOf,
    Occupation,
    OtherUnit,
    Period,
    PeriodSet,
    Portfolio,
    Program,
    RecordedGrade,
    Requirement,
    RequirementCredits,
    Rule,
    SkillCertificateUnit,
    Standards,
    TrainingUnit,
    Within,
    XCertificateUnit,
)

__all__ = ["DEFAULT_AS_OF", "SETS_PROGRAM", "achievements_for", "portfolios_for", "standards_sets"]

DEFAULT_AS_OF = dt.date(2026, 6, 30)
"""The as-of date the consistent strategies use unless given one."""

SETS_PROGRAM = "prog"
"""The id of the programme of :func:`standards_sets`."""

_COURSE_TYPES = ("public_basic", "professional_foundation", "professional_core", "elective")
_PRIZES = ("third", "second", "first")


def _coin(draw: st.DrawFn) -> bool:
    return draw(st.booleans())


def _label(text: str) -> Label:
    return Label(en=text)


def _window(draw: st.DrawFn, levels: tuple[str, ...]) -> tuple[str, ...]:
    """A non-empty run of consecutive levels."""
    low = draw(st.integers(0, len(levels) - 1))
    high = draw(st.integers(low, len(levels) - 1))
    return levels[low : high + 1]


def _rising(draw: st.DrawFn, levels: tuple[str, ...], top: int = 8) -> tuple[LevelCredits, ...]:
    """Credits per level that never fall as the level rises (half steps)."""
    steps = sorted(
        draw(st.lists(st.integers(0, top * 2), min_size=len(levels), max_size=len(levels)))
    )
    return tuple(
        LevelCredits(level=level, credits=Decimal(step) / 2)
        for level, step in zip(levels, steps, strict=True)
    )


@st.composite
def _units(
    draw: st.DrawFn, skill_levels: tuple[str, ...], occupations: list[Occupation]
) -> list[Any]:
    units: list[Any] = []
    n_courses = draw(st.integers(3, 6))
    for i in range(n_courses):
        credits = draw(st.integers(1, 4))
        units.append(
            CourseUnit(
                id=f"c{i}",
                name=_label(f"course {i}"),
                example=True,
                credits=str(credits),
                hours=Decimal(16 * credits),
                course_type=draw(st.sampled_from(_COURSE_TYPES)),
                online=draw(st.integers(0, 4)) == 0,
                school="school",
            )
        )
    for i, occupation in enumerate(occupations):
        allowed = tuple(occupation.levels) or skill_levels
        units.append(
            SkillCertificateUnit(
                id=f"skill:{i}",
                name=_label(f"skill certificate {i}"),
                example=True,
                occupation=occupation.id,
                family=draw(st.sampled_from(["skill", None])),
                scope=draw(st.sampled_from(["national", "industry", "enterprise"])),
                recognised_credits=_rising(draw, allowed, 6) if _coin(draw) else (),
                validity_years=draw(st.none() | st.integers(2, 6)),
            )
        )
    x_levels = _window(draw, skill_levels) if _coin(draw) else ()
    units.append(
        XCertificateUnit(
            id="x:0",
            name=_label("1+X certificate"),
            example=True,
            framework="skill",
            levels=x_levels,
            occupations=(occupations[0].id,) if _coin(draw) else (),
            family=draw(st.sampled_from(["skill", "x", None])),
            recognised_credits=_rising(draw, x_levels or skill_levels, 6) if _coin(draw) else (),
            validity_years=draw(st.none() | st.integers(2, 6)),
        )
    )
    for i in range(draw(st.integers(1, 2))):
        online = _coin(draw)
        units.append(
            TrainingUnit(
                id=f"t:{i}",
                name=_label(f"training {i}"),
                example=True,
                hours=Decimal(draw(st.sampled_from([8, 16, 24, 32, 48, 64]))),
                assessed=_coin(draw),
                online=online,
                tags=("online",) if online else (),
            )
        )
    units.append(
        AwardUnit(
            id="award:0",
            name=_label("skills competition"),
            example=True,
            tier=draw(st.sampled_from(["national", "provincial", "municipal"])),
            framework="prize",
            organiser="organiser",
        )
    )
    if _coin(draw):
        units.append(
            OtherUnit(
                id="other:0",
                name=_label("enterprise post certificate"),
                example=True,
                credits=draw(st.none() | st.sampled_from(["1", "2"])),
                tags=("enterprise",),
            )
        )
    return units


def _target(draw: st.DrawFn, unit: Any, courses: list[CourseUnit], levels: tuple[str, ...]) -> Any:
    kind = draw(st.sampled_from(["exempt", "exempt_any", "credits", "by_level", "partial"]))
    if unit.kind == "training" and _coin(draw):
        kind = "hours"
    if unit.kind == "award":
        kind = "by_level"
    if kind == "exempt":
        chosen = draw(
            st.lists(st.sampled_from(courses), min_size=1, max_size=2, unique_by=lambda c: c.id)
        )
        grade = draw(
            st.sampled_from([RecordedGrade(), RecordedGrade(policy="fixed", value=Decimal(60))])
        )
        return ExemptCourses(courses=tuple(c.id for c in chosen), recorded_grade=grade)
    if kind == "exempt_any":
        return ExemptCourses(
            course_types=(draw(st.sampled_from(_COURSE_TYPES)),),
            choose="any",
            max_courses=draw(st.sampled_from([1, 2])),
        )
    if kind == "by_level" and levels:
        return RequirementCredits(requirement="pool", credits_by_level=_rising(draw, levels, 4))
    if kind == "hours":
        return HoursToCredits(
            requirement="pool",
            hours_per_credit=Decimal(16),
            rounding=draw(st.sampled_from(["down", "half_up"])),
            step=Decimal("0.5"),
            max_credits=draw(st.none() | st.sampled_from([Decimal(2), Decimal(4)])),
        )
    if kind == "partial":
        course = draw(st.sampled_from(courses))
        if _coin(draw):
            return CourseCredits(course=course.id, share=Decimal("0.5"))
        return CourseCredits(course=course.id, credits=Decimal(1))
    return RequirementCredits(requirement="pool", credits=Decimal(draw(st.integers(1, 8))) / 2)


def _levels_of(
    unit: Any, skill_levels: tuple[str, ...], occupations: dict[str, Occupation]
) -> tuple[str, ...]:
    if isinstance(unit, SkillCertificateUnit):
        return tuple(occupations[unit.occupation].levels) or skill_levels
    if isinstance(unit, XCertificateUnit):
        return tuple(unit.levels) or skill_levels
    if isinstance(unit, AwardUnit):
        return _PRIZES
    return ()


@st.composite
def _match(draw: st.DrawFn, unit: Any, levels: tuple[str, ...]) -> Match:
    fields: dict[str, Any] = {"units": (unit.id,)}
    if isinstance(unit, SkillCertificateUnit) and _coin(draw):
        fields = {"occupations": (unit.occupation,)}
    elif isinstance(unit, XCertificateUnit | TrainingUnit) and _coin(draw):
        fields = {"unit_kinds": (unit.kind,)}
    if levels and _coin(draw):
        window = _window(draw, levels)
        fields["level"] = draw(
            st.sampled_from(
                [
                    LevelCondition(at_least=window[0]),
                    LevelCondition(at_least=window[0], at_most=window[-1]),
                    LevelCondition(one_of=window),
                ]
            )
        )
    if isinstance(unit, CourseUnit):
        fields["grade"] = draw(
            st.sampled_from(
                [
                    GradeCondition(at_least="B", scale="grades"),
                    GradeCondition(at_least=Decimal(60)),
                ]
            )
        )
    if isinstance(unit, TrainingUnit) and _coin(draw):
        fields["min_hours"] = Decimal(16)
    if draw(st.integers(0, 3)) == 0:
        fields["earned_within"] = Within(years=draw(st.integers(2, 8)))
    fields["must_be_valid"] = _coin(draw)
    return Match(**fields)


@st.composite
def _rules(
    draw: st.DrawFn,
    units: list[Any],
    skill_levels: tuple[str, ...],
    occupations: dict[str, Occupation],
    max_rules: int,
) -> list[Rule]:
    courses = [u for u in units if isinstance(u, CourseUnit)]
    sources = [u for u in units if not isinstance(u, CourseUnit)]
    rules = []
    for r in range(draw(st.integers(1, max_rules))):
        unit = draw(st.sampled_from([*sources, *courses[:1]]))
        levels = _levels_of(unit, skill_levels, occupations)
        when: Any = draw(_match(unit, levels))
        shape = draw(st.integers(0, 9))
        if shape == 0 and len(sources) > 1:
            other = draw(st.sampled_from([u for u in sources if u.id != unit.id]))
            when = AllOf(all_of=(when, Match(units=(other.id,))))
        elif shape == 1 and len(sources) > 1:
            other = draw(st.sampled_from([u for u in sources if u.id != unit.id]))
            when = AnyOf(any_of=(when, Match(units=(other.id,))))
        elif shape == 2 and len(sources) > 2:
            others = draw(
                st.lists(
                    st.sampled_from([u for u in sources if u.id != unit.id]),
                    min_size=2,
                    max_size=2,
                    unique_by=lambda u: u.id,
                )
            )
            when = NOf(n=2, of=(when, *(Match(units=(o.id,)) for o in others)))
        target_levels = levels if isinstance(when, Match) and when.units else ()
        start = draw(st.none() | st.dates(dt.date(2015, 1, 1), dt.date(2026, 1, 1)))
        rules.append(
            Rule(
                id=f"r{r}",
                name=_label(f"rule {r}"),
                example=True,
                programs=(SETS_PROGRAM,),
                when=when,
                then=_target(draw, unit, courses, target_levels),
                shareable=draw(st.integers(0, 6)) == 0,
                priority=draw(st.integers(0, 1)),
                effective_from=start,
            )
        )
    return rules


def _caps(draw: st.DrawFn, max_caps: int) -> list[Cap]:
    specs: dict[str, dict[str, Any]] = {
        "r2": {"per": "achievement", "max_credits": Decimal(draw(st.integers(2, 8)))},
        "share": {"max_share": draw(st.sampled_from(["0.25", "0.5"]))},
        "r1": {"per": "course", "max_count": 1},
        "count": {
            "max_count": draw(st.integers(1, 3)),
            "counts": {"unit_kinds": ["x_certificate"]},
        },
        "highest": {"per": "family", "highest_only": True},
        "recognised": {"within_recognised": True},
        "online": {"max_share": "0.25", "counts": {"online": True}},
        "pool": {
            "max_credits": Decimal(draw(st.integers(1, 6))),
            "counts": {"requirements": ["pool"]},
        },
        "period": {
            "per": "period",
            "period_set": draw(st.sampled_from(["years", "calendar_year"])),
            "max_credits": Decimal(draw(st.integers(2, 8))),
        },
    }
    kinds = draw(st.lists(st.sampled_from(sorted(specs)), max_size=max_caps, unique=True))
    return [
        Cap.model_validate(
            {
                "id": f"cap:{kind}",
                "name": f"cap {kind}",
                "example": True,
                "programs": [SETS_PROGRAM],
                **specs[kind],
            }
        )
        for kind in kinds
    ]


@st.composite
def standards_sets(draw: st.DrawFn, *, max_rules: int = 6, max_caps: int = 3) -> Standards:
    """Small standards in which every reference resolves: a skill-level scale and a prize
    scale, one or two occupations, courses, skill and 1+X certificates, training, an award,
    grade scales, a period set, issuers authorised for the units (some only for some levels
    or from a date), a programme :data:`SETS_PROGRAM` of the school with required courses
    and an elective pool, rules of every target kind (with level, grade, hours and recency
    conditions and all_of / any_of / n-of combinations) and caps of every limit kind.

    >>> from hypothesis import given, settings
    >>> from creditbank.testing import standards_problems
    >>> @settings(max_examples=10)
    ... @given(standards_sets())
    ... def test_valid(standards):
    ...     assert standards_problems(standards) == []
    >>> test_valid()
    """
    n_levels = draw(st.integers(3, 5))
    skill_levels = tuple(f"L{i}" for i in range(1, n_levels + 1))
    skill = Framework(
        id="skill",
        name=_label("skill levels"),
        example=True,
        scale="skill",
        levels=tuple(
            Level(id=f"L{i}", rank=i, name=_label(f"skill level {i}"))
            for i in range(1, n_levels + 1)
        ),
    )
    prize = Framework(
        id="prize",
        name=_label("prizes"),
        example=True,
        scale="award",
        levels=tuple(
            Level(id=p, rank=i, name=_label(f"{p} prize")) for i, p in enumerate(_PRIZES, 1)
        ),
    )
    occupations = [
        Occupation(
            id=f"occ:{i}",
            name=_label(f"occupation {i}"),
            example=True,
            code=f"6-31-01-{i + 1:02d}",
            edition=2022,
            framework="skill",
            levels=_window(draw, skill_levels) if _coin(draw) else (),
        )
        for i in range(draw(st.integers(1, 2)))
    ]
    by_id = {o.id: o for o in occupations}
    units = draw(_units(skill_levels, occupations))
    courses = [u for u in units if isinstance(u, CourseUnit)]
    split = draw(st.integers(1, len(courses) - 1))
    required, optional = courses[:split], courses[split:]
    required_credits = sum((c.credits.amount for c in required), Decimal(0))
    pool_min = Decimal(draw(st.integers(1, 6)))
    program = Program(
        id=SETS_PROGRAM,
        name=_label("programme"),
        example=True,
        code="460301",
        school="school",
        education_level="higher_vocational",
        total_credits=required_credits + pool_min + Decimal(draw(st.integers(0, 20))),
        hours_per_credit=Decimal(16),
        periods="years" if _coin(draw) else None,
        requirements=(
            Requirement(
                id="core",
                name=_label("core"),
                kind="required_courses",
                courses=tuple(c.id for c in required),
            ),
            Requirement(
                id="pool",
                name=_label("electives"),
                kind="elective_pool",
                courses=tuple(c.id for c in optional),
                min_credits=pool_min,
            ),
        ),
    )
    grant_levels = _window(draw, skill_levels) if _coin(draw) else ()
    since = draw(st.none() | st.dates(dt.date(2015, 1, 1), dt.date(2024, 1, 1)))
    issuers = [
        Issuer(
            id="school",
            name=_label("school"),
            example=True,
            kind="school",
            authorised=(Authorisation(unit_kinds=("course", "training")),),
        ),
        Issuer(
            id="assessor",
            name=_label("assessment centre"),
            example=True,
            kind="evaluation_organisation",
            authorised=(
                Authorisation(occupations=tuple(by_id), levels=grant_levels, effective_from=since),
            ),
        ),
        Issuer(
            id="x-org",
            name=_label("1+X organisation"),
            example=True,
            kind="evaluation_organisation",
            authorised=(Authorisation(unit_kinds=("x_certificate",)),),
        ),
        Issuer(
            id="organiser",
            name=_label("competition organiser"),
            example=True,
            kind="competition_organiser",
            authorised=(Authorisation(units=("award:0",)),),
        ),
    ]
    scales = [
        GradeScale(
            id="percent",
            name=_label("percent"),
            example=True,
            kind="numeric",
            minimum=Decimal(0),
            maximum=Decimal(100),
            pass_mark=Decimal(60),
        ),
        GradeScale(
            id="grades",
            name=_label("letter grades"),
            example=True,
            kind="ordinal",
            grades=(
                Grade(id="A", rank=4, min_percent=Decimal(85)),
                Grade(id="B", rank=3, min_percent=Decimal(70)),
                Grade(id="C", rank=2, min_percent=Decimal(60)),
                Grade(id="F", rank=1, min_percent=Decimal(0), passing=False),
            ),
        ),
    ]
    years = PeriodSet(
        id="years",
        name=_label("academic years"),
        example=True,
        periods=tuple(
            Period(id=f"y{y}", start=dt.date(y, 9, 1), end=dt.date(y + 1, 8, 31))
            for y in range(2014, 2028)
        ),
    )
    rules = draw(_rules(units, skill_levels, by_id, max_rules))
    caps = _caps(draw, max_caps)
    return Standards(
        [skill, prize, *occupations, *units, *issuers, program, *rules, *caps, *scales, years]
    )


# ------------------------------------------------------------------ achievements

Option = tuple[str, str | None, str | None, dt.date, dt.date]
"""A way to achieve a unit: (unit, level, issuer, first day, last day)."""


def _achievable(standards: Standards, as_of: dt.date, years: int) -> list[Option]:
    """(unit, level, issuer, first day, last day) for every way a unit can be achieved."""
    low = add_years(as_of, -years)
    found: list[Option] = []
    for unit in standards.units.values():
        levels: tuple[str | None, ...] = unit_levels(standards, unit.id) or (None,)
        framework = unit_framework(standards, unit.id)
        grants = [
            (issuer.id, grant)
            for issuer in standards.issuers.values()
            for grant in issuer.authorised
            if names_unit(grant, unit)
        ]
        for level in levels:
            if not grants:
                found.append((unit.id, level, None, low, as_of))
                continue
            for issuer, grant in grants:
                start = max(low, grant.effective_from or low)
                end = min(as_of, grant.effective_until or as_of)
                if start <= end and grant_covers(grant, unit, framework, level, start):
                    found.append((unit.id, level, issuer, start, end))
    return found


def _from_options(
    standards: Standards, options: list[Option], ids: st.SearchStrategy[str]
) -> st.SearchStrategy[Achievement]:
    scales = [s for s in standards.grade_scales.values() if s.kind == "ordinal"]

    @st.composite
    def build(draw: st.DrawFn, option: Option) -> Achievement:
        unit_id, level, issuer, start, end = option
        unit = standards.units[unit_id]
        earned = draw(st.dates(start, end))
        fields: dict[str, Any] = {
            "id": draw(ids),
            "unit": unit_id,
            "level": level,
            "earned_on": earned,
            "issuer": issuer,
        }
        validity = getattr(unit, "validity_years", None)
        if validity is not None and _coin(draw):
            fields["expires_on"] = add_years(earned, validity)
        elif draw(st.integers(0, 4)) == 0:
            fields["expires_on"] = earned + dt.timedelta(days=draw(st.integers(0, 3650)))
        if isinstance(unit, TrainingUnit):
            fields["hours"] = draw(st.sampled_from([unit.hours, unit.hours / 2]))
            fields["assessed"] = unit.assessed
            if unit.assessed and _coin(draw):
                fields["score"] = Decimal(draw(st.integers(40, 100)))
        if isinstance(unit, CourseUnit):
            fields["credits"] = unit.credits
            fields["hours"] = unit.hours
            if scales and _coin(draw):
                scale = draw(st.sampled_from(scales))
                fields["grade"] = draw(st.sampled_from([g.id for g in scale.grades]))
                fields["scale"] = scale.id
            else:
                fields["score"] = Decimal(draw(st.integers(40, 100)))
        return Achievement(**fields)

    return st.sampled_from(options).flatmap(build)


def _options(
    standards: Standards, as_of: dt.date, years: int, units: Iterable[str] | None
) -> list[Option]:
    options = _achievable(standards, as_of, years)
    if units is not None:
        wanted = set(units)
        unknown = wanted - set(standards.units)
        if unknown:
            raise ValueError(f"the standards have no unit {', '.join(sorted(unknown))}")
        options = [o for o in options if o[0] in wanted]
    if not options:
        raise ValueError("no unit of these standards can be achieved")
    return options


def achievements_for(
    standards: Standards,
    *,
    as_of: dt.date = DEFAULT_AS_OF,
    years: int = 10,
    achievement_id: str | None = None,
    units: Iterable[str] | None = None,
) -> st.SearchStrategy[Achievement]:
    """Achievements consistent with ``standards``, earned in the ``years`` up to ``as_of``.

    Each is of a unit of the standards (``units``: only of these) at a level it allows,
    from an issuer authorised for it on the day it was earned (see the module docstring).
    Raises ``ValueError`` when no unit can be achieved.

    >>> import creditbank
    >>> from hypothesis import given, settings
    >>> bundled = creditbank.load_standards(creditbank.bundled_standards_path())
    >>> @settings(max_examples=10)
    ... @given(achievements_for(bundled, achievement_id="a1"))
    ... def test_achievement(achievement):
    ...     assert achievement.id == "a1" and achievement.earned_on <= DEFAULT_AS_OF
    >>> test_achievement()
    """
    ids = (
        st.just(achievement_id) if achievement_id else st.from_regex(r"a[0-9]{1,3}", fullmatch=True)
    )
    return _from_options(standards, _options(standards, as_of, years, units), ids)


@st.composite
def portfolios_for(
    draw: st.DrawFn,
    standards: Standards,
    *,
    as_of: dt.date = DEFAULT_AS_OF,
    min_size: int = 0,
    max_size: int = 6,
    years: int = 10,
    units: Iterable[str] | None = None,
) -> Portfolio:
    """A learner's portfolio of :func:`achievements_for` (ids ``a0``, ``a1`` …; ``units``:
    only of these); the same unit may appear more than once, at different levels or dates,
    as in real portfolios."""
    options = _options(standards, as_of, years, units)
    count = draw(st.integers(min_size, max_size))
    found = tuple(draw(_from_options(standards, options, st.just(f"a{i}"))) for i in range(count))
    learner = draw(st.from_regex(r"w-[0-9]{3}", fullmatch=True))
    return Portfolio(learner=learner, achievements=found)
