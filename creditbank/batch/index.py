"""The learners already written to a batch output, in 16 bytes each, answered exactly.

``creditbank batch`` must never write a learner twice, and must skip, on resuming, every
learner an interrupted run already wrote. Keeping every learner id in a Python ``set`` costs
about 100 bytes a learner (100 MB for a million). :class:`WrittenLearners` keeps instead a
64-bit hash of each id and the byte offset of its line in the output file (two sorted
``numpy`` arrays, 16 bytes a learner, plus a small unsorted tail merged now and then).

A hash only ever *proposes* a match: every hit is confirmed by reading the learner id back
from the output line at the stored offset and comparing it exactly. Two ids with the same
hash are both kept (the index is a multimap), so a collision can cost one extra read but
can never make a learner count as written when it is not — nor the other way round.

>>> import tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp()) / "out.jsonl"
>>> line = (b'{"schema":"creditbank.evaluation/1","program":"p","learner":"w1",'
...         b'"as_of":"2026-06-30","standards_fingerprint":"f","decisions":[]}\\n')
>>> _ = out.write_bytes(line)
>>> written = WrittenLearners(out)
>>> written.add("w1", 0)
>>> "w1" in written, "w2" in written, len(written), list(written)
(True, False, 1, ['w1'])
>>> written.close()
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections.abc import Iterable, Iterator
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import IO, Any

import numpy as np

__all__ = ["WrittenLearners", "learner_key", "parse_output_head"]

_RECENT = 1 << 15
"""Additions kept unsorted (in a dict) before they are merged into the sorted arrays."""

_HEAD = re.compile(
    rb'\{"schema":"(creditbank\.evaluation(?:-summary)?/1)","program":"(?:[^"\\]|\\.)*",'
    rb'"learner":"((?:[^"\\]|\\.)*)","as_of":"([^"\\]*)","standards_fingerprint":"([^"\\]*)"'
)


_SCHEMAS = ("creditbank.evaluation/1", "creditbank.evaluation-summary/1")


def learner_key(learner: str) -> int:
    """A 64-bit hash of a learner id, the same in every process and on every run."""
    digest = hashlib.blake2b(learner.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def _text(raw: bytes) -> str:
    if b"\\" in raw:
        value = json.loads(b'"' + raw + b'"')
        assert isinstance(value, str)
        return value
    return raw.decode("utf-8")


def parse_output_head(line: bytes) -> tuple[str, str, str, str] | None:
    """(learner, as_of, fingerprint, schema) of an output line (a full evaluation or a
    summary), or None if it is neither.

    The fields are read from the line's head (the field order of both schemas); a line
    written otherwise (by another JSON writer) is parsed in full."""
    found = _HEAD.match(line)
    if found is not None:
        as_of, fingerprint = found[3].decode("utf-8"), found[4].decode("utf-8")
        return _text(found[2]), as_of, fingerprint, found[1].decode("ascii")
    try:
        data = json.loads(line)
        fields = (data["learner"], data["as_of"], data["standards_fingerprint"], data["schema"])
    except (ValueError, KeyError, TypeError):
        return None
    if not all(isinstance(x, str) for x in fields) or fields[3] not in _SCHEMAS:
        return None
    return fields


class WrittenLearners(AbstractSet[str]):
    """Learner ids written to ``output``: 64-bit hashes and line offsets; exact answers."""

    def __init__(self, output: Path) -> None:
        self.output = output
        self._keys = np.empty(0, dtype=np.uint64)
        self._offsets = np.empty(0, dtype=np.int64)
        self._recent: dict[int, int] = {}
        self._twins: list[tuple[int, int]] = []
        """(hash, offset) added when ``_recent`` held the hash already (a repeat, a collision)."""
        self._count = 0
        self._reader: IO[bytes] | None = None

    # ------------------------------------------------------------------ adding

    def add(self, learner: str, offset: int) -> None:
        """Record that the line at byte ``offset`` of the output is ``learner``'s."""
        self.add_key(learner_key(learner), offset)

    def add_key(self, key: int, offset: int) -> None:
        if self._recent.setdefault(key, offset) != offset:
            self._twins.append((key, offset))
        self._count += 1
        if len(self._recent) >= _RECENT:
            self._merge()

    def _merge(self) -> None:
        recent, twins = self._recent, self._twins
        self._recent, self._twins = {}, []
        size = len(recent) + len(twins)
        keys = np.fromiter(
            itertools.chain(recent, (k for k, _ in twins)), dtype=np.uint64, count=size
        )
        offsets = np.fromiter(
            itertools.chain(recent.values(), (o for _, o in twins)), dtype=np.int64, count=size
        )
        order = np.argsort(keys, kind="stable")
        keys, offsets = keys[order], offsets[order]
        where = np.searchsorted(self._keys, keys)
        self._keys = np.insert(self._keys, where, keys)
        self._offsets = np.insert(self._offsets, where, offsets)

    # ------------------------------------------------------------------ asking

    def offsets(self, key: int) -> list[int]:
        """Offsets of the lines whose learner has this hash (mostly none, rarely more than one)."""
        found = [o for k, o in self._twins if k == key]
        if key in self._recent:
            found.append(self._recent[key])
        if self._keys.size:
            value = np.uint64(key)
            start = int(np.searchsorted(self._keys, value, "left"))
            if start < self._keys.size and self._keys[start] == value:
                end = int(np.searchsorted(self._keys, value, "right"))
                found += [int(o) for o in self._offsets[start:end]]
        return found

    def maybe(self, keys: list[int]) -> list[bool]:
        """For each hash: could a learner with it be written? (False is certain.)"""
        if not self._keys.size:
            return [k in self._recent for k in keys]
        wanted = np.fromiter(keys, dtype=np.uint64, count=len(keys))
        where = np.searchsorted(self._keys, wanted)
        where[where >= self._keys.size] = 0
        hit = self._keys[where] == wanted
        return [bool(h) or k in self._recent for h, k in zip(hit.tolist(), keys, strict=True)]

    def contains_key(self, learner: str, key: int) -> bool:
        """Whether ``learner`` (whose hash is ``key``) is written: confirmed on the file."""
        return any(self.learner_at(offset) == learner for offset in self.offsets(key))

    def __contains__(self, learner: object) -> bool:
        return isinstance(learner, str) and self.contains_key(learner, learner_key(learner))

    def learner_at(self, offset: int) -> str | None:
        """The learner of the output line at ``offset``."""
        if self._reader is None:
            self._reader = self.output.open("rb")
        self._reader.seek(offset)
        head = parse_output_head(self._reader.readline())
        return head[0] if head is not None else None

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[str]:
        offsets = sorted(
            [*self._offsets.tolist(), *self._recent.values(), *(o for _, o in self._twins)]
        )
        for offset in offsets:
            learner = self.learner_at(offset)
            if learner is not None:
                yield learner

    @property
    def nbytes(self) -> int:
        """Memory held by the sorted arrays (the unsorted tail holds at most ``_RECENT``)."""
        return int(self._keys.nbytes + self._offsets.nbytes)

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    @classmethod
    def _from_iterable(cls, it: Iterable[Any]) -> set[Any]:
        return set(it)  # set operations (&, |, -) give a plain set
