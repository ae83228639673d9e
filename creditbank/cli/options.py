"""Options several commands share, defined once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from creditbank.bundled import ENV_VAR

__all__ = ["as_of_option", "lang_option", "standards_option"]

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]

standards_option: Decorator = click.option(
    "--standards",
    "standards_dir",
    type=click.Path(path_type=Path),
    default=None,
    help=f"Standards directory (default: ${ENV_VAR} or the bundled standards).",
)


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
