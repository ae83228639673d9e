"""The API tokens' rows: the SQL both stores run over the ``api_tokens`` table.

Written once with ``?`` parameters, like the projection's SQL (the PostgreSQL store passes
a cursor that takes them, :class:`creditbank.ledger.postgres`'s ``_Qmark``), so the two
backends cannot differ. Whether the table exists yet (a ledger made before tokens, not
written since) is each store's to say: such a ledger holds no tokens.
"""

from __future__ import annotations

from dataclasses import astuple

from creditbank.ledger.projection import Cursor
from creditbank.ledger.schema import TOKEN_COLUMNS
from creditbank.ledger.store import StoredToken

__all__ = ["insert_token", "mark_revoked", "select_tokens"]


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def select_tokens(cur: Cursor, token_id: str | None = None) -> list[StoredToken]:
    """Every token (oldest first), or the one with ``token_id`` (a list of at most one)."""
    if token_id is None:
        cur.execute(f"SELECT {TOKEN_COLUMNS} FROM api_tokens ORDER BY created_at, token_id")
    else:
        cur.execute(f"SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE token_id = ?", (token_id,))
    return [
        StoredToken(
            str(row[0]),
            str(row[1]),
            str(row[2]),
            str(row[3]),
            _text(row[4]),
            _text(row[5]),
            str(row[6]),
            _text(row[7]),
        )
        for row in cur.fetchall()
    ]


def insert_token(cur: Cursor, token: StoredToken) -> None:
    """Store a new token (its id and secret hash are unique: the database refuses a repeat)."""
    cur.execute(
        f"INSERT INTO api_tokens ({TOKEN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        astuple(token),
    )


def mark_revoked(cur: Cursor, token_id: str, at: str) -> None:
    """Revoke the token at ``at``; a revoked one keeps its first revocation time."""
    cur.execute(
        "UPDATE api_tokens SET revoked_at = ? WHERE token_id = ? AND revoked_at IS NULL",
        (at, token_id),
    )
