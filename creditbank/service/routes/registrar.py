"""The registrar pages ``/registrar``: token login, review queue, decisions, statements,
chain verification (issue 18 item 2), as HTML for people (not in the OpenAPI document).

They live here, beside the ledger routes they mirror, because they use the API's own
authentication and authorisation; their words, cookies' names and CSRF field are
:mod:`creditbank.web.registrar`, their templates ``creditbank/web/templates/registrar*``.

Spec:

* **Login.** ``/registrar`` asks for a bearer token issued by ``creditbank ledger token
  issue``; it is checked exactly as the JSON API checks one
  (:meth:`creditbank.service.state.ServiceState.authenticate`). On success the token is kept
  in a session cookie (:data:`SESSION_COOKIE`: ``HttpOnly``, ``SameSite=Strict``,
  ``Path=/registrar``, ``Secure`` when the request came over https, also through a reverse
  proxy that says so in ``X-Forwarded-Proto``); logging out clears it. A wrong, unknown or
  revoked token gives the login page again (401) with a message and sets nothing.
* **Fails closed.** Every request authenticates the cookie's token again: a token revoked
  after login stops working on the next request (the login page, 401, the cookie cleared).
* **CSRF.** Every form that POSTs carries a hidden ``csrf`` field: the HMAC of the token's
  id keyed by the token's secret (which only the cookie holds; no server secret, so any
  worker checks it), compared in constant time. The login form, before there is a session,
  uses a random value both in a cookie and in the form (double submit). Without it: 403,
  nothing written.
* **Who may do what** is the API's: the roles of each action come from
  :data:`creditbank.service.routes.ledger.ROLES`, checked by the API's own
  :func:`~creditbank.service.auth.check_role` and
  :func:`~creditbank.service.auth.check_account_access`; reads go through
  :class:`~creditbank.service.routes.ledger.Read` (the ledger's ``may_read``) and writes
  through :class:`~creditbank.service.routes.ledger.Write` (idempotency keys scoped to the
  token), so the ledger's authority model decides every command as it does for the API.
* **Decisions.** Review / approve / reject (a reason required) / revoke are POST forms; each
  form render carries a fresh idempotency key, so a double submit applies once. Success is a
  303 to the updated page with a confirmation; a refusal of the ledger is shown on the page
  with its code and sentence, never a traceback.
* **The statement** page, and the printable document at ``…/statement.html``: exactly
  :func:`creditbank.reports.statement_report`, as ``creditbank ledger statement --format html``.
* **Verification** (bank operators, as ``GET /v1/ledger/verify``): valid or the first broken
  link, the event count and the ledger's head (the last event written, its hash).
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from creditbank.errors import LedgerError
from creditbank.ledger import Ledger, Receipt
from creditbank.ledger.events import Actor
from creditbank.loading.crosscheck import unit_framework
from creditbank.models import Standards
from creditbank.reports import statement_report
from creditbank.reports.labels import Lang
from creditbank.service.auth import check_account_access, check_role, service_state
from creditbank.service.idempotency import idempotency_key
from creditbank.service.principal import Principal
from creditbank.service.problems import ServiceProblem, status_of_ledger_error
from creditbank.service.routes.ledger import ROLES, Read, Write
from creditbank.service.state import ServiceState
from creditbank.web.i18n import PageLang
from creditbank.web.registrar import LABELS, LOGIN_COOKIE, SESSION_COOKIE, csrf_token
from creditbank.web.registrar import PATH as _PATH
from creditbank.web.render import page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_AWAITING = ("applied", "reviewed")
"""The application states that still wait for a school's decision."""
_DONE = ("reviewed", "approved", "rejected", "revoked", "logged_in")
"""The confirmations a page shows after a redirect (``?done=``); anything else is ignored."""
_T = TypeVar("_T")


@dataclass(frozen=True)
class _Session:
    """A logged-in registrar: who the cookie's token says they are, checked this request."""

    principal: Principal
    secret: str
    state: ServiceState

    @property
    def csrf(self) -> str:
        return csrf_token(self.secret, self.principal.token_id)

    @property
    def actor(self) -> Actor:
        return self.principal.actor()

    def may(self, action: str) -> bool:
        """Whether the API lets this token's role do ``action`` (to show its form or link;
        the action itself is checked again, by the API's functions, when it is done)."""
        return self.principal.role in ROLES[action]

    def read(self, query: Callable[[Ledger], _T]) -> _T:
        return Read(self.principal, self.state)(query)

    def read_account(self, account: str, query: Callable[[Ledger], _T]) -> _T:
        """As ``GET /v1/accounts/{account}/…``: the role, a learner's own account, then the
        ledger's ``may_read``."""
        check_role(self.principal, ROLES["read_account"])
        check_account_access(self.principal, account)
        return Read(self.principal, self.state).account(account, query)

    def write(
        self,
        action: str,
        account: str,
        key: str,
        command: Callable[[Ledger, Actor, str], Receipt],
    ) -> Receipt:
        """As the API's write routes: the role, a learner's own account, the idempotency key
        (the form's, scoped to the token), then the ledger decides."""
        check_role(self.principal, ROLES[action])
        check_account_access(self.principal, account)
        return Write(self.principal, idempotency_key(key or None), Response(), self.state)(command)


class _LoginNeeded(Exception):
    def __init__(self, message: str | None) -> None:
        super().__init__(message)
        self.message = message


class _Refused(Exception):
    """A page's own refusal (a missing CSRF field, a missing reason), with its label."""

    def __init__(self, status: int, code: str, label: str) -> None:
        super().__init__(code)
        self.status, self.code, self.label = status, code, label


def _session(request: Request) -> _Session:
    secret = request.cookies.get(SESSION_COOKIE)
    if not secret:
        raise _LoginNeeded(None)
    state = service_state(request)
    principal = state.authenticate(secret)
    if principal is None:  # revoked since login, or a cookie that was never ours
        raise _LoginNeeded("login_expired")
    return _Session(principal, secret, state)


def _check_csrf(session: _Session, sent: str) -> None:
    if not sent or not hmac.compare_digest(sent.encode(), session.csrf.encode()):
        raise _Refused(403, "CSRF", "csrf_refused")


def _secure(request: Request) -> bool:
    # uvicorn rewrites the scheme from X-Forwarded-Proto for a trusted proxy
    # (FORWARDED_ALLOW_IPS; docs/service.md "Behind a reverse proxy")
    return request.url.scheme == "https"


def _set_cookie(request: Request, response: Response, name: str, value: str) -> None:
    response.set_cookie(
        name, value, httponly=True, samesite="strict", path=_PATH, secure=_secure(request)
    )


def _clear_cookie(request: Request, response: Response, name: str) -> None:
    response.delete_cookie(
        name, httponly=True, samesite="strict", path=_PATH, secure=_secure(request)
    )


def _names(standards: Standards, lang: Lang) -> Callable[[str, str], str]:
    """``name(kind, id)``: an item's name in ``lang`` (its id when the standards lack it)."""

    def name(kind: str, item_id: str) -> str:
        item = standards.of_kind(kind).get(item_id)
        return item.name.text(lang) if item is not None else item_id

    return name


def _levels(standards: Standards, lang: Lang) -> Callable[[str, str | None], str]:
    """``level(unit, level)``: a level's name in ``lang`` from the unit's framework (as the
    printable statement shows it), else as written."""

    def level(unit: str, written: str | None) -> str:
        framework = unit_framework(standards, unit)
        found = framework.level(written) if framework is not None and written else None
        return found.name.text(lang) if found is not None else written or ""

    return level


def _render(
    request: Request,
    template: str,
    lang: Lang,
    session: _Session | None,
    *,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    standards = service_state(request).standards
    context = {"message": None, "problem": None, **context}
    return page(
        request,
        template,
        lang,
        LABELS,
        status_code=status_code,
        session=session,
        name=_names(standards, lang),
        level=_levels(standards, lang),
        new_key=lambda: uuid.uuid4().hex,
        q=lambda text: quote(text, safe=""),
        **context,
    )


def _login_page(
    request: Request, lang: Lang, message: str | None, status_code: int
) -> HTMLResponse:
    login = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(32)
    response = _render(
        request,
        "registrar.html.j2",
        lang,
        None,
        status_code=status_code,
        message=message,
        login_csrf=login,
    )
    _set_cookie(request, response, LOGIN_COOKIE, login)
    if request.cookies.get(SESSION_COOKIE):
        _clear_cookie(request, response, SESSION_COOKIE)
    return response


@dataclass(frozen=True)
class _Problem:
    """A refusal as a page shows it: the status, the stable code, the library's sentence
    (English, shown as such) and the label of the page's own sentence."""

    status: int
    code: str
    detail: str = ""
    label: str = "ledger_refused"

    @classmethod
    def of(cls, error: ServiceProblem | LedgerError | _Refused) -> _Problem:
        if isinstance(error, _Refused):
            return cls(error.status, error.code, "", error.label)
        if isinstance(error, ServiceProblem):
            label = error.code if error.code in LABELS["en"] else "ledger_refused"
            return cls(error.status, error.code, error.detail, label)
        return cls(status_of_ledger_error(error.code), error.code, error.message)


def _error_page(
    request: Request,
    lang: Lang,
    session: _Session | None,
    problem: _Problem,
    back: str | None = None,
) -> HTMLResponse:
    return _render(
        request,
        "registrar_error.html.j2",
        lang,
        session,
        status_code=problem.status,
        problem=problem,
        back=back,
    )


_Refusal = (_Refused, ServiceProblem, LedgerError)


def _answer(
    request: Request,
    lang: Lang,
    build: Callable[[_Session], Response],
    *,
    csrf: str | None = None,
    back: str | None = None,
) -> Response:
    """Run a page: the session (else the login page), the CSRF field of a POST, then
    ``build``; every refusal becomes a page with its code and sentence."""
    session: _Session | None = None
    try:
        session = _session(request)
        if csrf is not None:
            _check_csrf(session, csrf)
        return build(session)
    except _LoginNeeded as needed:
        return _login_page(request, lang, needed.message, 401)
    except _Refusal as error:
        return _error_page(request, lang, session, _Problem.of(error), back)


def _see(path: str, done: str) -> RedirectResponse:
    return RedirectResponse(f"{path}?done={done}", status_code=303)


def _account_path(account: str) -> str:
    return f"{_PATH}/accounts/{quote(account, safe='')}"


def _application_path(account: str, application: str) -> str:
    return f"{_account_path(account)}/applications/{quote(application, safe='')}"


Done = Annotated[str | None, Query(description="the confirmation to show")]
Field = Annotated[str, Form()]


def _done(done: str | None) -> str | None:
    return f"done_{done}" if done in _DONE else None


# ------------------------------------------------------------------ login, home


@router.get(_PATH, response_class=HTMLResponse)
def registrar_home(request: Request, lang: PageLang, done: Done = None) -> Response:
    """The login form, or (logged in) the queue and what the token's role may open."""
    if not request.cookies.get(SESSION_COOKIE):
        return _login_page(request, lang, None, 200)

    def build(session: _Session) -> Response:
        queue = None
        if session.may("queue"):
            items = session.read(lambda lg: lg.review_queue(session.actor))
            queue = [item for item in items if item.state in _AWAITING]
        return _render(
            request,
            "registrar_home.html.j2",
            lang,
            session,
            queue=queue,
            message=_done(done),
            account_path=_account_path,
            application_path=_application_path,
        )

    return _answer(request, lang, build)


@router.post(f"{_PATH}/login", response_class=HTMLResponse)
def login(request: Request, lang: PageLang, token: Field = "", login_csrf: Field = "") -> Response:
    """Check the token as the API does; keep it in the session cookie."""
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not expected or not hmac.compare_digest(login_csrf.encode(), expected.encode()):
        return _error_page(request, lang, None, _Problem(403, "CSRF", "", "csrf_refused"), _PATH)
    try:
        principal = service_state(request).authenticate(token.strip())
    except ServiceProblem as problem:
        return _error_page(request, lang, None, _Problem.of(problem))
    if principal is None:
        return _login_page(request, lang, "login_failed", 401)
    response = _see(_PATH, "logged_in")
    _set_cookie(request, response, SESSION_COOKIE, token.strip())
    _clear_cookie(request, response, LOGIN_COOKIE)
    return response


@router.post(f"{_PATH}/logout", response_class=HTMLResponse)
def logout(request: Request, lang: PageLang, csrf: Field = "") -> Response:
    """Clear the session cookie (a valid CSRF field needed while the token still works)."""

    def build(session: _Session) -> Response:
        response = RedirectResponse(_PATH, status_code=303)
        _clear_cookie(request, response, SESSION_COOKIE)
        return response

    return _answer(request, lang, build, csrf=csrf)


@router.get(f"{_PATH}/account", response_class=HTMLResponse)
def find_account(
    request: Request, lang: PageLang, account: Annotated[str, Query()] = ""
) -> Response:
    """The account form of the home page (GET): on to that account's page."""

    def build(session: _Session) -> Response:
        return RedirectResponse(
            _account_path(account.strip()) if account.strip() else _PATH, status_code=303
        )

    return _answer(request, lang, build)


# ------------------------------------------------------------------ an account


@router.get(_PATH + "/accounts/{account}", response_class=HTMLResponse)
def account_page(request: Request, lang: PageLang, account: str, done: Done = None) -> Response:
    """The account's statement as a page, with the printable document's link."""

    def build(session: _Session) -> Response:
        statement = session.read_account(account, lambda lg: lg.statement(account))
        return _render(
            request,
            "registrar_account.html.j2",
            lang,
            session,
            statement=statement,
            message=_done(done),
            account_path=_account_path,
            application_path=_application_path,
        )

    return _answer(request, lang, build, back=_PATH)


@router.get(_PATH + "/accounts/{account}/statement.html", response_class=HTMLResponse)
def statement_document(request: Request, lang: PageLang, account: str) -> Response:
    """The printable statement: what ``creditbank ledger statement --format html`` writes."""

    def build(session: _Session) -> Response:
        statement = session.read_account(account, lambda lg: lg.statement(account))
        report = statement_report(
            statement, dt.date.today(), standards=session.state.standards, lang=lang
        )
        return HTMLResponse(report)

    return _answer(request, lang, build, back=_PATH)


@router.get(_PATH + "/accounts/{account}/applications/{application}", response_class=HTMLResponse)
def application_page(
    request: Request, lang: PageLang, account: str, application: str, done: Done = None
) -> Response:
    """One application: its evaluation (lines), its steps, and the decisions the role may
    take."""
    return _answer(
        request,
        lang,
        lambda session: _application(
            request, lang, session, (account, application), message=_done(done)
        ),
        back=_PATH,
    )


def _application(
    request: Request,
    lang: Lang,
    session: _Session,
    where: tuple[str, str],
    *,
    message: str | None = None,
    problem: _Problem | None = None,
) -> Response:
    account, application = where
    statement = session.read_account(account, lambda lg: lg.statement(account))
    found = [app for app in statement.applications if app.id == application]
    if not found:
        raise LedgerError(
            "UNKNOWN_APPLICATION",
            f"no application {application!r} in account {account!r}",
            account=account,
        )
    return _render(
        request,
        "registrar_application.html.j2",
        lang,
        session,
        status_code=problem.status if problem else 200,
        statement=statement,
        app=found[0],
        message=message,
        problem=problem,
        awaiting=found[0].state in _AWAITING,
        account_path=_account_path,
        application_path=_application_path,
    )


_Step = Literal["review", "approve", "reject"]


@router.post(
    _PATH + "/accounts/{account}/applications/{application}/{step}",
    response_class=HTMLResponse,
)
def decide(
    *,
    request: Request,
    lang: PageLang,
    account: str,
    application: str,
    step: _Step,
    csrf: Field = "",
    key: Field = "",
    reason: Field = "",
) -> Response:
    """Review, approve or reject (with a reason): the ledger command, then 303 to the
    application with a confirmation; a refusal is shown on the application's page."""
    back = _application_path(account, application)
    why = reason.strip() or None

    def command(lg: Ledger, actor: Actor, k: str) -> Receipt:
        if step == "reject":
            return lg.reject(account, application, actor=actor, key=k, reason=why or "")
        step_of = lg.review if step == "review" else lg.approve
        return step_of(account, application, actor=actor, key=k, reason=why)

    def build(session: _Session) -> Response:
        try:
            if step == "reject" and why is None:
                raise _Refused(422, "MISSING_FIELD", "reason_missing")
            session.write(step, account, key, command)
        except _Refusal as error:
            return _application(
                request, lang, session, (account, application), problem=_Problem.of(error)
            )
        return _see(back, {"review": "reviewed", "approve": "approved", "reject": "rejected"}[step])

    return _answer(request, lang, build, csrf=csrf, back=back)


@router.post(_PATH + "/revoke", response_class=HTMLResponse)
def revoke(
    *,
    request: Request,
    lang: PageLang,
    csrf: Field = "",
    key: Field = "",
    account: Field = "",
    achievement: Field = "",
    reason: Field = "",
) -> Response:
    """Revoke a deposited achievement (its issuer, a bank operator), with a reason."""
    account, achievement, why = account.strip(), achievement.strip(), reason.strip()

    def build(session: _Session) -> Response:
        if not why:
            raise _Refused(422, "MISSING_FIELD", "reason_missing")
        session.write(
            "revoke",
            account,
            key,
            lambda lg, actor, k: lg.revoke(account, achievement, actor=actor, key=k, reason=why),
        )
        readable = session.may("read_account")
        return _see(_account_path(account) if readable else _PATH, "revoked")

    return _answer(request, lang, build, csrf=csrf, back=_PATH)


# ------------------------------------------------------------------ verification


@router.get(_PATH + "/verify", response_class=HTMLResponse)
def verify_page(request: Request, lang: PageLang) -> Response:
    """The ledger's verification (as ``GET /v1/ledger/verify``) with its head."""

    def build(session: _Session) -> Response:
        check_role(session.principal, ROLES["verify"])
        report, heads = session.read(lambda lg: (lg.verify(), lg.export_heads()))
        head = max(heads.heads, key=lambda h: h.seq) if heads.heads else None
        return _render(request, "registrar_verify.html.j2", lang, session, report=report, head=head)

    return _answer(request, lang, build, back=_PATH)
