"""``creditbank report``: progress against targets, from a ledger (or batch results).

Parses the options, calls :mod:`creditbank.progress` and prints: a table, the
``creditbank.report/1`` JSON, or a printable HTML report. Exit 0 done, 1 a problem (an
unreadable ledger or targets file), 2 usage.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

import click
from rich.table import Table

from creditbank.bundled import default_standards_paths
from creditbank.cli.console import console, fail
from creditbank.cli.options import (
    OUTPUT_HELP,
    as_of_option,
    db_option,
    format_option,
    lang_option,
    output_option,
    standards_options,
)
from creditbank.cli.output import write_output
from creditbank.errors import CreditbankError
from creditbank.ledger import Ledger
from creditbank.loading import load_standards
from creditbank.models.targets import METRIC_LABELS
from creditbank.progress import batch_report, bundled_targets_path, ledger_report, load_targets
from creditbank.progress.notes import note_text, percent, scope_text, word
from creditbank.progress.report import ProgressReport, Row

__all__ = ["report_command", "report_view"]

Lang = Literal["zh", "en"]


def _key(row: Row, report: ProgressReport, lang: Lang) -> str:
    if row.key is None:
        return word("unknown", lang)
    name = row.name_zh if lang == "zh" else row.name_en
    return f"{name or row.name_zh or row.name_en} ({row.key})" if name or row.name_zh else row.key


def report_view(report: ProgressReport, lang: Lang) -> list[Table]:
    """The report as tables: the rows (and the national total), then the targets."""
    funded = word("eligible" if report.basis == "batch" else "funded", lang)
    head = word(report.by, lang)
    rows = Table(title=f"{word('title', lang)} — {head}", title_justify="left")
    for column in (head, word("learners", lang), funded, word("migrant", lang)):
        rows.add_column(column, overflow="fold")
    for column in ("migrant_funded", "credits", "by_kind", "completions"):
        rows.add_column(word(column, lang), overflow="fold")

    def add(label: str, row: Row) -> None:
        kinds = ", ".join(f"{word(k, lang)} {v}" for k, v in row.credits.items())
        rows.add_row(
            label,
            str(row.learners),
            str(row.funded_learners),
            percent(row.migrant_share),
            str(row.migrant_funded_learners),
            str(row.credits_total),
            kinds,
            str(row.completions),
        )

    for row in report.rows:
        add(_key(row, report, lang), row)
    add(word("all", lang), report.national)
    targets = Table(title=word("target", lang), title_justify="left")
    for column in ("target", "metric", "scope", "value", "due", "measured", "progress", "notes"):
        targets.add_column(word(column, lang), overflow="fold")
    for t in report.targets:
        name = (t.name_zh if lang == "zh" else t.name_en) or t.name_zh or t.name_en or t.id
        zh, en = METRIC_LABELS[t.metric]
        notes = [note_text(code, lang) for code in t.notes]
        if t.example:
            notes.insert(0, word("example", lang))
        targets.add_row(
            name,
            zh if lang == "zh" else en,
            scope_text(t.scope, lang),
            str(t.value),
            t.due.isoformat(),
            str(t.measured) if t.measured is not None else word("not_measurable", lang),
            percent(t.progress),
            "; ".join(notes),
        )
    return [rows, targets]


def _check_source(
    db: str | None, batch_file: Path | None, input_file: Path | None, as_of: object
) -> None:
    """One source: the ledger (--db), or batch results with their input (--batch, --input)."""
    if batch_file is None:
        if input_file is not None:
            raise click.UsageError("--input goes with --batch RESULTS")
        if db is None:
            raise click.UsageError(
                "give the ledger (creditbank report --db FILE|postgresql://...) or batch "
                "results (--batch RESULTS --input PORTFOLIOS)"
            )
        return
    context = click.get_current_context()
    if context.get_parameter_source("db") == click.core.ParameterSource.COMMANDLINE:
        raise click.UsageError("give --db or --batch, not both")
    if input_file is None:
        raise click.UsageError(
            "--batch needs --input: the portfolios the batch read (results hold no profile)"
        )
    if as_of is not None:
        raise click.UsageError(
            "--as-of counts a ledger's events; batch results are of the day they were run"
        )


@click.command("report")
@db_option
@click.option(
    "--batch",
    "batch_file",
    type=click.Path(path_type=Path),
    default=None,
    help="Count `creditbank batch` results (JSON lines) instead of a ledger; needs --input.",
)
@click.option(
    "--input",
    "input_file",
    type=click.Path(path_type=Path),
    default=None,
    help="With --batch: the portfolios (JSON lines) the batch read, unchanged (their "
    "profiles give region and migrant-worker status).",
)
@click.option(
    "--targets",
    "targets_file",
    type=click.Path(path_type=Path),
    default=None,
    help="A targets file (kind: targets; default: the bundled national targets for 2030).",
)
@as_of_option("Count events recorded by the end of this day, YYYY-MM-DD (default: all).")
@click.option(
    "--by",
    type=click.Choice(["programme", "region"]),
    default="programme",
    show_default=True,
    help="One row per programme, or per region (the code recorded in the profile).",
)
@standards_options()
@format_option(
    "A readable table, JSON (creditbank.report/1) or a printable HTML report (A4).",
    choices=("table", "json", "html"),
)
@lang_option("The language of every label and name.")
@output_option(OUTPUT_HELP)
def report_command(
    db: str | None,
    batch_file: Path | None,
    input_file: Path | None,
    targets_file: Path | None,
    as_of: dt.datetime | None,
    by: Literal["programme", "region"],
    standards_dirs: tuple[str, ...],
    output_format: str,
    lang: Lang,
    output: Path | None,
) -> None:
    """Progress against targets: per programme or region, learners, funded learners, the
    migrant-worker share, credits recognised by source kind and completions, read from the
    ledger --db account by account, or from batch results (--batch with --input: funded
    means eligible for funding); each target measured, with its progress."""
    _check_source(db, batch_file, input_file, as_of)
    if output is not None and output_format == "table":
        raise click.UsageError("--output needs --format json or --format html")
    day = as_of.date() if as_of is not None else None
    try:
        targets = load_targets(targets_file or bundled_targets_path())
        standards = load_standards(default_standards_paths(standards_dirs))
        if batch_file is not None and input_file is not None:
            report = batch_report(batch_file, input_file, targets, standards, by=by)
        else:
            assert db is not None
            with Ledger.open(db, read_only=True) as ledger:
                report = ledger_report(ledger, targets, by=by, as_of=day, standards=standards)
    except CreditbankError as error:
        fail(error)
    if output_format == "json":
        write_output(report.to_json() + "\n", output)
        return
    if output_format == "html":
        from creditbank.reports.progress import progress_report  # noqa: PLC0415 (Jinja2)

        write_output(progress_report(report, dt.date.today(), lang=lang), output)
        return
    out = console()
    for table in report_view(report, lang):
        out.print(table)
