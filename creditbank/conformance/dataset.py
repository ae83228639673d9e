"""The conformance dataset: the golden cases as self-describing, versioned JSON.

A dataset directory holds::

    manifest.json               format, version, fingerprint, the protocol, every case
    cases/NAME.json             one case: standards, programme, as-of date, portfolio, expect
    schemas/case.schema.json    JSON Schema of a case file
    schemas/answer.schema.json  JSON Schema of an implementation's answer
    schemas/manifest.schema.json
    README.md                   how to run it

Every case is complete in itself: ``standards`` is one ``kind: standards`` document with every
item (the word ``bundled`` of a golden case is replaced by the bundled standards themselves),
``program`` is the programme's id, ``portfolio`` a ``kind: portfolio`` document, ``as_of`` an
ISO date, and ``expect`` says what the evaluation must show — in plain JSON, amounts as
decimal strings, each decision's reason details under ``detail``. Numbers inside the
standards and portfolio are written exactly (``1.50`` stays ``1.50``); read them as decimals.

>>> record = case_record(read_case(golden_cases_path() / "r2_at_the_limit_bundled.yaml"))
>>> record["schema"], record["program"], record["as_of"], record["standards"]["kind"]
('creditbank.conformance.case/1', 'demo-college:460301', '2026-11-29', 'standards')
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from creditbank._version import __version__
from creditbank.conformance.eligibility_export import export_eligibility
from creditbank.conformance.golden import (
    DECISION_FIELDS,
    Case,
    CaseError,
    golden_cases_path,
    read_case,  # noqa: F401 (used by the doctest)
    read_cases,
)
from creditbank.conformance.jsontext import dumps, loads, to_json_data
from creditbank.conformance.resolve import (
    load_case_portfolio,
    load_case_standards,
    portfolio_document,
    resolve_program,
    standards_document,
)
from creditbank.conformance.schemas import answer_schema, case_schema, manifest_schema
from creditbank.errors import FileError
from creditbank.fileio import file_error, make_directory, read_bytes, write_atomic

__all__ = [
    "CASE_FORMAT",
    "DATASET_FORMAT",
    "Dataset",
    "case_input",
    "case_record",
    "export_dataset",
    "golden_dataset",
    "load_dataset",
    "normalise_expect",
]

DATASET_FORMAT = "creditbank.conformance/1"
CASE_FORMAT = "creditbank.conformance.case/1"

_AMOUNT_KEYS = {
    "totals": {"recognised", "program_total", "remaining", "share"},
    "decision": {"credits"},
    "use": {"credits", "overflow_credits"},
    "requirement": {"required", "satisfied", "remaining"},
}

_README = """\
# creditbank conformance dataset

Format {format}, made by creditbank {version} ({count} cases).

Each file in `cases/` is one evaluation: `standards` (one `kind: standards` document),
`program` (a programme id), `as_of` (a date), `portfolio` (a `kind: portfolio` document),
and `expect`: what the evaluation must show. `schemas/case.schema.json` describes a case.

An implementation reads a case *without* `expect` on stdin and writes its answer on
stdout: `{{"decisions": [...], "requirements": [...], "totals": {{...}}}}`, as described by
`schemas/answer.schema.json` (the output of `creditbank evaluate --format json` is one).

    creditbank conformance run --command "python my_adapter.py" .

(from this directory; `--timeout`, `--jobs` and `--case NAME` as needed).

`eligibility/` holds the eligibility cases (titles, admission, funding): `standards`,
`portfolio` (with its `profile`), `as_of`, `for` (the outcome kinds) and `expect`, per rule
id: `eligible`, `eligible_from` (a date, or null), `uses`, `unmet` (reason codes, in
order), `detail` (each value found in one of the unmet reasons) or `absent`.
`eligibility/manifest.json` lists them; `conformance run` does not run them.

Comparison: only what `expect` states is compared. Amounts compare as exact decimals
("1.5" = "1.50"). A decision is compared on the keys given; `uses` one to one in any
order, each on the keys given; `rules` must list every rule that looked at the
achievement, each `used`, `eligible` or the reason code of its failure; `detail` values
as text. Numbers inside `standards` and `portfolio` are exact decimals: parse them as such.
"""


def _plain(value: Any) -> Any:
    """A value of an expectation as JSON data (Decimals and dates as text)."""
    data = to_json_data(value)
    if isinstance(data, Decimal):
        return str(data)
    if isinstance(data, list):
        return [_plain(v) for v in data]
    if isinstance(data, dict):
        return {k: _plain(v) for k, v in data.items()}
    return data


def _amount(value: Any) -> Any:
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return str(value)
    return _plain(value)


def _plain_fields(data: Mapping[str, Any], amounts: set[str]) -> dict[str, Any]:
    return {k: _amount(v) if k in amounts else _plain(v) for k, v in data.items()}


def _detail_text(value: Any) -> Any:
    plain = _plain(value)
    return str(plain) if isinstance(plain, int) and not isinstance(plain, bool) else plain


def normalise_expect(expect: Mapping[str, Any]) -> dict[str, Any]:
    """A case's ``expect`` in the dataset's form: JSON data, amounts as decimal strings,
    reason details (``cap: …`` beside ``reason``) moved under ``detail`` and given as text.

    It compares exactly as the original does (see :func:`creditbank.conformance.compare`).
    """
    out: dict[str, Any] = {}
    if "total" in expect:
        out["total"] = _amount(expect["total"])
    if "totals" in expect:
        out["totals"] = _plain_fields(expect["totals"], _AMOUNT_KEYS["totals"])
    if "decisions" in expect:
        decisions: dict[str, Any] = {}
        for name, want in expect["decisions"].items():
            decision: dict[str, Any] = {}
            detail: dict[str, Any] = {}
            for key, value in want.items():
                if key == "detail":
                    detail.update(value)
                elif key == "uses":
                    decision["uses"] = [_plain_fields(u, _AMOUNT_KEYS["use"]) for u in value]
                elif key in DECISION_FIELDS:
                    decision[key] = _amount(value) if key == "credits" else _plain(value)
                else:
                    if key in want.get("detail", {}):
                        raise CaseError(f"decisions.{name}: detail {key!r} given twice")
                    detail[key] = value
            if detail:
                decision["detail"] = {k: _detail_text(v) for k, v in detail.items()}
            decisions[str(name)] = decision
        out["decisions"] = decisions
    if "requirements" in expect:
        out["requirements"] = {
            str(name): _plain_fields(want, _AMOUNT_KEYS["requirement"])
            for name, want in expect["requirements"].items()
        }
    return out


def case_record(case: Case, *, _documents: dict[str, Any] | None = None) -> dict[str, Any]:
    """One case of the dataset (JSON data; numbers of standards and portfolio exact)."""
    standards = load_case_standards(case)
    portfolio = load_case_portfolio(case, standards)
    documents = {} if _documents is None else _documents
    key = standards.fingerprint()
    if key not in documents:
        documents[key] = to_json_data(standards_document(standards))
    return {
        "schema": CASE_FORMAT,
        "name": case.name,
        "description": " ".join(case.description.split()),
        "covers": list(case.covers),
        "program": resolve_program(standards, case.program).id,
        "as_of": case.as_of.isoformat(),
        "standards": documents[key],
        "portfolio": to_json_data(portfolio_document(portfolio)),
        "expect": normalise_expect(case.expect),
    }


def case_input(record: Mapping[str, Any]) -> str:
    """What an implementation reads on stdin: the case without ``expect``, as JSON text."""
    return dumps({k: v for k, v in record.items() if k != "expect"})


@dataclass(frozen=True)
class Dataset:
    """A conformance dataset: its manifest and its cases (JSON data), in manifest order."""

    manifest: dict[str, Any]
    cases: tuple[dict[str, Any], ...]

    @property
    def version(self) -> str:
        return str(self.manifest.get("version", ""))


def _sha256(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def _manifest(entries: list[dict[str, Any]]) -> dict[str, Any]:
    digest = hashlib.sha256()
    for entry in entries:
        digest.update(f"{entry['file']} {entry['sha256']}\n".encode())
    return {
        "format": DATASET_FORMAT,
        "version": __version__,
        "generator": f"creditbank {__version__}",
        "fingerprint": "sha256:" + digest.hexdigest(),
        "description": "Golden cases of the creditbank engine: standards, a programme, an "
        "as-of date and a portfolio, with what the evaluation must show.",
        "protocol": {
            "stdin": "one case file without `expect` (schemas/case.schema.json)",
            "stdout": "the implementation's answer (schemas/answer.schema.json)",
        },
        "schemas": {
            "case": "schemas/case.schema.json",
            "answer": "schemas/answer.schema.json",
            "manifest": "schemas/manifest.schema.json",
        },
        "count": len(entries),
        "cases": entries,
    }


def _build(directory: Path | None, names: Iterable[str]) -> tuple[Dataset, list[str]]:
    """The dataset and the text of each case file."""
    cases = read_cases(directory or golden_cases_path())
    wanted = set(names)
    unknown = wanted - {case.name for case in cases}
    if unknown:
        raise CaseError(f"no case named {', '.join(sorted(unknown))}")
    documents: dict[str, Any] = {}  # standards shared by several cases are written out once
    records = [
        case_record(case, _documents=documents)
        for case in cases
        if not wanted or case.name in wanted
    ]
    texts = [dumps(r, indent=2) + "\n" for r in records]
    entries = [
        {
            "name": r["name"],
            "file": f"cases/{r['name']}.json",
            "sha256": _sha256(text),
            "description": r["description"],
            "covers": r["covers"],
        }
        for r, text in zip(records, texts, strict=True)
    ]
    return Dataset(_manifest(entries), tuple(records)), texts


def golden_dataset(directory: Path | None = None, names: Iterable[str] = ()) -> Dataset:
    """The golden cases of ``directory`` (default: creditbank's own) as a dataset, in memory.

    ``names``: only those cases (:class:`CaseError` for a name no case has).
    """
    return _build(directory, names)[0]


def export_dataset(out: Path, cases: Path | None = None) -> Dataset:
    """Write the golden cases of ``cases`` (default: creditbank's own) as a dataset to ``out``.

    ``out`` is created, or must be empty or hold an earlier export (which is replaced). The
    output is deterministic: the same cases and creditbank version give the same bytes.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise FileError(
            "NOT_A_DIRECTORY", "this is not a directory; give a new or empty directory", str(out)
        )
    if out.is_dir() and any(out.iterdir()) and not (out / "manifest.json").is_file():
        raise CaseError(f"{out}: not empty and not a conformance dataset; choose another directory")
    dataset, texts = _build(cases, ())
    make_directory(out / "cases")
    make_directory(out / "schemas")
    written = {f"{record['name']}.json" for record in dataset.cases}
    for stale in (out / "cases").glob("*.json"):
        if stale.name not in written:  # a case of an earlier export that is gone now
            try:
                stale.unlink()
            except OSError as error:
                raise file_error(error, str(stale), writing=True) from None
    for record, text in zip(dataset.cases, texts, strict=True):
        write_atomic(out / "cases" / f"{record['name']}.json", text)
    schemas = {
        "case.schema.json": case_schema(),
        "answer.schema.json": answer_schema(),
        "manifest.schema.json": manifest_schema(),
    }
    for name, schema in schemas.items():
        write_atomic(out / "schemas" / name, dumps(schema, indent=2) + "\n")
    write_atomic(out / "manifest.json", dumps(dataset.manifest, indent=2) + "\n")
    if cases is None:  # creditbank's own cases: its eligibility cases go with them
        export_eligibility(out)
    write_atomic(
        out / "README.md",
        _README.format(format=DATASET_FORMAT, version=__version__, count=len(dataset.cases)),
    )
    return dataset


def _check_case(record: Any, where: str) -> dict[str, Any]:
    if not isinstance(record, dict):
        raise CaseError(f"{where}: a case is a JSON object")
    if record.get("schema") != CASE_FORMAT:
        raise CaseError(
            f"{where}: schema is {record.get('schema')!r}; this creditbank reads {CASE_FORMAT}"
        )
    missing = sorted({"name", "standards", "program", "as_of", "portfolio", "expect"} - set(record))
    if missing:
        raise CaseError(f"{where}: missing key(s) {missing}")
    return record


_MAX_FILE_BYTES = 64 * 1024 * 1024
"""A case (standards in full) is at most a few hundred kilobytes; the manifest less."""


def _read_text(path: Path) -> str:
    """A dataset file's text (a regular file, at most the size limit, UTF-8)."""
    data = read_bytes(path, _MAX_FILE_BYTES)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CaseError(f"{path}: not UTF-8 (byte {error.start})") from None


@dataclass(frozen=True)
class _Entry:
    """One case the manifest lists: its name, its file (inside the dataset) and checksum."""

    name: str
    path: Path
    sha256: str


def _manifest_entries(manifest: dict[str, Any], where: Path, directory: Path) -> list[_Entry]:
    """The manifest's ``cases``, each checked: a JSON object with text ``name``, ``file`` and
    ``sha256``, names distinct, and every file a relative path that stays inside the dataset
    directory (no absolute path, no ``..``, no link that leads out of it)."""
    entries = manifest.get("cases")
    if not isinstance(entries, list):
        raise CaseError(
            f"{where}: `cases` must be a list of case entries, got {_json_kind(entries)}"
        )
    root = directory.resolve()
    out: list[_Entry] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        at = f"{where}: cases[{index}]"
        if not isinstance(entry, dict):
            raise CaseError(f"{at}: a case entry is a JSON object, got {_json_kind(entry)}")
        for key in ("name", "file", "sha256"):
            if not isinstance(entry.get(key), str) or not entry[key]:
                raise CaseError(
                    f"{at}.{key}: must be text, got {_json_kind(entry.get(key))}; "
                    "a case entry has name, file and sha256"
                )
        name, file = entry["name"], entry["file"]
        if name in seen:
            raise CaseError(f"{at}.name: the case {name!r} is listed twice")
        seen.add(name)
        relative = Path(file)
        if relative.is_absolute() or ".." in relative.parts or "\\" in file:
            raise CaseError(
                f"{at}.file: {file!r} is not a relative path inside the dataset directory; "
                "case files stay under it (e.g. cases/NAME.json)"
            )
        path = directory / relative
        try:
            inside = path.resolve().is_relative_to(root)
        except (OSError, RuntimeError):  # a loop of links
            inside = False
        if not inside:
            raise CaseError(
                f"{at}.file: {file!r} leads outside the dataset directory (a link?); "
                "case files stay under it"
            )
        out.append(_Entry(name, path, entry["sha256"]))
    return out


def _json_kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "text", bool: "true/false"}
    if value is None:
        return "nothing (null)"
    return names.get(type(value), "a number" if isinstance(value, int | float) else "a value")


def load_dataset(directory: Path, names: Iterable[str] = ()) -> Dataset:
    """Read a dataset directory written by :func:`export_dataset` (``names``: only those cases).

    Raises :class:`CaseError` when the manifest or a case is missing, of another format, or
    does not match its checksum.
    """
    directory = Path(directory)
    manifest_path = directory / "manifest.json"
    if not manifest_path.is_file():
        raise CaseError(f"{directory}: no manifest.json; write a dataset with conformance export")
    try:
        manifest = loads(_read_text(manifest_path))
    except ValueError as error:
        raise CaseError(f"{manifest_path}: not JSON ({error})") from error
    if not isinstance(manifest, dict) or manifest.get("format") != DATASET_FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        raise CaseError(
            f"{manifest_path}: format is {found!r}; this creditbank reads {DATASET_FORMAT}"
        )
    wanted = set(names)
    entries = _manifest_entries(manifest, manifest_path, directory)
    unknown = wanted - {e.name for e in entries}
    if unknown:
        raise CaseError(f"{manifest_path}: no case named {', '.join(sorted(unknown))}")
    cases = []
    for entry in entries:
        if wanted and entry.name not in wanted:
            continue
        path = entry.path
        if not path.is_file():
            raise CaseError(f"{path}: listed in the manifest but missing")
        text = _read_text(path)
        if entry.sha256 != _sha256(text):
            raise CaseError(f"{path}: does not match its sha256 in the manifest (edited?)")
        try:
            record = loads(text)
        except ValueError as error:
            raise CaseError(f"{path}: not JSON ({error})") from error
        cases.append(_check_case(record, str(path)))
    return Dataset(manifest, tuple(cases))
