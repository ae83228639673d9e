"""The live test site answers a real browser (the fixture the page flows build on)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.web.conftest import Site

if TYPE_CHECKING:
    from playwright.sync_api import Page


def test_the_site_serves_pages_to_chromium_and_the_skip_link_is_first(
    site: Site, browser_page: Page
) -> None:
    browser_page.goto(f"{site.url}/?lang=en")
    assert browser_page.locator("html").get_attribute("lang") == "en"
    browser_page.keyboard.press("Tab")
    focused = browser_page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#main"
    browser_page.get_by_role("link", name="中文").click()
    assert browser_page.locator("html").get_attribute("lang") == "zh-CN"
