"""Models -> YAML -> models gives equal objects, for every kind of item and for portfolios."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from creditbank import dump_document, dump_yaml, load_portfolio_text
from creditbank.loading import read_yaml_text
from creditbank.models.documents import DOCUMENT_TYPES
from creditbank.serialize import to_plain
from creditbank.testing import strategies as cst

SECTION_OF = {
    "framework": "frameworks",
    "occupation": "occupations",
    "unit": "units",
    "issuer": "issuers",
    "program": "programs",
    "rule": "rules",
    "cap": "caps",
    "grade_scale": "grade_scales",
    "period_set": "period_sets",
}


def _reload(kind: str, text: str) -> list[Any]:
    doc, problems = read_yaml_text(text, f"{kind}.yaml")
    assert not problems, [str(p) for p in problems]
    assert doc is not None
    model = DOCUMENT_TYPES[kind].model_validate(doc.data)
    return list(model.items)  # type: ignore[attr-defined]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(cst.standards_items(), min_size=1, max_size=3))
def test_items_survive_yaml(items: list[Any]) -> None:
    for item in items:
        kind = SECTION_OF[item.item_kind]
        text = dump_yaml(dump_document(kind, [item]))
        (again,) = _reload(kind, text)
        assert again == item, text


@settings(max_examples=100)
@given(cst.portfolios())
def test_portfolio_survives_yaml_and_json(portfolio: Any) -> None:
    text = dump_yaml({"kind": "portfolio", **to_plain(portfolio)})
    assert load_portfolio_text(text) == portfolio
    as_json = TypeAdapter(type(portfolio)).dump_json(portfolio).decode()
    assert load_portfolio_text(as_json, file="p.json") == portfolio


@given(cst.credits())
def test_credit_amounts_are_exact_after_round_trip(amount: Any) -> None:
    text = dump_yaml({"x": amount})
    doc, _ = read_yaml_text(text)
    assert doc is not None and doc.data["x"] == amount
    assert type(doc.data["x"]).__name__ in ("Decimal", "int")
