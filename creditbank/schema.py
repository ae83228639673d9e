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

__all__ = ["SCHEMA_DIALECT", "json_schema", "schema_kinds"]

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def schema_kinds() -> tuple[str, ...]:
    """The file kinds a schema can be asked for."""
    return tuple(DOCUMENT_TYPES)


def json_schema(kind: DocumentKind | str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one file kind.

    Raises ``KeyError`` for an unknown kind.
    """
    model = DOCUMENT_TYPES[kind]
    schema = model.model_json_schema(mode="validation")
    schema = {"$schema": SCHEMA_DIALECT, **schema}
    schema["title"] = f"creditbank {kind} file"
    return schema
