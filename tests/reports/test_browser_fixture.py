"""tests/browser.py: without Chromium the browser tests skip saying what to install, except
with ``CI`` set, where they fail (CI must run them)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.paths import ROOT

USES_BROWSER = textwrap.dedent(
    """
    def test_needs_it(chromium):
        assert chromium is not None
    """
)


@pytest.mark.parametrize("ci", ["", "true"])
def test_missing_chromium_skips_outside_ci_and_fails_in_ci(tmp_path: Path, ci: str) -> None:
    (tmp_path / "test_uses_browser.py").write_text(USES_BROWSER, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env.update(CREDITBANK_CHROMIUM=str(tmp_path / "no-such-chromium"), PYTHONPATH=str(ROOT))
    if ci:
        env["CI"] = ci
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.browser", "-p", "no:cacheprovider",
         "-rs", "-q", "--rootdir", str(tmp_path), str(tmp_path)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    output = run.stdout + run.stderr
    assert "apt-get install -y chromium fonts-noto-cjk" in output, output
    if ci:
        assert run.returncode == 1 and "1 error" in output and "CI: Chromium" in output, output
    else:
        assert run.returncode == 0 and "1 skipped" in output, output
