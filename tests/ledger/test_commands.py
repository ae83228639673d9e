"""The ledger's commands: the R5 workflow, authority, idempotency, revocation, expiry,
overrides, ids — and that every refused command leaves the database byte-for-byte unchanged.

The tests of a ``ledger`` or a ``base`` ledger run on each backend (SQLite, PostgreSQL: the
``ledger_backend`` fixture), and so do the invariants the database itself enforces."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest

import creditbank
from creditbank.errors import LEDGER_ERROR_CODES, LedgerError
from creditbank.ledger import Actor, Ledger, pseudonymous_id
from creditbank.ledger.events import CreditsPosted
from creditbank.ledger.postgres import PostgresStore
from creditbank.ledger.schema import SCHEMA_VERSION
from creditbank.ledger.sqlite import SqliteStore
from creditbank.ledger.store import Draft
from creditbank.models import Standards
from creditbank.testing.ledger import (
    MENU,
    NOW,
    OPERATOR,
    PROGRAMS,
    REGISTRAR,
    REVIEWER,
    fixed_clock,
    issuer_of,
    learner,
)
from tests.bundled import bundled_standards
from tests.conftest import REFUSED_BY_STORE, LedgerBackend
from tests.paths import ROOT
from tests.pg_server import PostgresServer

STANDARDS = bundled_standards()
W = "w-001"
ME = learner(W)
P1, P2 = PROGRAMS


def _ledger(path: str | Path, standards: Standards = STANDARDS) -> Ledger:
    return Ledger.open(path, standards, create=True, clock=fixed_clock)


def _deposit(ledger: Ledger, *names: str, account: str = W) -> None:
    for name in names:
        ledger.deposit(
            account, MENU[name], actor=issuer_of(MENU[name]), key=f"dep:{account}:{name}"
        )


def _through(ledger: Ledger, app: str, tag: str, account: str = W) -> None:
    ledger.review(account, app, actor=REVIEWER, key=f"rev:{tag}", reason="材料齐全")
    ledger.approve(account, app, actor=REGISTRAR, key=f"appr:{tag}", reason="同意")


@pytest.fixture
def ledger(ledger_backend: LedgerBackend) -> Iterator[Ledger]:
    with _ledger(ledger_backend.new()) as opened:
        opened.open_account(W, actor=ME, key="open")
        yield opened


def _code(error: pytest.ExceptionInfo[LedgerError]) -> str:
    return error.value.code


def test_r5_workflow_posts_the_evaluation(ledger: Ledger) -> None:
    _deposit(ledger, "elec-l4", "elec-l3", "plc-training", "safety-online")
    receipt = ledger.apply(W, P1, actor=ME, key="apply", as_of=fixed_clock().date())
    app = receipt.application
    assert app == "app-1" and [e.type for e in receipt.events] == ["application_submitted"]
    portfolio = creditbank.Portfolio(
        learner=W,
        achievements=tuple(
            creditbank.Achievement.model_validate(MENU[n])
            for n in ("elec-l4", "elec-l3", "plc-training", "safety-online")
        ),
    )
    evaluation = creditbank.evaluate(STANDARDS, portfolio, P1, fixed_clock().date())
    stored = ledger.state(W).applications[app]
    assert stored.evaluation == json.loads(evaluation.to_json())
    assert stored.standards_fingerprint == STANDARDS.fingerprint()
    assert stored.recognised == evaluation.totals.recognised == Decimal(12)

    review = ledger.review(W, app, actor=REVIEWER, key="rev", reason="材料齐全")
    assert [e.type for e in review.events] == ["application_reviewed"]
    approve = ledger.approve(W, app, actor=REGISTRAR, key="appr", reason="同意")
    assert [e.type for e in approve.events] == ["application_approved", "credits_posted"]

    statement = ledger.statement(W)
    (application,) = statement.applications
    assert application.state == "posted" and application.posted == Decimal(12)
    assert [(s.state, s.actor.role, s.reason) for s in application.steps] == [
        ("applied", "learner", None),
        ("reviewed", "school_reviewer", "材料齐全"),
        ("approved", "academic_affairs", "同意"),
        ("posted", "academic_affairs", None),
    ]
    (balance,) = statement.programs
    assert balance.program == P1 and balance.posted == Decimal(12)
    assert "course:plc-application" in balance.courses_exempted
    assert all(e.kind == "post" and e.amount > 0 for e in statement.entries)
    assert json.loads(statement.to_json())["programs"][0]["posted"] == "12"
    assert ledger.verify().ok


def test_reject_at_either_step_with_actor_and_reason(ledger: Ledger) -> None:
    _deposit(ledger, "elec-l3")
    first = ledger.apply(W, P1, actor=ME, key="a1").application
    second = ledger.apply(W, P2, actor=ME, key="a2").application
    assert first and second
    ledger.reject(W, first, actor=REVIEWER, key="rj1", reason="证书存疑")
    ledger.review(W, second, actor=REVIEWER, key="rv2")
    with pytest.raises(LedgerError) as error:  # the reviewer has done their step
        ledger.reject(W, second, actor=REVIEWER, key="rj2", reason="x")
    assert _code(error) == "NOT_AUTHORISED"
    ledger.reject(W, second, actor=REGISTRAR, key="rj2b", reason="学分已满")
    for app in (first, second):
        with pytest.raises(LedgerError) as error:
            ledger.approve(W, app, actor=REGISTRAR, key=f"ap-{app}")
        assert _code(error) == "INVALID_TRANSITION"
    steps = {a.id: a.steps[-1] for a in ledger.statement(W).applications}
    assert (steps[first].state, steps[first].actor.id, steps[first].reason) == (
        "rejected",
        REVIEWER.id,
        "证书存疑",
    )
    assert (steps[second].state, steps[second].reason) == ("rejected", "学分已满")
    assert ledger.statement(W).entries == ()


def test_authority(ledger: Ledger) -> None:
    elec = MENU["elec-l3"]
    cases: list[tuple[str, Callable[[], object], str]] = [
        ("learner deposits", lambda: ledger.deposit(W, elec, actor=ME, key="k"), "NOT_AUTHORISED"),
        (
            "another issuer deposits",
            lambda: ledger.deposit(
                W,
                {**elec, "issuer": None},
                actor=Actor(id="s", role="issuer", organisation="demo-x-organisation"),
                key="k",
            ),
            "NOT_AUTHORISED",
        ),
        (
            "employer beyond its levels",
            lambda: ledger.deposit(
                W, {**elec, "id": "e2", "level": "二级"}, actor=issuer_of(elec), key="k"
            ),
            "NOT_AUTHORISED",
        ),
        (
            "employer before its grant",
            lambda: ledger.deposit(
                W, {**elec, "id": "e3", "earned_on": "2020-06-30"}, actor=issuer_of(elec), key="k"
            ),
            "NOT_AUTHORISED",
        ),
        (
            "issuer unknown to the standards",
            lambda: ledger.deposit(
                W,
                {**elec, "issuer": None},
                actor=Actor(id="s", role="issuer", organisation="nobody"),
                key="k",
            ),
            "NOT_AUTHORISED",
        ),
        (
            "learner applies for another",
            lambda: ledger.apply(W, P1, actor=learner("w-002"), key="k"),
            "NOT_AUTHORISED",
        ),
    ]
    for name, call, code in cases:
        with pytest.raises(LedgerError) as error:
            call()
        assert _code(error) == code, name
    _deposit(ledger, "elec-l3")
    app = ledger.apply(W, P1, actor=ME, key="a").application
    assert app is not None
    other_school = Actor(id="t-9", role="school_reviewer", organisation="demo-city-college")
    for actor in (other_school, REGISTRAR, ME, OPERATOR):
        with pytest.raises(LedgerError) as error:
            ledger.review(W, app, actor=actor, key="rv")
        assert _code(error) == "NOT_AUTHORISED", actor
    ledger.review(W, app, actor=REVIEWER, key="rv")
    for actor in (
        REVIEWER,
        Actor(id="r", role="academic_affairs", organisation="demo-city-college"),
    ):
        with pytest.raises(LedgerError) as error:
            ledger.approve(W, app, actor=actor, key="ap")
        assert _code(error) == "NOT_AUTHORISED"
    same_person = Actor(id=REVIEWER.id, role="academic_affairs", organisation="demo-college")
    with pytest.raises(LedgerError) as error:
        ledger.approve(W, app, actor=same_person, key="ap")
    assert _code(error) == "SEPARATION_OF_DUTIES"
    with pytest.raises(LedgerError) as error:
        ledger.revoke(W, "elec-l3", actor=issuer_of(MENU["plc-training"]), key="rk", reason="x")
    assert _code(error) == "NOT_AUTHORISED"


def test_units_nobody_is_authorised_for_cannot_be_deposited(tmp_path: Path) -> None:
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "units.yaml").write_text(
        "kind: units\nexample: true\nitems:\n"
        "  - {id: 'other:orphan-certificate', kind: other, name: 无人授权的证书}\n",
        encoding="utf-8",
    )
    standards = creditbank.load_standards(creditbank.bundled_standards_path(), extra)
    with _ledger(tmp_path / "bank.db", standards) as ledger:
        ledger.open_account(W, actor=ME, key="open")
        with pytest.raises(LedgerError) as error:
            ledger.deposit(
                W,
                {"id": "o", "unit": "other:orphan-certificate", "earned_on": "2024-01-01"},
                actor=Actor(id="s", role="issuer", organisation="demo-employer"),
                key="k",
            )
        assert _code(error) == "NOT_AUTHORISED"
        assert "authorise no issuer" in str(error.value)


def test_idempotency_keys(ledger: Ledger) -> None:
    elec = MENU["elec-l3"]
    first = ledger.deposit(W, elec, actor=issuer_of(elec), key="dep")
    again = ledger.deposit(W, elec, actor=issuer_of(elec), key="dep")
    assert again.replayed and not first.replayed
    assert again.events == first.events
    assert len(ledger.events(W)) == 2
    with pytest.raises(LedgerError) as error:  # same key, different content
        ledger.deposit(
            W, {**elec, "evidence": "https://example.org/e"}, actor=issuer_of(elec), key="dep"
        )
    assert _code(error) in ("IDEMPOTENCY_CONFLICT", "MALFORMED_COMMAND")
    with pytest.raises(LedgerError) as error:
        ledger.deposit(W, elec, actor=issuer_of(elec), key="dep", evidence="file:42")
    assert _code(error) == "IDEMPOTENCY_CONFLICT"
    with pytest.raises(LedgerError) as error:  # same key, another command
        ledger.apply(W, P1, actor=ME, key="dep")
    assert _code(error) == "IDEMPOTENCY_CONFLICT"
    # a retried apply is a no-op even though as_of defaults to "today"
    applied = ledger.apply(W, P1, actor=ME, key="apply")
    assert ledger.apply(W, P1, actor=ME, key="apply").application == applied.application
    # a key names one command in the whole ledger: not reusable on another account
    events = len(ledger.events())
    ledger.open_account("w-002", actor=OPERATOR, key="open-w-002")
    reuses: list[Callable[[], object]] = [
        lambda: ledger.open_account("w-003", actor=OPERATOR, key="dep"),
        lambda: ledger.deposit("w-002", elec, actor=issuer_of(elec), key="dep"),
    ]
    for call in reuses:
        with pytest.raises(LedgerError) as error:
            call()
        assert _code(error) == "IDEMPOTENCY_CONFLICT"
        assert W not in str(error.value)  # nor does it tell whose account used it
    assert len(ledger.events()) == events + 1
    assert ledger.accounts() == [W, "w-002"]
    with pytest.raises(LedgerError) as error:
        ledger.deposit(W, elec, actor=issuer_of(elec), key="")
    assert _code(error) == "MALFORMED_COMMAND"


def test_revocation_reverses_with_compensating_entries(ledger: Ledger) -> None:
    _deposit(ledger, "elec-l3", "plc-training")
    app = ledger.apply(W, P1, actor=OPERATOR, key="a1", as_of=dt.date(2026, 1, 1)).application
    assert app
    _through(ledger, app, "1")
    before = ledger.statement(W)
    receipt = ledger.revoke(
        W, "elec-l3", actor=issuer_of(MENU["elec-l3"]), key="rk", reason="证书被注销"
    )
    assert [e.type for e in receipt.events] == ["achievement_revoked", "credits_reversed"]
    after = ledger.statement(W)
    assert after.entries[: len(before.entries)] == before.entries  # nothing deleted
    reversals = [e for e in after.entries if e.kind == "reversal"]
    assert {e.cause for e in reversals} == {"revoked"}
    assert sum(e.amount for e in reversals) == Decimal(-6)
    assert after.programs[0].posted == before.programs[0].posted - 6 == Decimal(4)
    assert next(a for a in after.achievements if a.id == "elec-l3").status == "revoked"
    with pytest.raises(LedgerError) as error:
        ledger.apply(W, P1, actor=ME, key="a2", achievements=["elec-l3"])
    assert _code(error) == "ACHIEVEMENT_INACTIVE"
    with pytest.raises(LedgerError) as error:
        ledger.revoke(W, "elec-l3", actor=OPERATOR, key="rk2", reason="again")
    assert _code(error) == "ACHIEVEMENT_INACTIVE"
    second = ledger.apply(W, P1, actor=OPERATOR, key="a3", as_of=dt.date(2026, 1, 1))
    assert second.events[0].payload.achievements == ("plc-training",)  # type: ignore[union-attr]
    assert ledger.verify().ok


def test_approval_refused_when_a_used_achievement_was_revoked(ledger: Ledger) -> None:
    _deposit(ledger, "elec-l3", "plc-training")
    app = ledger.apply(W, P1, actor=ME, key="a1").application
    assert app
    ledger.review(W, app, actor=REVIEWER, key="rv")
    ledger.revoke(W, "plc-training", actor=OPERATOR, key="rk", reason="x")
    with pytest.raises(LedgerError) as error:
        ledger.approve(W, app, actor=REGISTRAR, key="ap")
    assert _code(error) == "ACHIEVEMENT_INACTIVE"
    assert "deny its lines" in str(error.value)
    ledger.reject(W, app, actor=REGISTRAR, key="rj", reason="成果已撤销，请重新申请")


def test_lines_of_an_achievement_revoked_while_pending_can_be_denied(ledger: Ledger) -> None:
    """Regression: the denial itself was refused as ACHIEVEMENT_INACTIVE, so an application
    with one revoked achievement could only be rejected as a whole."""
    _deposit(ledger, "elec-l3", "plc-training")
    app = ledger.apply(W, P1, actor=ME, key="a1").application
    assert app
    lines = ledger.state(W).applications[app].lines
    kept = sum(
        (line.credits for line in lines.values() if "plc-training" not in line.achievements),
        Decimal(0),
    )
    assert kept > 0 and kept < ledger.state(W).applications[app].recognised
    ledger.review(W, app, actor=REVIEWER, key="rv")
    ledger.revoke(W, "plc-training", actor=OPERATOR, key="rk", reason="x")
    with pytest.raises(LedgerError) as error:  # a grant still needs an active achievement
        ledger.override(
            W,
            app,
            actor=REGISTRAR,
            key="og",
            action="grant",
            achievement="plc-training",
            reason="x",
            requirement="electives",
            credits="1",
        )
    assert _code(error) == "ACHIEVEMENT_INACTIVE"
    ledger.override(
        W,
        app,
        actor=REGISTRAR,
        key="od",
        action="deny",
        achievement="plc-training",
        reason="成果已撤销",
    )
    ledger.approve(W, app, actor=REGISTRAR, key="ap")
    assert ledger.statement(W).programs[0].posted == kept
    assert ledger.verify().ok


def test_expiry_reverses_postings(ledger: Ledger) -> None:
    _deposit(ledger, "welder-l4", "robot-operator-l4")
    app = ledger.apply(W, P1, actor=OPERATOR, key="a1", as_of=dt.date(2025, 1, 1)).application
    assert app
    _through(ledger, app, "1")
    assert ledger.statement(W).programs[0].posted == Decimal(6)
    for actor in (ME, REGISTRAR):
        with pytest.raises(LedgerError) as error:
            ledger.expire(W, "welder-l4", actor=actor, key="ex", as_of=dt.date(2025, 6, 1))
        assert _code(error) == "NOT_AUTHORISED"
    with pytest.raises(LedgerError) as error:
        ledger.expire(W, "welder-l4", actor=OPERATOR, key="ex", as_of=dt.date(2025, 5, 1))
    assert _code(error) == "NOT_EXPIRED"
    with pytest.raises(LedgerError) as error:
        ledger.expire(W, "robot-operator-l4", actor=OPERATOR, key="ex", as_of=dt.date(2026, 1, 1))
    assert _code(error) == "NOT_EXPIRED"
    receipt = ledger.expire(W, "welder-l4", actor=OPERATOR, key="ex", as_of=dt.date(2025, 6, 1))
    assert [e.type for e in receipt.events] == ["achievement_expired", "credits_reversed"]
    statement = ledger.statement(W)
    assert statement.programs[0].posted == Decimal(3)
    assert [e.cause for e in statement.entries if e.kind == "reversal"] == ["expired"]
    assert ledger.verify().ok


def test_overrides_before_approval(ledger: Ledger) -> None:
    _deposit(ledger, "elec-l3", "plc-training", "enterprise-post-cert")
    app = ledger.apply(W, P1, actor=OPERATOR, key="a1", as_of=dt.date(2026, 1, 1)).application
    assert app
    recognised = ledger.state(W).applications[app].recognised
    with pytest.raises(LedgerError) as error:
        ledger.override(
            W, app, actor=REVIEWER, key="o", action="deny", achievement="elec-l3", reason="x"
        )
    assert _code(error) == "NOT_AUTHORISED"
    bad_grants: list[dict[str, object]] = [
        {"requirement": "no-such-requirement", "credits": "2"},
        {"requirement": "electives"},
        {"requirement": "electives", "credits": "1.234"},
        {"requirement": "electives", "credits": "0"},
        {"requirement": "electives", "credits": "2", "course": "not-a-course"},
    ]
    for extra in bad_grants:
        with pytest.raises(LedgerError) as error:
            ledger.override(
                W,
                app,
                actor=REGISTRAR,
                key="o",
                action="grant",
                achievement="plc-training",
                reason="x",
                **extra,  # type: ignore[arg-type]
            )
        assert _code(error) == "MALFORMED_COMMAND", extra
    ledger.override(
        W,
        app,
        actor=REGISTRAR,
        key="o1",
        action="deny",
        achievement="elec-l3",
        reason="证书信息与本人不符",
    )
    ledger.override(
        W,
        app,
        actor=REGISTRAR,
        key="o2",
        action="grant",
        achievement="enterprise-post-cert",
        requirement="electives",
        credits="1.5",
        reason="企业证书经专家认定",
    )
    with pytest.raises(LedgerError) as error:
        ledger.override(
            W, app, actor=REGISTRAR, key="o3", action="deny", achievement="elec-l3", reason="again"
        )
    assert _code(error) == "MALFORMED_COMMAND"
    _through(ledger, app, "1")
    statement = ledger.statement(W)
    (application,) = statement.applications
    assert application.granted == recognised - 6 + Decimal("1.5") == application.posted
    assert [(o.action, o.achievement, o.actor.id, o.credits) for o in statement.overrides] == [
        ("deny", "elec-l3", REGISTRAR.id, None),
        ("grant", "enterprise-post-cert", REGISTRAR.id, Decimal("1.5")),
    ]
    assert all(o.at == NOW for o in statement.overrides)
    with pytest.raises(LedgerError) as error:  # after approval: no more exceptions
        ledger.override(
            W,
            app,
            actor=REGISTRAR,
            key="o4",
            action="deny",
            achievement="plc-training",
            reason="late",
        )
    assert _code(error) == "INVALID_TRANSITION"


def test_a_later_application_supersedes_the_posting(ledger: Ledger) -> None:
    _deposit(ledger, "plc-training")
    first = ledger.apply(W, P1, actor=OPERATOR, key="a1", as_of=dt.date(2026, 1, 1)).application
    assert first
    _through(ledger, first, "1")
    _deposit(ledger, "elec-l3", "prior-english")
    second = ledger.apply(W, P1, actor=OPERATOR, key="a2", as_of=dt.date(2026, 1, 1)).application
    assert second
    ledger.review(W, second, actor=REVIEWER, key="rev2")
    receipt = ledger.approve(W, second, actor=REGISTRAR, key="appr2")
    assert [e.type for e in receipt.events] == [
        "application_approved",
        "credits_reversed",
        "credits_posted",
    ]
    statement = ledger.statement(W)
    states = {a.id: (a.state, a.posted) for a in statement.applications}
    assert states[first] == ("superseded", Decimal(0))
    assert states[second] == ("posted", ledger.state(W).applications[second].recognised)
    assert statement.programs[0].posted == states[second][1]
    assert ledger.verify().ok


def test_personal_identifiers_are_refused(ledger: Ledger) -> None:
    for account in ("11010519491231002X", "w-440306199001011236"):
        with pytest.raises(LedgerError) as error:
            ledger.open_account(account, actor=OPERATOR, key="k")
        assert _code(error) == "PERSONAL_IDENTIFIER"
    with pytest.raises(LedgerError) as error:
        ledger.open_account("w 1", actor=OPERATOR, key="k")
    assert _code(error) == "MALFORMED_COMMAND"
    with pytest.raises(LedgerError) as error:
        Actor(id="11010519491231002X", role="learner")
    assert _code(error) == "PERSONAL_IDENTIFIER"
    salt = b"a platform secret of 32 bytes..."
    opaque = pseudonymous_id("11010519491231002x", salt)
    assert (
        opaque
        == pseudonymous_id(" 11010519491231002X", salt)
        != pseudonymous_id("11010519491231002X", salt + b"!")
    )
    ledger.open_account(opaque, actor=OPERATOR, key="k")
    with pytest.raises(LedgerError):
        pseudonymous_id("110105194912310021", salt)  # wrong check digit
    with pytest.raises(LedgerError):
        pseudonymous_id("11010519491231002X", b"short")
    stored = ledger.store
    if isinstance(stored, SqliteStore):
        raw = stored.path.read_bytes()
    else:
        assert isinstance(stored, PostgresStore)
        raw = repr(stored.execute("SELECT * FROM events")).encode()
    assert b"11010519491231002" not in raw


# --------------------------------------------------------- refused = unchanged


def _base(path: str | Path) -> str | Path:
    """A ledger with every state: posted, reviewed and applied applications, a revocation."""
    with _ledger(path) as ledger:
        ledger.open_account(W, actor=ME, key="open")
        _deposit(ledger, "elec-l3", "plc-training", "welder-l4", "x-robot-om")
        posted = ledger.apply(
            W, P1, actor=OPERATOR, key="a1", as_of=dt.date(2025, 1, 1)
        ).application
        assert posted
        _through(ledger, posted, "1")
        reviewed = ledger.apply(W, P2, actor=ME, key="a2").application
        assert reviewed
        ledger.review(W, reviewed, actor=REVIEWER, key="rev2")
        ledger.apply(W, P2, actor=ME, key="a3")
        ledger.revoke(W, "x-robot-om", actor=OPERATOR, key="rk", reason="x")
    return path


REFUSED: dict[str, Callable[[Ledger], object]] = {
    "deposit by an unauthorised issuer": lambda lg: lg.deposit(
        W,
        {**MENU["elec-l4"], "id": "n1", "issuer": None},
        actor=Actor(id="s", role="issuer", organisation="demo-x-organisation"),
        key="n1",
    ),
    "deposit by a learner": lambda lg: lg.deposit(W, MENU["elec-l4"], actor=ME, key="n2"),
    "deposit of an unknown unit": lambda lg: lg.deposit(
        W, {**MENU["elec-l4"], "unit": "skill:nope"}, actor=issuer_of(MENU["elec-l4"]), key="n3"
    ),
    "deposit with a malformed date": lambda lg: lg.deposit(
        W,
        {**MENU["elec-l4"], "earned_on": "2024-02-30"},
        actor=issuer_of(MENU["elec-l4"]),
        key="n4",
    ),
    "deposit earned in the future": lambda lg: lg.deposit(
        W,
        {**MENU["elec-l4"], "earned_on": "2027-01-01"},
        actor=issuer_of(MENU["elec-l4"]),
        key="n5",
    ),
    "deposit twice": lambda lg: lg.deposit(
        W, MENU["elec-l3"], actor=issuer_of(MENU["elec-l3"]), key="n6"
    ),
    "deposit into an unknown account": lambda lg: lg.deposit(
        "w-404", MENU["elec-l3"], actor=issuer_of(MENU["elec-l3"]), key="n7"
    ),
    "open an account twice": lambda lg: lg.open_account(W, actor=ME, key="n8"),
    "open with a 身份证号": lambda lg: lg.open_account(
        "11010519491231002X", actor=OPERATOR, key="n9"
    ),
    "apply to an unknown programme": lambda lg: lg.apply(
        W, "demo-college:999999", actor=ME, key="n10"
    ),
    "apply a revoked achievement": lambda lg: lg.apply(
        W, P1, actor=ME, key="n11", achievements=["x-robot-om"]
    ),
    "apply as of a day to come": lambda lg: lg.apply(
        W, P1, actor=ME, key="n36", as_of=dt.date(2026, 3, 2)
    ),
    "apply for someone else": lambda lg: lg.apply(W, P1, actor=learner("w-9"), key="n12"),
    "review twice": lambda lg: lg.review(W, "app-2", actor=REVIEWER, key="n13"),
    "review by another school": lambda lg: lg.review(
        W,
        "app-3",
        actor=Actor(id="t", role="school_reviewer", organisation="demo-city-college"),
        key="n14",
    ),
    "approve before review": lambda lg: lg.approve(W, "app-3", actor=REGISTRAR, key="n15"),
    "approve by a reviewer": lambda lg: lg.approve(W, "app-2", actor=REVIEWER, key="n16"),
    "approve by the reviewer as registrar": lambda lg: lg.approve(
        W,
        "app-2",
        actor=Actor(id=REVIEWER.id, role="academic_affairs", organisation="demo-college"),
        key="n17",
    ),
    "approve a revoked achievement's credit": lambda lg: lg.approve(
        W, "app-2", actor=REGISTRAR, key="n18"
    ),
    "approve a posted application": lambda lg: lg.approve(W, "app-1", actor=REGISTRAR, key="n19"),
    "reject without a reason": lambda lg: lg.reject(
        W, "app-3", actor=REVIEWER, key="n20", reason=""
    ),
    "reject a posted application": lambda lg: lg.reject(
        W, "app-1", actor=REGISTRAR, key="n21", reason="x"
    ),
    "revoke by another issuer": lambda lg: lg.revoke(
        W, "elec-l3", actor=issuer_of(MENU["plc-training"]), key="n22", reason="x"
    ),
    "revoke twice": lambda lg: lg.revoke(W, "x-robot-om", actor=OPERATOR, key="n23", reason="x"),
    "expire before expiry": lambda lg: lg.expire(
        W, "welder-l4", actor=OPERATOR, key="n24", as_of=dt.date(2025, 1, 1)
    ),
    "override by a reviewer": lambda lg: lg.override(
        W, "app-3", actor=REVIEWER, key="n25", action="deny", achievement="elec-l3", reason="x"
    ),
    "override with inexact credits": lambda lg: lg.override(
        W,
        "app-3",
        actor=REGISTRAR,
        key="n26",
        action="grant",
        achievement="elec-l3",
        requirement="electives",
        credits="0.333",
        reason="x",
    ),
    "override a posted application": lambda lg: lg.override(
        W, "app-1", actor=REGISTRAR, key="n27", action="deny", achievement="elec-l3", reason="x"
    ),
    "unknown application": lambda lg: lg.review(W, "app-99", actor=REVIEWER, key="n28"),
    "reused key, other content": lambda lg: lg.revoke(
        W, "elec-l3", actor=OPERATOR, key="rk", reason="x"
    ),
    "key already used on another account": lambda lg: lg.open_account(
        "w-2", actor=OPERATOR, key="open"
    ),
    "a 身份证号 in a note": lambda lg: lg.open_account(
        "w-2", actor=OPERATOR, key="n30", note="身份证 11010519491231002X"
    ),
    "a 身份证号 in the key": lambda lg: lg.open_account(
        "w-2", actor=OPERATOR, key="open-11010519491231002X"
    ),
    "a 身份证号 as certificate number": lambda lg: lg.deposit(
        W,
        {**MENU["elec-l4"], "certificate_number": "11010519491231002X"},
        actor=issuer_of(MENU["elec-l4"]),
        key="n31",
    ),
    "a 身份证号 in a reason": lambda lg: lg.reject(
        W, "app-3", actor=REVIEWER, key="n32", reason="学员 110105491231002 材料不符"
    ),
    "approve one's own application": lambda lg: lg.approve(
        W,
        "app-2",
        actor=Actor(id=W, role="academic_affairs", organisation="demo-college"),
        key="n33",
    ),
    "review one's own application": lambda lg: lg.review(
        W,
        "app-3",
        actor=Actor(id=W, role="school_reviewer", organisation="demo-college"),
        key="n34",
    ),
    "grant more than the programme holds": lambda lg: lg.override(
        W,
        "app-3",
        actor=REGISTRAR,
        key="n35",
        action="grant",
        achievement="elec-l3",
        requirement="electives",
        credits="140",
        reason="x",
    ),
    "malformed role": lambda lg: lg.review(
        W,
        "app-3",
        actor=Actor.model_construct(id="x", role="dean", organisation=None),  # type: ignore[arg-type]
        key="n29",
    ),
}


def test_personal_identifiers_are_never_stored_or_echoed(ledger: Ledger) -> None:
    number = "11010519491231002X"
    calls: list[Callable[[], object]] = [
        lambda: ledger.open_account(f"{number} ", actor=OPERATOR, key="k1"),  # not an id at all
        lambda: ledger.deposit(  # malformed, and a 身份证号
            W, {**MENU["elec-l3"], "id": f"a {number}"}, actor=issuer_of(MENU["elec-l3"]), key="k0"
        ),
        lambda: ledger.open_account("w-2", actor=OPERATOR, key=f"open {number}"),
        lambda: ledger.open_account("w-2", actor=OPERATOR, key="k2", note=f"ID {number}"),
        lambda: ledger.deposit(
            W,
            {**MENU["elec-l3"], "note": f"holder {number.lower()}"},
            actor=issuer_of(MENU["elec-l3"]),
            key="k3",
        ),
        lambda: ledger.deposit(
            W,
            MENU["elec-l3"],
            actor=issuer_of(MENU["elec-l3"]),
            key="k4",
            evidence=f"https://certs.example.org/{number}",
        ),
    ]
    for call in calls:
        with pytest.raises(LedgerError) as error:
            call()
        assert _code(error) == "PERSONAL_IDENTIFIER", error.value
        assert number[:17] not in str(error.value) and number[:17] not in repr(error.value.detail)
    assert len(ledger.events()) == 1
    # long numbers that are not identity numbers still pass
    ledger.deposit(
        W,
        {**MENU["elec-l3"], "certificate_number": "S000044000001234567"},
        actor=issuer_of(MENU["elec-l3"]),
        key="k5",
        evidence="file:123456789012345678",
    )


def test_staff_never_decide_on_their_own_account(ledger: Ledger) -> None:
    _deposit(ledger, "elec-l3", "plc-training")
    app = ledger.apply(W, P1, actor=ME, key="a1").application
    assert app
    own = {
        "review": Actor(id=W, role="school_reviewer", organisation="demo-college"),
        "override": Actor(id=W, role="academic_affairs", organisation="demo-college"),
    }
    with pytest.raises(LedgerError) as error:
        ledger.review(W, app, actor=own["review"], key="rv-own")
    assert _code(error) == "SEPARATION_OF_DUTIES"
    with pytest.raises(LedgerError) as error:
        ledger.override(
            W,
            app,
            actor=own["override"],
            key="o-own",
            action="grant",
            achievement="plc-training",
            requirement="electives",
            credits="8",
            reason="自己给自己",
        )
    assert _code(error) == "SEPARATION_OF_DUTIES"
    ledger.review(W, app, actor=REVIEWER, key="rv")
    with pytest.raises(LedgerError) as error:
        ledger.approve(W, app, actor=own["override"], key="ap-own")
    assert _code(error) == "SEPARATION_OF_DUTIES"
    assert ledger.statement(W).entries == ()


def test_a_grant_never_exceeds_the_programme(ledger: Ledger) -> None:
    _deposit(ledger, "elec-l3", "plc-training")
    app = ledger.apply(W, P1, actor=OPERATOR, key="a1", as_of=dt.date(2026, 1, 1)).application
    assert app
    granted = ledger.state(W).applications[app].granted()
    room = STANDARDS.programs[P1].total_credits - granted

    def grant(credits: Decimal, key: str) -> object:
        return ledger.override(
            W,
            app,
            actor=REGISTRAR,
            key=key,
            action="grant",
            achievement="plc-training",
            requirement="electives",
            credits=credits,
            reason="专家认定",
        )

    with pytest.raises(LedgerError) as error:
        grant(room + Decimal("0.01"), "g1")
    assert _code(error) == "MALFORMED_COMMAND" and "more than programme" in str(error.value)
    grant(room, "g2")  # up to the programme's total is the registrar's call
    assert ledger.state(W).applications[app].granted() == STANDARDS.programs[P1].total_credits


@pytest.fixture(scope="module")
def base_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Path(_base(tmp_path_factory.mktemp("base") / "base.db"))


@pytest.fixture(scope="module")
def base_pg(postgres_server: PostgresServer) -> Iterator[str]:
    url = postgres_server.new_database("base")
    _base(url)
    yield url
    postgres_server.drop_database(url)


@pytest.fixture
def base(ledger_backend: LedgerBackend, request: pytest.FixtureRequest) -> str:
    """A copy of the base ledger (:func:`_base`, made once per module) on each backend."""
    return ledger_backend.copy_of(request, "base_db", "base_pg")


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_commands_leave_the_database_byte_for_byte_unchanged(
    base: str, ledger_backend: LedgerBackend, name: str
) -> None:
    original = ledger_backend.contents(base)
    with Ledger.open(base, STANDARDS, clock=fixed_clock) as ledger:
        events = len(ledger.events())
        with pytest.raises(LedgerError) as error:
            REFUSED[name](ledger)
        assert error.value.code in LEDGER_ERROR_CODES
        assert len(ledger.events()) == events
    assert ledger_backend.contents(base) == original
    wal = Path(base + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0


def test_a_forged_posting_is_refused_by_the_store_itself(
    base: str, ledger_backend: LedgerBackend
) -> None:
    path = base
    original = ledger_backend.contents(path)
    forged = CreditsPosted(
        application="app-3", program=P2, lines=(), claims=("elec-l3",), total=Decimal(0)
    )
    with Ledger.open(path, STANDARDS, clock=fixed_clock) as ledger:
        store = ledger.store
        with pytest.raises(LedgerError) as error, store.writing() as tx:
            tx.append([Draft(W, NOW, REGISTRAR, "approve", "forged", "0" * 64, forged)])
        assert error.value.code == "STORE_REFUSED"
        assert "approved application" in str(error.value)
    assert ledger_backend.contents(path) == original


# --------------------------------------------------------- invariants in SQL


def _raw(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


SQL_REFUSED = {
    "update an event": "UPDATE events SET body = body WHERE seq = 1",
    "delete an event": "DELETE FROM events WHERE seq = (SELECT MAX(seq) FROM events)",
    "insert an event out of chain": "INSERT INTO events SELECT seq + 1000, account,"
    " account_seq, type, command_key || 'x', command_hash, command_index, command_size, body,"
    " prev_hash, hash || 'x' FROM events WHERE seq = 2",
    "post without an approved application": "INSERT INTO entries (account, program,"
    " application, line, kind, amount_cents, seq) VALUES ('w-001', 'demo-college:460304',"
    " 'app-3', 1, 'post', 400, 999)",
    "post a line twice": "INSERT INTO entries (account, program, application, line, kind,"
    " amount_cents, seq) SELECT account, program, application, line, kind, amount_cents, 999"
    " FROM entries WHERE kind = 'post' LIMIT 1",
    "post a different amount": "INSERT INTO entries (account, program, application, line,"
    " kind, amount_cents, seq) SELECT account, program, application, line + 100, kind,"
    " amount_cents + 1, 999 FROM entries WHERE kind = 'post' LIMIT 1",
    "claim an achievement twice in a programme": "INSERT INTO claims (account, program,"
    " achievement, application, claimed_seq) SELECT account, program, achievement, 'app-3', 999"
    " FROM claims WHERE released_seq IS NULL LIMIT 1",
    "apply a revoked achievement": "INSERT INTO application_achievements (account, application,"
    " achievement) VALUES ('w-001', 'app-3', 'x-robot-om')",
    "revive a revoked achievement": "UPDATE achievements SET status = 'active'"
    " WHERE achievement = 'x-robot-om'",
    "change a deposit": "UPDATE achievements SET level = '一级' WHERE achievement = 'elec-l3'",
    "skip review": "UPDATE applications SET state = 'approved' WHERE application = 'app-3'",
    "un-post": "UPDATE applications SET state = 'reviewed' WHERE application = 'app-1'",
    "a float amount": "INSERT INTO allocation_lines (account, application, line, source,"
    " requirement, kind, credits_cents, added_seq) VALUES ('w-001', 'app-3', 50, 'engine',"
    " 'electives', 'credits', 1.5, 999)",
    "a text amount": "UPDATE entries SET amount_cents = '4.5' WHERE entry = 1",
    "edit an entry": "UPDATE entries SET amount_cents = amount_cents * 2 WHERE entry = 1",
    "delete an entry": "DELETE FROM entries WHERE entry = 1",
    "reverse a different amount": "INSERT INTO entries (account, program, application, line,"
    " kind, amount_cents, reverses, cause, seq) SELECT account, program, application, line,"
    " 'reversal', -amount_cents + 1, entry, 'revoked', 999 FROM entries WHERE kind = 'post'"
    " AND entry NOT IN (SELECT reverses FROM entries WHERE reverses IS NOT NULL) LIMIT 1",
    "delete a claim": "DELETE FROM claims",
}


@pytest.mark.parametrize("name", sorted(SQL_REFUSED))
def test_the_store_enforces_invariants_in_sql(
    base: str, ledger_backend: LedgerBackend, name: str
) -> None:
    original = ledger_backend.contents(base)
    with ledger_backend.raw(base) as conn, pytest.raises(REFUSED_BY_STORE):
        conn.execute(SQL_REFUSED[name])
    assert ledger_backend.contents(base) == original


def test_schema_is_versioned(tmp_path: Path) -> None:
    path = tmp_path / "bank.db"
    with pytest.raises(LedgerError) as error:
        Ledger.open(path)
    assert _code(error) == "LEDGER_NOT_FOUND" and not path.exists()
    with Ledger.open(path, create=True) as ledger:
        assert ledger.store.schema_version() == SCHEMA_VERSION
    Ledger.open(path, create=True).close()  # init twice is harmless
    conn = _raw(path)
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    conn.execute("INSERT INTO schema_version VALUES (99, 'from the future', '2030-01-01')")
    conn.close()
    with pytest.raises(LedgerError) as error:
        Ledger.open(path)
    assert _code(error) == "SCHEMA_TOO_NEW"
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    for path_, code in ((other, "NOT_A_LEDGER"),):
        with pytest.raises(LedgerError) as error:
            Ledger.open(path_, create=True)
        assert _code(error) == code
    text = tmp_path / "notes.txt"
    text.write_text("not a database at all, just some text " * 50, encoding="utf-8")
    with pytest.raises(LedgerError) as error:
        Ledger.open(text)
    assert _code(error) == "NOT_A_LEDGER"


def test_migrations_upgrade_an_older_ledger(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from creditbank.ledger import sqlite as sqlite_store
    from creditbank.ledger.events import AccountOpened
    from creditbank.ledger.schema import MIGRATIONS

    assert SCHEMA_VERSION >= 2
    old, clash = tmp_path / "v1.db", tmp_path / "v1-clash.db"
    with monkeypatch.context() as patch:  # a ledger written before migration 2 existed
        patch.setattr(sqlite_store, "MIGRATIONS", MIGRATIONS[:1])
        patch.setattr(sqlite_store, "SCHEMA_VERSION", 1)
        for path, keys in ((old, ("k-a", "k-b")), (clash, ("k", "k"))):
            with _ledger(path) as ledger:
                assert ledger.store.schema_version() == 1
                with ledger.store.writing() as tx:  # v1 allowed one key on two accounts
                    for account, key in zip(("w-a", "w-b"), keys, strict=True):
                        opened = AccountOpened()
                        tx.append([Draft(account, NOW, OPERATOR, "open", key, "0" * 64, opened)])
    with Ledger.open(old) as ledger:  # reading does not upgrade it; the first write does
        assert ledger.verify().ok and ledger.accounts() == ["w-a", "w-b"]
        assert ledger.store.schema_version() == 1
        ledger.open_account("w-d", actor=OPERATOR, key="k-d")
        assert ledger.store.schema_version() == SCHEMA_VERSION
        assert ledger.verify().ok
    conn = _raw(old)
    with pytest.raises(sqlite3.IntegrityError, match=r"events\.command_key"):  # in SQL too
        conn.execute(
            "INSERT INTO events SELECT seq + 100, 'w-c', 1, type, command_key, command_hash,"
            " command_index, command_size, body, prev_hash, hash || 'x' FROM events WHERE seq = 1"
        )
    conn.close()
    with Ledger.open(clash) as ledger:  # still readable as it is
        assert ledger.verify().ok
        with pytest.raises(LedgerError) as error:  # data the new schema refuses: said clearly
            ledger.open_account("w-c", actor=OPERATOR, key="k-c")
        assert ledger.store.schema_version() == 1
    assert _code(error) == "STORE_REFUSED" and "schema version 2" in str(error.value)
    conn = _raw(clash)  # and left it as it was
    assert conn.execute("SELECT MAX(version) FROM schema_version").fetchone() == (1,)
    conn.close()


def test_every_ledger_error_code_is_documented() -> None:
    section = (ROOT / "docs" / "reference" / "errors.md").read_text(encoding="utf-8")
    missing = [code for code in LEDGER_ERROR_CODES if f"`{code}`" not in section]
    assert not missing


def test_readme_ledger_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    section = (ROOT / "docs" / "ledger.md").read_text(encoding="utf-8")
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "docs/ledger.md", "exec"), {})
    with Ledger.open(tmp_path / "bank.db") as ledger:
        assert ledger.verify().ok
        assert ledger.statement("w-001").programs[0].posted > 0


def test_only_a_bank_operator_backdates_an_application(ledger: Ledger) -> None:
    # Review finding (issue 17): a learner applied "as of" a day before their achievement
    # expired (or 0001-01-01) and was recognised credits they no longer hold.
    _deposit(ledger, "welder-l4", "robot-operator-l4")
    today = fixed_clock().date()
    for day in (today - dt.timedelta(days=1), dt.date(1, 1, 1)):
        with pytest.raises(LedgerError) as error:
            ledger.apply(W, P1, actor=ME, key=f"back:{day}", as_of=day)
        assert _code(error) == "NOT_AUTHORISED"
        assert "bank operator" in str(error.value)
    assert ledger.state(W).applications == {}
    assert ledger.apply(W, P1, actor=ME, key="today", as_of=today).application
    historical = ledger.apply(W, P1, actor=OPERATOR, key="hist", as_of=dt.date(2025, 1, 1))
    assert historical.application
