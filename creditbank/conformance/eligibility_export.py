"""The eligibility cases in the conformance dataset: ``eligibility/`` beside ``cases/``.

An export holds, besides the evaluation cases, every golden eligibility case
(``creditbank/conformance/eligibility_cases/``) as one self-contained JSON file::

    eligibility/manifest.json    format, every case's file and sha256
    eligibility/NAME.json        standards, portfolio (with its profile), as_of, for, expect

``standards`` is one ``kind: standards`` document with every item, as in ``cases/``;
``expect`` maps a rule id to what its result must show (``eligible``, ``eligible_from``,
``uses``, ``unmet`` reason codes in order, ``detail``, ``absent``), compared as
:func:`~creditbank.conformance.eligibility.check_eligibility_case` compares them. ``conformance
run`` runs the evaluation cases only; an implementation checks these on its own.

>>> from creditbank.conformance.eligibility import eligibility_cases_path
>>> record = eligibility_record(read_eligibility_case(
...     eligibility_cases_path() / "title_eligible_from_future_date.yaml"), {})
>>> record["schema"], record["standards"]["kind"], record["for"]
('creditbank.conformance.eligibility-case/1', 'standards', ['title'])
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from creditbank.conformance.eligibility import (
    EligibilityCase,
    eligibility_cases_path,
    read_eligibility_case,
)
from creditbank.conformance.jsontext import dumps, to_json_data
from creditbank.conformance.resolve import (
    dump_case_yaml,
    load_case_standards,
    portfolio_document,
    standards_document,
)
from creditbank.fileio import file_error, make_directory, write_atomic
from creditbank.loading import load_portfolio_text

__all__ = ["ELIGIBILITY_CASE_FORMAT", "eligibility_record", "export_eligibility"]

ELIGIBILITY_CASE_FORMAT = "creditbank.conformance.eligibility-case/1"


def _plain(value: Any) -> Any:
    """JSON data: dates as ISO text, everything else as it is."""
    data = to_json_data(value)
    if isinstance(data, list):
        return [_plain(v) for v in data]
    if isinstance(data, dict):
        return {str(k): _plain(v) for k, v in data.items()}
    return data if isinstance(data, str | int | bool | float | type(None)) else str(data)


def eligibility_record(case: EligibilityCase, documents: dict[str, Any]) -> dict[str, Any]:
    """One eligibility case as JSON data (``documents``: standards already written, shared)."""
    standards = load_case_standards(case)
    portfolio = load_portfolio_text(
        dump_case_yaml(case.portfolio), standards, file=f"{case.name}:portfolio"
    )
    key = standards.fingerprint()
    if key not in documents:
        documents[key] = to_json_data(standards_document(standards))
    return {
        "schema": ELIGIBILITY_CASE_FORMAT,
        "name": case.name,
        "description": " ".join(case.description.split()),
        "as_of": case.as_of.isoformat(),
        "for": list(case.kinds),
        "standards": documents[key],
        "portfolio": to_json_data(portfolio_document(portfolio)),
        "expect": _plain(case.expect),
    }


def export_eligibility(out: Path, cases: Path | None = None) -> int:
    """Write the eligibility cases into ``out/eligibility/`` (stale files of an earlier
    export removed); the number of cases written."""
    directory = cases or eligibility_cases_path()
    documents: dict[str, Any] = {}
    records = [
        eligibility_record(read_eligibility_case(path), documents)
        for path in sorted(directory.glob("*.yaml"))
    ]
    target = out / "eligibility"
    make_directory(target)
    written = {f"{r['name']}.json" for r in records} | {"manifest.json"}
    for stale in target.glob("*.json"):
        if stale.name not in written:
            try:
                stale.unlink()
            except OSError as error:
                raise file_error(error, str(stale), writing=True) from None
    entries = []
    for record in records:
        text = dumps(record, indent=2) + "\n"
        write_atomic(target / f"{record['name']}.json", text)
        digest = "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
        entries.append(
            {
                "name": record["name"],
                "file": f"eligibility/{record['name']}.json",
                "sha256": digest,
                "description": record["description"],
            }
        )
    manifest = {"format": ELIGIBILITY_CASE_FORMAT, "count": len(entries), "cases": entries}
    write_atomic(target / "manifest.json", dumps(manifest, indent=2) + "\n")
    return len(entries)
