"""Eligibility (贯通、入学、资助): which outcomes a learner's achievements and profile open.

:func:`eligibility` is a pure function of (standards, portfolio, as-of date, outcome
kinds), like :func:`~creditbank.engine.evaluate.evaluate`: no clock, no files. For every
eligibility rule in force (of the kinds asked for) it says whether the learner is eligible
on ``as_of``, why not (reason codes carrying both sides: what the learner has and what the
rule requires), and — when only time is missing — the first day the learner will be.

How time is counted (one convention everywhere, the conversion engine's own):

* **N years since a date** (``years_since``: since a certificate was earned, since a title
  was obtained) are complete on the N-th anniversary of that date: a certificate of
  2023-03-01 has "2 years" on 2025-03-01, not on 2025-02-28. Months count the same way.
  An anniversary that does not exist (29 February in a common year; 31 April) falls back
  to the last day of that month, so 2024-02-29 + 1 year is 2025-02-28
  (:func:`creditbank.engine.facts.add_years`).
* **N years of work** accumulate over the work periods the condition counts (merged where
  they overlap), in days: the days worked *before* the as-of date (a period's ``end`` is
  its last day worked; a period without ``end`` goes on). N years is as many days as
  there are from the first counted day to its N-th anniversary, so for one continuous
  period the condition is met exactly on the anniversary, as ``years_since`` is; breaks
  push the date back day for day.
* The **eligible-from date** is given only when every unmet condition is one time alone
  will meet: years since an achievement or title the learner holds, work in a period that
  goes on (assuming it does), a rule not yet in force. It is the latest of those first
  days, checked by evaluating the rule on that day: the learner is eligible on it and
  was not the day before. Nothing else is predicted (education, status, region, a
  missing certificate never change by waiting).

An achievement earned after ``as_of`` does not exist yet (``NOT_YET_EARNED``), as in
conversion; work or titles after ``as_of`` do not count before they happen.

>>> import datetime as dt
>>> months_between(dt.date(2024, 2, 29), dt.date(2025, 2, 28))
12
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal, assert_never

from pydantic import BaseModel, ConfigDict, Field

from creditbank.engine.conditions import Failure, check_match, selects
from creditbank.engine.facts import Facts, add_years, make_facts
from creditbank.engine.reasons import eligibility_sentences
from creditbank.errors import LoadError
from creditbank.loading.crosscheck import check_portfolio
from creditbank.models import (
    AllOf,
    AnyOf,
    Condition,
    EligibilityRule,
    Match,
    NOf,
    Outcome,
    OutcomeKind,
    Portfolio,
    Profile,
    Standards,
)
from creditbank.models.eligibility import OUTCOME_KINDS, TitleCondition, WorkCondition
from creditbank.models.profile import TITLE_LEVEL_LABELS, education_rank, title_rank
from creditbank.models.rule import Within

__all__ = [
    "ELIGIBILITY_SCHEMA",
    "Eligibility",
    "OutcomeResult",
    "Unmet",
    "eligibility",
    "eligibility_json_schema",
    "level_in_english",
    "months_between",
]

ELIGIBILITY_SCHEMA = "creditbank.eligibility/1"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class Unmet(_Frozen):
    """One condition of a rule the learner does not meet, with both sides in ``detail``."""

    code: str = Field(description="A reason code (creditbank.engine.reasons).")
    detail: dict[str, str]
    zh: str
    en: str
    met_on: dt.date | None = Field(
        default=None, description="The first day time alone meets it, when it will."
    )


class OutcomeResult(_Frozen):
    """Whether one rule's outcome is open to the learner on the as-of date."""

    rule: str
    name: str = Field(
        description="The rule's name: in the language asked for (Eligibility.in_language), "
        "else both languages joined."
    )
    name_zh: str | None = Field(default=None, description="The rule's Chinese name, if any.")
    name_en: str | None = Field(default=None, description="The rule's English name, if any.")
    kind: OutcomeKind
    outcome: Outcome
    example: bool
    eligible: bool
    eligible_from: dt.date | None = Field(
        default=None,
        description="When not eligible yet and only time is missing: the first eligible day.",
    )
    uses: tuple[str, ...] = Field(default=(), description="Achievements the rule relied on.")
    unmet: tuple[Unmet, ...] = ()


class Eligibility(_Frozen):
    """Every eligibility outcome of one learner on one day."""

    schema_version: Literal["creditbank.eligibility/1"] = Field(
        default="creditbank.eligibility/1", alias="schema", serialization_alias="schema"
    )
    learner: str
    as_of: dt.date
    standards_fingerprint: str
    kinds: tuple[OutcomeKind, ...]
    outcomes: tuple[OutcomeResult, ...]

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, defer_build=True)

    def outcome(self, rule: str) -> OutcomeResult:
        """The result of one rule."""
        for result in self.outcomes:
            if result.rule == rule:
                return result
        raise KeyError(rule)

    def in_language(self, lang: Literal["zh", "en"]) -> Eligibility:
        """The same result with each outcome's ``name`` in ``lang`` (the other language
        when the rule has no name in ``lang``); ``name_zh`` and ``name_en`` stay."""
        outcomes = tuple(o.model_copy(update={"name": _name_in(o, lang)}) for o in self.outcomes)
        return self.model_copy(update={"outcomes": outcomes})

    def to_json(self, *, indent: int | None = 2) -> str:
        """The result as JSON (schema ``creditbank.eligibility/1``)."""
        return self.model_dump_json(by_alias=True, indent=indent)


def _name_in(outcome: OutcomeResult, lang: Literal["zh", "en"]) -> str:
    first, second = (
        (outcome.name_zh, outcome.name_en) if lang == "zh" else (outcome.name_en, outcome.name_zh)
    )
    return first or second or outcome.name


def eligibility_json_schema() -> dict[str, object]:
    """JSON Schema (draft 2020-12) of :meth:`Eligibility.to_json` output."""
    schema = Eligibility.model_json_schema(mode="serialization", by_alias=True)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


# ---------------------------------------------------------------------------- time


def months_between(start: dt.date, day: dt.date) -> int:
    """Whole months from ``start`` to ``day`` by anniversaries (0 when ``day`` is earlier)."""
    months = (day.year - start.year) * 12 + day.month - start.month
    if months > 0 and add_years(start, 0, months) > day:
        months -= 1
    return max(months, 0)


def _span_months(within: Within) -> int:
    return within.years * 12 + within.months


# ------------------------------------------------------------------------ checking


@dataclass
class _Check:
    """What checking one rule on one day found."""

    unmet: list[tuple[str, dict[str, str], dt.date | None]] = field(default_factory=list)
    uses: list[str] = field(default_factory=list)

    def miss(self, code: str, detail: dict[str, str], met_on: dt.date | None = None) -> None:
        self.unmet.append((code, detail, met_on))


def _label(facts: Facts) -> str:
    """How an achievement is named in a reason: its level (技师) or its unit."""
    achievement = facts.achievement
    return achievement.level if achievement.level else str(achievement.unit)


@dataclass(frozen=True)
class _Anchor:
    """An achievement meeting a ``years_since`` condition: now, or first on ``met_on``."""

    facts: Facts
    met_on: dt.date


def _best_failure(failures: Iterable[tuple[Failure, Facts]]) -> Failure | None:
    """The failure of the achievement that came closest: furthest in the checks, then the
    highest level (so 三级 is reported before 四级 against a 二级 floor), then first."""
    best = max(
        enumerate(failures),
        key=lambda pair: (pair[1][0].step, pair[1][1].rank or 0, -pair[0]),
        default=None,
    )
    return None if best is None else best[1][0]


def _checked(
    standards: Standards, rule: str, match: Match, facts: Sequence[Facts], day: dt.date
) -> tuple[list[Facts], list[tuple[Failure, Facts]], bool]:
    """The achievements ``match`` selects that meet it on ``day``, the failures of those
    that do not, and whether it selected any at all."""
    passed: list[Facts] = []
    failures: list[tuple[Failure, Facts]] = []
    selected = False
    for item in facts:
        if not selects(match, item, standards):
            continue
        selected = True
        failure = check_match(standards, match, item, day, rule)
        if failure is None:
            passed.append(item)
        else:
            failures.append((failure, item))
    return passed, failures, selected


def _match_anchor(
    standards: Standards,
    rule: EligibilityRule,
    match: Match,
    facts: Sequence[Facts],
    day: dt.date,
    *,
    span: int,
) -> tuple[_Anchor | None, Failure | None, bool]:
    """The achievement meeting ``match`` earliest with ``span`` months behind it: one met by
    ``day`` if any (the earliest earned), else the one that will be soonest. Also the most
    telling failure, and whether the match selected any achievement at all."""
    chosen: _Anchor | None = None
    passed, failures, selected = _checked(standards, rule.id, match, facts, day)
    for item in passed:
        reached = add_years(item.achievement.earned_on, 0, span)
        if reached > day and check_match(standards, match, item, reached, rule.id) is not None:
            continue  # by then it no longer meets the condition (expired): no date from it
        key = (reached, item.achievement.earned_on, item.achievement.id)
        if chosen is None or key < (
            chosen.met_on,
            chosen.facts.achievement.earned_on,
            chosen.facts.achievement.id,
        ):
            chosen = _Anchor(item, reached)
    return chosen, _best_failure(failures), selected


def _options(
    standards: Standards, rule: str, condition: Condition, facts: Sequence[Facts], day: dt.date
) -> tuple[list[frozenset[str]], list[tuple[Failure, Facts]], bool]:
    """The sets of distinct achievements that meet ``condition`` on ``day`` (minimal ones
    first, at most :data:`_MAX_OPTIONS`), the failures seen, and whether any achievement
    was selected."""
    match condition:
        case Match():
            passed, failures, selected = _checked(standards, rule, condition, facts, day)
            return [frozenset({item.achievement.id}) for item in passed], failures, selected
        case AnyOf():
            need = 1
        case AllOf():
            need = len(condition.all_of)
        case NOf():
            need = condition.n
        case _:
            assert_never(condition)
    results = [_options(standards, rule, p, facts, day) for p in condition.parts]
    failures = [f for r in results for f in r[1]]
    return _combined([r[0] for r in results], need), failures, any(r[2] for r in results)


def _combined(options: Sequence[list[frozenset[str]]], need: int) -> list[frozenset[str]]:
    """Ways to meet ``need`` of the parts, one distinct achievement (set) for each."""
    sets: list[frozenset[str]] = []
    for group in itertools.combinations(range(len(options)), need):
        for chosen in itertools.product(*(options[i] for i in group)):
            union = frozenset().union(*chosen)
            if sum(map(len, chosen)) == len(union):  # one distinct achievement each
                sets.append(union)
                if len(sets) >= _MAX_OPTIONS:
                    return _trim(sets)
    return _trim(sets)


_MAX_OPTIONS = 64
"""Enough ways of meeting a combination to tell met from unmet; portfolios are small."""


def _trim(sets: list[frozenset[str]]) -> list[frozenset[str]]:
    unique = sorted(set(sets), key=lambda s: (len(s), sorted(s)))
    return unique[:_MAX_OPTIONS]


def _achievement(
    standards: Standards,
    rule: EligibilityRule,
    facts: Sequence[Facts],
    day: dt.date,
    check: _Check,
) -> _Anchor | None:
    """Check the rule's achievement condition; the anchor of a single-achievement one."""
    condition = rule.when.achievement
    match condition:
        case None:
            return None
        case Match():
            return _single(standards, rule, condition, facts, day, check=check)
        case AnyOf():
            alternatives = True
        case AllOf() | NOf():
            alternatives = False
        case _:
            assert_never(condition)
    sets, failures, selected = _options(standards, rule.id, condition, facts, day)
    if sets:
        check.uses.extend(sorted(sets[0]))
    elif selected and not alternatives:
        # some part is met or tried, the whole is not: the partners are missing
        check.miss("COMBINATION_INCOMPLETE", {"rule": rule.id})
    else:
        _no_achievement(rule, _best_failure(failures), selected, check)
    return None


def _single(
    standards: Standards,
    rule: EligibilityRule,
    match: Match,
    facts: Sequence[Facts],
    day: dt.date,
    *,
    check: _Check,
) -> _Anchor | None:
    """A single-achievement condition, with the years since it (``years_since``)."""
    span = _span_months(rule.when.years_since) if rule.when.years_since else 0
    anchor, failure, selected = _match_anchor(standards, rule, match, facts, day, span=span)
    if anchor is None:
        _no_achievement(rule, failure, selected, check)
        return None
    if anchor.met_on <= day:
        check.uses.append(anchor.facts.achievement.id)
    else:
        earned = anchor.facts.achievement.earned_on
        check.miss(
            "YEARS_TOO_FEW",
            {
                "rule": rule.id,
                "what": _label(anchor.facts),
                "achievement": anchor.facts.achievement.id,
                "since": earned.isoformat(),
                "have_months": str(months_between(earned, day)),
                "required_months": str(span),
            },
            anchor.met_on,
        )
    return anchor


def _no_achievement(
    rule: EligibilityRule, failure: Failure | None, selected: bool, check: _Check
) -> None:
    if selected and failure is not None:
        check.miss(failure.reason, dict(failure.detail))
    else:
        wanted = rule.when.achievement
        detail = {"rule": rule.id}
        if wanted is not None:
            detail["wanted_zh"] = _wanted(wanted, "zh")
            detail["wanted_en"] = _wanted(wanted, "en")
        check.miss("NO_QUALIFYING_ACHIEVEMENT", detail)


def _wanted(condition: Condition, lang: Literal["zh", "en"]) -> str:
    """What an achievement condition asks for, in short: units (or kinds, occupations,
    families, tags) and the level, ``or`` / ``and`` between parts. Levels are named as
    the rule names them; :func:`_in_english` puts them in English."""
    zh = lang == "zh"
    match condition:
        case Match():
            what = [
                *condition.units,
                *condition.unit_kinds,
                *condition.occupations,
                *condition.families,
                *(f"#{tag}" for tag in condition.tags),
            ]
            text = " / ".join(str(w) for w in what)
            level = condition.level
            if level is not None and level.at_least is not None:
                text += f" {level.at_least}及以上" if zh else f" at {level.at_least} or higher"
            elif level is not None and level.one_of:
                names = "/".join(str(n) for n in level.one_of)
                text += f" {names}" if zh else f" at {names}"
            return text
        case AnyOf():
            return (" 或 " if zh else " or ").join(_wanted(p, lang) for p in condition.parts)
        case AllOf() | NOf():
            return (" 和 " if zh else " and ").join(_wanted(p, lang) for p in condition.parts)
        case _:
            assert_never(condition)


def _counted_periods(
    profile: Profile, condition: WorkCondition, anchor: _Anchor | None
) -> list[tuple[dt.date, dt.date | None]]:
    """The work periods the condition counts, merged, as [start, end-exclusive) (None: goes on)."""
    periods: list[tuple[dt.date, dt.date | None]] = []
    for period in profile.work:
        if condition.occupations and period.occupation not in condition.occupations:
            continue
        if condition.sectors and not (
            period.sector and any(period.sector.startswith(s) for s in condition.sectors)
        ):
            continue
        start = period.start
        end = period.end + dt.timedelta(days=1) if period.end is not None else None
        if condition.after_achievement and anchor is not None:
            start = max(start, anchor.facts.achievement.earned_on)
        if end is not None and end <= start:
            continue
        periods.append((start, end))
    periods.sort(key=lambda p: p[0])
    merged: list[tuple[dt.date, dt.date | None]] = []
    for start, end in periods:
        if merged:
            last_start, last_end = merged[-1]
            if last_end is None or start <= last_end:
                joined = None if last_end is None or end is None else max(last_end, end)
                merged[-1] = (last_start, joined)
                continue
        merged.append((start, end))
    return merged


def _work_first_day(
    periods: Sequence[tuple[dt.date, dt.date | None]], required: int
) -> dt.date | None:
    """The first day on which ``required`` days were worked before it, or None (never)."""
    done = 0
    for start, end in periods:
        length = None if end is None else (end - start).days
        if length is None or done + length >= required:
            return start + dt.timedelta(days=required - done)
        done += length
    return None


def _worked_before(periods: Sequence[tuple[dt.date, dt.date | None]], day: dt.date) -> int:
    total = 0
    for start, end in periods:
        stop = day if end is None else min(end, day)
        total += max((stop - start).days, 0)
    return total


def _work(
    rule: EligibilityRule, profile: Profile, anchor: _Anchor | None, day: dt.date, check: _Check
) -> None:
    condition = rule.when.work
    if condition is None:
        return
    if condition.after_achievement and anchor is None:
        return  # the achievement is missing, which is reported: no work counts from it
    periods = _counted_periods(profile, condition, anchor)
    span = condition.years * 12 + condition.months
    if not periods:
        first = anchor.facts.achievement.earned_on if anchor is not None else day
        required = (add_years(first, 0, span) - first).days
        check.miss(
            "WORK_TOO_SHORT",
            {**_work_detail(rule, condition, 0, required), "required_months": str(span)},
        )
        return
    first = periods[0][0]
    required = (add_years(first, 0, span) - first).days
    have = _worked_before(periods, day)
    if have >= required:
        return
    met_on = _work_first_day(periods, required)
    detail = _work_detail(rule, condition, have, required)
    check.miss("WORK_TOO_SHORT", {**detail, "required_months": str(span)}, met_on)


def _work_detail(
    rule: EligibilityRule, condition: WorkCondition, have: int, required: int
) -> dict[str, str]:
    detail = {"rule": rule.id, "have_days": str(have), "required_days": str(required)}
    if condition.occupations:
        detail["occupations"] = ", ".join(condition.occupations)
    if condition.sectors:
        detail["sectors"] = ", ".join(condition.sectors)
    return detail


def _title(
    rule: EligibilityRule, condition: TitleCondition, profile: Profile, day: dt.date, check: _Check
) -> None:
    floor = title_rank(condition.at_least)
    span = _span_months(condition.years_since) if condition.years_since else 0
    best: tuple[dt.date, str, str] | None = None
    for title in profile.titles:
        if condition.series and title.series not in condition.series:
            continue
        if title_rank(title.level) < floor or title.obtained_on > day:
            continue
        reached = add_years(title.obtained_on, 0, span)
        if best is None or reached < best[0]:
            best = (reached, title.level, title.obtained_on.isoformat())
    series = ", ".join(condition.series) or "*"
    if best is None:
        check.miss(
            "TITLE_NOT_HELD", {"rule": rule.id, "series": series, "required": condition.at_least}
        )
    elif best[0] > day:
        since = dt.date.fromisoformat(best[2])
        detail = {
            "rule": rule.id,
            "what": best[1],
            "since": best[2],
            "have_months": str(months_between(since, day)),
            "required_months": str(span),
        }
        check.miss("YEARS_TOO_FEW", detail, best[0])


def _profile_conditions(rule: EligibilityRule, profile: Profile | None, check: _Check) -> None:
    """Education, status and region: never met by waiting."""
    when = rule.when
    if when.education is not None:
        have = profile.education if profile is not None else None
        required = when.education.at_least
        if have is None:
            check.miss("PROFILE_FIELD_UNKNOWN", {"rule": rule.id, "field": "education"})
        elif education_rank(have) < education_rank(required):
            check.miss(
                "EDUCATION_TOO_LOW",
                {"rule": rule.id, "have_education": have, "required_education": required},
            )
    if when.status is not None:
        for name in ("migrant_worker", "union_member"):
            wanted = getattr(when.status, name)
            if wanted is None:
                continue
            value = getattr(profile, name) if profile is not None else None
            if value is None:
                check.miss("PROFILE_FIELD_UNKNOWN", {"rule": rule.id, "field": name})
            elif value != wanted:
                detail = {"rule": rule.id, "field": name, "have": _yes(value)}
                check.miss("STATUS_NOT_MET", {**detail, "required": _yes(wanted)})
    if when.regions:
        region = profile.region if profile is not None else None
        if region is None:
            check.miss("PROFILE_FIELD_UNKNOWN", {"rule": rule.id, "field": "region"})
        elif not any(region.startswith(prefix) for prefix in when.regions):
            check.miss(
                "REGION_NOT_COVERED",
                {"rule": rule.id, "have": region, "required": ", ".join(when.regions)},
            )


def _yes(value: bool) -> str:
    return "true" if value else "false"


def level_in_english(standards: Standards, name: str) -> str:
    """A level's English name (a skill level ``Level 3``), the name itself when no
    framework gives one: skill scales first, then the others in id order."""
    frameworks = sorted(standards.frameworks.values(), key=lambda f: (f.scale != "skill", f.id))
    for framework in frameworks:
        level = framework.level(name)
        if level is not None:
            return level.name.en or name
    return name


def _in_english(standards: Standards, code: str, detail: dict[str, str]) -> dict[str, str]:
    """``detail`` with the levels it names in English, for the English sentence (the
    detail itself keeps the names the standards use)."""
    english = dict(detail)
    if code in ("LEVEL_TOO_LOW", "LEVEL_NOT_MATCHED"):
        for key in ("level", "required"):
            if key in english:
                names = english[key].split(", ")
                english[key] = ", ".join(level_in_english(standards, n) for n in names)
    elif code == "YEARS_TOO_FEW" and "what" in english:
        what = english["what"]
        if "achievement" in english:  # a certificate's level (or its unit)
            english["what"] = level_in_english(standards, what)
        else:  # a title held
            english["what"] = TITLE_LEVEL_LABELS.get(what, what)
    elif code == "TITLE_NOT_HELD" and "required" in english:
        english["required"] = TITLE_LEVEL_LABELS.get(english["required"], english["required"])
    elif code == "NO_QUALIFYING_ACHIEVEMENT" and "wanted_en" in english:
        english["wanted_en"] = re.sub(
            r"\bat (\S+)",
            lambda m: "at " + "/".join(level_in_english(standards, n) for n in m[1].split("/")),
            english["wanted_en"],
        )
    return english


def _check_rule(
    standards: Standards,
    rule: EligibilityRule,
    facts: Sequence[Facts],
    profile: Profile | None,
    day: dt.date,
) -> _Check:
    check = _Check()
    if not rule.in_force(day):
        starts = rule.effective_from if rule.effective_from and day < rule.effective_from else None
        check.miss("RULE_NOT_IN_FORCE", {"rule": rule.id, "as_of": day.isoformat()}, starts)
    anchor = _achievement(standards, rule, facts, day, check)
    when = rule.when
    if when.work is not None:
        if profile is None:
            check.miss("PROFILE_FIELD_UNKNOWN", {"rule": rule.id, "field": "work"})
        else:
            _work(rule, profile, anchor, day, check)
    if when.title is not None:
        if profile is None:
            check.miss("PROFILE_FIELD_UNKNOWN", {"rule": rule.id, "field": "titles"})
        else:
            _title(rule, when.title, profile, day, check)
    _profile_conditions(rule, profile, check)
    return check


def _result(
    standards: Standards,
    rule: EligibilityRule,
    facts: Sequence[Facts],
    profile: Profile | None,
    day: dt.date,
) -> OutcomeResult:
    check = _check_rule(standards, rule, facts, profile, day)
    eligible = not check.unmet
    eligible_from: dt.date | None = None
    if not eligible and all(met_on is not None for _, _, met_on in check.unmet):
        candidate = max(met_on for _, _, met_on in check.unmet if met_on is not None)
        if not _check_rule(standards, rule, facts, profile, candidate).unmet:
            eligible_from = candidate
    unmet = []
    for code, detail, met_on in check.unmet:
        zh = eligibility_sentences(code, detail)[0]
        en = eligibility_sentences(code, _in_english(standards, code, detail))[1]
        unmet.append(Unmet(code=code, detail=detail, zh=zh, en=en, met_on=met_on))
    return OutcomeResult(
        rule=rule.id,
        name=str(rule.name),
        name_zh=rule.name.zh,
        name_en=rule.name.en,
        kind=rule.outcome.kind,
        outcome=rule.outcome,
        example=rule.example,
        eligible=eligible,
        eligible_from=eligible_from,
        uses=tuple(check.uses) if eligible else (),
        unmet=tuple(unmet),
    )


def eligibility(
    standards: Standards,
    portfolio: Portfolio,
    as_of: dt.date,
    kinds: Iterable[OutcomeKind] = OUTCOME_KINDS,
) -> Eligibility:
    """Which outcomes (``title``, ``admission``, ``funding``) ``portfolio`` opens on ``as_of``.

    One :class:`OutcomeResult` per eligibility rule of the standards whose outcome is of
    one of ``kinds``, in rule id order — rules not in force on ``as_of`` included (they are
    not met, reason ``RULE_NOT_IN_FORCE``, and give the day they come into force). Each
    says whether the learner is eligible on ``as_of``, which achievements the rule relied
    on, every unmet condition with its reason code and both sides (what the learner has,
    what the rule requires), and, when only time is missing, ``eligible_from``: the first
    day the learner is eligible (see the module docstring for how time is counted).

    A pure function: ``as_of`` is required (no clock), nothing is read or written.
    Raises :class:`~creditbank.LoadError` when the portfolio names units, levels, issuers,
    grades or occupations the standards lack.
    """
    wanted = tuple(k for k in OUTCOME_KINDS if k in set(kinds))
    problems = check_portfolio(portfolio, standards, None)
    if problems:
        raise LoadError(problems)
    facts = [make_facts(standards, a) for a in portfolio.achievements]
    outcomes = tuple(
        _result(standards, rule, facts, portfolio.profile, as_of)
        for rule in standards.eligibility_rules.values()
        if rule.outcome.kind in wanted
    )
    return Eligibility(
        learner=portfolio.learner,
        as_of=as_of,
        standards_fingerprint=standards.fingerprint(),
        kinds=wanted,
        outcomes=outcomes,
    )
