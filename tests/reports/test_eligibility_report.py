"""``creditbank eligibility --format html``: one self-contained printable document per
portfolio, every rule's result and reason in the chosen language, with the tracks picture;
printed by Chromium to A4 (as the evaluation report is, tests/reports/test_print.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from playwright.sync_api import Page

from creditbank.cli import cli
from creditbank.reports.eligibility import ELIGIBILITY_LABELS
from tests.browser import CJK_FAMILIES
from tests.paths import ROOT
from tests.reports.test_print import (
    assert_a4,
    platform_fonts,
    print_and_check,
    squeeze,
)

PORTFOLIOS = sorted((ROOT / "examples" / "portfolios").glob("*.yaml"))
AS_OF = "2026-12-07"


def _cli(*args: str) -> str:
    run = CliRunner().invoke(cli, list(args))
    assert run.exit_code == 0, run.output
    return run.output


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("portfolio", PORTFOLIOS, ids=lambda p: p.stem)
def test_the_report_holds_every_result_in_one_language(
    portfolio: Path, lang: str, tmp_path: Path
) -> None:
    html = tmp_path / "e.html"
    common = ["eligibility", str(portfolio), "--as-of", AS_OF]
    _cli(*common, "--format", "html", "--lang", lang, "-o", str(html))
    text = html.read_text(encoding="utf-8")
    result = json.loads(_cli(*common, "--format", "json"))
    for outcome in result["outcomes"]:
        assert outcome["rule"] in text
        for unmet in outcome["unmet"]:
            assert unmet[lang].replace("'", "&#39;") in text.replace("&#34;", '"')
    assert "<script" not in text and "http://" not in text.replace("http://www.w3.org", "")
    assert "<svg" in text and ELIGIBILITY_LABELS[lang]["tracks"] in text
    other = ELIGIBILITY_LABELS["en" if lang == "zh" else "zh"]
    assert other["results"] not in text and other["tracks"] not in text


def test_html_and_where_do_not_mix(tmp_path: Path) -> None:
    run = CliRunner().invoke(
        cli, ["eligibility", str(PORTFOLIOS[0]), "--where", "--format", "html"]
    )
    assert run.exit_code == 2


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_report_prints_whole_on_a4(
    lang: str, browser_page: Page, cjk_font: str, artifacts: Path, tmp_path: Path
) -> None:
    portfolio = ROOT / "examples" / "portfolios" / "demo-worker-001-electrician.yaml"
    html = tmp_path / "eligibility.html"
    common = ["eligibility", str(portfolio), "--as-of", AS_OF]
    _cli(*common, "--format", "html", "--lang", lang, "-o", str(html))
    result = json.loads(_cli(*common, "--format", "json"))
    sizes, text = print_and_check(browser_page, html, artifacts)
    assert_a4(sizes)
    printed = squeeze(text)
    for outcome in result["outcomes"]:
        assert squeeze(outcome["rule"]) in printed
        for unmet in outcome["unmet"]:
            assert squeeze(unmet["code"]) in printed
    assert squeeze(ELIGIBILITY_LABELS[lang]["title"]) in printed
    if lang == "zh":
        for selector in ("h1", "table.decisions td", "figure.map svg text"):
            fonts = platform_fonts(browser_page, selector)
            assert any(fonts.get(family, 0) > 0 for family in CJK_FAMILIES), (selector, fonts)


def _technician(tmp_path: Path) -> Path:
    """The technician portfolio of docs/eligibility.md (open later: engineer, 2027-03-01)."""
    text = (ROOT / "docs" / "eligibility.md").read_text(encoding="utf-8")
    block = text.split("<!-- file: technician.yaml -->\n```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "technician.yaml"
    path.write_text(block, encoding="utf-8")
    return path


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_outcome_open_later_is_not_marked_as_refused(lang: str, tmp_path: Path) -> None:
    """Regression: "✗ eligible from 2029-03-01", in the refusal's red."""
    html = tmp_path / "e.html"
    portfolio = _technician(tmp_path)
    _cli(
        "eligibility",
        str(portfolio),
        "--as-of",
        AS_OF,
        "--format",
        "html",
        "--lang",
        lang,
        "-o",
        str(html),
    )
    text = html.read_text(encoding="utf-8")
    later = ELIGIBILITY_LABELS[lang]["from"].format(day="2027-03-01")
    assert f'<span class="later">◷ {later}</span>' in text
    assert f"✗ {later}" not in text and ".later { color: var(--later)" in text
    assert "--later: #b45309" in text and "--later: #b91c1c" not in text


def test_header_and_kind_cells_wrap_between_words_only(tmp_path: Path) -> None:
    """Regression: the kind column split "admissio·n" (overflow-wrap: anywhere)."""
    html = tmp_path / "e.html"
    _cli(
        "eligibility",
        str(PORTFOLIOS[0]),
        "--as-of",
        AS_OF,
        "--format",
        "html",
        "--lang",
        "en",
        "-o",
        str(html),
    )
    text = html.read_text(encoding="utf-8")
    rule = "table.eligibility th, table.eligibility td:first-child {\n  overflow-wrap: normal;"
    assert rule in text
