"""The programme browser: ``/programmes`` (every programme) and ``/programmes/{id}`` (its
requirements, the rules that convert into it with their sources, the caps on them, its map).

The same library calls as ``GET /v1/programs`` and ``GET /v1/programs/{id}``: a programme is
named by its id or unique catalogue code (:func:`creditbank.engine.evaluate.resolve_program`),
its rules and caps come from :func:`creditbank.engine.index.rule_index`, its map is the SVG of
``creditbank graph --program P``. An unknown programme is a 404 page in the page's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from creditbank.engine.evaluate import resolve_program
from creditbank.engine.index import rule_index
from creditbank.errors import EvaluationError
from creditbank.graph.build import build_graph
from creditbank.graph.draw import render_svg
from creditbank.graph.scene import program_scene
from creditbank.models import Cap, Program, Source, Standards
from creditbank.reports.evaluation import requirement_name, unit_name
from creditbank.reports.labels import Lang, value
from creditbank.reports.render import inline_svg
from creditbank.web.i18n import PageLang
from creditbank.web.render import page

__all__ = ["LABELS", "router", "service_standards", "standards_hidden"]

router = APIRouter()

LABELS: dict[Lang, dict[str, str]] = {
    "zh": {
        "programmes_title": "专业",
        "programmes_intro": "可以试算学分的专业，以及每个专业的要求、转换规则及其依据文件。",
        "programme_id": "编号",
        "programme_name": "名称",
        "programme_code": "专业代码",
        "programme_credits": "总学分",
        "programme_school": "院校",
        "programme_level": "层次",
        "example_marker": "示例",
        "example_programme": "示例数据：这是示例专业，不是正式的培养方案。",
        "requirements": "毕业要求",
        "requirement_kind": "类型",
        "min_credits": "最低学分",
        "courses": "课程",
        "rules": "转换规则",
        "rule": "规则",
        "rule_kind": "转换方式",
        "rule_into": "转入",
        "rule_source": "依据",
        "caps": "上限",
        "cap": "上限",
        "cap_limit": "限额",
        "cap_credits": "最多 {credits} 学分",
        "cap_share": "最多占总学分的 {share}",
        "cap_count": "最多 {count} 项",
        "cap_count_one": "最多 1 项",
        "cap_within_recognised": "不超过学分银行对该证书认定的学分",
        "cap_per": "（每{group}）",
        "per_achievement": "项成果",
        "per_course": "门课程",
        "per_rule": "条规则",
        "per_requirement": "个要求",
        "per_family": "个证书系列",
        "per_unit": "个认证单元",
        "per_period": "个期间",
        "highest_only": "同类只计最高等级",
        "source_number": "文号",
        "source_link": "原文",
        "no_source": "未注明依据（示例）",
        "none": "无",
        "list_joiner": "、",
        "requirement": "要求",
        "programme_map": "专业转换图",
        "programme_map_note": "证书和培训（左）可转换为课程或要求（右）的学分。",
        "try_programme": "用这个专业试算",
        "not_found_title": "没有这个专业",
        "not_found": "没有编号或专业代码为「{program}」的专业。",
        "back_to_list": "查看全部专业",
        "private_title": "标准不公开",
        "private": "本服务的标准不对外公开（--private-standards），网页不能展示。",
    },
    "en": {
        "programmes_title": "Programmes",
        "programmes_intro": "The programmes credits can be tried against, each with its "
        "requirements, its conversion rules and the documents they come from.",
        "programme_id": "Id",
        "programme_name": "Name",
        "programme_code": "Catalogue code",
        "programme_credits": "Total credits",
        "programme_school": "School",
        "programme_level": "Level",
        "example_marker": "example",
        "example_programme": "Example data: an illustrative programme, not an official curriculum.",
        "requirements": "Requirements",
        "requirement_kind": "Kind",
        "min_credits": "Minimum credits",
        "courses": "Courses",
        "rules": "Conversion rules",
        "rule": "Rule",
        "rule_kind": "Converts as",
        "rule_into": "Into",
        "rule_source": "Source",
        "caps": "Caps",
        "cap": "Cap",
        "cap_limit": "Limit",
        "cap_credits": "at most {credits} credits",
        "cap_share": "at most {share} of the total",
        "cap_count": "at most {count} achievements",
        "cap_count_one": "at most 1 achievement",
        "cap_within_recognised": "no more than the credit bank recognises for the unit",
        "cap_per": " (per {group})",
        "per_achievement": "achievement",
        "per_course": "course",
        "per_rule": "rule",
        "per_requirement": "requirement",
        "per_family": "family",
        "per_unit": "unit",
        "per_period": "period",
        "highest_only": "only the highest level of a family counts",
        "source_number": "Document number",
        "source_link": "Document",
        "no_source": "no source given (example)",
        "none": "none",
        "list_joiner": ", ",
        "requirement": "Requirement",
        "programme_map": "Programme map",
        "programme_map_note": "Certificates and training (left) convert into credits of "
        "courses or requirements (right).",
        "try_programme": "Try your credits against this programme",
        "not_found_title": "No such programme",
        "not_found": "No programme has the id or catalogue code “{program}”.",
        "back_to_list": "See every programme",
        "private_title": "The standards are private",
        "private": "This service keeps its standards private (--private-standards), so the "
        "pages cannot show them.",
    },
}


@dataclass(frozen=True)
class _Row:
    id: str
    name: str
    code: str
    credits: str
    school: str
    level: str
    example: bool


def _school(standards: Standards, program: Program, lang: Lang) -> str:
    if program.school is None:
        return ""
    issuer = standards.issuers.get(str(program.school))
    return issuer.name.text(lang) if issuer is not None else str(program.school)


def _row(standards: Standards, program: Program, lang: Lang) -> _Row:
    return _Row(
        id=program.id,
        name=program.name.text(lang),
        code=program.code or "",
        credits=str(program.total_credits),
        school=_school(standards, program, lang),
        level=value(lang, str(program.education_level)),
        example=program.example,
    )


def _service(request: Request) -> Any:
    # the service's ServiceState (creditbank.service.state), which create_app keeps on the
    # application; not imported: creditbank.service imports these pages
    return request.app.state.creditbank


def service_standards(request: Request) -> Standards:
    """The standards the service loaded."""
    standards = _service(request).standards
    assert isinstance(standards, Standards)
    return standards


def standards_hidden(request: Request, lang: Lang) -> HTMLResponse | None:
    """A 403 page when the service keeps its standards private (``--private-standards``):
    the pages have no token, and would show the standards to anyone. None otherwise."""
    if _service(request).config.public_standards is True:
        return None
    words = LABELS[lang]
    return page(
        request,
        "programmes_missing.html.j2",
        lang,
        LABELS,
        status_code=403,
        heading=words["private_title"],
        message=words["private"],
        back=False,
    )


@router.get("/programmes", response_class=HTMLResponse)
def programme_list(request: Request, lang: PageLang) -> HTMLResponse:
    hidden = standards_hidden(request, lang)
    if hidden is not None:
        return hidden
    standards = service_standards(request)
    rows = [_row(standards, program, lang) for program in standards.programs.values()]
    return page(request, "programmes.html.j2", lang, LABELS, programmes=rows)


def _source(source: Source | None) -> dict[str, str] | None:
    if source is None:
        return None
    url = source.url or ""
    # only web links become links: a source is text others wrote (no javascript: URLs)
    link = url if url.lower().startswith(("https://", "http://")) else ""
    return {"title": source.title, "number": source.number or "", "url": link, "text": url}


def _share(share: Fraction) -> str:
    # exact: a share is a fraction (50 %, 1/3); a third shows as 33.33 %
    percent = (Decimal(share.numerator) * 100 / Decimal(share.denominator)).quantize(
        Decimal("0.01")
    )
    return f"{percent.normalize():f} %"


@router.get("/programmes/{program}", response_class=HTMLResponse)
def programme_detail(request: Request, program: str, lang: PageLang) -> HTMLResponse:
    hidden = standards_hidden(request, lang)
    if hidden is not None:
        return hidden
    standards = service_standards(request)
    words = LABELS[lang]
    try:
        found = resolve_program(standards, program)
    except EvaluationError:
        return page(
            request,
            "programmes_missing.html.j2",
            lang,
            LABELS,
            status_code=404,
            heading=words["not_found_title"],
            message=words["not_found"].format(program=program),
            back=True,
        )
    index = rule_index(standards).program(found)
    requirements = [
        {
            "id": r.id,
            "name": r.name.text(lang),
            "kind": value(lang, r.kind),
            "min_credits": "" if r.min_credits is None else str(r.min_credits),
            "courses": [unit_name(standards, str(c), lang) for c in r.courses],
        }
        for r in found.requirements
    ]
    rules = [
        {
            "id": rule.id,
            "name": rule.name.text(lang),
            "kind": value(lang, rule.then.kind),
            "into": [unit_name(standards, c, lang) for c in rule.then.named_courses()]
            + [
                requirement_name(found, r, lang)
                for r in [rule.then.credited_requirement()]
                if r is not None
            ],
            "source": _source(rule.source),
            "example": rule.example,
        }
        for rule in index.rules
    ]
    caps = [_cap(cap_item, lang) for cap_item in index.caps]
    scene = program_scene(build_graph(standards), found.id, lang=lang)
    return page(
        request,
        "programmes_detail.html.j2",
        lang,
        LABELS,
        programme=_row(standards, found, lang),
        requirements=requirements,
        rules=rules,
        caps=caps,
        program_map=inline_svg(render_svg(scene, engine="python")),
    )


def _cap(cap: Cap, lang: Lang) -> dict[str, Any]:
    words = LABELS[lang]
    limits = []
    if cap.max_credits is not None:
        limits.append(words["cap_credits"].format(credits=cap.max_credits))
    if cap.max_share is not None:
        limits.append(words["cap_share"].format(share=_share(cap.max_share)))
    if cap.max_count is not None:
        key = "cap_count_one" if cap.max_count == 1 else "cap_count"
        limits.append(words[key].format(count=cap.max_count))
    if cap.within_recognised:
        limits.append(words["cap_within_recognised"])
    if cap.highest_only:
        limits.append(words["highest_only"])
    if limits and cap.per != "program":  # what one limit is counted over: a course, an achievement
        limits[-1] += words["cap_per"].format(group=words[f"per_{cap.per}"])
    return {
        "id": cap.id,
        "name": cap.name.text(lang),
        "limits": limits,
        "source": _source(cap.source),
        "example": cap.example,
    }
