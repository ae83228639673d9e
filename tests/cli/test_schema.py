"""The bundled standards and example portfolios validate against `creditbank schema` output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from creditbank import bundled_standards_path
from creditbank.cli import cli
from tests.paths import ROOT

FILES = sorted(bundled_standards_path().rglob("*.yaml")) + sorted(
    (ROOT / "examples" / "portfolios").glob("*.yaml")
)


def _schema(kind: str) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["schema", kind])
    assert result.exit_code == 0, result.output
    schema: dict[str, Any] = json.loads(result.output)
    return schema


def _as_json(path: Path) -> Any:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return json.loads(json.dumps(data, default=str))


def test_there_are_files_to_check() -> None:
    assert len(FILES) >= 10


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_file_matches_its_schema(path: Path) -> None:
    data = _as_json(path)
    schema = _schema(data["kind"])
    jsonschema.Draft202012Validator.check_schema(schema)
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(data), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


def test_schema_rejects_what_the_loader_rejects() -> None:
    schema = _schema("rules")
    validator = jsonschema.Draft202012Validator(schema)
    bad = {
        "kind": "rules",
        "items": [
            {
                "id": "r",
                "name": "x",
                "programs": ["p"],
                "when": {"units": ["u"]},
                "then": {"kind": "credits", "requirement": "e", "credits": -1},
                "surprise": True,
            }
        ],
    }
    messages = [e.message for e in validator.iter_errors(bad)]
    assert messages, "a negative credit and an unknown field must fail the schema"
