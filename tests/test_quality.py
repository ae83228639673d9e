"""The code stays lint-clean (ruff) and type-clean (mypy --strict): checked, not hoped."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.paths import ROOT


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)


def test_ruff_check_is_clean() -> None:
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or "ruff"
    result = (
        _run(ruff, "check", "creditbank", "tests", "benchmarks", "--no-cache")
        if (ROOT / "benchmarks").is_dir()
        else _run(ruff, "check", "creditbank", "tests", "--no-cache")
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_is_clean() -> None:
    targets = ["creditbank", "benchmarks"] if (ROOT / "benchmarks").is_dir() else ["creditbank"]
    result = _run(sys.executable, "-m", "mypy", "--strict", *targets)
    assert result.returncode == 0, result.stdout + result.stderr
