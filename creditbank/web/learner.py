"""The learner page ``/``: a trial evaluation of an uploaded or pasted portfolio, no account.

``GET /`` is the form: a portfolio file (YAML/JSON) or an Open Badges 3.0 / CLR 2.0
credential (JSON or VC-JWT), uploaded or pasted; a programme; a day (default today).
``POST /`` answers on the same page: every decision with its reason sentence, progress per
requirement, totals, the programme map with the portfolio drawn on it, the top what-if
suggestions and the least-effort pathway; with ``format=report``, the printable report
(:func:`creditbank.reports.evaluation_report`, what ``creditbank evaluate --format html``
writes).

Every answer goes through the library calls of the CLI and the JSON routes: a portfolio is
read by :func:`creditbank.loading.load_portfolio_text` (the located problems of ``creditbank
validate``), a credential by :func:`creditbank.interop.openbadges.import_badge_text` (as
``creditbank import badge`` and ``POST /v1/credentials/verify``: verified credentials of the
standards' issuers only, no URL fetched), the evaluation by :func:`creditbank.engine.evaluate`,
the suggestions and the pathway with the bounds of ``POST /v1/whatif`` and ``POST
/v1/pathways``. Whatever is wrong with the input is shown on the page (422, the form kept
filled), never an error page.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, UploadFile
from starlette.responses import HTMLResponse

from creditbank.engine import Evaluation, evaluate, suggest
from creditbank.errors import EvaluationError, LoadError, Location, Problem
from creditbank.graph.pathway import MAX_PLANS, Pathway, pathway
from creditbank.interop.errors import InteropError
from creditbank.interop.jsonld import ContextLoader
from creditbank.interop.openbadges import (
    IMPORTED_LEARNER,
    BadgeImport,
    import_badge_text,
    portfolio_learner,
    to_portfolio,
)
from creditbank.loading import load_portfolio_text
from creditbank.models import Portfolio, Standards
from creditbank.reports import evaluation_report
from creditbank.reports.evaluation import (
    evaluation_context,
    level_name,
    requirement_name,
    unit_name,
)
from creditbank.reports.labels import LABELS as REPORT_LABELS
from creditbank.reports.labels import Lang
from creditbank.web.i18n import PageLang
from creditbank.web.programmes import service_standards, standards_hidden
from creditbank.web.render import page

__all__ = ["LABELS", "MAX_PORTFOLIO_BYTES", "SUGGESTIONS", "router"]

router = APIRouter()

MAX_PORTFOLIO_BYTES = 256 * 1024
"""The largest portfolio or credential the page reads (a real one is a few kilobytes).
Below the service's body limit (1 MiB by default), so a too large upload is answered on the
page, located, rather than refused before the page sees it."""
SUGGESTIONS = 5
"""What-if suggestions shown (``POST /v1/whatif`` ranks 10 by default, at most 100)."""

_LEARNER: dict[Lang, dict[str, str]] = {
    "zh": {
        "learner_title": "学分试算",
        "learner_intro": "上传或粘贴学习档案（YAML/JSON），或开放徽章 3.0 / CLR 证书，"
        "选择专业和认定日期，即可看到每项成果能否认定、原因和可转换的学分。无需账户，不保存任何数据。",
        "form_heading": "试算条件",
        "portfolio_file": "学习档案或证书文件",
        "portfolio_file_hint": "YAML、JSON 或 VC-JWT 文件，不超过 {limit} KB。",
        "portfolio_text": "或粘贴文本",
        "portfolio_text_hint": "选择了文件时以文件为准。",
        "program": "目标专业",
        "as_of_field": "认定日期",
        "evaluate": "开始试算",
        "report_button": "打印版报告",
        "problems_heading": "输入有问题，未能试算",
        "problems_intro": "请按下列位置（文件:行:列）修改后重新提交：",
        "no_input": "请上传文件或粘贴文本",
        "unknown_program_choice": "请选择列表中的专业",
        "example_marker": "示例",
        "result_heading": "试算结果",
        "credential_heading": "证书核验",
        "credential_accepted": "已采用",
        "credential_refused": "未采用",
        "whatif_heading": "再取得什么最有用",
        "whatif_intro": "下列证书或培训，单独再取得一项时可增加的认定学分（按增加学分排序）：",
        "whatif_item": "{unit}{level}：增加 {gain} 学分，合计 {total} 学分",
        "whatif_hours": "，约 {hours} 学时",
        "whatif_none": "没有能再增加认定学分的证书或培训。",
        "pathway_heading": "最省力的完成路径",
        "pathway_summary": "共约 {hours} 学时（取得证书或培训 {obtain} 学时，"
        "修读课程 {courses} 学时）。",
        "pathway_summary_courses": "只需修读课程：共 {count} 门，约 {hours} 学时；"
        "再取得证书或培训不能更省力。",
        "pathway_summary_obtain": "只需取得证书或培训：约 {hours} 学时。",
        "pathway_gain": "认定学分由 {before} 增至 {after}。",
        "pathway_steps": "逐项列出（{count} 项）",
        "pathway_obtain": "取得 {unit}{level}（约 {hours}）：转换 {credits}，用于 {into}",
        "pathway_take": "修读课程 {unit}（{hours}，{credits}），计入 {into}",
        "pathway_summary_courses_one": "只需修读课程：共 1 门，约 {hours} 学时；"
        "再取得证书或培训不能更省力。",
        "pathway_steps_one": "逐项列出（1 项）",
        "n_hours_one": "1 学时",
        "n_hours": "{count} 学时",
        "n_credits_one": "1 学分",
        "n_credits": "{count} 学分",
        "pathway_uncovered": "仍无法完成：{requirement} 尚缺 {credits} 学分（没有可修读的课程）。",
        "pathway_not_exhaustive": "候选组合较多，只比较了其中一部分，结果未必最省力。",
        "pathway_nothing": "已满足专业全部要求，无需再做什么。",
        "list_joiner": "、",
        "bar_text": "已满足 {satisfied} / 应修 {required}",
    },
    "en": {
        "learner_title": "Try your credits",
        "learner_intro": "Upload or paste a portfolio (YAML/JSON), or an Open Badges 3.0 / CLR "
        "credential, pick a programme and a day: see which achievements are recognised, why, and "
        "how many credits they convert into. No account; nothing is kept.",
        "form_heading": "What to evaluate",
        "portfolio_file": "Portfolio or credential file",
        "portfolio_file_hint": "A YAML, JSON or VC-JWT file of at most {limit} KB.",
        "portfolio_text": "Or paste its text",
        "portfolio_text_hint": "When a file is chosen, the file is used.",
        "program": "Programme",
        "as_of_field": "Evaluate as of",
        "evaluate": "Evaluate",
        "report_button": "Printable report",
        "problems_heading": "The input has problems; nothing was evaluated",
        "problems_intro": "Fix them where they are (file:line:column) and send it again:",
        "no_input": "choose a file or paste the text",
        "unknown_program_choice": "choose a programme of the list",
        "example_marker": "example",
        "result_heading": "Result",
        "credential_heading": "Credential checks",
        "credential_accepted": "accepted",
        "credential_refused": "not accepted",
        "whatif_heading": "What would help most next",
        "whatif_intro": "Each of these certificates or training courses, obtained on its own, "
        "would add this much recognised credit (most first):",
        "whatif_item": "{unit}{level}: +{gain} credits, {total} in all",
        "whatif_hours": ", about {hours} study hours",
        "whatif_none": "No certificate or training would add recognised credit.",
        "pathway_heading": "The least-effort pathway",
        "pathway_summary": "About {hours} study hours in all ({obtain} to obtain certificates or "
        "training, {courses} of courses).",
        "pathway_summary_courses": "Courses only: {count} to take, about {hours} study hours; no "
        "certificate or training would make it shorter.",
        "pathway_summary_courses_one": "Courses only: 1 to take, about {hours} study hours; no "
        "certificate or training would make it shorter.",
        "pathway_summary_obtain": "Certificates or training only: about {hours} study hours.",
        "pathway_gain": "Recognised credit goes from {before} to {after}.",
        "pathway_steps": "Step by step ({count} steps)",
        "pathway_steps_one": "Step by step (1 step)",
        "pathway_obtain": "Obtain {unit}{level} (about {hours}): converts {credits} into {into}",
        "pathway_take": "Take the course {unit} ({hours}, {credits}) for {into}",
        "n_hours_one": "1 hour",
        "n_hours": "{count} hours",
        "n_credits_one": "1 credit",
        "n_credits": "{count} credits",
        "pathway_uncovered": "Still not complete: {requirement} lacks {credits} credits (no "
        "course to take for it).",
        "pathway_not_exhaustive": "There were many combinations; only some were compared, so "
        "this plan may not be the least effort.",
        "pathway_nothing": "Every requirement of the programme is met; nothing more to do.",
        "list_joiner": ", ",
        "bar_text": "{satisfied} satisfied of {required} required",
    },
}

LABELS: dict[Lang, dict[str, str]] = {
    lang: {**REPORT_LABELS[lang], **_LEARNER[lang]} for lang in ("zh", "en")
}
"""The page's words: the report's labels (the decision table, totals, progress are the same
words) and the page's own."""

TEXT_FILE = "portfolio"
"""The file name problems of pasted text are located in (as ``POST /v1/evaluations`` names
a ``portfolio_text``)."""
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_JWT = re.compile(r"ey[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")


@dataclass(frozen=True)
class _Form:
    """What the learner sent, to show the form again as it was."""

    text: str
    program: str
    as_of: str


@dataclass(frozen=True)
class _CredentialLine:
    name: str
    accepted: bool
    status: str
    """The credential's check: ``verified``, ``unverifiable`` or ``invalid``."""
    detail: str


class _Refused(Exception):
    """The input cannot be evaluated: the located problems, as the CLI prints them."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def _programs(standards: Standards, lang: Lang) -> list[dict[str, Any]]:
    return [
        {
            "id": program.id,
            "name": program.name.text(lang),
            "code": program.code or "",
            "example": program.example,
        }
        for program in standards.programs.values()
    ]


def _form_page(
    request: Request,
    lang: Lang,
    form: _Form,
    *,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    standards = service_standards(request)
    defaults: dict[str, Any] = {
        "problems": None,
        "result": None,
        "credentials": None,
        "suggestions": None,
        "plan": None,
    }
    return page(
        request,
        "learner.html.j2",
        lang,
        LABELS,
        status_code=status_code,
        programs=_programs(standards, lang),
        form=form,
        limit_kb=MAX_PORTFOLIO_BYTES // 1024,
        **{**defaults, **context},
    )


@router.get("/", response_class=HTMLResponse)
def home(request: Request, lang: PageLang) -> HTMLResponse:
    hidden = standards_hidden(request, lang)
    if hidden is not None:
        return hidden
    standards = service_standards(request)
    first = next(iter(standards.programs), "")
    return _form_page(request, lang, _Form("", first, dt.date.today().isoformat()))


@router.post("/", response_class=HTMLResponse)
async def evaluate_page(
    request: Request,
    lang: PageLang,
    *,
    program: Annotated[str, Form(max_length=300)] = "",
    as_of: Annotated[str, Form(max_length=100)] = "",
    portfolio_text: Annotated[str, Form()] = "",
    portfolio_file: UploadFile | None = None,
    output: Annotated[str, Form(alias="format", max_length=20)] = "page",
) -> HTMLResponse:
    """The evaluation on the page (or the printable report), or the problems, located."""
    hidden = standards_hidden(request, lang)
    if hidden is not None:
        return hidden
    standards = service_standards(request)
    source, text, unreadable = await _read_input(portfolio_file, portfolio_text)
    form = _Form(text, program, as_of)
    try:
        if unreadable is not None:
            raise _Refused([str(unreadable)])
        day = _day(as_of)
        if program not in standards.programs:
            raise _Refused([f"program: {LABELS[lang]['unknown_program_choice']}"])
        portfolio, credentials = _portfolio(standards, source, text, lang)
        try:
            evaluation = evaluate(standards, portfolio, program, day)
        except EvaluationError as error:
            raise _Refused([f"{source}: {error.code} {error.message}"]) from None
    except _Refused as refused:
        return _form_page(request, lang, form, status_code=422, problems=refused.lines)
    if output == "report":
        report = evaluation_report(
            standards, portfolio, program, day, lang=lang, evaluation=evaluation
        )
        return HTMLResponse(report)
    return _form_page(
        request,
        lang,
        form,
        result=evaluation_context(standards, portfolio, evaluation, lang=lang),
        credentials=credentials,
        suggestions=_suggestions(standards, portfolio, evaluation, lang),
        plan=_plan(standards, portfolio, evaluation, lang),
    )


async def _read_input(upload: UploadFile | None, pasted: str) -> tuple[str, str, Problem | None]:
    """(where the text is from, the text, why it cannot be read): a chosen file wins over
    pasted text; at most :data:`MAX_PORTFOLIO_BYTES` (and one byte) are read."""
    if upload is not None and upload.filename:
        name = upload.filename.replace("\\", "/").rsplit("/", 1)[-1] or TEXT_FILE
        data = await upload.read(MAX_PORTFOLIO_BYTES + 1)
    else:
        name, data = TEXT_FILE, pasted.encode("utf-8", errors="surrogatepass")
    if len(data) > MAX_PORTFOLIO_BYTES:
        return (
            name,
            "",
            Problem(
                "FILE_TOO_LARGE",
                f"the file is larger than {MAX_PORTFOLIO_BYTES:,} bytes, the most this page "
                "reads; evaluate it with `creditbank evaluate`",
                Location(name),
            ),
        )
    try:
        return name, data.decode("utf-8"), None
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        return (
            name,
            "",
            Problem(
                "INVALID_UTF8",
                f"byte {error.start} is not UTF-8; save the file as UTF-8 text",
                Location(name, line, column),
            ),
        )


def _day(text: str) -> dt.date:
    """The day of the form (today when left empty), as ``POST /v1/evaluations`` reads
    ``as_of``: the same codes for a day not written YYYY-MM-DD or not in the calendar."""
    written = text.strip()
    if not written:
        return dt.date.today()
    if not _DAY.fullmatch(written):
        raise _Refused(
            [
                f"as_of: MALFORMED_DATE {written!r} is not a date; write it YYYY-MM-DD, "
                "e.g. 2026-11-29"
            ]
        )
    try:
        return dt.date.fromisoformat(written)
    except ValueError:
        raise _Refused(
            [
                f"as_of: INVALID_DATE {written!r} is not a day of the calendar; check the month "
                "and the day"
            ]
        ) from None


def _portfolio(
    standards: Standards, source: str, text: str, lang: Lang
) -> tuple[Portfolio, list[_CredentialLine] | None]:
    """The portfolio of the text, and how each credential was checked when it is one."""
    if not text.strip():
        raise _Refused([f"{source}: {LABELS[lang]['no_input']}"])
    if _is_credential(text):
        return _from_credential(standards, source, text)
    try:
        return load_portfolio_text(text, standards, file=source), None
    except LoadError as error:
        raise _Refused([str(p) for p in error.problems]) from None


def _is_credential(text: str) -> bool:
    """Whether the text is an Open Badges / CLR credential rather than a portfolio: a VC-JWT,
    or a JSON object with ``@context`` (a portfolio never has one)."""
    stripped = text.strip()
    if _JWT.fullmatch(stripped):
        return True
    if not stripped.startswith("{"):
        return False
    try:
        data = json.loads(stripped)
    except (ValueError, RecursionError):  # nested too deep: the portfolio loader says where
        return False
    return isinstance(data, dict) and "@context" in data


def _from_credential(
    standards: Standards, source: str, text: str
) -> tuple[Portfolio, list[_CredentialLine]]:
    result: BadgeImport = import_badge_text(
        text, standards, source=source, loader=ContextLoader(allow_network=False)
    )
    if result.error is not None:
        raise _Refused([f"{source}: {result.error.code} {result.error.message}"])
    lines = [
        _CredentialLine(
            record.name,
            record.accepted and record.achievement is not None,
            record.verification.status,
            record.error.message if record.error is not None else record.verification.message,
        )
        for record in result.records
    ]
    try:
        owner = portfolio_learner([result])
    except InteropError:
        owner = IMPORTED_LEARNER
    portfolio = to_portfolio([result], owner)
    if not portfolio.achievements:
        why = [f"{line.name}: {line.status} {line.detail}" for line in lines] or [
            f"{v.reason} {v.message}" for v in result.verifications
        ]
        raise _Refused([f"{source}: NOTHING_ACCEPTED {line}" for line in why])
    return portfolio, lines


def _suggestions(
    standards: Standards, portfolio: Portfolio, evaluation: Evaluation, lang: Lang
) -> list[str]:
    words = LABELS[lang]
    ranked = suggest(standards, portfolio, evaluation.program, evaluation.as_of, limit=SUGGESTIONS)
    lines = []
    for s in ranked:
        line = words["whatif_item"].format(
            unit=unit_name(standards, s.unit, lang),
            level=_level_suffix(standards, s.unit, s.level, lang),
            gain=s.gain,
            total=s.total,
        )
        if s.hours is not None:
            line += words["whatif_hours"].format(hours=s.hours)
        lines.append(line)
    return lines


def _level_suffix(standards: Standards, unit: str, level: str | None, lang: Lang) -> str:
    shown = level_name(standards, unit, level, lang)
    return f" {shown}" if shown else ""  # a space in both languages: 电工 三级, Level 3


@dataclass(frozen=True)
class _Plan:
    summary: str
    steps: list[str]
    uncovered: list[str]
    exhaustive: bool
    nothing: bool
    steps_label: str


def _plan(standards: Standards, portfolio: Portfolio, evaluation: Evaluation, lang: Lang) -> _Plan:
    words = LABELS[lang]
    found: Pathway = pathway(
        standards, portfolio, evaluation.program, evaluation.as_of, max_plans=MAX_PLANS
    )
    program = standards.programs[found.program]

    def target(item: str) -> str:
        if item in standards.units:
            return unit_name(standards, item, lang)
        return requirement_name(program, item, lang)

    steps = []
    for step in found.steps:
        into = words["list_joiner"].join(target(item) for item in step.into)
        key = "pathway_obtain" if step.action == "obtain" else "pathway_take"
        steps.append(
            words[key].format(
                unit=unit_name(standards, step.unit, lang),
                level=_level_suffix(standards, step.unit, step.level, lang),
                hours=counted(words, "n_hours", step.hours),
                credits=counted(words, "n_credits", step.credits),
                into=into,
            )
        )
    uncovered = [
        words["pathway_uncovered"].format(
            requirement=requirement_name(program, requirement, lang), credits=credits
        )
        for requirement, credits in found.uncovered
    ]
    taken = sum(1 for step in found.steps if step.action != "obtain")
    if not found.obtain_hours:  # say "courses only" rather than "0 to obtain certificates"
        summary = counted(words, "pathway_summary_courses", taken, hours=found.hours)
    elif not found.course_hours:
        summary = words["pathway_summary_obtain"].format(hours=found.hours)
    else:
        summary = words["pathway_summary"].format(
            hours=found.hours, obtain=found.obtain_hours, courses=found.course_hours
        )
    if found.recognised_after != found.recognised_before:  # "from 12 to 12" says nothing
        gain = words["pathway_gain"].format(
            before=found.recognised_before, after=found.recognised_after
        )
        summary = f"{summary}{'' if lang == 'zh' else ' '}{gain}"
    return _Plan(
        summary,
        steps,
        uncovered,
        found.exhaustive,
        not found.steps and found.complete,
        counted(words, "pathway_steps", len(steps)),
    )


def counted(words: dict[str, str], key: str, count: object, **fields: object) -> str:
    """``words[key]`` for ``count`` things, or ``words[key + "_one"]`` when there is one
    ("1 credit", not "1 credits"); both are given ``count`` and ``fields``."""
    return words[f"{key}_one" if count == 1 else key].format(count=count, **fields)
