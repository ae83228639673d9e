"""The registrar pages in Chromium: a registrar logs in, approves an application and the
statement shows it, with the keyboard only; the same pages work without JavaScript; every
control has an accessible name; screenshots at desktop and phone widths."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from creditbank.models import Standards
from tests.service.ledger_world import OWN, World, build_world
from tests.web.conftest import Site

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
TABS = 120
"""At most this many Tab presses to reach a control: a bound to fail on, not a measurement."""


@pytest.fixture(scope="module")
def world(site: Site, standards: Standards) -> World:
    """The ledger world (tests/service/ledger_world.py) in the live site's own ledger."""
    return build_world(site.ledger, standards)


def _shots(page: Page, artifacts: Path, name: str) -> None:
    for width, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.screenshot(path=str(artifacts / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def _tab_to(page: Page, test: str) -> None:
    """Press Tab until the focused element passes ``test`` (a JS expression on ``el``)."""
    for _ in range(TABS):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return !!({test}); }})()"):
            return
    pytest.fail(f"Tab never reached an element where {test}")


def _every_control_is_named(page: Page) -> None:
    unnamed = page.evaluate(
        """[...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
             .filter(el => el.labels.length === 0 && !el.getAttribute('aria-label'))
             .map(el => el.name)"""
    )
    assert unnamed == []


def test_the_registrar_logs_in_approves_and_the_statement_shows_it_by_keyboard(
    site: Site, world: World, browser_page: Page, artifacts: Path
) -> None:
    page = browser_page
    page.set_viewport_size(DESKTOP)
    page.goto(f"{site.url}/registrar?lang=en")
    token = page.get_by_label("Access token")
    assert token.get_attribute("type") == "password"
    _every_control_is_named(page)
    _shots(page, artifacts, "1-login")
    _tab_to(page, "el.id === 'token'")
    page.keyboard.type(world.callers.secrets["academic_affairs"] or "")
    page.keyboard.press("Enter")
    page.wait_for_url("**/registrar?done=logged_in")
    assert "creditbank_registrar=" not in page.evaluate("document.cookie")  # HttpOnly
    assert page.get_by_role("heading", name="Applications awaiting decision").is_visible()
    _shots(page, artifacts, "2-queue")
    _tab_to(page, "el.getAttribute('href')?.endsWith('/applications/app-2')")
    page.keyboard.press("Enter")
    page.wait_for_url("**/applications/app-2")
    _every_control_is_named(page)
    _shots(page, artifacts, "3-application")
    _tab_to(page, "el.id === 'reason-approve'")
    page.keyboard.type("all evidence checked")
    _tab_to(page, "el.closest('form')?.classList.contains('registrar-approve')")
    page.keyboard.press("Enter")
    page.wait_for_url("**/applications/app-2?done=approved")
    assert page.get_by_role("status").inner_text() == "Approved; the credit is posted."
    _shots(page, artifacts, "4-approved")
    _tab_to(page, f"el.getAttribute('href') === '/registrar/accounts/{OWN}'")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/registrar/accounts/{OWN}")
    row = page.get_by_role("row").filter(has_text="app-2")
    assert "posted" in row.inner_text()
    _shots(page, artifacts, "5-statement")
    _tab_to(page, "el.getAttribute('href')?.endsWith('/statement.html')")
    page.keyboard.press("Enter")
    page.wait_for_url("**/statement.html")
    document = page.locator("body").inner_text()
    assert "Credit bank account statement" in document
    assert "app-2" in document
    assert "posted" in document
    assert "all evidence checked" in document
    _shots(page, artifacts, "6-printable")


def test_the_pages_work_without_javascript(
    site: Site, world: World, chromium: Browser, artifacts: Path
) -> None:
    context = chromium.new_context(java_script_enabled=False, viewport=DESKTOP)
    try:
        page = context.new_page()
        page.goto(f"{site.url}/registrar?lang=en")
        page.get_by_label("Access token").fill("cb_not_a_token")
        page.get_by_role("button", name="Log in").click()
        assert "The token is not valid" in page.locator("main").inner_text()
        page.get_by_label("Access token").fill(world.callers.secrets["school_reviewer"] or "")
        page.get_by_role("button", name="Log in").click()
        page.get_by_role("link", name="app-1").click()
        page.get_by_label("Reason (required to reject)").fill("certificate not verified")
        page.get_by_role("button", name="Reject").click()
        assert page.get_by_role("status").inner_text() == "Rejected."
        assert "certificate not verified" in page.locator("main").inner_text()
        _shots(page, artifacts, "rejected-no-js")
        page.get_by_role("button", name="Log out").click()
        assert page.get_by_label("Access token").is_visible()
    finally:
        context.close()


def test_verification_in_chinese(
    site: Site, world: World, browser_page: Page, artifacts: Path, cjk_font: str
) -> None:
    page = browser_page
    page.goto(f"{site.url}/registrar?lang=zh")
    page.get_by_label("访问令牌").fill(world.callers.secrets["bank_operator"] or "")
    page.get_by_role("button", name="登录").click()
    page.get_by_role("link", name="账本链校验").click()
    assert "账本有效" in page.locator("main").inner_text()
    _shots(page, artifacts, "verify-zh")
