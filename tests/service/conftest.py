"""Fixtures of the service's tests: an application on the bundled standards, and a client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from creditbank.models import Standards
from creditbank.service import ServiceConfig, create_app
from tests.conftest import LedgerBackend
from tests.pg_server import PostgresServer
from tests.service.ledger_world import Callers, build_world, patched_callers


@pytest.fixture
def app(standards: Standards) -> FastAPI:
    """The service without a ledger, on the bundled standards."""
    return create_app(ServiceConfig(), standards=standards)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """A client of :func:`app` that sees a 500 as a response, as a platform would."""
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


# --- compute: the standards and computation routes (helper "compute") -------------------


@pytest.fixture
def private_client(standards: Standards) -> Iterator[TestClient]:
    """A client of a service started with ``--private-standards`` (no ledger)."""
    app = create_app(ServiceConfig(public_standards=False), standards=standards)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


# --- end compute ------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------
# The ledger routes (tests/service/test_ledger_*.py): the test ledger made once per module and
# backend, a copy of it per test, an application serving a ledger, and the callers' tokens.
# Helpers: tests/service/ledger_world.py.


@pytest.fixture(scope="module")
def world_db(tmp_path_factory: pytest.TempPathFactory, standards: Standards) -> str:
    return build_world(str(tmp_path_factory.mktemp("world") / "world.db"), standards)


@pytest.fixture(scope="module")
def world_pg(postgres_server: PostgresServer, standards: Standards) -> Iterator[str]:
    url = build_world(postgres_server.new_database("world"), standards)
    yield url
    postgres_server.drop_database(url)


@pytest.fixture
def world(ledger_backend: LedgerBackend, request: pytest.FixtureRequest) -> str:
    """A copy of the test ledger (:func:`tests.service.ledger_world.build_world`) on each
    backend."""
    return ledger_backend.copy_of(request, "world_db", "world_pg")


@pytest.fixture
def callers(monkeypatch: pytest.MonkeyPatch) -> Callers:
    """The callers of the role matrix and their tokens."""
    return patched_callers(monkeypatch)
