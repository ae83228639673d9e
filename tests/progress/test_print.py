"""The progress report printed in a real browser (the system's Chromium, tests/browser.py):
A4 pages, nothing sticking out at A4's or a phone's width, every figure of the JSON in the
printed text, bars drawn as SVG beside written figures, and the Chinese report in a CJK font
without an English label."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from playwright.sync_api import Page

from creditbank.cli import cli
from creditbank.progress.notes import WORDS, percent
from tests.browser import CJK_FAMILIES
from tests.reports.test_print import assert_a4, platform_fonts, print_and_check
from tests.reports.test_print import squeeze as nfkc_squeeze

RADICALS = str.maketrans({"\u2ea0": "民"})
"""PDF text extraction gives 民 as the CJK radical ⺠ (U+2EA0), which NFKC leaves alone."""


def squeeze(text: str) -> str:
    return nfkc_squeeze(text).translate(RADICALS)


def _cli(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("by", ["programme", "region"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_progress_report_prints_on_a4(
    *,
    demo_db: Path,
    lang: str,
    by: str,
    browser_page: Page,
    cjk_font: str,
    artifacts: Path,
    tmp_path: Path,
) -> None:
    html = tmp_path / "report.html"
    common = ["report", "--db", str(demo_db), "--by", by]
    _cli(*common, "--format", "html", "--lang", lang, "-o", str(html))
    data = json.loads(_cli(*common, "--format", "json"))
    sizes, text = print_and_check(browser_page, html, artifacts)
    assert_a4(sizes)
    printed = squeeze(text)
    for target in data["targets"]:
        assert squeeze(target[f"name_{lang}"]) in printed
        assert f"{target['measured']} / " in printed or target["measured"] in printed
    for row in data["rows"]:
        assert row["credits_total"] in printed
        assert percent(Decimal(row["migrant_share"])) in printed
    assert browser_page.locator("svg.chart").count() == len(data["targets"]) + len(data["rows"])
    zh, en = WORDS["title"]
    assert squeeze(zh if lang == "zh" else en) in printed
    if lang == "zh":
        for _, english in WORDS.values():
            if len(english) > 3:
                assert english not in text, english
        for selector in ("h1", "table.targets td"):
            fonts = platform_fonts(browser_page, selector)
            assert any(fonts.get(family, 0) > 0 for family in CJK_FAMILIES), (selector, fonts)
