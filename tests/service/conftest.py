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
from tests.service.ledger_world import Callers, World, build_world


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
# The ledger routes (tests/service/test_ledger_*.py): the test ledger with a token for every
# caller, made once per module and backend, and a copy of it per test. Helpers:
# tests/service/ledger_world.py.


@pytest.fixture(scope="module")
def world_db(tmp_path_factory: pytest.TempPathFactory, standards: Standards) -> World:
    return build_world(str(tmp_path_factory.mktemp("world") / "world.db"), standards)


@pytest.fixture(scope="module")
def world_pg(postgres_server: PostgresServer, standards: Standards) -> Iterator[World]:
    made = build_world(postgres_server.new_database("world"), standards)
    yield made
    postgres_server.drop_database(made.location)


@pytest.fixture
def world_made(ledger_backend: LedgerBackend, request: pytest.FixtureRequest) -> World:
    """The test ledger of this module on this backend (copy it before writing to it)."""
    made: World = request.getfixturevalue(
        "world_db" if ledger_backend.server is None else "world_pg"
    )
    return made


@pytest.fixture
def world(ledger_backend: LedgerBackend, world_made: World) -> str:
    """A copy of the test ledger (:func:`tests.service.ledger_world.build_world`) on each
    backend."""
    return ledger_backend.clone(world_made.location)


@pytest.fixture
def callers(world_made: World) -> Callers:
    """The callers of the role matrix; their tokens are in the test ledger and its copies."""
    return world_made.callers
