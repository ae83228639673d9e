"""The SQLite schema, as numbered migrations, with the invariants the store enforces itself.

Tables are ``STRICT`` (a credit amount column refuses anything but an integer) and every
amount is an integer number of hundredths of a credit (``*_cents``), never a float.

The event table is append-only: triggers refuse ``UPDATE`` and ``DELETE``, and an insert
must continue its account's chain (next position, previous hash). The other tables are the
cached projection (rebuilt from the events by :func:`creditbank.ledger.projection.rebuild`);
their constraints and triggers hold the ledger's invariants even against a buggy or
hostile writer:

* an achievement's credit is posted at most once per programme: a unique index over the
  live claims ``(account, program, achievement)``;
* nothing is posted without an approved application, and only the application's own open
  lines, once each, for their exact credits (``entries_post_*`` triggers);
* a revoked or expired achievement cannot be applied, claimed or made active again;
* an idempotency key names one command in the whole ledger (a unique index);
* applications move only along applied -> reviewed -> approved -> posted (or rejected, or
  superseded once posted); ledger entries are never changed or deleted, only compensated
  by a reversal of exactly the posted amount.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CREDENTIAL_ID",
    "INVARIANT_MESSAGES",
    "LEDGER_FORMAT",
    "MIGRATIONS",
    "PROJECTION_DDL",
    "PROJECTION_TABLES",
    "SCHEMA_VERSION",
    "SCHEMA_VERSION_DDL",
    "TOKENS_DDL",
    "TOKEN_COLUMNS",
    "Migration",
]

LEDGER_FORMAT = "creditbank-ledger"

SCHEMA_VERSION_DDL = (
    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY,"
    " description TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT"
)
"""The table that records each migration applied (made before the first one)."""


@dataclass(frozen=True)
class Migration:
    """One step of the schema: its number, what it does, and its SQL statements."""

    version: int
    description: str
    statements: tuple[str, ...]


def _raise(message: str) -> str:
    """``SELECT RAISE(ABORT, 'message')``, quoted for SQL."""
    quoted = message.replace("'", "''")
    return f"SELECT RAISE(ABORT, '{quoted}')"


def _never(table: str, what: str) -> tuple[str, str]:
    return (
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
        f"BEGIN {_raise(f'append-only: {what} cannot be changed')}; END",
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
        f"BEGIN {_raise(f'append-only: {what} cannot be deleted')}; END",
    )


def _no_delete(table: str, what: str) -> str:
    return (
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
        f"BEGIN {_raise(f'invariant: {what} are never deleted')}; END"
    )


_STAYS = "invariant: a revoked or expired achievement stays so, and a deposit is never changed"
_WORKFLOW = (
    "invariant: an application goes applied > reviewed > approved > posted"
    " (or rejected, or superseded once posted)"
)
_CLAIM = "invariant: only an approved application of the programme claims an active achievement"
_LINE = "invariant: a posting posts an open line of its application for exactly its credits"
_REVOKE_ONCE = "invariant: an API token can only be revoked, once, and is otherwise never changed"
_ONCE = (
    "invariant: an achievement's credit is posted at most once per programme"
    " (every achievement of a posted line is claimed by it)"
)

INVARIANT_MESSAGES: dict[str, str] = {
    "stays": _STAYS,
    "revoke_once": _REVOKE_ONCE,
    "workflow": _WORKFLOW,
    "claim": _CLAIM,
    "line": _LINE,
    "once": _ONCE,
}
"""The words of the invariant triggers below, for the PostgreSQL schema
(:mod:`creditbank.ledger.pg_schema`) to refuse with the same ones."""

EVENTS_DDL: tuple[str, ...] = (
    """CREATE TABLE ledger_meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) STRICT""",
    """CREATE TABLE events (
        seq INTEGER PRIMARY KEY,
        account TEXT NOT NULL,
        account_seq INTEGER NOT NULL CHECK (account_seq >= 1),
        type TEXT NOT NULL,
        command_key TEXT NOT NULL,
        command_hash TEXT NOT NULL,
        command_index INTEGER NOT NULL,
        command_size INTEGER NOT NULL,
        body TEXT NOT NULL CHECK (json_valid(body)),
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL UNIQUE,
        UNIQUE (account, account_seq),
        UNIQUE (account, command_key, command_index),
        CHECK (command_index >= 0 AND command_index < command_size)
    ) STRICT""",
    *_never("events", "events"),
    f"""CREATE TRIGGER events_chain BEFORE INSERT ON events
    WHEN NEW.seq <= COALESCE((SELECT MAX(seq) FROM events), 0)
      OR NEW.account_seq <> COALESCE(
           (SELECT MAX(account_seq) FROM events WHERE account = NEW.account), 0) + 1
      OR NEW.prev_hash IS NOT COALESCE(
           (SELECT hash FROM events WHERE account = NEW.account
            ORDER BY account_seq DESC LIMIT 1), printf('%064d', 0))
    BEGIN
        {_raise("chain: an event must follow the last event of its account")};
    END""",
    """CREATE TABLE heads (
        account TEXT PRIMARY KEY,
        account_seq INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        hash TEXT NOT NULL
    ) STRICT""",
    """CREATE TRIGGER events_head AFTER INSERT ON events
    BEGIN
        INSERT INTO heads (account, account_seq, seq, hash)
        VALUES (NEW.account, NEW.account_seq, NEW.seq, NEW.hash)
        ON CONFLICT (account) DO UPDATE
        SET account_seq = excluded.account_seq, seq = excluded.seq, hash = excluded.hash;
    END""",
    _no_delete("heads", "chain heads"),
)

PROJECTION_TABLES: tuple[str, ...] = (
    "accounts",
    "achievements",
    "applications",
    "application_achievements",
    "allocation_lines",
    "line_achievements",
    "claims",
    "entries",
)
"""The cached projection, in creation order (drop in reverse)."""

_ACTIVE_APPLICATION = (
    "(SELECT state FROM applications a WHERE a.account = NEW.account "
    "AND a.application = NEW.application)"
)

PROJECTION_DDL: tuple[str, ...] = (
    """CREATE TABLE accounts (
        account TEXT PRIMARY KEY,
        opened_seq INTEGER NOT NULL,
        opened_by TEXT NOT NULL,
        opened_role TEXT NOT NULL
    ) STRICT""",
    _no_delete("accounts", "accounts"),
    """CREATE TABLE achievements (
        account TEXT NOT NULL REFERENCES accounts (account),
        achievement TEXT NOT NULL,
        unit TEXT NOT NULL,
        level TEXT,
        issuer TEXT NOT NULL,
        earned_on TEXT NOT NULL,
        expires_on TEXT,
        verification TEXT NOT NULL CHECK (verification IN ('verified', 'pending', 'unverified')),
        evidence TEXT,
        status TEXT NOT NULL CHECK (status IN ('active', 'revoked', 'expired')),
        deposited_seq INTEGER NOT NULL,
        status_seq INTEGER,
        status_reason TEXT,
        PRIMARY KEY (account, achievement)
    ) STRICT""",
    f"""CREATE TRIGGER achievements_insert BEFORE INSERT ON achievements
    WHEN NEW.status <> 'active'
    BEGIN {_raise("invariant: an achievement is deposited active")}; END""",
    f"""CREATE TRIGGER achievements_status BEFORE UPDATE ON achievements
    WHEN OLD.status <> 'active' OR NEW.status = 'active'
      OR NEW.account IS NOT OLD.account OR NEW.achievement IS NOT OLD.achievement
      OR NEW.unit IS NOT OLD.unit OR NEW.level IS NOT OLD.level
      OR NEW.issuer IS NOT OLD.issuer OR NEW.earned_on IS NOT OLD.earned_on
      OR NEW.expires_on IS NOT OLD.expires_on OR NEW.verification IS NOT OLD.verification
      OR NEW.evidence IS NOT OLD.evidence OR NEW.deposited_seq IS NOT OLD.deposited_seq
    BEGIN
        {_raise(_STAYS)};
    END""",
    _no_delete("achievements", "achievements"),
    """CREATE TABLE applications (
        account TEXT NOT NULL REFERENCES accounts (account),
        application TEXT NOT NULL,
        program TEXT NOT NULL,
        school TEXT NOT NULL,
        as_of TEXT NOT NULL,
        standards_fingerprint TEXT NOT NULL,
        evaluation TEXT NOT NULL CHECK (json_valid(evaluation)),
        recognised_cents INTEGER NOT NULL CHECK (recognised_cents >= 0),
        state TEXT NOT NULL CHECK (state IN
            ('applied', 'reviewed', 'approved', 'posted', 'rejected', 'superseded')),
        applied_seq INTEGER NOT NULL,
        state_seq INTEGER NOT NULL,
        reviewed_by TEXT,
        PRIMARY KEY (account, application)
    ) STRICT""",
    f"""CREATE TRIGGER applications_insert BEFORE INSERT ON applications
    WHEN NEW.state <> 'applied' OR NEW.reviewed_by IS NOT NULL
    BEGIN {_raise("invariant: an application starts as applied")}; END""",
    f"""CREATE TRIGGER applications_workflow BEFORE UPDATE ON applications
    WHEN (OLD.state || '>' || NEW.state) NOT IN ('applied>reviewed', 'applied>rejected',
            'reviewed>approved', 'reviewed>rejected', 'approved>posted', 'posted>superseded')
      OR NEW.account IS NOT OLD.account OR NEW.application IS NOT OLD.application
      OR NEW.program IS NOT OLD.program OR NEW.school IS NOT OLD.school
      OR NEW.as_of IS NOT OLD.as_of OR NEW.evaluation IS NOT OLD.evaluation
      OR NEW.standards_fingerprint IS NOT OLD.standards_fingerprint
      OR NEW.recognised_cents IS NOT OLD.recognised_cents
      OR NEW.applied_seq IS NOT OLD.applied_seq
      OR (NEW.reviewed_by IS NOT OLD.reviewed_by AND NEW.state <> 'reviewed')
    BEGIN
        {_raise(_WORKFLOW)};
    END""",
    _no_delete("applications", "applications"),
    """CREATE TABLE application_achievements (
        account TEXT NOT NULL,
        application TEXT NOT NULL,
        achievement TEXT NOT NULL,
        PRIMARY KEY (account, application, achievement),
        FOREIGN KEY (account, application) REFERENCES applications (account, application),
        FOREIGN KEY (account, achievement) REFERENCES achievements (account, achievement)
    ) STRICT""",
    f"""CREATE TRIGGER application_achievements_active BEFORE INSERT
    ON application_achievements
    WHEN (SELECT status FROM achievements h WHERE h.account = NEW.account
          AND h.achievement = NEW.achievement) IS NOT 'active'
      OR {_ACTIVE_APPLICATION} IS NOT 'applied'
    BEGIN
        {_raise("invariant: a revoked or expired achievement cannot be applied")};
    END""",
    *_never("application_achievements", "an application's achievements"),
    """CREATE TABLE allocation_lines (
        account TEXT NOT NULL,
        application TEXT NOT NULL,
        line INTEGER NOT NULL CHECK (line >= 1),
        source TEXT NOT NULL CHECK (source IN ('engine', 'override')),
        rule TEXT,
        requirement TEXT NOT NULL,
        course TEXT,
        kind TEXT NOT NULL CHECK (kind IN ('exemption', 'credits', 'partial')),
        credits_cents INTEGER NOT NULL CHECK (credits_cents >= 0),
        recorded_grade TEXT,
        added_seq INTEGER NOT NULL,
        denied_seq INTEGER,
        PRIMARY KEY (account, application, line),
        FOREIGN KEY (account, application) REFERENCES applications (account, application)
    ) STRICT""",
    f"""CREATE TRIGGER allocation_lines_insert BEFORE INSERT ON allocation_lines
    WHEN {_ACTIVE_APPLICATION} NOT IN ('applied', 'reviewed') OR NEW.denied_seq IS NOT NULL
    BEGIN
        {_raise("invariant: lines are proposed only before approval")};
    END""",
    f"""CREATE TRIGGER allocation_lines_deny BEFORE UPDATE ON allocation_lines
    WHEN {_ACTIVE_APPLICATION} NOT IN ('applied', 'reviewed')
      OR OLD.denied_seq IS NOT NULL OR NEW.denied_seq IS NULL
      OR NEW.account IS NOT OLD.account OR NEW.application IS NOT OLD.application
      OR NEW.line IS NOT OLD.line OR NEW.source IS NOT OLD.source
      OR NEW.rule IS NOT OLD.rule OR NEW.requirement IS NOT OLD.requirement
      OR NEW.course IS NOT OLD.course OR NEW.kind IS NOT OLD.kind
      OR NEW.credits_cents IS NOT OLD.credits_cents
      OR NEW.recorded_grade IS NOT OLD.recorded_grade OR NEW.added_seq IS NOT OLD.added_seq
    BEGIN
        {_raise("invariant: a line can only be denied, once, before approval")};
    END""",
    _no_delete("allocation_lines", "allocation lines"),
    """CREATE TABLE line_achievements (
        account TEXT NOT NULL,
        application TEXT NOT NULL,
        line INTEGER NOT NULL,
        achievement TEXT NOT NULL,
        PRIMARY KEY (account, application, line, achievement),
        FOREIGN KEY (account, application, line)
            REFERENCES allocation_lines (account, application, line),
        FOREIGN KEY (account, application, achievement)
            REFERENCES application_achievements (account, application, achievement)
    ) STRICT""",
    *_never("line_achievements", "a line's achievements"),
    """CREATE TABLE claims (
        account TEXT NOT NULL,
        program TEXT NOT NULL,
        achievement TEXT NOT NULL,
        application TEXT NOT NULL,
        claimed_seq INTEGER NOT NULL,
        released_seq INTEGER,
        PRIMARY KEY (account, program, achievement, application),
        FOREIGN KEY (account, application, achievement)
            REFERENCES application_achievements (account, application, achievement)
    ) STRICT""",
    """CREATE UNIQUE INDEX claims_once_per_program
    ON claims (account, program, achievement) WHERE released_seq IS NULL""",
    f"""CREATE TRIGGER claims_insert BEFORE INSERT ON claims
    WHEN {_ACTIVE_APPLICATION} IS NOT 'approved'
      OR (SELECT program FROM applications a WHERE a.account = NEW.account
          AND a.application = NEW.application) IS NOT NEW.program
      OR (SELECT status FROM achievements h WHERE h.account = NEW.account
          AND h.achievement = NEW.achievement) IS NOT 'active'
      OR NEW.released_seq IS NOT NULL
    BEGIN
        {_raise(_CLAIM)};
    END""",
    f"""CREATE TRIGGER claims_release BEFORE UPDATE ON claims
    WHEN OLD.released_seq IS NOT NULL OR NEW.released_seq IS NULL
      OR NEW.account IS NOT OLD.account OR NEW.program IS NOT OLD.program
      OR NEW.achievement IS NOT OLD.achievement OR NEW.application IS NOT OLD.application
      OR NEW.claimed_seq IS NOT OLD.claimed_seq
    BEGIN {_raise("invariant: a claim can only be released, once")}; END""",
    _no_delete("claims", "claims"),
    """CREATE TABLE entries (
        entry INTEGER PRIMARY KEY,
        account TEXT NOT NULL,
        program TEXT NOT NULL,
        application TEXT NOT NULL,
        line INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('post', 'reversal')),
        amount_cents INTEGER NOT NULL,
        reverses INTEGER UNIQUE REFERENCES entries (entry),
        cause TEXT CHECK (cause IN ('revoked', 'expired', 'superseded')),
        seq INTEGER NOT NULL,
        CHECK ((kind = 'post' AND amount_cents > 0 AND reverses IS NULL AND cause IS NULL)
            OR (kind = 'reversal' AND amount_cents < 0 AND reverses IS NOT NULL
                AND cause IS NOT NULL)),
        FOREIGN KEY (account, application, line)
            REFERENCES allocation_lines (account, application, line)
    ) STRICT""",
    """CREATE UNIQUE INDEX entries_post_once
    ON entries (account, application, line) WHERE kind = 'post'""",
    f"""CREATE TRIGGER entries_post_approved BEFORE INSERT ON entries
    WHEN NEW.kind = 'post' AND ({_ACTIVE_APPLICATION} IS NOT 'approved'
      OR (SELECT program FROM applications a WHERE a.account = NEW.account
          AND a.application = NEW.application) IS NOT NEW.program)
    BEGIN
        {_raise("invariant: nothing is posted without an approved application")};
    END""",
    f"""CREATE TRIGGER entries_post_line BEFORE INSERT ON entries
    WHEN NEW.kind = 'post' AND NOT EXISTS (
        SELECT 1 FROM allocation_lines l
        WHERE l.account = NEW.account AND l.application = NEW.application
          AND l.line = NEW.line AND l.denied_seq IS NULL
          AND l.credits_cents = NEW.amount_cents)
    BEGIN
        {_raise(_LINE)};
    END""",
    f"""CREATE TRIGGER entries_post_claimed BEFORE INSERT ON entries
    WHEN NEW.kind = 'post' AND EXISTS (
        SELECT 1 FROM line_achievements la
        WHERE la.account = NEW.account AND la.application = NEW.application
          AND la.line = NEW.line AND NOT EXISTS (
            SELECT 1 FROM claims c
            WHERE c.account = la.account AND c.program = NEW.program
              AND c.achievement = la.achievement AND c.application = NEW.application
              AND c.released_seq IS NULL))
    BEGIN
        {_raise(_ONCE)};
    END""",
    f"""CREATE TRIGGER entries_reversal BEFORE INSERT ON entries
    WHEN NEW.kind = 'reversal' AND NOT EXISTS (
        SELECT 1 FROM entries e
        WHERE e.entry = NEW.reverses AND e.kind = 'post' AND e.account = NEW.account
          AND e.program = NEW.program AND e.application = NEW.application
          AND e.line = NEW.line AND e.amount_cents = -NEW.amount_cents)
    BEGIN
        {_raise("invariant: a reversal compensates one posting, exactly")};
    END""",
    *_never("entries", "ledger entries"),
)

TOKEN_COLUMNS = "token_id, secret_hash, name, role, learner, organisation, created_at, revoked_at"
"""The columns of ``api_tokens``, in :class:`creditbank.ledger.store.StoredToken`'s order."""

TOKENS_DDL: tuple[str, ...] = (
    # The roles are written out, not taken from creditbank.ledger.events.ROLES: a migration's
    # text is compared byte for byte with the stored one (integrity.py), so it never changes.
    """CREATE TABLE api_tokens (
        token_id TEXT PRIMARY KEY,
        secret_hash TEXT NOT NULL UNIQUE CHECK (length(secret_hash) = 64),
        name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN
            ('learner', 'issuer', 'school_reviewer', 'academic_affairs', 'bank_operator')),
        learner TEXT,
        organisation TEXT,
        created_at TEXT NOT NULL,
        revoked_at TEXT,
        CHECK ((role = 'learner') = (learner IS NOT NULL)),
        CHECK (role NOT IN ('issuer', 'school_reviewer', 'academic_affairs')
            OR organisation IS NOT NULL)
    ) STRICT""",
    f"""CREATE TRIGGER api_tokens_revoke BEFORE UPDATE ON api_tokens
    WHEN OLD.revoked_at IS NOT NULL OR NEW.revoked_at IS NULL
      OR NEW.token_id IS NOT OLD.token_id OR NEW.secret_hash IS NOT OLD.secret_hash
      OR NEW.name IS NOT OLD.name OR NEW.role IS NOT OLD.role
      OR NEW.learner IS NOT OLD.learner OR NEW.organisation IS NOT OLD.organisation
      OR NEW.created_at IS NOT OLD.created_at
    BEGIN
        {_raise(_REVOKE_ONCE)};
    END""",
    _no_delete("api_tokens", "API tokens"),
)
"""The ledger's API tokens (:mod:`creditbank.ledger.tokens`): mutable (revocation), so
outside the events and their hash chain, and not copied by ``ledger copy``. Only a hash of
each secret is stored."""

CREDENTIAL_ID = (
    "(CASE WHEN json_valid(body)"
    " THEN json_extract(body, '$.payload.credential_check.credential') END)"
)
"""The id of the credential a deposit event was imported from (SQL, over ``events.body``;
NULL for a body that is not JSON, which ``verify`` reports, rather than an error)."""

MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "events with hash chain, chain heads, and the cached projection",
        (*EVENTS_DDL, *PROJECTION_DDL),
    ),
    Migration(
        2,
        "idempotency keys are unique in the whole ledger, not only per account",
        ("CREATE UNIQUE INDEX events_command_key ON events (command_key, command_index)",),
    ),
    Migration(
        3,
        "a deposit may record how the credential it was imported from was verified "
        "(credential_check); a creditbank older than this cannot read such events",
        (),
    ),
    Migration(
        4,
        "a credential check records when (checked_at) and whose (a subject digest) it was; "
        "deposits are found by credential id (a credential is one account's)",
        (
            f"CREATE INDEX events_credential ON events ({CREDENTIAL_ID})"
            " WHERE type = 'achievement_deposited'",
        ),
    ),
    Migration(
        5,
        "the ledger's metadata (its format, the key of its subject digests) is never changed"
        " or deleted",
        (
            *_never("ledger_meta", "the ledger's metadata"),
            # REPLACE deletes the old row without firing delete triggers: refuse it here
            "CREATE TRIGGER ledger_meta_no_replace BEFORE INSERT ON ledger_meta"
            " WHEN EXISTS (SELECT 1 FROM ledger_meta WHERE key = NEW.key)"
            f" BEGIN {_raise('append-only: the ledger metadata cannot be replaced')}; END",
        ),
    ),
    Migration(
        6,
        "a credential check may record that the credential's status (credentialStatus) was "
        "not checked (credential_status, reason STATUS_UNCHECKED); a creditbank older than "
        "this cannot read such events",
        (),
    ),
    Migration(
        7,
        "API tokens (api_tokens): a hash of each secret, the role and account or organisation "
        "it acts as; revoked, never deleted; not part of the events",
        TOKENS_DDL,
    ),
    Migration(
        8,
        "a learner's profile (profile_recorded: region, migrant-worker status, union "
        "membership, education) and funded places (funding_decided) are events; a "
        "creditbank older than this cannot read such events",
        (),
    ),
)
"""Every schema change, in order; a ledger records each one it has applied."""

SCHEMA_VERSION = MIGRATIONS[-1].version
