"""Every page route, gathered into one router that the service application includes."""

from __future__ import annotations

from fastapi import APIRouter

from creditbank.web import learner, programmes, registrar

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
for _area in (learner, programmes, registrar):
    router.include_router(_area.router)
