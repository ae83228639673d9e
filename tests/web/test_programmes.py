"""The programme browser in-process: the list, every programme's page (requirements, rules
with their sources, caps, map) in both languages, and a 404 page for an unknown one."""

from __future__ import annotations

import html as html_module
import re

import pytest
from fastapi.testclient import TestClient

from creditbank.engine.index import rule_index
from creditbank.models import Standards
from creditbank.service import ServiceConfig, create_app
from creditbank.web import programmes
from tests.web.page_text import english_words, han_outside_data, page_texts

LANGS = ["zh", "en"]


@pytest.mark.parametrize("lang", LANGS)
def test_the_list_names_every_programme_with_its_credits(
    client: TestClient, standards: Standards, lang: str
) -> None:
    answer = client.get("/programmes", params={"lang": lang})
    assert answer.status_code == 200
    for program in standards.programs.values():
        row = answer.text.split(f'data-programme="{program.id}"', 1)[1].split("</tr>", 1)[0]
        assert html_module.escape(program.name.text(lang)) in row
        assert f"<td>{program.total_credits}</td>" in row
        assert ('class="tag"' in row) == program.example
        link = re.search(r'href="([^"]+)"', row)
        assert link is not None
        assert client.get(link.group(1)).status_code == 200


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("program", ["demo-college:460301", "demo-college:460304"])
def test_a_programme_page_shows_requirements_rules_sources_caps_and_map(
    client: TestClient, standards: Standards, program: str, lang: str
) -> None:
    assert program in standards.programs  # the bundled standards' two programmes
    found = standards.programs[program]
    answer = client.get(f"/programmes/{program}", params={"lang": lang})
    assert answer.status_code == 200
    text = answer.text
    for requirement in found.requirements:
        assert html_module.escape(requirement.name.text(lang)) in text
    index = rule_index(standards).program(found)
    assert index.rules and index.caps
    for rule in index.rules:
        row = text.split(f'data-rule="{rule.id}"', 1)[1].split("</tr>", 1)[0]
        if rule.source is not None:
            assert html_module.escape(rule.source.title) in row
            if rule.source.number:
                assert html_module.escape(rule.source.number) in row
            if rule.source.url and rule.source.url.startswith("http"):
                link = f'<a href="{html_module.escape(rule.source.url)}" rel="noopener'
                assert link in row
    for cap in index.caps:
        assert f'data-cap="{cap.id}"' in text
    assert "<svg" in text and "<?xml" not in text
    texts = page_texts(text, standards)
    if lang == "zh":
        assert english_words(texts) == set()
    else:
        assert han_outside_data(texts) == []


def test_a_programme_is_found_by_its_catalogue_code_too(client: TestClient) -> None:
    answer = client.get("/programmes/460304", params={"lang": "en"})
    assert answer.status_code == 200 and "demo-college:460304" in answer.text


@pytest.mark.parametrize("lang", LANGS)
def test_an_unknown_programme_is_a_404_page_in_the_language(client: TestClient, lang: str) -> None:
    answer = client.get("/programmes/<script>nope", params={"lang": lang})
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert programmes.LABELS[lang]["not_found_title"] in answer.text
    assert "<script>nope" not in answer.text and "&lt;script&gt;nope" in answer.text
    assert 'href="/programmes"' in answer.text


def test_a_source_url_that_is_not_a_web_link_is_not_a_link() -> None:
    from creditbank.models import Source

    shown = programmes._source(Source(title="t", url="javascript:alert(1)"))
    assert shown is not None and shown["url"] == ""
    assert shown["text"] == "javascript:alert(1)"


@pytest.mark.parametrize("path", ["/", "/programmes", "/programmes/460301"])
def test_private_standards_are_not_shown_by_the_pages(standards: Standards, path: str) -> None:
    app = create_app(ServiceConfig(public_standards=False), standards=standards)
    with TestClient(app) as client:
        shown = client.get(path, params={"lang": "en"})
        assert shown.status_code == 403
        assert programmes.LABELS["en"]["private_title"] in shown.text
        assert "demo-college" not in shown.text
        posted = client.post("/", data={"program": "demo-college:460301", "portfolio_text": "x"})
        assert posted.status_code == 403
