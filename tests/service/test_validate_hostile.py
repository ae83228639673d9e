"""``POST /v1/validate`` on the hostile inputs of issue 14: mutants of the fuzz seed, sent as
text, get the problems ``creditbank validate`` prints for the same file, never a 500."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from httpx2 import Response

from creditbank.cli import cli
from tests.loading.test_hostile_inputs import SEEDS, _mutate_text
from tests.paths import TEST_CASES

pytestmark = pytest.mark.usefixtures("no_network")

MUTANTS = 30
NAME = "std/standards.yaml"


def cli_validation(workspace: Path, data: bytes) -> dict[str, object]:
    (workspace / "std").mkdir(exist_ok=True)
    (workspace / NAME).write_bytes(data)
    printed = CliRunner(env={"CREDITBANK_NO_CACHE": "1"}).invoke(
        cli, ["validate", NAME, "--format", "json"]
    )
    assert printed.exit_code in (0, 1), printed.output
    loaded: dict[str, object] = json.loads(printed.output)
    return loaded


def test_mutants_of_a_standards_file_get_the_clis_problems(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    seed = (SEEDS / "standards.yaml").read_text(encoding="utf-8")
    rnd = random.Random("issue-17-validate")
    invalid = 0
    for _ in range(MUTANTS):
        text = _mutate_text(rnd, seed)
        expected = cli_validation(tmp_path, text.encode("utf-8", "surrogatepass"))
        response = client.post("/v1/validate", json={"standards": {"files": {NAME: text}}})
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["valid"] == expected["valid"], text
        assert body["problems"] == expected["problems"], text
        invalid += not body["valid"]
    assert invalid >= MUTANTS // 3  # most mutants are wrong, and reported


@pytest.mark.parametrize(
    "text", ["\ud800", "kind: units\nitems: []\n\ud83d", "\x00", "\ufeffkind: units\n"]
)
def test_text_no_file_could_hold_as_utf8_is_the_readers_problem(
    client: TestClient, text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    expected = cli_validation(tmp_path, text.encode("utf-8", "surrogatepass"))
    response = post_escaped(client, "/v1/validate", {"standards": {"files": {NAME: text}}})
    assert response.status_code == 200, response.text
    assert response.json()["valid"] is False
    assert response.json()["problems"] == expected["problems"]
    evaluation = {"portfolio_text": text, "program": "demo-college:460301"}
    refused = post_escaped(client, "/v1/evaluations", evaluation)
    assert refused.status_code == 422, refused.text
    assert refused.json()["problems"][0]["file"] == "portfolio"


def post_escaped(client: TestClient, path: str, body: object) -> Response:
    """POST ``body`` as ASCII JSON (``\\ud800`` escaped: JSON may carry a lone surrogate,
    which no UTF-8 encoder writes)."""
    return client.post(
        path, content=json.dumps(body).encode("ascii"), headers={"content-type": "application/json"}
    )


def test_the_broken_corpus_files_are_reported_as_the_cli_reports_them(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for case in sorted((TEST_CASES / "broken").glob("*.yaml")):
        data = case.read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            continue  # not text: a request carries text
        expected = cli_validation(tmp_path, data)
        response = client.post("/v1/validate", json={"standards": {"files": {NAME: text}}})
        assert response.status_code == 200, (case.name, response.text)
        assert response.json()["problems"] == expected["problems"], case.name
