"""Accounts and the recognition workflow: every route needs a bearer token, and the ledger's
authority model decides every command."""

from __future__ import annotations

from fastapi import APIRouter

__all__ = ["router"]

router = APIRouter(tags=["ledger"])
