"""The words of the progress report in Chinese and English: its labels, the source kinds,
and what a measured target's notes mean (one sentence each).

A note either says why a target cannot be measured from the data (its ``measured`` is
null) or what the figure counts; codes are stable, sentences may improve.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal, get_args

__all__ = ["NOTES", "WORDS", "NoteCode", "note_text", "percent", "scope_text", "word"]

NoteCode = Literal[
    "PROGRAMMES_COUNTED",
    "ELIGIBLE_NOT_FUNDED",
    "NO_REGION_RECORDED",
    "SOME_REGIONS_UNKNOWN",
    "METRIC_NOT_PER_PROGRAMME",
    "PROGRAMME_NOT_HERE",
]

NOTES: dict[str, tuple[str, str]] = {
    "PROGRAMMES_COUNTED": (
        "按本数据中至少有一名学员申请或获资助的学历专业计数，不等同于行动的“项目”。",
        "counted as degree programmes with at least one learner who applied or is funded "
        "here; not the same as the action's programmes (项目)",
    ),
    "ELIGIBLE_NOT_FUNDED": (
        "批量结果只能说明“符合资助条件”，不是已获资助。",
        "batch results say eligible for funding, not funded",
    ),
    "NO_REGION_RECORDED": (
        "本数据中没有记录任何学员的地区，无法按地区测量。",
        "no learner's region is recorded here, so a regional target cannot be measured",
    ),
    "SOME_REGIONS_UNKNOWN": (
        "部分学员未记录地区，未计入本地区。",
        "some learners have no region recorded and are not counted in any region",
    ),
    "METRIC_NOT_PER_PROGRAMME": (
        "“项目数”不能按单个专业测量。",
        "a count of programmes cannot be measured within one programme",
    ),
    "PROGRAMME_NOT_HERE": (
        "标准和本数据中都没有这个专业，无法测量。",
        "neither the standards nor this data know the programme, so it cannot be measured",
    ),
}
assert set(NOTES) == set(get_args(NoteCode))


def note_text(code: str, lang: Literal["zh", "en"]) -> str:
    """The sentence of a note in ``lang``."""
    zh, en = NOTES[code]
    return zh if lang == "zh" else en


WORDS: dict[str, tuple[str, str]] = {
    "programme": ("专业", "programme"),
    "region": ("地区", "region"),
    "national": ("全国", "national"),
    "all": ("全部学员", "all learners"),
    "unknown": ("未记录", "not recorded"),
    "learners": ("学员", "learners"),
    "funded": ("资助", "funded"),
    "migrant": ("农民工占比", "migrant share"),
    "migrant_funded": ("农民工资助", "migrant funded"),
    "credits": ("认定学分", "credits"),
    "by_kind": ("按来源", "by source kind"),
    "completions": ("完成", "completions"),
    "target": ("目标", "target"),
    "metric": ("指标", "metric"),
    "scope": ("范围", "scope"),
    "value": ("目标值", "target value"),
    "due": ("期限", "due"),
    "measured": ("已达成", "measured"),
    "progress": ("进度", "progress"),
    "notes": ("说明", "notes"),
    "not_measurable": ("无法测量", "not measurable"),
    "title": ("目标进度报告", "Progress against targets"),
    "eligible": ("符合资助条件", "eligible for funding"),
    "example": ("示例", "example"),
    "basis": ("数据来源", "counted from"),
    "basis_ledger": ("学分银行账本", "the credit bank ledger"),
    "basis_batch": ("批量认定结果", "batch evaluation results"),
    "as_of": ("统计截至", "as of"),
    "all_events": ("全部记录", "every event recorded"),
    "course": ("课程", "course"),
    "skill_certificate": ("职业技能等级证书", "skill certificate"),
    "x_certificate": ("1+X证书", "1+X certificate"),
    "training": ("培训", "training"),
    "award": ("竞赛获奖", "award"),
    "other": ("其他", "other"),
    "combined": ("组合", "combined"),
}


def word(key: str, lang: Literal["zh", "en"]) -> str:
    """A word of the report in ``lang`` (a source kind it does not know, as written)."""
    zh, en = WORDS.get(key, (key, key))
    return zh if lang == "zh" else en


def scope_text(scope: str, lang: Literal["zh", "en"]) -> str:
    """A target's scope (national, region:CODE, programme:ID) in ``lang``."""
    kind, _, where = scope.partition(":")
    return f"{word(kind, lang)} {where}".strip()


def percent(fraction: Decimal | None) -> str:
    """A share or progress as a percentage, exactly as the report holds it (no rounding
    beyond the report's own; trailing zeros cut): 0.00000066 is 0.000066 %, 0.4 is 40 %."""
    if fraction is None:
        return ""
    shown = (fraction * 100).normalize()
    return f"{shown:f}%"
