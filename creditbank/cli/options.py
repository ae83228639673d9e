"""Options several commands share, each declared once: the same name, type, default and
destination everywhere it appears.

``--as-of``, ``--program``, ``--format`` and ``--lang`` mean slightly different things in
different commands (evaluate as of a day, or only rules in force on it; a programme to
evaluate against, or one to filter by), so a command may say what the option does for it;
the option itself (its type, its default, the parameter it fills) never changes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

import click

from creditbank.bundled import ENV_VAR

__all__ = [
    "EVALUATE_AS_OF",
    "OUTPUT_HELP",
    "PROGRAM_HELP",
    "STANDARDS_HELP",
    "as_of_option",
    "db_option",
    "format_option",
    "lang_option",
    "output_option",
    "program_option",
    "standards_option",
    "standards_options",
    "table_or_json",
    "wants_json_errors",
]

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


class _ConfiguredOption(click.Option):
    """An option whose default may come from the configuration and be absent there: a
    default of None is then missing (click 8.3 would take it as given)."""

    def value_is_missing(self, value: Any) -> bool:
        return value is None or super().value_is_missing(value)


def _from_config(key: Literal["program", "lang", "ledger"]) -> Callable[[], str | None]:
    """A default read from the project configuration (:mod:`creditbank.config`) when the
    option is used without a value: the command line and the environment win over it."""

    def default() -> str | None:
        from creditbank.config import project_config  # noqa: PLC0415 - only when needed

        value: str | None = getattr(project_config(), key)
        return value

    return default


STANDARDS_HELP = (
    "Standards directory or file; repeat to layer them, later ones adding items or replacing "
    "an earlier one's where they say `overrides: true`; `bundled` names the bundled "
    f"standards (default: ${ENV_VAR} or the bundled standards)."
)
EVALUATE_AS_OF = "Evaluate as of this day, YYYY-MM-DD (default: today)."
OUTPUT_HELP = "With --format json or html: write to this file (whole or not at all); `-` is stdout."
PROGRAM_HELP = (
    "Programme id (or its unique catalogue code, e.g. 460301; default: `program` of "
    "creditbank.toml)."
)


def standards_options(help_text: str = STANDARDS_HELP) -> Decorator:
    """``--standards DIR``, repeatable: the layers of standards, as written (``bundled`` is
    resolved by :func:`creditbank.bundled.standards_paths`); fills ``standards_dirs``."""
    return click.option(
        "--standards",
        "standards_dirs",
        type=click.Path(),
        multiple=True,
        metavar="DIR",
        help=help_text,
    )


standards_option: Decorator = standards_options()


class Day(click.DateTime):
    """A day written YYYY-MM-DD. Unlike click's DateTime, a well-written day the calendar
    lacks (2026-02-30) is called that, not "does not match the format" (which was false),
    and the help shows DATE (YYYY-MM-DD) rather than strptime codes."""

    name = "date"

    def __init__(self) -> None:
        super().__init__(formats=["%Y-%m-%d"])

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str:
        return "DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and _WRITTEN_DAY.fullmatch(value.strip()):
            try:
                return dt.datetime.strptime(value.strip(), "%Y-%m-%d")
            except ValueError:
                self.fail(
                    f"{value!r} is not a day of the calendar; check the month and the day "
                    "(YYYY-MM-DD)",
                    param,
                    ctx,
                )
        if isinstance(value, str):
            self.fail(f"{value!r} is not a date written YYYY-MM-DD", param, ctx)
        return super().convert(value, param, ctx)


_WRITTEN_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def as_of_option(help_text: str = EVALUATE_AS_OF, *, required: bool = False) -> Decorator:
    """``--as-of YYYY-MM-DD``, parsed to a datetime (None when not given); fills ``as_of``."""
    # no default at all when required: click (8.3) takes an explicit default=None as a
    # value given, and would not ask for the option
    return click.option(
        "--as-of",
        "as_of",
        type=Day(),
        required=required,
        help=help_text,
    )


def program_option(help_text: str = PROGRAM_HELP, *, required: bool = True) -> Decorator:
    """``--program ID``: a programme id or its unique catalogue code; fills ``program``.
    Optional where it narrows what a command shows (then say how in ``help_text``)."""
    # the configured programme fills in only where a programme is needed: as a filter it
    # would silently narrow what a command shows
    return click.option(
        "--program",
        "program",
        cls=_ConfiguredOption,
        required=required,
        default=_from_config("program") if required else None,
        help=help_text,
    )


def format_option(
    help_text: str = "A readable table, or JSON.",
    choices: tuple[str, ...] = ("table", "json"),
    default: str | None = None,
) -> Decorator:
    """``--format``, one of ``choices`` (``default``: the first); fills ``output_format``
    (``-o/--output`` names the file a command writes)."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(list(choices)),
        default=choices[0] if default is None else default,
        show_default=True,
        help=help_text,
    )


table_or_json: Decorator = format_option()


def wants_json_errors(args: Sequence[str]) -> bool:
    """Whether a command line asks for ``--format json`` (before any ``--``). Read from the
    words themselves, so that an error found while click parses them (a bad option) is JSON
    too."""
    for position, word in enumerate(args):
        if word == "--":
            return False
        if word == "--format=json" or (
            word == "--format" and position + 1 < len(args) and args[position + 1] == "json"
        ):
            return True
    return False


def lang_option(help_text: str = "Language of names and reasons.") -> Decorator:
    """``--lang zh|en``, Chinese by default; fills ``lang``."""
    return click.option(
        "--lang",
        type=click.Choice(["zh", "en"]),
        default=lambda: _from_config("lang")() or "zh",
        show_default="zh, or `lang` of creditbank.toml",
        help=help_text,
    )


def output_option(
    help_text: str = "Write to this file instead of stdout (`-` is stdout).",
) -> Decorator:
    """``-o/--output FILE`` (None when not given); fills ``output``. Write it with
    :func:`creditbank.cli.output.write_output` (whole or not at all)."""
    return click.option(
        "-o",
        "--output",
        "output",
        type=click.Path(path_type=Path, dir_okay=False),
        default=None,
        help=help_text,
    )


db_option: Decorator = click.option(
    "--db",
    envvar="CREDITBANK_LEDGER",
    default=_from_config("ledger"),
    help="The ledger: a file path, sqlite:///PATH or postgresql://USER@HOST/DATABASE "
    "($CREDITBANK_LEDGER, else `ledger` of creditbank.toml).",
)
"""``--db LOCATION`` (or ``$CREDITBANK_LEDGER``): the ledger, a string that
:func:`creditbank.ledger.location.parse_location` reads; fills ``db``."""
