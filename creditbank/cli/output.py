"""Where a command's result goes: standard output, or a file written whole (``-o FILE``).

``-o FILE`` writes through :func:`creditbank.fileio.write_atomic`: the whole file or, on
any failure, nothing (an existing file is left as it was) and a clean error with code and
path. ``-o -`` is standard output, as is leaving ``-o`` out; anything that is not a regular
file (``/dev/null``, ``/dev/full``, a FIFO, a directory) is refused with ``NOT_A_FILE``.
"""

from __future__ import annotations

from pathlib import Path

import click

from creditbank.cli.console import console, fail
from creditbank.errors import FileError
from creditbank.fileio import write_atomic

__all__ = ["is_stdout", "write_output"]


def is_stdout(output: Path | None) -> bool:
    """Whether ``-o`` asks for standard output (left out, or ``-``)."""
    return output is None or str(output) == "-"


def write_output(text: str, output: Path | None, *, note: str = "") -> None:
    """Print ``text`` on standard output, or write it whole to ``output`` and say so (with
    ``note``) on standard error; a file that cannot be written fails the command (exit 1)."""
    if output is None or is_stdout(output):
        click.echo(text, nl=not text.endswith("\n"))
        return
    try:
        write_atomic(output, text)
    except FileError as error:
        fail(error)
    console(stderr=True).print(f"wrote {output}{note}", markup=False)
