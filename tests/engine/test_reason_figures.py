"""Every reason carries its figures, in ``detail`` and in both sentences (issue 15 item 17).

The golden cases say what the details are; these tests read the sentences a registrar
reads, in Chinese and in English, and check that each names both sides of the comparison.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from creditbank.conformance import (
    golden_cases_path,
    load_case_portfolio,
    load_case_standards,
    read_case,
)
from creditbank.engine import Decision, evaluate
from creditbank.engine.reasons import sentence, sentences

GOLDEN = golden_cases_path()


def _decisions(name: str, tmp_path: Path) -> dict[str, Decision]:
    case = read_case(GOLDEN / f"{name}.yaml")
    standards = load_case_standards(case, tmp_path)
    portfolio = load_case_portfolio(case, standards, reverse=False)
    evaluation = evaluate(standards, portfolio, case.program, case.as_of)
    return {d.achievement: d for d in evaluation.decisions}


@pytest.fixture(scope="module")
def figures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Decision]:
    return _decisions("reasons_carry_their_figures", tmp_path_factory.mktemp("figures"))


def test_cap_reached_names_the_cap_its_limit_use_and_need(figures: dict[str, Decision]) -> None:
    miller = figures["miller"]
    assert miller.reason == "CAP_REACHED"
    assert miller.message_zh == (
        "已达到上限「机加工类证书最多认定 5 学分」（ex:machining-5）：上限 5 学分，"
        "已用 3 学分，此项需 3 学分"
    )
    assert miller.message_en == (
        "the cap 'machining certificates at most 5 credits' (ex:machining-5) is reached: "
        "at most 5 credits, 3 used, this needed 3"
    )


def test_target_filled_names_who_filled_it(figures: dict[str, Decision]) -> None:
    fitter = figures["fitter"]
    assert fitter.reason == "TARGET_FILLED"
    assert (
        fitter.message_zh
        == "ex:c-electrics 已由 electrician 认定（可认定 4 学分，已用 4，此项需 4）"
    )
    assert fitter.message_en == (
        "ex:c-electrics is already covered by electrician (4 credits at most, 4 used, "
        "this needed 4)"
    )
    assert "—" not in fitter.message_en


def test_a_target_too_small_says_so_not_covered_by_nobody(figures: dict[str, Decision]) -> None:
    welder = figures["welder-recent"]
    assert welder.reason == "TARGET_TOO_SMALL"
    assert welder.message_zh == "lab 最多可认定 2 学分，此项需 4 学分"
    assert welder.message_en == "lab takes at most 2 credits; this would need 4"


def test_hours_too_few_says_held_and_required(figures: dict[str, Decision]) -> None:
    safety = figures["safety"]
    assert safety.message_zh == "学时 16 不足规则 ex:safety 要求的 32 学时"
    assert safety.message_en == "16 hours are fewer than the 32 hours rule ex:safety requires"


def test_too_old_says_the_earliest_date_allowed(figures: dict[str, Decision]) -> None:
    old = figures["welder-old"]
    assert (
        old.message_zh
        == "该成果取得于 2020-05-01，早于规则 ex:welder-lab 允许的最早日期 2023-11-29"
    )
    assert old.message_en == (
        "earned on 2020-05-01, before 2023-11-29, the earliest date rule ex:welder-lab allows"
    )


def test_too_recent_says_the_latest_date_allowed(tmp_path: Path) -> None:
    cnc = _decisions("recency_within_from_until", tmp_path)["cnc-new"]
    assert cnc.detail["latest"] == "2024-12-31"
    assert "2025-01-01" in cnc.message_zh and "2024-12-31" in cnc.message_zh
    assert "2025-01-01" in cnc.message_en and "2024-12-31" in cnc.message_en


def test_level_and_grade_say_both_sides(tmp_path: Path) -> None:
    level = _decisions("level_too_low_and_not_matched", tmp_path)["elec-4"]
    grades = _decisions("grade_too_low_prior_course", tmp_path / "g")
    for decision, held, wanted in (
        (level, "四级", "三级"),
        (grades["math"], "55", "60"),
    ):
        for message in (decision.message_zh, decision.message_en):
            assert message is not None and held in message and wanted in message


def test_a_cap_without_an_english_name_uses_its_chinese_one() -> None:
    detail = {"cap": "c", "cap_name_zh": "上限", "limit": "1", "used": "1", "needed": "1"}
    zh, en = sentences("CAP_REACHED", {**detail, "measure": "achievements"})
    assert zh == "已达到上限「上限」（c）：上限 1 项，已用 1 项，此项需 1 项"
    assert en == "the cap '上限' (c) is reached: at most 1 achievements, 1 used, this needed 1"
    assert sentence("CAP_REACHED", "en", cap="c").startswith("the cap '?' (c)")
