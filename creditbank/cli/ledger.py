"""``creditbank ledger``: the credit bank's accounts, from the command line.

Each write subcommand gives one command to :class:`creditbank.ledger.Ledger` as an actor
(``--actor ID --role ROLE [--org ORG]``, or ``$CREDITBANK_ACTOR``, ``$CREDITBANK_ROLE``,
``$CREDITBANK_ORG``) with the caller's idempotency ``--key``, and prints what it wrote.
Exit codes: 0 done (or a repeated key: nothing new), 1 refused (nothing written) or verify
found a problem, 2 usage error.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import sys
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NoReturn, TypeVar, get_args

import click
from rich.console import Console
from rich.table import Table

from creditbank.bundled import ENV_VAR, default_standards_paths
from creditbank.cli.console import console, fail
from creditbank.cli.interop import BadgeImportOptions, badge_import_options, run_badge_import
from creditbank.cli.labels import label
from creditbank.cli.options import (
    OUTPUT_HELP,
    as_of_option,
    db_option,
    format_option,
    lang_option,
    output_option,
    program_option,
    standards_options,
    table_or_json,
)
from creditbank.cli.output import write_output
from creditbank.cli.progress import working
from creditbank.errors import CreditbankError, FileError, LedgerError, LoadError
from creditbank.interop.deposit import (
    BadgeDeposit,
    deposit_badges,
    deposits_done,
    portfolio_deposit,
)
from creditbank.interop.openbadges import BadgeImport
from creditbank.ledger import ROLES, Actor, ChainHeads, Ledger, Receipt, Statement
from creditbank.ledger.chain import VerifyReport
from creditbank.ledger.copy import copy_ledger
from creditbank.ledger.ids import check_subject_salt
from creditbank.ledger.location import parse_location
from creditbank.loading import load_portfolio, load_standards
from creditbank.loading.crosscheck import level_name
from creditbank.models import Standards
from creditbank.models.profile import EducationLevel

__all__ = ["LedgerOptions", "ledger_group", "pass_ledger_options"]

EXIT_PROBLEMS = 1
SUBJECT_SALT_VAR = "CREDITBANK_SUBJECT_SALT"
"""The platform's secret that keys the digests of credential subjects (16+ bytes)."""
_F = TypeVar("_F", bound=Callable[..., Any])


@dataclass
class _Options:
    db: str | None
    standards_dirs: tuple[str, ...]
    timeout: float
    _standards: Standards | None = field(default=None, init=False, repr=False)

    def standards(self) -> Standards:
        """The standards (loaded once per command)."""
        if self._standards is None:
            with working("loading standards"):
                self._standards = load_standards(default_standards_paths(self.standards_dirs))
        return self._standards

    def ledger(
        self, *, standards: bool = False, create: bool = False, read_only: bool = False
    ) -> Ledger:
        if self.db is None:
            raise click.UsageError(
                "give the ledger: creditbank ledger --db FILE|sqlite:///PATH|postgresql://... ..."
            )
        loaded = self.standards() if standards else None
        return Ledger.open(
            self.db, loaded, create=create, read_only=read_only, timeout=self.timeout
        )


def _console() -> Console:
    return console()


_fail = fail


def _actor_options(func: _F) -> _F:
    func = click.option(
        "--org",
        "organisation",
        envvar="CREDITBANK_ORG",
        default=None,
        help="The organisation the actor acts for: an issuer or school id of the standards "
        "($CREDITBANK_ORG).",
    )(func)
    func = click.option(
        "--role",
        envvar="CREDITBANK_ROLE",
        required=True,
        type=click.Choice(ROLES),
        help="The actor's role ($CREDITBANK_ROLE).",
    )(func)
    return click.option(
        "--actor",
        "actor_id",
        envvar="CREDITBANK_ACTOR",
        required=True,
        help="Who gives the command: an opaque person id ($CREDITBANK_ACTOR).",
    )(func)


_KEY_META = "creditbank.idempotency_key"


def _given_or_new_key(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    """The caller's key, or a new one (printed back by the command so that it can be
    repeated safely); remembered in ``ctx.meta`` for the printing."""
    key = value if value is not None else uuid.uuid4().hex
    ctx.meta[_KEY_META] = (key, value is None)
    return key


def _key_option(func: _F) -> _F:
    return click.option(
        "--key",
        default=None,
        callback=_given_or_new_key,
        help="Idempotency key, scoped to the account: the same key with the same command "
        "changes nothing (default: a new key, printed).",
    )(func)


def _key_said(output_format: str) -> dict[str, str]:
    """Print back the idempotency key the command used (table), or return it for JSON."""
    key, generated = click.get_current_context().meta.get(_KEY_META, ("", False))
    if output_format != "json" and key:
        said = f" (generated; give --key {key} to repeat this command safely)" if generated else ""
        click.echo(f"idempotency key {key}{said}")
    return {"idempotency_key": key} if key else {}


def _actor(actor_id: str, role: str, organisation: str | None) -> Actor:
    try:
        return Actor.model_validate({"id": actor_id, "role": role, "organisation": organisation})
    except CreditbankError as error:  # e.g. a 身份证号 given as the actor id
        _fail(error)
    except ValueError as error:
        raise click.BadParameter(str(error).splitlines()[-1], param_hint="--actor") from None


def _summary(receipt: Receipt) -> Table:
    title = (
        f"{receipt.command} on {receipt.account}: key {receipt.key!r} was used before, "
        "nothing new was written"
        if receipt.replayed
        else f"{receipt.command} on {receipt.account}: {len(receipt.events)} event(s) written"
    )
    table = Table(title=title, title_justify="left")
    for column in ("seq", "#", "event", "detail"):
        table.add_column(column, overflow="fold")
    for event in receipt.events:
        payload = event.payload.model_dump(
            mode="json", exclude={"type", "evaluation", "lines", "achievement", "grant"}
        )
        detail = ", ".join(f"{k}={v}" for k, v in payload.items() if v not in (None, [], ()))
        table.add_row(str(event.seq), str(event.account_seq), event.type, detail)
    return table


def _run(
    options: _Options, call: Callable[[Ledger], Receipt], output_format: str, **kw: bool
) -> None:
    try:
        with options.ledger(**kw) as ledger:
            receipt = call(ledger)
    except CreditbankError as error:
        _fail(error)
    if output_format == "json":
        payload = {**json.loads(receipt.to_json()), **_key_said(output_format)}
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        _console().print(_summary(receipt))
        if receipt.application and not receipt.replayed:
            click.echo(f"application {receipt.application}")
        _key_said(output_format)


@click.group("ledger")
@db_option
@standards_options(
    "Standards for authority checks and evaluation; repeat to layer them (`bundled` names "
    f"the bundled standards; default: ${ENV_VAR} or bundled)."
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0),
    default=30.0,
    show_default=True,
    help="Seconds to wait for another writer.",
)
@click.pass_context
def ledger_group(
    ctx: click.Context, db: str | None, standards_dirs: tuple[str, ...], timeout: float
) -> None:
    """The credit bank: learner accounts as an append-only, hash-chained ledger (SQLite or
    PostgreSQL).

    Deposit achievements, apply them to a programme, review, approve (post), reject,
    revoke, override; print a learner's statement; verify and export the hash chains;
    issue and revoke API tokens for `creditbank serve`.
    """
    ctx.obj = _Options(db, standards_dirs, timeout)


def _pass(func: _F) -> _F:
    """Pass the group's options to a subcommand, which also takes ``--db`` itself (after
    its name: ``creditbank ledger deposit --db X …``; given there, it wins over the
    group's)."""

    @functools.wraps(func)
    def with_options(*args: Any, db: str | None = None, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        options = ctx.find_object(_Options)
        if options is None:  # pragma: no cover - every subcommand runs under the group
            raise click.UsageError("run it as a subcommand of `creditbank ledger`")
        # only a --db written after the subcommand: the environment and the configuration
        # are the group's defaults already, and must not override the group's --db
        if ctx.get_parameter_source("db") == click.core.ParameterSource.COMMANDLINE:
            options.db = db
        return func(options, *args, **kwargs)

    return db_option(with_options)  # type: ignore[return-value]


LedgerOptions = _Options
"""What ``creditbank ledger`` was given (``--db``, ``--standards``, ``--timeout``), for the
subcommands other modules add (:mod:`creditbank.cli.tokens`)."""
pass_ledger_options = _pass


@ledger_group.command("init")
@_pass
def init_command(options: _Options) -> None:
    """Create the ledger database (or upgrade its schema); harmless when it exists."""
    try:
        with options.ledger(create=True) as ledger:
            version = ledger.store.schema_version()
            ledger.store.subject_key()  # the ledger's own secret for subject digests
        shown = parse_location(options.db or "").shown()  # a password never printed
    except CreditbankError as error:
        _fail(error)
    click.echo(f"ledger {shown} ready (schema version {version})")


@ledger_group.command("open")
@click.argument("account")
@_actor_options
@_key_option
@click.option("--note", default=None, help="A note on the account (no personal data).")
@table_or_json
@_pass
def open_command(
    options: _Options,
    account: str,
    actor_id: str,
    role: str,
    organisation: str | None,
    key: str,
    note: str | None,
    output_format: str,
) -> None:
    """Open the learner account ACCOUNT (an opaque id, never a 身份证号)."""
    actor = _actor(actor_id, role, organisation)
    _run(
        options,
        lambda lg: lg.open_account(
            account, actor=actor, key=lg.scoped_key(account, key), note=note
        ),
        output_format,
    )


@ledger_group.command("deposit")
@click.argument("account")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--achievement",
    "achievement_id",
    default=None,
    help="Which achievement of FILE to deposit (needed when it holds several).",
)
@click.option("--evidence", default=None, help="Where the evidence is: a URL or a file id.")
@click.option(
    "--verification",
    type=click.Choice(["verified", "pending", "unverified"]),
    default=None,
    help="Whether the issuer checked the evidence (default verified). Not for an achievement "
    "imported from a credential: the portfolio's `credentials:` (`import badge -o` writes "
    "it) says how its credential was checked, and the deposit records that.",
)
@click.option(
    "--accept-unchecked-status",
    is_flag=True,
    help="Deposit an achievement whose credential carries a status (credentialStatus) that "
    "was not checked (the portfolio's `credentials:` says credential_status: unchecked); "
    "the deposit records that. Refused otherwise (CREDENTIAL_STATUS_UNCHECKED).",
)
@_actor_options
@_key_option
@table_or_json
@_pass
def deposit_command(
    options: _Options,
    account: str,
    file: Path,
    achievement_id: str | None,
    evidence: str | None,
    verification: str | None,
    accept_unchecked_status: bool,
    actor_id: str,
    role: str,
    organisation: str | None,
    key: str,
    output_format: str,
) -> None:
    """Deposit one achievement of a portfolio FILE (YAML or JSON) into ACCOUNT.

    The actor must be an issuer (--role issuer --org ISSUER) that the standards authorise
    for the achievement's unit and level on the day it was earned. An achievement that
    `import badge -o` wrote from a credential is deposited with its credential's check (the
    portfolio's `credentials:`), under every rule of `ledger deposit-badge`: verified or
    unverified as the check says (--verification is refused), one account per credential,
    one subject per account, never expired, never without a known issuer, and one whose
    credential status was not checked only with --accept-unchecked-status.
    """
    actor = _actor(actor_id, role, organisation)
    try:
        portfolio = load_portfolio(file, options.standards())
        chosen = portfolio_deposit(
            portfolio,
            achievement=achievement_id,
            verification=verification,  # type: ignore[arg-type]
            source=str(file),
        )
    except LedgerError as error:
        _usage_or_fail(error)
    except CreditbankError as error:
        _fail(error)
    salt = _subject_salt() if chosen.imported is not None else None
    _run(
        options,
        lambda lg: chosen.deposit(
            lg,
            account,
            actor=actor,
            key=lg.scoped_key(account, key),
            evidence=evidence,
            subject_salt=salt,
            accept_unchecked_status=accept_unchecked_status,
        ),
        output_format,
        standards=True,
    )


def _usage_or_fail(error: LedgerError) -> NoReturn:
    """A refusal that names the caller's argument at fault is a usage error (exit 2) on
    that option; any other is printed as it is (exit 1)."""
    option = _OPTION_OF.get(str(error.detail.get("parameter")))
    if option is not None:
        raise click.BadParameter(error.message, param_hint=option)
    _fail(error)


# The library names the argument at fault (detail["parameter"], a Python name); the option
# that gives it is the CLI's to say, not derived from the name.
_OPTION_OF = {
    "achievement": "--achievement",
    "verification": "--verification",
    "key": "--key",
    "at": "--at",
}


def _subject_salt() -> str | None:
    """$CREDITBANK_SUBJECT_SALT, checked up front (16+ bytes of UTF-8), or None."""
    value = os.environ.get(SUBJECT_SALT_VAR)
    if not value:
        return None
    try:
        check_subject_salt(value)
    except LedgerError as error:
        _fail(LedgerError(error.code, f"${SUBJECT_SALT_VAR}: {error.message}"))
    return value


@ledger_group.command("deposit-badge")
@click.argument("account")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@badge_import_options
@_actor_options
@_key_option
@table_or_json
@_pass
def deposit_badge_command(
    options: _Options,
    /,
    account: str,
    files: tuple[Path, ...],
    actor_id: str,
    role: str,
    organisation: str | None,
    key: str,
    output_format: str,
    **import_options: Any,
) -> None:
    """Import Open Badges / CLR credentials (FILE: JSON or VC-JWT) and deposit them.

    Verifies each credential as `creditbank import badge` does and deposits each accepted
    achievement into ACCOUNT, recording whether its credential was verified and why:
    verified ones as `verified`, unverifiable ones (only with --accept-unverified) as
    `unverified`; invalid ones never. One that carries a credentialStatus, which is not
    checked yet (STATUS_UNCHECKED), is deposited only with --accept-unchecked-status, as
    `unverified`, and its deposit records that its status was not checked. The actor must
    be the issuer the standards authorise (--role issuer --org ISSUER). Each deposit's
    idempotency key is KEY:ACHIEVEMENT. The credentials must name one subject (one
    learner); each deposit records when its credential was checked (--at, never in the
    future) and a digest of its subject keyed with the ledger's own secret (or
    $CREDITBANK_SUBJECT_SALT, 16+ bytes, if set); an account takes the credentials of one
    subject only. A credential whose issuer is no
    issuer of the standards, or that another account holds, is refused.
    Exits 1 when a file is rejected, a credential invalid, an achievement ambiguous, a
    deposit refused or nothing was deposited.
    """
    actor = _actor(actor_id, role, organisation)
    chosen = BadgeImportOptions(**import_options)
    salt = _subject_salt()
    try:
        results, _ = run_badge_import(files, options.standards(), chosen)
        with options.ledger(standards=True) as ledger:
            done = deposit_badges(
                ledger,
                account,
                results,
                actor=actor,
                key=ledger.scoped_key(account, key),
                accept_unverified=chosen.accept_unverified,
                subject_salt=salt,
                accept_unchecked_status=chosen.accept_unchecked_status,
            )
    except LedgerError as error:  # raised before any deposit was written
        _usage_or_fail(error)
    except CreditbankError as error:
        _fail(error)
    rejected = [r for r in results if r.error is not None]
    if output_format == "json":
        click.echo(
            json.dumps(
                {
                    "deposits": [d.to_dict() for d in done],
                    "rejected": [r.to_dict() for r in rejected],
                    "issuer_check": "off" if chosen.no_issuer_check else "whitelist",
                    **_key_said(output_format),
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        _console().print(_deposits_view(account, done, rejected, chosen.no_issuer_check))
        _key_said(output_format)
    if not deposits_done(done, results).complete:
        sys.exit(EXIT_PROBLEMS)


def _deposits_view(
    account: str, done: Sequence[BadgeDeposit], rejected: Sequence[BadgeImport], unchecked: bool
) -> Table:
    deposited = sum(d.outcome == "deposited" for d in done)
    title = f"deposit-badge into {account}: {deposited} achievement(s) deposited"
    if unchecked:
        title += "; the issuer whitelist was OFF (--no-issuer-check)"
    table = Table(title=title, title_justify="left")
    for column in ("file", "achievement", "unit", "credential", "outcome"):
        table.add_column(column, overflow="fold")
    for d in done:
        v = d.record.verification
        achievement = d.record.achievement
        if d.deposited:
            outcome = d.outcome + (" as verified" if v.verified else " as UNVERIFIED")
            if d.record.credential_status == "unchecked":
                outcome += ", its status NOT CHECKED"
        elif d.error is not None:
            outcome = f"refused: {d.error}"
        else:
            outcome = f"skipped: {d.skipped}"
        table.add_row(
            d.source,
            f"{d.record.name} ({achievement.id})" if achievement else d.record.name,
            str(achievement.unit) if achievement else "",
            f"{v.status} ({v.reason})",
            outcome,
        )
    for r in rejected:
        error = r.error
        table.add_row(
            r.source, "", "", "rejected", f"{error.code} {error.message}" if error else ""
        )
    return table


@ledger_group.command("apply")
@click.argument("account")
@program_option()
@as_of_option(
    "Judge the application as of this day, YYYY-MM-DD (default: today); an earlier day "
    "records a historical application, which only a bank_operator may do."
)
@click.option(
    "--achievement",
    "achievements",
    multiple=True,
    help="Apply only these achievements (repeatable; default: every active one).",
)
@_actor_options
@_key_option
@table_or_json
@_pass
def apply_command(
    options: _Options,
    account: str,
    program: str,
    as_of: dt.datetime | None,
    achievements: tuple[str, ...],
    actor_id: str,
    role: str,
    organisation: str | None,
    key: str,
    output_format: str,
) -> None:
    """Apply ACCOUNT's achievements to a programme; keeps the engine's evaluation.

    Prints the new application's id; it then goes to review, approve or reject.
    """
    actor = _actor(actor_id, role, organisation)
    _run(
        options,
        lambda lg: lg.apply(
            account,
            program,
            actor=actor,
            key=lg.scoped_key(account, key),
            as_of=as_of.date() if as_of else None,
            achievements=achievements or None,
        ),
        output_format,
        standards=True,
    )


def _step_command(name: str, doc: str, *, reason_required: bool) -> click.Command:
    @click.command(name, help=doc)
    @click.argument("account")
    @click.argument("application")
    @click.option(
        "--reason", required=reason_required, default=None, help="Why (kept in the ledger)."
    )
    @_actor_options
    @_key_option
    @table_or_json
    @_pass
    def command(
        options: _Options,
        account: str,
        application: str,
        reason: str | None,
        actor_id: str,
        role: str,
        organisation: str | None,
        key: str,
        output_format: str,
    ) -> None:
        actor = _actor(actor_id, role, organisation)

        def call(lg: Ledger) -> Receipt:
            scoped = lg.scoped_key(account, key)
            if name == "review":
                return lg.review(account, application, actor=actor, key=scoped, reason=reason)
            if name == "approve":
                return lg.approve(account, application, actor=actor, key=scoped, reason=reason)
            return lg.reject(account, application, actor=actor, key=scoped, reason=reason or "")

        _run(options, call, output_format)

    return command


ledger_group.add_command(
    _step_command(
        "review",
        "Review APPLICATION of ACCOUNT for the programme's school (--role school_reviewer).",
        reason_required=False,
    )
)
ledger_group.add_command(
    _step_command(
        "approve",
        "Approve a reviewed APPLICATION of ACCOUNT (--role academic_affairs of the "
        "programme's school) and post its credit.",
        reason_required=False,
    )
)
ledger_group.add_command(
    _step_command(
        "reject",
        "Reject APPLICATION of ACCOUNT at its current step, with --reason.",
        reason_required=True,
    )
)


@ledger_group.command("revoke")
@click.argument("account")
@click.argument("achievement")
@click.option("--reason", required=True, help="Why the achievement is revoked.")
@_actor_options
@_key_option
@table_or_json
@_pass
def revoke_command(
    options: _Options,
    account: str,
    achievement: str,
    reason: str,
    actor_id: str,
    role: str,
    organisation: str | None,
    key: str,
    output_format: str,
) -> None:
    """Revoke ACHIEVEMENT of ACCOUNT (its issuer, or a bank operator).

    Every posted conversion that used it is reversed by a compensating entry.
    """
    actor = _actor(actor_id, role, organisation)
    _run(
        options,
        lambda lg: lg.revoke(
            account, achievement, actor=actor, key=lg.scoped_key(account, key), reason=reason
        ),
        output_format,
    )


@ledger_group.command("expire")
@click.argument("account")
@click.argument("achievement")
@as_of_option("The day by which it expired, YYYY-MM-DD.", required=True)
@click.option("--reason", default=None, help="A note on the expiry.")
@_actor_options
@_key_option
@table_or_json
@_pass
def expire_command(
    options: _Options,
    account: str,
    achievement: str,
    as_of: dt.datetime,
    reason: str | None,
    actor_id: str,
    role: str,
    organisation: str | None,
    key: str,
    output_format: str,
) -> None:
    """Record that ACHIEVEMENT of ACCOUNT expired (a bank operator); postings are reversed."""
    actor = _actor(actor_id, role, organisation)
    _run(
        options,
        lambda lg: lg.expire(
            account,
            achievement,
            actor=actor,
            key=lg.scoped_key(account, key),
            as_of=as_of.date(),
            reason=reason,
        ),
        output_format,
        standards=True,
    )


_TRI = click.Choice(["yes", "no", "unknown"])


def _tri(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


@ledger_group.command("profile")
@click.argument("account")
@click.option("--region", default=None, help="Where the learner works: a GB/T 2260 code.")
@click.option("--migrant-worker", type=_TRI, default="unknown", show_default=True, help="农民工.")
@click.option("--union-member", type=_TRI, default="unknown", show_default=True, help="工会会员.")
@click.option(
    "--education",
    type=click.Choice(get_args(EducationLevel)),
    default=None,
    help="The highest education completed.",
)
@_actor_options
@_key_option
@table_or_json
@_pass
def profile_command(
    options: _Options,
    account: str,
    region: str | None,
    migrant_worker: str,
    union_member: str,
    education: str | None,
    actor_id: str,
    role: str,
    organisation: str | None,
    key: str,
    output_format: str,
) -> None:
    """Record the non-identifying part of ACCOUNT's profile (the learner, or a bank
    operator): region, migrant-worker status, union membership, education. It replaces the
    profile recorded before; `creditbank report` counts it."""
    actor = _actor(actor_id, role, organisation)
    _run(
        options,
        lambda lg: lg.record_profile(
            account,
            actor=actor,
            key=key,
            region=region,
            migrant_worker=_tri(migrant_worker),
            union_member=_tri(union_member),
            education=education,
        ),
        output_format,
    )


@ledger_group.command("fund")
@click.argument("account")
@click.argument("program")
@click.option("--scheme", required=True, help="The funding scheme, e.g. 求学圆梦行动.")
@click.option("--grant", "decision", flag_value="granted", default=True, help="Grant a place.")
@click.option("--withdraw", "decision", flag_value="withdrawn", help="Withdraw the place.")
@click.option(
    "--rule", default=None, help="With --grant: the funding eligibility rule it is granted under."
)
@click.option("--reason", default=None, help="Why (required with --withdraw).")
@_actor_options
@_key_option
@table_or_json
@_pass
def fund_command(
    options: _Options,
    account: str,
    program: str,
    scheme: str,
    decision: Literal["granted", "withdrawn"],
    rule: str | None,
    reason: str | None,
    actor_id: str,
    role: str,
    organisation: str | None,
    key: str,
    output_format: str,
) -> None:
    """Grant or withdraw a funded place of PROGRAM for ACCOUNT under --scheme (a bank
    operator); a grant names the `funding` eligibility rule of the standards it is made
    under (`creditbank eligibility --for funding` says which rules a learner meets)."""
    actor = _actor(actor_id, role, organisation)
    _run(
        options,
        lambda lg: lg.fund(
            account,
            program,
            actor=actor,
            key=key,
            scheme=scheme,
            decision=decision,
            rule=rule,
            reason=reason,
        ),
        output_format,
        standards=True,
    )


@ledger_group.command("override")
@click.argument("account")
@click.argument("application")
@click.option("--grant", "action", flag_value="grant", help="Grant credits for the achievement.")
@click.option("--deny", "action", flag_value="deny", help="Deny every line that uses it.")
@click.option("--achievement", required=True, help="The achievement the exception is about.")
@click.option("--requirement", default=None, help="With --grant: the requirement credited.")
@click.option("--course", default=None, help="With --grant: the course exempted, if any.")
@click.option("--credits", default=None, help="With --grant: how many credits (exact, 1.5).")
@click.option("--reason", required=True, help="Why the exception is made.")
@_actor_options
@_key_option
@table_or_json
@_pass
def override_command(
    options: _Options,
    account: str,
    application: str,
    action: str | None,
    achievement: str,
    requirement: str | None,
    course: str | None,
    credits: str | None,
    reason: str,
    actor_id: str,
    role: str,
    organisation: str | None,
    key: str,
    output_format: str,
) -> None:
    """A registrar's exception on APPLICATION of ACCOUNT before approval (academic affairs).

    --grant adds credits for an achievement into a requirement (or course); --deny withdraws
    every line that uses it. Who, why and when are kept in the ledger.
    """
    if action not in ("grant", "deny"):
        raise click.UsageError("give --grant or --deny")
    actor = _actor(actor_id, role, organisation)
    _run(
        options,
        lambda lg: lg.override(
            account,
            application,
            actor=actor,
            key=lg.scoped_key(account, key),
            action="grant" if action == "grant" else "deny",
            achievement=achievement,
            reason=reason,
            requirement=requirement,
            course=course,
            credits=credits,
        ),
        output_format,
        standards=True,
    )


def _statement_view(
    statement: Statement, standards: Standards | None, lang: Literal["zh", "en"]
) -> list[Table]:
    """The statement as tables, every label in ``lang`` (levels named from the standards,
    creditbank's own words translated); ids, codes and amounts as they are."""
    from creditbank.reports.labels import value  # noqa: PLC0415 (its package loads Jinja2)

    def heads(table: Table, *keys: str) -> Table:
        for key in keys:
            table.add_column(label(lang, key), overflow="fold")
        return table

    achievements = heads(
        Table(
            title=label(lang, "s_title", account=statement.account, events=statement.events),
            title_justify="left",
        ),
        *("achievement", "unit", "level", "s_earned", "s_issuer", "s_verification", "s_status"),
    )
    for a in statement.achievements:
        status = value(lang, a.status) + (f" ({a.status_reason})" if a.status_reason else "")
        verification = value(lang, a.verification)
        check = a.credential_check
        if check is not None:
            how = ", ".join(x for x in (check.method, check.reason) if x)
            trust = "; issuer NOT CHECKED" if check.issuer_trust == "unchecked" else ""
            if check.credential_status == "unchecked":
                trust += "; status (credentialStatus) NOT CHECKED"
            when = a.checked_before_deposit
            if when is not None:
                trust += f"; checked as of {when.isoformat(timespec='seconds')}, before the deposit"
            verification += f" (credential {check.status}: {how}{trust})"
        achievements.add_row(
            a.id,
            a.unit,
            level_name(standards, a.unit, a.level, lang),
            a.earned_on.isoformat(),
            a.issuer or "",
            verification,
            status,
        )
    applications = heads(
        Table(title=label(lang, "s_applications"), title_justify="left"),
        *("s_application", "s_programme", "s_as_of", "s_state", "s_recognised"),
        *("s_granted", "s_posted", "s_last_step"),
    )
    for app in statement.applications:
        last = app.steps[-1]
        step = f"{value(lang, last.state)} · {last.actor.id} ({value(lang, last.actor.role)})" + (
            f": {last.reason}" if last.reason else ""
        )
        applications.add_row(
            app.id,
            app.program,
            app.as_of.isoformat(),
            value(lang, app.state),
            str(app.recognised),
            str(app.granted),
            str(app.posted),
            step,
        )
    programs = heads(
        Table(title=label(lang, "s_posted_per_programme"), title_justify="left"),
        *("s_programme", "s_posted", "s_courses_exempted"),
    )
    for p in statement.programs:
        programs.add_row(p.program, str(p.posted), ", ".join(p.courses_exempted))
    entries = heads(
        Table(title=label(lang, "s_entries"), title_justify="left"),
        *("s_when", "s_programme", "s_application", "s_line", "s_amount", "s_cause", "s_for"),
    )
    for e in statement.entries:
        target = e.course or e.requirement
        entries.add_row(
            e.at.isoformat(timespec="seconds"),
            e.program,
            e.application,
            str(e.line),
            f"{e.amount:+}",
            e.cause or "",
            f"{', '.join(e.achievements)} → {target}",
        )
    return [achievements, applications, programs, entries]


@ledger_group.command("statement")
@click.argument("account")
@format_option(
    "A readable table, JSON, or a printable HTML report (A4, self-contained; units, "
    "programmes and schools named from the standards).",
    choices=("table", "json", "html"),
)
@lang_option("The language of every label, level and name (table and html; JSON is data).")
@output_option(OUTPUT_HELP)
@_pass
def statement_command(
    options: _Options,
    account: str,
    output_format: str,
    lang: Literal["zh", "en"],
    output: Path | None,
) -> None:
    """Print the statement (学习档案) of ACCOUNT: outcomes, applications, posted credit."""
    if output is not None and output_format == "table":
        raise click.UsageError("--output needs --format json or --format html")
    try:
        with options.ledger(read_only=True) as ledger:
            statement = ledger.statement(account)
        standards = options.standards() if output_format != "json" else None
    except CreditbankError as error:
        _fail(error)
    if output_format == "html":
        from creditbank.reports import statement_report  # noqa: PLC0415 (Jinja2: html only)

        report = statement_report(statement, dt.date.today(), standards=standards, lang=lang)
        write_output(report, output)
        return
    if output_format == "json":
        write_output(statement.to_json() + "\n", output)
        return
    console = _console()
    for table in _statement_view(statement, standards, lang):
        console.print(table)


_PROVES = (
    "every hash chain is intact and ends at the chain head the ledger records, the cached "
    "projection equals the events replayed, and the tables, triggers and metadata are "
    "creditbank's own"
)
_UNANCHORED = (
    "This proves the file is consistent, not that it was not rewritten as a whole by someone "
    "who can write it: keep the heads (`creditbank ledger export -o heads.json`) elsewhere and "
    "verify --heads them to prove that."
)


def _verify_text(report: VerifyReport) -> str:
    if report.ok:
        head = f"ok: {report.events} events in {report.accounts} accounts; {_PROVES}"
        if report.anchors:
            return (
                f"{head}; and the {report.anchors} chain heads exported earlier are all still "
                "in their chains: nothing they cover was changed or cut off since"
            )
        return f"{head}.\n{_UNANCHORED}"
    lines: list[str] = []
    if report.first_bad is not None:
        lines.append(f"TAMPERED: first bad event: {report.first_bad}")
        lines += [f"  also {problem}" for problem in report.problems[1:]]
    elif report.projection == "differs":
        lines.append(
            "DIFFERS: the chains are intact but the cached projection differs from the events "
            "replayed: the database was changed outside the ledger (find out how before "
            "rebuilding the projection from the events)"
        )
    if report.structure == "differs":
        lines.append(
            "SCHEMA: the ledger's tables, triggers or metadata are not creditbank's own, so "
            "its invariants may not hold (changed outside the ledger, or damaged):"
        )
        lines += [f"  {problem}" for problem in report.structure_problems]
    return "\n".join(lines)


@ledger_group.command("verify")
@click.option(
    "--heads",
    "heads_file",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    default=None,
    help="Chain heads exported earlier (creditbank ledger export) and kept elsewhere: also "
    "prove that nothing they cover was rewritten, cut off or deleted since.",
)
@table_or_json
@_pass
def verify_command(options: _Options, heads_file: Path | None, output_format: str) -> None:
    """Check the ledger; name the first bad event; exit 1 if anything is wrong.

    Without --heads, verify proves the file is consistent: every account's hash chain is
    intact and ends at the chain head the ledger records, the cached projection equals the
    events replayed, and the tables, triggers and metadata are exactly creditbank's. That
    catches damage and any edit made without rewriting the rest; it cannot catch someone
    who can write the file and rewrites it whole (re-chains an account after an edit, or
    deletes one, then fixes the heads, the projection and the triggers). With --heads FILE,
    verify also proves that every account in FILE still holds the event FILE records for
    it, unchanged, with everything before it: nothing it covers was changed, cut off or
    deleted since the export. Events written after the export are covered by the next one.
    Reads the ledger only, also on a read-only directory or mount.
    """
    try:  # a regular file only (fileio): a FIFO would hang, /dev/zero fill the memory
        anchors = ChainHeads.read(heads_file) if heads_file else None
    except (FileError, LoadError) as error:
        _fail(error)
    try:
        with options.ledger(read_only=True) as ledger, working("verifying the ledger"):
            report = ledger.verify(anchors)
    except CreditbankError as error:
        _fail(error)
    if output_format == "json":
        click.echo(report.model_dump_json(indent=2))
    else:
        click.echo(_verify_text(report))
    if not report.ok:
        sys.exit(EXIT_PROBLEMS)


@ledger_group.command("export")
@click.option(
    "--events",
    "with_events",
    is_flag=True,
    help="Print the stored events (canonical JSON, one a line) instead of the chain heads.",
)
@click.option("--account", default=None, help="With --events: only this account's events.")
@click.option(
    "-o",
    "--output",
    "output_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write to this file instead of stdout.",
)
@_pass
def export_command(
    options: _Options, with_events: bool, account: str | None, output_file: Path | None
) -> None:
    """Export every account's chain head (JSON) to keep elsewhere, or the events themselves.

    Pass the heads to `creditbank ledger verify --heads FILE` later to prove that nothing
    was rewritten or cut off since. sha256 of each exported event line is its hash.
    """
    try:
        with options.ledger(read_only=True) as ledger:
            text = (
                "".join(line + "\n" for line in ledger.export_events(account))
                if with_events
                else ledger.export_heads().to_json() + "\n"
            )
    except CreditbankError as error:
        _fail(error)
    write_output(text, output_file)


@ledger_group.command("copy")
@click.option(
    "--from",
    "source",
    required=True,
    help="The ledger to copy: a file path, sqlite:///PATH or postgresql://...",
)
@click.option(
    "--to",
    "destination",
    required=True,
    help="Where to copy it: a new file, or an empty PostgreSQL database.",
)
@table_or_json
@_pass
def copy_command(options: _Options, source: str, destination: str, output_format: str) -> None:
    """Copy a ledger to another file or database (SQLite to PostgreSQL, or back), every
    event as stored, so the hash chains and exported heads hold on both sides.

    The source must verify; the destination must hold no events (copy creates it: not a
    ledger made by `init`, which has its own subject key). Both are verified afterwards;
    exit 1 if the copy does not verify. --db is not used. API tokens are not copied (they
    are not events): issue new ones on the copy (`creditbank ledger token issue`).
    """
    try:
        report = copy_ledger(source, destination, timeout=options.timeout)
    except CreditbankError as error:
        _fail(error)
    if output_format == "json":
        click.echo(report.model_dump_json(indent=2))
    else:
        state = "verified" if report.destination_verify.ok else "DOES NOT VERIFY"
        click.echo(
            f"copied {report.events} events of {report.accounts} accounts from "
            f"{report.source} to {report.destination}: the copy {state}"
        )
    if not report.destination_verify.ok:
        sys.exit(EXIT_PROBLEMS)
