"""The service's errors in its OpenAPI document: every operation's ``default`` response is a
problem document (:class:`~creditbank.service.problems.ProblemDocument`) of media type
``application/problem+json``, as :mod:`creditbank.service.problems` answers them.

Without this FastAPI documents a 422 ``HTTPValidationError`` of type ``application/json`` for
every operation with parameters or a body, which the service never sends: a client generated
from the document would expect the wrong shape, and schemathesis (``tests/service/
test_schemathesis.py``) rightly reports every 422 as undocumented.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from creditbank.service.problems import PROBLEM_MEDIA_TYPE, ProblemDocument

__all__ = ["PROBLEM_RESPONSES", "document_problems"]

PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    "default": {
        "description": "An error: an RFC 9457 problem document with creditbank's stable `code`",
        "content": {
            PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/ProblemDocument"}}
        },
    }
}
"""The ``responses`` of every router (``include_router(..., responses=PROBLEM_RESPONSES)``);
a ``default`` response also stops FastAPI adding its own 422."""


def document_problems(app: FastAPI) -> None:
    """Add the schema of :class:`ProblemDocument` (and what it refers to) to ``app``'s OpenAPI
    components, where :data:`PROBLEM_RESPONSES` refers to it."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = build()
            schema = ProblemDocument.model_json_schema(
                ref_template="#/components/schemas/{model}", mode="serialization"
            )
            components = document.setdefault("components", {}).setdefault("schemas", {})
            components.update(schema.pop("$defs", {}))
            components["ProblemDocument"] = schema
        return app.openapi_schema or build()

    app.openapi = openapi  # type: ignore[method-assign]
