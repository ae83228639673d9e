"""The registrar pages in process: token login and its cookie, CSRF, roles as the API has
them, decisions through the ledger, the statement document, verification, both languages,
escaping (creditbank.web.registrar)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from creditbank.cli import cli
from creditbank.ledger import Ledger, revoke_token
from creditbank.models import Standards
from creditbank.reports.labels import VALUES
from creditbank.service import ServiceConfig, create_app
from creditbank.service.routes.ledger import ROLES
from creditbank.web import labels as common
from creditbank.web.registrar import LABELS, LOGIN_COOKIE, SESSION_COOKIE
from tests.service.ledger_world import OTHER, OWN, World, build_world, fingerprint
from tests.web.registrar_helpers import field, form_fields, log_in, session_cookie, visible_text

APP_1 = f"/registrar/accounts/{OWN}/applications/app-1"
APP_2 = f"/registrar/accounts/{OWN}/applications/app-2"


@pytest.fixture
def world(tmp_path: Path, standards: Standards) -> World:
    return build_world(str(tmp_path / "bank.db"), standards)


@pytest.fixture
def pages(world: World, standards: Standards) -> Iterator[TestClient]:
    with TestClient(
        create_app(ServiceConfig(ledger=world.location), standards=standards),
        raise_server_exceptions=False,
    ) as client:
        yield client


def _as(pages: TestClient, world: World, caller: str) -> TestClient:
    answer = log_in(pages, world.callers.secrets[caller])
    assert answer.status_code == 303, answer.text
    return pages


# ------------------------------------------------------------------ login


def test_a_good_token_logs_in_with_a_strict_http_only_cookie_and_shows_the_queue(
    pages: TestClient, world: World
) -> None:
    answer = log_in(pages, world.callers.secrets["academic_affairs"])
    assert answer.status_code == 303
    assert answer.headers["location"] == "/registrar?done=logged_in"
    cookie = session_cookie(answer)
    assert cookie is not None
    attributes = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "samesite=strict", "path=/registrar"} <= attributes
    assert "secure" not in attributes  # plain http: a Secure cookie would never come back
    home = pages.get("/registrar", params={"lang": "en"})
    assert home.status_code == 200
    assert "Applications awaiting decision" in home.text
    assert 'href="/registrar/accounts/w-001/applications/app-1"' in home.text
    assert 'href="/registrar/accounts/w-001/applications/app-2"' in home.text
    assert "Logged in." not in home.text  # the confirmation only after the redirect
    assert "Logged in." in pages.get(answer.headers["location"]).text


def test_over_https_the_cookie_is_secure(world: World, standards: Standards) -> None:
    app = create_app(ServiceConfig(ledger=world.location), standards=standards)
    with TestClient(app, base_url="https://testserver") as secure:
        cookie = session_cookie(log_in(secure, world.callers.secrets["academic_affairs"]))
    assert cookie is not None
    assert "secure" in {part.strip().lower() for part in cookie.split(";")}


@pytest.mark.parametrize("secret", ["cb_wrong", "not a token at all", ""])
def test_a_wrong_token_gives_the_login_page_again_and_sets_nothing(
    pages: TestClient, secret: str
) -> None:
    answer = log_in(pages, secret)
    assert answer.status_code == 401
    assert 'type="password"' in answer.text
    assert "令牌无效" in answer.text
    assert session_cookie(answer) is None
    assert SESSION_COOKIE not in pages.cookies


def test_a_revoked_token_does_not_log_in(pages: TestClient, world: World) -> None:
    answer = log_in(pages, world.callers.secrets["revoked"])
    assert answer.status_code == 401
    assert session_cookie(answer) is None


def test_a_token_revoked_after_login_stops_working_on_the_next_request(
    pages: TestClient, world: World, standards: Standards
) -> None:
    _as(pages, world, "academic_affairs")
    assert pages.get(APP_2).status_code == 200
    with Ledger.open(world.location, standards) as ledger:
        revoke_token(ledger, world.callers.token_ids["academic_affairs"])
    again = pages.get(APP_2)
    assert again.status_code == 401
    assert 'type="password"' in again.text
    assert "app-2" not in visible_text(again.text)
    cleared = session_cookie(again)
    assert cleared is not None
    assert 'creditbank_registrar="";' in cleared or "Max-Age=0" in cleared


def test_logging_out_clears_the_cookie(pages: TestClient, world: World) -> None:
    home = _as(pages, world, "academic_affairs").get("/registrar")
    answer = pages.post(
        "/registrar/logout", data={"csrf": field(home.text, "csrf")}, follow_redirects=False
    )
    assert answer.status_code == 303
    assert SESSION_COOKIE not in pages.cookies
    assert 'type="password"' in pages.get("/registrar").text


def test_the_login_form_needs_its_check_field(pages: TestClient, world: World) -> None:
    pages.get("/registrar")
    assert LOGIN_COOKIE in pages.cookies
    answer = pages.post(
        "/registrar/login",
        data={"token": world.callers.secrets["academic_affairs"]},
        follow_redirects=False,
    )
    assert answer.status_code == 403
    assert session_cookie(answer) is None


# ------------------------------------------------------------------ roles, CSRF


def test_a_learner_token_sees_its_own_account_only(pages: TestClient, world: World) -> None:
    _as(pages, world, "learner_own")
    home = pages.get("/registrar", params={"lang": "en"})
    assert f'href="/registrar/accounts/{OWN}"' in home.text
    assert "Applications awaiting decision" not in home.text  # a learner has no queue
    assert pages.get(f"/registrar/accounts/{OWN}").status_code == 200
    other = pages.get(f"/registrar/accounts/{OTHER}")
    assert other.status_code == 403
    assert "FORBIDDEN" in other.text
    assert pages.get(f"/registrar/accounts/{OTHER}/statement.html").status_code == 403
    assert pages.get("/registrar/verify").status_code == 403
    page = pages.get(APP_1)
    assert "/approve" not in page.text  # no decision forms for a learner
    before = fingerprint(world.location)
    refused = pages.post(
        f"{APP_1}/reject",
        data={"csrf": field(page.text, "csrf"), "key": "k1", "reason": "mine"},
    )
    assert refused.status_code == 403
    assert "FORBIDDEN" in refused.text
    assert fingerprint(world.location) == before


def test_school_staff_of_another_school_cannot_read_the_account(
    pages: TestClient, world: World
) -> None:
    _as(pages, world, "reviewer_other_school")
    assert "app-1" not in pages.get("/registrar").text
    assert pages.get(APP_1).status_code == 403


@pytest.mark.parametrize("csrf", [None, "", "0" * 64])
def test_a_post_without_the_csrf_field_is_refused_and_nothing_is_written(
    pages: TestClient, world: World, csrf: str | None
) -> None:
    _as(pages, world, "academic_affairs")
    key = form_fields(pages.get(APP_2).text, "/approve")["key"]
    before = fingerprint(world.location)
    data = {"key": key} if csrf is None else {"key": key, "csrf": csrf}
    answer = pages.post(f"{APP_2}/approve", data=data)
    assert answer.status_code == 403
    assert "CSRF" in answer.text
    assert fingerprint(world.location) == before


# ------------------------------------------------------------------ decisions


def test_approving_posts_the_credit_and_redirects_to_the_updated_page(
    pages: TestClient, world: World
) -> None:
    _as(pages, world, "academic_affairs")
    form = form_fields(pages.get(APP_2).text, "/approve")
    answer = pages.post(f"{APP_2}/approve", data=form, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"{APP_2}?done=approved"
    shown = pages.get(answer.headers["location"] + "&lang=en")
    assert "Approved; the credit is posted." in shown.text
    assert re.search(r'class="registrar-state">posted<', shown.text)
    with Ledger.open(world.location, read_only=True) as ledger:
        app = next(a for a in ledger.statement(OWN).applications if a.id == "app-2")
    assert app.state == "posted"
    assert app.posted > 0
    assert app.steps[-1].actor.id == "staff-registrar-9"


def test_a_double_submit_applies_once(pages: TestClient, world: World) -> None:
    _as(pages, world, "academic_affairs")
    form = form_fields(pages.get(APP_2).text, "/approve")
    first = pages.post(f"{APP_2}/approve", data=form, follow_redirects=False)
    after_first = fingerprint(world.location)
    second = pages.post(f"{APP_2}/approve", data=form, follow_redirects=False)
    assert first.status_code == second.status_code == 303
    assert fingerprint(world.location) == after_first


def test_a_reject_needs_a_reason(pages: TestClient, world: World) -> None:
    _as(pages, world, "academic_affairs")
    form = form_fields(pages.get(APP_2).text, "/reject")
    before = fingerprint(world.location)
    refused = pages.post(f"{APP_2}/reject", data={**form, "reason": "  "}, params={"lang": "en"})
    assert refused.status_code == 422
    assert "Give a reason." in refused.text
    assert fingerprint(world.location) == before
    done = pages.post(
        f"{APP_2}/reject", data={**form, "reason": "evidence missing"}, follow_redirects=False
    )
    assert done.status_code == 303
    shown = pages.get(done.headers["location"] + "&lang=en")
    assert "evidence missing" in shown.text
    assert re.search(r'class="registrar-state">rejected<', shown.text)


def test_a_refusal_of_the_ledger_is_shown_with_its_code_never_a_traceback(
    pages: TestClient, world: World
) -> None:
    _as(pages, world, "academic_affairs")
    form = form_fields(pages.get(APP_1).text, "/approve")  # app-1 is not reviewed yet
    before = fingerprint(world.location)
    answer = pages.post(f"{APP_1}/approve", data=form, params={"lang": "en"})
    assert answer.status_code == 409
    assert "INVALID_TRANSITION" in answer.text
    assert "The ledger refused this." in answer.text
    assert "Traceback" not in answer.text
    assert "Application app-1" in answer.text  # the application's own page, with the error
    assert fingerprint(world.location) == before


def test_the_reviewer_reviews_and_an_operator_revokes_a_deposit(
    pages: TestClient, world: World
) -> None:
    _as(pages, world, "school_reviewer")
    form = form_fields(pages.get(APP_1).text, "/review")
    assert "/approve" not in pages.get(APP_1).text  # a reviewer does not approve
    answer = pages.post(f"{APP_1}/review", data=form, follow_redirects=False)
    assert answer.headers["location"] == f"{APP_1}?done=reviewed"
    pages.cookies.clear()
    _as(pages, world, "bank_operator")
    account = pages.get(f"/registrar/accounts/{OWN}")
    form = form_fields(account.text, "/registrar/revoke")
    assert form["achievement"] == "elec-l4"
    revoked = pages.post(
        "/registrar/revoke", data={**form, "reason": "issued in error"}, follow_redirects=False
    )
    assert revoked.headers["location"] == f"/registrar/accounts/{OWN}?done=revoked"
    with Ledger.open(world.location, read_only=True) as ledger:
        statuses = {a.id: a.status for a in ledger.statement(OWN).achievements}
    assert statuses["elec-l4"] == "revoked"


# ------------------------------------------------------------------ statement, verification


def test_the_statement_document_is_the_clis(pages: TestClient, world: World) -> None:
    _as(pages, world, "academic_affairs")
    page = pages.get(f"/registrar/accounts/{OWN}", params={"lang": "en"})
    assert f'href="/registrar/accounts/{OWN}/statement.html"' in page.text
    served = pages.get(f"/registrar/accounts/{OWN}/statement.html", params={"lang": "en"})
    assert served.status_code == 200
    result = CliRunner().invoke(
        cli,
        ["ledger", "--db", world.location, "statement", OWN, "--format", "html", "--lang", "en"],
    )
    assert result.exit_code == 0, result.output

    def undated(text: str) -> str:  # the printed-on date is the day it is printed
        return re.sub(r"(Printed on</dt><dd>)\d{4}-\d{2}-\d{2}", r"\1DATE", text)

    assert undated(served.text) != served.text
    assert undated(served.text) == undated(result.stdout)


def test_verification_shows_valid_the_event_count_and_the_head(
    pages: TestClient, world: World
) -> None:
    _as(pages, world, "bank_operator")
    page = pages.get("/registrar/verify", params={"lang": "en"})
    assert page.status_code == 200
    assert "The ledger is valid" in page.text
    with Ledger.open(world.location, read_only=True) as ledger:
        heads = ledger.export_heads()
    last = max(heads.heads, key=lambda head: head.seq)
    assert f'class="registrar-events">{heads.events}<' in page.text
    assert last.hash in page.text
    pages.cookies.clear()
    _as(pages, world, "academic_affairs")
    assert pages.get("/registrar/verify").status_code == 403  # bank operators only, as the API


# ------------------------------------------------------------------ languages, escaping

_PAGES = ["/registrar", f"/registrar/accounts/{OWN}", APP_2, "/registrar/verify"]


def _words(lang: str) -> set[str]:
    other = "zh" if lang == "en" else "en"
    catalogues = (LABELS, common.LABELS, VALUES)
    mine = {text for catalogue in catalogues for text in catalogue[lang].values()}  # type: ignore[index]
    return {
        text
        for catalogue in catalogues
        for text in catalogue[other].values()  # type: ignore[index]
        if text not in mine and "{" not in text
    }


@pytest.mark.parametrize("path", _PAGES)
def test_each_page_speaks_one_language(pages: TestClient, world: World, path: str) -> None:
    _as(pages, world, "bank_operator")
    for lang in ("zh", "en"):
        page = pages.get(path, params={"lang": lang})
        assert page.status_code == 200, page.text
        text = visible_text(page.text)
        foreign = sorted(
            word for word in _words(lang) if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text)
        )
        assert not foreign, f"{path} in {lang} shows {foreign}"


def test_untrusted_text_is_escaped(pages: TestClient, world: World) -> None:
    _as(pages, world, "academic_affairs")
    form = form_fields(pages.get(APP_2).text, "/reject")
    pages.post(f"{APP_2}/reject", data={**form, "reason": "<script>alert(1)</script>"})
    shown = pages.get(APP_2)
    assert "<script>alert(1)</script>" not in shown.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown.text
    hostile = pages.get("/registrar/accounts/%3Cimg%20src%3Dx%20onerror%3D1%3E")
    assert hostile.status_code == 403
    assert "<img src=x" not in hostile.text


def test_an_issuer_revokes_by_id_from_the_home_page_and_another_issuer_is_refused(
    pages: TestClient, world: World
) -> None:
    _as(pages, world, "issuer_other_org")
    form = form_fields(pages.get("/registrar").text, "/registrar/revoke")
    before = fingerprint(world.location)
    refused = pages.post(
        "/registrar/revoke",
        data={**form, "account": OWN, "achievement": "elec-l4", "reason": "not ours"},
    )
    assert refused.status_code == 403
    assert "NOT_AUTHORISED" in refused.text
    assert fingerprint(world.location) == before
    pages.cookies.clear()
    _as(pages, world, "issuer")
    home = pages.get("/registrar")
    assert 'action="/registrar/account"' not in home.text  # an issuer reads no account
    form = form_fields(home.text, "/registrar/revoke")
    done = pages.post(
        "/registrar/revoke",
        data={**form, "account": OWN, "achievement": "elec-l4", "reason": "issued in error"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/registrar?done=revoked"
    with Ledger.open(world.location, read_only=True) as ledger:
        statuses = {a.id: a.status for a in ledger.statement(OWN).achievements}
    assert statuses["elec-l4"] == "revoked"


def test_the_account_form_opens_the_account(pages: TestClient, world: World) -> None:
    _as(pages, world, "bank_operator")
    answer = pages.get("/registrar/account", params={"account": OTHER}, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/registrar/accounts/{OTHER}"
    assert pages.get(answer.headers["location"]).status_code == 200


# ------------------------------------------------------- what each role is offered (F18 item 5)

ACTIONS = ("revoke", "review", "approve", "reject")
_FORMS = re.compile(r'<form method="post" action="/registrar/[^"]*?/?(' + "|".join(ACTIONS) + ')"')


@pytest.mark.parametrize(
    "caller", ["issuer", "school_reviewer", "academic_affairs", "bank_operator", "learner_own"]
)
def test_each_role_is_offered_exactly_the_actions_the_api_allows_it(
    pages: TestClient, world: World, caller: str
) -> None:
    _as(pages, world, caller)
    role = {"learner_own": "learner"}.get(caller, caller)
    offered: set[str] = set()
    for path in ("/registrar", f"/registrar/accounts/{OWN}", APP_1, APP_2):
        offered |= set(_FORMS.findall(pages.get(path, params={"lang": "en"}).text))
    allowed = {action for action in ACTIONS if role in ROLES[action]}
    assert offered == allowed


def test_the_look_up_form_is_named_for_what_it_does_and_courses_show_their_names(
    pages: TestClient, world: World
) -> None:
    _as(pages, world, "academic_affairs")
    home = pages.get("/registrar", params={"lang": "en"}).text
    assert "<h2>Look up an account</h2>" in home
    application = pages.get(APP_1, params={"lang": "en"}).text
    courses = re.findall(r"<td>([^<]*)<code>(course:[^<]+)</code></td>", application)
    assert courses, application
    assert all(name.strip() and not name.strip().startswith("course:") for name, _ in courses)
