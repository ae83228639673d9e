"""``creditbank conformance export|run``: the golden cases as a dataset, run against a command."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click
from rich.console import Console

from creditbank.cli.console import console, error_document, fail
from creditbank.cli.options import format_option
from creditbank.conformance import (
    CaseResult,
    export_dataset,
    golden_dataset,
    load_dataset,
    run_dataset,
)
from creditbank.errors import CreditbankError

__all__ = ["conformance_group"]

EXIT_OK, EXIT_PROBLEMS = 0, 1


def _console(err: bool = False) -> Console:
    return console(stderr=err)


_fail = fail


@click.group("conformance")
def conformance_group() -> None:
    """The conformance suite: export the golden cases, run another implementation on them."""


@conformance_group.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--cases",
    "cases_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Golden-case directory to export (default: creditbank's own).",
)
def export_command(directory: Path, cases_dir: Path | None) -> None:
    """Write the golden cases to DIRECTORY as a versioned JSON dataset.

    One file per case (standards in full, programme, as-of date, portfolio, expected
    decisions and totals), manifest.json (format, version, fingerprint, checksums) and JSON
    Schemas of a case and of an answer. DIRECTORY must be new, empty or an earlier export.
    """
    try:
        dataset = export_dataset(directory, cases_dir)
    except CreditbankError as error:
        _fail(error)
    manifest = dataset.manifest
    _console().print(
        f"wrote {len(dataset.cases)} cases to {directory} "
        f"({manifest['format']}, creditbank {manifest['version']}, {manifest['fingerprint']})",
        markup=False,
    )


def _report(results: list[CaseResult], verbose: bool, console: Console) -> None:
    for result in results:
        if result.passed:
            if verbose:
                console.print(f"ok    {result.name}", markup=False)
            continue
        console.print(f"FAIL  {result.name}: {result.description}", markup=False)
        if result.error is not None:
            console.print("  " + result.error.replace("\n", "\n  "), markup=False)
        for difference in result.differences:
            console.print("  " + difference.replace("\n", "\n  "), markup=False)


@conformance_group.command("run")
@click.argument(
    "directory",
    required=False,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
)
@click.option(
    "--command",
    "command",
    required=True,
    metavar="CMD",
    help="The implementation: reads a case on stdin, writes its answer on stdout. Split like "
    'a shell command line; use sh -c "…" for pipes.',
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=30.0,
    show_default=True,
    help="Seconds each case may take.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Cases to run at once.",
)
@click.option("--case", "names", multiple=True, metavar="NAME", help="Run only this case.")
@format_option("A readable report, or JSON.", ("text", "json"))
@click.option("-v", "--verbose", is_flag=True, help="List the cases that pass too.")
def run_command(
    directory: Path | None,
    command: str,
    timeout: float,
    jobs: int,
    names: tuple[str, ...],
    output_format: str,
    verbose: bool,
) -> None:
    """Run an implementation on every case of the dataset in DIRECTORY and report what it got
    wrong, case by case (default: creditbank's own golden cases). Exit 1 if any case fails.
    """
    try:
        if directory is not None:
            dataset = load_dataset(directory, names)
        else:
            dataset = golden_dataset(names=names)
        results = run_dataset(command, dataset, timeout=timeout, jobs=jobs, env=dict(os.environ))
    except ValueError as error:  # an empty or unparseable command
        raise click.BadParameter(str(error), param_hint="--command") from error
    except CreditbankError as error:
        _fail(error)
    failed = [r for r in results if not r.passed]
    if output_format == "json":
        report = {
            "dataset": {k: dataset.manifest.get(k) for k in ("format", "version", "fingerprint")},
            "command": command,
            "passed": len(results) - len(failed),
            "failed": len(failed),
            "cases": [r.to_json() for r in results],
        }
        if failed:  # the "error" member every command's errors carry
            report |= error_document(
                "CHECK_FAILED", f"{len(failed)} of {len(results)} cases failed"
            )
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        console = _console()
        _report(results, verbose, console)
        line = f"{len(results) - len(failed)} of {len(results)} cases passed"
        if failed:
            line += f"; failed: {', '.join(r.name for r in failed)}"
        console.print(line, markup=False)
    sys.exit(EXIT_PROBLEMS if failed else EXIT_OK)
