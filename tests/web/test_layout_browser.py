"""The frame's layout in Chromium (tests/browser.py): wide tables and the programme map stay
readable on a phone (they scroll inside their own box, the page itself never scrolls sideways),
the map keeps its drawn size and the width of the text column, and column heads stay on one line
in Chinese. Regressions of the new-user review (issue 18 follow-up, F18 items 1-3)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tests.web.conftest import Site
from tests.web.test_learner import DAY, PORTFOLIOS, PROGRAMS

if TYPE_CHECKING:
    from playwright.sync_api import Page

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
TIMEOUT = 60_000
"""Milliseconds a page may take to answer on a slow, shared machine: a deadline, not a
measurement."""

PAGE_WIDTH = "document.documentElement.scrollWidth"
HEAD_LINES = """(selector) => [...document.querySelectorAll(selector)].map((th) => {
  const range = document.createRange();
  range.selectNodeContents(th);
  return [th.textContent.trim(),
          new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size];
})"""
"""Each column head of the table ``selector`` names, with the number of lines its text takes."""


def _result(page: Page, site: Site, lang: str, portfolio: Path) -> None:
    page.set_default_timeout(TIMEOUT)
    page.goto(f"{site.url}/?lang={lang}")
    page.fill("#portfolio_text", portfolio.read_text(encoding="utf-8"))
    page.select_option("#program", PROGRAMS[0])
    page.fill("#as_of", DAY)
    page.locator('button[value="page"]').click()
    page.wait_for_selector('[data-total="recognised"]')


def test_the_programme_tables_scroll_inside_their_box_on_a_phone(
    site: Site, browser_page: Page, artifacts: Path
) -> None:
    page = browser_page
    page.set_viewport_size(PHONE)
    page.goto(f"{site.url}/programmes/{PROGRAMS[0]}?lang=en")
    page.screenshot(path=str(artifacts / "phone-programme.png"), full_page=True)
    assert page.evaluate(PAGE_WIDTH) <= PHONE["width"]
    courses = page.locator("table.requirements tbody td:last-child")
    assert courses.count() > 0
    for i in range(courses.count()):  # a course list readable as lines, not 2 characters a line
        assert courses.nth(i).bounding_box()["width"] >= 200  # type: ignore[index]
    wrap = page.locator(".table-wrap").filter(has=page.locator("table.requirements"))
    assert wrap.get_attribute("tabindex") == "0" and wrap.get_attribute("role") == "region"
    assert wrap.get_attribute("aria-label")
    assert page.locator(".scroll-hint").first.is_visible()  # says the table scrolls
    page.set_viewport_size(DESKTOP)
    assert not page.locator(".scroll-hint").first.is_visible()


def test_the_map_keeps_its_size_in_a_scrolling_region(
    site: Site, browser_page: Page, artifacts: Path
) -> None:
    page = browser_page
    page.set_viewport_size(DESKTOP)
    _result(page, site, "en", PORTFOLIOS[0])
    wrap = page.locator("figure.map .map-wrap")
    assert wrap.get_attribute("tabindex") == "0" and wrap.get_attribute("role") == "region"
    assert wrap.get_attribute("aria-label")
    # the figure is not indented: the map's box starts where the text column does
    text_left = page.locator("#progress").bounding_box()["x"]  # type: ignore[index]
    assert abs(wrap.bounding_box()["x"] - text_left) <= 1  # type: ignore[index]
    drawn = float(page.locator("figure.map svg").evaluate("s => s.viewBox.baseVal.width"))
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(artifacts / "phone-result.png"), full_page=True)
    assert page.evaluate(PAGE_WIDTH) <= PHONE["width"]
    shown = page.locator("figure.map svg").bounding_box()["width"]  # type: ignore[index]
    assert shown >= drawn - 1, (shown, drawn)  # not shrunk to the phone's width
    assert wrap.evaluate("w => w.scrollWidth > w.clientWidth")  # it scrolls, inside its box
    wrap.focus()  # and the keyboard reaches it (arrow keys then scroll it)
    assert wrap.evaluate("w => document.activeElement === w")


def test_chinese_column_heads_stay_on_one_line(
    site: Site, browser_page: Page, artifacts: Path
) -> None:
    page = browser_page
    page.set_viewport_size(DESKTOP)
    _result(page, site, "zh", PORTFOLIOS[-1])
    page.screenshot(path=str(artifacts / "desk-zh-result.png"), full_page=True)
    heads = page.evaluate(HEAD_LINES, "table.decisions thead th")
    assert heads and all(lines == 1 for _, lines in heads), heads
