"""``creditbank eligibility``: which titles, admissions and funded places a portfolio opens."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import click
from rich.console import Group
from rich.table import Table
from rich.text import Text

from creditbank.cli.console import console
from creditbank.cli.evaluate import fail_with, load_inputs
from creditbank.cli.options import as_of_option, format_option, lang_option, standards_option
from creditbank.cli.output import write_output
from creditbank.cli.provenance import standards_line
from creditbank.cli.render import NARROW, records
from creditbank.cli.where import where_view
from creditbank.engine import Eligibility, OutcomeResult, eligibility
from creditbank.engine.eligibility import level_in_english
from creditbank.errors import CreditbankError
from creditbank.graph.where import where
from creditbank.models import Outcome, Standards
from creditbank.models.eligibility import OUTCOME_KINDS, OutcomeKind
from creditbank.models.profile import TITLE_LEVEL_LABELS, TITLE_SERIES_LABELS

__all__ = ["eligibility_command", "eligibility_view", "outcome_text", "rule_name"]

Lang = Literal["zh", "en"]

_HEAD = {
    "zh": ("结果", "去向", "规则", "是否符合", "原因"),
    "en": ("kind", "outcome", "rule", "eligible", "reasons"),
}
_KIND = {
    "title": ("贯通", "title"),
    "admission": ("入学", "admission"),
    "funding": ("资助", "funding"),
}
_ROUTE = {"exam": ("考试入学", "by exam"), "exam_free": ("免试入学", "exam-free")}


def _program_name(standards: Standards, program: str, lang: Lang) -> str:
    found = standards.programs.get(program)
    return f"{found.name.text(lang)} ({found.code or found.id})" if found else program


def outcome_text(outcome: Outcome, standards: Standards, lang: Lang) -> str:
    """What an outcome opens, in words: a title of a series, a post, a programme's entry."""
    zh = lang == "zh"
    if outcome.kind == "title":
        if outcome.track == "professional" and outcome.series and outcome.level:
            series_zh, series_en = TITLE_SERIES_LABELS[outcome.series]
            if zh:
                return f"{series_zh}系列 {outcome.level}职称"
            return f"{series_en} series, {TITLE_LEVEL_LABELS.get(outcome.level, outcome.level)}"
        if outcome.track == "skill":
            occupation = standards.occupations.get(str(outcome.occupation or ""))
            name = occupation.name.text(lang) if occupation else str(outcome.occupation or "")
            level = str(outcome.level)
            if zh:
                return f"{name} {level} 技能等级评价"
            return f"{name} skill assessment at {level_in_english(standards, level)}"
        return f"管理岗位：{outcome.post}" if zh else f"management post: {outcome.post}"
    program = _program_name(standards, outcome.program, lang)
    if outcome.kind == "admission":
        return f"{program} {_ROUTE[outcome.route][0 if zh else 1]}"
    return f"{program} {outcome.scheme}" + ("资助名额" if zh else " funded place")


def _mark(result: OutcomeResult, lang: Lang) -> Text:
    if result.eligible:
        return Text("✓", style="green")
    if result.eligible_from is not None:
        day = result.eligible_from.isoformat()
        return Text(f"{day} 起" if lang == "zh" else f"from {day}", style="yellow")
    return Text("✗", style="red")


_CONDITIONS = {
    "years_since": ("取得年限", "years since it"),
    "work": ("工作年限", "years of work"),
    "education": ("学历", "education"),
    "title": ("职称", "title held"),
    "status": ("身份", "status"),
    "regions": ("地区", "region"),
}


def rule_name(outcome: OutcomeResult, lang: Lang) -> str:
    """The rule's name in ``lang``; in English, a rule named only in Chinese says so."""
    if lang == "en":
        return outcome.name_en or f"{outcome.name_zh or outcome.name} (name in Chinese only)"
    return outcome.name_zh or outcome.name


def _met(outcome: OutcomeResult, standards: Standards, lang: Lang) -> str:
    """Why an eligible row is eligible: the achievements used, and the profile
    conditions the rule has (all met, or it would not be eligible)."""
    rule = standards.eligibility_rules.get(outcome.rule)
    names = [
        _CONDITIONS[key][0 if lang == "zh" else 1]
        for key in _CONDITIONS
        if rule is not None and getattr(rule.when, key)
    ]
    parts = []
    if outcome.uses:
        parts.append(("依据 " if lang == "zh" else "uses ") + ", ".join(outcome.uses))
    if names:
        joined = "、".join(names) if lang == "zh" else ", ".join(names)
        parts.append(f"满足：{joined}" if lang == "zh" else f"meets: {joined}")
    return "; ".join(parts)


def eligibility_view(
    result: Eligibility, standards: Standards, lang: Lang, width: int | None = None
) -> Table | Group:
    """One row per rule: what it opens, whether the learner is eligible, and why not; on a
    terminal of fewer than :data:`NARROW` columns (``width``), one block per rule instead,
    each rule id and reason code on a line of its own (a cell would break them apart)."""
    title = f"{result.learner}, {result.as_of.isoformat()}"
    table = Table(title=title, title_justify="left")
    for position, header in enumerate(_HEAD[lang]):
        table.add_column(header, overflow="fold", no_wrap=position in (0, 3))
    rows: list[tuple[str, Sequence[str | Text]]] = []
    for outcome in result.outcomes:
        if outcome.eligible:
            why = _met(outcome, standards, lang)
        else:
            why = "; ".join(f"{u.code}: {u.zh if lang == 'zh' else u.en}" for u in outcome.unmet)
        rule = outcome.rule + (" (示例)" if lang == "zh" else " (example)") * outcome.example
        kind = _KIND[outcome.kind][0 if lang == "zh" else 1]
        opens = outcome_text(outcome.outcome, standards, lang)
        mark = _mark(outcome, lang)
        table.add_row(kind, opens, rule + "\n" + rule_name(outcome, lang), mark, why)
        lines: list[str | Text] = [mark, f"{kind}: {opens}", rule_name(outcome, lang)]
        if outcome.eligible:
            lines.append(why)
        for unmet in outcome.unmet:
            lines += [Text(unmet.code, style="bold"), unmet.zh if lang == "zh" else unmet.en]
        rows.append((rule, lines))
    return records(title, rows) if width is not None and width < NARROW else table


@click.command("eligibility")
@click.argument("portfolio", type=click.Path(path_type=Path))
@click.option(
    "--for",
    "wanted",
    type=click.Choice([*OUTCOME_KINDS, "all"]),
    default="all",
    show_default=True,
    help="Which outcomes: professional titles and other bridges, admission, funding.",
)
@as_of_option("Decide as of this day, YYYY-MM-DD (default: today).")
@standards_option
@click.option(
    "--where",
    "where_next",
    is_flag=True,
    help="Where the worker stands on the skill, professional and management tracks and "
    "where they can go next (JSON schema creditbank.tracks/1); title rules only.",
)
@format_option(
    "A readable table, JSON (schema creditbank.eligibility/1), or a printable HTML report "
    "with the picture of the three tracks.",
    ("table", "json", "html"),
)
@lang_option("Language of names, reasons and (html) every label.")
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), default=None, help="Write to this file."
)
def eligibility_command(
    portfolio: Path,
    wanted: str,
    as_of: dt.datetime | None,
    standards_dirs: tuple[str, ...],
    where_next: bool,
    output_format: str,
    lang: Lang,
    output: Path | None,
) -> None:
    """Which titles (贯通), admissions and funded places a PORTFOLIO opens, and why not.

    One row per eligibility rule of the standards: eligible, eligible from a later day
    (when only time is missing), or not, with every unmet condition. Reads the portfolio's
    `profile:` (work history, education, titles, status, region) as well as its
    achievements. Exits 1 when the portfolio or the standards have problems.

    With --where: the highest skill level and titles the worker holds, and every level
    of the three tracks a bridge (贯通) or the next step of a track leads to, best first.
    """
    if output is not None and output_format == "table":
        raise click.UsageError("--output needs --format json or --format html")
    if where_next:
        if output_format == "html":
            raise click.UsageError("--where prints a table or JSON; the html report holds it")
        if wanted not in ("all", "title"):
            raise click.UsageError("--where follows the title (bridging) rules: drop --for")
        _where(portfolio, as_of, standards_dirs, output_format, lang, output)
        return
    kinds: tuple[OutcomeKind, ...] = (
        OUTCOME_KINDS if wanted == "all" else tuple(k for k in OUTCOME_KINDS if k == wanted)
    )
    day = as_of.date() if as_of else dt.date.today()
    try:
        standards, learner = load_inputs(standards_dirs, portfolio)
        result = eligibility(standards, learner, day, kinds)
    except CreditbankError as error:
        fail_with(error)
        return
    if output_format == "html":
        # imported here: the report needs Jinja2, which the table and JSON do not
        from creditbank.reports import eligibility_report  # noqa: PLC0415

        write_output(eligibility_report(standards, learner, day, lang=lang, result=result), output)
    elif output_format == "json":
        write_output(result.in_language(lang).to_json() + "\n", output)
    else:
        out = console(soft_wrap=False)
        out.print(standards_line(standards_dirs, standards, lang), markup=False, soft_wrap=True)
        out.print(eligibility_view(result, standards, lang, out.width if out.is_terminal else None))


def _where(
    portfolio: Path,
    as_of: dt.datetime | None,
    standards_dirs: tuple[str, ...],
    output_format: str,
    lang: Lang,
    output: Path | None,
) -> None:
    day = as_of.date() if as_of else dt.date.today()
    try:
        standards, learner = load_inputs(standards_dirs, portfolio)
        found = where(standards, learner, day)
    except CreditbankError as error:
        fail_with(error)
        return
    if output_format == "json":
        write_output(found.to_json() + "\n", output)
    else:
        out = console(soft_wrap=False)
        out.print(standards_line(standards_dirs, standards, lang), markup=False, soft_wrap=True)
        out.print(where_view(found, lang, out.width if out.is_terminal else None))
