"""Every page route, gathered into one router that the service application includes (the
registrar pages, which use the API's own token checks, are
:mod:`creditbank.service.routes.registrar`, included beside it)."""

from __future__ import annotations

from fastapi import APIRouter

from creditbank.web import learner, programmes

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
for _area in (learner, programmes):
    router.include_router(_area.router)
