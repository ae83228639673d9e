"""The generated reference pages (docs/reference/) are what the code generates today.

A CLI option, an error code or a reason sentence changed in the code without regenerating the
pages fails here, with the command that regenerates them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from creditbank.docgen import PAGES, REGENERATE, main, stale_pages
from tests.paths import ROOT


@pytest.mark.parametrize("page", sorted(PAGES))
def test_generated_page_is_up_to_date(page: str) -> None:
    committed = (ROOT / page).read_text(encoding="utf-8") if (ROOT / page).is_file() else None
    assert committed == PAGES[page](), f"{page} is stale: run `{REGENERATE}` and commit it"


def test_check_names_a_stale_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--root", str(tmp_path)]) == 0
    assert stale_pages(tmp_path) == []
    page = tmp_path / "docs/reference/errors.md"
    page.write_text(page.read_text(encoding="utf-8").replace("`NO_STANDARDS`", "`X`"), "utf-8")
    assert main(["--root", str(tmp_path), "--check"]) == 1
    assert f"docs/reference/errors.md: stale; run {REGENERATE}" in capsys.readouterr().err


def test_every_command_error_and_reason_is_on_its_page() -> None:
    from creditbank.engine.reasons import REASONS
    from creditbank.errors import ERROR_CODES, LEDGER_ERROR_CODES

    cli = PAGES["docs/reference/cli.md"]()
    assert "## `creditbank ledger deposit-badge`" in cli
    assert "## `creditbank query pathway`" in cli
    errors = PAGES["docs/reference/errors.md"]()
    assert all(f"| `{code}` |" in errors for code in [*ERROR_CODES, *LEDGER_ERROR_CODES])
    reasons = PAGES["docs/reference/reasons.md"]()
    assert all(f"| `{code}` |" in reasons for code in REASONS)


def test_the_cli_page_is_built_with_the_real_contexts() -> None:
    """Each command's page section is made in the context the CLI gives it (the root's
    ``-h``): built in bare contexts it said ``--help`` only, and which commands said ``-h``
    depended on which help had been shown before in the process (a flaky staleness failure)."""
    from click.testing import CliRunner

    from creditbank.cli import cli

    page = PAGES["docs/reference/cli.md"]()
    assert "| `--help` |" not in page
    assert page.count("| `-h, --help` |") == page.count("\n## `creditbank")
    assert CliRunner().invoke(cli, ["query", "pathway", "-h"]).exit_code == 0
