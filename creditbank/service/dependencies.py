"""Dependencies the routes share: who may read the standards."""

from __future__ import annotations

from fastapi import Request

from creditbank.service.auth import Principal, authenticated, optional_principal, service_state

__all__ = ["standards_reader"]


def standards_reader(request: Request) -> Principal | None:
    """Anyone when the standards are public (an invalid token is still refused), otherwise a
    caller with a valid token of any role."""
    if service_state(request).config.public_standards:
        return optional_principal(request)
    return authenticated(request)
