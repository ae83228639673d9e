"""The reports printed in a real browser (the system's Chromium, tests/browser.py).

For every example portfolio under every bundled programme, in both languages, the HTML the
CLI writes is printed to PDF: A4 pages whose text holds every achievement, every unit's name,
every reason sentence and the totals of the CLI's JSON; laid out at the width of A4's content
box and at a phone's, no element sticks out of the page and no table cell is clipped; the
Chinese report shows no English label and renders its Chinese in a CJK font, not as empty
boxes. Screenshots (desktop and phone) and the PDFs are kept under ``test-artifacts/``.
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import date
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from playwright.sync_api import Page
from pypdf import PdfReader

from creditbank.cli import cli
from creditbank.loading import load_portfolio
from creditbank.models import Standards
from creditbank.reports import LABELS, VALUES, evaluation_report
from tests.browser import A4_POINTS, CJK_FAMILIES
from tests.bundled import bundled_standards
from tests.paths import ROOT
from tests.reports.test_html import approved_ledger

PORTFOLIOS = sorted((ROOT / "examples" / "portfolios").glob("*.yaml"))
PROGRAMS = sorted(bundled_standards().programs)
AS_OF = "2026-11-29"
PRINT_WIDTH = 687
"""A4's content box in CSS pixels: 210 mm less the 2 x 14 mm margins of report.css = 182 mm
= 687.9 px, rounded down so that the check is never looser than the paper."""
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

OVERFLOW = """() => {
  const limit = document.documentElement.clientWidth + 0.5;
  const found = [];
  const name = (el) => el.tagName.toLowerCase() + ' "'
      + (el.textContent || '').trim().slice(0, 40) + '"';
  if (document.documentElement.scrollWidth > document.documentElement.clientWidth)
    found.push('the page scrolls sideways: ' + document.documentElement.scrollWidth);
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest('svg') && el.tagName.toLowerCase() !== 'svg') continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (box.right > limit || box.left < -0.5) found.push('outside the page: ' + name(el));
    if ((el.tagName === 'TD' || el.tagName === 'TH' || el.tagName === 'TABLE')
        && el.scrollWidth > el.clientWidth + 0.5)
      found.push('clipped: ' + name(el) + ' ' + el.scrollWidth + ' > ' + el.clientWidth);
  }
  return found;
}"""

BROKEN_HEADS = """() => {
  // a column head's word drawn on more than one line ("Recogn|ised")
  const found = [];
  for (const th of document.querySelectorAll('thead th')) {
    const walker = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const m of node.textContent.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
        if (tops.size > 1) found.push(m[0]);
      }
    }
  }
  return found;
}"""


LABEL_TEXT = """() => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const out = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode())
    if (!node.parentElement.closest('code, .data, svg title')) out.push(node.textContent);
  return out.join('\\n');
}"""
"""The text of a report that is not data: codes and ids (``code``), free text of the
portfolio or ledger (``.data``) and the map's tooltips (``svg title``: rule conditions as
written) left out; the map's labels are in."""


def squeeze(text: str) -> str:
    """Text compared the way PDF extraction allows: NFKC (a CJK font's radicals, ligatures)
    and no whitespace (lines wrap anywhere in a table cell)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def pdf_pages(pdf: bytes) -> tuple[list[tuple[float, float]], str]:
    reader = PdfReader(BytesIO(pdf))
    sizes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]
    return sizes, "\n".join(page.extract_text() for page in reader.pages)


def assert_a4(sizes: list[tuple[float, float]]) -> None:
    assert sizes
    for width, height in sizes:
        # Chromium rounds A4 to 8.27 x 11.7 in (595.92 x 842.88 pt): within 1.5 pt of A4
        assert abs(width - A4_POINTS[0]) < 1.5 and abs(height - A4_POINTS[1]) < 1.5, (
            width,
            height,
        )


def print_and_check(page: Page, html: Path, artifacts: Path) -> tuple[list[Any], str]:
    """Load ``html``; check the layout at A4 width (print) and at a phone's width (screen);
    keep screenshots and the PDF; return the PDF's page sizes and text."""
    page.set_viewport_size({"width": PRINT_WIDTH, "height": 1000})
    page.emulate_media(media="print")
    page.goto(html.as_uri())
    assert page.evaluate(OVERFLOW) == []
    assert page.evaluate(BROKEN_HEADS) == []
    pdf = page.pdf(format="A4", print_background=True)
    (artifacts / "report.pdf").write_bytes(pdf)
    page.emulate_media(media="screen")
    for name, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        assert page.evaluate(OVERFLOW) == [], name
        page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)
    return pdf_pages(pdf)


def _cli(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def platform_fonts(page: Page, selector: str) -> dict[str, int]:
    """The fonts Chromium used for the text of the first element ``selector`` matches
    (DevTools protocol), each with its number of glyphs drawn."""
    session = page.context.new_cdp_session(page)
    session.send("DOM.enable")
    session.send("CSS.enable")
    root = session.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = session.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    assert node, selector
    fonts = session.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    return {font["familyName"]: int(font["glyphCount"]) for font in fonts}


def _english_labels() -> list[str]:
    words = [*LABELS["en"].values(), *VALUES["en"].values()]
    parts = [p.strip(" :;,.()/") for w in words for p in re.split(r"\{[^}]*\}|[;:→/]", w)]
    return sorted({p for p in parts if re.search("[A-Za-z]{2}", p)})


def english_labels_shown(page: Page) -> list[str]:
    """The English labels and values the report on ``page`` shows outside codes and data."""
    # the map writes ids and reason codes into its boxes without markup: drop those tokens
    # (enterprise-post-cert, EXPIRED) before looking for words
    text = re.sub(r"\S*[-_:]\S*|\b[A-Z]{2,}\b", " ", page.evaluate(LABEL_TEXT))
    return [w for w in _english_labels() if re.search(rf"\b{re.escape(w)}\b", text, re.I)]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("program", PROGRAMS)
@pytest.mark.parametrize("portfolio", PORTFOLIOS, ids=lambda p: p.stem)
def test_evaluation_report_prints_whole_on_a4(
    *,
    portfolio: Path,
    program: str,
    lang: str,
    standards: Standards,
    browser_page: Page,
    cjk_font: str,
    artifacts: Path,
    tmp_path: Path,
) -> None:
    html = tmp_path / "report.html"
    common = ["evaluate", str(portfolio), "--program", program, "--as-of", AS_OF]
    _cli(*common, "--format", "html", "--lang", lang, "-o", str(html))
    evaluation = json.loads(_cli(*common, "--format", "json"))
    sizes, text = print_and_check(browser_page, html, artifacts)
    assert_a4(sizes)
    printed = squeeze(text)

    for decision in evaluation["decisions"]:
        assert squeeze(decision["achievement"]) in printed
        unit = standards.units.get(decision["unit"])
        assert unit is not None and squeeze(unit.name.text(lang)) in printed, decision["unit"]
        if decision["reason"] is not None:
            assert squeeze(decision["reason"]) in printed
            assert squeeze(decision[f"message_{lang}"]) in printed, decision[f"message_{lang}"]
    totals = evaluation["totals"]
    share = f"{Decimal(totals['share']) * 100:.2f} %"
    shown = {
        key: browser_page.inner_text(f".total-{key}")
        for key in ("recognised", "program", "remaining", "share", "used")
    }
    assert shown == {
        "recognised": totals["recognised"],
        "program": totals["program_total"],
        "remaining": totals["remaining"],
        "share": share,
        "used": f"{totals['achievements_recognised']} / {totals['achievements']}",
    }
    for value in shown.values():
        assert squeeze(value) in printed
    for requirement in evaluation["requirements"]:
        assert squeeze(requirement[f"name_{lang}"] or requirement["requirement"]) in printed

    if lang == "zh":
        assert english_labels_shown(browser_page) == []
        assert squeeze(LABELS["zh"]["evaluation_title"]) in printed
        for selector in ("h1", "table.decisions td", "figure.map svg text"):
            fonts = platform_fonts(browser_page, selector)
            assert any(fonts.get(family, 0) > 0 for family in CJK_FAMILIES), (selector, fonts)


def test_the_english_labels_are_found_when_present() -> None:
    """The zh check above is only as good as its word list: it finds an English label."""
    words = _english_labels()
    assert "Credits recognised" in words and "Decisions" in words and "posted" in words
    assert not any("{" in w for w in words)


def test_a_script_in_a_name_stays_text_in_the_browser(
    browser_page: Page, tmp_path: Path, artifacts: Path
) -> None:
    hostile = '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">'
    source = PORTFOLIOS[0].read_text(encoding="utf-8")
    portfolio = tmp_path / "hostile.yaml"
    portfolio.write_text(
        re.sub(r"(?m)^learner: .*$", f"learner: {json.dumps(hostile)}", source), encoding="utf-8"
    )
    html = tmp_path / "report.html"
    _cli("evaluate", str(portfolio), "--program", PROGRAMS[0], "--format", "html", "-o", str(html))
    browser_page.goto(html.as_uri())
    assert browser_page.evaluate("window.pwned") is None
    assert browser_page.evaluate("document.querySelectorAll('script, img').length") == 0
    assert hostile in browser_page.inner_text("header")
    assert hostile in browser_page.title()
    browser_page.screenshot(path=str(artifacts / "hostile.png"))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_statement_report_prints_whole_on_a4(
    lang: str, browser_page: Page, cjk_font: str, artifacts: Path, tmp_path: Path
) -> None:
    db = tmp_path / "bank.db"
    account = approved_ledger(db)
    statement = json.loads(
        _cli("ledger", "--db", str(db), "statement", account, "--format", "json")
    )
    html = tmp_path / "statement.html"
    _cli("ledger", "--db", str(db), "statement", account, "--format", "html", "--lang", lang,
         "-o", str(html))  # fmt: skip
    sizes, text = print_and_check(browser_page, html, artifacts)
    assert_a4(sizes)
    printed = squeeze(text)
    for achievement in statement["achievements"]:
        assert squeeze(achievement["id"]) in printed
    for application in statement["applications"]:
        assert squeeze(application["id"]) in printed
        assert squeeze(application["standards_fingerprint"]) in printed
    for entry in statement["entries"]:
        assert squeeze(f"{Decimal(entry['amount']):+}") in printed
    assert squeeze(statement["programs"][0]["posted"]) in printed
    assert squeeze(VALUES[lang]["posted"]) in printed
    if lang == "zh":
        assert english_labels_shown(browser_page) == []


def test_a_long_table_repeats_its_header_on_every_page(
    browser_page: Page, standards: Standards, tmp_path: Path, artifacts: Path
) -> None:
    """A portfolio of 40 achievements: the decision table runs over several pages, every
    one of them shows the table's header, and no row is lost."""
    portfolio = load_portfolio(PORTFOLIOS[0], standards)
    many = tuple(
        a.model_copy(update={"id": f"{a.id}-{n:02d}"})
        for n in range(10)
        for a in portfolio.achievements
    )
    long = portfolio.model_copy(update={"achievements": many})
    html = tmp_path / "long.html"
    day = date.fromisoformat(AS_OF)
    report = evaluation_report(standards, long, PROGRAMS[0], day, lang="en", program_map=False)
    html.write_text(report, encoding="utf-8")
    browser_page.goto(html.as_uri())
    pdf = browser_page.pdf(format="A4", print_background=True)
    (artifacts / "long.pdf").write_bytes(pdf)
    reader = PdfReader(BytesIO(pdf))
    texts = [squeeze(page.extract_text()) for page in reader.pages]
    header = squeeze("Achievement Unit Level Credits Used for / Reason")
    with_rows = [t for t in texts if any(squeeze(a.id) in t for a in many)]
    assert len(with_rows) >= 3
    assert all(header in t for t in with_rows), [t[:120] for t in with_rows]
    for achievement in many:
        assert any(squeeze(achievement.id) in t for t in with_rows), achievement.id
