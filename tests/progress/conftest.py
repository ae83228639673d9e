"""A ledger built once per module from the example portfolios (tests/progress/demo.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from creditbank.ledger import Ledger
from tests.bundled import bundled_standards
from tests.progress.demo import build


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("progress") / "ledger.db"
    build(path, bundled_standards()).close()
    return path


@pytest.fixture
def demo_ledger(demo_db: Path) -> Iterator[Ledger]:
    with Ledger.open(demo_db, read_only=True) as ledger:
        yield ledger
