"""The library bounds the key files it reads, not only the CLI (review of issue 16,
finding 3): read_private_key refuses a file over MAX_KEY_BYTES unread, and a FIFO (it
would hang)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from creditbank.errors import FileError
from creditbank.interop.keys import MAX_KEY_BYTES, read_private_key


def _sparse(path: Path, size: int) -> Path:
    with path.open("wb") as handle:  # sparse: the size is stated, nothing is written
        handle.truncate(size)
    return path


def test_a_key_file_over_the_limit_is_refused_unread(tmp_path: Path) -> None:
    big = _sparse(tmp_path / "key.pem", MAX_KEY_BYTES + 1)
    with pytest.raises(FileError) as refused:
        read_private_key(big)
    assert refused.value.code == "FILE_TOO_LARGE"


def test_a_fifo_is_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "key.fifo"
    os.mkfifo(fifo)
    with pytest.raises(FileError):
        read_private_key(fifo)
