"""The ledger's public API: open a ledger, give commands, read statements, verify, export.

>>> import datetime as dt, tempfile, pathlib, creditbank
>>> from creditbank.ledger import Actor, Ledger
>>> standards = creditbank.load_standards(creditbank.bundled_standards_path())
>>> path = pathlib.Path(tempfile.mkdtemp()) / "bank.db"
>>> clock = lambda: dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
>>> with Ledger.open(path, standards, create=True, clock=clock) as ledger:
...     _ = ledger.open_account("w-001", actor=Actor(id="w-001", role="learner"), key="k1")
...     centre = Actor(id="staff-7", role="issuer", organisation="demo-assessment-centre")
...     _ = ledger.deposit("w-001", {"id": "elec-l3", "unit": "skill:csco2022:6-31-01-03",
...                                  "level": "三级", "earned_on": "2023-06-30"},
...                        actor=centre, key="k2")
...     receipt = ledger.apply("w-001", "demo-college:460301",
...                            actor=Actor(id="w-001", role="learner"), key="k3")
...     print(receipt.application, ledger.verify().ok)
app-1 True

Every command takes the caller's idempotency ``key``, which names one command in the whole
ledger: giving the same command again with the same key changes nothing and returns the
first receipt (``replayed=True``); giving a different command with a used key — on any
account — is ``IDEMPOTENCY_CONFLICT``. A refused command raises
:class:`~creditbank.errors.LedgerError` and writes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from creditbank.errors import LedgerError
from creditbank.ledger.backends import open_store
from creditbank.ledger.chain import (
    BadEvent,
    ChainHead,
    ChainHeads,
    VerifyReport,
    verify_rows,
)
from creditbank.ledger.commands import (
    Apply,
    Approve,
    Command,
    Deposit,
    Expire,
    Fund,
    OpenAccount,
    Override,
    RecordProfile,
    Reject,
    Review,
    Revoke,
    command_hash,
)
from creditbank.ledger.decide import Context, decide
from creditbank.ledger.events import (
    Actor,
    ApplicationState,
    ApplicationSubmitted,
    CredentialCheck,
    Event,
)
from creditbank.ledger.ids import refuse_personal_identifiers, subject_digest
from creditbank.ledger.location import LedgerLocation
from creditbank.ledger.projection import snapshot_states
from creditbank.ledger.queue import (
    SCHOOL_ROLES,
    QueueItem,
    may_read,
    review_queue,
    visible_school,
)
from creditbank.ledger.sqlite import Synchronous
from creditbank.ledger.state import AccountState, ReplayError, replay
from creditbank.ledger.statement import Statement, statement_of
from creditbank.ledger.store import Draft, LedgerStore, Reader
from creditbank.ledger.summary import AccountSummary, summary_of
from creditbank.models import Achievement, Standards

__all__ = ["MAX_KEY", "Clock", "Ledger", "Receipt", "init_ledger", "open_ledger"]

Clock = Callable[[], dt.datetime]
"""Returns the current time, timezone-aware; its date is "today" for the commands."""

_C = TypeVar("_C", bound=BaseModel)
MAX_KEY = 200
"""The longest idempotency key, in characters."""
_MAX_KEY = MAX_KEY
_SCOPE = "/"
"""Between an account and a key scoped to it (:meth:`Ledger.scoped_key`)."""


_NOT_EVIDENCE = frozenset(
    {"LEDGER_BUSY", "READ_ONLY", "DISK_FULL", "LEDGER_IO_ERROR", "LEDGER_UNREACHABLE"}
)
"""Errors that say nothing about the ledger's content: verify raises them, never reports
them as tampering."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).astimezone()


class Receipt(BaseModel):
    """What a command wrote (or, for a repeated key, what it wrote the first time)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    command: str
    account: str
    key: str
    replayed: bool
    events: tuple[Event, ...]
    application: str | None = None

    def to_json(self, *, indent: int | None = 2) -> str:
        return self.model_dump_json(indent=indent)


def _build(model: type[_C], **fields: Any) -> _C:
    refuse_personal_identifiers(fields, "the command's field")  # before any error echoes it
    try:
        return model.model_validate(fields)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        count = error.error_count()
        more = f" (and {count - 1} more)" if count > 1 else ""
        raise LedgerError(
            "MALFORMED_COMMAND",
            f"{where or 'command'}: {first['msg']}{more}",
            field=where,
        ) from error


def _check_key(key: object) -> str:
    refuse_personal_identifiers(key, "the idempotency key")
    if (
        not isinstance(key, str)
        or not key.strip()
        or len(key) > _MAX_KEY
        or any(ord(c) < 32 for c in key)
    ):
        raise LedgerError(
            "MALFORMED_COMMAND",
            f"the idempotency key must be 1 to {_MAX_KEY} printable characters, got {key!r}",
            field="key",
        )
    return key


def _replayed(events: Sequence[Event]) -> dict[str, AccountState]:
    """Replay events; an inconsistent ledger is ``NOT_A_LEDGER``, not a crash."""
    try:
        return replay(events)
    except ReplayError as error:
        raise LedgerError(
            "NOT_A_LEDGER",
            f"the ledger's events cannot be replayed ({error}); run `creditbank ledger verify`",
        ) from error


def _one_account(command: Deposit, reader: Reader) -> None:
    """A credential is one learner's: refuse it while another account holds an active
    achievement deposited from it (one revoked or expired there no longer counts).

    Only a verified deposit claims a credential: an unverified one (anyone can copy a
    credential's id into an unproofed document) never keeps the verified credential out
    of the account it is deposited into; an unverified deposit is refused while any other
    account holds the credential."""
    check = command.credential_check
    if check is None or check.credential is None:
        return
    for account in reader.credential_accounts(check.credential):
        if account == command.account:
            continue
        state = _replayed(reader.events(account)).get(account)
        held = state.achievements.values() if state is not None else ()
        if not any(
            record.status == "active"
            and record.credential_check is not None
            and record.credential_check.credential == check.credential
            and (check.status != "verified" or record.credential_check.status == "verified")
            for record in held
        ):
            continue
        raise LedgerError(
            "CREDENTIAL_IN_OTHER_ACCOUNT",
            f"credential {check.credential} was already deposited into another account; a "
            "credential is one learner's, so it goes into one account only (if it was "
            "deposited into the wrong one, its issuer or a bank operator revokes it there "
            "first)",
            account=command.account,
        )


class Ledger:
    """A credit bank ledger: learner accounts as an append-only, hash-chained event log."""

    def __init__(
        self, store: LedgerStore, standards: Standards | None = None, *, clock: Clock | None = None
    ) -> None:
        self.store = store
        self.standards = standards
        self._clock = clock or _now

    @classmethod
    def open(
        cls,
        path: str | Path | LedgerLocation,
        standards: Standards | None = None,
        *,
        create: bool = False,
        read_only: bool = False,
        clock: Clock | None = None,
        timeout: float = 30.0,
        synchronous: Synchronous = "FULL",
    ) -> Ledger:
        """Open the ledger at ``path`` (``create``: make it if missing): a file path,
        ``sqlite:///PATH`` or ``postgresql://...`` (:mod:`creditbank.ledger.location`).

        ``standards`` are needed by commands that check the standards (deposit, apply,
        override, expire); reading, verifying and exporting need none. ``read_only`` opens
        it for reading only (every command is then ``READ_ONLY``), which works on a
        read-only directory or mount too.
        """
        store = open_store(
            path, create=create, read_only=read_only, timeout=timeout, synchronous=synchronous
        )
        return cls(store, standards, clock=clock)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # ------------------------------------------------------------ commands

    def scoped_key(self, account: str, key: str) -> str:
        """``ACCOUNT/KEY``: a caller's ``key`` scoped to one learner account, so that the same
        keys can be given again for the next learner (the CLI's ``--key``; the service
        scopes its keys to the token instead). ``/`` is a character no account id has
        (:data:`creditbank.ledger.ids.ACCOUNT_ID_PATTERN`), so two accounts never share a
        scoped key. The caller's key is checked as typed (1 to :data:`MAX_KEY` printable
        characters, and with the account it is stored with, at most :data:`MAX_KEY` in
        all: a refusal names the room left for this account). A key already used unscoped
        for a command on ``account`` (a ledger written before keys were scoped) is kept as
        it is, so that a repeated command still replays."""
        key = _check_key(key)
        with self.store.reading() as reader:
            done = reader.command_events(key)
        if done and done[0].account == account:
            return key
        room = _MAX_KEY - len(account) - len(_SCOPE)
        if len(key) > room:
            raise LedgerError(
                "MALFORMED_COMMAND",
                f"the idempotency key is stored with the account {account!r}, so for it a "
                f"key may have at most {room} characters; this one has {len(key)}",
                field="key",
            )
        return f"{account}{_SCOPE}{key}"

    def execute(self, command: Command, *, key: str) -> Receipt:
        """Decide and append one command atomically; a repeated key is a no-op."""
        key = _check_key(key)
        refuse_personal_identifiers(command.model_dump(mode="json"), "the command's field")
        digest = command_hash(command)
        with self.store.writing() as tx:
            done = tx.command_events(key)
            if done:
                first = done[0]
                if first.account != command.account:  # name no other learner's account
                    raise LedgerError(
                        "IDEMPOTENCY_CONFLICT",
                        f"key {key!r} was used for a command on another account; "
                        "use a new key for a new command",
                        key=key,
                    )
                if first.command_hash != digest or first.command != command.command:
                    raise LedgerError(
                        "IDEMPOTENCY_CONFLICT",
                        f"key {key!r} was used for a different {first.command} command on "
                        f"account {command.account!r}; use a new key for a new command",
                        key=key,
                    )
                return self._receipt(command, key, done, replayed=True)
            now = self.now()
            if isinstance(command, Deposit):
                _one_account(command, tx)
            state = _replayed(tx.events(command.account)).get(command.account)
            payloads = decide(command, state, Context(self.standards, now.date(), now))
            at = now.astimezone(dt.UTC)
            drafts = [
                Draft(command.account, at, command.actor, command.command, key, digest, payload)
                for payload in payloads
            ]
            written = tx.append(drafts)
        return self._receipt(command, key, written, replayed=False)

    @staticmethod
    def _receipt(command: Command, key: str, events: Sequence[Event], *, replayed: bool) -> Receipt:
        application = next(
            (e.payload.application for e in events if isinstance(e.payload, ApplicationSubmitted)),
            None,
        )
        return Receipt(
            command=command.command,
            account=command.account,
            key=key,
            replayed=replayed,
            events=tuple(events),
            application=application,
        )

    def open_account(
        self, account: str, *, actor: Actor, key: str, note: str | None = None
    ) -> Receipt:
        """Open a learner account (by the learner, or a bank operator)."""
        return self.execute(_build(OpenAccount, account=account, actor=actor, note=note), key=key)

    def deposit(
        self,
        account: str,
        achievement: Achievement | Mapping[str, Any],
        *,
        actor: Actor,
        key: str,
        evidence: str | None = None,
        verification: Literal["verified", "pending", "unverified"] = "verified",
        credential_check: CredentialCheck | Mapping[str, Any] | None = None,
        accept_unchecked_status: bool = False,
    ) -> Receipt:
        """Deposit an achievement, from an issuer the standards authorise for its unit.

        ``verification`` is what the depositing issuer states; the ledger cannot tell by
        itself whether an achievement came from a credential. To deposit an achievement of
        a portfolio (an ``import badge -o`` one above all) call
        :func:`creditbank.interop.deposit_from_portfolio`: it records the check the
        portfolio's ``credentials:`` keeps, as ``creditbank ledger deposit`` does. An
        achievement whose note is the one ``import badge`` writes is refused here without
        its ``credential_check``.

        ``credential_check`` records how the credential it was imported from was verified
        (see :func:`creditbank.interop.deposit.deposit_badges`). A check whose credential
        status was not checked (``credential_status: unchecked``) must be unverifiable, and
        is refused (``CREDENTIAL_STATUS_UNCHECKED``) unless ``accept_unchecked_status``."""
        command = _build(
            Deposit,
            account=account,
            actor=actor,
            achievement=achievement,
            evidence=evidence,
            verification=verification,
            credential_check=credential_check,
            accept_unchecked_status=accept_unchecked_status,
        )
        return self.execute(command, key=key)

    def now(self) -> dt.datetime:
        """The ledger's clock: the moment a command run now would be recorded at."""
        now = self._clock()
        if now.tzinfo is None:
            raise ValueError("the clock must return timezone-aware times")
        return now

    def subject_digest(self, subject: str) -> str:
        """The keyed digest of a credential subject's id that this ledger records (keyed
        with the ledger's own secret, :meth:`LedgerStore.subject_key`): the same subject
        gives the same digest in every account of the ledger, and the digest cannot be
        reversed without the ledger's secret."""
        return subject_digest(subject, self.store.subject_key())

    def apply(
        self,
        account: str,
        program: str,
        *,
        actor: Actor,
        key: str,
        as_of: dt.date | None = None,
        achievements: Sequence[str] | None = None,
    ) -> Receipt:
        """Apply the account's active achievements (or the ones named) to a programme.

        The engine evaluates them as of ``as_of`` (default: today); the application keeps
        the evaluation and the standards fingerprint; ``Receipt.application`` is its id.
        """
        command = _build(
            Apply,
            account=account,
            actor=actor,
            program=program,
            as_of=as_of,
            achievements=tuple(achievements) if achievements is not None else None,
        )
        return self.execute(command, key=key)

    def review(
        self, account: str, application: str, *, actor: Actor, key: str, reason: str | None = None
    ) -> Receipt:
        """The school's review of an application (a reviewer of the programme's school)."""
        command = _build(
            Review, account=account, actor=actor, application=application, reason=reason
        )
        return self.execute(command, key=key)

    def approve(
        self, account: str, application: str, *, actor: Actor, key: str, reason: str | None = None
    ) -> Receipt:
        """Academic affairs' approval: posts the application's credit (and supersedes the
        programme's earlier posting, reversing it by compensating entries)."""
        command = _build(
            Approve, account=account, actor=actor, application=application, reason=reason
        )
        return self.execute(command, key=key)

    def reject(
        self, account: str, application: str, *, actor: Actor, key: str, reason: str
    ) -> Receipt:
        """Reject an application at its current step, with a reason."""
        command = _build(
            Reject, account=account, actor=actor, application=application, reason=reason
        )
        return self.execute(command, key=key)

    def revoke(
        self, account: str, achievement: str, *, actor: Actor, key: str, reason: str
    ) -> Receipt:
        """Revoke an achievement; its posted conversions are reversed, never deleted."""
        command = _build(
            Revoke, account=account, actor=actor, achievement=achievement, reason=reason
        )
        return self.execute(command, key=key)

    def expire(
        self,
        account: str,
        achievement: str,
        *,
        actor: Actor,
        key: str,
        as_of: dt.date,
        reason: str | None = None,
    ) -> Receipt:
        """Record that an achievement expired by ``as_of``; its postings are reversed."""
        command = _build(
            Expire,
            account=account,
            actor=actor,
            achievement=achievement,
            as_of=as_of,
            reason=reason,
        )
        return self.execute(command, key=key)

    def record_profile(
        self,
        account: str,
        *,
        actor: Actor,
        key: str,
        region: str | None = None,
        migrant_worker: bool | None = None,
        union_member: bool | None = None,
        education: str | None = None,
    ) -> Receipt:
        """Record the non-identifying part of the learner's profile (the learner, or a
        bank operator); it replaces the one recorded before, whole."""
        command = _build(
            RecordProfile,
            account=account,
            actor=actor,
            region=region,
            migrant_worker=migrant_worker,
            union_member=union_member,
            education=education,
        )
        return self.execute(command, key=key)

    def fund(
        self,
        account: str,
        program: str,
        *,
        actor: Actor,
        key: str,
        scheme: str,
        decision: Literal["granted", "withdrawn"] = "granted",
        rule: str | None = None,
        reason: str | None = None,
    ) -> Receipt:
        """Grant (under a ``funding`` eligibility rule of the standards) or withdraw a
        funded place of ``program`` under ``scheme`` (a bank operator)."""
        command = _build(
            Fund,
            account=account,
            actor=actor,
            program=program,
            scheme=scheme,
            decision=decision,
            rule=rule,
            reason=reason,
        )
        return self.execute(command, key=key)

    def override(
        self,
        account: str,
        application: str,
        *,
        actor: Actor,
        key: str,
        action: Literal["grant", "deny"],
        achievement: str,
        reason: str,
        requirement: str | None = None,
        course: str | None = None,
        credits: Any = None,
    ) -> Receipt:
        """A registrar's exception before approval: grant credits for an achievement into a
        requirement (or course), or deny every line that uses it."""
        command = _build(
            Override,
            account=account,
            actor=actor,
            application=application,
            action=action,
            achievement=achievement,
            reason=reason,
            requirement=requirement,
            course=course,
            credits=credits,
        )
        return self.execute(command, key=key)

    # ------------------------------------------------------------ reading

    def events(self, account: str | None = None) -> list[Event]:
        """Events in ledger order (of one account, or all)."""
        with self.store.reading() as reader:
            return reader.events(account)

    def stream_accounts(self, batch: int = 1000) -> Iterator[list[Event]]:
        """Each account's events in order, one account at a time, read ``batch`` events at
        a time in one snapshot: memory stays bounded by the batch and the largest account,
        whatever the ledger's size (for reports over the whole ledger)."""
        account, seq = "", 0
        current: list[Event] = []
        with self.store.reading() as reader:
            while True:
                chunk = reader.events_from(account, seq, batch)
                for event in chunk:
                    if current and event.account != current[0].account:
                        yield current
                        current = []
                    current.append(event)
                if len(chunk) < batch:
                    break
                account, seq = chunk[-1].account, chunk[-1].account_seq
        if current:
            yield current

    def account_events(self, account: str) -> list[Event]:
        """One account's events in order; ``UNKNOWN_ACCOUNT`` when it has none."""
        found = self.events(account)
        if not found:
            raise LedgerError("UNKNOWN_ACCOUNT", f"no account {account!r}", account=account)
        return found

    def accounts(self) -> list[str]:
        """Every account's id, in the order they were opened."""
        return list(_replayed(self.events()))

    def readable_accounts(self, actor: Actor) -> list[str]:
        """The accounts ``actor`` may read (:func:`creditbank.ledger.queue.may_read`), in
        the order they were opened."""
        return [
            account
            for account, state in _replayed(self.events()).items()
            if may_read(actor, account, state)
        ]

    def may_read(self, actor: Actor, account: str) -> bool:
        """Whether ``actor`` may read ``account`` (:func:`creditbank.ledger.queue.may_read`);
        the account's events are read only when the answer depends on them (school staff)."""
        if actor.role in SCHOOL_ROLES:
            return may_read(actor, account, _replayed(self.events(account)).get(account))
        return may_read(actor, account, None)

    def state(self, account: str) -> AccountState:
        """An account's state, replayed from its events."""
        state = _replayed(self.events(account)).get(account)
        if state is None:
            raise LedgerError("UNKNOWN_ACCOUNT", f"no account {account!r}", account=account)
        return state

    def statement(self, account: str) -> Statement:
        """The learner's statement (学习档案), replayed from the account's events."""
        return statement_of(self.state(account))

    def summary(self, account: str) -> AccountSummary:
        """The account at a glance (:mod:`creditbank.ledger.summary`)."""
        events = self.events(account)
        state = _replayed(events).get(account)
        if state is None:
            raise LedgerError("UNKNOWN_ACCOUNT", f"no account {account!r}", account=account)
        return summary_of(state, events[-1].at)

    def review_queue(
        self,
        actor: Actor,
        *,
        state: ApplicationState | None = None,
        program: str | None = None,
    ) -> list[QueueItem]:
        """The applications ``actor`` may see: their school's, or every school's for a bank
        operator (:mod:`creditbank.ledger.queue`); refused before anything is read for a
        role without a queue."""
        visible_school(actor)
        return review_queue(_replayed(self.events()), actor, state=state, program=program)

    # ------------------------------------------------------------ integrity

    def verify(self, anchors: ChainHeads | None = None) -> VerifyReport:
        """Check every chain, the chain heads, ``anchors`` (heads exported earlier), that
        the cached projection equals the events replayed, and that the store's schema and
        metadata are creditbank's own; name the first bad event.

        Without ``anchors`` this proves that the file is consistent — not that it was not
        rewritten as a whole by someone who can write it (re-chained after an edit, an
        account deleted, the heads and projection rebuilt, the triggers put back). Heads
        exported earlier and kept elsewhere prove that for every account they name, up to
        the event they record. See :mod:`creditbank.ledger.integrity`."""
        try:
            return self._verify(anchors)
        except LedgerError as error:  # a damaged file: say so rather than fail
            if error.code in _NOT_EVIDENCE:
                raise
            return VerifyReport(
                ok=False,
                events=0,
                accounts=0,
                first_bad=BadEvent(account="*", problem=error.message),
                problems=(BadEvent(account="*", problem=error.message),),
            )

    def _verify(self, anchors: ChainHeads | None) -> VerifyReport:
        with self.store.reading() as reader:
            rows = reader.rows()
            try:
                heads: dict[str, ChainHead] | None = reader.heads()
            except LedgerError as error:  # the table of heads itself is damaged
                heads, unreadable = None, [BadEvent(account="*", problem=error.message)]
            else:
                unreadable = []
            parsed: list[Event] = []
            bad = verify_rows(rows, heads, anchors, parsed) + unreadable
            structure = tuple(reader.schema_problems())
            projection: Literal["ok", "differs", "skipped"] = "skipped"
            if not bad:
                try:
                    states = replay(sorted(parsed, key=lambda event: event.seq))
                except ReplayError as error:
                    bad.append(BadEvent(account="*", problem=f"cannot be replayed: {error}"))
                else:
                    try:
                        same = snapshot_states(states) == reader.projection()
                    except LedgerError:  # a projection table is missing or damaged
                        same = False
                    projection = "ok" if same else "differs"
        accounts = len({str(r.account) for r in rows})
        return VerifyReport(
            ok=not bad and projection == "ok" and not structure,
            events=len(rows),
            accounts=accounts,
            first_bad=bad[0] if bad else None,
            problems=tuple(bad),
            projection=projection,
            structure="differs" if structure else "ok",
            structure_problems=structure,
            anchors=len(anchors.heads) if anchors is not None else 0,
        )

    def rebuild_projection(self) -> None:
        """Drop the cached projection and rebuild it by replaying every event."""
        self.store.rebuild_projection()

    def export_heads(self) -> ChainHeads:
        """Every account's chain head, to keep elsewhere and pass to :meth:`verify` later."""
        with self.store.reading() as reader:
            heads = reader.heads()
            events = len(reader.rows())
        return ChainHeads(
            exported_at=self._clock().astimezone(dt.UTC),
            events=events,
            heads=tuple(heads[a] for a in sorted(heads)),
        )

    def export_events(self, account: str | None = None) -> Iterator[str]:
        """The stored events as canonical JSON, one per line: sha256 of a line is its hash,
        and each line holds the hash of the one before it in its account."""
        with self.store.reading() as reader:
            rows = reader.rows()
        for row in rows:
            if account is None or row.account == account:
                yield row.body if isinstance(row.body, str) else row.body.decode("utf-8", "replace")


def open_ledger(
    path: str | Path | LedgerLocation, standards: Standards | None = None, **options: Any
) -> Ledger:
    """Open an existing ledger (see :meth:`Ledger.open`)."""
    return Ledger.open(path, standards, **options)


def init_ledger(
    path: str | Path | LedgerLocation, standards: Standards | None = None, **options: Any
) -> Ledger:
    """Create a ledger at ``path`` (or upgrade an existing one) and open it."""
    return Ledger.open(path, standards, create=True, **options)
