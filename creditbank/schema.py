"""JSON Schema for each file kind, generated from the models.

Editors that speak JSON Schema (VS Code with the YAML extension, JetBrains IDEs) use
these to validate and autocomplete standards files as they are typed.

>>> schema = json_schema("rules")
>>> schema["properties"]["kind"]["const"]
'rules'
"""

from __future__ import annotations

from typing import Any

from creditbank.models.documents import DOCUMENT_TYPES, DocumentKind

__all__ = ["OUTPUT_SCHEMAS", "SCHEMA_DIALECT", "json_schema", "printable_schemas", "schema_kinds"]

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def schema_kinds() -> tuple[str, ...]:
    """The file kinds a schema can be asked for."""
    return tuple(DOCUMENT_TYPES)


OUTPUT_SCHEMAS = {
    "evaluation": "the JSON `creditbank evaluate --format json` prints (creditbank.evaluation/1)",
    # not "eligibility": that is the kind of the files of eligibility rules
    "eligibility-result": "the JSON `creditbank eligibility --format json` prints "
    "(creditbank.eligibility/1)",
    "tracks": "the JSON `creditbank eligibility --where --format json` prints "
    "(creditbank.tracks/1)",
}
"""The schemas of what creditbank writes, besides those of the files it reads."""


def printable_schemas() -> tuple[str, ...]:
    """Every schema :func:`json_schema` gives: each file kind, then each output."""
    return (*schema_kinds(), *OUTPUT_SCHEMAS)


def json_schema(kind: DocumentKind | str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one file kind, or of an output
    (:data:`OUTPUT_SCHEMAS`).

    Raises ``KeyError`` for an unknown kind.
    """
    # the engine's models are imported only for their schemas: files need none of them
    if kind == "evaluation":
        from creditbank.engine import evaluation_json_schema  # noqa: PLC0415

        return evaluation_json_schema()
    if kind == "eligibility-result":
        from creditbank.engine.eligibility import eligibility_json_schema  # noqa: PLC0415

        return dict(eligibility_json_schema())
    if kind == "tracks":
        from creditbank.graph.where import where_json_schema  # noqa: PLC0415

        return dict(where_json_schema())
    model = DOCUMENT_TYPES[kind]
    schema = model.model_json_schema(mode="validation")
    schema = {"$schema": SCHEMA_DIALECT, **schema}
    schema["title"] = f"creditbank {kind} file"
    return schema
