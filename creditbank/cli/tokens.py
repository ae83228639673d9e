"""``creditbank ledger token``: the API tokens of a ledger (for ``creditbank serve``).

The library (:mod:`creditbank.ledger.tokens`) decides everything; this module parses,
calls and prints. ``issue`` prints the secret once (the ledger keeps only a hash); ``list``
never shows a secret or a hash. Exit codes: 0 done, 1 refused (nothing written), 2 usage.
"""

from __future__ import annotations

import json

import click
from rich.table import Table

from creditbank.cli.console import console, fail
from creditbank.cli.ledger import LedgerOptions, ledger_group, pass_ledger_options
from creditbank.cli.options import table_or_json
from creditbank.errors import CreditbankError
from creditbank.ledger import ROLES
from creditbank.ledger.tokens import TokenRecord, issue_token, list_tokens, revoke_token

__all__ = ["SHOWN_ONCE", "token_group"]

SHOWN_ONCE = (
    "This secret is shown only now: the ledger stores only a hash of it and cannot show it "
    "again. Give it to the caller as `Authorization: Bearer SECRET`; if it is lost, revoke "
    "the token and issue a new one."
)


@click.group("token")
def token_group() -> None:
    """API tokens for `creditbank serve`: each acts as one role of the ledger's authority
    model (a learner's on its own account only). Stored in the ledger's database as a hash
    of the secret; not events, not in the hash chain, and not copied by `ledger copy`."""


def _when(record: TokenRecord) -> str:
    return record.created_at.isoformat(timespec="seconds")


@token_group.command("issue")
@click.option("--role", required=True, type=click.Choice(ROLES), help="The role it acts in.")
@click.option(
    "--name",
    required=True,
    help="Who or what calls with it: an opaque actor id (a staff number, a system's name; "
    "never a 身份证号).",
)
@click.option(
    "--learner",
    default=None,
    help="For --role learner (and only for it): the account the token acts on.",
)
@click.option(
    "--org",
    "organisation",
    default=None,
    help="For issuers, school reviewers and academic affairs: the issuer id of the standards "
    "it acts for (checked against --standards of `creditbank ledger`).",
)
@table_or_json
@pass_ledger_options
def issue_command(
    options: LedgerOptions,
    role: str,
    name: str,
    learner: str | None,
    organisation: str | None,
    output_format: str,
) -> None:
    """Issue a token and print its secret, once."""
    try:  # the standards are loaded only to check an organisation
        with options.ledger(standards=organisation is not None) as ledger:
            issued = issue_token(
                ledger,
                role=role,  # type: ignore[arg-type]  # click.Choice(ROLES)
                name=name,
                learner=learner,
                organisation=organisation,
            )
    except CreditbankError as error:
        fail(error)
    record = issued.record
    if output_format == "json":
        click.echo(json.dumps({**issued.model_dump(mode="json"), "note": SHOWN_ONCE}, indent=2))
        return
    acting = f" on account {record.learner}" if record.learner else ""
    acting += f" for {record.organisation}" if record.organisation else ""
    click.echo(f"token {record.token_id} issued: {record.name} as {record.role}{acting}")
    click.echo(issued.secret)
    click.echo(SHOWN_ONCE)


@token_group.command("list")
@table_or_json
@pass_ledger_options
def list_command(options: LedgerOptions, output_format: str) -> None:
    """List the ledger's tokens, revoked ones too (never a secret or its hash)."""
    try:
        with options.ledger(read_only=True) as ledger:
            records = list_tokens(ledger)
    except CreditbankError as error:
        fail(error)
    if output_format == "json":
        click.echo(json.dumps([r.model_dump(mode="json") for r in records], indent=2))
        return
    table = Table(title=f"{len(records)} API token(s)", title_justify="left")
    for column in ("id", "name", "role", "learner", "organisation", "created", "revoked"):
        table.add_column(column, overflow="fold")
    for r in records:
        revoked = r.revoked_at.isoformat(timespec="seconds") if r.revoked_at else ""
        table.add_row(
            r.token_id, r.name, r.role, r.learner or "", r.organisation or "", _when(r), revoked
        )
    console().print(table)


@token_group.command("revoke")
@click.argument("token_id")
@table_or_json
@pass_ledger_options
def revoke_command(options: LedgerOptions, token_id: str, output_format: str) -> None:
    """Revoke the token TOKEN_ID: it authenticates no one from now on (kept, listed as
    revoked). Revoking a revoked token changes nothing."""
    try:
        with options.ledger() as ledger:
            record = revoke_token(ledger, token_id)
    except CreditbankError as error:
        fail(error)
    if output_format == "json":
        click.echo(record.model_dump_json(indent=2))
        return
    assert record.revoked_at is not None
    click.echo(
        f"token {record.token_id} ({record.name}, {record.role}) revoked at "
        f"{record.revoked_at.isoformat(timespec='seconds')}"
    )


# `creditbank ledger token …`: the group is imported from here (see creditbank.cli.main), so
# that the group always comes with its token commands
ledger_group.add_command(token_group)
