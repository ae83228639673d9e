"""Fixtures of the pages' tests: a real service on a loopback port, for a real browser.

``site`` (module): ``creditbank serve``'s application run by uvicorn in a thread of the test
process on a free 127.0.0.1 port, on the bundled standards, with a SQLite ledger of its own
(``site.ledger``) that tests may fill through the library. Browser fixtures
(``browser_page``, ``artifacts`` …) come from :mod:`tests.browser`.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient

from creditbank.models import Standards
from creditbank.service import ServiceConfig, create_app

STARTUP = 60.0
"""Seconds the server may take to start listening: a deadline to give up, not a measurement."""


@dataclass(frozen=True)
class Site:
    url: str
    """The base URL, e.g. ``http://127.0.0.1:41234`` (no trailing slash)."""
    ledger: str
    """The SQLite ledger file the service uses."""


@pytest.fixture
def client(standards: Standards) -> Iterator[TestClient]:
    """An in-process client of the service (no ledger), for pages that need no browser."""
    with TestClient(
        create_app(ServiceConfig(), standards=standards), raise_server_exceptions=False
    ) as test_client:
        yield test_client


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, standards: Standards) -> Iterator[Site]:
    ledger = str(Path(tmp_path_factory.mktemp("site")) / "bank.db")
    app = create_app(ServiceConfig(ledger=ledger), standards=standards)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail(f"the test server did not start on 127.0.0.1:{port}")
        time.sleep(0.05)
    try:
        yield Site(f"http://127.0.0.1:{port}", ledger)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
