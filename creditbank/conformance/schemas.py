"""JSON Schemas (draft 2020-12) of the conformance dataset: case files, answers, manifest.

The case schema embeds creditbank's own schemas of a ``standards`` and a ``portfolio`` file
(``creditbank schema standards``), so one file describes a whole case.

>>> schema = answer_schema()
>>> schema["required"], sorted(schema["$defs"])[:3]
(['decisions'], ['amount', 'decision', 'requirement'])
"""

from __future__ import annotations

from typing import Any, get_args

from creditbank.conformance.golden import FORMS
from creditbank.engine import ReasonCode
from creditbank.schema import SCHEMA_DIALECT, json_schema

__all__ = ["answer_schema", "case_schema", "manifest_schema"]

_BASE = "https://creditbank.invalid/conformance/1"
"""Base of the schemas' ``$id``s: names, never fetched."""

_AMOUNT_TEXT = r"^-?[0-9]+(\.[0-9]+)?$"
_OPEN_AMOUNT: dict[str, Any] = {
    "description": 'An exact decimal: text such as "1.5" (preferred) or a JSON number.',
    "anyOf": [{"type": "string", "pattern": _AMOUNT_TEXT}, {"type": "number"}],
}
_EXPECTED_AMOUNT: dict[str, Any] = {
    "description": 'An exact decimal, as text; compare by value ("1.5" = "1.50").',
    "type": "string",
    "pattern": _AMOUNT_TEXT,
}


def _reasons() -> list[str]:
    return list(get_args(ReasonCode))


def _embedded(kind: str) -> dict[str, Any]:
    schema = {k: v for k, v in json_schema(kind).items() if k != "$schema"}
    return {"$id": f"{_BASE}/{kind}.schema.json", **schema}


def _expect_schema() -> dict[str, Any]:
    amount = {"$ref": "#/$defs/amount"}
    string_list = {"type": "array", "items": {"type": "string"}}
    use = {
        "type": "object",
        "additionalProperties": False,
        "description": "Compared on the keys given.",
        "properties": {
            "rule": {"type": "string"},
            "achievements": string_list,
            "requirement": {"type": "string"},
            "course": {"type": ["string", "null"]},
            "kind": {"enum": ["exemption", "credits", "partial"]},
            "credits": amount,
            "recorded_grade": {"type": ["string", "null"]},
            "overflow": {"type": ["string", "null"]},
            "overflow_credits": {"anyOf": [amount, {"type": "null"}]},  # null: none overflowed
        },
    }
    decision = {
        "type": "object",
        "additionalProperties": False,
        "description": "One achievement's decision, compared on the keys given.",
        "properties": {
            "recognised": {"type": "boolean"},
            "credits": amount,
            "reason": {"enum": [*_reasons(), None]},
            "unit": {"type": "string"},
            "level": {"type": ["string", "null"]},
            "uses": {
                "type": "array",
                "items": use,
                "description": "Every use, one to one, in any order.",
            },
            "rules": {
                "type": "object",
                "description": "Every rule that looked at the achievement and how it judged it.",
                "additionalProperties": {"enum": ["used", "eligible", *_reasons()]},
            },
            "detail": {
                "type": "object",
                "description": "Details of the reason, compared as text.",
                "additionalProperties": {"type": "string"},
            },
        },
    }
    requirement = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "required": amount,
            "satisfied": amount,
            "remaining": amount,
            "courses_exempted": string_list,
            "kind": {"type": "string"},
        },
    }
    totals = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "recognised": amount,
            "program_total": amount,
            "remaining": amount,
            "share": amount,
            "achievements": {"type": "integer"},
            "achievements_recognised": {"type": "integer"},
            "optimal": {"type": "boolean"},
        },
    }
    return {
        "type": "object",
        "additionalProperties": False,
        "minProperties": 1,
        "description": "What the evaluation must show; only what is stated is compared.",
        "properties": {
            "total": {**amount, "description": "totals.recognised"},
            "totals": totals,
            "decisions": {
                "type": "object",
                "description": "By achievement id.",
                "additionalProperties": decision,
            },
            "requirements": {
                "type": "object",
                "description": "By requirement id.",
                "additionalProperties": requirement,
            },
        },
    }


def case_schema() -> dict[str, Any]:
    """The schema of one case file (``cases/NAME.json``)."""
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": f"{_BASE}/case.schema.json",
        "title": "creditbank conformance case",
        "description": "One evaluation: standards, programme, as-of date, portfolio, and what "
        "the evaluation must show. An implementation reads it without `expect`.",
        "type": "object",
        "additionalProperties": False,
        "required": [
            "schema",
            "name",
            "description",
            "covers",
            "program",
            "as_of",
            "standards",
            "portfolio",
            "expect",
        ],
        "properties": {
            "schema": {"const": "creditbank.conformance.case/1"},
            "name": {"type": "string", "pattern": "^[A-Za-z0-9_.-]+$"},
            "description": {"type": "string"},
            "covers": {
                "type": "array",
                "description": "Rule forms the case shows.",
                "items": {"enum": sorted(FORMS)},
            },
            "program": {"type": "string", "description": "The programme's id."},
            "as_of": {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
            "standards": {"$ref": f"{_BASE}/standards.schema.json"},
            "portfolio": {"$ref": f"{_BASE}/portfolio.schema.json"},
            "expect": {"$ref": "#/$defs/expect"},
        },
        "$defs": {
            "amount": _EXPECTED_AMOUNT,
            "expect": _expect_schema(),
            "standards": _embedded("standards"),
            "portfolio": _embedded("portfolio"),
        },
    }


def answer_schema() -> dict[str, Any]:
    """The schema of an answer: what an implementation writes on stdout for one case.

    A subset of ``creditbank.evaluation/1``: creditbank's own evaluation JSON is an answer.
    """
    amount = {"$ref": "#/$defs/amount"}
    string_list = {"type": "array", "items": {"type": "string"}}
    detail = {"type": "object", "additionalProperties": {"type": "string"}}
    reason = {"enum": [*_reasons(), None]}
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": f"{_BASE}/answer.schema.json",
        "title": "creditbank conformance answer",
        "description": "An implementation's evaluation of one case. Give what the cases check: "
        "a decision per achievement, progress per requirement, totals. Other keys are ignored.",
        "type": "object",
        "required": ["decisions"],
        "properties": {
            "decisions": {"type": "array", "items": {"$ref": "#/$defs/decision"}},
            "requirements": {"type": "array", "items": {"$ref": "#/$defs/requirement"}},
            "totals": {"$ref": "#/$defs/totals"},
        },
        "$defs": {
            "amount": _OPEN_AMOUNT,
            "use": {
                "type": "object",
                "required": ["rule", "achievements", "requirement", "kind", "credits"],
                "properties": {
                    "rule": {"type": "string"},
                    "achievements": string_list,
                    "requirement": {"type": "string"},
                    "course": {"type": ["string", "null"], "default": None},
                    "kind": {"enum": ["exemption", "credits", "partial"]},
                    "credits": amount,
                    "recorded_grade": {"type": ["string", "null"], "default": None},
                    "overflow": {"type": ["string", "null"], "default": None},
                    "overflow_credits": {"anyOf": [amount, {"type": "null"}], "default": None},
                },
            },
            "rule_outcome": {
                "type": "object",
                "required": ["rule", "outcome"],
                "properties": {
                    "rule": {"type": "string"},
                    "outcome": {"enum": ["used", "eligible", "failed"]},
                    "reason": {**reason, "default": None},
                    "detail": detail,
                },
            },
            "decision": {
                "type": "object",
                "required": ["achievement", "recognised", "credits"],
                "properties": {
                    "achievement": {"type": "string"},
                    "unit": {"type": "string"},
                    "level": {"type": ["string", "null"], "default": None},
                    "recognised": {"type": "boolean"},
                    "credits": amount,
                    "uses": {"type": "array", "items": {"$ref": "#/$defs/use"}, "default": []},
                    "reason": {**reason, "default": None},
                    "detail": {**detail, "default": {}},
                    "rules": {
                        "type": "array",
                        "items": {"$ref": "#/$defs/rule_outcome"},
                        "default": [],
                        "description": "Every rule that looked at the achievement.",
                    },
                },
            },
            "requirement": {
                "type": "object",
                "required": ["requirement"],
                "properties": {
                    "requirement": {"type": "string"},
                    "kind": {"type": "string"},
                    "required": amount,
                    "satisfied": amount,
                    "remaining": amount,
                    "courses_exempted": {**string_list, "default": []},
                },
            },
            "totals": {
                "type": "object",
                "properties": {
                    "recognised": amount,
                    "program_total": amount,
                    "remaining": amount,
                    "share": amount,
                    "achievements": {"type": "integer"},
                    "achievements_recognised": {"type": "integer"},
                    "optimal": {"type": "boolean", "default": True},
                },
            },
        },
    }


def manifest_schema() -> dict[str, Any]:
    """The schema of ``manifest.json``."""
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": f"{_BASE}/manifest.schema.json",
        "title": "creditbank conformance dataset manifest",
        "type": "object",
        "required": ["format", "version", "fingerprint", "schemas", "count", "cases"],
        "properties": {
            "format": {"const": "creditbank.conformance/1"},
            "version": {"type": "string", "description": "creditbank version that wrote it."},
            "generator": {"type": "string"},
            "fingerprint": {"type": "string", "pattern": "^sha256:[0-9a-f]{64}$"},
            "description": {"type": "string"},
            "protocol": {"type": "object", "additionalProperties": {"type": "string"}},
            "schemas": {"type": "object", "additionalProperties": {"type": "string"}},
            "count": {"type": "integer", "minimum": 0},
            "cases": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["name", "file", "sha256"],
                    "properties": {
                        "name": {"type": "string"},
                        "file": {"type": "string"},
                        "sha256": {"type": "string", "pattern": "^sha256:[0-9a-f]{64}$"},
                        "description": {"type": "string"},
                        "covers": {"type": "array", "items": {"type": "string"}},
                    },
                },
            },
        },
    }
