"""Fixtures of the service's tests: an application on the bundled standards, and a client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from creditbank.models import Standards
from creditbank.service import ServiceConfig, create_app


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
