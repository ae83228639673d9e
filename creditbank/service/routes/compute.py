"""Validation, evaluation, what-if, pathways, credential checks and exports: computations on
the standards that need no ledger."""

from __future__ import annotations

from fastapi import APIRouter

__all__ = ["router"]

router = APIRouter(tags=["compute"])
