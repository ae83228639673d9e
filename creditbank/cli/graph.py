"""``creditbank graph``, ``creditbank query …`` and ``creditbank check``: the standards graph."""

from __future__ import annotations

import datetime as dt
import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, NoReturn

import click
from rich.console import Console

from creditbank.bundled import default_standards_paths, standards_paths
from creditbank.cli.console import console, error_document, fail
from creditbank.cli.graph_views import (
    conversions_view,
    equivalents_view,
    leads_into_view,
    occupation_view,
    pathway_view,
)
from creditbank.cli.labels import label
from creditbank.cli.options import (
    as_of_option,
    format_option,
    lang_option,
    program_option,
    standards_option,
    table_or_json,
)
from creditbank.cli.output import write_output
from creditbank.cli.progress import working
from creditbank.errors import CreditbankError, Problem
from creditbank.graph.build import StandardsGraph, build_graph
from creditbank.graph.checks import run_checks
from creditbank.graph.draw import render_svg
from creditbank.graph.export import FORMATS, export, neighbourhood
from creditbank.graph.findings import Finding, summary
from creditbank.graph.pathway import pathway
from creditbank.graph.queries import (
    achievement_unit,
    converts_to,
    equivalents,
    leads_into,
    occupation_editions,
    resolve_level,
    resolve_program,
    resolve_unit,
)
from creditbank.graph.scene import graph_scene, program_scene
from creditbank.graph.serial import plain
from creditbank.graph.tracks import tracks
from creditbank.graph.tracks_scene import tracks_scene
from creditbank.graph.where import where
from creditbank.loading import load_documents, load_portfolio, load_standards
from creditbank.models import Portfolio, Standards
from creditbank.models.values import to_decimal

__all__ = ["check_command", "graph_command", "query_group", "report_findings"]

EXIT_OK, EXIT_PROBLEMS = 0, 1
Lang = Literal["zh", "en"]

_as_of_option = as_of_option(
    "Only rules in force on this day, YYYY-MM-DD (queries: any day; pathway: today)."
)
_lang_option = lang_option("Language of names and labels.")


def _out() -> Console:
    return console()


def _err() -> Console:
    return console(stderr=True)


def _fail(error: CreditbankError) -> NoReturn:
    fail(error, problems_on_stdout=True)


def _graph(standards_dirs: tuple[str, ...]) -> StandardsGraph:
    with working("loading standards"):
        return build_graph(load_standards(default_standards_paths(standards_dirs)))


def _day(as_of: dt.datetime | None) -> dt.date | None:
    return as_of.date() if as_of else None


def _portfolio(path: Path, standards: Standards) -> Portfolio:
    return load_portfolio(path, standards)


def _emit(text_: str, output: Path | None) -> None:
    write_output(text_, output)


# --------------------------------------------------------------------- graph


@click.command("graph")
@program_option("Only this programme's neighbourhood (id or code).", required=False)
@click.option(
    "--tracks",
    "three_tracks",
    is_flag=True,
    help="The skill, professional and management tracks and their bridges (贯通): "
    "--format svg draws them (with --portfolio: the worker's position and where they "
    "can go), --format json lists nodes and edges.",
)
@click.option("--unit", default=None, help="Only this unit's neighbourhood.")
@format_option(
    "GraphML, node-link JSON, Graphviz DOT, Mermaid, or an SVG picture.",
    (*FORMATS, "svg"),
    default="json",
)
@click.option(
    "--portfolio",
    type=click.Path(path_type=Path),
    default=None,
    help="With --program and --format svg: highlight what this learner has and still misses.",
)
@click.option(
    "--engine",
    type=click.Choice(["auto", "dot", "python"]),
    default="auto",
    show_default=True,
    help="SVG layout: Graphviz dot when installed (auto), or the built-in layout.",
)
@as_of_option("With --portfolio: evaluate the learner as of this day, YYYY-MM-DD (default: today).")
@_lang_option
@standards_option
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), default=None, help="Write to this file."
)
def graph_command(
    program: str | None,
    three_tracks: bool,
    unit: str | None,
    output_format: str,
    portfolio: Path | None,
    engine: Literal["auto", "dot", "python"],
    as_of: dt.datetime | None,
    lang: Lang,
    standards_dirs: tuple[str, ...],
    output: Path | None,
) -> None:
    """Export the standards graph, or draw a programme as SVG.

    Without --program or --unit the whole graph is exported. --format svg draws a
    programme (its requirements, the courses conversions exempt, and the certificates and
    training that convert into them, coloured by kind); with --portfolio it highlights
    what the learner holds, what it converted into, and what is still missing.
    --tracks draws or lists the three tracks instead.
    """
    if three_tracks:
        _tracks(output_format, portfolio, engine, as_of, lang, standards_dirs, output)
        return
    if program is not None and unit is not None:
        raise click.UsageError("give --program or --unit, not both")
    if portfolio is not None and (output_format != "svg" or program is None):
        raise click.UsageError(
            "--portfolio highlights a picture: use it with --program and --format svg"
        )
    if output_format == "svg" and program is None and unit is None:
        raise click.UsageError("--format svg draws one programme or unit: add --program or --unit")
    try:
        sg = _graph(standards_dirs)
        if output_format == "svg" and program is not None:
            learner = _portfolio(portfolio, sg.standards) if portfolio is not None else None
            scene = program_scene(sg, program, learner, _day(as_of), lang=lang)
            text_ = render_svg(scene, engine=engine)
        elif output_format == "svg":
            assert unit is not None
            part = neighbourhood(sg, unit=unit)
            name = sg.standards.units[resolve_unit(sg.standards, unit)].name.text(lang)
            text_ = render_svg(graph_scene(part, f"{unit} {name}", lang=lang), engine=engine)
        else:
            whole = (
                neighbourhood(sg, program=program, unit=unit)
                if program is not None or unit is not None
                else sg.graph
            )
            text_ = export(whole, output_format)  # type: ignore[arg-type]
    except CreditbankError as error:
        _fail(error)
    _emit(text_, output)


def _tracks(
    output_format: str,
    portfolio: Path | None,
    engine: Literal["auto", "dot", "python"],
    as_of: dt.datetime | None,
    lang: Lang,
    standards_dirs: tuple[str, ...],
    output: Path | None,
) -> None:
    if output_format not in ("svg", "json"):
        raise click.UsageError("--tracks is drawn (--format svg) or listed (--format json)")
    if portfolio is not None and output_format != "svg":
        raise click.UsageError("--portfolio marks the picture: use it with --format svg")
    try:
        standards = load_standards(default_standards_paths(standards_dirs))
        graph = tracks(standards)
        if output_format == "json":
            text_ = graph.model_dump_json(indent=2) + "\n"
        else:
            found = None
            if portfolio is not None:
                day = _day(as_of) or dt.date.today()
                found = where(standards, _portfolio(portfolio, standards), day)
            text_ = render_svg(tracks_scene(graph, found, lang=lang), engine=engine)
    except CreditbankError as error:
        _fail(error)
    _emit(text_, output)


# --------------------------------------------------------------------- query


@click.group("query")
def query_group() -> None:
    """Ask the standards graph: what converts into what, equivalents, editions, pathways."""


@query_group.command("converts-to")
@click.argument("item")
@click.option("--level", default=None, help="The level (any name its scale knows); or UNIT@LEVEL.")
@click.option(
    "--portfolio",
    type=click.Path(path_type=Path),
    default=None,
    help="ITEM is an achievement of this portfolio (its unit and level are used).",
)
@program_option("Only conversions into this programme.", required=False)
@_as_of_option
@table_or_json
@_lang_option
@standards_option
def converts_to_command(
    item: str,
    level: str | None,
    portfolio: Path | None,
    program: str | None,
    as_of: dt.datetime | None,
    output_format: str,
    lang: Lang,
    standards_dirs: tuple[str, ...],
) -> None:
    """What a unit (UNIT or UNIT@LEVEL) or an achievement can convert into.

    Lists every rule conversion: programme, courses or requirement, credits (capped by
    what the credit bank recognised, rule R3), level window and other conditions; then
    conversions further along chains (a course exempted here converting on elsewhere).
    """
    try:
        sg = _graph(standards_dirs)
        if portfolio is not None:
            learner = _portfolio(portfolio, sg.standards)
            unit, level = achievement_unit(learner, item)
        elif level is None and "@" in item and item not in sg.standards.units:
            unit, _, level = item.rpartition("@")
        else:
            unit = item
        found = converts_to(sg, unit, level, program=program, as_of=_day(as_of))
    except CreditbankError as error:
        _fail(error)
    if output_format == "json":
        click.echo(json.dumps(plain(found), ensure_ascii=False, indent=2))
        return
    shown = f"{unit}@{level}" if level else unit
    title = label(lang, "q_converts_to", item=shown)
    _out().print(conversions_view(found, sg.standards, title, lang))
    if not found:
        nothing = label(lang, "q_nothing_into", program=program) if program else None
        _out().print(nothing or label(lang, "q_nothing"), markup=False)


@query_group.command("leads-into")
@click.argument("target")
@_as_of_option
@table_or_json
@_lang_option
@standards_option
def leads_into_command(
    target: str,
    as_of: dt.datetime | None,
    output_format: str,
    lang: Lang,
    standards_dirs: tuple[str, ...],
) -> None:
    """What converts into a programme (id or catalogue code) or a course, and its prerequisites."""
    try:
        sg = _graph(standards_dirs)
        result = leads_into(sg, target, as_of=_day(as_of))
    except CreditbankError as error:
        _fail(error)
    if output_format == "json":
        click.echo(json.dumps(plain(result), ensure_ascii=False, indent=2))
        return
    _out().print(leads_into_view(result, sg.standards, lang))


@query_group.command("equivalents")
@click.argument("unit")
@table_or_json
@_lang_option
@standards_option
def equivalents_command(
    unit: str, output_format: str, lang: Lang, standards_dirs: tuple[str, ...]
) -> None:
    """The units counted once with UNIT: one outcome (its occupation under another edition's
    code; evaluate converts only one) or similar (one family; highest-only caps)."""
    try:
        sg = _graph(standards_dirs)
        result = equivalents(sg, unit)
    except CreditbankError as error:
        _fail(error)
    if output_format == "json":
        click.echo(json.dumps(plain(result), ensure_ascii=False, indent=2))
        return
    _out().print(equivalents_view(result, sg.standards, lang))


@query_group.command("occupation")
@click.argument("query")
@table_or_json
@standards_option
def occupation_command(query: str, output_format: str, standards_dirs: tuple[str, ...]) -> None:
    """How an occupation (id, code like 6-31-01-10, or name) maps across classification editions."""
    try:
        sg = _graph(standards_dirs)
        result = occupation_editions(sg, query)
    except CreditbankError as error:
        _fail(error)
    if output_format == "json":
        click.echo(json.dumps(plain(result), ensure_ascii=False, indent=2))
        return
    _out().print(occupation_view(result))


def _costs(standards: Standards, given: tuple[str, ...]) -> dict[tuple[str, str | None], Decimal]:
    costs: dict[tuple[str, str | None], Decimal] = {}
    for text_ in given:
        what, sep, hours = text_.rpartition("=")
        if not sep or not what:
            raise click.BadParameter(f"{text_!r}: write UNIT[@LEVEL]=HOURS", param_hint="--cost")
        try:
            amount = to_decimal(hours, what="hours")
        except ValueError as error:  # pydantic_core's PydanticCustomError is a ValueError
            raise click.BadParameter(
                f"{text_!r}: {error}; write UNIT[@LEVEL]=HOURS", param_hint="--cost"
            ) from None
        unit, at, level = what.rpartition("@")
        if not at or unit == "":
            unit, level = what, ""
        unit = resolve_unit(standards, unit)
        costs[(unit, resolve_level(standards, unit, level or None))] = amount
    return costs


@query_group.command("pathway")
@click.argument("portfolio", type=click.Path(path_type=Path))
@program_option()
@click.option(
    "--cost",
    "costs",
    multiple=True,
    metavar="UNIT[@LEVEL]=HOURS",
    help="Study hours to obtain a unit the standards give no hours for; repeatable.",
)
@click.option(
    "--max-plans",
    type=click.IntRange(min=1),
    default=4096,
    show_default=True,
    help="Combinations of candidates tried at most (each is one evaluation).",
)
@_as_of_option
@table_or_json
@_lang_option
@standards_option
def pathway_command(
    portfolio: Path,
    program: str,
    costs: tuple[str, ...],
    max_plans: int,
    as_of: dt.datetime | None,
    output_format: str,
    lang: Lang,
    standards_dirs: tuple[str, ...],
) -> None:
    """The least-effort plan, in study hours, to complete a programme from PORTFOLIO.

    Mixes certificates and training to obtain (their study hours; --cost for units
    without) and courses to take (their hours), valuing every addition with the
    engine, so caps and rules apply as they would. Exact over the candidates.
    """
    try:
        with working("loading standards"):
            standards = load_standards(default_standards_paths(standards_dirs))
        learner = _portfolio(portfolio, standards)
        resolve_program(standards, program)
        with working("searching for the least-effort pathway", enabled=output_format != "json"):
            result = pathway(
                standards,
                learner,
                program,
                _day(as_of),
                costs=_costs(standards, costs),
                max_plans=max_plans,
            )
    except CreditbankError as error:
        _fail(error)
    if output_format == "json":
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    _out().print(pathway_view(result, standards, lang))


# --------------------------------------------------------------------- check


def report_findings(findings: list[Finding], console: Console) -> None:
    """Print findings one a line, then a summary on stderr."""
    for finding in findings:
        console.print(str(finding), markup=False)
    _err().print(f"consistency: {summary(findings)}", markup=False)


def _problems_json(problems: list[Problem]) -> list[dict[str, Any]]:
    return [
        {
            "code": p.code,
            "message": p.message,
            "file": p.location.file,
            "line": p.location.line,
            "column": p.location.column,
        }
        for p in problems
    ]


@click.command("check")
@click.argument("paths", nargs=-1, type=click.Path())
@standards_option
@format_option("One finding a line, or JSON.", ("text", "json"))
def check_command(
    paths: tuple[str, ...], standards_dirs: tuple[str, ...], output_format: str
) -> None:
    """Check standards for inconsistencies no single file shows.

    Credit-amplifying conversion cycles, conflicting or duplicate rules, rules on replaced
    occupation codes or on courses a programme does not have, requirements nothing can
    satisfy, orphan units, prerequisite cycles, level scales out of order. Each finding:
    FILE:LINE:COL: SEVERITY CODE message [the items involved, where each is defined].
    Exits 1 when there are errors (or the standards do not load), 0 with only warnings.
    """
    targets = standards_paths(paths) or default_standards_paths(standards_dirs)
    report = load_documents(targets, portfolios=False)
    if not report.ok or report.standards is None:
        if output_format == "json":
            payload = {"valid": False, "problems": _problems_json(report.problems)}
            payload |= error_document(
                report.problems[0].code if report.problems else "NO_STANDARDS",
                "the standards do not load; the consistency checks need standards that load",
                report.problems,
            )
            click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        else:
            for problem in report.problems:
                _out().print(str(problem), markup=False)
            count = len(report.problems)
            _err().print(
                f"{count} loading problem{'s' if count != 1 else ''}: fix them first, the "
                "consistency checks need standards that load",
                markup=False,
            )
        sys.exit(EXIT_PROBLEMS)
    findings = run_checks(report.standards)
    errors = [f for f in findings if f.severity == "error"]
    if output_format == "json":
        payload = {
            "valid": not errors,
            "errors": len(errors),
            "warnings": len(findings) - len(errors),
            "findings": [f.to_dict() for f in findings],
        }
        if errors:  # the "error" member every command's errors carry
            payload |= error_document(
                errors[0].code, f"{len(errors)} consistency error{'s' if len(errors) != 1 else ''}"
            )
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        report_findings(findings, _out())
    sys.exit(EXIT_PROBLEMS if errors else EXIT_OK)
