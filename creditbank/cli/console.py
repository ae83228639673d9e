"""The consoles every command prints with, and the one way a command fails.

Every error of every command goes out through here. As text, a library error is printed
``error: …`` on standard error (a load's problems one a line, ``FILE:LINE:COL: CODE
message``). When the command line asks for ``--format json``, the error is instead ONE JSON
document on standard output, in the shape :func:`error_document` gives and
``docs/reference/errors.md`` documents::

    {"error": {"code": "UNKNOWN_PROGRAM", "message": "…",
               "problems": [{"code", "message", "file", "line", "column", "path"}],
               "context": {…}}}

the same fields as the service's problem documents (``code``, located ``problems``,
``context``), so a program reads errors of the CLI and of the service alike. Exit codes do
not change: 1 for problems of the input, 2 for usage errors, 70 for a bug.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from contextvars import ContextVar
from typing import Any, NoReturn

import click
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from creditbank.cli.options import wants_json_errors
from creditbank.errors import CliErrorCode, CreditbankError, LedgerError, LoadError, Problem

__all__ = [
    "EXIT_PROBLEMS",
    "EXIT_USAGE",
    "CommandGroup",
    "console",
    "error_document",
    "fail",
    "json_errors",
    "plain_text",
    "print_error_document",
]

EXIT_PROBLEMS = 1
"""The exit status when the input has problems (2 is kept for usage errors)."""
EXIT_USAGE = 2

_JSON_ERRORS: ContextVar[bool] = ContextVar("creditbank_json_errors", default=False)


class _Console(Console):
    """Rich's console, except that tables printed where standard output is not a terminal
    (a pipe, a file) come out as plain text (see :func:`plain_text`)."""

    def print(self, *objects: Any, **options: Any) -> None:
        if not self.is_terminal and any(isinstance(o, (Table, Group)) for o in objects):
            for item in objects:  # as is: rich would expand the tabs into spaces
                click.echo(plain_text(item), err=self.stderr)
            return
        super().print(*objects, **options)


def console(*, stderr: bool = False, soft_wrap: bool = True) -> Console:
    """A console that prints text as given: no highlighting, and no emoji codes, so an
    identifier such as ``did:key:z6Mk…`` is never turned into a picture. When it does not
    write to a terminal, its tables are plain text, the same at any width."""
    return _Console(stderr=stderr, highlight=False, soft_wrap=soft_wrap, emoji=False)


def plain_text(renderable: Any) -> str:
    """A table as a pipe reads it: its title on a line, then the header and each row on one
    line, cells separated by a tab (a cell's own line breaks become spaces), with no box
    drawing and no wrapping. What ``cut``, ``awk`` and ``grep`` expect, and the same at any
    ``COLUMNS``. A group is its parts one after another; text is its plain text."""
    if isinstance(renderable, Group):
        return "\n".join(plain_text(part) for part in renderable.renderables)
    if isinstance(renderable, Table):
        lines = [plain_text(renderable.title)] if renderable.title else []
        columns = renderable.columns
        if renderable.show_header:
            lines.append("\t".join(plain_text(c.header) for c in columns))
        for row in zip(*(list(c.cells) for c in columns), strict=True):
            lines.append("\t".join(plain_text(cell) for cell in row))
        return "\n".join(lines)
    if isinstance(renderable, Text):
        return " ".join(renderable.plain.splitlines())
    return " ".join(str(renderable).splitlines())


def json_errors() -> bool:
    """Whether errors of the running command are printed as one JSON document."""
    return _JSON_ERRORS.get()


def _problem_item(problem: Problem) -> dict[str, Any]:
    where = problem.location
    return {
        "code": problem.code,
        "message": problem.message,
        "file": where.file,
        "line": where.line,
        "column": where.column,
        "path": list(where.path),
    }


def error_document(
    code: str,
    message: str,
    problems: Iterable[Problem] = (),
    context: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The one JSON shape of a CLI error: ``{"error": {code, message, problems?, context?}}``."""
    body: dict[str, Any] = {"code": code, "message": message}
    items = [_problem_item(p) for p in problems]
    if items:
        body["problems"] = items
    if context:
        body["context"] = dict(context)
    return {"error": body}


def _document_of(error: CreditbankError) -> dict[str, Any]:
    if isinstance(error, LoadError):
        count = len(error.problems)
        first = error.problems[0].code if error.problems else "INVALID_INPUT"
        return error_document(
            first,
            f"the input has {count} problem{'s' if count != 1 else ''}; each is listed, located",
            error.problems,
        )
    if isinstance(error, LedgerError):
        return error_document(error.code, error.message, context=error.detail)
    problem = getattr(error, "problem", None)  # a FileError: located at its file
    code = str(getattr(error, "code", "") or "INVALID_INPUT")
    message = str(getattr(error, "message", "") or error)
    return error_document(code, message, [problem] if isinstance(problem, Problem) else ())


def print_error_document(document: Mapping[str, Any]) -> None:
    """Print an error document on standard output, one JSON document."""
    click.echo(json.dumps(document, ensure_ascii=False, indent=2))


def fail(
    error: CreditbankError, *, problems_on_stdout: bool = False, as_json: bool | None = None
) -> NoReturn:
    """Report a library error and exit 1: as one JSON document when the command line asked
    for ``--format json`` (or ``as_json`` says so), else on standard error (a load error's
    problems one a line, on standard output when ``problems_on_stdout``, as the report of a
    command that reads one input)."""
    if json_errors() if as_json is None else as_json:
        print_error_document(_document_of(error))
    elif isinstance(error, LoadError):
        out = console(stderr=not problems_on_stdout)
        for problem in error.problems:
            out.print(str(problem), markup=False)
    else:
        console(stderr=True).print(f"error: {error}", markup=False)
    sys.exit(EXIT_PROBLEMS)


class _JsonClickError(click.ClickException):
    """A click error the command could not get past, shown as JSON (exit 1)."""

    code: CliErrorCode = "COMMAND_FAILED"

    def show(self, file: Any = None) -> None:
        print_error_document(error_document(self.code, self.message))


class _JsonUsageError(_JsonClickError):
    """A bad option, value or argument, shown as JSON (exit 2, as click's usage errors)."""

    code: CliErrorCode = "USAGE_ERROR"
    exit_code = EXIT_USAGE


def _json_error(error: click.ClickException) -> click.ClickException:
    kind = _JsonUsageError if isinstance(error, click.UsageError) else _JsonClickError
    return kind(error.format_message())


class CommandGroup(click.Group):
    """The ``creditbank`` group: notes whether the command line asks for ``--format json``
    before anything is parsed, and then shows click's own errors in that format too."""

    def main(self, args: Sequence[str] | None = None, *rest: Any, **extra: Any) -> Any:
        words = list(args) if args is not None else sys.argv[1:]
        token = _JSON_ERRORS.set(wants_json_errors(words))
        try:
            return super().main(words, *rest, **extra)
        finally:
            _JSON_ERRORS.reset(token)

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        try:
            return super().make_context(*args, **kwargs)
        except click.ClickException as error:
            if json_errors():
                raise _json_error(error) from None
            raise

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.ClickException as error:
            if json_errors() and not isinstance(error, _JsonClickError):
                raise _json_error(error) from None
            raise
