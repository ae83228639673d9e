"""The consoles every command prints with, and the one way a command fails on a library error."""

from __future__ import annotations

import sys
from typing import NoReturn

from rich.console import Console

from creditbank.errors import CreditbankError, LoadError

__all__ = ["EXIT_PROBLEMS", "console", "fail"]

EXIT_PROBLEMS = 1
"""The exit status when the input has problems (2 is kept for usage errors)."""


def console(*, stderr: bool = False, soft_wrap: bool = True) -> Console:
    """A console that prints text as given: no highlighting, and no emoji codes, so an
    identifier such as ``did:key:z6Mk…`` is never turned into a picture."""
    return Console(stderr=stderr, highlight=False, soft_wrap=soft_wrap, emoji=False)


def fail(error: CreditbankError) -> NoReturn:
    """Print a library error on standard error (a load error's problems one a line) and exit 1."""
    err = console(stderr=True)
    if isinstance(error, LoadError):
        for problem in error.problems:
            err.print(str(problem), markup=False)
    else:
        err.print(f"error: {error}", markup=False)
    sys.exit(EXIT_PROBLEMS)
