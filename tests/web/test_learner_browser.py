"""The learner page and the programme browser in Chromium (tests/browser.py), on a live site:
a learner uploads each example portfolio through the file input and sees the CLI's totals; a
malformed upload shows the located problem; the language switch changes the page and is
remembered on the next; the core flow by keyboard alone and with JavaScript off; every
control has an accessible name. Screenshots at desktop and phone widths are kept."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.web.conftest import Site
from tests.web.test_learner import DAY, PORTFOLIOS, PROGRAMS, UNKNOWN_UNIT, cli_totals

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
TIMEOUT = 60_000
"""Milliseconds a page may take to answer (an evaluation with its what-if and pathway
searches on a slow, shared machine): a deadline to give up, not a measurement."""


def shots(page: Page, artifacts: Path, name: str) -> None:
    """Screenshots of the page at desktop and phone widths, whole page."""
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.screenshot(path=str(artifacts / f"{name}-{label}.png"), full_page=True)
        if label == "phone":  # nothing wider than the phone's screen but what scrolls inside
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 1, f"{name}: the page is {overflow}px wider than a phone"
    page.set_viewport_size(DESKTOP)


def expected(portfolio: Path, program: str, as_of: str = DAY) -> dict[str, str]:
    totals: dict[str, Any] = cli_totals(portfolio, program, as_of)
    return {
        "recognised": str(totals["recognised"]),
        "program_total": str(totals["program_total"]),
        "remaining": str(totals["remaining"]),
    }


def shown(page: Page) -> dict[str, str]:
    return {
        key: page.locator(f'[data-total="{key}"]').inner_text().strip()
        for key in ("recognised", "program_total", "remaining")
    }


@pytest.mark.parametrize("portfolio", PORTFOLIOS, ids=lambda p: p.stem)
def test_a_learner_uploads_an_example_and_sees_the_cli_totals(
    site: Site, browser_page: Page, artifacts: Path, portfolio: Path
) -> None:
    page = browser_page
    page.set_default_timeout(TIMEOUT)
    page.goto(f"{site.url}/?lang=en")
    program = PROGRAMS[1]
    page.get_by_label("Portfolio or credential file").set_input_files(str(portfolio))
    page.get_by_label("Programme").select_option(program)
    page.get_by_label("Evaluate as of").fill(DAY)
    page.get_by_role("button", name="Evaluate").click()
    page.wait_for_selector('[data-total="recognised"]')
    assert shown(page) == expected(portfolio, program)
    assert page.locator("figure.map svg").count() == 1
    shots(page, artifacts, portfolio.stem)
    # the printable report of the same evaluation, one click away
    page.get_by_role("button", name="Printable report").click()
    page.wait_for_selector(".total-recognised")
    recognised = page.inner_text(".total-recognised").strip()
    assert recognised == expected(portfolio, program)["recognised"]


def test_a_malformed_upload_shows_the_located_problem(
    site: Site, browser_page: Page, artifacts: Path, tmp_path: Path
) -> None:
    page = browser_page
    page.set_default_timeout(TIMEOUT)
    bad = tmp_path / "mine.yaml"
    bad.write_text(UNKNOWN_UNIT, encoding="utf-8")
    page.goto(f"{site.url}/?lang=zh")
    page.get_by_label("学习档案或证书文件").set_input_files(str(bad))
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="开始试算").click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "mine.yaml:5:11: UNKNOWN_REFERENCE" in alert.inner_text()
    assert answer.value.status == 422
    # the form is kept: the text to fix is in the text box
    assert "skill:nowhere" in page.get_by_label("或粘贴文本").input_value()
    shots(page, artifacts, "malformed")


def test_the_language_switch_changes_the_page_and_is_remembered(
    site: Site, browser_page: Page, artifacts: Path
) -> None:
    page = browser_page
    page.goto(f"{site.url}/programmes?lang=zh")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.get_by_role("heading", level=1).inner_text() == "专业"
    page.get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Programmes"
    # the next page, reached by a plain link, is in English too
    page.get_by_role("link", name="Mechatronics Technology").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Conversion rules").count() == 1
    shots(page, artifacts, "programme-en")
    page.get_by_role("link", name="Try your credits", exact=True).first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "Try your credits"


def test_every_control_has_an_accessible_name_and_the_flow_works_by_keyboard(
    site: Site, browser_page: Page, artifacts: Path
) -> None:
    page = browser_page
    page.set_default_timeout(TIMEOUT)
    page.goto(f"{site.url}/?lang=en")
    for label in (
        "Portfolio or credential file",
        "Or paste its text",
        "Programme",
        "Evaluate as of",
    ):
        assert page.get_by_label(label, exact=True).count() == 1, label
    unnamed = page.evaluate(
        """[...document.querySelectorAll('input, select, textarea, button')]
           .filter(e => e.type !== 'hidden' && !(e.labels && e.labels.length)
                        && !e.getAttribute('aria-label') && !e.textContent.trim())
           .map(e => e.outerHTML)"""
    )
    assert unnamed == []
    # keyboard only: Tab to the text box, type, Tab through to the button, Enter
    text = PORTFOLIOS[2].read_text(encoding="utf-8")
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "portfolio_text":
            break
    else:
        pytest.fail("the text box cannot be reached with Tab")
    page.keyboard.insert_text(text)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "program"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "as_of"
    # the day stays today's (the default); Tab past the date's parts to the button
    for _ in range(6):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Evaluate":
            break
    else:
        pytest.fail("the button cannot be reached with Tab")
    page.keyboard.press("Enter")
    page.wait_for_selector('[data-total="recognised"]')
    today = page.locator("#as_of").input_value()
    assert shown(page) == expected(PORTFOLIOS[2], PROGRAMS[0], today)
    shots(page, artifacts, "keyboard")


def test_the_flow_works_without_javascript(site: Site, chromium: Browser, artifacts: Path) -> None:
    context = chromium.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT)
        page.goto(f"{site.url}/?lang=zh")
        page.get_by_label("学习档案或证书文件").set_input_files(str(PORTFOLIOS[4]))
        page.get_by_label("认定日期").fill(DAY)
        page.get_by_role("button", name="开始试算").click()
        page.wait_for_selector('[data-total="recognised"]')
        assert shown(page) == expected(PORTFOLIOS[4], PROGRAMS[0])
        shots(page, artifacts, "no-javascript")
        page.goto(f"{site.url}/programmes/{PROGRAMS[0]}")
        assert page.locator("figure.map svg").count() == 1
        shots(page, artifacts, "programme-zh")
    finally:
        context.close()
