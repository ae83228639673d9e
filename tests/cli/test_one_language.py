"""One language at a time (issue 20, item 3): with ``--lang zh`` a command's table shows no
English word outside codes, ids and data; with ``--lang en`` none of the Chinese labels of
the CLI's catalogue (creditbank/cli/labels.py)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from creditbank import bundled_standards_path, load_standards
from creditbank.cli import cli
from creditbank.cli.labels import LABELS
from tests.paths import ROOT

PORTFOLIO = str(ROOT / "examples" / "portfolios" / "demo-worker-001-electrician.yaml")
PROGRAM = "demo-college:460301"
ELECTRICIAN = "skill:csco2022:6-31-01-03"

# Every command with --lang and a table (eligibility is another helper's, issue 19).
RUNS = {
    "evaluate": ["evaluate", PORTFOLIO, "--program", PROGRAM],
    "whatif --add": [
        "whatif",
        PORTFOLIO,
        "--program",
        PROGRAM,
        "--add",
        "x:plc-system-application-programming@中级",
    ],
    "whatif": ["whatif", PORTFOLIO, "--program", PROGRAM, "--top", "5"],
    "query converts-to": ["query", "converts-to", ELECTRICIAN],
    "query leads-into": ["query", "leads-into", PROGRAM],
    "query equivalents": ["query", "equivalents", ELECTRICIAN],
    "query pathway": ["query", "pathway", PORTFOLIO, "--program", PROGRAM],
}

_WORD = re.compile(r"-*[A-Za-z][A-Za-z0-9_:./@+\-]*")


def _data_words() -> set[str]:
    """Latin words that are data of the standards: in the names of units, programmes and
    levels (CAD, PLC, MES …) and the ids of grade scales a condition names."""
    standards = load_standards(bundled_standards_path())
    words: set[str] = set()
    for kind in ("unit", "program", "framework", "grade_scale"):
        for item in standards.of_kind(kind).values():
            words.add(item.id)
            words.update(_WORD.findall(item.name.text("zh")))
    return words


def _command_names(group: click.Group) -> set[str]:
    names = {"creditbank"}
    for name, command in group.commands.items():
        names.add(name)
        if isinstance(command, click.Group):
            names |= _command_names(command)
    return names


DATA = _data_words() | _command_names(cli) | {"bundled"}  # `bundled`: a layer's name
"""Words that are data or codes: the standards' ids and Latin names, the CLI's commands."""
CHINESE_DATA = "".join(
    item.name.text("en")
    for kind in ("unit", "program", "framework")
    for item in load_standards(bundled_standards_path()).of_kind(kind).values()
)
"""Names without an English version are shown in Chinese in an English table: data."""


def _english(text: str) -> list[str]:
    """Words of ``text`` that are English words, not codes or ids: an id has a separator
    (``:``, ``-``, ``_``, ``@``, ``.``) or a digit, a code is in capitals."""
    found = []
    for written in _WORD.findall(text):
        word = written.rstrip(".:")
        if not word or word.startswith("-") or word in DATA or word.isupper():
            continue
        if re.search(r"[:\-_@.\d/]", word):
            continue
        found.append(word)
    return found


def _run(words: list[str], lang: str) -> str:
    result = CliRunner(env={"COLUMNS": "300"}).invoke(cli, [*words, "--lang", lang])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("name", RUNS)
def test_a_chinese_table_has_no_english_words(name: str) -> None:
    shown = _run(RUNS[name], "zh")
    assert _english(shown) == [], shown


@pytest.mark.parametrize("name", RUNS)
def test_an_english_table_has_no_chinese_labels(name: str) -> None:
    shown = _run(RUNS[name], "en")
    labels = {v for v in LABELS["zh"].values() if "{" not in v and v not in CHINESE_DATA}
    assert [label for label in labels if label in shown] == [], shown


def test_the_chinese_picture_has_no_english_labels(tmp_path: Path) -> None:
    out = tmp_path / "map.svg"
    words = ["graph", "--format", "svg", "--program", PROGRAM, "--portfolio", PORTFOLIO]
    result = CliRunner().invoke(cli, [*words, "--lang", "zh", "-o", str(out)])
    assert result.exit_code == 0, result.output
    texts = [html.unescape(t) for t in re.findall(r">([^<>]+)</text>", out.read_text("utf-8"))]
    assert texts
    shown = "\n".join(texts)
    assert "SUPERSEDED_BY_HIGHER" not in shown and "hours" not in shown
    assert _english(shown) == [], shown


def test_the_english_checker_catches_english() -> None:
    assert _english("认定 12 / 150 学分；before 2, after 6") == ["before", "after"]
    assert _english("SUPERSEDED_BY_HIGHER r7:national-certificate percent CAD") == []
