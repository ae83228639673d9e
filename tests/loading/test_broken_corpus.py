"""The broken-standards corpus: every file in ``tests/cases/broken/`` is one case.

Each case is a small, self-contained standards file that is wrong in one way. Its
first line declares what ``creditbank validate`` must report, as a YAML comment::

    # expect: UNKNOWN_REFERENCE@14 UNKNOWN_LEVEL@15

one ``CODE@LINE`` per expected problem (binary cases keep the comment on line 1, after a
byte order mark or in UTF-16). A second line ``# allow: CODE ...`` names codes that may
also appear, with the reason after them, for a problem that is a plain consequence of
the first. Anything else printed fails the case, so a case cannot pick up noise.

Cases are found by listing the directory: adding a file adds a case. The oversized
file and the portfolio above the limit on achievements are generated in a temporary
directory instead of being committed.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from creditbank.cli import cli
from creditbank.errors import ERROR_CODES, FILE_ERROR_CODES
from creditbank.loading import Limits
from tests.paths import ROOT, TEST_CASES

CASES_DIR = TEST_CASES / "broken"
CASE_PATHS = sorted(p for p in CASES_DIR.iterdir() if p.is_file() and not p.name.startswith("."))

# Every code one standards file can trigger. Those left out are about the paths given to
# the command, not about a file's content: a directory without standards files
# (NO_STANDARDS), and what the operating system says about reading or writing a path (a
# missing path, something that is not a regular file, a full disk …: tests/cli/test_files.py).
# TOML_SYNTAX is a problem of creditbank.toml, not of a standards file: tests/test_config.py
REQUIRED = (
    frozenset(ERROR_CODES)
    - {"NO_STANDARDS", "TOML_SYNTAX"}
    - (set(FILE_ERROR_CODES) - {"FILE_TOO_LARGE"})
)
# test_oversized_file and test_too_many_achievements write these cases
GENERATED = frozenset({"FILE_TOO_LARGE", "TOO_MANY_ACHIEVEMENTS"})

PROBLEM_LINE = re.compile(
    r"^(?P<file>.+?):(?P<line>\d+):(?P<column>\d+): (?P<code>[A-Z][A-Z0-9_]*) (?P<message>\S.*)$"
)
EXPECT = re.compile(r"^#\s*expect:(?P<items>.*)$")
ALLOW = re.compile(r"^#\s*allow:(?P<items>.*)$")
EXPECTED_ITEM = re.compile(r"^(?P<code>[A-Z][A-Z0-9_]*)@(?P<line>[1-9][0-9]*)$")


@dataclass(frozen=True)
class Case:
    """What one case file declares."""

    path: Path
    expected: tuple[tuple[str, int], ...]
    allowed: frozenset[str]


@dataclass(frozen=True)
class Printed:
    """One problem line as the command printed it."""

    file: str
    line: int
    column: int
    code: str
    message: str


def _head(raw: bytes) -> list[str]:
    """The first two lines of a case, whatever its (possibly broken) encoding."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = raw.decode("utf-16", "replace")
    else:
        text = raw.removeprefix(b"\xef\xbb\xbf").decode("utf-8", "replace")
    return text.splitlines()[:2]


def read_case(path: Path) -> Case:
    head = _head(path.read_bytes())
    match = EXPECT.match(head[0]) if head else None
    if match is None:
        raise AssertionError(f"{path.name}: line 1 must be '# expect: CODE@LINE ...'")
    expected: list[tuple[str, int]] = []
    for item in match["items"].split():
        found = EXPECTED_ITEM.match(item)
        if found is None or found["code"] not in ERROR_CODES:
            raise AssertionError(f"{path.name}: {item!r} is not CODE@LINE with a known code")
        expected.append((found["code"], int(found["line"])))
    if not expected:
        raise AssertionError(f"{path.name}: '# expect:' names no problem")
    allowed: set[str] = set()
    allow = ALLOW.match(head[1]) if len(head) > 1 else None
    if allow is not None:
        for word in allow["items"].split():
            if word not in ERROR_CODES:
                break  # the reason follows the codes
            allowed.add(word)
        if not allowed:
            raise AssertionError(f"{path.name}: '# allow:' names no known code")
    return Case(path, tuple(expected), frozenset(allowed))


def parse_output(stdout: str) -> list[Printed]:
    """Every line of standard output, each of which must be a problem line."""
    printed = []
    for text in stdout.splitlines():
        if not text.strip():
            continue
        match = PROBLEM_LINE.match(text)
        assert match is not None, f"not a FILE:LINE:COL: CODE message line: {text!r}"
        assert match["code"] in ERROR_CODES, f"unknown code in {text!r}"
        printed.append(
            Printed(
                match["file"],
                int(match["line"]),
                int(match["column"]),
                match["code"],
                match["message"],
            )
        )
    return printed


def check_report(case: Case, exit_code: int, stdout: str, everything: str) -> None:
    """The command's answer for one case: exit 1, the declared problems and nothing else."""
    assert "Traceback" not in everything, everything
    assert "internal error" not in everything, everything
    assert exit_code == 1, f"exit code {exit_code}, output:\n{everything}"
    printed = parse_output(stdout)
    assert printed, f"no problem printed:\n{everything}"
    for problem in printed:
        assert problem.file == str(case.path), f"problem reported for another file: {problem}"
        assert problem.line >= 1 and problem.column >= 1, problem
    got = Counter((p.code, p.line) for p in printed if p.code not in case.allowed)
    assert got == Counter(case.expected), (
        f"{case.path.name}: expected {sorted(case.expected)}, printed:\n{stdout}"
    )


def run_in_process(path: Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result.exit_code, result.stdout, result.output


@pytest.mark.parametrize("path", CASE_PATHS, ids=[p.name for p in CASE_PATHS])
def test_broken_case(path: Path) -> None:
    case = read_case(path)
    check_report(case, *run_in_process(path))


def test_oversized_file(tmp_path: Path) -> None:
    """Just above the default size limit; generated here rather than committed."""
    path = tmp_path / "oversized.yaml"
    head = b"# expect: FILE_TOO_LARGE@1\nkind: standards\nexample: true\n"
    filler = b"# padding\n"
    size = Limits().max_bytes + 1
    body = filler * ((size - len(head)) // len(filler) + 1)
    path.write_bytes((head + body)[:size])
    assert path.stat().st_size == Limits().max_bytes + 1
    case = read_case(path)
    assert {code for code, _ in case.expected} == {"FILE_TOO_LARGE"}
    check_report(case, *run_in_process(path))


def test_too_many_achievements(tmp_path: Path) -> None:
    """One achievement above the default limit per portfolio; refused at `achievements:`."""
    path = tmp_path / "too_many_achievements.yaml"
    head = "# expect: TOO_MANY_ACHIEVEMENTS@5\nkind: portfolio\nexample: true\nlearner: w\n"
    entry = "  - {id: a%d, unit: 'course:advanced-math', earned_on: 2024-01-01}\n"
    count = Limits().max_achievements + 1
    path.write_text(head + "achievements:\n" + "".join(entry % i for i in range(count)))
    case = read_case(path)
    check_report(case, *run_in_process(path))


@pytest.mark.parametrize(
    "name",
    [
        "syntax_unclosed_quote.yaml",  # the YAML reader
        "invalid_utf8_gbk.yaml",  # bytes that are not UTF-8
        "unknown_reference_near_miss.yaml",  # the checks across items
    ],
)
def test_console_script_in_a_real_process(name: str) -> None:
    case = read_case(CASES_DIR / name)
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("CREDITBANK_DEBUG", None)
    done = subprocess.run(
        [sys.executable, "-m", "creditbank", "validate", str(case.path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )
    stdout = done.stdout.decode("utf-8")
    stderr = done.stderr.decode("utf-8")
    check_report(case, done.returncode, stdout, stdout + stderr)


def test_corpus_is_large_and_covers_every_code() -> None:
    cases = [read_case(path) for path in CASE_PATHS]
    assert len(cases) >= 25
    covered = {code for case in cases for code, _ in case.expected} | GENERATED
    missing = REQUIRED - covered
    assert not missing, f"no broken case expects {sorted(missing)}"
