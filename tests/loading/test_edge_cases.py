"""Hostile and odd inputs to the loader: no crash, one problem per cause, the right place.

Each test here pins a bug found in review: the input, and exactly what must be reported.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from creditbank import LoadError, load_portfolio, load_standards
from creditbank.cli import cli
from creditbank.errors import Problem, format_path
from creditbank.loading import (
    Limits,
    load_documents,
    load_portfolio_data,
    load_portfolio_text,
    read_yaml_text,
)
from creditbank.models import Standards
from tests.paths import ROOT

PORTFOLIO = ROOT / "examples" / "portfolios" / "demo-worker-001-electrician.yaml"


def _problems(tmp_path: Path, text: str, name: str = "f.yaml") -> list[Problem]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_documents([path]).problems


def _summary(problems: list[Problem]) -> list[tuple[str, int | None, int | None, str]]:
    return [
        (p.code, p.location.line, p.location.column, format_path(p.location.path)) for p in problems
    ]


@pytest.mark.parametrize("kind", ["[units]", "{a: 1}", "5", "true"])
def test_kind_that_is_not_a_word_is_a_problem_not_a_crash(tmp_path: Path, kind: str) -> None:
    problems = _problems(tmp_path, f"kind: {kind}\nitems: []\n")
    assert _summary(problems) == [("UNKNOWN_KIND", 1, 7, "kind")]
    with pytest.raises(LoadError) as caught:
        load_portfolio_text(f"kind: {kind}\nlearner: w\n")
    assert caught.value.codes == ("UNKNOWN_KIND",)


@pytest.mark.parametrize(
    "value",
    ["9" * 5000, "0x" + "f" * 5000, "1." + "5" * 5000, "-" + "9" * 4400],
)
def test_overlong_numbers_are_one_problem_not_a_crash(tmp_path: Path, value: str) -> None:
    text = (
        "kind: units\nexample: true\nitems:\n"
        f"  - {{id: c1, kind: course, name: x, credits: {value}}}\n"
    )
    problems = _problems(tmp_path, text)
    column = text.splitlines()[3].index("credits: ") + len("credits: ") + 1
    assert _summary(problems) == [("INVALID_VALUE", 4, column, "items[0].credits")]
    assert "characters" in problems[0].message


@pytest.mark.parametrize("field", ["id", "rank"])
def test_overlong_integer_ids_and_ranks_do_not_crash(tmp_path: Path, field: str) -> None:
    level = {"id": '"1"', "rank": "1"} | {field: "9" * 5000}
    text = (
        "kind: frameworks\nexample: true\nitems:\n"
        f"  - {{id: f, name: x, levels: [{{id: {level['id']}, rank: {level['rank']}, name: a}}]}}\n"
    )
    problems = _problems(tmp_path, text)
    assert [(p.code, p.location.path) for p in problems] == [
        ("INVALID_VALUE", ("items", 0, "levels", 0, field))
    ]


def test_reader_keeps_ordinary_big_numbers() -> None:
    doc, problems = read_yaml_text("a: 123456789012345678901234567890\nb: 1.25\n")
    assert not problems and doc is not None
    assert doc.data["a"] == 123456789012345678901234567890


RULE_HEAD = "kind: rules\nexample: true\nitems:\n  - {id: r, name: r, programs: [p], "


@pytest.mark.parametrize(
    ("then", "expected"),
    [
        # `credits` is both the tag of RequirementCredits and one of its fields
        ("{kind: credits, credits: 2}", ("MISSING_FIELD", "items[0].then.requirement")),
        (
            "{kind: credits, credits: 2, requirement: [a]}",
            ("WRONG_TYPE", "items[0].then.requirement"),
        ),
        (
            "{kind: credits, credits: 2, requirement: a, from_unit: x}",
            ("INVALID_VALUE", "items[0].then.from_unit"),
        ),
        (
            "{kind: credits, credits: 2, requirement: a, extra: 1}",
            ("UNKNOWN_FIELD", "items[0].then.extra"),
        ),
        (
            "{kind: credits, credits: -1, requirement: a}",
            ("NEGATIVE_AMOUNT", "items[0].then.credits"),
        ),
    ],
)
def test_union_tag_spelt_like_a_field_does_not_misplace_the_problem(
    tmp_path: Path, then: str, expected: tuple[str, str]
) -> None:
    text = RULE_HEAD + f"when: {{units: [u]}}, then: {then}}}\n"
    problems = _problems(tmp_path, text)
    assert [(p.code, _summary([p])[0][3]) for p in problems] == [expected]
    field = expected[1].rsplit(".", 1)[1]
    line = text.splitlines()[3]
    if expected[0] == "MISSING_FIELD":  # at the mapping that lacks it, naming the field
        assert problems[0].location.column == line.index("{kind: credits") + 1
        assert f"`{field}`" in problems[0].message
    elif expected[0] == "UNKNOWN_FIELD":  # at the key
        assert problems[0].location.column == line.index(f"{field}: ") + 1
    else:  # at the value
        assert problems[0].location.column == line.index(f"{field}: ") + len(field) + 3


def test_unknown_field_under_a_tagged_union_suggests_that_members_fields(tmp_path: Path) -> None:
    text = RULE_HEAD + "when: {units: [u]}, then: {kind: credits, requirement: a, credit: 2}}\n"
    (problem,) = _problems(tmp_path, text)
    assert problem.code == "UNKNOWN_FIELD"
    assert "did you mean 'credits'?" in problem.message


def test_invalid_file_source_is_reported_once_at_the_head(tmp_path: Path) -> None:
    text = (
        "kind: units\n"
        "source: {title: x, year: 1800, bogus: 1}\n"
        "items:\n"
        "  - {id: a, kind: other, name: A}\n"
        "  - {id: b, kind: other, name: B}\n"
        "  - {id: c, kind: other, name: C, source: {title: own, year: 1700}}\n"
    )
    problems = _problems(tmp_path, text)
    assert _summary(problems) == [
        ("INVALID_VALUE", 2, 26, "source.year"),
        ("UNKNOWN_FIELD", 2, 32, "source.bogus"),
        ("INVALID_VALUE", 6, 62, "items[2].source.year"),  # its own source, its own problem
    ]


def test_source_given_as_text_is_reported_once(tmp_path: Path) -> None:
    text = "kind: units\nsource: some text\nitems:\n  - {id: a, kind: other, name: A}\n"
    assert _summary(_problems(tmp_path, text)) == [("WRONG_TYPE", 2, 9, "source")]


def test_one_file_reached_by_two_spellings_is_read_once(tmp_path: Path) -> None:
    directory = tmp_path / "std"
    directory.mkdir()
    (directory / "u.yaml").write_text(
        "kind: units\nexample: true\nitems:\n  - {id: a, kind: other, name: A}\n",
        encoding="utf-8",
    )
    (directory / "link.yaml").symlink_to(directory / "u.yaml")
    relative = Path(os.path.relpath(directory, Path.cwd()))
    dotted = Path(f"{directory}/../std/u.yaml")
    report = load_documents([directory, relative, dotted, str(relative / "u.yaml")])
    assert report.problems == []
    assert report.standards is not None and list(report.standards.units) == ["a"]
    assert len(report.files) == 1


def test_broken_link_in_a_directory_is_reported(tmp_path: Path) -> None:
    (tmp_path / "ok.yaml").write_text("kind: units\nexample: true\nitems: []\n", encoding="utf-8")
    (tmp_path / "gone.yaml").symlink_to(tmp_path / "nowhere.yaml")
    (tmp_path / "loop.yml").symlink_to(tmp_path / "loop.yml")
    (tmp_path / "dir.yaml").mkdir()  # a directory with a standards suffix is just a directory
    problems = load_documents([tmp_path]).problems
    assert sorted((p.code, Path(p.location.file or "").name) for p in problems) == [
        ("FILE_NOT_FOUND", "gone.yaml"),
        ("FILE_NOT_FOUND", "loop.yml"),
    ]


def test_load_standards_refuses_a_portfolio_with_one_clear_problem() -> None:
    with pytest.raises(LoadError) as caught:
        load_standards(PORTFOLIO)
    (problem,) = caught.value.problems
    assert problem.code == "UNKNOWN_KIND"
    assert "portfolio" in problem.message and problem.location.path == ("kind",)


def test_portfolio_naming_a_broken_unit_repeats_no_problem(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(
        "kind: units\nexample: true\nitems:\n  - {id: u1, kind: other, name: U, credits: -1}\n",
        encoding="utf-8",
    )
    (tmp_path / "p.yaml").write_text(
        "kind: portfolio\nlearner: w\n"
        "achievements:\n  - {id: a, unit: u1, earned_on: 2020-01-01}\n",
        encoding="utf-8",
    )
    problems = load_documents([tmp_path]).problems
    assert [(p.code, Path(p.location.file or "").name) for p in problems] == [
        ("NEGATIVE_AMOUNT", "s.yaml")
    ]


def test_valid_standards_file_without_items_still_prints_a_summary(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("kind: units\nexample: true\nitems: []\n", encoding="utf-8")
    report = load_documents([path])
    assert report.ok and report.standards_files == [str(path)]
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 0
    assert "valid standards: 1 file" in result.output


def test_control_character_is_located_on_one_line(tmp_path: Path) -> None:
    text = "kind: units\nname: 电工\nitems:\n  - {id: a\x01, kind: other, name: A}\n"
    (problem,) = _problems(tmp_path, text)
    assert (problem.code, problem.location.line, problem.location.column) == ("YAML_SYNTAX", 4, 11)
    assert "U+0001" in problem.message and "\n" not in str(problem)


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"])
def test_unicode_line_separators_do_not_shift_line_numbers(tmp_path: Path, separator: str) -> None:
    """YAML counts U+2028, U+2029 and U+0085 as line breaks; editors and grep do not."""
    text = (
        "kind: units\nexample: true\nitems:\n"
        f'  - {{id: a, kind: other, name: "电工{separator}技术"}}\n'
        "  - {id: b, kind: other, name: B, bogus: 1}\n"
    )
    (problem,) = _problems(tmp_path, text)
    line = text.split("\n")[4]
    assert (problem.code, problem.location.line, problem.location.column) == (
        "UNKNOWN_FIELD",
        5,
        line.index("bogus") + 1,
    )


def test_old_mac_line_ends_count_as_lines(tmp_path: Path) -> None:
    text = "kind: units\rexample: true\ritems:\r  - {id: b, kind: other, name: B, bogus: 1}\r"
    (problem,) = _problems(tmp_path, text)
    assert (problem.location.line, problem.location.column) == (4, 35)


def test_line_breaks_inside_values_stay_out_of_the_one_line_report(tmp_path: Path) -> None:
    text = (
        "kind: units\nexample: true\nitems:\n"
        '  - {id: "a\\nb", kind: course, name: x, credits: "1\\n2"}\n'
        '  - {id: c, kind: "cour\\nse", name: x}\n'
    )
    problems = _problems(tmp_path, text)
    assert problems and all("\n" not in str(p) for p in problems)
    assert len(problems) == 3
    assert any("'1\\n2'" in p.message for p in problems)


def test_json_escapes_of_characters_beyond_the_bmp_are_read(tmp_path: Path) -> None:
    """``json.dumps`` writes 𠀀 (CJK Extension B, found in names) as two escapes."""
    item: dict[str, object] = {"id": "a", "kind": "other", "name": "𠀀😀 工", "bogus": 1}
    data = {"kind": "units", "example": True, "items": [item]}
    path = tmp_path / "u.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    text = path.read_text(encoding="utf-8")
    assert "\\ud840\\udc00" in text
    (problem,) = load_documents([path]).problems
    assert (problem.code, problem.location.column) == ("UNKNOWN_FIELD", text.index('"bogus"') + 1)
    del item["bogus"]
    path.write_text(json.dumps(data), encoding="utf-8")
    report = load_documents([path])
    assert report.ok and report.standards is not None
    assert report.standards.units["a"].name.zh == "𠀀😀 工"


def test_each_alias_is_charged_its_expansion_once() -> None:
    text = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    text += "c: [*b, *b]\n"  # expands by 9 x 10 + 2 x 91 = 272 nodes
    doc, problems = read_yaml_text(text, limits=Limits(alias_nodes=280))
    assert not problems and doc is not None and len(doc.data["c"][1][8]) == 9
    _, problems = read_yaml_text(text, limits=Limits(alias_nodes=260))
    assert [(p.code, p.location.line, p.location.path) for p in problems] == [
        ("ALIAS_LIMIT", 3, ("c", 1))  # at the alias that passes the limit, not at its anchor
    ]


def test_a_big_file_reusing_one_source_is_no_alias_bomb(tmp_path: Path) -> None:
    lines = ["kind: units", "items:"]
    lines.append(
        "  - {id: u0, kind: other, name: U0,"
        " source: &src {title: 证书, issuer: 某, year: 2022, evidence: verified}}"
    )
    lines += [f"  - {{id: u{i}, kind: other, name: U{i}, source: *src}}" for i in range(1, 15000)]
    path = tmp_path / "many.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = load_documents([path])
    assert report.problems == [] and report.standards is not None
    assert len(report.standards.units) == 15000


CALENDAR_CAP = """\
kind: standards
example: true
programs:
  - id: p
    name: p
    education_level: higher_vocational
    total_credits: 10
    requirements: [{id: e, name: e, kind: elective_pool, min_credits: 1}]
caps:
  - {id: c, name: c, programs: [p], per: period, period_set: PERIODS, max_credits: 3}
"""


def test_calendar_year_periods_are_not_an_unknown_reference(tmp_path: Path) -> None:
    assert _problems(tmp_path, CALENDAR_CAP.replace("PERIODS", "calendar_year")) == []
    (problem,) = _problems(tmp_path, CALENDAR_CAP.replace("PERIODS", "terms"))
    assert (problem.code, problem.location.path) == ("UNKNOWN_REFERENCE", ("caps", 0, "period_set"))


def test_paths_that_are_not_files(tmp_path: Path) -> None:
    with pytest.raises(LoadError) as caught:
        load_portfolio(tmp_path)
    assert caught.value.codes == ("NOT_A_FILE",)
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    result = CliRunner().invoke(cli, ["validate", str(fifo)])
    assert result.exit_code == 1 and "NOT_A_FILE" in result.output
    assert [p.code for p in load_documents([tmp_path / "missing.yaml"]).problems] == [
        "FILE_NOT_FOUND"
    ]


def test_unreadable_file_is_a_problem_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """chmod 000 does not stop root, so the refusal is simulated."""
    path = tmp_path / "secret.yaml"
    path.write_text("kind: units\nitems: []\n", encoding="utf-8")

    opener = os.open

    def refuse(name: Any, *args: Any, **kwargs: Any) -> int:
        if str(name) == str(path):
            raise PermissionError(13, "Permission denied")
        return opener(name, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)
    (problem,) = load_documents([path]).problems
    assert problem.location.file == str(path) and problem.code == "PERMISSION_DENIED"
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1 and "Traceback" not in result.output


def test_a_value_no_member_of_a_plain_union_accepts_is_one_problem(tmp_path: Path) -> None:
    """``value`` of a recorded grade is a grade name or a number: one problem, not one each."""
    text = (
        RULE_HEAD + "when: {units: [u], grade: {at_least: [1]}}, then: {kind: exempt_courses,"
        " courses: [c], recorded_grade: {policy: fixed, value: {a: 1}}}}\n"
    )
    problems = _problems(tmp_path, text)
    assert [(p.code, format_path(p.location.path)) for p in problems] == [
        ("WRONG_TYPE", "items[0].when.grade.at_least"),
        ("WRONG_TYPE", "items[0].then.recorded_grade.value"),
    ]
    assert problems[1].message.endswith("or amount must be a number, got a mapping")


GUIDED = """\
kind: standards
example: true
units:
  - {id: pb1, kind: course, name: 思想道德与法治, credits: PUBLIC, course_type: public_basic}
  - {id: c1, kind: course, name: 电工技术, credits: 4, hours: 64, course_type: professional_core}
programs:
  - id: p1
    name: 机电一体化技术
    education_level: higher_vocational
    guideline: moe-2019-13
    total_credits: 160
    total_hours: 2560
    hours_per_credit: 16
    requirements:
      - {id: public, name: 公共基础, kind: required_courses, courses: [pb1]}
      - {id: core, name: 核心, kind: required_courses, courses: [c1]}
      - {id: elective, name: 选修, kind: elective_pool, min_credits: 16}
"""


@pytest.mark.parametrize(
    ("public", "codes"),
    [
        ("40", []),  # 40 学分 x 16 = 640 学时 = 1/4 of 2560
        ('"640 学时"', []),  # the same hours, given as 学时: not multiplied by 16 again
        ('"639 学时"', ["PROGRAM_STRUCTURE"]),
        ('"39 学分"', ["PROGRAM_STRUCTURE"]),
    ],
)
def test_guideline_counts_public_hours_in_the_unit_they_are_given(
    tmp_path: Path, public: str, codes: list[str]
) -> None:
    problems = _problems(tmp_path, GUIDED.replace("PUBLIC", public))
    assert [p.code for p in problems] == codes


def test_a_portfolio_in_a_standards_directory_is_skipped_as_validate_accepts_it(
    tmp_path: Path,
) -> None:
    """``--standards DIR`` and ``validate DIR`` agree on a directory holding a portfolio
    beside the standards: the standards load, the portfolio is not read as standards (and a
    portfolio named as a layer itself is still refused)."""
    layer = tmp_path / "school"
    layer.mkdir()
    (layer / "s.yaml").write_text(
        "kind: units\nexample: true\nitems:\n  - {id: 'other:x', kind: other, name: X}\n",
        encoding="utf-8",
    )
    (layer / "p.yaml").write_text(
        "kind: portfolio\nexample: true\nlearner: l\nachievements:\n"
        "  - {id: a, unit: 'other:x', earned_on: 2024-01-01}\n",
        encoding="utf-8",
    )
    standards = load_standards(layer, cache=False)
    assert "other:x" in standards.units
    checked = load_documents([layer])
    assert checked.problems == [] and len(checked.portfolios) == 1
    with pytest.raises(LoadError) as caught:
        load_standards(layer / "p.yaml", cache=False)
    assert caught.value.codes == ("UNKNOWN_KIND",)


def test_the_same_layer_twice_is_read_once(tmp_path: Path) -> None:
    """The same directory given twice adds nothing the second time (no DUPLICATE_ID)."""
    (tmp_path / "s.yaml").write_text(
        "kind: units\nexample: true\nitems:\n  - {id: 'other:x', kind: other, name: X}\n",
        encoding="utf-8",
    )
    once = load_standards(tmp_path, cache=False)
    twice = load_standards(tmp_path, tmp_path, cache=False)
    assert set(twice.units) == set(once.units) and "other:x" in twice.units


# --- load_portfolio_data: a portfolio as parsed JSON (a service's request body) ---------


def test_portfolio_data_loads_as_its_json_text_and_keeps_decimals_exact(
    standards: Standards,
) -> None:
    data = {
        "learner": "w",
        "achievements": [
            {
                "id": "t",
                "unit": "training:plc-application-64h",
                "earned_on": "2024-04-26",
                "hours": 0.1,
                "score": 85,
                "scale": "percent",
            }
        ],
    }
    loaded = load_portfolio_data(data, standards)
    assert loaded == load_portfolio_text(json.dumps(data), standards)
    assert str(loaded.achievements[0].hours) == "0.1"


def test_portfolio_data_problems_are_located_by_path_only(standards: Standards) -> None:
    data = {"learner": "w", "achievements": [{"id": "a", "unit": "nope", "earned_on": "x"}]}
    with pytest.raises(LoadError) as raised:
        load_portfolio_data(data, standards, file="request")
    with pytest.raises(LoadError) as by_text:
        load_portfolio_text(json.dumps(data), standards)
    # the same problems (the bad date and the unknown unit, issue 20 item 8); problems with
    # no line are in code order, those of text in line order
    assert sorted((p.code, p.location.path) for p in raised.value.problems) == sorted(
        (p.code, p.location.path) for p in by_text.value.problems
    )
    assert {p.code for p in raised.value.problems} == {"INVALID_DATE", "UNKNOWN_REFERENCE"}
    assert {(p.location.file, p.location.line) for p in raised.value.problems} == {
        ("request", None)
    }


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_portfolio_data_with_nan_is_a_problem_not_a_crash(
    standards: Standards, value: float
) -> None:
    data = {
        "learner": "w",
        "achievements": [{"id": "a", "unit": "u", "earned_on": "2024-01-01", "hours": value}],
    }
    with pytest.raises(LoadError):
        load_portfolio_data(data, standards)
