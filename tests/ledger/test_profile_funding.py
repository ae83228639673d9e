"""Profiles and funded places in the ledger (issue 19 item 5): who may record them, what a
grant must name, how they replay, and that an old ledger without them still reads. The
``ledger`` fixture runs on each backend (SQLite, PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import ValidationError

from creditbank.errors import LedgerError
from creditbank.ledger import Actor, Ledger
from creditbank.ledger.commands import RecordProfile
from creditbank.ledger.events import ProfileRecorded
from creditbank.testing.ledger import OPERATOR, PROGRAMS, REGISTRAR, fixed_clock, learner
from tests.bundled import bundled_standards
from tests.conftest import LedgerBackend

STANDARDS = bundled_standards()
W = "w-001"
ME = learner(W)
P1, P2 = PROGRAMS
SCHEME = "求学圆梦行动"
RULE_P1 = "fund:demo-college:460301:qxym"
RULE_P2 = "fund:demo-college:460304:qxym-migrant"


@pytest.fixture
def ledger(ledger_backend: LedgerBackend) -> Iterator[Ledger]:
    with Ledger.open(ledger_backend.new(), STANDARDS, create=True, clock=fixed_clock) as opened:
        opened.open_account(W, actor=ME, key="open")
        yield opened


def _refused(call: object, code: str) -> None:
    assert callable(call)
    with pytest.raises(LedgerError) as caught:
        call()
    assert caught.value.code == code, caught.value


def test_a_profile_is_recorded_and_replaced_whole(ledger: Ledger) -> None:
    ledger.record_profile(W, actor=ME, key="p1", region="440300", migrant_worker=True)
    assert ledger.state(W).profile == ProfileRecorded(region="440300", migrant_worker=True)
    ledger.record_profile(W, actor=OPERATOR, key="p2", education="associate")
    # replaced whole: the region recorded before is unknown again, not kept
    assert ledger.state(W).profile == ProfileRecorded(education="associate")
    assert ledger.verify().ok


def test_only_the_learner_or_an_operator_records_a_profile(ledger: Ledger) -> None:
    other = learner("w-002")
    _refused(lambda: ledger.record_profile(W, actor=other, key="x", region="44"), "NOT_AUTHORISED")
    _refused(lambda: ledger.record_profile(W, actor=REGISTRAR, key="y"), "NOT_AUTHORISED")
    assert ledger.state(W).profile is None


def test_a_profile_holds_no_identifying_or_malformed_field(ledger: Ledger) -> None:
    _refused(
        lambda: ledger.record_profile(W, actor=ME, key="x", region="Shenzhen"),
        "MALFORMED_COMMAND",
    )
    with pytest.raises(ValidationError, match="name"):  # no field for a name, ever
        RecordProfile.model_validate({"account": W, "actor": ME, "name": "张三"})
    assert ledger.state(W).profile is None


def test_funding_is_granted_under_a_funding_rule_and_withdrawn(ledger: Ledger) -> None:
    ledger.fund(W, P2, actor=OPERATOR, key="f1", scheme=SCHEME, rule=RULE_P2)
    (held,) = ledger.state(W).funded()
    assert (held.program, held.scheme, held.rule) == (P2, SCHEME, RULE_P2)
    _refused(
        lambda: ledger.fund(W, P2, actor=OPERATOR, key="f2", scheme=SCHEME, rule=RULE_P2),
        "INVALID_TRANSITION",
    )
    ledger.fund(W, P2, actor=OPERATOR, key="f3", scheme=SCHEME, decision="withdrawn", reason="退学")
    assert ledger.state(W).funded() == []
    assert [f.withdrawn_seq is not None for f in ledger.state(W).funding] == [True]


def test_a_place_granted_by_catalogue_code_is_withdrawn_by_it(ledger: Ledger) -> None:
    # review finding: a grant resolved "460301" to its programme, a withdrawal did not
    code = STANDARDS.programs[P1].code
    assert code is not None and code != P1
    ledger.fund(W, code, actor=OPERATOR, key="g", scheme=SCHEME, rule=RULE_P1)
    ledger.fund(W, code, actor=OPERATOR, key="w", scheme=SCHEME, decision="withdrawn", reason="x")
    assert ledger.state(W).funded() == []
    assert [f.program for f in ledger.state(W).funding] == [P1]


def test_a_grant_names_a_funding_rule_of_that_programme_and_scheme(ledger: Ledger) -> None:
    grant = ledger.fund
    _refused(lambda: grant(W, P1, actor=OPERATOR, key="a", scheme=SCHEME), "MALFORMED_COMMAND")
    _refused(
        lambda: grant(W, P1, actor=OPERATOR, key="b", scheme=SCHEME, rule=RULE_P2),
        "UNKNOWN_FUNDING_RULE",
    )
    _refused(
        lambda: grant(W, P1, actor=OPERATOR, key="c", scheme="其他", rule=RULE_P1),
        "UNKNOWN_FUNDING_RULE",
    )
    _refused(
        lambda: grant(W, P1, actor=OPERATOR, key="d", scheme=SCHEME, rule="no-such-rule"),
        "UNKNOWN_FUNDING_RULE",
    )
    _refused(
        lambda: grant(W, "no:such", actor=OPERATOR, key="e", scheme=SCHEME, rule=RULE_P1),
        "UNKNOWN_PROGRAM",
    )
    assert ledger.state(W).funding == []


def test_only_a_bank_operator_funds(ledger: Ledger) -> None:
    for actor in (ME, REGISTRAR, Actor(id="i-1", role="issuer", organisation="demo-employer")):
        _refused(
            lambda a=actor: ledger.fund(
                W, P1, actor=a, key=f"k-{a.id}", scheme=SCHEME, rule=RULE_P1
            ),
            "NOT_AUTHORISED",
        )


def test_withdrawing_what_was_never_granted_is_refused(ledger: Ledger) -> None:
    _refused(
        lambda: ledger.fund(
            W, P1, actor=OPERATOR, key="w", scheme=SCHEME, decision="withdrawn", reason="x"
        ),
        "INVALID_TRANSITION",
    )


@pytest.mark.parametrize("batch", [1, 2, 3, 1000])
def test_stream_accounts_gives_each_account_whole_in_order(ledger: Ledger, batch: int) -> None:
    for index in (3, 1, 2):
        ledger.open_account(f"w-1{index}", actor=OPERATOR, key=f"o{index}")
        ledger.record_profile(f"w-1{index}", actor=OPERATOR, key=f"pr{index}", region="44")
    ledger.record_profile(W, actor=ME, key="p1", region="44")
    ledger.fund(W, P1, actor=OPERATOR, key="f1", scheme=SCHEME, rule=RULE_P1)
    streamed = list(ledger.stream_accounts(batch=batch))
    assert [group[0].account for group in streamed] == sorted(ledger.accounts())
    for group in streamed:
        assert group == ledger.events(group[0].account)
