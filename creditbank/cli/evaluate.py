"""``creditbank evaluate`` and ``creditbank whatif``."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Literal, NoReturn

import click
from rich.console import Console

from creditbank.bundled import default_standards_paths
from creditbank.cli.console import console, fail
from creditbank.cli.options import (
    OUTPUT_HELP,
    as_of_option,
    format_option,
    lang_option,
    output_option,
    program_option,
    standards_option,
    table_or_json,
)
from creditbank.cli.output import write_output
from creditbank.cli.progress import working
from creditbank.cli.provenance import standards_line
from creditbank.cli.render import evaluation_view, suggestions_view, whatif_line
from creditbank.engine import evaluate, evaluate_with, hypothetical, suggest
from creditbank.engine.whatif import parse_addition
from creditbank.errors import CreditbankError
from creditbank.loading import load_portfolio, load_standards
from creditbank.models import Portfolio, Standards

__all__ = ["evaluate_command", "fail_with", "load_inputs", "whatif_command"]


def fail_with(error: CreditbankError) -> NoReturn:
    """Print a load's problems (``FILE:LINE:COL: CODE message``, standard output) or an
    error (standard error), or with ``--format json`` the error document; exit 1."""
    fail(error, problems_on_stdout=True)


def load_inputs(
    standards_dirs: tuple[str, ...], portfolio_path: Path
) -> tuple[Standards, Portfolio]:
    """The standards (``--standards`` layers, else the default) and a portfolio file."""
    with working("loading standards"):
        standards = load_standards(default_standards_paths(standards_dirs))
    return standards, load_portfolio(portfolio_path, standards)


def _width(out: Console) -> int | None:
    """The terminal's width, or None where output is not a terminal (plain text there)."""
    return out.width if out.is_terminal else None


def _day(as_of: dt.datetime | None) -> dt.date:
    return as_of.date() if as_of else dt.date.today()


@click.command("evaluate")
@click.argument("portfolio", type=click.Path(path_type=Path))
@program_option()
@as_of_option()
@standards_option
@format_option(
    "A readable table, JSON (schema creditbank.evaluation/1), or a printable HTML report "
    "(A4, self-contained: map and styles inline).",
    choices=("table", "json", "html"),
)
@lang_option("Language of names, reasons and (html) every label.")
@output_option(OUTPUT_HELP)
def evaluate_command(
    portfolio: Path,
    program: str,
    as_of: dt.datetime | None,
    standards_dirs: tuple[str, ...],
    output_format: str,
    lang: Literal["zh", "en"],
    output: Path | None,
) -> None:
    """Convert a PORTFOLIO file into credits of a programme and explain every decision.

    Prints each achievement's decision (what it was used for, or the reason it was not),
    progress per requirement and totals. With --format html, the same as a printable report
    (institution, learner, programme, as-of date, standards fingerprint, the programme map
    and a signature block). Exits 1 when the portfolio or the standards have problems or the
    programme is unknown.
    """
    if output is not None and output_format == "table":
        raise click.UsageError("--output needs --format json or --format html")
    day = _day(as_of)
    try:
        standards, learner = load_inputs(standards_dirs, portfolio)
        evaluation = evaluate(standards, learner, program, day)
    except CreditbankError as error:
        fail_with(error)
        return
    if output_format == "html":
        # imported here: the report needs Jinja2 and the graph layer (networkx), which the
        # table and JSON outputs do not
        from creditbank.reports import evaluation_report  # noqa: PLC0415

        report = evaluation_report(
            standards, learner, program, day, lang=lang, evaluation=evaluation
        )
        write_output(report, output)
    elif output_format == "json":
        write_output(evaluation.to_json() + "\n", output)
    else:
        out = console(soft_wrap=False)
        out.print(standards_line(standards_dirs, standards, lang), markup=False, soft_wrap=True)
        out.print(evaluation_view(evaluation, standards, lang, _width(out)))


@click.command("whatif")
@click.argument("portfolio", type=click.Path(path_type=Path))
@program_option()
@click.option(
    "--add",
    "additions",
    multiple=True,
    metavar="UNIT[@LEVEL]",
    help="A hypothetical achievement, earned on the as-of date; repeatable.",
)
@click.option(
    "--top",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="Without --add: how many suggestions to list.",
)
@as_of_option()
@standards_option
@table_or_json
@lang_option()
def whatif_command(
    portfolio: Path,
    program: str,
    additions: tuple[str, ...],
    top: int,
    as_of: dt.datetime | None,
    standards_dirs: tuple[str, ...],
    output_format: str,
    lang: Literal["zh", "en"],
) -> None:
    """Evaluate PORTFOLIO with hypothetical achievements added (--add UNIT[@LEVEL] ...).

    Without --add, rank the obtainable certificates and training by how much each alone
    would reduce the remaining credit gap.
    """
    day = _day(as_of)
    try:
        standards, learner = load_inputs(standards_dirs, portfolio)
        if additions:
            extra = [
                hypothetical(standards, *parse_addition(text), day, index)
                for index, text in enumerate(additions)
            ]
            before = evaluate(standards, learner, program, day)
            after = evaluate_with(standards, learner, program, extra, day)
        else:
            ranked = suggest(standards, learner, program, day, limit=top)
    except CreditbankError as error:
        fail_with(error)
        return
    out = console(soft_wrap=False)
    if output_format != "json":
        out.print(standards_line(standards_dirs, standards, lang), markup=False, soft_wrap=True)
    if additions:
        if output_format == "json":
            click.echo(after.to_json())
            return
        out.print(evaluation_view(after, standards, lang, _width(out)))
        out.print(whatif_line(before, after, lang), markup=False)
    elif output_format == "json":
        click.echo(json.dumps([s.to_dict() for s in ranked], ensure_ascii=False, indent=2))
    else:
        out.print(suggestions_view(ranked, standards, lang, _width(out)))
