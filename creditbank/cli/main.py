"""``creditbank`` commands. Each one parses its arguments, calls the library and prints.

Exit codes: 0 success, 1 the input has problems, 2 usage error (bad option or argument).
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click
from rich.console import Console
from rich.table import Table

from creditbank._version import __version__
from creditbank.bundled import ENV_VAR
from creditbank.cli.console import (
    CommandGroup,
    console,
    error_document,
    fail,
    print_error_document,
)
from creditbank.cli.options import format_option, standards_options, wants_json_errors
from creditbank.cli.output import is_stdout, write_output
from creditbank.cli.provenance import standards_line, standards_record
from creditbank.errors import CreditbankError, FileError, Problem
from creditbank.fileio import file_error, make_directory, write_atomic
from creditbank.schema import json_schema, printable_schemas

if TYPE_CHECKING:
    from creditbank.models import Standards
    from creditbank.validation import Validation

__all__ = ["cli", "main"]

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2

_KIND_LABELS = {
    "framework": "frameworks",
    "occupation": "occupations",
    "unit": "units",
    "unit:course": "  courses",
    "unit:skill_certificate": "  skill certificates",
    "unit:x_certificate": "  1+X certificates",
    "unit:training": "  training",
    "unit:award": "  awards",
    "unit:other": "  other units",
    "issuer": "issuers",
    "program": "programmes",
    "rule": "rules",
    "cap": "caps",
    "grade_scale": "grade scales",
    "period_set": "period sets",
    "eligibility_rule": "eligibility rules",
}


def _console(err: bool = False) -> Console:
    return console(stderr=err)


def print_problems(problems: Sequence[Problem], console: Console) -> None:
    """Print problems one a line as ``FILE:LINE:COL: CODE message``."""
    for problem in problems:
        console.print(str(problem), markup=False)


def _summary_table(standards: Standards, files: int) -> Table:
    table = Table(
        title=f"valid standards: {files} file{'s' if files != 1 else ''}",
        title_justify="left",
        show_header=True,
    )
    table.add_column("kind")
    table.add_column("count", justify="right")
    counts = standards.counts()
    for key, label in _KIND_LABELS.items():
        if counts.get(key):
            table.add_row(label, str(counts[key]))
    return table


_COMMANDS = {
    "evaluate": "creditbank.cli.evaluate:evaluate_command",
    "whatif": "creditbank.cli.evaluate:whatif_command",
    "eligibility": "creditbank.cli.eligibility:eligibility_command",
    "graph": "creditbank.cli.graph:graph_command",
    "query": "creditbank.cli.graph:query_group",
    "check": "creditbank.cli.graph:check_command",
    "import": "creditbank.cli.interop:import_group",
    "export": "creditbank.cli.interop:export_group",
    "ledger": "creditbank.cli.tokens:ledger_group",  # with its `token` commands
    "conformance": "creditbank.cli.conformance:conformance_group",
    "batch": "creditbank.cli.batch:batch_command",
    "serve": "creditbank.cli.serve:serve_command",
    "report": "creditbank.cli.report:report_command",
}
"""The commands defined in other modules, imported when named: a command pays only for the
libraries it uses (networkx, numpy, the credential stack, FastAPI …), not for all of them."""


class _LazyGroup(CommandGroup):
    """A group whose commands in :data:`_COMMANDS` are imported on first use (and whose
    errors are JSON under --format json, as :class:`CommandGroup`'s). ``commands``
    (the whole tree, for the reference pages and the tests that walk it) imports them all."""

    @property  # type: ignore[override]
    def commands(self) -> dict[str, click.Command]:
        for name in _COMMANDS:
            self._load(name)
        return self._commands

    @commands.setter
    def commands(self, value: dict[str, click.Command]) -> None:
        self._commands = value

    def _load(self, name: str) -> None:
        if name in _COMMANDS and name not in self._commands:
            module, _, attribute = _COMMANDS[name].partition(":")
            self._commands[name] = getattr(importlib.import_module(module), attribute)

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        self._commands[name or cmd.name or ""] = cmd

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        self._load(cmd_name)
        return self._commands.get(cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self._commands, *_COMMANDS})


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="creditbank")
def cli() -> None:
    """Recognise, accumulate and convert learning outcomes into degree credits.

    Standards (frameworks, occupations, units, programmes, rules) are YAML files;
    by default the bundled standards are used, or the directory in --standards or
    the CREDITBANK_STANDARDS environment variable.
    """


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@standards_options(
    "Standards for the portfolios among PATHS when PATHS hold none, and to check without "
    "PATHS; repeat to layer them (`bundled` names the bundled standards; default: "
    f"${ENV_VAR} or the bundled standards)."
)
@format_option("Report as text or as JSON.", ("text", "json"))
@click.option(
    "--strict",
    is_flag=True,
    help="Also run the consistency checks of `creditbank check` on the standards.",
)
def validate(
    paths: tuple[str, ...], standards_dirs: tuple[str, ...], output_format: str, strict: bool
) -> None:
    """Check standards files and portfolios; print every problem as FILE:LINE:COL: CODE message.

    PATHS are files or directories; without them the standards in --standards,
    $CREDITBANK_STANDARDS or the bundled standards are checked. Portfolios among
    PATHS are checked against the standards among PATHS, or else the default ones.
    Exits 0 when everything is valid, 1 when there are problems. With --strict, valid
    standards are also checked for consistency (see `creditbank check`): errors exit 1,
    warnings are printed.
    """
    from creditbank.validation import validate as validate_paths  # noqa: PLC0415 - graph stack

    validation = validate_paths(paths, standards_dirs, strict=strict)
    # which standards were checked: PATHS when they hold standards, else the default ones
    layers = paths if validation.report.standards_files else standards_dirs
    _report(validation, output_format, layers)


def _report(validation: Validation, output: str, layers: Sequence[str] = ()) -> None:
    report, findings = validation.report, validation.findings
    out = _console()
    if output == "json":
        payload: dict[str, Any] = {
            "valid": validation.ok,
            "files": report.files,
            "counts": report.standards.counts() if report.standards is not None else {},
            "portfolios": [name for name, _ in report.portfolios],
            "problems": [
                {
                    "code": p.code,
                    "message": p.message,
                    "file": p.location.file,
                    "line": p.location.line,
                    "column": p.location.column,
                    "path": list(p.location.path),
                }
                for p in report.problems
            ],
        }
        if report.ok and report.standards is not None:
            payload["standards"] = standards_record(layers, report.standards)
        if findings is not None:
            payload["findings"] = [f.to_dict() for f in findings]
        if not validation.ok:  # the same "error" member every command's errors carry
            count = len(report.problems)
            payload |= error_document(
                report.problems[0].code if report.problems else "INVALID_INPUT",
                f"{count} problem{'s' if count != 1 else ''} found"
                if count
                else "the consistency checks found errors",
                report.problems,
            )
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        sys.exit(EXIT_OK if validation.ok else EXIT_PROBLEMS)
    if not report.ok:
        print_problems(report.problems, out)
        files = len({p.location.file for p in report.problems})
        count = len(report.problems)
        _console(err=True).print(
            f"[red]{count} problem{'s' if count != 1 else ''}[/red] in {files} "
            f"file{'s' if files != 1 else ''}"
        )
        sys.exit(EXIT_PROBLEMS)
    if report.standards is not None and report.standards_files:
        out.print(_summary_table(report.standards, len(report.standards_files)))
        out.print(standards_line(layers, report.standards), markup=False)
    elif report.standards is not None and report.portfolios:
        out.print(
            f"checked against the default standards ({len(report.standards)} items): "
            + standards_line(layers, report.standards),
            markup=False,
        )
    for name, portfolio in report.portfolios:
        out.print(
            f"valid portfolio {name}: learner {portfolio.learner}, "
            f"{len(portfolio.achievements)} achievements",
            markup=False,
        )
    if findings is not None:
        from creditbank.cli.graph import report_findings  # noqa: PLC0415 - graph stack

        report_findings(findings, out)
        if validation.errors:
            sys.exit(EXIT_PROBLEMS)


@cli.command()
@click.argument("kind", required=False, type=click.Choice(printable_schemas()))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="Write to this file (or, without KIND, this directory; its parent must exist) "
    "instead of stdout.",
)
def schema(kind: str | None, output: Path | None) -> None:
    """Print the JSON Schema of a file KIND or of an output (`evaluation`,
    `eligibility-result`), or list every schema it can print.

    With -o FILE the schema is written to FILE (whole or not at all). Without KIND and
    with -o DIR, write one KIND.schema.json per schema into DIR.
    """
    if kind is None:
        if output is None or is_stdout(output):
            for name in printable_schemas():
                click.echo(name)
            return
        _write_schemas(output)
        click.echo(f"wrote {len(printable_schemas())} schemas to {output}")
        return
    write_output(_schema_text(json_schema(kind)), output)


def _write_schemas(directory: Path) -> None:
    """One KIND.schema.json per kind into ``directory`` (made if missing, its parent must
    exist: DIRECTORY_NOT_FOUND otherwise). On a failure the files and the directory this
    command created are removed again: no partial set is left behind."""
    created: list[Path] = []
    made = not directory.exists()
    try:
        if made and not directory.absolute().parent.is_dir():
            raise FileError(
                "DIRECTORY_NOT_FOUND",
                "the directory to write into does not exist; create it first",
                str(directory.absolute().parent),
            )
        make_directory(directory)
        for name in printable_schemas():
            target = directory / f"{name}.schema.json"
            new = not target.exists()
            write_atomic(target, _schema_text(json_schema(name)))
            if new:
                created.append(target)
    except FileError as error:
        for path in created:
            with contextlib.suppress(OSError):
                path.unlink()
        if made:
            with contextlib.suppress(OSError):
                directory.rmdir()
        fail(error)


def _schema_text(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


@cli.command("config")
@format_option("A readable table, or JSON.", ("table", "json"))
def config_command(output_format: str) -> None:
    """Show the settings in effect and where each came from.

    The project configuration is the first `creditbank.toml`, or `pyproject.toml` with a
    [tool.creditbank] table, found from the working directory upwards; its keys are
    `standards` (directories or files, relative to it), `program`, `lang` and `ledger`.
    A command-line option wins over the environment ($CREDITBANK_STANDARDS,
    $CREDITBANK_LEDGER), which wins over the file, which wins over the defaults. Exits 1
    when the file has problems, or a standards layer it names does not exist (printed
    as FILE:LINE:COL: CODE message).
    """
    from creditbank.config import find_config, setting_problems, settings  # noqa: PLC0415

    try:
        found = find_config()
        in_effect = settings()
    except CreditbankError as error:
        fail(error)
    problems = setting_problems(in_effect)
    if output_format == "json":
        payload = {
            "file": str(found) if found is not None else None,
            "settings": [s.to_dict() for s in in_effect],
            "problems": [
                {"code": p.code, "message": p.message, "where": str(p.location)} for p in problems
            ],
        }
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        if problems:
            raise SystemExit(1)
        return
    out = _console()
    out.print(f"configuration: {found if found is not None else 'none found'}", markup=False)
    table = Table(show_header=True)
    for column in ("setting", "value", "from"):
        table.add_column(column)
    for setting in in_effect:
        value = setting.value
        shown = ", ".join(value) if isinstance(value, tuple) else value or "-"
        table.add_row(setting.name, shown, f"{setting.source}: {setting.origin}")
    out.print(table)
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        raise SystemExit(1)


def _flush_stdout() -> None:
    """Flush standard output now, so that a full disk or a closed pipe behind it is an error
    of the command; after a failure, what is left goes nowhere (no second error at exit)."""
    try:
        sys.stdout.flush()
    except OSError:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        raise


def main(argv: Sequence[str] | None = None) -> None:
    """Run the CLI; an unexpected failure becomes a short message, not a traceback.

    An error the operating system gives (a file or standard output that cannot be written)
    is an ordinary error with a code (exit 1); exit 70 is kept for bugs. With ``--format
    json`` these, too, are one JSON document on standard output."""
    as_json = wants_json_errors(list(argv) if argv is not None else sys.argv[1:])
    try:
        try:
            cli.main(
                args=list(argv) if argv is not None else None,
                prog_name="creditbank",
                standalone_mode=True,
            )
        finally:
            _flush_stdout()
    except CreditbankError as error:
        _uncaught(error, as_json)
    except (KeyboardInterrupt, BrokenPipeError):
        sys.exit(130)
    except OSError as error:
        where = str(error.filename) if error.filename is not None else "<standard output>"
        # standard output itself failed: the error can only go to standard error
        _uncaught(file_error(error, where, writing=True), as_json and error.filename is not None)
    except Exception as error:
        if os.environ.get("CREDITBANK_DEBUG"):
            raise
        text = f"internal error: {type(error).__name__}: {error}"
        advice = (
            "This is a bug in creditbank; set CREDITBANK_DEBUG=1 to see the traceback and "
            "please report it."
        )
        with contextlib.suppress(OSError):
            if as_json:
                print_error_document(error_document("INTERNAL_ERROR", f"{text}. {advice}"))
            else:
                _console(err=True).print(f"{text}\n{advice}", markup=False)
        sys.exit(70)


def _uncaught(error: CreditbankError, as_json: bool) -> NoReturn:
    """A library error no command caught: through the one error path (exit 1)."""
    fail(error, as_json=as_json)


if __name__ == "__main__":  # pragma: no cover
    main()
