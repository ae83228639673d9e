"""The wheel carries the bundled standards and the golden cases, an installed creditbank finds
them from anywhere, and building it reads nothing from ``tests/``."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.paths import ROOT

# What a checkout holds besides the project: never part of the build.
NOT_SOURCE = {".git", ".venv", "build", "dist", ".mypy_cache", ".ruff_cache", ".pytest_cache"}


def _source_without_tests(into: Path) -> Path:
    """A copy of the project without ``tests/``: a build that needs a test file fails."""
    for entry in ROOT.iterdir():
        if entry.name in NOT_SOURCE or entry.name == "tests" or entry.name.endswith(".egg-info"):
            continue
        if entry.is_dir():
            shutil.copytree(
                entry, into / entry.name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
            )
        else:
            shutil.copy2(entry, into / entry.name)
    return into


def test_wheel_builds_without_tests_ships_standards_and_cases_and_finds_them_elsewhere(
    tmp_path: Path,
) -> None:
    source = _source_without_tests(tmp_path / "source")
    assert not (source / "tests").exists() and (source / "pyproject.toml").is_file()
    dist = tmp_path / "dist"
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--quiet",
            "-w",
            str(dist),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    (wheel,) = dist.glob("creditbank-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        archive.extractall(tmp_path / "site")
    shipped = [n for n in names if n.startswith("creditbank/_bundled/standards/")]
    source = list((ROOT / "standards").rglob("*.yaml"))
    assert len([n for n in shipped if n.endswith(".yaml")]) == len(source) > 0
    assert "creditbank/py.typed" in names
    contexts = ROOT / "creditbank" / "interop" / "contexts"
    shipped_contexts = {n for n in names if n.startswith("creditbank/interop/contexts/")}
    assert {f"creditbank/interop/contexts/{p.name}" for p in contexts.iterdir()} <= shipped_contexts
    golden = {p.name for p in (ROOT / "creditbank" / "conformance" / "cases").glob("*.yaml")}
    shipped_golden = {
        n.rsplit("/", 1)[1]
        for n in names
        if n.startswith("creditbank/conformance/cases/") and n.endswith(".yaml")
    }
    assert golden and golden == shipped_golden  # for `creditbank conformance` when installed
    templates = ROOT / "creditbank" / "reports" / "templates"
    shipped_templates = {n for n in names if n.startswith("creditbank/reports/templates/")}
    # the report templates are package data: `evaluate --format html` needs them installed
    assert {f"creditbank/reports/templates/{p.name}" for p in templates.iterdir()} == (
        shipped_templates
    )
    assert not [n for n in names if n.startswith("tests/")]

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    env.pop("CREDITBANK_STANDARDS", None)
    run = subprocess.run(
        [sys.executable, "-m", "creditbank", "validate"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "valid standards" in run.stdout
    probe = subprocess.run(
        [sys.executable, "-c", "import creditbank; print(creditbank.bundled_standards_path())"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert str(tmp_path / "site") in probe.stdout, probe.stdout + probe.stderr
    cases = subprocess.run(
        [
            sys.executable,
            "-c",
            "from creditbank.conformance import golden_cases_path, read_cases; "
            "print(golden_cases_path(), len(read_cases(golden_cases_path())))",
        ],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert str(tmp_path / "site") in cases.stdout, cases.stdout + cases.stderr
    assert cases.stdout.split()[-1] == str(len(golden))
