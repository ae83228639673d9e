"""Narrow terminals and pipes (issue 20, item 4): at 60, 80 or 200 columns a reason code,
an id or a unit id is never split across lines (``SUPERSEDED_BY_HIG`` / ``HER``); where
standard output is not a terminal the tables are plain text, the same at any COLUMNS."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from click.testing import CliRunner
from rich.console import Console

from creditbank import bundled_standards_path, load_portfolio, load_standards
from creditbank.cli import cli
from creditbank.cli.eligibility import eligibility_view
from creditbank.cli.render import evaluation_view, suggestions_view
from creditbank.cli.where import where_view
from creditbank.engine import eligibility, evaluate, suggest
from creditbank.graph.where import where
from tests.paths import ROOT

PORTFOLIO = ROOT / "examples" / "portfolios" / "demo-worker-001-electrician.yaml"
PROGRAM = "demo-college:460301"
DAY = dt.date(2026, 12, 7)
BOX = re.compile(r"[│┃━─┏┗└┡┌╇╋┳┻]")


@pytest.fixture(scope="module")
def inputs():  # type: ignore[no-untyped-def]
    standards = load_standards(bundled_standards_path())
    portfolio = load_portfolio(PORTFOLIO, standards)
    return standards, portfolio


def _terminal(width: int, *renderables: object) -> str:
    """What a terminal of ``width`` columns shows (as the CLI prints: no soft wrap)."""
    out = io.StringIO()
    console = Console(file=out, width=width, force_terminal=True, color_system=None)
    for renderable in renderables:
        console.print(renderable, soft_wrap=False)
    return out.getvalue()


@pytest.mark.parametrize("width", [60, 80, 200])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_codes_and_ids_are_never_split(inputs, width: int, lang: str) -> None:  # type: ignore[no-untyped-def]
    standards, portfolio = inputs
    evaluation = evaluate(standards, portfolio, PROGRAM, DAY)
    suggestions = suggest(standards, portfolio, PROGRAM, DAY, limit=5)
    shown = _terminal(
        width,
        evaluation_view(evaluation, standards, lang, width),  # type: ignore[arg-type]
        suggestions_view(suggestions, standards, lang, width),  # type: ignore[arg-type]
    )
    whole = {d.reason for d in evaluation.decisions if d.reason}
    whole |= {d.achievement for d in evaluation.decisions}
    whole |= {s.unit for s in suggestions}
    assert "SUPERSEDED_BY_HIGHER" in whole  # the example has the code of the issue
    lines = shown.splitlines()
    missing = [w for w in whole if not any(w in line for line in lines)]
    assert missing == [], shown
    assert all(len(line.rstrip()) <= width for line in lines), shown


@pytest.mark.parametrize(
    "words",
    [
        ["evaluate", str(PORTFOLIO), "--program", PROGRAM, "--as-of", "2026-12-07"],
        ["whatif", str(PORTFOLIO), "--program", PROGRAM, "--as-of", "2026-12-07", "--top", "3"],
        ["query", "converts-to", "skill:csco2022:6-31-01-03"],
    ],
)
def test_a_pipe_gets_plain_text_the_same_at_any_width(words: list[str]) -> None:
    shown = {
        columns: CliRunner(env={"COLUMNS": str(columns)}).invoke(cli, words).stdout
        for columns in (60, 80, 200)
    }
    assert shown[60] == shown[80] == shown[200]
    assert not BOX.search(shown[60]), shown[60]
    assert "\t" in shown[60]  # cells separated by tabs: cut -f and awk -F'\t' read them


@pytest.mark.parametrize("width", [60, 80, 200])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_eligibility_and_where_never_split_a_rule_id_or_code(inputs, width: int, lang: str) -> None:  # type: ignore[no-untyped-def]
    """Regression: `eligibility` at 60 and 80 columns printed NO_QUALIF / YING_ACHI and
    bridge:example / :engineering:s / enior; `--where --lang zh` at 60 showed br, id…"""
    standards, portfolio = inputs
    result = eligibility(standards, portfolio, DAY)
    found = where(standards, portfolio, DAY)
    shown = _terminal(
        width,
        eligibility_view(result, standards, lang, width),  # type: ignore[arg-type]
        where_view(found, lang, width),  # type: ignore[arg-type]
    )
    whole = {o.rule for o in result.outcomes} | {u.code for o in result.outcomes for u in o.unmet}
    whole |= {r.result.rule for e in found.next for r in e.routes}
    whole |= {u.code for e in found.next for r in e.routes for u in r.result.unmet}
    whole |= {b for h in found.held for b in h.because}
    assert "NO_QUALIFYING_ACHIEVEMENT" in whole  # a code of the finding
    lines = shown.splitlines()
    missing = sorted(w for w in whole if not any(w in line for line in lines))
    assert missing == [], shown
    assert all(len(line.rstrip()) <= width for line in lines), shown
