"""The located YAML reader: exact numbers, kept codes, refused tricks."""

from __future__ import annotations

from decimal import Decimal

import pytest

from creditbank.loading import Limits, read_yaml_text


def test_floats_are_exact_decimals_and_leading_zeros_stay_text() -> None:
    doc, problems = read_yaml_text("a: 0.1\nb: 060301\nc: 460301\nd: -7\n")
    assert not problems and doc is not None
    assert doc.data == {"a": Decimal("0.1"), "b": "060301", "c": 460301, "d": -7}


@pytest.mark.parametrize(
    "written",
    ["0x10", "0o17", "0b101", "1_000", "+5", "1:30", "190:20:30", "1_000.5", "+1.5", "0X1F"],
)
def test_numbers_other_than_plain_decimal_stay_the_text_as_written(written: str) -> None:
    """YAML 1.1 reads these as numbers (0x10 as 16); an id must keep what was written and a
    number field must see it is not plain decimal (issue 14, item 12)."""
    doc, problems = read_yaml_text(f"id: {written}\n{written}: key\n")
    assert not problems and doc is not None
    assert doc.data == {"id": written, written: "key"}


def test_every_key_and_value_is_located() -> None:
    doc, _ = read_yaml_text("top:\n  - name: x\n    deep: {k: v}\n")
    assert doc is not None
    assert doc.where(("top", 0, "deep", "k")) == (3, 15)
    assert doc.where(("top", 0, "deep"), key=True) == (3, 5)
    assert doc.where(("top", 0, "missing")) == (2, 5)


def test_alias_bomb_is_refused_quickly() -> None:
    text = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
    for i in range(9):
        prev, name = chr(97 + i), chr(98 + i)
        text += f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]\n"
    doc, problems = read_yaml_text(text, "bomb.yaml")
    assert doc is None
    assert [p.code for p in problems] == ["ALIAS_LIMIT"]


def test_modest_aliases_are_fine() -> None:
    doc, problems = read_yaml_text("s: &s {title: t}\nitems: [{source: *s}, {source: *s}]\n")
    assert not problems and doc is not None
    assert doc.data["items"][1]["source"] == {"title": "t"}


def test_recursive_alias_is_refused() -> None:
    doc, problems = read_yaml_text("a: &a [1, *a]\n")
    assert doc is None and [p.code for p in problems] == ["RECURSIVE_ALIAS"]


def test_depth_limit() -> None:
    text = "a: " + "[" * 70 + "]" * 70 + "\n"
    doc, problems = read_yaml_text(text, limits=Limits(depth=64))
    assert doc is None and [p.code for p in problems] == ["TOO_DEEP"]


def test_merge_keys_and_custom_tags_are_refused() -> None:
    _, problems = read_yaml_text(
        "base: &b {x: 1}\nother:\n  <<: *b\n  y: !!python/name:os.system 2\n"
    )
    assert sorted(p.code for p in problems) == ["UNSUPPORTED_TAG", "UNSUPPORTED_TAG"]


def test_dates_are_dates_and_bad_dates_are_located() -> None:
    doc, problems = read_yaml_text("ok: 2024-02-29\nbad: 2023-02-30\n")
    assert doc is not None and str(doc.data["ok"]) == "2024-02-29"
    assert [(p.code, p.location.line) for p in problems] == [("INVALID_DATE", 2)]


def test_explicit_bool_and_null_tags_on_other_text_are_problems_not_guesses() -> None:
    doc, problems = read_yaml_text("a: !!bool maybe\nb: !!null x\nc: !!bool off\nd: !!null\n")
    assert doc is not None and doc.data["c"] is False and doc.data["d"] is None
    assert [(p.code, p.location.line, p.location.path) for p in problems] == [
        ("INVALID_VALUE", 1, ("a",)),
        ("INVALID_VALUE", 2, ("b",)),
    ]


@pytest.mark.parametrize("text", ["\ud800", "a: 1\nb: x\udfff\n", "a: [1, \ud83d]\n"])
def test_a_lone_surrogate_in_text_is_invalid_utf8_located_not_a_crash(text: str) -> None:
    # text from a JSON request may carry "\ud800"; the C parser raised UnicodeEncodeError
    doc, problems = read_yaml_text(text, "t.yaml")
    assert doc is None
    (problem,) = problems
    at = next(i for i, c in enumerate(text) if "\ud800" <= c <= "\udfff")
    line = text[:at].count("\n") + 1
    assert (problem.code, problem.location.line) == ("INVALID_UTF8", line)
    assert problem.location.column == at - (text.rfind("\n", 0, at) + 1) + 1
