"""``creditbank import badge|case`` and ``creditbank export case|ctdl|clr``."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console

from creditbank.bundled import default_standards_paths
from creditbank.cli.console import console, fail
from creditbank.cli.options import as_of_option, format_option, program_option, standards_option
from creditbank.cli.output import write_output
from creditbank.cli.progress import counting, working
from creditbank.engine import evaluate
from creditbank.errors import CreditbankError
from creditbank.interop.case import export_case, import_case_file
from creditbank.interop.ctdl import export_ctdl
from creditbank.interop.errors import InteropError
from creditbank.interop.export import evaluation_clr, evaluation_credentials
from creditbank.interop.jsonld import ContextLoader
from creditbank.interop.keys import read_private_key
from creditbank.interop.openbadges import (
    IMPORTED_LEARNER,
    BadgeImport,
    import_badge_file,
    import_portfolio,
    load_mapping,
    portfolio_learner,
    to_portfolio,
)
from creditbank.interop.trust import parse_trust
from creditbank.loading import load_portfolio, load_standards
from creditbank.models import Standards
from creditbank.models.plain import to_plain
from creditbank.serialize import dump_document, dump_portfolio, dump_yaml

__all__ = [
    "BadgeImportOptions",
    "badge_import_options",
    "export_group",
    "import_group",
    "run_badge_import",
]

EXIT_OK, EXIT_PROBLEMS = 0, 1
IMPORTED_DESCRIPTION = "imported from Open Badges / CLR credentials by creditbank import badge"
_F = TypeVar("_F", bound=Callable[..., Any])

_output_option = click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="Write to this file instead of standard output.",
)


def _out() -> Console:
    return console()


_fail = fail


def _standards(standards_dirs: tuple[str, ...]) -> Standards:
    with working("loading standards"):
        return load_standards(default_standards_paths(standards_dirs))


def _write_json(data: Any, output: Path | None) -> None:
    write_output(json.dumps(data, ensure_ascii=False, indent=2) + "\n", output)


# ------------------------------------------------------------------------- import


@click.group("import")
def import_group() -> None:
    """Import credentials (Open Badges 3.0 / CLR 2.0) and CASE frameworks."""


def _print_import(result: BadgeImport, console: Console) -> None:
    console.print(result.source, markup=False)
    if result.error is not None:
        console.print(f"  rejected: {result.error.code} {result.error.message}", markup=False)
        return
    for verification in result.verifications:
        trust = f" [issuer: {verification.issuer_trust}]" if verification.issuer_trust else ""
        console.print(
            f"  credential {verification.credential_id or '(no id)'} from "
            f"{verification.issuer or '(no issuer)'}: {verification.status} "
            f"({verification.reason}) {verification.message}{trust}",
            markup=False,
        )
    for record in result.records:
        if record.accepted and record.achievement is not None:
            verification = record.verification
            unverified = (
                ""
                if verification.verified or verification.reason == "STATUS_UNCHECKED"
                else " [UNVERIFIED, accepted]"
            )
            if record.credential_status == "unchecked":
                unverified += " [STATUS NOT CHECKED, accepted]"
            head = f"  + {record.name} -> {record.achievement.unit}"
            if record.achievement.level:
                head += f" @{record.achievement.level}"
            console.print(f"{head} (id {record.achievement.id}){unverified}", markup=False)
        else:
            verification = record.verification
            if record.error is not None and verification.status != "invalid":
                why: str = record.error.code
            elif verification.status != "verified" or record.achievement is not None:
                why = f"credential {verification.status}: {verification.reason}"
                if record.credential_status == "unchecked" and verification.status != "invalid":
                    why += ", status not checked"
            else:
                why = "not mapped"
            console.print(f"  - {record.name}: not accepted ({why})", markup=False)
        for note in record.notes:
            console.print(f"      {note}", markup=False)
    for note in result.unmapped:
        console.print(f"  ! {note}", markup=False)
    for association in result.associations:
        console.print(
            f"  association {association.source} {association.type} {association.target}",
            markup=False,
        )


def badge_import_options(func: _F) -> _F:
    """The options of a badge import, shared by ``import badge`` and ``ledger deposit-badge``."""
    options = [
        click.option(
            "--map",
            "mapping_path",
            type=click.Path(path_type=Path),
            default=None,
            help="The institution's mapping file: achievements/alignments -> units, trusted "
            "issuers and their keys.",
        ),
        click.option(
            "--trust-issuer",
            "trusted",
            multiple=True,
            metavar="ID[#z6Mk…]",
            help="Also trust this credential issuer id (repeatable); ID#z6Mk… also pins its "
            "key. By default only the identifiers of the standards' issuers are trusted.",
        ),
        click.option(
            "--no-issuer-check",
            is_flag=True,
            help="Turn the issuer whitelist off (every result then says the issuer was not "
            "checked).",
        ),
        click.option(
            "--accept-unverified",
            is_flag=True,
            help="Also accept credentials that cannot be verified (no proof, unknown key); "
            "they are marked UNVERIFIED. Invalid ones are never accepted.",
        ),
        click.option(
            "--accept-unchecked-status",
            is_flag=True,
            help="Also accept credentials that carry a credentialStatus (revocation, "
            "suspension), which creditbank cannot check yet (STATUS_UNCHECKED); they are "
            "marked STATUS NOT CHECKED, and so are their deposits.",
        ),
        click.option(
            "--contexts",
            "contexts_dir",
            type=click.Path(path_type=Path),
            default=None,
            help="A directory of extra JSON-LD contexts (with index.json), searched first.",
        ),
        click.option(
            "--allow-network",
            is_flag=True,
            help="Fetch JSON-LD contexts missing from the local cache over HTTPS (off by default).",
        ),
        click.option(
            "--at",
            "moment",
            type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]),
            default=None,
            help="Check validity windows as of this moment (UTC; default: now).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@dataclass(frozen=True)
class BadgeImportOptions:
    """What :func:`badge_import_options` collects."""

    mapping_path: Path | None = None
    trusted: tuple[str, ...] = ()
    no_issuer_check: bool = False
    accept_unverified: bool = False
    accept_unchecked_status: bool = False
    contexts_dir: Path | None = None
    allow_network: bool = False
    moment: dt.datetime | None = None


def run_badge_import(
    files: Sequence[Path], standards: Standards, options: BadgeImportOptions
) -> tuple[list[BadgeImport], ContextLoader]:
    """Import each file; raises :class:`CreditbankError` for a bad mapping, key or context
    directory (a bad credential is a result, never an error)."""
    mapping = load_mapping(options.mapping_path) if options.mapping_path is not None else None
    trust = parse_trust(options.trusted)
    loader = ContextLoader(options.contexts_dir, allow_network=options.allow_network)
    now = options.moment.replace(tzinfo=dt.UTC) if options.moment is not None else None
    results: list[BadgeImport] = []
    with counting("verifying credentials", len(files)) as advance:
        for path in files:
            results.append(
                import_badge_file(
                    path,
                    standards,
                    mapping=mapping,
                    loader=loader,
                    now=now,
                    accept_unverified=options.accept_unverified,
                    accept_unchecked_status=options.accept_unchecked_status,
                    trust=trust,
                    issuer_check=not options.no_issuer_check,
                )
            )
            advance()
    return results, loader


@import_group.command("badge")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@badge_import_options
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="Write the accepted achievements as a portfolio (.yaml, .yml or .json).",
)
@click.option("--learner", default=None, help="Learner id for the portfolio (default: subject).")
@standards_option
@format_option("A readable report, or JSON.", ("text", "json"))
def import_badge(
    files: tuple[Path, ...],
    output: Path | None,
    learner: str | None,
    standards_dirs: tuple[str, ...],
    output_format: str,
    **options: Any,
) -> None:
    """Verify Open Badges 3.0 / CLR 2.0 credentials (FILE: JSON or VC-JWT) and map them.

    Each credential is verified (Data Integrity eddsa-rdfc-2022 or VC-JWT; validity window;
    the issuer whitelist: the identifiers of the standards' issuers, plus --trust-issuer
    and the mapping's issuers) and each achievement mapped to a unit of the standards.
    Only verified credentials are accepted unless --accept-unverified is given; one that
    carries a credentialStatus (not checked yet: STATUS_UNCHECKED) only with
    --accept-unchecked-status. An achievement whose alignments name different units, or
    whose results disagree, is ambiguous (AMBIGUOUS_UNIT, AMBIGUOUS_RESULT) and never
    accepted. Prints what was accepted and, by name, everything that was not; with -o
    writes a portfolio of the accepted achievements (of one credential subject, unless
    --learner names the learner). Exits 1 when a file is rejected, a credential is invalid
    or an achievement ambiguous, or, with -o, when nothing was accepted; -o FILE is then
    not written (an existing FILE stays as it was).
    """
    chosen = BadgeImportOptions(**options)
    accept_unverified = chosen.accept_unverified
    try:
        standards = _standards(standards_dirs)
        results, loader = run_badge_import(files, standards, chosen)
    except CreditbankError as error:
        _fail(error)
        return
    try:  # shown whoever it belongs to; several subjects are refused below, with -o
        owner = portfolio_learner(results, learner)
    except InteropError:
        owner = IMPORTED_LEARNER
    portfolio = to_portfolio(results, owner, description=IMPORTED_DESCRIPTION)
    if output_format == "json":
        _write_json(
            {
                "files": [r.to_dict() for r in results],
                "accepted": len(portfolio.achievements),
                "fetched_contexts": loader.fetched,
            },
            None,
        )
    else:
        console = _out()
        for result in results:
            _print_import(result, console)
        console.print(
            f"accepted {len(portfolio.achievements)} achievement"
            f"{'s' if len(portfolio.achievements) != 1 else ''}"
            + ("" if accept_unverified else " (verified credentials only)")
            + (
                "; credentials whose status was not checked accepted (--accept-unchecked-status)"
                if chosen.accept_unchecked_status
                else ""
            )
            + (
                "; the issuer whitelist was OFF (--no-issuer-check)"
                if chosen.no_issuer_check
                else ""
            ),
            markup=False,
        )
    bad = any(r.failed for r in results)
    if output is not None:
        try:
            portfolio = import_portfolio(results, learner, description=IMPORTED_DESCRIPTION)
        except InteropError as error:  # nothing is written: FILE stays as it was
            if error.code == "SEVERAL_SUBJECTS":
                raise click.ClickException(
                    f"{error.message}; {output} not written — import each learner's "
                    "credentials separately, or pass --learner if they are one person"
                ) from None
            _fail(InteropError(error.code, f"{output} not written: {error.message}"))
        if output.suffix.lower() == ".json":
            data = dump_portfolio(portfolio, "json")
            text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        else:
            text = dump_yaml(dump_portfolio(portfolio))
        write_output(text, output, note=f" ({len(portfolio.achievements)} achievements)")
    sys.exit(EXIT_PROBLEMS if bad else EXIT_OK)


@import_group.command("case")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="Write the imported units as a standards file (kind: units, YAML).",
)
@format_option("A readable summary, or JSON with every unit and edge.", ("text", "json"))
def import_case_command(file: Path, output: Path | None, output_format: str) -> None:
    """Read a 1EdTech CASE CFPackage (FILE, JSON) as units and typed edges.

    Tolerates the common deviations (timestamps without time zone, string-valued
    education levels) and lists each one it met. Exits 1 when FILE is not a CFPackage.
    """
    try:
        result = import_case_file(file)
    except InteropError as error:
        _fail(error)
        return
    if output_format == "json":
        _write_json(
            {
                "document": result.document_id,
                "title": result.title,
                "items": result.item_count,
                "associations": result.association_count,
                "units": [to_plain(u, "json") for u in result.units],
                "edges": [
                    {"source": e.source, "type": e.type, "target": e.target} for e in result.edges
                ],
                "external": list(result.external),
                "problems": list(result.problems),
            },
            None,
        )
    else:
        console = _out()
        console.print(f"{result.title} ({result.document_id})", markup=False)
        console.print(
            f"  {result.item_count} items -> {len(result.units)} units; "
            f"{result.association_count} associations -> {len(result.edges)} edges; "
            f"{len(result.external)} nodes outside the package",
            markup=False,
        )
        counts: dict[str, int] = {}
        for edge in result.edges:
            counts[edge.type] = counts.get(edge.type, 0) + 1
        for kind, count in sorted(counts.items()):
            console.print(f"  {kind}: {count}", markup=False)
        for problem in result.problems:
            console.print(f"  ~ {problem}", markup=False)
    if output is not None:
        write_output(
            dump_yaml(dump_document("units", result.units)),
            output,
            note=f" ({len(result.units)} units)",
        )


# ------------------------------------------------------------------------- export


@click.group("export")
def export_group() -> None:
    """Export standards (CASE, CTDL) and recognised credit (CLR / Open Badges)."""


@export_group.command("case")
@click.argument("item")
@standards_option
@_output_option
@click.option(
    "--base-uri",
    default="urn:uuid:",
    show_default=True,
    help="Prefix of every URI (the identifier is appended).",
)
def export_case_command(
    item: str, standards_dirs: tuple[str, ...], output: Path | None, base_uri: str
) -> None:
    """Export a framework, a programme with its courses, or a certificate family as CASE.

    ITEM is a framework id, a programme id (or catalogue code) or a family name
    (``family:NAME``). Writes a CASE 1.1 CFPackage (JSON).
    """
    try:
        package = export_case(_standards(standards_dirs), item, base_uri=base_uri)
    except CreditbankError as error:
        _fail(error)
        return
    _write_json(package, output)


@export_group.command("ctdl")
@click.argument("programs", nargs=-1)
@click.option(
    "--certificates",
    is_flag=True,
    help="Include every skill and 1+X certificate, not only those the rules accept.",
)
@click.option(
    "--related",
    is_flag=True,
    help="Also export the programmes the chosen ones share rules with (default: a shared "
    "rule is exported for the chosen programmes only).",
)
@click.option(
    "--id-base",
    default="urn:ctid:",
    show_default=True,
    help="Prefix of every resource id (the CTID is appended).",
)
@standards_option
@_output_option
def export_ctdl_command(
    programs: tuple[str, ...],
    certificates: bool,
    related: bool,
    id_base: str,
    standards_dirs: tuple[str, ...],
    output: Path | None,
) -> None:
    """Export programmes (default: all), their courses, certificates and conversion rules
    as Credential Engine CTDL JSON-LD (credentials, Course, TransferValueProfile …).

    Only the PROGRAMS named are exported; with --related, also those their rules are
    shared with."""
    try:
        graph = export_ctdl(
            _standards(standards_dirs),
            programs or None,
            certificates=certificates,
            id_base=id_base,
            related=related,
        )
    except CreditbankError as error:
        _fail(error)
        return
    _write_json(graph, output)


@export_group.command("clr")
@click.argument("portfolio", type=click.Path(path_type=Path))
@program_option()
@as_of_option()
@click.option(
    "--key",
    "key_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Sign with this Ed25519 private key (PEM, or 32 raw bytes / 64 hex digits).",
)
@click.option(
    "--issuer",
    default=None,
    help="Issuer id (a URL or DID; default: the key's did:key, else urn:creditbank:issuer:…).",
)
@click.option(
    "--per-course",
    is_flag=True,
    help="Write a list of AchievementCredentials (one per converted course) instead.",
)
@standards_option
@_output_option
def export_clr_command(
    portfolio: Path,
    program: str,
    as_of: dt.datetime | None,
    key_path: Path | None,
    issuer: str | None,
    per_course: bool,
    standards_dirs: tuple[str, ...],
    output: Path | None,
) -> None:
    """Evaluate PORTFOLIO and export the recognised credit as a CLR 2.0 ClrCredential.

    Unsigned unless --key is given; a signed export verifies with `creditbank import
    badge`.
    """
    try:
        standards = _standards(standards_dirs)
        learner = load_portfolio(portfolio, standards)
        evaluation = evaluate(
            standards, learner, program, as_of.date() if as_of else dt.date.today()
        )
        key = read_private_key(key_path) if key_path else None
    except CreditbankError as error:
        _fail(error)
        return
    if per_course:
        data: Any = evaluation_credentials(evaluation, standards, issuer=issuer, key=key)
    else:
        data = evaluation_clr(evaluation, standards, issuer=issuer, key=key)
    _write_json(data, output)
