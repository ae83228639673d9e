"""A real browser for the tests: Playwright for Python driving the system's Chromium.

Playwright's own browser download cannot be reached from the machines this project runs
on, so the tests launch the Chromium of the system's package manager
(``apt-get install chromium`` on Debian; ``.ci/run`` installs it with a CJK font).
``CREDITBANK_CHROMIUM`` names another executable. Without Chromium (or Playwright, or a CJK
font) the browser tests skip, saying what to install, except with ``CI`` set, where they
fail: CI must run them.

Fixtures (registered for every test by the root conftest):

* ``chromium`` (module): a launched :class:`playwright.sync_api.Browser`;
* ``browser_page``: a new page of its own context, closed after the test;
* ``cjk_font`` (session): the name of an installed CJK font;
* ``artifacts``: a directory under ``test-artifacts/`` (gitignored; ``CREDITBANK_ARTIFACTS``
  moves it) for the screenshots and PDFs a test keeps, one per test.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import pytest

from tests.paths import ROOT

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

__all__ = [
    "A4_POINTS",
    "CJK_FAMILIES",
    "artifacts",
    "browser_page",
    "chromium",
    "chromium_executable",
    "cjk_font",
]

INSTALL = "apt-get install -y chromium fonts-noto-cjk (Debian) and pip install -e '.[test]'"
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "PingFang SC",
    "Microsoft YaHei",
)
"""The CJK fonts the reports name (creditbank/reports/templates/report.css), in order."""
A4_POINTS = (595.28, 841.89)
"""210 mm x 297 mm in PostScript points."""


def _missing(what: str) -> NoReturn:
    if os.environ.get("CI"):
        pytest.fail(f"CI: {what}; .ci/run installs it ({INSTALL})")
    pytest.skip(f"browser tests skipped: {what}; to run them: {INSTALL}")


def chromium_executable() -> str | None:
    """The system Chromium: ``$CREDITBANK_CHROMIUM``, else the first of the usual names on
    the PATH, else None."""
    named = os.environ.get("CREDITBANK_CHROMIUM")
    if named:
        return named if Path(named).is_file() else None
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """The system Chromium, launched headless once per test module: Playwright's sync API
    keeps an event loop and a driver process, which end with the module instead of living
    on through the rest of the suite."""
    executable = chromium_executable()
    if executable is None:
        _missing("Chromium is not installed")
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        _missing("Playwright for Python is not installed")
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=executable)
        except Error as error:
            _missing(f"Chromium at {executable} does not start: {error}")
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_page(chromium: Browser) -> Iterator[Page]:
    """A fresh page (its own context: no state shared between tests)."""
    context = chromium.new_context()
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture(scope="session")
def cjk_font() -> str:
    """An installed CJK font the reports name (fontconfig's ``fc-list``), else skip/fail."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        _missing("fontconfig (fc-list) is not installed")
    listed = subprocess.run(
        [fc_list, ":lang=zh", "family"], capture_output=True, text=True, check=False
    ).stdout
    families = {name.strip() for line in listed.splitlines() for name in line.split(",")}
    for family in CJK_FAMILIES:
        if family in families:
            return family
    _missing(f"no CJK font of {', '.join(CJK_FAMILIES)} is installed")


@pytest.fixture
def artifacts(request: pytest.FixtureRequest) -> Path:
    """A directory for what this test keeps (screenshots, PDFs), emptied first."""
    base = Path(os.environ.get("CREDITBANK_ARTIFACTS") or ROOT / "test-artifacts")
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name).strip("_")[:120]
    module = str(request.node.module.__name__).rsplit(".", 1)[-1]
    directory = base / module / name
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    return directory
