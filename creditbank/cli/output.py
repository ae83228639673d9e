"""Where a command's result goes: standard output, or a file written whole (``-o FILE``).

``-o FILE`` writes through :func:`creditbank.fileio.write_atomic`: the whole file or, on
any failure, nothing (an existing file is left as it was) and a clean error with code and
path. ``-o -`` is standard output, as is leaving ``-o`` out or a path naming it
(``/dev/stdout``, ``/dev/fd/1``, ``/proc/self/fd/1``); anything that is not a regular
file (``/dev/null``, ``/dev/full``, a FIFO, a directory) is refused with ``NOT_A_FILE``.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from creditbank.cli.console import console, fail
from creditbank.errors import FileError
from creditbank.fileio import file_error, open_descriptor, write_atomic

__all__ = ["is_stdout", "write_output"]


def is_stdout(output: Path | None) -> bool:
    """Whether ``-o`` asks for standard output: left out, ``-``, or a path naming it
    (``/dev/stdout``, ``/dev/fd/1``, ``/proc/self/fd/1``, a link to one), which is written
    through the open standard output — never renamed over the file it points to."""
    return output is None or str(output) == "-" or open_descriptor(output) == 1


def write_output(text: str, output: Path | None, *, note: str = "") -> None:
    """Print ``text`` on standard output, or write it whole to ``output`` and say so (with
    ``note``) on standard error; a file that cannot be written fails the command (exit 1)."""
    if output is None or is_stdout(output):
        click.echo(text, nl=not text.endswith("\n"))
        return
    descriptor = open_descriptor(output)
    try:
        if descriptor is not None:  # /dev/stderr, /dev/fd/3 …: through it, not over its file
            _write_through(descriptor, text.encode("utf-8"), str(output))
            return
        write_atomic(output, text)
    except FileError as error:
        fail(error)
    console(stderr=True).print(f"wrote {output}{note}", markup=False)


def _write_through(descriptor: int, data: bytes, where: str) -> None:
    try:
        while data:
            data = data[os.write(descriptor, data) :]
    except OSError as error:
        raise file_error(error, where, writing=True) from None
