"""One record in, one :class:`BatchResult` out: what every way of running a batch shares.

:class:`Evaluator` reads one record (a portfolio as a JSON line, bytes or a dict) and
evaluates it against a programme. A well-formed record goes straight from JSON to the
models; any doubt (a repeated key, a wrong type, a problem the engine reports) sends it down
the located path, which reads it as a portfolio file would be read, so its problems carry
the record's line and column. :func:`loaded_standards` loads the standards once per process.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from creditbank.engine import Evaluation, evaluate
from creditbank.engine.evaluate import resolve_program
from creditbank.errors import EvaluationError, LoadError, Location, Problem
from creditbank.loading import load_standards, read_yaml_text
from creditbank.loading.loader import portfolio_from_document
from creditbank.loading.yaml_reader import DEFAULT_LIMITS
from creditbank.models import Portfolio, Standards

__all__ = [
    "BatchResult",
    "Evaluator",
    "Record",
    "StandardsSource",
    "loaded_standards",
    "oversized_record",
]

StandardsSource = Standards | str | os.PathLike[str] | Sequence[str | os.PathLike[str]]
Record = str | bytes | dict[str, Any]


@dataclass(frozen=True)
class BatchResult:
    """What became of one record: its evaluation, or the problems that stopped it."""

    line: int
    learner: str | None
    evaluation: Evaluation | None = None
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return self.evaluation is not None

    def to_json(self) -> str:
        """The output line (without newline): the evaluation as compact JSON."""
        if self.evaluation is None:
            raise ValueError(f"record on line {self.line} has no evaluation: {self.problems[0]}")
        return self.evaluation.to_json(indent=None)

    def __str__(self) -> str:
        if self.evaluation is not None:
            return f"line {self.line}: {self.learner}: {self.evaluation.totals.recognised}"
        return "\n".join(str(p) for p in self.problems)


# ------------------------------------------------------------------ standards, once


_LOADED: dict[tuple[str, ...], Standards] = {}


def loaded_standards(source: StandardsSource, cache: bool | str | None = None) -> Standards:
    """Standards given, or loaded from paths once per process (through the cache)."""
    if isinstance(source, Standards):
        return source
    paths: tuple[str | os.PathLike[str], ...] = (
        (source,) if isinstance(source, str | os.PathLike) else tuple(source)
    )
    key = tuple(str(Path(p).resolve()) for p in paths)
    found = _LOADED.get(key)
    if found is None:
        found = load_standards(*(Path(p) for p in paths), cache=cache)
        _LOADED.clear()  # one set of standards per process is enough
        _LOADED[key] = found
    return found


# ---------------------------------------------------------------------- one record


def _no_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise _Slow
    return out


class _Slow(Exception):
    """The fast path cannot decide: the located path reports (or accepts) the record."""


def _relocate(problem: Problem, source: str, line: int) -> Problem:
    """A problem found in one record's text, placed at the record's line of the file."""
    where = problem.location
    return Problem(
        problem.code,
        problem.message,
        Location(source, line + (where.line or 1) - 1, where.column, where.path),
    )


@dataclass
class Evaluator:
    """Evaluates records one by one; see :func:`creditbank.batch.evaluate_many`."""

    standards: Standards
    program: str | None
    program_field: str | None
    as_of: dt.date | None
    source: str
    max_bytes: int = DEFAULT_LIMITS.max_bytes
    """The size limit of one record: a portfolio file's."""

    def __call__(self, line: int, record: Record) -> BatchResult:
        size = _size_above(record, self.max_bytes)
        if size is not None:
            problem = oversized_record(size, self.max_bytes, Location(self.source, 1, 1))
            return self._failed(line, None, [problem])
        text = record.decode("utf-8") if isinstance(record, bytes) else record
        try:
            return self._fast(line, text)
        except _Slow:
            return self._located(line, text)

    def _fast(self, line: int, record: str | dict[str, Any]) -> BatchResult:
        """JSON straight to the models; any doubt goes to the located path."""
        try:
            data = (
                json.loads(record, parse_float=Decimal, object_pairs_hook=_no_repeats)
                if isinstance(record, str)
                else dict(record)
            )
        except (ValueError, RecursionError):
            raise _Slow from None
        if not isinstance(data, dict):
            raise _Slow
        program = self.program
        if self.program_field is not None:
            program = data.pop(self.program_field, None)
            if not isinstance(program, str):
                raise _Slow
        if data.get("kind", "portfolio") != "portfolio" or data.get("version", 1) != 1:
            raise _Slow
        data.pop("kind", None)
        data.pop("version", None)
        try:
            portfolio = Portfolio.model_validate(data)
        except ValidationError:
            raise _Slow from None
        assert program is not None
        try:
            evaluation = evaluate(self.standards, portfolio, program, self.as_of)
        except (LoadError, EvaluationError):
            raise _Slow from None
        return BatchResult(line, portfolio.learner, evaluation)

    def _located(self, line: int, record: str | dict[str, Any]) -> BatchResult:
        """The record read as a portfolio file would be, so problems carry line and column."""
        text = record if isinstance(record, str) else json.dumps(record, ensure_ascii=False)
        text = text.removeprefix("\ufeff")
        doc, problems = read_yaml_text(text, self.source)
        learner = None
        program = self.program
        if doc is not None and isinstance(doc.data, dict):
            learner = doc.data.get("learner") if isinstance(doc.data.get("learner"), str) else None
            if self.program_field is not None:
                program, problem = self._program_of(doc.data, doc)
                if problem is not None:
                    problems = [*problems, problem]
        try:
            portfolio = portfolio_from_document(doc, problems, self.standards)
        except LoadError as error:
            return self._failed(line, learner, error.problems)
        if problems or program is None:
            return self._failed(line, learner, problems)
        try:
            evaluation = evaluate(self.standards, portfolio, program, self.as_of)
        except EvaluationError as error:
            where = doc.location((self.program_field,)) if doc and self.program_field else None
            found = Problem("UNKNOWN_REFERENCE", str(error), where or Location(self.source))
            return self._failed(line, portfolio.learner, [found])
        except LoadError as error:
            return self._failed(line, portfolio.learner, error.problems)
        return BatchResult(line, portfolio.learner, evaluation)

    def _program_of(self, data: dict[str, Any], doc: Any) -> tuple[str | None, Problem | None]:
        name = self.program_field
        assert name is not None
        if name not in data:
            return None, Problem(
                "MISSING_FIELD",
                f"the record has no `{name}`: give the programme to evaluate against",
                doc.location(()),
            )
        value = data.pop(name)
        if not isinstance(value, str):
            return None, Problem(
                "WRONG_TYPE", f"`{name}` must be a programme id (text)", doc.location((name,))
            )
        try:
            resolve_program(self.standards, value)
        except EvaluationError as error:
            return None, Problem("UNKNOWN_REFERENCE", str(error), doc.location((name,)))
        return value, None

    def _failed(self, line: int, learner: str | None, problems: Iterable[Problem]) -> BatchResult:
        placed = tuple(_relocate(p, self.source, line) for p in problems)
        if not placed:  # pragma: no cover - a failure always says why
            placed = (Problem("INVALID_VALUE", "the record cannot be read", Location(self.source)),)
        return BatchResult(line, learner, None, placed)


def _size_above(record: Record, max_bytes: int) -> int | None:
    """The size of a record (as UTF-8) if it is above ``max_bytes``, else None."""
    if isinstance(record, dict):
        return None
    if isinstance(record, str):
        if len(record) * 4 <= max_bytes:  # no UTF-8 character takes more than 4 bytes
            return None
        size = len(record.encode("utf-8", "surrogatepass"))
    else:
        size = len(record)
    return size if size > max_bytes else None


def oversized_record(size: int, max_bytes: int, where: Location) -> Problem:
    """The problem of a record (one line) larger than a portfolio file may be."""
    return Problem(
        "FILE_TOO_LARGE",
        f"this record is {size:,} bytes, above the limit of {max_bytes:,} for one portfolio; "
        "it is skipped",
        where,
    )
