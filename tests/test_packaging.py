"""The wheel carries the bundled standards, and an installed creditbank finds them from anywhere."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_ships_standards_and_finds_them_from_another_directory(tmp_path: Path) -> None:
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
            str(ROOT),
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
    golden = {p.name for p in (ROOT / "tests" / "cases" / "golden").glob("*.yaml")}
    shipped_golden = {
        n.rsplit("/", 1)[1] for n in names if n.startswith("creditbank/_bundled/golden/")
    }
    assert golden and golden <= shipped_golden  # for `creditbank conformance` when installed

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
