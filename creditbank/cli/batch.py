"""``creditbank batch``: evaluate a JSON-lines file of portfolios into a JSON-lines file."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from creditbank.batch import BatchError, BatchSummary, run_batch
from creditbank.bundled import default_standards_paths
from creditbank.cli.console import fail
from creditbank.cli.options import as_of_option, program_option, standards_option
from creditbank.errors import FileError, LoadError, Problem
from creditbank.fileio import open_descriptor

__all__ = ["batch_command"]

EXIT_PROBLEMS = 1


@click.command("batch")
@click.argument(
    "portfolios", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="PORTFOLIOS"
)
@program_option("Evaluate every learner against this programme.", required=False)
@click.option(
    "--program-field",
    default=None,
    metavar="NAME",
    help="Or: the field of each record that names its programme (removed before reading it).",
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Results, one evaluation (compact JSON) a line; an existing file is resumed.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes (default: one per core; 1 runs in this process).",
)
@as_of_option(
    "Evaluate as of this day, YYYY-MM-DD (default: today, or the day the output was begun on)."
)
@standards_option
@click.option(
    "--chunk-size",
    type=click.IntRange(min=1),
    default=200,
    show_default=True,
    help="Records sent to a worker at a time.",
)
@click.option(
    "--summary",
    "summary_only",
    is_flag=True,
    help="Write per learner only the totals, what was recognised and the requirement gaps "
    "(creditbank.evaluation-summary/1, about a quarter of the size) instead of the full "
    "evaluation with every explanation.",
)
@click.option("--no-cache", is_flag=True, help="Load the standards without the compiled cache.")
@click.option("--no-progress", is_flag=True, help="No progress bar (problems are still printed).")
def batch_command(
    portfolios: Path,
    program: str | None,
    program_field: str | None,
    output: Path,
    workers: int | None,
    as_of: dt.datetime | None,
    standards_dirs: tuple[str, ...],
    chunk_size: int,
    summary_only: bool,
    no_cache: bool,
    no_progress: bool,
) -> None:
    """Evaluate every learner of PORTFOLIOS (JSON lines, one portfolio a line) into -o FILE.

    Give the programme with --program ID, or per record with --program-field NAME. Runs
    on every core; the output is written in input order, one compact evaluation a line, and
    an interrupted run started again goes on where it stopped (learners already in the
    output are skipped; none is written twice). A bad record is reported as
    FILE:LINE:COL: CODE message on stderr and skipped; the exit code is then 1.

    Each output line is a full creditbank.evaluation/1 (every decision explained); with
    --summary it is a creditbank.evaluation-summary/1, about a quarter of the size:
    programme, learner, day, standards fingerprint, totals, the uses recognised and the
    requirements still short of credit, projected from the same evaluation.
    """
    if (program is None) == (program_field is None):
        raise click.UsageError("give exactly one of --program and --program-field")
    if str(output) == "-" or open_descriptor(output) is not None:
        raise click.UsageError("batch writes a file it can resume: give -o a file, not -")
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    standards = default_standards_paths(standards_dirs)
    progress = Progress(
        TextColumn("[bold]batch[/bold]"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[learners]:,} learners, {task.fields[rate]:,.0f}/s"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
        disable=no_progress,
        transient=False,
    )
    task = progress.add_task("batch", total=None, learners=0, rate=0.0)

    def report(problem: Problem) -> None:
        (progress.console if not no_progress else err).print(str(problem), markup=False)

    def advance(read: int, total: int, summary: BatchSummary) -> None:
        progress.update(
            task, completed=read, total=total, learners=summary.evaluated, rate=summary.rate
        )

    try:
        with progress:
            summary = run_batch(
                portfolios,
                output,
                standards=standards,
                program=program,
                program_field=program_field,
                as_of=as_of.date() if as_of else None,
                workers=workers,
                chunk_size=chunk_size,
                cache=False if no_cache else None,
                report=report,
                progress=advance,
                summary=summary_only,
            )
    except (LoadError, BatchError, FileError) as error:
        fail(error)
    err.print(
        f"{summary.evaluated:,} learners evaluated in {summary.seconds:.1f} s "
        f"({summary.rate:,.0f}/s) into {output}; {summary.skipped:,} already there, "
        f"{summary.bad:,} bad records, {summary.duplicates:,} repeated learners skipped",
        markup=False,
    )
    if summary.bad:
        sys.exit(EXIT_PROBLEMS)
