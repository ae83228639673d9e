"""``GET /healthz`` and ``GET /v1/standards``: is the service up, and on which standards."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from creditbank._version import __version__
from creditbank.service.auth import current_state
from creditbank.service.dependencies import standards_reader
from creditbank.service.state import ServiceState

__all__ = ["router"]

router = APIRouter()


class Health(BaseModel):
    status: str
    version: str
    standards: str
    ledger: bool


class StandardsInfo(BaseModel):
    fingerprint: str
    counts: dict[str, int]


@router.get("/healthz", tags=["meta"], summary="Is the service up")
def healthz(state: Annotated[ServiceState, Depends(current_state)]) -> Health:
    """Always answers while the process serves: its version, the fingerprint of the standards
    it loaded, and whether it was given a ledger."""
    return Health(
        status="ok",
        version=__version__,
        standards=state.standards.fingerprint(),
        ledger=state.config.ledger is not None,
    )


@router.get(
    "/v1/standards",
    tags=["standards"],
    summary="The standards in use",
    dependencies=[Depends(standards_reader)],
)
def standards_info(state: Annotated[ServiceState, Depends(current_state)]) -> StandardsInfo:
    """The fingerprint of the loaded standards and how many items of each kind they hold."""
    standards = state.standards
    return StandardsInfo(fingerprint=standards.fingerprint(), counts=standards.counts())
