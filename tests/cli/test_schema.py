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


def test_every_printable_schema_is_listed_and_written(tmp_path: Path) -> None:
    """Issue 20, item 11: the list names the outputs' schemas too, and -o writes one."""
    from creditbank.schema import schema_kinds

    runner = CliRunner()
    listed = runner.invoke(cli, ["schema"]).output.split()
    assert listed == [*schema_kinds(), "evaluation", "eligibility-result", "tracks"]
    assert _schema("eligibility")["title"] == "creditbank eligibility file"  # not shadowed
    for name in listed:
        jsonschema.Draft202012Validator.check_schema(_schema(name))
    target = tmp_path / "evaluation.json"
    written = runner.invoke(cli, ["schema", "evaluation", "-o", str(target)])
    assert written.exit_code == 0, written.output
    assert json.loads(target.read_text(encoding="utf-8")) == _schema("evaluation")
    folder = tmp_path / "all"
    assert runner.invoke(cli, ["schema", "-o", str(folder)]).exit_code == 0
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{n}.schema.json" for n in listed)


def test_ctdl_exports_the_programme_asked_for_unless_related_ones_are_wanted() -> None:
    runner = CliRunner()
    only = runner.invoke(cli, ["export", "ctdl", "460301"])
    assert only.exit_code == 0, only.output
    assert "460304" not in only.output and "460301" in only.output
    related = runner.invoke(cli, ["export", "ctdl", "460301", "--related"]).output
    assert "460304" in related  # a rule 460301 shares with 460304 brings it along
