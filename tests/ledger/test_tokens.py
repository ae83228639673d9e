"""API tokens of a ledger (:mod:`creditbank.ledger.tokens`), on both backends: issue,
authenticate, revoke; what never authenticates; the secret never stored; the authority
model's rules; ledgers made before tokens; read-only ledgers; the table's own invariants."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from creditbank.errors import LedgerError
from creditbank.ledger import Ledger
from creditbank.ledger.schema import SCHEMA_VERSION
from creditbank.ledger.tokens import (
    TOKEN_PREFIX,
    authenticate,
    issue_token,
    list_tokens,
    parse_secret,
    revoke_token,
)
from creditbank.testing.ledger import OPERATOR, SCHOOL, fixed_clock
from creditbank.testing.strategies import token_secrets
from tests.bundled import bundled_standards
from tests.conftest import REFUSED_BY_STORE, LedgerBackend

STANDARDS = bundled_standards()


@pytest.fixture
def bank(ledger_backend: LedgerBackend) -> Iterator[Ledger]:
    """A new ledger on each backend, with the bundled standards and a fixed clock."""
    with Ledger.open(ledger_backend.new(), STANDARDS, create=True, clock=fixed_clock) as ledger:
        yield ledger


def _code(error: pytest.ExceptionInfo[LedgerError]) -> str:
    return error.value.code


def test_issue_authenticate_revoke_round_trip(bank: Ledger) -> None:
    issued = issue_token(
        bank, role="academic_affairs", name="staff-registrar-1", organisation=SCHOOL
    )
    record = issued.record
    assert issued.secret.startswith(f"{TOKEN_PREFIX}{record.token_id}_")
    assert parse_secret(issued.secret) == record.token_id
    assert record.created_at == fixed_clock() and not record.revoked
    assert (record.role, record.organisation, record.learner) == ("academic_affairs", SCHOOL, None)
    assert authenticate(bank, issued.secret) == record
    assert authenticate(bank.store, issued.secret) == record  # a store does as well
    other = issue_token(bank, role="learner", name="w-1", learner="w-1")
    by_age = sorted([record, other.record], key=lambda r: (r.created_at, r.token_id))
    assert list_tokens(bank) == by_age  # the same moment: by id
    assert other.secret != issued.secret

    revoked = revoke_token(bank, record.token_id)
    assert revoked.revoked_at == fixed_clock() and revoked.token_id == record.token_id
    assert authenticate(bank, issued.secret) is None
    assert authenticate(bank, other.secret) == other.record  # the other one still works
    later = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    assert revoke_token(bank, record.token_id, at=later) == revoked  # the first time stays
    assert revoked in list_tokens(bank) and other.record in list_tokens(bank)
    assert "secret" not in repr(issued)  # not logged by accident
    assert bank.verify().ok  # tokens are not events: the chain and schema still verify


def test_an_unknown_token_cannot_be_revoked(bank: Ledger) -> None:
    issue_token(bank, role="bank_operator", name="op-1")
    for token_id in ("0123456789abcdef", "", "x" * 10_000):
        with pytest.raises(LedgerError) as error:
            revoke_token(bank, token_id)
        assert _code(error) == "UNKNOWN_TOKEN"
        assert len(str(error.value)) < 200


def _variants(secret: str) -> list[str]:
    """Near misses of a real secret: tampered, truncated, extended, re-cased, wrapped."""
    body = secret.removeprefix(TOKEN_PREFIX)
    flipped = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    return [
        flipped,
        secret[:-1],
        secret + "A",
        secret[:20],
        secret.upper(),
        f"Bearer {secret}",
        f" {secret}",
        f"{secret}\n",
        "cbk-" + body,
        TOKEN_PREFIX + body.replace("_", "-", 1),
        "",
        TOKEN_PREFIX,
    ]


def test_near_misses_and_revoked_secrets_authenticate_no_one(bank: Ledger) -> None:
    issued = issue_token(bank, role="issuer", name="issuer-staff-1", organisation=SCHOOL)
    for near in _variants(issued.secret):
        assert authenticate(bank, near) is None, near
    # the right id with another token's random part
    other = issue_token(bank, role="bank_operator", name="op-1")
    swapped = issued.secret[: len(TOKEN_PREFIX) + 17] + other.secret[len(TOKEN_PREFIX) + 17 :]
    assert parse_secret(swapped) == issued.record.token_id
    assert authenticate(bank, swapped) is None
    for garbage in (None, 42, b"cbk_", ["cbk_"], "\0" * 64, "\ud800" * 64, "蛋" * 64):
        assert authenticate(bank, garbage) is None


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_only_the_exact_secret_authenticates(bank: Ledger, data: st.DataObject) -> None:
    """For any text, and for anything shaped like a secret: authenticate never raises, and
    says yes only for the exact secret of a live token."""
    issued = getattr(bank, "_test_issued", None)
    if issued is None:  # once per ledger (the fixture's ledger lives for all examples)
        issued = issue_token(bank, role="learner", name="w-7", learner="w-7")
        bank._test_issued = issued  # type: ignore[attr-defined]
    candidate = data.draw(token_secrets(issued.secret))
    found = authenticate(bank, candidate)
    if candidate == issued.secret:
        assert found == issued.record
    else:
        assert found is None


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"role": "learner", "name": "w-1"}, "BAD_TOKEN_REQUEST"),  # no account
        (
            {"role": "learner", "name": "w-1", "learner": "w-1", "organisation": SCHOOL},
            "BAD_TOKEN_REQUEST",
        ),
        ({"role": "bank_operator", "name": "op-1", "learner": "w-1"}, "BAD_TOKEN_REQUEST"),
        ({"role": "issuer", "name": "i-1"}, "BAD_TOKEN_REQUEST"),  # no organisation
        ({"role": "school_reviewer", "name": "r-1"}, "BAD_TOKEN_REQUEST"),
        ({"role": "academic_affairs", "name": "a-1"}, "BAD_TOKEN_REQUEST"),
        (
            {"role": "academic_affairs", "name": "a-1", "organisation": "no-such-school"},
            "BAD_TOKEN_REQUEST",
        ),
        ({"role": "academic_affairs", "name": "a-1", "organisation": ""}, "BAD_TOKEN_REQUEST"),
        ({"role": "registrar", "name": "a-1"}, "BAD_TOKEN_REQUEST"),
        ({"role": "bank_operator", "name": "has space"}, "MALFORMED_COMMAND"),
        ({"role": "bank_operator", "name": "11010519491231002X"}, "PERSONAL_IDENTIFIER"),
        (
            {"role": "learner", "name": "w-1", "learner": "11010519491231002X"},
            "PERSONAL_IDENTIFIER",
        ),
        ({"role": "learner", "name": "w-1", "learner": "a/b"}, "MALFORMED_COMMAND"),
    ],
)
def test_the_authority_model_rules(
    ledger_backend: LedgerBackend, fields: dict[str, str], code: str
) -> None:
    where = ledger_backend.new()
    with Ledger.open(where, STANDARDS, create=True, clock=fixed_clock) as bank:
        before = list_tokens(bank)
        with pytest.raises(LedgerError) as error:
            issue_token(bank, **fields)  # type: ignore[arg-type]
        assert _code(error) == code
        assert list_tokens(bank) == before == []


def test_organisations_are_checked_only_against_standards_given(bank: Ledger) -> None:
    bare = Ledger(bank.store, None, clock=fixed_clock)  # the same ledger, no standards
    made = issue_token(bare, role="issuer", name="i-1", organisation="any-org")
    assert made.record.organisation == "any-org"
    with pytest.raises(LedgerError) as error:
        issue_token(
            bank.store, role="issuer", name="i-1", organisation="any-org", standards=STANDARDS
        )
    assert _code(error) == "BAD_TOKEN_REQUEST"


def test_the_secret_is_stored_nowhere(ledger_backend: LedgerBackend) -> None:
    where = ledger_backend.new()
    with Ledger.open(where, STANDARDS, create=True, clock=fixed_clock) as bank:
        issued = issue_token(bank, role="bank_operator", name="op-1")
        revoke_token(bank, issue_token(bank, role="bank_operator", name="op-2").record.token_id)
    # cbk_<16 hex id>_<43 url-safe chars>: the random part may itself hold "_", so it is
    # everything after the id (splitting on the last "_" could leave one letter, found by
    # chance in the file: a flaky test)
    random_part = issued.secret.removeprefix(f"cbk_{issued.record.token_id}_")
    assert len(random_part) >= 40, issued.secret
    contents = ledger_backend.contents(where)
    if isinstance(contents, bytes):  # the SQLite file, and a write-ahead log if one is left
        wal = Path(f"{where}-wal")
        contents += wal.read_bytes() if wal.exists() else b""
        assert issued.record.token_id.encode() in contents  # the row is there
        assert issued.secret.encode() not in contents
        assert random_part.encode() not in contents
    else:
        text = repr(contents)
        assert issued.record.token_id in text
        assert issued.secret not in text and random_part not in text


def test_the_table_keeps_its_own_invariants(ledger_backend: LedgerBackend) -> None:
    """Past creditbank, the database itself refuses to delete a token, to un-revoke one,
    or to change a token's role or secret hash."""
    where = ledger_backend.new()
    with Ledger.open(where, create=True, clock=fixed_clock) as bank:
        live = issue_token(bank, role="bank_operator", name="op-1").record.token_id
        gone = issue_token(bank, role="bank_operator", name="op-2").record.token_id
        revoke_token(bank, gone)
    refused = [
        f"DELETE FROM api_tokens WHERE token_id = '{live}'",
        f"UPDATE api_tokens SET revoked_at = NULL WHERE token_id = '{gone}'",
        f"UPDATE api_tokens SET role = 'learner', learner = 'w-1' WHERE token_id = '{live}'",
        f"UPDATE api_tokens SET secret_hash = repeat('0', 64) WHERE token_id = '{live}'"
        if ledger_backend.name == "postgresql"
        else f"UPDATE api_tokens SET secret_hash = printf('%064d', 0) WHERE token_id = '{live}'",
        "INSERT INTO api_tokens VALUES"
        " ('t', 'short', 'op', 'bank_operator', NULL, NULL, 'x', NULL)",
        "INSERT INTO api_tokens VALUES ('t', '"
        + "0" * 64
        + "', 'op', 'learner', NULL, NULL, 'x', NULL)",
        "INSERT INTO api_tokens VALUES ('t', '"
        + "0" * 64
        + "', 'op', 'issuer', NULL, NULL, 'x', NULL)",
    ]
    if ledger_backend.name == "postgresql":
        refused.append("TRUNCATE api_tokens")
    original = ledger_backend.contents(where)
    for sql in refused:
        with ledger_backend.raw(where) as conn, pytest.raises(REFUSED_BY_STORE):
            conn.execute(sql)
    assert ledger_backend.contents(where) == original


def _old_ledger(ledger_backend: LedgerBackend, monkeypatch: pytest.MonkeyPatch) -> str:
    """A ledger made, with an account, by the creditbank before tokens (schema version 6)."""
    from creditbank.ledger import postgres, sqlite
    from creditbank.ledger.schema import MIGRATIONS

    where = ledger_backend.new()
    with monkeypatch.context() as patch:
        patch.setattr(sqlite, "MIGRATIONS", MIGRATIONS[:6])
        patch.setattr(sqlite, "SCHEMA_VERSION", 6)
        patch.setattr(postgres, "PG_UPGRADES", ())
        with Ledger.open(where, create=True, clock=fixed_clock) as old:
            old.open_account("w-1", actor=OPERATOR, key="open-w-1")
            assert old.store.schema_version() == 6
    return where


def test_an_older_ledger_gains_the_table_on_its_first_write(
    ledger_backend: LedgerBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    where = _old_ledger(ledger_backend, monkeypatch)
    with Ledger.open(where, read_only=True) as reader:  # read-only: no table, no tokens
        assert reader.verify().ok
        assert list_tokens(reader) == []
        assert authenticate(reader, f"{TOKEN_PREFIX}{'0' * 16}_{'A' * 43}") is None
        with pytest.raises(LedgerError) as error:
            issue_token(reader, role="bank_operator", name="op-1")
        assert _code(error) == "READ_ONLY"
    with Ledger.open(where, clock=fixed_clock) as bank:
        assert list_tokens(bank) == [] and bank.store.schema_version() == 6  # reads never upgrade
        issued = issue_token(bank, role="bank_operator", name="op-1")
        assert bank.store.schema_version() == SCHEMA_VERSION  # upgraded to the newest
        assert authenticate(bank, issued.secret) == issued.record
        report = bank.verify()
        assert report.ok, report.structure_problems
        assert bank.statement("w-1").account == "w-1"


def test_a_read_only_ledger_lists_and_authenticates_but_issues_nothing(
    ledger_backend: LedgerBackend,
) -> None:
    where = ledger_backend.new()
    with Ledger.open(where, create=True, clock=fixed_clock) as bank:
        issued = issue_token(bank, role="bank_operator", name="op-1")
    before = ledger_backend.contents(where)
    with Ledger.open(where, read_only=True, clock=fixed_clock) as reader:
        assert list_tokens(reader) == [issued.record]
        assert authenticate(reader, issued.secret) == issued.record
        for attempt in (
            lambda: issue_token(reader, role="bank_operator", name="op-2"),
            lambda: revoke_token(reader, issued.record.token_id),
        ):
            with pytest.raises(LedgerError) as error:
                attempt()
            assert _code(error) == "READ_ONLY"
    assert ledger_backend.contents(where) == before


def test_ledger_copy_does_not_copy_tokens(ledger_backend: LedgerBackend) -> None:
    from creditbank.ledger.copy import copy_ledger

    source, destination = ledger_backend.new(), ledger_backend.new("copy")
    if ledger_backend.name == "sqlite":
        Path(destination).unlink(missing_ok=True)
    with Ledger.open(source, create=True, clock=fixed_clock) as bank:
        bank.open_account("w-1", actor=OPERATOR, key="open")
        issued = issue_token(bank, role="bank_operator", name="op-1")
    report = copy_ledger(source, destination)
    assert report.destination_verify.ok and report.events == 1
    with Ledger.open(destination, read_only=True) as copy:
        assert list_tokens(copy) == []
        assert authenticate(copy, issued.secret) is None


def test_times_are_stored_in_utc_and_listed_in_order(bank: Ledger) -> None:
    """09:00 in Beijing is before 02:00 UTC the same day; stored as text, the two still sort
    by the moment (each time is kept in UTC)."""
    beijing = dt.timezone(dt.timedelta(hours=8))
    issue_token(
        bank, role="bank_operator", name="op-late", at=dt.datetime(2026, 3, 1, 2, tzinfo=dt.UTC)
    )
    early = issue_token(
        bank, role="bank_operator", name="op-early", at=dt.datetime(2026, 3, 1, 9, tzinfo=beijing)
    )
    assert early.record.created_at == dt.datetime(2026, 3, 1, 1, tzinfo=dt.UTC)
    assert [r.name for r in list_tokens(bank)] == ["op-early", "op-late"]
    with pytest.raises(ValueError, match="timezone-aware"):
        revoke_token(bank, early.record.token_id, at=dt.datetime(2026, 3, 2))
