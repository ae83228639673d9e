"""Issue 14, item 14: with the network allowed, a context whose fetch failed is not fetched
again for every credential — the failure is kept for the run (the loader's life)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from creditbank import bundled_standards_path, load_standards
from creditbank.cli.interop import BadgeImportOptions, run_badge_import
from creditbank.interop import jsonld
from creditbank.interop.errors import InteropError
from creditbank.interop.export import sign_credential
from creditbank.interop.jsonld import ContextLoader
from creditbank.interop.verify import verify_credential
from tests.interop.helpers import KEY, NOW
from tests.interop.test_openbadges import electrician_badge

MISSING = "https://contexts.example/gone.jsonld"


pytestmark = pytest.mark.usefixtures("no_network")


def _with_missing_context(number: int) -> dict[str, Any]:
    document = sign_credential(electrician_badge(), KEY, created=NOW)
    document["id"] = f"urn:uuid:9b0e2f7c-1111-4c2d-8e3f-00000000{number:04d}"
    document["@context"] = [*document["@context"], MISSING]
    return document


class CountingFetch:
    """A fetch that fails (as an unreachable host does) and counts its calls."""

    def __init__(self, failure: Exception) -> None:
        self.failure = failure
        self.calls: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.calls.append(url)
        raise self.failure


@pytest.mark.parametrize(
    "failure",
    [
        InteropError("NETWORK_REFUSED", f"fetching {MISSING} failed: timed out"),
        OSError("connection refused"),
    ],
)
def test_a_failed_fetch_is_tried_once_for_every_credential(failure: Exception) -> None:
    fetch = CountingFetch(failure)
    loader = ContextLoader(allow_network=True, fetch=fetch)
    results = [
        verify_credential(_with_missing_context(n), loader=loader, now=NOW) for n in range(3)
    ]
    assert fetch.calls == [MISSING]
    assert {(r.status, r.reason) for r in results} == {("invalid", "UNKNOWN_CONTEXT")}
    assert len({r.message for r in results}) == 1  # each credential says the same
    assert MISSING in loader.failed and loader.failed[MISSING].code == "NETWORK_REFUSED"
    assert loader.fetched == []


def test_a_fetch_of_something_not_json_is_not_tried_again() -> None:
    calls: list[str] = []

    def fetch(url: str) -> bytes:
        calls.append(url)
        return b"<html>not found</html>"

    loader = ContextLoader(allow_network=True, fetch=fetch)
    for _ in range(2):
        with pytest.raises(InteropError) as caught:
            loader.load(MISSING)
        assert caught.value.code == "MALFORMED_JSON"
    assert calls == [MISSING]


def test_one_import_run_fetches_a_failing_context_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fetch = CountingFetch(InteropError("NETWORK_REFUSED", "unreachable"))
    monkeypatch.setattr(jsonld, "https_fetch", fetch)  # what --allow-network fetches with
    files = []
    for n in range(3):
        path = tmp_path / f"badge-{n}.json"
        path.write_text(json.dumps(_with_missing_context(n), ensure_ascii=False), "utf-8")
        files.append(path)
    standards = load_standards(bundled_standards_path())
    results, loader = run_badge_import(
        files, standards, BadgeImportOptions(allow_network=True, moment=NOW.replace(tzinfo=None))
    )
    assert fetch.calls == [MISSING]
    assert [r.verifications[0].reason for r in results] == ["UNKNOWN_CONTEXT"] * 3
    assert loader.failed[MISSING].message == "unreachable"
