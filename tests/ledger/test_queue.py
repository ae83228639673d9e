"""The review queue (creditbank/ledger/queue.py) and the account summary
(creditbank/ledger/summary.py), from the library."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creditbank.errors import LedgerError
from creditbank.ledger import Actor, Ledger
from creditbank.ledger.events import Role
from creditbank.ledger.queue import QUEUE_ROLES, review_queue, visible_school
from creditbank.ledger.state import replay
from creditbank.testing.ledger import (
    MENU,
    OPERATOR,
    PROGRAMS,
    REGISTRAR,
    REVIEWER,
    fixed_clock,
    issuer_of,
    learner,
)
from tests.bundled import bundled_standards

STANDARDS = bundled_standards()


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    with Ledger.open(tmp_path / "bank.db", STANDARDS, create=True, clock=fixed_clock) as lg:
        for account in ("w-001", "w-002"):
            lg.open_account(account, actor=learner(account), key=f"o-{account}")
            for name in ("elec-l3", "elec-l4"):
                lg.deposit(
                    account, MENU[name], actor=issuer_of(MENU[name]), key=f"{account}-{name}"
                )
        lg.apply("w-001", PROGRAMS[0], actor=learner("w-001"), key="a1")
        lg.apply("w-002", PROGRAMS[1], actor=learner("w-002"), key="a2")
        lg.apply("w-001", PROGRAMS[1], actor=learner("w-001"), key="a3")
        lg.review("w-002", "app-1", actor=REVIEWER, key="r2")
        yield lg


def test_school_staff_see_their_school_oldest_first(ledger: Ledger) -> None:
    items = ledger.review_queue(REVIEWER)
    assert [(i.account, i.application, i.state) for i in items] == [
        ("w-001", "app-1", "applied"),
        ("w-002", "app-1", "reviewed"),
        ("w-001", "app-2", "applied"),
    ]
    assert items[1].reviewed_by == REVIEWER.id
    assert all(i.school == REVIEWER.organisation for i in items)
    assert all(i.granted == i.recognised for i in items)
    assert ledger.review_queue(REGISTRAR, state="reviewed")[0].account == "w-002"
    assert [i.account for i in ledger.review_queue(REGISTRAR, program=PROGRAMS[1])] == [
        "w-002",
        "w-001",
    ]


def test_another_school_sees_nothing_and_an_operator_everything(ledger: Ledger) -> None:
    other = Actor(id="staff-x", role="school_reviewer", organisation="other-college")
    assert ledger.review_queue(other) == []
    assert len(ledger.review_queue(OPERATOR)) == 3


@pytest.mark.parametrize(
    "actor",
    [
        learner("w-001"),
        Actor(id="issuer-1", role="issuer", organisation="demo-employer"),
        Actor(id="staff-y", role="academic_affairs"),  # for no school: fails closed
    ],
    ids=["learner", "issuer", "no-organisation"],
)
def test_no_queue_for_other_roles(ledger: Ledger, actor: Actor) -> None:
    with pytest.raises(LedgerError) as error:
        ledger.review_queue(actor)
    assert error.value.code == "NOT_AUTHORISED"


@pytest.fixture(scope="module")
def small_ledger(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One application of w-001 to a demo-college programme."""
    path = str(tmp_path_factory.mktemp("queue") / "queue.db")
    with Ledger.open(path, STANDARDS, create=True, clock=fixed_clock) as lg:
        lg.open_account("w-001", actor=learner("w-001"), key="o")
        lg.deposit("w-001", MENU["elec-l3"], actor=issuer_of(MENU["elec-l3"]), key="d")
        lg.apply("w-001", PROGRAMS[0], actor=learner("w-001"), key="a")
    return path


@given(
    role=st.sampled_from(QUEUE_ROLES),
    school=st.sampled_from(["demo-college", "other-college", "x"]),
)
def test_a_queue_never_shows_another_school(small_ledger: str, role: Role, school: str) -> None:
    """Whatever the school staff's organisation, every item they see is of that school, and
    they see it exactly when it is theirs."""
    actor = Actor(id="staff-z", role=role, organisation=school)
    with Ledger.open(small_ledger, STANDARDS, read_only=True) as lg:
        seen = lg.review_queue(actor)
    expected = visible_school(actor)
    assert all(expected is None or item.school == expected for item in seen)
    assert len(seen) == (1 if expected in (None, "demo-college") else 0)


def test_review_queue_takes_states_as_a_mapping_or_an_iterable(ledger: Ledger) -> None:
    states = replay(ledger.events())
    assert review_queue(states, OPERATOR) == review_queue(list(states.values()), OPERATOR)


def test_the_summary_agrees_with_the_statement(ledger: Ledger) -> None:
    ledger.approve("w-002", "app-1", actor=REGISTRAR, key="p2")
    summary = ledger.summary("w-002")
    statement = ledger.statement("w-002")
    assert summary.events == statement.events
    assert summary.applications == {"posted": 1}
    assert summary.achievements == {"active": 2}
    assert summary.posted == {p.program: p.posted for p in statement.programs}
    assert summary.posted[PROGRAMS[1]] > Decimal(0)
    assert summary.last_event_at == ledger.events("w-002")[-1].at
    with pytest.raises(LedgerError) as error:
        ledger.summary("w-404")
    assert error.value.code == "UNKNOWN_ACCOUNT"
    with pytest.raises(LedgerError) as error:
        ledger.account_events("w-404")
    assert error.value.code == "UNKNOWN_ACCOUNT"


# ------------------------------------------------------------------ who reads an account


def test_who_reads_which_account(ledger: Ledger) -> None:
    # Review finding (issue 17): school staff read every learner of every school.
    other_school = Actor(id="t-8", role="school_reviewer", organisation="demo-city-college")
    ledger.open_account("w-003", actor=learner("w-003"), key="o-w-003")  # never applied
    assert ledger.readable_accounts(OPERATOR) == ["w-001", "w-002", "w-003"]
    assert ledger.readable_accounts(REVIEWER) == ["w-001", "w-002"]
    assert ledger.readable_accounts(REGISTRAR) == ["w-001", "w-002"]
    assert ledger.readable_accounts(other_school) == []
    assert ledger.readable_accounts(learner("w-002")) == ["w-002"]
    assert ledger.readable_accounts(issuer_of(MENU["elec-l3"])) == []
    assert ledger.may_read(REVIEWER, "w-001")
    assert not ledger.may_read(REVIEWER, "w-003")
    assert not ledger.may_read(REVIEWER, "w-404")  # unknown: refused, not told apart
    assert not ledger.may_read(other_school, "w-001")
    assert ledger.may_read(OPERATOR, "w-404")  # an operator is told it does not exist
    assert ledger.may_read(learner("w-001"), "w-001")
    assert not ledger.may_read(learner("w-001"), "w-002")
    assert not ledger.may_read(issuer_of(MENU["elec-l3"]), "w-001")


def test_school_staff_of_no_organisation_read_nothing(ledger: Ledger) -> None:
    nowhere = Actor(id="t-0", role="academic_affairs")
    assert ledger.readable_accounts(nowhere) == []
    assert not ledger.may_read(nowhere, "w-001")
