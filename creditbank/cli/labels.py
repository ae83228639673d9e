"""Every word the CLI's tables print that is not data: one catalogue per language, the same
keys (as :mod:`creditbank.reports.labels` for the printed reports).

A command's output is in ONE language: headers, titles, totals lines and the what-if line
come from ``LABELS[lang]``; names and levels from the standards in that language; reasons from
:mod:`creditbank.engine.reasons`. Codes and ids stay as they are, next to their words.
A test checks that both catalogues have the same keys and that a Chinese table shows none of
the English labels (tests/cli/test_one_language.py).
"""

from __future__ import annotations

from typing import Literal

__all__ = ["LABELS", "Lang", "label"]

Lang = Literal["zh", "en"]

LABELS: dict[Lang, dict[str, str]] = {
    "zh": {
        "achievement": "成果",
        "unit": "单元",
        "level": "等级",
        "credits": "学分",
        "used_for_reason": "用于 / 原因",
        "overflow": "溢出转入",
        "total_only": "仅计入总学分",
        "requirements": "要求",
        "requirement": "要求",
        "required": "应修",
        "satisfied": "已满足",
        "remaining": "尚缺",
        "totals": "认定 {recognised} / {total} 学分（{share}）；尚缺 {remaining}；"
        "使用成果 {used}/{all}",
        "whatif": "增加前 {before} 学分，增加后 {after} 学分（+{gain}）",
        "worth_obtaining": "建议取得",
        "name": "名称",
        "gain": "增加",
        "total": "合计",
        "hours": "学时",
        "per_hour": "每学分学时",
        "hours_unknown": "学时未知的选项按增加的学分排在后面；"
        "用 creditbank query pathway --cost 给出学时",
        "grade_exempt": "免修",
        "grade_pass": "通过",
        "q_programme": "专业",
        "q_rule": "规则",
        "q_from": "来源",
        "q_into": "转换为",
        "q_levels": "等级",
        "q_conditions": "条件",
        "q_converts_to": "{item} 可转换为",
        "q_leads_into": "可转换为 {item} 的成果",
        "q_nothing": "没有规则转换它",
        "q_nothing_into": "没有规则把它转换为 {program}",
        "q_upstream": "更上游的转换",
        "q_prerequisites": "先修课程：{names}",
        "q_with_others": "{combination}（需与其他成果组合）",
        "q_in_force": "{start} 至 {end} 有效",
        "q_as_stated": "按成果所记",
        "q_bank_ceiling": "（学分银行认定 ≤ {ceiling}）",
        "q_bank_refused": " > 学分银行认定的 {ceiling}：不予转换（R3）",
        "kind_exemption": "免修",
        "kind_credits": "学分",
        "kind_hours": "学时折算",
        "kind_partial": "部分学分",
        "q_requirement": "要求 {name}",
        "q_counted_once": "与 {unit}（{name}）只计一次",
        "q_counted": "计为",
        "q_because": "依据",
        "q_via": "经由",
        "q_same_outcome": "同一成果",
        "q_similar": "同类（只认最高等级）",
        "q_no_other": "没有其他单元",
        "p_title": "{learner} 取得 {program} 的最省力路径（截至 {as_of}）",
        "p_step": "步骤",
        "p_unit_or_course": "单元或课程",
        "p_for": "用于",
        "p_obtain": "{number}. 取得",
        "p_take": "{number}. 修读",
        "p_courses": "{count} 门课程：{names}",
        "p_summary": "共 {hours} 学时：取得 {additions} 项证书或培训 {obtain} 学时，修读课程 "
        "{courses} 学时；转换认定 {after} 学分（目前 {before}）",
        "p_uncovered": "无法完成：没有课程或候选成果能满足 {short}",
        "p_not_exhaustive": "候选太多：最不可能的已略去（并非穷举）",
        "p_uncosted": "{count} 个可取得的单元没有学时，未计入；用 --cost UNIT[@LEVEL]=HOURS "
        "给出，例如 {example}",
    },
    "en": {
        "achievement": "achievement",
        "unit": "unit",
        "level": "level",
        "credits": "credits",
        "used_for_reason": "used for / reason",
        "overflow": "overflow",
        "total_only": "total only",
        "requirements": "requirements",
        "requirement": "requirement",
        "required": "required",
        "satisfied": "satisfied",
        "remaining": "remaining",
        "totals": "recognised {recognised} of {total} credits ({share}); {remaining} "
        "remaining; {used}/{all} achievements used",
        "whatif": "before {before}, after {after} (+{gain}) credits",
        "worth_obtaining": "worth obtaining next",
        "name": "name",
        "gain": "gain",
        "total": "total",
        "hours": "hours",
        "per_hour": "hours per credit",
        "hours_unknown": "options whose study hours are unknown come after, by credit gained; "
        "give hours with creditbank query pathway --cost",
        "grade_exempt": "exempt",
        "grade_pass": "pass",
        "q_programme": "programme",
        "q_rule": "rule",
        "q_from": "from",
        "q_into": "into",
        "q_levels": "levels",
        "q_conditions": "conditions",
        "q_converts_to": "what {item} converts into",
        "q_leads_into": "what converts into {item}",
        "q_nothing": "no rule converts it",
        "q_nothing_into": "no rule converts it into {program}",
        "q_upstream": "further up the chains",
        "q_prerequisites": "prerequisites: {names}",
        "q_with_others": "{combination} (with other achievements)",
        "q_in_force": "in force {start} to {end}",
        "q_as_stated": "as stated",
        "q_bank_ceiling": " (≤ {ceiling} bank)",
        "q_bank_refused": " > bank's {ceiling}: refused (R3)",
        "kind_exemption": "exemption",
        "kind_credits": "credits",
        "kind_hours": "hours",
        "kind_partial": "partial",
        "q_requirement": "requirement {name}",
        "q_counted_once": "counted once with {unit} ({name})",
        "q_counted": "counted",
        "q_because": "because",
        "q_via": "via",
        "q_same_outcome": "one outcome",
        "q_similar": "similar (highest-only caps)",
        "q_no_other": "no other unit",
        "p_title": "least-effort pathway to {program} for {learner}, as of {as_of}",
        "p_step": "step",
        "p_unit_or_course": "unit or course",
        "p_for": "for",
        "p_obtain": "{number}. obtain",
        "p_take": "{number}. take",
        "p_courses": "{count} course(s): {names}",
        "p_summary": "{hours} study hours in all: {obtain} to obtain {additions} certificate(s) "
        "or training, {courses} of courses; conversion recognises {after} credits (now {before})",
        "p_uncovered": "not completable: no course or candidate covers {short}",
        "p_not_exhaustive": "too many candidates: the least promising were left out "
        "(not exhaustive)",
        "p_uncosted": "{count} obtainable units have no study hours and were left out; give them "
        "with --cost UNIT[@LEVEL]=HOURS, e.g. {example}",
    },
}

assert LABELS["zh"].keys() == LABELS["en"].keys(), "the CLI label catalogues differ in keys"


def label(lang: Lang, key: str, **values: object) -> str:
    """The label ``key`` in ``lang``, its ``{placeholders}`` filled from ``values``."""
    text = LABELS[lang][key]
    return text.format(**values) if values else text
