"""The library bounds the heads files it reads, not only the CLI (review of issue 16,
finding 3): ChainHeads.read refuses a file over MAX_HEADS_BYTES unread, and a FIFO (it
would hang)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from creditbank.errors import FileError, LoadError
from creditbank.ledger import ChainHeads
from creditbank.ledger.chain import MAX_HEADS_BYTES


def _sparse(path: Path, size: int) -> Path:
    with path.open("wb") as handle:  # sparse: the size is stated, nothing is written
        handle.truncate(size)
    return path


def test_a_heads_file_over_the_limit_is_refused_unread(tmp_path: Path) -> None:
    big = _sparse(tmp_path / "heads.json", MAX_HEADS_BYTES + 1)
    with pytest.raises(FileError) as refused:
        ChainHeads.read(big)
    assert refused.value.code == "FILE_TOO_LARGE"


def test_a_fifo_is_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "heads.fifo"
    os.mkfifo(fifo)
    with pytest.raises(FileError):
        ChainHeads.read(fifo)


def test_a_heads_file_within_the_limit_reads_as_from_json(tmp_path: Path) -> None:
    path = tmp_path / "heads.json"
    path.write_text("not json", encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        ChainHeads.read(path)
    (problem,) = caught.value.problems
    assert problem.code == "WRONG_TYPE" and problem.location.file == str(path)
