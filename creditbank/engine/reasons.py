"""Why an achievement was (not) recognised: stable reason codes with a sentence in zh and en.

>>> print(sentence("EXPIRED", "en", expires_on="2025-05-19", as_of="2026-11-29"))
the certificate expired on 2025-05-19, before the evaluation date 2026-11-29
>>> print(sentence("CAP_REACHED", "zh", cap="gdpt:half", cap_name_zh="转换学分不超过总学分的一半",
...                limit="75", used="72", needed="4", measure="credits"))
已达到上限「转换学分不超过总学分的一半」（gdpt:half）：上限 75 学分，已用 72 学分，此项需 4 学分
"""

from __future__ import annotations

from enum import IntEnum
from typing import Literal, get_args

from creditbank.models.profile import EDUCATION_LABELS

__all__ = [
    "ELIGIBILITY_REASONS",
    "REASONS",
    "REASON_LABELS",
    "EligibilityCode",
    "ReasonCode",
    "Step",
    "eligibility_sentences",
    "reason_label",
    "sentence",
    "sentences",
]

ReasonCode = Literal[
    "NO_RULE",
    "RULE_NOT_IN_FORCE",
    "NOT_YET_EARNED",
    "EXPIRED",
    "TOO_OLD",
    "TOO_RECENT",
    "LEVEL_TOO_LOW",
    "LEVEL_NOT_MATCHED",
    "GRADE_TOO_LOW",
    "GRADE_OUT_OF_BAND",
    "ISSUER_NOT_AUTHORISED",
    "HOURS_TOO_FEW",
    "CONDITION_NOT_MET",
    "NOT_FIRST_ATTEMPT",
    "COMBINATION_INCOMPLETE",
    "NO_TARGET",
    "NO_CREDIT",
    "UNIT_NOT_DECLARED",
    "PARTNER_SUPERSEDED",
    "SUPERSEDED_BY_HIGHER",
    "DUPLICATE",
    "TARGET_FILLED",
    "TARGET_TOO_SMALL",
    "CAP_REACHED",
]

REASONS: dict[ReasonCode, tuple[str, str]] = {
    "NO_RULE": (
        "本专业没有可认定该成果的转换规则",
        "no conversion rule of this programme recognises this outcome",
    ),
    "RULE_NOT_IN_FORCE": (
        "规则 {rule} 在 {as_of} 不在有效期内",
        "rule {rule} is not in force on {as_of}",
    ),
    "NOT_YET_EARNED": (
        "该成果取得于 {earned_on}，晚于认定日期 {as_of}",
        "the outcome was earned on {earned_on}, after the evaluation date {as_of}",
    ),
    "EXPIRED": (
        "证书已于 {expires_on} 过期（认定日期 {as_of}）",
        "the certificate expired on {expires_on}, before the evaluation date {as_of}",
    ),
    "TOO_OLD": (
        "该成果取得于 {earned_on}，早于规则 {rule} 允许的最早日期 {earliest}",
        "earned on {earned_on}, before {earliest}, the earliest date rule {rule} allows",
    ),
    "TOO_RECENT": (
        "该成果取得于 {earned_on}，晚于规则 {rule} 允许的最晚日期 {latest}",
        "earned on {earned_on}, after {latest}, the latest date rule {rule} allows",
    ),
    "LEVEL_TOO_LOW": (
        "等级 {level} 低于规则 {rule} 要求的 {required}",
        "level {level} is below the {required} that rule {rule} requires",
    ),
    "LEVEL_NOT_MATCHED": (
        "等级 {level} 不符合规则 {rule} 的等级要求 {required}",
        "level {level} is not one rule {rule} accepts ({required})",
    ),
    "GRADE_TOO_LOW": (
        "成绩 {result} 未达到规则 {rule} 要求的 {required}",
        "the result {result} is below the {required} that rule {rule} requires",
    ),
    "GRADE_OUT_OF_BAND": (
        "成绩 {result} 不在规则 {rule} 的分数段 {band} 内",
        "the result {result} is outside the band {band} of rule {rule}",
    ),
    "ISSUER_NOT_AUTHORISED": (
        "发证机构 {issuer} 未获授权颁发该证书",
        "the issuer {issuer} is not authorised to issue this outcome",
    ),
    "HOURS_TOO_FEW": (
        "学时 {hours} 不足规则 {rule} 要求的 {required} 学时",
        "{hours} hours are fewer than the {required} hours rule {rule} requires",
    ),
    "CONDITION_NOT_MET": (
        "不满足规则 {rule} 的条件：{condition}",
        "does not meet a condition of rule {rule}: {condition}",
    ),
    "NOT_FIRST_ATTEMPT": (
        "规则 {rule} 只认定首次考试或修读，认定的是 {first_on} 的首次成绩 {other}，"
        "本次（{earned_on}）为重考或重修",
        "rule {rule} counts only the first attempt, {other} of {first_on}; this attempt of "
        "{earned_on} is a retake",
    ),
    "COMBINATION_INCOMPLETE": (
        "规则 {rule} 需要与其他成果组合认定，其余成果缺少或已用于他处",
        "rule {rule} needs this outcome together with others that are missing or used elsewhere",
    ),
    "NO_TARGET": (
        "规则 {rule} 的转换对象不在本专业中",
        "what rule {rule} converts into is not part of this programme",
    ),
    "NO_CREDIT": (
        "按规则 {rule} 计算的学分为零",
        "rule {rule} gives no credit for it",
    ),
    "UNIT_NOT_DECLARED": (
        "载明的学分（{credits}）以 {unit} 计，专业 {program} 未声明该单位的换算系数，"
        "{by} 无法换算：请在专业的 unit_factors 中声明 {unit}",
        "the stated credits ({credits}) are in {unit}, which programme {program} declares no "
        "factor for, so {by} cannot convert them: declare {unit} in the programme's "
        "unit_factors",
    ),
    "PARTNER_SUPERSEDED": (
        "规则 {rule} 中与之组合的 {other}（{other_level}）因同类证书只认定最高等级而未被采用"
        "（{cap}，已认定 {higher}）",
        "its combination under rule {rule} was set aside: its partner {other} ({other_level}) "
        "is below {higher}, the level of that family that counts ({cap})",
    ),
    "SUPERSEDED_BY_HIGHER": (
        "同类证书只认定最高等级，{other}（{other_level}）等级更高",
        "only the highest level of similar certificates counts; {other} ({other_level}) is higher",
    ),
    "DUPLICATE": (
        "同一成果只认定一次，已认定 {other}",
        "the same outcome is recognised once; {other} was used",
    ),
    "TARGET_FILLED": (
        "{target} 已由 {other} 认定（可认定 {limit} 学分，已用 {used}，此项需 {needed}）",
        "{target} is already covered by {other} ({limit} credits at most, {used} used, "
        "this needed {needed})",
    ),
    "TARGET_TOO_SMALL": (
        "{target} 最多可认定 {limit} 学分，此项需 {needed} 学分",
        "{target} takes at most {limit} credits; this would need {needed}",
    ),
    "CAP_REACHED": (
        "已达到上限「{cap_name_zh}」（{cap}）：上限 {limit} {measure_zh}，"
        "已用 {used} {measure_zh}，此项需 {needed} {measure_zh}",
        "the cap '{cap_name_en}' ({cap}) is reached: at most {limit} {measure_en}, {used} used, "
        "this needed {needed}",
    ),
}

_missing = set(get_args(ReasonCode)) ^ set(REASONS)
assert not _missing, f"REASONS out of step with ReasonCode: {_missing}"

EligibilityCode = Literal[
    "NO_QUALIFYING_ACHIEVEMENT",
    "YEARS_TOO_FEW",
    "WORK_TOO_SHORT",
    "EDUCATION_TOO_LOW",
    "TITLE_NOT_HELD",
    "STATUS_NOT_MET",
    "REGION_NOT_COVERED",
    "PROFILE_FIELD_UNKNOWN",
]
"""Why an eligibility rule is not met, beyond the achievement checks it shares with
conversion (``LEVEL_TOO_LOW``, ``EXPIRED``, ``RULE_NOT_IN_FORCE`` … of :data:`ReasonCode`).

Durations come as figures (``have_months``, ``required_months``; work in days) and are
put into words by :func:`eligibility_sentences` for each language."""

ELIGIBILITY_REASONS: dict[EligibilityCode, tuple[str, str]] = {
    "NO_QUALIFYING_ACHIEVEMENT": (
        "没有符合规则 {rule} 条件的学习成果（要求：{wanted_zh}）",
        "no achievement of the portfolio is one rule {rule} asks for ({wanted_en})",
    ),
    "YEARS_TOO_FEW": (
        "取得{what}（{since}）已满{have_zh}，规则 {rule} 要求满{required_zh}",
        "{have_en} since {what} ({since}), {required_en} required by rule {rule}",
    ),
    "WORK_TOO_SHORT": (
        "相应工作累计 {have_days} 天，规则 {rule} 要求满{required_zh}（{required_days} 天）",
        "{have_days} days of qualifying work, rule {rule} requires {required_en} "
        "({required_days} days)",
    ),
    "EDUCATION_TOO_LOW": (
        "最高学历为{have_zh}，规则 {rule} 要求{required_zh}及以上",
        "highest education {have_en}, rule {rule} requires {required_en} or higher",
    ),
    "TITLE_NOT_HELD": (
        "未持有规则 {rule} 要求的职称（{series}，{required}及以上）",
        "holds no title rule {rule} asks for ({series}, {required} or higher)",
    ),
    "STATUS_NOT_MET": (
        "{field} 为 {have}，规则 {rule} 要求 {required}",
        "{field} is {have}, rule {rule} requires {required}",
    ),
    "REGION_NOT_COVERED": (
        "所在地区 {have} 不在规则 {rule} 的范围（{required}）内",
        "region {have} is outside the regions of rule {rule} ({required})",
    ),
    "PROFILE_FIELD_UNKNOWN": (
        "学员情况未载明 {field}，规则 {rule} 需要据此判断",
        "the profile does not say {field}, which rule {rule} asks about",
    ),
}

_missing_eligibility = set(get_args(EligibilityCode)) ^ set(ELIGIBILITY_REASONS)
assert not _missing_eligibility, f"ELIGIBILITY_REASONS out of step: {_missing_eligibility}"


class Step(IntEnum):
    """The order in which a rule's checks run on an achievement, the reason codes each can give.

    A failure's step says how far the achievement got through a rule: among the rules that
    failed it, the one it got furthest in (the first of those, on a tie) gives the reason
    reported, as the rule it came closest to meeting. Aliases share a step, so neither of
    their failures outranks the other.
    """

    EARNED = 1
    """``NOT_YET_EARNED``: earned after the evaluation date."""
    VALID = 2
    """``EXPIRED``: not valid on the evaluation date."""
    DATES = 3
    """``TOO_OLD``, ``TOO_RECENT``: recency and the rule's earned window."""
    LEVEL = 4
    """``LEVEL_TOO_LOW``, ``LEVEL_NOT_MATCHED``."""
    GRADE = 5
    """``GRADE_TOO_LOW``, ``GRADE_OUT_OF_BAND``."""
    ISSUER = 6
    """``ISSUER_NOT_AUTHORISED``: not one of the rule's issuers, or not authorised at all."""
    HOURS = 7
    """``HOURS_TOO_FEW``, ``CONDITION_NOT_MET`` (max_hours): the condition's hours."""
    FLAGS = 8
    """``CONDITION_NOT_MET`` (assessed, online)."""
    TARGET_CONDITION = 8
    """``UNIT_NOT_DECLARED``, ``HOURS_TOO_FEW``, ``CONDITION_NOT_MET`` (min_coverage): the
    target's own conditions on what it converts."""
    ATTEMPT = 9
    """``NOT_FIRST_ATTEMPT``: a retake under a rule that counts the first attempt."""
    COMBINATION = 9
    """``COMBINATION_INCOMPLETE``: the partners a combination needs are missing or used."""
    TARGET = 10
    """``NO_TARGET``: what the rule converts into is not in the programme."""
    CREDIT = 11
    """``NO_CREDIT``: the conversion comes to no credit."""


REASON_LABELS: dict[ReasonCode, tuple[str, str]] = {
    "NO_RULE": ("无适用规则", "no rule"),
    "RULE_NOT_IN_FORCE": ("规则未生效", "rule not in force"),
    "NOT_YET_EARNED": ("尚未取得", "not yet earned"),
    "EXPIRED": ("已过期", "expired"),
    "TOO_OLD": ("取得过早", "earned too early"),
    "TOO_RECENT": ("取得过晚", "earned too late"),
    "LEVEL_TOO_LOW": ("等级不够", "level too low"),
    "LEVEL_NOT_MATCHED": ("等级不符", "level not matched"),
    "GRADE_TOO_LOW": ("成绩不够", "grade too low"),
    "GRADE_OUT_OF_BAND": ("成绩不在范围内", "grade out of band"),
    "ISSUER_NOT_AUTHORISED": ("发证机构未获授权", "issuer not authorised"),
    "HOURS_TOO_FEW": ("学时不足", "too few hours"),
    "CONDITION_NOT_MET": ("条件不满足", "condition not met"),
    "NOT_FIRST_ATTEMPT": ("非首次取得", "not a first attempt"),
    "COMBINATION_INCOMPLETE": ("组合不完整", "combination incomplete"),
    "NO_TARGET": ("无认定对象", "no target"),
    "NO_CREDIT": ("学分为零", "no credit"),
    "UNIT_NOT_DECLARED": ("单元未声明", "unit not declared"),
    "PARTNER_SUPERSEDED": ("组合成果已被替代", "partner superseded"),
    "SUPERSEDED_BY_HIGHER": ("已有更高等级", "a higher level counts"),
    "DUPLICATE": ("重复成果", "duplicate"),
    "TARGET_FILLED": ("对象已认定", "target already covered"),
    "TARGET_TOO_SMALL": ("对象学分不足", "target too small"),
    "CAP_REACHED": ("已达上限", "cap reached"),
}
"""Each reason in a few words, for a picture's labels where a sentence does not fit (the
sentence is what a table or report shows)."""

_missing_labels = set(get_args(ReasonCode)) ^ set(REASON_LABELS)
assert not _missing_labels, f"REASON_LABELS out of step: {_missing_labels}"


def reason_label(code: str, lang: Literal["zh", "en"]) -> str:
    """A reason in a few words in ``lang`` (an unknown code as written)."""
    words = REASON_LABELS.get(code)  # type: ignore[call-overload]
    return code if words is None else str(words[0 if lang == "zh" else 1])


_MEASURES = {"credits": ("学分", "credits"), "achievements": ("项", "achievements")}
"""What a cap's figures count (``detail["measure"]``), in each language's words."""


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "?"


def _filled(details: dict[str, str]) -> _Blank:
    """The details, with what the sentences derive from them: the words of the measure, and
    a cap's name in each language (either one standing in for the other)."""
    fill = _Blank(details)
    measure = _MEASURES.get(details.get("measure", ""))
    if measure is not None:
        fill["measure_zh"], fill["measure_en"] = measure
    zh, en = details.get("cap_name_zh"), details.get("cap_name_en")
    if zh or en:
        fill["cap_name_zh"], fill["cap_name_en"] = zh or str(en), en or str(zh)
    return fill


def sentence(code: ReasonCode, lang: Literal["zh", "en"], **details: object) -> str:
    """The reason as a sentence, with its details filled in (unknown ones shown as ``?``)."""
    zh, en = REASONS[code]
    template = zh if lang == "zh" else en
    return template.format_map(_filled({k: str(v) for k, v in details.items()}))


GUARANTEE_CUT = (
    "；协议保证至少 {floor} 学分（全额 {full} 学分），认定 {granted} 学分",
    "; the agreement guarantees at least {floor} of its {full} credits: {granted} granted",
)
"""Added to the reason of a guaranteed use granted less than its full credits (its detail
has ``floor``, ``full`` and ``granted``)."""


def sentences(code: ReasonCode, details: dict[str, str]) -> tuple[str, str]:
    """The reason in Chinese and in English (as :func:`sentence` gives them), details that
    are already text filled in once for both.

    >>> sentences("TARGET_FILLED", {"target": "course:a", "other": "a1"})[1]
    'course:a is already covered by a1 (? credits at most, ? used, this needed ?)'
    """
    zh, en = REASONS[code]
    if "floor" in details and "granted" in details:
        zh, en = zh + GUARANTEE_CUT[0], en + GUARANTEE_CUT[1]
    fill = _filled(details)
    return zh.format_map(fill), en.format_map(fill)


def _months_words(months: str) -> tuple[str, str]:
    """A whole number of months as words: ``2年3个月`` and ``2 years 3 months``."""
    if not months.isdigit():
        return months, months
    years, rest = divmod(int(months), 12)
    zh = (f"{years}年" if years else "") + (f"{rest}个月" if rest or not years else "")
    en_parts = [f"{years} year{'s' if years != 1 else ''}"] if years else []
    if rest or not years:
        en_parts.append(f"{rest} month{'s' if rest != 1 else ''}")
    return zh, " ".join(en_parts)


def eligibility_sentences(code: str, details: dict[str, str]) -> tuple[str, str]:
    """An eligibility reason (an :data:`EligibilityCode` or a :data:`ReasonCode` of the
    achievement checks) in Chinese and English, durations put into words.

    >>> eligibility_sentences("YEARS_TOO_FEW", {"rule": "e1", "what": "技师", "since":
    ...     "2024-03-01", "have_months": "26", "required_months": "36"})[1]
    '2 years 2 months since 技师 (2024-03-01), 3 years required by rule e1'
    """
    if code in ELIGIBILITY_REASONS:
        zh, en = ELIGIBILITY_REASONS[code]
    else:
        zh, en = REASONS[code]  # type: ignore[index]
    fill = _filled(details)
    for key in ("have", "required"):
        months = details.get(f"{key}_months")
        if months is not None:
            fill[f"{key}_zh"], fill[f"{key}_en"] = _months_words(months)
    for key in ("have", "required"):
        level = details.get(f"{key}_education")
        if level is not None:
            zh_word, en_word = EDUCATION_LABELS.get(level, (level, level))
            fill[f"{key}_zh"], fill[f"{key}_en"] = zh_word, en_word
    return zh.format_map(fill), en.format_map(fill)
