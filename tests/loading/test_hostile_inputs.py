"""Hostile inputs: mutated standards and portfolio files never crash the CLI (issue 14).

Two small valid seeds (``tests/cases/fuzz/``) are mutated — bytes flipped, the text cut
short, lines duplicated, deleted or swapped, values swapped for other types, numbers made huge
or written in other forms, values nested deep, odd characters and encodings — with a fixed
seed, a bounded number of times, and ``creditbank validate`` and ``creditbank evaluate`` run
on each mutant in-process (click's ``CliRunner``). Whatever the mutant, the CLI must answer:
exit 0 or 1, never an exception escaping the command (which the console script turns into
exit 70, "a bug in creditbank"), never a traceback, and every line of a failed run is a
problem ``FILE:LINE:COL: CODE message`` about one of the files given, the count of problems,
or the documented form of an error that is not about a file's content, ``error: message``.
"""

from __future__ import annotations

import random
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from creditbank.cli import cli
from creditbank.errors import ERROR_CODES
from tests.loading.test_broken_corpus import PROBLEM_LINE
from tests.paths import TEST_CASES

SEEDS = TEST_CASES / "fuzz"
PROGRAM, AS_OF = "p", "2026-01-01"
MUTANTS = 100
"""Mutants of each seed file: two commands each, 400 runs in all (about 10 s of CPU here)."""

SUMMARY = re.compile(r"^\d[\d,]* problems? in \d[\d,]* files?$")
ERROR = re.compile(r"^error: \S")
UNLOCATED = re.compile(r"^(?P<file>.+?): (?P<code>[A-Z][A-Z0-9_]*) \S")
UNLOCATED_CODES = {"FILE_NOT_FOUND", "NOT_A_FILE", "NO_STANDARDS"}

VALUES = (
    "[1, 2]",
    "{a: 1}",
    "true",
    "null",
    "~",
    '""',
    "-3",
    "0x10",
    "0o17",
    "1_000",
    "+5",
    "1:30",
    '"６４"',
    "６４",
    "2024-13-45",
    "2024-02-30T25:00:00",
    ".nan",
    "-.inf",
    "1e400",
    "!!binary aGk=",
    "!!python/object:os.system x",
    "&anchor x",
    "*anchor",
    "<<: {a: 1}",
    "9" * 400,
    "12345678901234567890.123456789",
    "0.30000000000000004",
    "'" + "x" * 5000 + "'",
    "[" * 150 + "]" * 150,
    "{a: " * 80 + "1" + "}" * 80,
    "\u2028",
    '"\\ud800"',
    "é\u0301",
    "電工\x85技术",
)
SCALAR = re.compile(r"(?P<key>[A-Za-z_]+): (?P<value>[^,{}\[\]\n]+)")


def _lines(rnd: random.Random, text: str) -> str:
    lines = text.splitlines(keepends=True)
    if len(lines) < 2:
        return text
    i, j = rnd.randrange(len(lines)), rnd.randrange(len(lines))
    how = rnd.choice(("duplicate", "delete", "swap", "indent", "dedent"))
    if how == "duplicate":
        lines.insert(j, lines[i])
    elif how == "delete":
        del lines[i]
    elif how == "swap":
        lines[i], lines[j] = lines[j], lines[i]
    elif how == "indent":
        lines[i] = rnd.choice(("  ", "\t", " ")) + lines[i]
    else:
        lines[i] = lines[i].lstrip()
    return "".join(lines)


def _value(rnd: random.Random, text: str) -> str:
    """One scalar value (block or flow style) replaced by another type or form."""
    found = list(SCALAR.finditer(text))
    if not found:
        return text
    match = rnd.choice(found)
    return text[: match.start("value")] + rnd.choice(VALUES) + text[match.end("value") :]


def _characters(rnd: random.Random, text: str) -> str:
    at = rnd.randrange(len(text) + 1)
    odd = rnd.choice(("\x00", "\x07", "\t", "\r", "\ufeff", "\u2029", "\U0001f600", "#", ":"))
    return text[:at] + odd + text[at:]


def _mutate_text(rnd: random.Random, text: str) -> str:
    for _ in range(rnd.randint(1, 3)):
        text = rnd.choice((_lines, _value, _value, _characters))(rnd, text)
    return text


def _mutate_bytes(rnd: random.Random, data: bytes) -> bytes:
    how = rnd.choice(("flip", "flip", "truncate", "bom", "gbk", "utf16"))
    if how == "flip":
        out = bytearray(data)
        for _ in range(rnd.randint(1, 4)):
            out[rnd.randrange(len(out))] ^= rnd.randrange(1, 256)
        return bytes(out)
    if how == "truncate":
        return data[: rnd.randrange(len(data))]
    text = data.decode("utf-8")
    if how == "bom":
        return b"\xef\xbb\xbf" + data
    if how == "gbk":
        return text.encode("gbk", "replace")
    return text.encode("utf-16")


def mutant(rnd: random.Random, seed: bytes) -> bytes:
    """A mutant of a seed file: its text mutated, its bytes mutated, or both."""
    choice = rnd.random()
    data = seed
    if choice < 0.7:
        data = _mutate_text(rnd, data.decode("utf-8")).encode("utf-8", "surrogatepass")
    if choice > 0.5:
        data = _mutate_bytes(rnd, data)
    return data


def check(result: Result, files: set[str]) -> None:
    """What the CLI may answer to any input (see the module docstring)."""
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    output = result.output
    assert "Traceback" not in output and "internal error" not in output, output
    assert result.exit_code in (0, 1), output
    if result.exit_code == 0:
        return
    for line in output.splitlines():
        if not line.strip() or SUMMARY.match(line) or ERROR.match(line):
            continue
        located = PROBLEM_LINE.match(line)
        if located is not None:
            assert located["code"] in ERROR_CODES, line
            assert located["file"] in files, line
            continue
        unlocated = UNLOCATED.match(line)
        assert unlocated is not None and unlocated["code"] in UNLOCATED_CODES, line


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / "std").mkdir()
    shutil.copy(SEEDS / "standards.yaml", tmp_path / "std" / "standards.yaml")
    shutil.copy(SEEDS / "portfolio.yaml", tmp_path / "portfolio.yaml")
    return tmp_path


def run(workspace: Path) -> list[tuple[Result, set[str]]]:
    """``validate`` of both files and ``evaluate`` of the portfolio, in ``workspace``."""
    standards, portfolio = (
        str(workspace / "std" / "standards.yaml"),
        str(workspace / "portfolio.yaml"),
    )
    runner = CliRunner(env={"CREDITBANK_NO_CACHE": "1", "COLUMNS": "120"})
    validate = runner.invoke(cli, ["validate", standards, portfolio])
    evaluate = runner.invoke(
        cli, ["evaluate", portfolio, "--program", PROGRAM, "--standards", str(workspace / "std")]
    )
    return [(validate, {standards, portfolio}), (evaluate, {standards, portfolio})]


def test_the_seeds_are_valid(workspace: Path) -> None:
    for result, _ in run(workspace):
        assert result.exit_code == 0, result.output


@pytest.mark.parametrize("which", ["standards", "portfolio"])
def test_mutants_get_an_answer_never_a_crash(workspace: Path, which: str) -> None:
    target = (
        workspace / "std" / "standards.yaml"
        if which == "standards"
        else workspace / "portfolio.yaml"
    )
    seed = target.read_bytes()
    rnd = random.Random(f"issue-14-{which}")
    refused = 0
    for _ in range(MUTANTS):
        target.write_bytes(mutant(rnd, seed))
        for result, files in run(workspace):
            check(result, files)
            refused += result.exit_code == 1
    assert refused >= MUTANTS // 2  # the mutants are mostly wrong, and they are reported


MUTATORS: dict[str, Callable[[random.Random, str], str]] = {
    "lines": _lines,
    "value": _value,
    "characters": _characters,
}


@pytest.mark.parametrize("name", sorted(MUTATORS))
def test_each_mutation_changes_the_text(name: str) -> None:
    text = (SEEDS / "portfolio.yaml").read_text(encoding="utf-8")
    rnd = random.Random(name)
    assert any(MUTATORS[name](rnd, text) != text for _ in range(10))
