"""A pytest plugin for testing other systems against creditbank (entry point ``pytest11``).

Installed with creditbank, it only *offers* fixtures: nothing runs unless a test asks for
one (no autouse fixtures, no hooks that change collection or reporting), and loading it
costs no more than importing creditbank. Without the entry point (or with plugin autoloading
off), enable it with ``-p creditbank.testing.plugin`` or ``pytest_plugins =
["creditbank.testing.plugin"]`` in a ``conftest.py``.

Fixtures:

``creditbank_standards`` (session)
    The standards bundled with creditbank, loaded once.
``creditbank_standards_dir`` (session)
    Standards loaded from the directory given with ``--creditbank-standards DIR`` (or the
    ini option ``creditbank_standards``, relative to the ini file). Tests using it are
    skipped when no directory is given, and fail with every problem when it does not load.
``creditbank_standards_path`` (session)
    That directory, as a :class:`~pathlib.Path`.
``creditbank_ledger``
    A fresh SQLite :class:`~creditbank.ledger.Ledger` in the test's temporary directory,
    over ``creditbank_standards`` (override that fixture to use others), with a fixed clock
    (:func:`creditbank.testing.ledger.fixed_clock`); closed after the test.

The assertion helpers :func:`creditbank.testing.assert_recognised` and
:func:`creditbank.testing.assert_not_recognised` work with or without the plugin.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from creditbank.bundled import bundled_standards_path
from creditbank.errors import LoadError
from creditbank.loading import load_standards
from creditbank.models import Standards

if TYPE_CHECKING:
    from creditbank.ledger import Ledger

__all__ = [
    "INI_NAME",
    "OPTION",
    "creditbank_ledger",
    "creditbank_standards",
    "creditbank_standards_dir",
    "creditbank_standards_path",
    "pytest_addoption",
]

OPTION = "--creditbank-standards"
INI_NAME = "creditbank_standards"


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--creditbank-standards DIR`` and the ini option ``creditbank_standards``."""
    group = parser.getgroup("creditbank", "creditbank test fixtures")
    group.addoption(
        OPTION,
        dest="creditbank_standards",
        metavar="DIR",
        default=None,
        help="standards directory for the creditbank_standards_dir fixture",
    )
    parser.addini(
        INI_NAME,
        "standards directory for the creditbank_standards_dir fixture (relative to the ini file)",
        default="",
    )


def _configured(config: pytest.Config) -> Path | None:
    given = config.getoption("creditbank_standards")
    if given:
        return (config.invocation_params.dir / str(given)).resolve()
    ini = str(config.getini(INI_NAME) or "")
    if ini:
        base = config.inipath.parent if config.inipath else config.rootpath
        return (base / ini).resolve()
    return None


@pytest.fixture(scope="session")
def creditbank_standards() -> Standards:
    """The standards bundled with creditbank."""
    return load_standards(bundled_standards_path())


@pytest.fixture(scope="session")
def creditbank_standards_path(pytestconfig: pytest.Config) -> Path:
    """The directory given with ``--creditbank-standards`` (skips the test when none is)."""
    path = _configured(pytestconfig)
    if path is None:
        pytest.skip(f"no standards directory: give {OPTION} DIR or set {INI_NAME} in the ini file")
    return path


@pytest.fixture(scope="session")
def creditbank_standards_dir(creditbank_standards_path: Path) -> Standards:
    """Standards loaded from the directory given with ``--creditbank-standards``."""
    try:
        return load_standards(creditbank_standards_path)
    except LoadError as error:
        pytest.fail(
            f"the standards in {creditbank_standards_path} do not load:\n{error}", pytrace=False
        )


@pytest.fixture
def creditbank_ledger(tmp_path: Path, creditbank_standards: Standards) -> Iterator[Ledger]:
    """A new, empty ledger in the test's temporary directory, with a fixed clock."""
    # the ledger (and sqlite3) is imported only by a test that asks for one
    from creditbank.ledger import Ledger  # noqa: PLC0415
    from creditbank.testing.ledger import fixed_clock  # noqa: PLC0415

    ledger = Ledger.open(
        tmp_path / "creditbank-ledger.db", creditbank_standards, create=True, clock=fixed_clock
    )
    try:
        yield ledger
    finally:
        ledger.close()
