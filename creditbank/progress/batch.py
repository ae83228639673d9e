"""The progress report over batch results (``creditbank report --batch RESULTS --input IN``).

What ``creditbank batch`` writes holds evaluations only (full ``creditbank.evaluation/1``
lines or ``creditbank.evaluation-summary/1`` with ``--summary``): no profile, no funding.
The portfolios it read hold the profile. So the report reads both files side by side, one
line at a time: results are written in input order, a record the batch could not evaluate
(or a learner repeated) has no result line, so each result line is joined to the next input
record of the same learner. Memory is that of one line of each file plus the tally's
counts (bounded by programmes and regions, not learners); the result files stay as they are,
old ones included.

Per learner (one result line), :func:`batch_figures` counts what the ledger report counts:

* the learner's region and migrant-worker status come from the input's ``profile``;
* the learner is a learner of the programme evaluated;
* "funded" means **eligible for funding** of that programme on the evaluation's day (an
  eligibility rule with a ``funding`` outcome of the programme, by the eligibility engine):
  a batch says nothing of places granted, and the report says so
  (the ``ELIGIBLE_NOT_FUNDED`` note, ``basis: batch``);
* credits are the evaluation's uses, by the kind of the units of their achievements;
* a completion is an evaluation whose recognised credit reaches the programme total.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from creditbank.batch.resume import input_learner
from creditbank.batch.summary import SUMMARY_SCHEMA, EvaluationSummary
from creditbank.engine.eligibility import eligibility
from creditbank.engine.result import Evaluation, Totals, Use
from creditbank.errors import CreditbankError, ErrorCode, LoadError, Location, Problem
from creditbank.fileio import TooLong, file_error, open_regular, read_lines
from creditbank.loading import read_yaml_text
from creditbank.loading.loader import portfolio_from_document
from creditbank.loading.yaml_reader import DEFAULT_LIMITS
from creditbank.models import Portfolio, Standards
from creditbank.progress.tally import LearnerFigures, Tally, source_kind

__all__ = ["EVALUATION_SCHEMA", "batch_figures", "tally_batch"]

EVALUATION_SCHEMA = "creditbank.evaluation/1"
_PORTFOLIO_FIELDS = frozenset(Portfolio.model_fields)


def _problem(code: ErrorCode, message: str, source: str, line: int, column: int = 1) -> LoadError:
    return LoadError([Problem(code, message, Location(source, line, column))])


def _lines(path: Path, source: str) -> Iterator[tuple[int, str]]:
    """(line number, text) of every non-blank line, one at a time, read as the batch reads."""
    with open_regular(path, display=source) as handle:
        try:
            for number, raw in enumerate(read_lines(handle, DEFAULT_LIMITS.max_bytes), 1):
                if isinstance(raw, TooLong):
                    raise _problem(
                        "FILE_TOO_LARGE",
                        f"this line is {raw.size:,} bytes, above the limit of "
                        f"{DEFAULT_LIMITS.max_bytes:,}",
                        source,
                        number,
                    )
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError as error:
                    column = len(raw[: error.start].decode("utf-8", "replace")) + 1
                    raise _problem(
                        "INVALID_UTF8",
                        f"byte 0x{raw[error.start]:02X} is not valid UTF-8",
                        source,
                        number,
                        column,
                    ) from None
                if number == 1:
                    text = text.removeprefix("\ufeff")
                if text.strip():
                    yield number, text.rstrip("\r\n")
        except OSError as error:
            raise file_error(error, source) from None


def _result(text: str, source: str, line: int) -> Evaluation | EvaluationSummary:
    """One result line: a full evaluation or its summary; anything else, located."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:
        column = getattr(error, "colno", 1)
        raise _problem(
            "INVALID_VALUE",
            "this line is not JSON: a results file is what `creditbank batch` writes",
            source,
            line,
            column,
        ) from None
    schema = data.get("schema") if isinstance(data, dict) else None
    model: type[Evaluation] | type[EvaluationSummary]
    if schema == EVALUATION_SCHEMA:
        model = Evaluation
    elif schema == SUMMARY_SCHEMA:
        model = EvaluationSummary
    else:
        raise _problem(
            "UNKNOWN_KIND",
            f"this line is not a batch result (its `schema` is {schema!r}; expected "
            f"{EVALUATION_SCHEMA} or {SUMMARY_SCHEMA})",
            source,
            line,
        )
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise _problem(
            "INVALID_VALUE", f"this result is not valid at `{where}`: {first['msg']}", source, line
        ) from None


def _portfolio(text: str, standards: Standards, source: str) -> Portfolio | None:
    """The portfolio of one input record (its programme field and the like dropped), or
    None when it cannot be read: the batch could not evaluate it either."""
    try:
        data = json.loads(text, parse_float=Decimal)
        if isinstance(data, dict):
            kept = {k: v for k, v in data.items() if k in _PORTFOLIO_FIELDS}
            return Portfolio.model_validate(kept)
    except (ValueError, RecursionError, ValidationError):
        pass
    # the batch's located path reads a record as a portfolio file: so does the join
    doc, problems = read_yaml_text(text, source)
    if doc is None or not isinstance(doc.data, dict):
        return None
    for key in [k for k in doc.data if k not in _PORTFOLIO_FIELDS | {"kind", "version"}]:
        del doc.data[key]
    try:
        return portfolio_from_document(doc, problems, standards)
    except LoadError:
        return None


def batch_figures(
    result: Evaluation | EvaluationSummary,
    portfolio: Portfolio,
    standards: Standards,
    kind_of: Callable[[str], str],
) -> LearnerFigures:
    """What one learner of a batch adds to the counts (the module docstring says how)."""
    program = str(result.program)
    units = {a.id: str(a.unit) for a in portfolio.achievements}
    uses: tuple[Use, ...] = result.uses() if isinstance(result, Evaluation) else result.uses
    totals: Totals = result.totals
    credits = tuple(
        (program, source_kind((units.get(a, "") for a in use.achievements), kind_of), use.credits)
        for use in uses
    )
    try:
        outcomes = eligibility(standards, portfolio, result.as_of, ("funding",)).outcomes
    except CreditbankError:  # the portfolio does not check against the standards:
        # not eligible (funding is counted only when the engine says so)
        outcomes = ()
    eligible = any(
        o.eligible and str(getattr(o.outcome, "program", "")) == program for o in outcomes
    )
    profile = portfolio.profile
    done = totals.program_total > 0 and totals.recognised >= totals.program_total
    return LearnerFigures(
        region=profile.region if profile is not None else None,
        migrant=bool(profile is not None and profile.migrant_worker),
        programs=frozenset({program}),
        funded=frozenset({program}) if eligible else frozenset(),
        credits=credits,
        completed=frozenset({program}) if done else frozenset(),
    )


def tally_batch(
    results: Path,
    portfolios: Path,
    standards: Standards,
    kind_of: Callable[[str], str],
) -> tuple[Tally, dt.date | None]:
    """Count every result line of ``results``, joined to its record in ``portfolios`` (the
    file the batch read), one line of each at a time; also the evaluations' day when they
    share one. :class:`LoadError` locates a line that is not a result, or a result whose
    learner is not (or no longer, in order) in the input."""
    source, input_source = str(results), str(portfolios)
    tally = Tally()
    days: set[dt.date] = set()
    records = _lines(portfolios, input_source)
    last_input = 0
    for line, text in _lines(results, source):
        result = _result(text, source, line)
        portfolio = _next_of(records, str(result.learner), standards, input_source)
        if portfolio is None:
            raise _problem(
                "UNKNOWN_REFERENCE",
                f"learner {result.learner!r} is not in {input_source} from line {last_input + 1} "
                "on: "
                "give --input the portfolios this batch read, unchanged and in the same order",
                source,
                line,
            )
        last_input = portfolio[0]
        tally.add(batch_figures(result, portfolio[1], standards, kind_of))
        if len(days) < 2:
            days.add(result.as_of)
    return tally, (next(iter(days)) if len(days) == 1 else None)


def _next_of(
    records: Iterator[tuple[int, str]], learner: str, standards: Standards, source: str
) -> tuple[int, Portfolio] | None:
    """The next input record of ``learner`` that reads as a portfolio (line, portfolio)."""
    for number, text in records:
        seen = input_learner(text.encode("utf-8"))
        if seen is not None and seen != learner:
            continue
        found: Any = _portfolio(text, standards, source)
        if found is not None and found.learner == learner:
            return number, found
    return None
