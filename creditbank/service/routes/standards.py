"""Programmes, their requirements and rules, and their maps (read-only)."""

from __future__ import annotations

from fastapi import APIRouter

__all__ = ["router"]

router = APIRouter(tags=["standards"])
