"""A hypothesis state machine drives the ledger with random commands, honest and not.

Deposits (from the right issuer or another), applications (of all or some achievements, as
of several days), reviews, approvals, rejections, revocations, expiries and overrides by
right and wrong actors, retries of earlier commands with their keys, conflicting reuses of
keys, and rebuilds of the projection. After every step:

* the chains verify and the cached projection equals the events replayed;
* posted credit never exceeds what the application recognised (the engine's lines and the
  registrar's overrides), per application and per programme, nor the programme's total,
  and never goes negative;
* nothing is posted twice: no line posted twice, no achievement live in two postings of one
  programme, no reversal without its posting, no live credit from an inactive achievement;
* a refused command changed nothing, and a retried one returned its first receipt; a used
  key given with other content, on any account, is refused.

The machine runs on each ledger backend (the ``ledger_backend`` fixture), a new ledger for
every example; fewer examples on PostgreSQL, where each makes a database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from creditbank import Achievement
from creditbank.engine.facts import make_facts
from creditbank.errors import LedgerError
from creditbank.ledger import Actor, Ledger, Receipt
from creditbank.ledger.postgres import PostgresStore
from creditbank.ledger.sqlite import SqliteStore
from creditbank.ledger.state import AccountState, replay
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
from tests.conftest import LedgerBackend

STANDARDS = bundled_standards()
ACCOUNTS = ("w-a", "w-b")
NAMES = sorted(MENU)
DAYS = (None, dt.date(2025, 1, 1), dt.date(2026, 1, 1))
OTHER_SCHOOL = Actor(id="t-x", role="academic_affairs", organisation="demo-city-college")
EXPIRING = [  # achievements of the menu with a validity that has run out before NOW
    name
    for name, a in MENU.items()
    if (until := make_facts(STANDARDS, Achievement.model_validate(a)).expires_on) is not None
    and until < NOW.date()
]
REQUIREMENTS = sorted({r.id for p in PROGRAMS for r in STANDARDS.programs[p].requirements})

Call = Callable[[str], Receipt]


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self, backend: LedgerBackend) -> None:
        super().__init__()
        self.backend = backend
        self.where = backend.new("machine")
        self.ledger = Ledger.open(
            self.where, STANDARDS, create=True, clock=fixed_clock, synchronous="OFF"
        )
        self.done: list[tuple[str, str, Call, Receipt]] = []
        self.count = 0
        self.refused = 0
        for account in ACCOUNTS:
            self.ledger.open_account(account, actor=learner(account), key=f"open-{account}")

    def teardown(self) -> None:
        self.ledger.close()
        self.backend.discard(self.where)

    # ------------------------------------------------------------ helpers

    def _state(self, account: str) -> AccountState:
        return self.ledger.state(account)

    def _apps(self, account: str, *states: str) -> list[str]:
        """Applications in one of ``states`` (any, when none is), else all, else a bad id."""
        apps = self._state(account).applications
        fitting = sorted(a for a, r in apps.items() if r.state in states)
        return fitting or sorted(apps) or ["app-1"]

    def _posted(self, account: str) -> list[str]:
        """Achievements a live posting holds."""
        return sorted({c.achievement for c in self._state(account).live_claims()})

    def _achievements(self, account: str) -> list[str]:
        return sorted(self._state(account).achievements) or ["elec-l3"]

    def _unchanged_marker(self) -> tuple[Any, ...]:
        store = self.ledger.store
        assert isinstance(store, SqliteStore | PostgresStore)
        counts = store.execute("SELECT COUNT(*), MAX(seq), MAX(hash) FROM events")
        return (counts, store.dump_projection())

    def _run(self, account: str, call: Call) -> Receipt | None:
        self.count += 1
        key = f"k{self.count}"
        before = self._unchanged_marker()
        try:
            receipt = call(key)
        except LedgerError as error:
            # the Python rules refuse first; the store's triggers are the second line
            assert error.code != "STORE_REFUSED", error
            self.refused += 1
            assert self._unchanged_marker() == before, "a refused command wrote something"
            return None
        assert not receipt.replayed
        self.done.append((account, key, call, receipt))
        return receipt

    # ------------------------------------------------------------ rules

    @initialize(
        first=st.lists(st.sampled_from(NAMES), min_size=3, max_size=8, unique=True),
        second=st.lists(st.sampled_from(NAMES), min_size=2, max_size=6, unique=True),
    )
    def deposits(self, first: list[str], second: list[str]) -> None:
        for account, names in zip(ACCOUNTS, (first, second), strict=True):
            for name in names:
                self._deposit(account, MENU[name], issuer_of(MENU[name]), "verified")

    @rule(
        account=st.sampled_from(ACCOUNTS),
        name=st.sampled_from(NAMES),
        honest=st.sampled_from([True, True, True, False]),
        verification=st.sampled_from(["verified", "pending"]),
    )
    def deposit(self, account: str, name: str, honest: bool, verification: str) -> None:
        achievement = MENU[name]
        actor = (
            issuer_of(achievement)
            if honest
            else Actor(id="s", role="issuer", organisation="demo-national-competition")
        )
        self._deposit(account, achievement, actor, verification)

    def _deposit(
        self, account: str, achievement: dict[str, Any], actor: Actor, verification: str
    ) -> None:
        self._run(
            account,
            lambda key: self.ledger.deposit(
                account,
                achievement,
                actor=actor,
                key=key,
                verification=verification,  # type: ignore[arg-type]
            ),
        )

    @rule(
        account=st.sampled_from(ACCOUNTS),
        program=st.sampled_from(PROGRAMS),
        as_of=st.sampled_from(DAYS),
        data=st.data(),
    )
    def apply(self, account: str, program: str, as_of: dt.date | None, data: st.DataObject) -> None:
        chosen: list[str] | None = None
        if data.draw(st.booleans()):
            chosen = data.draw(
                st.lists(st.sampled_from(self._achievements(account)), min_size=1, unique=True)
            )
        self._run(
            account,
            lambda key: self.ledger.apply(
                account,
                program,
                actor=learner(account),
                key=key,
                as_of=as_of,
                achievements=chosen,
            ),
        )

    @rule(
        account=st.sampled_from(ACCOUNTS),
        data=st.data(),
        honest=st.sampled_from([True, True, True, False]),
    )
    def review(self, account: str, data: st.DataObject, honest: bool) -> None:
        app = data.draw(st.sampled_from(self._apps(account, "applied")))
        actor = REVIEWER if honest else REGISTRAR
        self._run(account, lambda key: self.ledger.review(account, app, actor=actor, key=key))

    @rule(
        account=st.sampled_from(ACCOUNTS),
        data=st.data(),
        actor=st.sampled_from([REGISTRAR, REGISTRAR, REVIEWER, OTHER_SCHOOL]),
    )
    def approve(self, account: str, data: st.DataObject, actor: Actor) -> None:
        app = data.draw(st.sampled_from(self._apps(account, "reviewed")))
        self._run(
            account,
            lambda key: self.ledger.approve(account, app, actor=actor, key=key, reason="同意"),
        )

    @rule(
        account=st.sampled_from(ACCOUNTS),
        program=st.sampled_from(PROGRAMS),
        as_of=st.sampled_from(DAYS),
    )
    def post(self, account: str, program: str, as_of: dt.date | None) -> None:
        """The honest path in one step: apply, review, approve (so postings are common)."""
        # a dated application is a historical one, which only the bank records
        me = learner(account) if as_of is None else OPERATOR
        applied = self._run(
            account,
            lambda key: self.ledger.apply(account, program, actor=me, key=key, as_of=as_of),
        )
        app = applied.application if applied else None
        if app is None:
            return
        if self._run(
            account, lambda key: self.ledger.review(account, app, actor=REVIEWER, key=key)
        ):
            self._run(
                account, lambda key: self.ledger.approve(account, app, actor=REGISTRAR, key=key)
            )

    @rule(account=st.sampled_from(ACCOUNTS), data=st.data())
    def advance(self, account: str, data: st.DataObject) -> None:
        """The honest next step of an open application: review, or approve."""
        app = data.draw(st.sampled_from(self._apps(account, "applied", "reviewed")))
        record = self._state(account).applications.get(app)
        if record is not None and record.state == "reviewed":
            self._run(
                account, lambda key: self.ledger.approve(account, app, actor=REGISTRAR, key=key)
            )
        else:
            self._run(
                account, lambda key: self.ledger.review(account, app, actor=REVIEWER, key=key)
            )

    @rule(
        account=st.sampled_from(ACCOUNTS),
        data=st.data(),
        actor=st.sampled_from([REVIEWER, REGISTRAR, OPERATOR]),
    )
    def reject(self, account: str, data: st.DataObject, actor: Actor) -> None:
        app = data.draw(st.sampled_from(self._apps(account)))
        self._run(
            account,
            lambda key: self.ledger.reject(account, app, actor=actor, key=key, reason="不符合"),
        )

    @rule(
        account=st.sampled_from(ACCOUNTS),
        data=st.data(),
        by=st.sampled_from(["op", "own", "other"]),
    )
    def revoke(self, account: str, data: st.DataObject, by: str) -> None:
        posted = self._posted(account)
        if posted and data.draw(st.integers(0, 3)):  # mostly what is posted: compensate it
            names = posted
        elif data.draw(st.integers(0, 2)):  # other revocations are rarer than the rest
            return
        else:
            names = self._achievements(account)
        name = data.draw(st.sampled_from(names))
        actor = {
            "op": OPERATOR,
            "own": issuer_of(MENU[name]),
            "other": Actor(id="s", role="issuer", organisation="demo-x-organisation"),
        }[by]
        self._run(
            account,
            lambda key: self.ledger.revoke(account, name, actor=actor, key=key, reason="撤销"),
        )

    @rule(
        account=st.sampled_from(ACCOUNTS),
        data=st.data(),
        as_of=st.sampled_from([dt.date(2025, 6, 1), dt.date(2026, 3, 1)]),
    )
    def expire(self, account: str, data: st.DataObject, as_of: dt.date) -> None:
        state = self._state(account)
        posted = self._posted(account)
        expiring = [n for n in EXPIRING if n in posted] or [
            n for n in EXPIRING if n in state.achievements
        ]
        if expiring and data.draw(st.integers(0, 3)):  # mostly one that can expire
            names = expiring
        elif data.draw(st.integers(0, 2)):  # other expiries are rarer than the rest
            return
        else:
            names = self._achievements(account)
        name = data.draw(st.sampled_from(names))
        self._run(
            account,
            lambda key: self.ledger.expire(account, name, actor=OPERATOR, key=key, as_of=as_of),
        )

    @rule(
        account=st.sampled_from(ACCOUNTS),
        data=st.data(),
        action=st.sampled_from(["grant", "deny"]),
        requirement=st.sampled_from(REQUIREMENTS),
        credits=st.sampled_from(["1", "1.5", "0.25", "2"]),
        honest=st.sampled_from([True, True, False]),
    )
    def override(
        self,
        *,
        account: str,
        data: st.DataObject,
        action: str,
        requirement: str,
        credits: str,
        honest: bool,
    ) -> None:
        app = data.draw(st.sampled_from(self._apps(account, "applied", "reviewed")))
        record = self._state(account).applications.get(app)
        names = list(record.achievements) if record else self._achievements(account)
        name = data.draw(st.sampled_from(names))
        grant = action == "grant"
        self._run(
            account,
            lambda key: self.ledger.override(
                account,
                app,
                actor=REGISTRAR if honest else REVIEWER,
                key=key,
                action="grant" if grant else "deny",
                achievement=name,
                reason="例外",
                requirement=requirement if grant else None,
                credits=credits if grant else None,
            ),
        )

    @precondition(lambda self: bool(self.done))
    @rule(data=st.data())
    def retry(self, data: st.DataObject) -> None:
        _, key, call, first = data.draw(st.sampled_from(self.done))
        before = self._unchanged_marker()
        again = call(key)
        assert again.replayed and again.events == first.events
        assert self._unchanged_marker() == before

    @precondition(lambda self: bool(self.done))
    @rule(data=st.data())
    def reuse_key(self, data: st.DataObject) -> None:
        _, key, _, _ = data.draw(st.sampled_from(self.done))
        account = data.draw(st.sampled_from(ACCOUNTS))  # a key is spent on every account
        before = self._unchanged_marker()
        try:
            self.ledger.reject(account, "app-1", actor=REGISTRAR, key=key, reason=f"conflict {key}")
        except LedgerError as error:
            assert error.code == "IDEMPOTENCY_CONFLICT"
        else:
            raise AssertionError("a reused key with other content was accepted")
        assert self._unchanged_marker() == before

    @rule()
    def rebuild(self) -> None:
        before = self.ledger.store.dump_projection()
        self.ledger.rebuild_projection()
        assert self.ledger.store.dump_projection() == before

    # ------------------------------------------------------------ invariants

    @invariant()
    def replay_equals_projection_and_chains_verify(self) -> None:
        report = self.ledger.verify()
        assert report.ok, report
        assert report.projection == "ok"

    @invariant()
    def posted_within_recognised_and_never_twice(self) -> None:
        for state in replay(self.ledger.events()).values():
            _check_account(state)


def _check_account(state: AccountState) -> None:
    posts = [(e.application, e.line) for e in state.entries if e.kind == "post"]
    assert len(posts) == len(set(posts)), "a line was posted twice"
    reversals = [(e.application, e.line) for e in state.entries if e.kind == "reversal"]
    assert len(reversals) == len(set(reversals)) and set(reversals) <= set(posts)
    for app in state.applications.values():
        posted = sum((e.amount for e in state.entries if e.application == app.id), Decimal(0))
        assert Decimal(0) <= posted <= app.granted(), (app.id, posted, app.granted())
        if app.state not in ("posted", "superseded"):
            assert posted == 0 and not any(e.application == app.id for e in state.entries)
    live_claims = [(c.program, c.achievement) for c in state.live_claims()]
    assert len(live_claims) == len(set(live_claims)), "an achievement is posted twice"
    for program in state.programs():
        live = state.live_posts(program)
        holders = {e.application for e in live}
        assert len(holders) <= 1, f"two live postings in {program}: {holders}"
        net = state.posted(program)
        assert net == sum((e.amount for e in live), Decimal(0)) >= 0
        assert net <= STANDARDS.programs[program].total_credits
        if holders:
            (holder,) = holders
            assert net <= state.applications[holder].granted()
        for entry in live:
            line = state.applications[entry.application].lines[entry.line]
            assert entry.amount == line.credits
            for achievement in line.achievements:
                assert state.achievements[achievement].status == "active"
                assert (program, achievement) in live_claims


def test_ledger_machine(ledger_backend: LedgerBackend) -> None:
    run_state_machine_as_test(
        lambda: LedgerMachine(ledger_backend),
        settings=settings(
            max_examples=60 if ledger_backend.name == "sqlite" else 12,
            stateful_step_count=50,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
