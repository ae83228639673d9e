"""Options several commands share, defined once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from creditbank.bundled import ENV_VAR

__all__ = ["STANDARDS_HELP", "as_of_option", "lang_option", "standards_option", "standards_options"]

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]

STANDARDS_HELP = (
    "Standards directory or file; repeat to layer them, later ones adding items or replacing "
    "an earlier one's where they say `overrides: true`; `bundled` names the bundled "
    f"standards (default: ${ENV_VAR} or the bundled standards)."
)


def standards_options(help_text: str = STANDARDS_HELP) -> Decorator:
    """``--standards DIR``, repeatable: the layers of standards, as written (``bundled`` is
    resolved by :func:`creditbank.bundled.standards_paths`)."""
    return click.option(
        "--standards",
        "standards_dirs",
        type=click.Path(),
        multiple=True,
        metavar="DIR",
        help=help_text,
    )


standards_option: Decorator = standards_options()


def as_of_option(help_text: str) -> Decorator:
    """``--as-of YYYY-MM-DD`` (parsed to a datetime; None when not given)."""
    return click.option(
        "--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help=help_text
    )


def lang_option(help_text: str) -> Decorator:
    """``--lang zh|en``, Chinese by default."""
    return click.option(
        "--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help=help_text
    )
