"""The frame every page shares: one language per page, chosen and remembered; a skip link;
the navigation; and every catalogue complete in both languages."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from creditbank.web import labels, learner, programmes, registrar
from creditbank.web.i18n import LANG_COOKIE

PAGES = ["/", "/programmes", "/registrar"]


@pytest.mark.parametrize("module", [labels, learner, programmes, registrar])
def test_catalogues_have_the_same_keys_in_both_languages(module: object) -> None:
    catalogue = module.LABELS  # type: ignore[attr-defined]
    assert set(catalogue["zh"]) == set(catalogue["en"])
    assert all(text.strip() for lang in ("zh", "en") for text in catalogue[lang].values())


@pytest.mark.parametrize("path", PAGES)
def test_a_page_speaks_chinese_by_default_and_english_when_asked(
    client: TestClient, path: str
) -> None:
    chinese = client.get(path)
    assert chinese.status_code == 200
    assert '<html lang="zh-CN">' in chinese.text
    english = client.get(path, params={"lang": "en"})
    assert english.status_code == 200
    assert '<html lang="en">' in english.text
    assert english.cookies.get(LANG_COOKIE) == "en"
    assert 'href="#main"' in english.text


def test_the_language_is_remembered_and_the_browser_preference_is_used(
    client: TestClient,
) -> None:
    client.get("/", params={"lang": "en"})
    assert '<html lang="en">' in client.get("/programmes").text
    client.cookies.clear()
    preferred = client.get("/", headers={"Accept-Language": "fr;q=1, en-GB;q=0.8, zh;q=0.5"})
    assert '<html lang="en">' in preferred.text
    refused = client.get("/", headers={"Accept-Language": "en;q=0, zh-TW"})
    assert '<html lang="zh-CN">' in refused.text


@pytest.mark.parametrize("path", PAGES)
def test_an_unknown_language_is_ignored_and_the_page_still_a_page(
    client: TestClient, path: str
) -> None:
    # review finding: ?lang=xx answered a JSON problem document to a browser
    client.cookies.set(LANG_COOKIE, "en")
    answer = client.get(path, params={"lang": "fr"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    assert '<html lang="en">' in answer.text
    assert answer.cookies.get(LANG_COOKIE) is None


def test_pages_are_not_in_the_openapi_document(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert not [path for path in paths if not re.match(r"^/(v1/|healthz)", path)]
