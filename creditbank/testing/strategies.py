"""Hypothesis strategies that generate *valid* creditbank models — and broken files.

Needs the ``hypothesis`` package (the ``test`` extra); nothing else in creditbank does.
This module is the one source of generated data, for creditbank's own property tests and
for other systems' test suites. Its families:

* **items** — :func:`levels`, :func:`frameworks`, :func:`occupations`, :func:`units` (of
  each kind), :func:`issuers`, :func:`programs` (with requirements), :func:`rules` (with
  :func:`conditions` and :func:`targets`), :func:`caps`, :func:`grade_scales`,
  :func:`period_sets`, :func:`achievements`, :func:`portfolios`: each passes the models'
  own validation and survives a YAML round trip; items are standalone (their references
  need not resolve), which is what round-trip and serialisation tests want;
* **consistent sets** — :func:`standards_sets` (standards whose references resolve: they
  pass :func:`creditbank.loading.crosscheck.check_standards` with no problem),
  :func:`achievements_for` and :func:`portfolios_for` (consistent with *given* standards:
  right units, allowed levels, plausible dates, authorised issuers; they pass
  :func:`~creditbank.loading.crosscheck.check_portfolio`), and the engine's small
  :func:`scenarios` and :func:`pathway_scenarios`;
* **broken files** — :func:`invalid_documents` and :func:`invalid_portfolio_documents` give
  (YAML text, the error code the loader must report);
* **bearer secrets** — :func:`token_secrets`: what a caller may send as an API token;
* **JSON** — :func:`json_values`: nested arrays and objects whose strings hold brackets,
  quotes and backslashes, for what reads JSON text without parsing it (the service's
  depth scan, :func:`creditbank.service.limits.json_depth`);
* **request bodies** — :func:`json_bodies`: any JSON a caller may send a route, and objects
  with the field names given.

>>> from hypothesis import given
>>> @given(frameworks())
... def test_levels_ordered(framework):
...     ranks = [level.rank for level in framework.ordered()]
...     assert ranks == sorted(ranks)
>>> test_levels_ordered()
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, TypeVar, get_args

from hypothesis import strategies as st

from creditbank.ledger.tokens import TOKEN_PREFIX
from creditbank.models import (
    Achievement,
    AllOf,
    AnyOf,
    Cap,
    CapSelector,
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
    Source,
    Standards,
    TrainingUnit,
    Within,
    XCertificateUnit,
)
from creditbank.models.issuer import Authorisation, IssuerKind
from creditbank.models.rule import Guarantee
from creditbank.models.units import AwardTier, AwardUnit, CourseType, Scope, UnitKind
from creditbank.progress.tally import COMBINED, LearnerFigures
from creditbank.testing.consistent import (
    DEFAULT_AS_OF,
    SETS_PROGRAM,
    achievements_for,
    portfolios_for,
    standards_sets,
)
from creditbank.testing.invalid import (
    DOCUMENT_BREAKS,
    PORTFOLIO_BREAKS,
    invalid_documents,
    invalid_portfolio_documents,
)

__all__ = [
    "DEFAULT_AS_OF",
    "DOCUMENT_BREAKS",
    "PORTFOLIO_BREAKS",
    "REPORT_PROGRAMS",
    "SCENARIO_AS_OF",
    "SCENARIO_PROGRAM",
    "SETS_PROGRAM",
    "achievements",
    "achievements_for",
    "amounts",
    "caps",
    "conditions",
    "credits",
    "dates",
    "frameworks",
    "grade_scales",
    "highest_only_scenarios",
    "ids",
    "invalid_documents",
    "invalid_portfolio_documents",
    "issuers",
    "json_bodies",
    "json_values",
    "labels",
    "learner_figures",
    "levels",
    "local_ids",
    "occupations",
    "pathway_scenarios",
    "period_sets",
    "portfolios",
    "portfolios_for",
    "programs",
    "rules",
    "scenario_portfolios",
    "scenario_standards",
    "scenarios",
    "sources",
    "standards_items",
    "standards_sets",
    "targets",
    "token_secrets",
    "units",
]

T = TypeVar("T")

_CJK = "电工焊车铣钳机修仪表维护工业机器人系统操作运化总控汽车数控技术基础核心选修实践"
_LATIN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def json_values(max_leaves: int = 20) -> st.SearchStrategy[Any]:
    """JSON values: null, booleans, integers and strings of ``[]{}"\\`` and letters (the
    characters a scanner of JSON text could miscount), nested in arrays and objects."""
    tricky = st.text(alphabet='[]{}"\\ab,:', max_size=8)
    leaves = st.none() | st.booleans() | st.integers() | tricky
    return st.recursive(
        leaves,
        lambda children: (
            st.lists(children, max_size=3) | st.dictionaries(tricky, children, max_size=3)
        ),
        max_leaves=max_leaves,
    )


def ids() -> st.SearchStrategy[str]:
    """Global ids: ASCII, starting with a letter or digit."""
    return st.from_regex(r"[a-z0-9][a-z0-9._:/+-]{0,15}", fullmatch=True)


def local_ids() -> st.SearchStrategy[str]:
    """Ids that are unique only within their item (levels, requirements, achievements)."""
    return st.from_regex(r"[a-z0-9][a-z0-9-]{0,8}", fullmatch=True)


def _words(alphabet: str, max_size: int = 12) -> st.SearchStrategy[str]:
    return st.text(alphabet, min_size=1, max_size=max_size)


def labels() -> st.SearchStrategy[Label]:
    """Bilingual names: Chinese, English or both."""
    zh = _words(_CJK)
    en = st.lists(_words(_LATIN, 8), min_size=1, max_size=3).map(" ".join)
    return st.one_of(
        st.builds(Label, zh=zh),
        st.builds(Label, en=en),
        st.builds(Label, zh=zh, en=en),
    )


def amounts(max_value: int = 500) -> st.SearchStrategy[Decimal]:
    """Exact amounts with at most two decimal places."""
    return st.integers(0, max_value * 100).map(lambda n: Decimal(n).scaleb(-2).normalize())


def credits(max_value: int = 20) -> st.SearchStrategy[Decimal]:
    """Credits in half steps, as rules write them (0, 0.5, … max_value)."""
    return st.integers(0, max_value * 2).map(lambda n: Decimal(n) / 2)


def dates(start: int = 1995, end: int = 2035) -> st.SearchStrategy[dt.date]:
    """Calendar days from 1 January ``start`` to 31 December ``end``."""
    return st.dates(dt.date(start, 1, 1), dt.date(end, 12, 31))


def sources() -> st.SearchStrategy[Source]:
    """Provenance: a title, maybe an issuer and year, verified or third-party evidence."""
    return st.builds(
        Source,
        title=_words(_CJK, 20),
        issuer=st.none() | _words(_CJK),
        year=st.none() | st.integers(1990, 2030),
        evidence=st.sampled_from(["verified", "third-party"]),
    )


@st.composite
def _item_fields(draw: st.DrawFn) -> dict[str, Any]:
    """id, name and provenance, plus optional effective dates in order."""
    fields: dict[str, Any] = {"id": draw(ids()), "name": draw(labels())}
    if draw(st.booleans()):
        fields["source"] = draw(sources())
    else:
        fields["example"] = True
    start = draw(st.none() | dates())
    end = draw(st.none() | dates())
    if start and end and end < start:
        start, end = end, start
    fields["effective_from"], fields["effective_until"] = start, end
    return fields


def levels() -> st.SearchStrategy[Level]:
    """One level of a scale: a local id, a rank and a name.

    >>> from hypothesis import given
    >>> @given(levels())
    ... def test_a_level_answers_to_its_id(level):
    ...     assert level.id in level.names()
    >>> test_a_level_answers_to_its_id()
    """
    return st.builds(
        Level,
        id=local_ids(),
        rank=st.integers(-5, 20),
        name=labels(),
    )


@st.composite
def frameworks(draw: st.DrawFn, size: int | None = None) -> Framework:
    """A framework whose levels have distinct ids, names and ranks."""
    count = size or draw(st.integers(1, 8))
    level_ids = draw(st.lists(local_ids(), min_size=count, max_size=count, unique=True))
    ranks = draw(st.lists(st.integers(-5, 20), min_size=count, max_size=count, unique=True))
    levels = [
        Level(id=lid, rank=rank, name=Label(en=f"Level {lid}"))
        for lid, rank in zip(level_ids, ranks, strict=True)
    ]
    return Framework(levels=tuple(levels), **draw(_item_fields()))


@st.composite
def occupations(draw: st.DrawFn) -> Occupation:
    """An occupation of the 2015 or 2022 classification (code shaped like 6-31-01-03)."""
    code = draw(st.from_regex(r"[1-8]-[0-9]{2}-[0-9]{2}-[0-9]{2}", fullmatch=True))
    return Occupation(
        code=code,
        edition=draw(st.sampled_from([2015, 2022])),
        digital=draw(st.booleans()),
        green=draw(st.booleans()),
        replaced_by=tuple(draw(st.lists(ids(), max_size=2, unique=True))),
        **draw(_item_fields()),
    )


_LEVEL_NAMES = st.sampled_from(["五级", "四级", "三级", "二级", "一级", "初级", "中级", "高级"])


@st.composite
def _level_credits(draw: st.DrawFn) -> tuple[LevelCredits, ...]:
    names = draw(st.lists(_LEVEL_NAMES, max_size=3, unique=True))
    return tuple(LevelCredits(level=n, credits=draw(credits(8))) for n in names)


@st.composite
def units(draw: st.DrawFn, kind: UnitKind | None = None) -> Any:
    """A unit of any kind (or of ``kind``)."""
    chosen = kind or draw(st.sampled_from(get_args(UnitKind)))
    base = draw(_item_fields())
    base["family"] = draw(st.none() | local_ids())
    base["tags"] = tuple(draw(st.lists(local_ids(), max_size=3, unique=True)))
    if chosen == "course":
        return CourseUnit(
            credits=draw(credits(10)),
            hours=draw(amounts(200)),
            course_type=draw(st.sampled_from(get_args(CourseType))),
            online=draw(st.booleans()),
            **base,
        )
    framework = draw(ids())
    levels = tuple(draw(st.lists(_LEVEL_NAMES, max_size=3, unique=True)))
    if chosen == "skill_certificate":
        return SkillCertificateUnit(
            occupation=draw(ids()),
            framework=framework,
            levels=levels,
            recognised_credits=draw(_level_credits()),
            scope=draw(st.sampled_from(get_args(Scope))),
            **base,
        )
    if chosen == "x_certificate":
        return XCertificateUnit(
            framework=framework,
            levels=levels,
            validity_years=draw(st.none() | st.integers(1, 10)),
            **base,
        )
    if chosen == "training":
        return TrainingUnit(
            hours=draw(amounts(400)),
            assessed=draw(st.booleans()),
            online=draw(st.booleans()),
            **base,
        )
    if chosen == "award":
        return AwardUnit(
            tier=draw(st.sampled_from(get_args(AwardTier))),
            framework=framework,
            levels=levels,
            **base,
        )
    return OtherUnit(credits=draw(st.none() | credits(10)), **base)


@st.composite
def issuers(draw: st.DrawFn) -> Issuer:
    """An issuer of any kind, authorised for some units (by id)."""
    grants = draw(
        st.lists(
            st.builds(Authorisation, units=st.lists(ids(), min_size=1, max_size=3).map(tuple)),
            max_size=2,
        )
    )
    return Issuer(
        kind=draw(st.sampled_from(get_args(IssuerKind))),
        authorised=tuple(grants),
        **draw(_item_fields()),
    )


@st.composite
def programs(draw: st.DrawFn) -> Program:
    """A programme with one to five requirements: required courses, categories and elective
    pools with minimum credits.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=20)
    ... @given(programs())
    ... def test_courses_listed_once(program):
    ...     assert len(program.course_ids()) == len(set(program.course_ids()))
    >>> test_courses_listed_once()
    """
    requirements = []
    for rid in draw(st.lists(local_ids(), min_size=1, max_size=5, unique=True)):
        kind = draw(st.sampled_from(["required_courses", "category", "elective_pool"]))
        courses = tuple(
            draw(
                st.lists(
                    ids(), min_size=1 if kind == "required_courses" else 0, max_size=4, unique=True
                )
            )
        )
        minimum = None if kind == "required_courses" else draw(credits(30))
        requirements.append(
            Requirement(
                id=rid, name=draw(labels()), kind=kind, courses=courses, min_credits=minimum
            )
        )
    return Program(
        code=draw(st.from_regex(r"[0-9]{6}", fullmatch=True)),
        education_level="higher_vocational",
        total_credits=draw(credits(200)),
        total_hours=draw(amounts(3000)),
        requirements=tuple(requirements),
        **draw(_item_fields()),
    )


@st.composite
def _match(draw: st.DrawFn) -> Match:
    level = draw(st.none() | st.builds(LevelCondition, at_least=_LEVEL_NAMES))
    grade = draw(st.none() | st.builds(GradeCondition, at_least=amounts(100)))
    return Match(
        units=tuple(draw(st.lists(ids(), min_size=1, max_size=3, unique=True))),
        level=level,
        grade=grade,
        earned_within=draw(st.none() | st.integers(1, 10).map(lambda y: Within(years=y))),
        must_be_valid=draw(st.booleans()),
        online=draw(st.none() | st.booleans()),
    )


def conditions() -> st.SearchStrategy[Any]:
    """Conditions: single matches and nested all_of / any_of / n-of combinations."""

    def extend(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        group = st.lists(inner, min_size=1, max_size=3).map(tuple)
        return st.one_of(
            group.map(lambda c: AllOf(all_of=c)),
            group.map(lambda c: AnyOf(any_of=c)),
            group.flatmap(lambda c: st.integers(1, len(c)).map(lambda n: NOf(n=n, of=c))),
        )

    return st.recursive(_match(), extend, max_leaves=5)


def targets() -> st.SearchStrategy[Any]:
    """Rule targets of every kind."""
    grade = st.one_of(
        st.just(RecordedGrade()),
        st.builds(RecordedGrade, policy=st.just("fixed"), value=st.just(Decimal(60))),
    )
    return st.one_of(
        st.builds(
            ExemptCourses,
            courses=st.lists(ids(), min_size=1, max_size=3).map(tuple),
            choose=st.sampled_from(["all", "any"]),
            recorded_grade=grade,
        ),
        st.builds(RequirementCredits, requirement=local_ids(), credits=credits(8)),
        st.builds(
            HoursToCredits,
            requirement=local_ids(),
            hours_per_credit=st.integers(1, 36).map(Decimal),
            rounding=st.sampled_from(["down", "up", "half_up", "half_even"]),
            step=st.sampled_from([Decimal(1), Decimal("0.5")]),
        ),
        st.builds(CourseCredits, course=ids(), credits=credits(4)),
    )


@st.composite
def rules(draw: st.DrawFn) -> Rule:
    """A rule of one or two programmes: any :func:`conditions`, any :func:`targets`.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=20)
    ... @given(rules())
    ... def test_a_rule_applies_somewhere(rule):
    ...     assert rule.programs
    >>> test_a_rule_applies_somewhere()
    """
    return Rule(
        programs=tuple(draw(st.lists(ids(), min_size=1, max_size=2, unique=True))),
        when=draw(conditions()),
        then=draw(targets()),
        shareable=draw(st.booleans()),
        priority=draw(st.integers(-3, 3)),
        **draw(_item_fields()),
    )


@st.composite
def caps(draw: st.DrawFn) -> Cap:
    """A cap with exactly one limit (credits, share, count, highest only, within recognised)."""
    limit = draw(
        st.sampled_from(
            ["max_credits", "max_share", "max_count", "highest_only", "within_recognised"]
        )
    )
    values: dict[str, Any] = {
        "max_credits": credits(40),
        "max_share": st.sampled_from(["0.25", "0.5", "1"]),
        "max_count": st.integers(0, 5),
        "highest_only": st.just(True),
        "within_recognised": st.just(True),
    }
    per = (
        "program"
        if limit == "max_share"
        else draw(
            st.sampled_from(
                ["program", "achievement", "course", "rule", "requirement", "family", "unit"]
            )
        )
    )
    selector = CapSelector(
        unit_kinds=tuple(
            draw(st.lists(st.sampled_from(get_args(UnitKind)), max_size=2, unique=True))
        ),
        online=draw(st.none() | st.booleans()),
    )
    return Cap.model_validate(
        {**draw(_item_fields()), "per": per, "counts": selector, limit: draw(values[limit])}
    )


@st.composite
def grade_scales(draw: st.DrawFn) -> GradeScale:
    """A numeric (0–100, pass 60) or an ordinal grade scale."""
    base = draw(_item_fields())
    if draw(st.booleans()):
        return GradeScale(
            kind="numeric", minimum=Decimal(0), maximum=Decimal(100), pass_mark=Decimal(60), **base
        )
    framework = draw(frameworks())
    grades = tuple(Grade(id=level.id, rank=level.rank) for level in framework.levels)
    return GradeScale(kind="ordinal", grades=grades, **base)


@st.composite
def period_sets(draw: st.DrawFn) -> PeriodSet:
    """One to four academic years (1 September to 31 August), in order, not overlapping."""
    start_year = draw(st.integers(2000, 2030))
    count = draw(st.integers(1, 4))
    periods = tuple(
        Period(
            id=f"y{start_year + i}",
            start=dt.date(start_year + i, 9, 1),
            end=dt.date(start_year + i + 1, 8, 31),
        )
        for i in range(count)
    )
    return PeriodSet(periods=periods, **draw(_item_fields()))


def standards_items() -> st.SearchStrategy[Any]:
    """Any standards item."""
    return st.one_of(
        frameworks(),
        occupations(),
        units(),
        issuers(),
        programs(),
        rules(),
        caps(),
        grade_scales(),
        period_sets(),
    )


@st.composite
def achievements(draw: st.DrawFn, achievement_id: str | None = None) -> Achievement:
    """A standalone achievement (its unit need not exist): for round trips. For achievements
    that fit given standards use :func:`achievements_for`."""
    earned = draw(dates(2000, 2030))
    expires = draw(st.none() | dates(2000, 2040).filter(lambda d: d >= earned))
    return Achievement(
        id=achievement_id or draw(local_ids()),
        unit=draw(ids()),
        level=draw(st.none() | _LEVEL_NAMES),
        earned_on=earned,
        expires_on=expires,
        issuer=draw(st.none() | ids()),
        score=draw(st.none() | amounts(100)),
        hours=draw(st.none() | amounts(300)),
        online=draw(st.none() | st.booleans()),
    )


@st.composite
def portfolios(draw: st.DrawFn, max_size: int = 8) -> Portfolio:
    """A standalone portfolio of :func:`achievements` (ids ``a0``, ``a1`` …). For portfolios
    that fit given standards use :func:`portfolios_for`."""
    count = draw(st.integers(0, max_size))
    found = tuple(draw(achievements(f"a{i}")) for i in range(count))
    return Portfolio(learner=draw(ids()), achievements=found)


# ----------------------------------------------------------------------------------
# Consistent scenarios: small standards, a programme and a portfolio that fit together.

SCENARIO_PROGRAM = "p"
SCENARIO_AS_OF = dt.date(2026, 6, 30)


@st.composite
def scenario_standards(
    draw: st.DrawFn, *, highest_only: bool = True, max_rules: int = 6, free_electives: bool = True
) -> Any:
    """Small, valid standards: one level scale, a few certificates and training units, 3–6
    courses in a programme with a required group and an elective pool, random rules and caps.

    Returns a :class:`~creditbank.Standards`. Credits by level never fall as the level
    rises (so a higher level is never worth less), which real rule tables also respect.
    The pool may have a maximum and an overflow; with ``free_electives`` its overflow may
    be a third requirement, a category of free electives without courses.
    """
    levels = tuple(Level(id=f"L{r}", rank=r, name=Label(en=f"level {r}")) for r in (1, 2, 3))
    scale = Framework(id="scale", name=Label(en="scale"), example=True, levels=levels)
    n_courses = draw(st.integers(3, 6))
    courses = [
        CourseUnit(
            id=f"c{i}",
            name=Label(en=f"course {i}"),
            example=True,
            credits=draw(st.sampled_from(["1", "2", "3", "4"])),
            hours=Decimal(32),
            course_type=draw(
                st.sampled_from(["professional_foundation", "professional_core", "public_basic"])
            ),
        )
        for i in range(n_courses)
    ]
    n_units = draw(st.integers(1, 4))
    units: list[Any] = [
        OtherUnit(
            id=f"u{i}",
            name=Label(en=f"certificate {i}"),
            example=True,
            framework="scale",
            family=draw(st.sampled_from(["f1", "f2", None])),
            tags=("online",) if draw(st.booleans()) else (),
            credits=draw(st.none() | st.sampled_from(["2", "3", "5", "8"])),
            recognised_credits=(LevelCredits(credits=draw(credits(6))),)
            if draw(st.booleans())
            else (),
        )
        for i in range(n_units)
    ]
    units.append(
        TrainingUnit(
            id="t0",
            name=Label(en="training"),
            example=True,
            hours=Decimal(draw(st.sampled_from([8, 16, 24, 40]))),
            online=draw(st.booleans()),
        )
    )
    required = [c.id for c in courses[: max(1, n_courses - 1)]]
    # where the pool's surplus goes: undeclared (total, as it has no maximum), none, total,
    # or a requirement "free" that takes at most what it needs
    overflow = draw(st.sampled_from([None, "none", "total", "free"][: 4 if free_electives else 3]))
    pool_max = draw(st.none() | st.sampled_from([4, 6, 8]))
    pool_min = draw(st.sampled_from([2, 4, 6]))
    extra = (
        (
            Requirement(
                id="free",
                name=Label(en="free electives"),
                kind="category",
                min_credits=Decimal(draw(st.sampled_from([1, 2, 3]))),
                overflow="none",
            ),
        )
        if overflow == "free"
        else ()
    )
    program = Program(
        id=SCENARIO_PROGRAM,
        name=Label(en="programme"),
        example=True,
        education_level="higher_vocational",
        total_credits=Decimal(draw(st.sampled_from([8, 12, 20]))),
        hours_per_credit=Decimal(16),
        requirements=(
            Requirement(
                id="core", name=Label(en="core"), kind="required_courses", courses=tuple(required)
            ),
            Requirement(
                id="pool",
                name=Label(en="pool"),
                kind="elective_pool",
                courses=tuple(c.id for c in courses if c.id not in required),
                min_credits=Decimal(pool_min),
                max_credits=None if pool_max is None else Decimal(max(pool_max, pool_min)),
                overflow=overflow,
            ),
            *extra,
        ),
    )
    rules = []
    for r in range(draw(st.integers(1, max_rules))):
        unit = draw(st.sampled_from(units))
        level = None
        if unit.kind == "other" and draw(st.booleans()):
            level = LevelCondition(at_least=draw(st.sampled_from(["L1", "L2", "L3"])))
        when: Any = Match(units=(unit.id,), level=level, must_be_valid=draw(st.booleans()))
        if draw(st.integers(0, 5)) == 0 and len(units) > 1:
            other = draw(st.sampled_from([u for u in units if u.id != unit.id]))
            when = AllOf(all_of=(when, Match(units=(other.id,))))
        kind = draw(st.sampled_from(["exempt", "exempt_any", "credits", "by_level", "hours"]))
        if kind == "exempt":
            chosen = draw(
                st.lists(st.sampled_from(courses), min_size=1, max_size=2, unique_by=lambda c: c.id)
            )
            then: Any = ExemptCourses(courses=tuple(c.id for c in chosen))
        elif kind == "exempt_any":
            then = ExemptCourses(
                course_types=(
                    draw(
                        st.sampled_from(
                            ["professional_foundation", "professional_core", "public_basic"]
                        )
                    ),
                ),
                choose="any",
                max_courses=draw(st.sampled_from([1, 2])),
            )
        elif kind == "credits":
            then = RequirementCredits(requirement="pool", credits=draw(credits(4)))
        elif kind == "by_level":
            low = draw(st.integers(0, 4))
            steps = sorted(draw(st.lists(st.integers(0, 4), min_size=3, max_size=3)))
            table = tuple(
                LevelCredits(level=f"L{i + 1}", credits=Decimal(low + s) / 2)
                for i, s in enumerate(steps)
            )
            then = RequirementCredits(requirement="pool", credits_by_level=table)
        else:
            when = Match(units=("t0",))
            then = HoursToCredits(
                requirement="pool",
                hours_per_credit=Decimal(16),
                rounding=draw(st.sampled_from(["down", "half_up"])),
                step=Decimal("0.5"),
            )
        rules.append(
            _scenario_rule(
                r,
                when,
                then,
                shareable=draw(st.integers(0, 6)) == 0,
                priority=draw(st.integers(0, 1)),
                guarantee=Guarantee(min_credits=Decimal(draw(st.integers(1, 6))) / 2)
                if isinstance(then, RequirementCredits) and draw(st.integers(0, 2)) == 0
                else None,
            )
        )
    caps = []
    kinds = [
        "program_credits",
        "share",
        "per_achievement",
        "per_course_count",
        "count",
        "recognised",
        "online",
        "source",
        "requirement",
    ]
    if highest_only:
        kinds.append("highest")
    for c in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(kinds))
        base: dict[str, Any] = {"id": f"cap{c}", "name": f"cap {c}", "example": True}
        specs: dict[str, dict[str, Any]] = {
            "program_credits": {"max_credits": draw(credits(8))},
            "share": {"max_share": draw(st.sampled_from(["0.25", "0.5"]))},
            "per_achievement": {"per": "achievement", "max_credits": draw(credits(4))},
            "per_course_count": {"per": "course", "max_count": 1},
            "count": {"max_count": draw(st.integers(0, 2))},
            "recognised": {"within_recognised": True},
            "online": {"max_share": "0.25", "counts": {"online": True}},
            "highest": {"per": "family", "highest_only": True},
            "source": {
                "per": "achievement",
                "max_share": draw(st.sampled_from(["0.5", "1"])),
                "share_of": "source",
            },
            # a cap on what enters a requirement, overflow from another one included
            "requirement": {
                "per": draw(st.sampled_from(["program", "requirement"])),
                "max_credits": draw(credits(6)),
                "counts": {
                    "requirements": draw(
                        st.lists(
                            st.sampled_from([r.id for r in program.requirements]),
                            min_size=1,
                            max_size=2,
                            unique=True,
                        )
                    )
                },
            },
        }
        authority = draw(st.sampled_from(["statutory", "institutional"]))
        caps.append(Cap.model_validate({**base, **specs[kind], "authority": authority}))
    return Standards([scale, *courses, *units, program, *rules, *caps])


@st.composite
def scenario_portfolios(draw: st.DrawFn, standards: Any, max_size: int = 6) -> Portfolio:
    """Achievements of the scenario's units: random levels, dates (some expired), duplicates."""
    units = [u for u in standards.units.values() if u.kind != "course"]
    wanted = sorted({str(u) for r in standards.rules.values() for u in _collect_units(r.when)}) or [
        u.id for u in units
    ]
    found = []
    for i in range(draw(st.integers(min(1, max_size), max_size))):
        unit = (
            standards.units[draw(st.sampled_from(wanted))]
            if draw(st.integers(0, 4))
            else draw(st.sampled_from(units))
        )
        earned = draw(dates(2018, 2026).filter(lambda d: d <= SCENARIO_AS_OF))
        expires = (
            None
            if draw(st.integers(0, 2))
            else draw(dates(max(2024, earned.year), 2030).filter(earned.__le__))
        )
        found.append(
            Achievement(
                id=f"a{i}",
                unit=unit.id,
                earned_on=earned,
                expires_on=expires,
                level=draw(st.sampled_from(["L1", "L2", "L3"])) if unit.kind == "other" else None,
                online=draw(st.none() | st.booleans()),
            )
        )
    return Portfolio(learner="learner", achievements=tuple(found))


def _collect_units(condition: Any) -> list[str]:
    return [u for match in condition.matches() for u in match.units]


@st.composite
def scenarios(draw: st.DrawFn, *, highest_only: bool = True, max_achievements: int = 6) -> Any:
    """(standards, portfolio) for the engine's property tests; evaluate against ``"p"``."""
    standards = draw(scenario_standards(highest_only=highest_only))
    return standards, draw(scenario_portfolios(standards, max_achievements))


_POOL = (Decimal(2), Decimal(2), Decimal(4))
"""Mostly equal credits: ties between levels are what the preference decides."""


def _scenario_rule(number: int, when: Any, then: Any, **fields: Any) -> Rule:
    """Rule ``r<number>`` of the scenario programme (an example), with any further fields."""
    return Rule(
        id=f"r{number}",
        name=Label(en=f"rule {number}"),
        example=True,
        programs=(SCENARIO_PROGRAM,),
        when=when,
        then=then,
        **fields,
    )


def _course_or_pool(draw: st.DrawFn, courses: Sequence[CourseUnit]) -> Any:
    """A rule's outcome: one of the courses exempted, or credits into the pool."""
    if draw(st.booleans()):
        return ExemptCourses(courses=(draw(st.sampled_from(courses)).id,))
    return RequirementCredits(requirement="pool", credits=draw(st.sampled_from(_POOL)))


@st.composite
def highest_only_scenarios(draw: st.DrawFn, strict: bool = False) -> Any:
    """(standards, portfolio) for highest-only property tests: certificates of
    families fa (two units) and fb on three levels, a rule for some levels of each unit
    (course exemptions and elective credits, mostly equal, so that a lower level may be
    worth as much as or more than a higher one), maybe combination rules (``all_of`` a
    certificate and a training of no family, or two certificates of one family or of two),
    rule ids in random order, a highest-only cap per family (``strict`` or ``true``) and
    maybe a cap on the total. Evaluate against :data:`SCENARIO_PROGRAM` as of
    :data:`SCENARIO_AS_OF`."""
    levels = tuple(Level(id=f"L{r}", rank=r, name=Label(en=f"level {r}")) for r in (1, 2, 3))
    scale = Framework(id="scale", name=Label(en="scale"), example=True, levels=levels)
    courses = [
        CourseUnit(
            id=f"c{i}",
            name=Label(en=f"course {i}"),
            example=True,
            credits=draw(st.sampled_from(["2", "4"])),
            course_type="professional_core",
        )
        for i in range(2)
    ]
    units = [
        OtherUnit(
            id=f"u{i}",
            name=Label(en=f"certificate {i}"),
            example=True,
            framework="scale",
            family=family,
        )
        for i, family in enumerate(["fa", "fa", "fb"])
    ]
    program = Program(
        id=SCENARIO_PROGRAM,
        name=Label(en="programme"),
        example=True,
        education_level="higher_vocational",
        total_credits=Decimal(40),
        requirements=(
            Requirement(
                id="core",
                name=Label(en="core"),
                kind="required_courses",
                courses=tuple(c.id for c in courses),
            ),
            Requirement(
                id="pool",
                name=Label(en="pool"),
                kind="elective_pool",
                min_credits=Decimal(draw(st.sampled_from([4, 8]))),
            ),
        ),
    )
    rules: list[Rule] = []
    for unit in units:  # each level of each unit: a rule of its own, or none
        for level in ("L1", "L2", "L3"):
            if not draw(st.integers(0, 2)):
                continue
            then: Any = _course_or_pool(draw, courses)
            when = Match(units=(unit.id,), level=LevelCondition(one_of=(level,)))
            rules.append(_scenario_rule(len(rules), when, then))
    training = OtherUnit(id="t", name=Label(en="training"), example=True)  # no family, no level
    levelled = st.sampled_from([(u.id, lv) for u in units for lv in ("L1", "L2", "L3")])
    for _ in range(draw(st.integers(0, 2))):  # combinations: a certificate and a partner
        unit_id, level = draw(levelled)
        partner = (
            Match(units=(training.id,))
            if draw(st.booleans())
            else Match(
                units=((other := draw(levelled))[0],), level=LevelCondition(at_least=other[1])
            )
        )
        then = _course_or_pool(draw, courses)
        first = Match(units=(unit_id,), level=LevelCondition(one_of=(level,)))
        rules.append(_scenario_rule(len(rules), AllOf(all_of=(first, partner)), then))
    # the rules' ids in a random order: the spelling must not decide a family's level
    order = draw(st.permutations(range(len(rules))))
    rules = [r.model_copy(update={"id": f"r{order[i]}"}) for i, r in enumerate(rules)]
    caps = [
        Cap.model_validate(
            {
                "id": "highest",
                "name": "highest",
                "example": True,
                "per": "family",
                "highest_only": "strict" if strict else True,
            }
        )
    ]
    if draw(st.booleans()):
        total = draw(st.integers(2, 8))
        caps.append(
            Cap.model_validate(
                {"id": "total", "name": "total", "example": True, "max_credits": total}
            )
        )
    achievements = tuple(
        Achievement(
            id=f"a{i}",
            unit=draw(st.sampled_from(units)).id,
            earned_on=draw(st.dates(SCENARIO_AS_OF.replace(year=2018), SCENARIO_AS_OF)),
            level=draw(st.sampled_from(["L1", "L2", "L3"])),
        )
        for i in range(draw(st.integers(4, 7)))
    ) + tuple(
        Achievement(id=f"t{i}", unit=training.id, earned_on=SCENARIO_AS_OF.replace(year=2020))
        for i in range(draw(st.integers(0, 1)))
    )
    standards = Standards([scale, *courses, *units, training, program, *rules, *caps])
    return standards, Portfolio(learner="learner", achievements=achievements)


@st.composite
def pathway_scenarios(draw: st.DrawFn, *, max_achievements: int = 3) -> Any:
    """(standards, portfolio, costs) for the pathway's property tests.

    A :func:`scenario_standards` whose courses take 8 to 64 study hours, a portfolio of its
    units, and ``costs``: study hours (0 to 80) to obtain every non-course unit at each of
    its levels, keyed ``(unit, level id or None)`` as :func:`creditbank.graph.pathway.pathway`
    takes them.
    """
    base = draw(scenario_standards(max_rules=4, free_electives=False))
    items: list[Any] = []
    for item in base:
        if isinstance(item, CourseUnit):
            hours = Decimal(draw(st.sampled_from([8, 16, 24, 32, 48, 64])))
            items.append(item.model_copy(update={"hours": hours}))
        else:
            items.append(item)
    standards = Standards(items)
    portfolio = draw(scenario_portfolios(standards, max_achievements))
    costs: dict[tuple[str, str | None], Decimal] = {}
    for unit in standards.units.values():
        if unit.kind == "course":
            continue
        levels: list[str | None] = ["L1", "L2", "L3"] if unit.kind == "other" else [None]
        for level in levels:
            costs[(unit.id, level)] = Decimal(draw(st.integers(0, 80)))
    return standards, portfolio, costs


_URLSAFE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def token_secrets(secret: str | None = None) -> st.SearchStrategy[object]:
    """What a caller may send as an API token's secret (:mod:`creditbank.ledger.tokens`):
    any text or bytes, text shaped like a secret (``cbk_``, 16 hex digits, ``_``, 43
    URL-safe characters), and, given a real ``secret``, near misses of it: its id with
    another random part, one character changed, cut short, or extended."""
    shaped = st.tuples(
        st.text("0123456789abcdef", min_size=16, max_size=16),
        st.text(_URLSAFE, min_size=43, max_size=43),
    ).map(lambda parts: f"{TOKEN_PREFIX}{parts[0]}_{parts[1]}")
    choices: list[st.SearchStrategy[object]] = [st.text(), st.binary(), shaped]
    if secret:
        head = secret[: len(TOKEN_PREFIX) + 17]  # the prefix, the id and its underscore
        choices += [
            st.text(_URLSAFE, min_size=43, max_size=43).map(lambda tail: head + tail),
            st.tuples(st.integers(0, len(secret) - 1), st.characters()).map(
                lambda edit: secret[: edit[0]] + edit[1] + secret[edit[0] + 1 :]
            ),
            st.integers(0, len(secret) - 1).map(lambda n: secret[:n]),
            st.text(min_size=1).map(lambda more: secret + more),
        ]
    return st.one_of(choices)


def json_bodies(fields: Sequence[str] = ()) -> st.SearchStrategy[Any]:
    """What a caller may send as a JSON request body: any JSON value, and objects whose keys
    are drawn from ``fields`` (a route's own field names, so the values reach its checks)."""
    if not fields:
        return json_values(12)
    return json_values(12) | st.dictionaries(
        st.sampled_from(list(fields)), json_values(12), max_size=6
    )


REPORT_PROGRAMS = ("p:a", "p:b", "p:c")
"""The programmes :func:`learner_figures` draws from."""


@st.composite
def learner_figures(draw: st.DrawFn) -> LearnerFigures:
    """What the progress report counts of one learner (:class:`LearnerFigures`): a region or
    none, migrant-worker status, programmes with funded and completed ones among them, and
    credits per programme and source kind (exact hundredths)."""
    kinds = ("skill_certificate", "training", "award", "course", COMBINED)
    programs = draw(st.frozensets(st.sampled_from(REPORT_PROGRAMS)))
    funded = draw(st.frozensets(st.sampled_from(sorted(programs)))) if programs else frozenset()
    credits = tuple(
        (p, draw(st.sampled_from(kinds)), Decimal(draw(st.integers(1, 1600))) / 100)
        for p in sorted(programs)
        for _ in range(draw(st.integers(0, 3)))
    )
    completed = draw(st.frozensets(st.sampled_from(sorted(programs)))) if programs else frozenset()
    return LearnerFigures(
        region=draw(st.sampled_from([None, "44", "4403", "440300", "320200", "11"])),
        migrant=draw(st.booleans()),
        programs=programs,
        funded=funded,
        credits=credits,
        completed=completed,
    )
