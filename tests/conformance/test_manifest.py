"""A conformance dataset's manifest is checked before anything it names is read (issue 14,
item 13): a malformed manifest is a clear error naming the entry, and a case file must lie
inside the dataset directory (no absolute path, no ``..``, no link leading out of it)."""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from creditbank.cli import cli
from creditbank.conformance import CaseError, golden_cases_path, load_dataset

CASE = "not_yet_earned"
COMMAND = f'"{sys.executable}" -c pass'


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cases = tmp_path_factory.mktemp("golden")
    shutil.copy(golden_cases_path() / f"{CASE}.yaml", cases)
    out = tmp_path_factory.mktemp("export") / "dataset"
    result = CliRunner().invoke(cli, ["conformance", "export", str(out), "--cases", str(cases)])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture
def dataset(exported: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "dataset"
    shutil.copytree(exported, copy)
    return copy


def edit_manifest(directory: Path, change: Callable[[dict[str, Any]], Any]) -> None:
    path = directory / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    change(manifest)
    path.write_text(json.dumps(manifest), encoding="utf-8")


def run(directory: Path) -> str:
    """``conformance run``: refused with exit 1, a one-line error, no traceback."""
    result = CliRunner().invoke(cli, ["conformance", "run", str(directory), "--command", COMMAND])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.output.startswith(f"error: {directory / 'manifest.json'}: "), result.output
    return result.output


def test_the_exported_dataset_loads(exported: Path) -> None:
    assert [case["name"] for case in load_dataset(exported).cases] == [CASE]


def _set(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda manifest: manifest.__setitem__(key, value)


def _set_entry(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda manifest: manifest["cases"][0].__setitem__(key, value)


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (_set("cases", {"a": 1}), "`cases` must be a list of case entries, got an object"),
        (_set("cases", None), "`cases` must be a list of case entries, got nothing (null)"),
        (_set("cases", ["cases/x.json"]), "cases[0]: a case entry is a JSON object, got text"),
        (_set("cases", [[1, 2]]), "cases[0]: a case entry is a JSON object, got a list"),
        (_set_entry("name", 7), "cases[0].name: must be text, got a number"),
        (_set_entry("file", None), "cases[0].file: must be text, got nothing (null)"),
        (_set_entry("sha256", ["x"]), "cases[0].sha256: must be text, got a list"),
        (
            lambda m: m["cases"].append(dict(m["cases"][0])),
            f"cases[1].name: the case '{CASE}' is listed twice",
        ),
    ],
    ids=[
        "cases-object",
        "cases-null",
        "entry-text",
        "entry-list",
        "name-number",
        "file-null",
        "sha256-list",
        "name-twice",
    ],
)
def test_a_malformed_manifest_is_a_clear_error(
    dataset: Path, change: Callable[[dict[str, Any]], Any], said: str
) -> None:
    edit_manifest(dataset, change)
    assert said in run(dataset)
    with pytest.raises(CaseError):
        load_dataset(dataset)


def _point_at(dataset: Path, target: Path, written: str) -> None:
    """The manifest's case entry names ``written``, a file with ``target``'s content and a
    matching checksum: only where it lies is wrong."""
    text = (dataset / "cases" / f"{CASE}.json").read_text(encoding="utf-8")
    target.write_text(text, encoding="utf-8")
    digest = "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
    edit_manifest(dataset, _set_entry("file", written))
    edit_manifest(dataset, _set_entry("sha256", digest))


def test_a_case_file_above_the_dataset_is_refused(dataset: Path) -> None:
    _point_at(dataset, dataset.parent / "outside.json", "../outside.json")
    assert "cases[0].file: '../outside.json' is not a relative path inside" in run(dataset)


def test_a_dotdot_that_comes_back_in_is_refused_too(dataset: Path) -> None:
    _point_at(dataset, dataset / "cases" / "again.json", "cases/../cases/again.json")
    assert "is not a relative path inside the dataset directory" in run(dataset)


def test_an_absolute_case_path_is_refused(dataset: Path) -> None:
    outside = dataset.parent / "elsewhere.json"
    _point_at(dataset, outside, str(outside))
    assert f"cases[0].file: '{outside}' is not a relative path inside" in run(dataset)


def test_a_link_out_of_the_dataset_is_refused(dataset: Path) -> None:
    outside = dataset.parent / "linked.json"
    _point_at(dataset, outside, "cases/linked.json")
    (dataset / "cases" / "linked.json").symlink_to(outside)
    assert "cases[0].file: 'cases/linked.json' leads outside the dataset directory" in run(dataset)


def test_a_link_inside_the_dataset_is_followed(dataset: Path) -> None:
    inside = dataset / "cases" / "real.json"
    _point_at(dataset, inside, "cases/alias.json")
    (dataset / "cases" / "alias.json").symlink_to(inside)
    assert [case["name"] for case in load_dataset(dataset).cases] == [CASE]
