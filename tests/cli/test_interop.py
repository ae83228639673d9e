"""The import / export commands: exit codes, what they print and write, no network."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization

from creditbank import bundled_standards_path, load_portfolio, load_standards
from creditbank.cli import cli
from creditbank.interop.export import sign_credential
from creditbank.interop.keys import did_key
from tests.interop.helpers import (
    FIXTURES,
    KEY,
    ROOT,
    fixture,
    needs_fixtures,
    sample_issuers_yaml,
)

PORTFOLIO = str(ROOT / "examples/portfolios/demo-worker-001-electrician.yaml")
SAMPLE_ISSUER = "https://example.com/issuers/876543"  # the issuer of ob30/simple.json


pytestmark = pytest.mark.usefixtures("no_network")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@needs_fixtures
def test_import_badge_reports_each_file(runner: CliRunner, tmp_path: Path) -> None:
    files = [str(p) for p in sorted((FIXTURES / "ob30").glob("*.json"))]
    mapping = tmp_path / "map.yaml"
    mapping.write_text("kind: badge_mapping\n" + sample_issuers_yaml(), encoding="utf-8")
    result = runner.invoke(
        cli,
        ["import", "badge", *files, str(fixture("clr20", "simple.json")), "--map", str(mapping)],
    )
    assert result.exit_code == 1, result.output  # the negative samples are invalid
    out = result.output
    for reason in ("BAD_CONTEXT", "EXPIRED", "ISSUER_MISSING", "BAD_SIGNATURE", "VERIFIED"):
        assert reason in out
    assert "UNBOUND_KEY" not in out
    unpinned = runner.invoke(
        cli,
        ["import", "badge", str(fixture("ob30", "simple.json")), "--trust-issuer", SAMPLE_ISSUER],
    )
    assert unpinned.exit_code == 0 and "unverifiable (UNBOUND_KEY)" in unpinned.output
    assert "Teamwork" in out and "matches no unit" in out
    assert "isParentOf" in out
    assert "accepted 0 achievements" in out
    assert "Traceback" not in out


@needs_fixtures
def test_import_badge_with_a_mapping_writes_a_portfolio(runner: CliRunner, tmp_path: Path) -> None:
    mapping = tmp_path / "map.yaml"
    mapping.write_text(
        "kind: badge_mapping\nachievements:\n"
        "  'https://example.com/achievements/21st-century-skills/teamwork':\n"
        "    course:career-planning\n" + sample_issuers_yaml(),
        encoding="utf-8",
    )
    output = tmp_path / "portfolio.yaml"
    result = runner.invoke(
        cli,
        [
            "import",
            "badge",
            str(fixture("ob30", "simple.json")),
            "--map",
            str(mapping),
            "-o",
            str(output),
            "--learner",
            "w-9",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "+ Teamwork -> course:career-planning" in result.output
    portfolio = load_portfolio(output, load_standards(bundled_standards_path()))
    assert portfolio.learner == "w-9"
    assert [a.unit for a in portfolio.achievements] == ["course:career-planning"]
    as_json = tmp_path / "portfolio.json"
    again = runner.invoke(
        cli,
        [
            "import",
            "badge",
            str(fixture("ob30", "simple.json")),
            "--map",
            str(mapping),
            "-o",
            str(as_json),
        ],
    )
    assert again.exit_code == 0
    assert json.loads(as_json.read_text())["kind"] == "portfolio"


def test_accept_unverified_marks_what_it_accepts(runner: CliRunner, tmp_path: Path) -> None:
    export = runner.invoke(
        cli,
        [
            "export",
            "clr",
            PORTFOLIO,
            "--program",
            "demo-college:460301",
            "--as-of",
            "2026-11-29",
            "--per-course",
        ],
    )
    assert export.exit_code == 0, export.output
    credentials = json.loads(export.output)
    path = tmp_path / "unsigned.json"
    path.write_text(json.dumps(credentials[0], ensure_ascii=False), encoding="utf-8")
    trust = ["--trust-issuer", credentials[0]["issuer"]["id"]]
    strict = runner.invoke(cli, ["import", "badge", str(path), *trust])
    assert strict.exit_code == 0 and "NO_PROOF" in strict.output
    assert "accepted 0 achievements" in strict.output
    lenient = runner.invoke(
        cli,
        [
            "import",
            "badge",
            str(path),
            *trust,
            "--accept-unverified",
            "-o",
            str(tmp_path / "p.yaml"),
        ],
    )
    assert lenient.exit_code == 0
    assert "[UNVERIFIED, accepted]" in lenient.output and "accepted 1 achievement" in lenient.output
    assert "UNVERIFIED (NO_PROOF)" in (tmp_path / "p.yaml").read_text(encoding="utf-8")


def test_a_signed_clr_export_imports_as_verified(runner: CliRunner, tmp_path: Path) -> None:
    key = tmp_path / "key.pem"
    key.write_bytes(
        KEY.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    clr = tmp_path / "clr.json"
    export = runner.invoke(
        cli,
        [
            "export",
            "clr",
            PORTFOLIO,
            "--program",
            "460301",
            "--as-of",
            "2026-11-29",
            "--key",
            str(key),
            "-o",
            str(clr),
        ],
    )
    assert export.exit_code == 0, export.output
    trust = ["--trust-issuer", did_key(KEY.public_key())]
    result = runner.invoke(cli, ["import", "badge", str(clr), "--format", "json", *trust])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert all(v["status"] == "verified" for v in report["files"][0]["verifications"])
    assert report["accepted"] >= 1 and report["fetched_contexts"] == []


def test_rejected_files_exit_1_without_traceback(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{nope", encoding="utf-8")
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 500 + "]" * 500, encoding="utf-8")
    result = runner.invoke(cli, ["import", "badge", str(bad), str(deep), "--accept-unverified"])
    assert result.exit_code == 1
    assert "MALFORMED_JSON" in result.output and "DOCUMENT_TOO_DEEP" in result.output
    assert "accepted 0 achievements" in result.output and "Traceback" not in result.output
    mapping = tmp_path / "map.yaml"
    mapping.write_text("kind: badge_mapping\nissuers: [1, 2]\n", encoding="utf-8")
    broken_map = runner.invoke(cli, ["import", "badge", str(bad), "--map", str(mapping)])
    assert broken_map.exit_code == 1 and "INVALID_MAPPING" in broken_map.output


def test_unreadable_endless_or_unwritable_paths_are_clear_errors(
    runner: CliRunner, tmp_path: Path
) -> None:
    directory = tmp_path / "a-directory"
    directory.mkdir()
    badge = runner.invoke(cli, ["import", "badge", str(directory)])
    assert badge.exit_code == 1 and "NOT_A_FILE this is a directory" in badge.output
    assert "internal error" not in badge.output
    case = runner.invoke(cli, ["import", "case", str(directory)])
    assert case.exit_code == 1 and "NOT_A_FILE" in case.output
    if Path("/dev/zero").exists():  # states no size and never ends: refused unread
        endless = runner.invoke(cli, ["import", "badge", "/dev/zero"])
        assert endless.exit_code == 1 and "NOT_A_FILE this is a device" in endless.output
    broken = tmp_path / "contexts"
    broken.mkdir()
    (broken / "index.json").write_text("{nope", encoding="utf-8")
    contexts = runner.invoke(cli, ["import", "badge", str(directory), "--contexts", str(broken)])
    assert contexts.exit_code == 1 and "MALFORMED_JSON" in contexts.output
    assert "internal error" not in contexts.output
    unwritable = runner.invoke(cli, ["export", "ctdl", "demo-college:460301", "-o", str(directory)])
    assert unwritable.exit_code == 1 and "NOT_A_FILE this is a directory" in unwritable.output


@needs_fixtures
def test_import_case(runner: CliRunner, tmp_path: Path) -> None:
    units = tmp_path / "units.yaml"
    result = runner.invoke(
        cli,
        [
            "import",
            "case",
            str(fixture("case", "opensalt-sample-framework.json")),
            "-o",
            str(units),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "16 items -> 16 units; 39 associations -> 39 edges" in result.output
    assert "no time zone" in result.output
    checked = runner.invoke(cli, ["validate", str(units)])
    assert checked.exit_code == 0, checked.output
    as_json = runner.invoke(
        cli,
        [
            "import",
            "case",
            str(fixture("case", "opensalt-sample-framework.json")),
            "--format",
            "json",
        ],
    )
    assert len(json.loads(as_json.output)["edges"]) == 39


def test_export_case_round_trips_through_import_case(runner: CliRunner, tmp_path: Path) -> None:
    package = tmp_path / "p.json"
    export = runner.invoke(cli, ["export", "case", "demo-college:460301", "-o", str(package)])
    assert export.exit_code == 0, export.output
    result = runner.invoke(cli, ["import", "case", str(package), "--format", "json"])
    assert result.exit_code == 0
    assert len(json.loads(result.output)["units"]) > 40
    assert runner.invoke(cli, ["export", "case", "nothing-like-this"]).exit_code == 1
    assert runner.invoke(cli, ["import", "case", str(tmp_path / "missing.json")]).exit_code == 1


def test_export_ctdl(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["export", "ctdl", "demo-college:460301"])
    assert result.exit_code == 0, result.output
    graph = json.loads(result.output)
    assert any(r["@type"] == "ceterms:TransferValueProfile" for r in graph["@graph"])
    assert runner.invoke(cli, ["export", "ctdl", "000000"]).exit_code == 1


def test_credentials_of_two_learners_do_not_make_one_portfolio(
    runner: CliRunner, tmp_path: Path
) -> None:
    export = runner.invoke(
        cli,
        [
            "export",
            "clr",
            PORTFOLIO,
            "--program",
            "460301",
            "--as-of",
            "2026-11-29",
            "--per-course",
        ],
    )
    assert export.exit_code == 0, export.output
    first, second = json.loads(export.output)[:2]
    second["credentialSubject"]["id"] = "urn:creditbank:learner:someone-else"
    files = []
    for name, credential in (("a.json", first), ("b.json", second)):
        path = tmp_path / name
        credential["issuer"]["id"] = did_key(KEY.public_key())  # the key is the issuer
        signed = sign_credential(credential, KEY)
        path.write_text(json.dumps(signed, ensure_ascii=False), encoding="utf-8")
        files.append(str(path))
    output = tmp_path / "p.yaml"
    trust = ["--trust-issuer", did_key(KEY.public_key())]
    mixed = runner.invoke(cli, ["import", "badge", *files, *trust, "-o", str(output)])
    assert mixed.exit_code == 1 and "2 credential subjects" in mixed.output
    assert not output.exists()
    chosen = runner.invoke(
        cli, ["import", "badge", *files, *trust, "-o", str(output), "--learner", "w"]
    )
    assert chosen.exit_code == 0, chosen.output
    portfolio = load_portfolio(output, load_standards(bundled_standards_path()))
    assert portfolio.learner == "w" and len(portfolio.achievements) == 2
