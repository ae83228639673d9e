"""The cached projection: tables derived from the events, written with them, rebuildable.

:func:`project` writes one event's effect into the projection tables, in the transaction
that appends the event, so the tables' constraints and triggers
(:mod:`creditbank.ledger.schema`) can refuse a command that would break an invariant.
:func:`rebuild` drops the tables and replays every event; it reproduces them exactly.
:func:`snapshot_tables` and :func:`snapshot_states` put the tables and the pure replay
(:mod:`creditbank.ledger.state`) in the same comparable shape.

The SQL uses ``?`` parameters and nothing beyond standard SQL, so a PostgreSQL store can
reuse it with its own parameter style.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, Protocol

from creditbank.errors import LedgerError
from creditbank.ledger.chain import canonical_json
from creditbank.ledger.events import (
    AccountOpened,
    AchievementDeposited,
    AchievementExpired,
    AchievementRevoked,
    ApplicationApproved,
    ApplicationRejected,
    ApplicationReviewed,
    ApplicationSubmitted,
    CreditsPosted,
    CreditsReversed,
    Event,
    Line,
    OverrideRecorded,
)
from creditbank.ledger.state import AccountState

__all__ = [
    "Cursor",
    "Snapshot",
    "cents",
    "dump_tables",
    "project",
    "snapshot_states",
    "snapshot_tables",
]

Snapshot = dict[str, list[tuple[Any, ...]]]


class Cursor(Protocol):
    """The part of a DB-API cursor the projection uses."""

    def execute(self, sql: str, parameters: tuple[Any, ...] = ..., /) -> Any: ...

    def fetchall(self) -> list[Any]: ...


def cents(amount: Decimal) -> int:
    """An exact credit amount in hundredths; more than two decimal places is an error.

    >>> cents(Decimal("1.5")), cents(Decimal("-8"))
    (150, -800)
    """
    scaled = amount * 100
    if scaled != scaled.to_integral_value():
        raise LedgerError(
            "AMOUNT_NOT_EXACT",
            f"the amount {amount} has more than two decimal places",
            amount=str(amount),
        )
    return int(scaled)


def _line_rows(account: str, application: str, line: Line, seq: int) -> tuple[Any, ...]:
    return (
        account,
        application,
        line.line,
        line.source,
        line.rule,
        line.requirement,
        line.course,
        line.kind,
        cents(line.credits),
        line.recorded_grade,
        seq,
    )


def _insert_line(cur: Cursor, account: str, application: str, line: Line, seq: int) -> None:
    cur.execute(
        "INSERT INTO allocation_lines (account, application, line, source, rule, requirement,"
        " course, kind, credits_cents, recorded_grade, added_seq)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        _line_rows(account, application, line, seq),
    )
    for achievement in line.achievements:
        cur.execute(
            "INSERT INTO line_achievements (account, application, line, achievement)"
            " VALUES (?, ?, ?, ?)",
            (account, application, line.line, achievement),
        )


def _move(cur: Cursor, event: Event, application: str, state: str) -> None:
    reviewer = ", reviewed_by = ?" if state == "reviewed" else ""
    params: tuple[Any, ...] = (state, event.seq)
    if reviewer:
        params += (event.actor.id,)
    cur.execute(
        f"UPDATE applications SET state = ?, state_seq = ?{reviewer}"
        " WHERE account = ? AND application = ?",
        (*params, event.account, application),
    )


def _submitted(cur: Cursor, event: Event, payload: ApplicationSubmitted) -> None:
    account = event.account
    cur.execute(
        "INSERT INTO applications (account, application, program, school, as_of,"
        " standards_fingerprint, evaluation, recognised_cents, state, applied_seq, state_seq)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'applied', ?, ?)",
        (
            account,
            payload.application,
            payload.program,
            payload.school,
            payload.as_of.isoformat(),
            payload.standards_fingerprint,
            canonical_json(payload.evaluation),
            cents(payload.recognised),
            event.seq,
            event.seq,
        ),
    )
    for achievement in payload.achievements:
        cur.execute(
            "INSERT INTO application_achievements (account, application, achievement)"
            " VALUES (?, ?, ?)",
            (account, payload.application, achievement),
        )
    for line in payload.lines:
        _insert_line(cur, account, payload.application, line, event.seq)


def _posted(cur: Cursor, event: Event, payload: CreditsPosted) -> None:
    for achievement in payload.claims:
        cur.execute(
            "INSERT INTO claims (account, program, achievement, application, claimed_seq)"
            " VALUES (?, ?, ?, ?, ?)",
            (event.account, payload.program, achievement, payload.application, event.seq),
        )
    for line in payload.lines:
        cur.execute(
            "INSERT INTO entries (account, program, application, line, kind, amount_cents, seq)"
            " VALUES (?, ?, ?, ?, 'post', ?, ?)",
            (
                event.account,
                payload.program,
                payload.application,
                line.line,
                cents(line.credits),
                event.seq,
            ),
        )
    _move(cur, event, payload.application, "posted")


def _reversed(cur: Cursor, event: Event, payload: CreditsReversed) -> None:
    for line in payload.lines:
        cur.execute(
            "INSERT INTO entries (account, program, application, line, kind, amount_cents,"
            " reverses, cause, seq)"
            " VALUES (?, ?, ?, ?, 'reversal', ?, (SELECT entry FROM entries WHERE account = ?"
            " AND application = ? AND line = ? AND kind = 'post'), ?, ?)",
            (
                event.account,
                payload.program,
                line.application,
                line.line,
                -cents(line.credits),
                event.account,
                line.application,
                line.line,
                payload.cause,
                event.seq,
            ),
        )
    for claim in payload.released:
        cur.execute(
            "UPDATE claims SET released_seq = ? WHERE account = ? AND program = ?"
            " AND achievement = ? AND application = ? AND released_seq IS NULL",
            (event.seq, event.account, payload.program, claim.achievement, claim.application),
        )
    for application in payload.superseded:
        _move(cur, event, application, "superseded")


def project(cur: Cursor, event: Event) -> None:
    """Write one event's effect into the projection tables."""
    payload = event.payload
    account = event.account
    if isinstance(payload, AccountOpened):
        cur.execute(
            "INSERT INTO accounts (account, opened_seq, opened_by, opened_role)"
            " VALUES (?, ?, ?, ?)",
            (account, event.seq, event.actor.id, event.actor.role),
        )
    elif isinstance(payload, AchievementDeposited):
        a = payload.achievement
        cur.execute(
            "INSERT INTO achievements (account, achievement, unit, level, issuer, earned_on,"
            " expires_on, verification, evidence, status, deposited_seq)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?)",
            (
                account,
                a.id,
                str(a.unit),
                a.level,
                str(a.issuer),
                a.earned_on.isoformat(),
                a.expires_on.isoformat() if a.expires_on else None,
                payload.verification,
                payload.evidence,
                event.seq,
            ),
        )
    elif isinstance(payload, ApplicationSubmitted):
        _submitted(cur, event, payload)
    elif isinstance(payload, ApplicationReviewed):
        _move(cur, event, payload.application, "reviewed")
    elif isinstance(payload, ApplicationApproved):
        _move(cur, event, payload.application, "approved")
    elif isinstance(payload, ApplicationRejected):
        _move(cur, event, payload.application, "rejected")
    elif isinstance(payload, CreditsPosted):
        _posted(cur, event, payload)
    elif isinstance(payload, CreditsReversed):
        _reversed(cur, event, payload)
    elif isinstance(payload, AchievementRevoked | AchievementExpired):
        status = "revoked" if isinstance(payload, AchievementRevoked) else "expired"
        cur.execute(
            "UPDATE achievements SET status = ?, status_seq = ?, status_reason = ?"
            " WHERE account = ? AND achievement = ?",
            (status, event.seq, payload.reason, account, payload.achievement),
        )
    elif isinstance(payload, OverrideRecorded):
        if payload.grant is not None:
            _insert_line(cur, account, payload.application, payload.grant, event.seq)
        for number in payload.denied:
            cur.execute(
                "UPDATE allocation_lines SET denied_seq = ?"
                " WHERE account = ? AND application = ? AND line = ?",
                (event.seq, account, payload.application, number),
            )


# ----------------------------------------------------------------- comparison

_SNAPSHOT_SQL: Mapping[str, str] = {
    "accounts": "SELECT account, opened_seq, opened_by, opened_role FROM accounts",
    "achievements": "SELECT account, achievement, unit, level, issuer, earned_on, expires_on,"
    " verification, evidence, status, deposited_seq, status_seq, status_reason"
    " FROM achievements",
    "applications": "SELECT account, application, program, school, as_of,"
    " standards_fingerprint, evaluation, recognised_cents, state, applied_seq, state_seq,"
    " reviewed_by FROM applications",
    "application_achievements": "SELECT account, application, achievement"
    " FROM application_achievements",
    "allocation_lines": "SELECT account, application, line, source, rule, requirement, course,"
    " kind, credits_cents, recorded_grade, added_seq, denied_seq FROM allocation_lines",
    "line_achievements": "SELECT account, application, line, achievement FROM line_achievements",
    "claims": "SELECT account, program, achievement, application, claimed_seq, released_seq"
    " FROM claims",
    "entries": "SELECT account, program, application, line, kind, amount_cents, cause, seq"
    " FROM entries",
}


def _sorted(rows: Iterable[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return sorted((tuple(r) for r in rows), key=lambda r: tuple((v is None, str(v)) for v in r))


def snapshot_tables(cur: Cursor) -> Snapshot:
    """The projection tables' content, by natural keys (no row ids), sorted."""
    out: Snapshot = {}
    for table, sql in _SNAPSHOT_SQL.items():
        cur.execute(sql)
        out[table] = _sorted(cur.fetchall())
    return out


def dump_tables(cur: Cursor, tables: Iterable[str]) -> Snapshot:
    """Every row and column of the tables, row ids included, in storage order."""
    out: Snapshot = {}
    for table in tables:
        cur.execute(f"SELECT * FROM {table} ORDER BY rowid")
        out[table] = [tuple(r) for r in cur.fetchall()]
    return out


def snapshot_states(states: Mapping[str, AccountState]) -> Snapshot:
    """The replayed states in the shape of :func:`snapshot_tables`."""
    out: dict[str, list[tuple[Any, ...]]] = {table: [] for table in _SNAPSHOT_SQL}
    for account, state in states.items():
        out["accounts"].append(
            (account, state.opened_seq, state.opened_by.id, state.opened_by.role)
        )
        for record in state.achievements.values():
            a = record.achievement
            out["achievements"].append(
                (
                    account,
                    a.id,
                    str(a.unit),
                    a.level,
                    str(a.issuer),
                    a.earned_on.isoformat(),
                    a.expires_on.isoformat() if a.expires_on else None,
                    record.verification,
                    record.evidence,
                    record.status,
                    record.deposited_seq,
                    record.status_seq,
                    record.status_reason,
                )
            )
        for app in state.applications.values():
            out["applications"].append(
                (
                    account,
                    app.id,
                    app.program,
                    app.school,
                    app.as_of.isoformat(),
                    app.standards_fingerprint,
                    canonical_json(app.evaluation),
                    cents(app.recognised),
                    app.state,
                    app.applied_seq,
                    app.state_seq,
                    app.reviewed_by,
                )
            )
            out["application_achievements"].extend((account, app.id, a) for a in app.achievements)
            for number, line in app.lines.items():
                out["allocation_lines"].append(
                    (
                        *_line_rows(account, app.id, line, app.added[number]),
                        app.denied.get(number),
                    )
                )
                out["line_achievements"].extend(
                    (account, app.id, number, a) for a in line.achievements
                )
        out["claims"].extend(
            (account, c.program, c.achievement, c.application, c.claimed_seq, c.released_seq)
            for c in state.claims
        )
        out["entries"].extend(
            (account, e.program, e.application, e.line, e.kind, cents(e.amount), e.cause, e.seq)
            for e in state.entries
        )
    return {table: _sorted(rows) for table, rows in out.items()}
