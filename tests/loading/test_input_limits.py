"""Limits and consistency of reading portfolios (issue 14, items 9, 11 and 12).

Item 9: a portfolio may list at most ``Limits.max_achievements`` achievements, and the work
of reading and evaluating one grows linearly with the achievements no rule selects. The
growth is checked by counting operations (function calls, passes of the garbage
collector), never by timing; ``benchmarks/unselected.py`` measures the time.

Item 11: ``validate`` and ``evaluate`` decide a file's kind by one rule, so they accept the
same portfolios (``kind: portfolio`` may be omitted from both).

Item 12 (most of it is in ``tests/cases/broken/`` and ``tests/loading/test_yaml_reader.py``): digits
other than ASCII ones are never read as numbers, in shares, dates or occupation codes either.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
from click.testing import CliRunner
from pydantic import TypeAdapter, ValidationError

import creditbank
from creditbank.cli import cli
from creditbank.loading import Limits
from creditbank.models.occupation import CODE_PATTERN
from creditbank.models.values import Share, StrictDate
from tests.paths import ROOT

EXAMPLE = ROOT / "examples" / "portfolios" / "demo-worker-005-robot-maintainer.yaml"
PROGRAM = "demo-college:460301"
AS_OF = dt.date(2026, 6, 30)
UNSELECTED = ("course:advanced-math", "course:college-english", "course:3d-printing")


def portfolio_text(unselected: int) -> str:
    """The example worker's five achievements and ``unselected`` that no rule selects."""
    extra = "".join(
        f"  - {{id: u{i}, unit: '{UNSELECTED[i % 3]}', earned_on: 2024-01-02}}\n"
        for i in range(unselected)
    )
    return EXAMPLE.read_text(encoding="utf-8").rstrip("\n") + "\n" + extra


def read_and_evaluate(standards: creditbank.Standards, text: str) -> creditbank.Evaluation:
    portfolio = creditbank.load_portfolio_text(text, standards)
    return creditbank.evaluate(standards, portfolio, PROGRAM, AS_OF)


# ------------------------------------------------------------------------- item 9


def test_the_unselected_achievements_are_decided_no_rule(
    standards: creditbank.Standards,
) -> None:
    evaluation = read_and_evaluate(standards, portfolio_text(30))
    reasons = [d.reason for d in evaluation.decisions if d.achievement.startswith("u")]
    assert reasons == ["NO_RULE"] * 30


def test_a_portfolio_above_the_limit_is_refused_where_its_achievements_start() -> None:
    limits = Limits(max_achievements=6)
    text = portfolio_text(1)  # 6 achievements: at the limit
    assert len(creditbank.load_portfolio_text(text, limits=limits).achievements) == 6
    with pytest.raises(creditbank.LoadError) as raised:
        creditbank.load_portfolio_text(portfolio_text(2), file="big.yaml", limits=limits)
    (problem,) = raised.value.problems
    assert problem.code == "TOO_MANY_ACHIEVEMENTS"
    line = 1 + text.splitlines().index("achievements:")
    assert (problem.location.file, problem.location.line, problem.location.column) == (
        "big.yaml",
        line,
        1,
    )
    assert "7 achievements" in problem.message and "6 per portfolio" in problem.message


def test_the_default_limit_is_far_above_a_long_working_life() -> None:
    assert Limits().max_achievements == 10_000


def test_evaluate_refuses_a_portfolio_above_the_default_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text(portfolio_text(Limits().max_achievements - 4), encoding="utf-8")
    result = CliRunner().invoke(cli, ["evaluate", str(path), "--program", PROGRAM])
    assert result.exit_code == 1, result.output
    assert result.output.startswith(f"{path}:")
    assert " TOO_MANY_ACHIEVEMENTS the portfolio lists 10,001 achievements" in result.output
    assert "Traceback" not in result.output


def count_calls(work: Callable[[], Any]) -> int:
    """Function calls (Python and built-in) made by ``work``."""
    calls = 0

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        nonlocal calls
        if event in ("call", "c_call"):
            calls += 1

    sys.setprofile(profile)
    try:
        work()
    finally:
        sys.setprofile(None)
    return calls


def test_work_grows_linearly_with_unselected_achievements(
    standards: creditbank.Standards,
) -> None:
    texts = {n: portfolio_text(n) for n in (0, 300, 600)}
    read_and_evaluate(standards, texts[600])  # the engine's memos are warm for all three
    calls = {
        n: count_calls(functools.partial(read_and_evaluate, standards, text))
        for n, text in texts.items()
    }
    first, second = calls[300] - calls[0], calls[600] - calls[300]
    assert first > 300  # each achievement costs some calls
    assert second <= first * 1.02, calls


@contextlib.contextmanager
def collections() -> Iterator[list[int]]:
    """The generations of the garbage collector's passes inside the block."""
    passes: list[int] = []
    gc.collect()  # no young objects pending: opening the block itself cannot start a pass

    def note(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            passes.append(info["generation"])

    gc.callbacks.append(note)
    try:
        yield passes
    finally:
        gc.callbacks.remove(note)


def test_no_collector_pass_while_a_large_portfolio_is_read_or_evaluated(
    standards: creditbank.Standards,
) -> None:
    """Every object built survives (it is the result): passes of the collector would walk
    them again and again, and their cost grew faster than the portfolio."""
    text = portfolio_text(3000)
    assert gc.isenabled()
    # at most the one young pass the collector owes when it resumes, as the call returns
    with collections() as passes:
        portfolio = creditbank.load_portfolio_text(text, standards)
    assert passes in ([], [0])
    with collections() as passes:
        creditbank.evaluate(standards, portfolio, PROGRAM, AS_OF)
    assert passes in ([], [0])
    assert gc.isenabled()


# ------------------------------------------------------------------------ item 11


def without_kind(text: str) -> str:
    kept = [line for line in text.splitlines(keepends=True) if not line.startswith("kind:")]
    assert len(kept) == len(text.splitlines()) - 1
    return "".join(kept)


@pytest.mark.parametrize("command", ["validate", "evaluate"])
def test_a_portfolio_without_kind_is_accepted_by_validate_and_evaluate(
    tmp_path: Path, command: str
) -> None:
    path = tmp_path / "worker.yaml"
    path.write_text(without_kind(EXAMPLE.read_text(encoding="utf-8")), encoding="utf-8")
    extra = ["--program", PROGRAM] if command == "evaluate" else []
    result = CliRunner().invoke(cli, [command, str(path), *extra])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("command", ["validate", "evaluate"])
def test_a_file_without_kind_or_portfolio_fields_is_refused_by_both(
    tmp_path: Path, command: str
) -> None:
    path = tmp_path / "what.yaml"
    path.write_text("example: true\ndescription: neither standards nor a portfolio\n")
    extra = ["--program", PROGRAM] if command == "evaluate" else []
    result = CliRunner().invoke(cli, [command, str(path), *extra])
    assert result.exit_code == 1, result.output
    assert f"{path}:1:1: UNKNOWN_KIND the file has no `kind`" in result.output


# ------------------------------------------------------------------------ item 12


@pytest.mark.parametrize(
    ("model", "value", "said"),
    [
        (Share, "２/３", "share must be a plain decimal number, got '２/３'"),
        (Share, "2/3", ""),
        (StrictDate, "２０２４-01-01", "expected a date written YYYY-MM-DD"),
        (StrictDate, "2024-01-01", ""),
    ],
)
def test_non_ascii_digits_are_never_read_as_numbers(model: Any, value: str, said: str) -> None:
    adapter: TypeAdapter[Any] = TypeAdapter(model)
    if not said:
        adapter.validate_python(value)
        return
    with pytest.raises(ValidationError, match=re.escape(said)):
        adapter.validate_python(value)


def test_an_occupation_code_is_ascii_digits() -> None:
    assert CODE_PATTERN.match("6-31-01-03")
    assert not CODE_PATTERN.match("６-31-01-03")
