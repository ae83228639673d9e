"""Hypothesis strategies for deliberately broken files, each with the error code it must get.

Import them from :mod:`creditbank.testing.strategies` (needs ``hypothesis``). Each draws
valid data (:func:`~creditbank.testing.consistent.standards_sets`,
:func:`~creditbank.testing.consistent.portfolios_for`), breaks it in one way, and gives
the YAML text with the stable error code (:data:`creditbank.ERROR_CODES`) the loader must
report for it — for negative tests of a loader, an importer or an editor integration.

>>> import tempfile, pathlib, creditbank
>>> from hypothesis import given, settings
>>> @settings(max_examples=15, deadline=None)
... @given(invalid_documents())
... def test_loader_names_the_problem(case):
...     text, code = case
...     with tempfile.TemporaryDirectory() as tmp:
...         path = pathlib.Path(tmp) / "broken.yaml"
...         path.write_text(text, encoding="utf-8")
...         report = creditbank.load_documents([path])
...     assert code in {p.code for p in report.problems}
>>> test_loader_names_the_problem()
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from creditbank.errors import ErrorCode
from creditbank.models import Standards
from creditbank.models.plain import to_plain
from creditbank.models.standards import ITEM_KINDS
from creditbank.serialize import dump_portfolio, dump_yaml
from creditbank.testing.consistent import (
    DEFAULT_AS_OF,
    SETS_PROGRAM,
    portfolios_for,
    standards_sets,
)

__all__ = [
    "DOCUMENT_BREAKS",
    "PORTFOLIO_BREAKS",
    "invalid_documents",
    "invalid_portfolio_documents",
]

Doc = dict[str, Any]
Break = Callable[[Doc, st.DrawFn], str]

_SECTIONS = {
    "framework": "frameworks",
    "occupation": "occupations",
    "unit": "units",
    "issuer": "issuers",
    "program": "programs",
    "rule": "rules",
    "cap": "caps",
    "grade_scale": "grade_scales",
    "period_set": "period_sets",
    "eligibility_rule": "eligibility",
}


def _document(standards: Standards) -> Doc:
    doc: Doc = {"kind": "standards"}
    for kind in ITEM_KINDS:
        items = standards.of_kind(kind)
        if items:
            doc[_SECTIONS[kind]] = [to_plain(item) for item in items.values()]
    return doc


def _item(doc: Doc, draw: st.DrawFn, section: str | None = None) -> dict[str, Any]:
    """An item of ``section`` (default: any, but not a framework: levels of a framework that
    does not validate cannot be checked, which would add problems of their own)."""
    sections = (
        [section]
        if section
        else [s for s in _SECTIONS.values() if doc.get(s) and s != "frameworks"]
    )
    chosen = draw(st.sampled_from(sections))
    item: dict[str, Any] = draw(st.sampled_from(doc[chosen]))
    return item


def _rule(doc: Doc, when: dict[str, Any], then: dict[str, Any] | None = None) -> str:
    doc.setdefault("rules", []).append(
        {
            "id": "broken-rule",
            "name": "a broken rule",
            "example": True,
            "programs": [SETS_PROGRAM],
            "when": when,
            "then": then or {"kind": "credits", "requirement": "pool", "credits": 1},
        }
    )
    return dump_yaml(doc)


def _unknown_field(doc: Doc, draw: st.DrawFn) -> str:
    _item(doc, draw)["colour"] = "red"
    return dump_yaml(doc)


def _missing_name(doc: Doc, draw: st.DrawFn) -> str:
    del _item(doc, draw)["name"]
    return dump_yaml(doc)


def _wrong_type(doc: Doc, draw: st.DrawFn) -> str:
    _item(doc, draw, "rules")["priority"] = draw(st.sampled_from([["high"], {"level": 1}]))
    return dump_yaml(doc)


def _invalid_value(doc: Doc, draw: st.DrawFn) -> str:
    _item(doc, draw, "programs")["education_level"] = "university"
    return dump_yaml(doc)


def _invalid_id(doc: Doc, draw: st.DrawFn) -> str:
    _item(doc, draw, "rules")["id"] = "ｒ１"  # full-width letters: not an id
    return dump_yaml(doc)


def _invalid_date(doc: Doc, draw: st.DrawFn) -> str:
    _item(doc, draw, "rules")["effective_from"] = "DATE"
    return dump_yaml(doc).replace("DATE", draw(st.sampled_from(["2023-02-30", "2023-13-01"])))


def _reversed_dates(doc: Doc, draw: st.DrawFn) -> str:
    item = _item(doc, draw)
    item["effective_from"], item["effective_until"] = dt.date(2024, 1, 1), dt.date(2023, 1, 1)
    return dump_yaml(doc)


def _negative_amount(doc: Doc, draw: st.DrawFn) -> str:
    course = draw(st.sampled_from([u for u in doc["units"] if u["kind"] == "course"]))
    course["credits"] = -Decimal(draw(st.integers(1, 4)))
    return dump_yaml(doc)


def _amount_precision(doc: Doc, draw: st.DrawFn) -> str:
    course = draw(st.sampled_from([u for u in doc["units"] if u["kind"] == "course"]))
    course["credits"] = Decimal(draw(st.integers(1001, 4999).filter(lambda n: n % 10))) / 1000
    return dump_yaml(doc)


def _not_a_number(doc: Doc, draw: st.DrawFn) -> str:
    course = draw(st.sampled_from([u for u in doc["units"] if u["kind"] == "course"]))
    course["credits"] = "NAN"
    return dump_yaml(doc).replace("NAN", draw(st.sampled_from([".nan", ".inf"])))


def _duplicate_id(doc: Doc, draw: st.DrawFn) -> str:
    section = draw(st.sampled_from(["units", "rules", "issuers"]))
    doc[section].append(copy.deepcopy(draw(st.sampled_from(doc[section]))))
    return dump_yaml(doc)


def _unknown_reference(doc: Doc, draw: st.DrawFn) -> str:
    _item(doc, draw, "rules")["programs"] = ["no-such-programme"]
    return dump_yaml(doc)


def _wrong_reference_kind(doc: Doc, draw: st.DrawFn) -> str:
    _item(doc, draw, "programs")["school"] = "assessor"  # an assessment centre, not a school
    return dump_yaml(doc)


def _unknown_level(doc: Doc, draw: st.DrawFn) -> str:
    return _rule(doc, {"units": ["x:0"], "level": {"at_least": "L99"}})


def _unknown_requirement(doc: Doc, draw: st.DrawFn) -> str:
    then = {"kind": "credits", "requirement": "no-such-requirement", "credits": 1}
    return _rule(doc, {"units": ["x:0"]}, then)


def _unknown_grade(doc: Doc, draw: st.DrawFn) -> str:
    return _rule(doc, {"unit_kinds": ["course"], "grade": {"at_least": "Z", "scale": "grades"}})


def _missing_source(doc: Doc, draw: st.DrawFn) -> str:
    del _item(doc, draw)["example"]
    return dump_yaml(doc)


def _duplicate_rank(doc: Doc, draw: st.DrawFn) -> str:
    scale = next(g for g in doc["grade_scales"] if g["kind"] == "ordinal")
    scale["grades"][1]["rank"] = scale["grades"][0]["rank"]
    return dump_yaml(doc)


def _unknown_kind(doc: Doc, draw: st.DrawFn) -> str:
    doc["kind"] = draw(st.sampled_from(["standard", "rule", "programme"]))
    return dump_yaml(doc)


def _duplicate_key(doc: Doc, draw: st.DrawFn) -> str:
    return dump_yaml(doc) + "kind: standards\n"


def _tab(doc: Doc, draw: st.DrawFn) -> str:
    lines = dump_yaml(doc).splitlines(keepends=True)
    indented = [i for i, line in enumerate(lines) if line.startswith("  ")]
    index = draw(st.sampled_from(indented))
    lines[index] = "\t" + lines[index][2:]
    return "".join(lines)


def _byte_order_mark(doc: Doc, draw: st.DrawFn) -> str:
    return "\ufeff" + dump_yaml(doc)


def _yaml_syntax(doc: Doc, draw: st.DrawFn) -> str:
    return dump_yaml(doc) + draw(st.sampled_from(["broken: [unclosed\n", 'note: "open\n']))


def _unsupported_tag(doc: Doc, draw: st.DrawFn) -> str:
    _item(doc, draw, "rules")["note"] = "TAGGED"
    tag = draw(st.sampled_from(["!!python/name:os.system ''", "!custom x", "!!python/str x"]))
    return dump_yaml(doc).replace("TAGGED", tag)


def _empty(doc: Doc, draw: st.DrawFn) -> str:
    return draw(st.sampled_from(["", "# nothing here\n", "\n\n"]))


def _multiple_documents(doc: Doc, draw: st.DrawFn) -> str:
    text = dump_yaml(doc)
    return f"{text}---\n{text}"


def _too_deep(doc: Doc, draw: st.DrawFn) -> str:
    depth = draw(st.integers(70, 100))
    return dump_yaml(doc) + "note: " + "[" * depth + "]" * depth + "\n"


def _recursive_alias(doc: Doc, draw: st.DrawFn) -> str:
    return dump_yaml(doc) + "note: &loop [*loop]\n"


DOCUMENT_BREAKS: dict[str, tuple[ErrorCode, Break]] = {
    "unknown-field": ("UNKNOWN_FIELD", _unknown_field),
    "missing-name": ("MISSING_FIELD", _missing_name),
    "wrong-type": ("WRONG_TYPE", _wrong_type),
    "invalid-value": ("INVALID_VALUE", _invalid_value),
    "invalid-id": ("INVALID_ID", _invalid_id),
    "invalid-date": ("INVALID_DATE", _invalid_date),
    "reversed-dates": ("DATE_RANGE_REVERSED", _reversed_dates),
    "negative-amount": ("NEGATIVE_AMOUNT", _negative_amount),
    "amount-precision": ("AMOUNT_PRECISION", _amount_precision),
    "not-a-number": ("NOT_A_NUMBER", _not_a_number),
    "duplicate-id": ("DUPLICATE_ID", _duplicate_id),
    "unknown-reference": ("UNKNOWN_REFERENCE", _unknown_reference),
    "wrong-reference-kind": ("WRONG_REFERENCE_KIND", _wrong_reference_kind),
    "unknown-level": ("UNKNOWN_LEVEL", _unknown_level),
    "unknown-requirement": ("UNKNOWN_REQUIREMENT", _unknown_requirement),
    "unknown-grade": ("UNKNOWN_GRADE", _unknown_grade),
    "missing-source": ("MISSING_SOURCE", _missing_source),
    "duplicate-rank": ("DUPLICATE_RANK", _duplicate_rank),
    "unknown-kind": ("UNKNOWN_KIND", _unknown_kind),
    "duplicate-key": ("DUPLICATE_KEY", _duplicate_key),
    "tab": ("TAB_INDENTATION", _tab),
    "byte-order-mark": ("BYTE_ORDER_MARK", _byte_order_mark),
    "yaml-syntax": ("YAML_SYNTAX", _yaml_syntax),
    "unsupported-tag": ("UNSUPPORTED_TAG", _unsupported_tag),
    "empty": ("EMPTY_DOCUMENT", _empty),
    "multiple-documents": ("MULTIPLE_DOCUMENTS", _multiple_documents),
    "too-deep": ("TOO_DEEP", _too_deep),
    "recursive-alias": ("RECURSIVE_ALIAS", _recursive_alias),
}
"""Every way :func:`invalid_documents` breaks a standards file: name -> (error code, how)."""


@st.composite
def invalid_documents(
    draw: st.DrawFn, breaks: Iterable[str] | None = None
) -> tuple[str, ErrorCode]:
    """(YAML text of a broken ``kind: standards`` file, the error code it must get).

    The file is valid :func:`standards_sets` standards broken one way (``breaks``: only
    these names of :data:`DOCUMENT_BREAKS`); the loader reports that code for it, and only
    that code.
    """
    names = sorted(DOCUMENT_BREAKS if breaks is None else breaks)
    unknown = set(names) - set(DOCUMENT_BREAKS)
    if unknown:
        raise ValueError(f"unknown breaks {sorted(unknown)}; see DOCUMENT_BREAKS")
    code, how = DOCUMENT_BREAKS[draw(st.sampled_from(names))]
    doc = _document(draw(standards_sets(max_rules=3, max_caps=2)))
    return how(doc, draw), code


# ------------------------------------------------------------------ portfolios


def _achievement(doc: Doc, draw: st.DrawFn) -> dict[str, Any]:
    chosen: dict[str, Any] = draw(st.sampled_from(doc["achievements"]))
    return chosen


def _p_unknown_unit(doc: Doc, draw: st.DrawFn) -> str:
    _achievement(doc, draw)["unit"] = "no-such-unit"
    return dump_yaml(doc)


def _p_unknown_level(doc: Doc, draw: st.DrawFn) -> str:
    _achievement(doc, draw)["level"] = "L99"
    return dump_yaml(doc)


def _p_reversed(doc: Doc, draw: st.DrawFn) -> str:
    achievement = _achievement(doc, draw)
    achievement["expires_on"] = achievement["earned_on"] - dt.timedelta(
        days=draw(st.integers(1, 900))
    )
    return dump_yaml(doc)


def _p_duplicate(doc: Doc, draw: st.DrawFn) -> str:
    doc["achievements"].append(copy.deepcopy(_achievement(doc, draw)))
    return dump_yaml(doc)


def _p_missing(doc: Doc, draw: st.DrawFn) -> str:
    del _achievement(doc, draw)["earned_on"]
    return dump_yaml(doc)


def _p_negative(doc: Doc, draw: st.DrawFn) -> str:
    _achievement(doc, draw)["hours"] = -Decimal(draw(st.integers(1, 64)))
    return dump_yaml(doc)


def _p_unknown_grade(doc: Doc, draw: st.DrawFn) -> str:
    achievement = _achievement(doc, draw)
    achievement.pop("score", None)
    achievement["grade"] = "no-such-grade"
    return dump_yaml(doc)


def _p_invalid_date(doc: Doc, draw: st.DrawFn) -> str:
    achievement = _achievement(doc, draw)
    achievement.pop("expires_on", None)
    achievement["earned_on"] = "DATE"
    return dump_yaml(doc).replace("DATE", "2023-02-30")


def _p_unknown_field(doc: Doc, draw: st.DrawFn) -> str:
    _achievement(doc, draw)["colour"] = "red"
    return dump_yaml(doc)


PORTFOLIO_BREAKS: dict[str, tuple[ErrorCode, Break]] = {
    "unknown-unit": ("UNKNOWN_REFERENCE", _p_unknown_unit),
    "unknown-level": ("UNKNOWN_LEVEL", _p_unknown_level),
    "reversed-dates": ("DATE_RANGE_REVERSED", _p_reversed),
    "duplicate-achievement": ("DUPLICATE_LOCAL_ID", _p_duplicate),
    "missing-earned-on": ("MISSING_FIELD", _p_missing),
    "negative-hours": ("NEGATIVE_AMOUNT", _p_negative),
    "unknown-grade": ("UNKNOWN_GRADE", _p_unknown_grade),
    "invalid-date": ("INVALID_DATE", _p_invalid_date),
    "unknown-field": ("UNKNOWN_FIELD", _p_unknown_field),
}
"""Every way :func:`invalid_portfolio_documents` breaks a portfolio: name -> (code, how)."""


@st.composite
def invalid_portfolio_documents(
    draw: st.DrawFn,
    standards: Standards,
    *,
    as_of: dt.date = DEFAULT_AS_OF,
    breaks: Iterable[str] | None = None,
) -> tuple[str, ErrorCode]:
    """(YAML text of a broken portfolio file, the error code loading it with ``standards``
    must give): a :func:`portfolios_for` portfolio broken one way (see
    :data:`PORTFOLIO_BREAKS`)."""
    names = sorted(PORTFOLIO_BREAKS if breaks is None else breaks)
    unknown = set(names) - set(PORTFOLIO_BREAKS)
    if unknown:
        raise ValueError(f"unknown breaks {sorted(unknown)}; see PORTFOLIO_BREAKS")
    code, how = PORTFOLIO_BREAKS[draw(st.sampled_from(names))]
    portfolio = draw(portfolios_for(standards, as_of=as_of, min_size=1, max_size=3))
    doc: Doc = dump_portfolio(portfolio)
    return how(doc, draw), code
