"""Load standards and portfolios from YAML/JSON files, collecting every problem at once.

Layout: a standards directory is read recursively; every ``*.yaml``, ``*.yml`` and
``*.json`` file in it (hidden files and directories skipped) is one document whose
``kind`` says what it holds (see :mod:`creditbank.models.documents`). File and
directory names are free; the bundled standards use one directory per kind.

>>> from creditbank import bundled_standards_path
>>> standards = load_standards(bundled_standards_path())
>>> "460301" in {p.code for p in standards.programs.values()}
True
"""

from __future__ import annotations

import copy
import functools
import json
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, TypeAdapter, ValidationError

from creditbank.collector import collector_paused
from creditbank.errors import LoadError, Location, Problem
from creditbank.loading.cache import StandardsCache, resolve_cache
from creditbank.loading.compact import compact
from creditbank.loading.crosscheck import (
    ItemRecord,
    check_portfolio,
    check_portfolio_parts,
    check_standards,
)
from creditbank.loading.locate import problems_from_validation
from creditbank.loading.yaml_reader import (
    DEFAULT_LIMITS,
    Document,
    Limits,
    read_yaml_file,
    read_yaml_text,
)
from creditbank.models import Portfolio, Standards
from creditbank.models.common import Source
from creditbank.models.documents import (
    DOCUMENT_TYPES,
    SECTIONS,
    PortfolioDocument,
)
from creditbank.suggest import did_you_mean

__all__ = [
    "LoadReport",
    "discover_files",
    "document_kind",
    "layers_of",
    "load_documents",
    "load_portfolio",
    "load_portfolio_data",
    "load_portfolio_text",
    "load_standards",
    "portfolio_from_document",
    "validate_document",
]

SUFFIXES = (".yaml", ".yml", ".json")


@dataclass
class LoadReport:
    """Everything one load found: standards (when usable), portfolios, and problems."""

    standards: Standards | None = None
    portfolios: list[tuple[str, Portfolio]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    standards_files: list[str] = field(default_factory=list)
    """Standards files (of any kind but ``portfolio``) that were read, even with no items."""
    portfolio_files: list[str] = field(default_factory=list)
    """Portfolio files that were read, those with problems too (``portfolios`` holds the
    ones that validated)."""

    @property
    def ok(self) -> bool:
        return not self.problems

    def sorted_problems(self) -> list[Problem]:
        return sorted(set(self.problems), key=Problem.sort_key)


def _display(file: Path, given: Path) -> str:
    """How to name a file found under the directory ``given``: as the user wrote the path,
    relative to the working directory when it lies inside it (so the name can be opened)."""
    inside = file.relative_to(given)
    if not given.is_absolute():
        return str(given / inside)
    try:
        return str(given.relative_to(Path.cwd()) / inside)
    except ValueError:
        return str(given / inside)


def discover_files(paths: Iterable[Path | str]) -> tuple[list[tuple[Path, str]], list[Problem]]:
    """Files to read for the given files and directories, with the name to show for each.

    A file reached twice (a directory and a file in it, a relative and an absolute path,
    two links to one file) is read once. A broken link with a standards suffix inside a
    directory is a problem, not silently skipped.
    """
    found: list[tuple[Path, str]] = []
    problems: list[Problem] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            candidates = sorted(
                p
                for p in path.rglob("*")
                if p.suffix.lower() in SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            for p in candidates:
                if p.is_file():
                    found.append((p, _display(p, path)))
                elif p.is_symlink() and not p.exists():
                    problems.append(
                        Problem(
                            "FILE_NOT_FOUND",
                            "a broken link: the file it points to does not exist; "
                            "fix or remove the link",
                            Location(_display(p, path)),
                        )
                    )
        elif path.is_file():
            found.append((path, str(raw)))
        elif path.exists():
            problems.append(
                Problem("NOT_A_FILE", "not a regular file or directory", Location(str(raw)))
            )
        else:
            problems.append(
                Problem(
                    "FILE_NOT_FOUND",
                    "no such file or directory; check the path",
                    Location(str(raw)),
                )
            )
    unique: dict[Path, tuple[Path, str]] = {}
    for entry in found:
        unique.setdefault(_identity(entry[0]), entry)
    return list(unique.values()), problems


def layers_of(paths: Sequence[Path | str], files: Sequence[tuple[Path, str]]) -> list[int]:
    """For each file :func:`discover_files` found, the position in ``paths`` of the path it
    was found under (its layer): the file itself or a directory above it."""
    given = [Path(p) for p in paths]
    layers = []
    for file, _ in files:
        layers.append(next((i for i, p in enumerate(given) if file == p or p in file.parents), 0))
    return layers


def _identity(path: Path) -> Path:
    """The file a path names, whatever way it is spelt."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # pragma: no cover - a file that is_file() resolves
        return path.absolute()


PORTFOLIO_FIELDS = ("learner", "achievements")
"""A file without ``kind`` that has one of these fields is a portfolio, for every command."""


def _kind_of(doc: Document) -> tuple[str | None, list[Problem]]:
    """The kind of a document: its ``kind``; without one, ``portfolio`` when it has a
    portfolio's fields (``kind: portfolio`` may be omitted), else a problem. One rule for
    every reader of files (``validate`` and ``evaluate`` accept the same portfolios)."""
    data = doc.data
    if not isinstance(data, dict):
        return None, [
            Problem(
                "UNKNOWN_KIND",
                "a creditbank file is a mapping that starts with `kind:` (e.g. kind: rules)",
                doc.location(()),
            )
        ]
    kind = data.get("kind")
    if kind is None and "kind" not in data and any(f in data for f in PORTFOLIO_FIELDS):
        return "portfolio", []
    if kind is None:
        return None, [
            Problem(
                "UNKNOWN_KIND",
                "the file has no `kind`; add one of " + ", ".join(DOCUMENT_TYPES),
                doc.location(()),
            )
        ]
    if not isinstance(kind, str):  # a list or mapping is unhashable; a number is no kind
        return None, [
            Problem(
                "UNKNOWN_KIND",
                "`kind` must be one word, one of " + ", ".join(DOCUMENT_TYPES),
                doc.location(("kind",)),
            )
        ]
    if kind not in DOCUMENT_TYPES:
        hint = did_you_mean(kind, DOCUMENT_TYPES) or " use one of " + ", ".join(DOCUMENT_TYPES)
        return None, [
            Problem("UNKNOWN_KIND", f"unknown kind {kind!r};{hint}", doc.location(("kind",)))
        ]
    return str(kind), []


def _with_file_defaults(data: dict[str, Any]) -> dict[str, Any]:
    """Copy the file-level ``source`` / ``example`` into items that give neither."""
    source, example = data.get("source"), data.get("example")
    if source is None and example is not True:
        return data
    data = copy.copy(data)
    sections = ["items"] if "items" in data else list(SECTIONS)
    for section in sections:
        items = data.get(section)
        if not isinstance(items, list):
            continue
        filled = []
        for entry in items:
            item = dict(entry) if isinstance(entry, dict) else entry
            if isinstance(item, dict):
                if source is not None and "source" not in item:
                    item["source"] = source
                if example is True and "example" not in item:
                    item["example"] = True
            filled.append(item)
        data[section] = filled
    return data


def _invalid_source(value: Any) -> bool:
    """Whether a file's default ``source`` is given but not valid (its head reports why)."""
    if value is None:
        return False
    try:
        _SOURCE.validate_python(value)
    except ValidationError:
        return True
    return False


_SOURCE: TypeAdapter[Source] = TypeAdapter(Source)


@functools.cache
def _item_adapter(kind: str, section: str) -> tuple[Any, TypeAdapter[Any]]:
    annotation = DOCUMENT_TYPES[kind].model_fields[section].annotation
    item_type = get_args(annotation)[0]
    return item_type, TypeAdapter(item_type)


@functools.cache
def _list_adapter(kind: str, section: str) -> TypeAdapter[list[Any]]:
    item_type, _ = _item_adapter(kind, section)
    return TypeAdapter(list[item_type])  # type: ignore[valid-type]


def _sections(kind: str) -> list[str]:
    if kind == "standards":
        return list(SECTIONS)
    return [] if kind in ("portfolio", "targets") else ["items"]


def _validate(
    doc: Document, kind: str, failed: set[tuple[str, str]], limits: Limits = DEFAULT_LIMITS
) -> tuple[BaseModel | None, list[ItemRecord], list[Problem]]:
    """Validate a document; each item on its own, so one bad item hides no other's problems.

    Ids of items that failed are added to ``failed``: references to them are not reported
    again as unknown.
    """
    model_type = DOCUMENT_TYPES[kind]
    data = doc.data
    if kind == "targets":  # one model: its own validators locate every problem
        try:
            return model_type.model_validate(data), [], []
        except ValidationError as error:
            return None, [], problems_from_validation(error, doc, model_type)
    if kind == "portfolio":
        too_many = _too_many_achievements(doc, limits)
        if too_many is not None:
            return None, [], [too_many]
        data = data if "kind" in data else {**data, "kind": "portfolio"}
        try:
            return model_type.model_validate(data), [], []
        except ValidationError as error:
            return None, [], problems_from_validation(error, doc, model_type)
    head_source_invalid = _invalid_source(data.get("source"))
    data = _with_file_defaults(data)
    problems: list[Problem] = []
    records: list[ItemRecord] = []
    head = dict(data)
    for section in _sections(kind):
        items = head.pop(section, None)
        if section == "items" and items is None:
            problems.append(
                Problem(
                    "MISSING_FIELD",
                    f"required field `items` is missing; list the {kind} under `items:`",
                    doc.location(()),
                )
            )
            continue
        if not isinstance(items, list):
            if items is not None:
                problems.append(
                    Problem(
                        "WRONG_TYPE",
                        f"`{section}` must be a list of entries, each starting with `- `",
                        doc.location((section,), key=True),
                    )
                )
            continue
        item_type, adapter = _item_adapter(kind, section)
        try:  # every item at once, in one call; with a problem, one by one to locate it
            validated = _list_adapter(kind, section).validate_python(items)
        except ValidationError:
            pass
        else:
            records += [ItemRecord(v, doc, (section, i)) for i, v in enumerate(validated)]
            continue
        written = doc.data.get(section) if isinstance(doc.data, dict) else None
        for index, item in enumerate(items):
            own = written[index] if isinstance(written, list) and index < len(written) else None
            # a source the item took from the head: the head reports its problems, once
            inherited = (
                frozenset({"source"})
                if isinstance(own, dict) and "source" not in own and head_source_invalid
                else frozenset()
            )
            try:
                records.append(ItemRecord(adapter.validate_python(item), doc, (section, index)))
            except ValidationError as error:
                problems += problems_from_validation(
                    error, doc, item_type, (section, index), skip_fields=inherited
                )
                if isinstance(item, dict) and isinstance(item.get("id"), str | int):
                    item_kind = SECTIONS[kind if section == "items" else section]
                    failed.add((item_kind, str(item["id"])))
    if "items" in _sections(kind):
        head["items"] = []
    try:
        model = model_type.model_validate(head)
    except ValidationError as error:
        return None, records, problems + problems_from_validation(error, doc, model_type)
    return model, records, problems


def document_kind(doc: Document) -> tuple[str | None, list[Problem]]:
    """The kind of a document (one rule for every reader of files), or its problems."""
    return _kind_of(doc)


def validate_document(
    doc: Document, kind: str, limits: Limits = DEFAULT_LIMITS
) -> tuple[BaseModel | None, list[Problem]]:
    """A document of a kind that is one model (a portfolio, targets): it, or its problems."""
    model, _, problems = _validate(doc, kind, set(), limits)
    return model, problems


def _too_many_achievements(doc: Document, limits: Limits) -> Problem | None:
    """A portfolio above the limit on achievements, refused before anything is validated."""
    achievements = doc.data.get("achievements") if isinstance(doc.data, dict) else None
    if not isinstance(achievements, list) or len(achievements) <= limits.max_achievements:
        return None
    return Problem(
        "TOO_MANY_ACHIEVEMENTS",
        f"the portfolio lists {len(achievements):,} achievements, above the limit of "
        f"{limits.max_achievements:,} per portfolio; is it several learners' records? "
        "Split it into one portfolio per learner",
        doc.location(("achievements",), key=True),
    )


def _new_problems(doc: Document, problems: list[Problem]) -> list[Problem]:
    """Problems that do not merely repeat one the reader reported (see ``Document.replaced``)."""
    return [p for p in problems if not doc.was_replaced(p.location.path)]


def load_documents(
    paths: Sequence[Path | str],
    *,
    limits: Limits = DEFAULT_LIMITS,
    standards: Standards | None = None,
    portfolios: bool = True,
) -> LoadReport:
    """Read files and directories of standards and portfolios; never raises for bad input.

    Portfolios are checked against the standards found among ``paths``, or against
    ``standards`` when the paths hold none. With ``portfolios=False`` only standards are
    expected: a portfolio file named as a path is a problem (``UNKNOWN_KIND``), one found in
    a directory is skipped (as ``validate`` of the directory checks it as a portfolio). The
    same file named twice (or found under two given paths) is read once, in its first layer.
    """
    with collector_paused():
        return _load_documents(paths, limits=limits, standards=standards, portfolios=portfolios)


def _targets_problems(
    doc: Document, named: bool, validating: bool, limits: Limits
) -> list[Problem]:
    """A targets file among standards: checked when validating, refused when named as
    standards, else passed by."""
    if validating:
        return _validate(doc, "targets", set(), limits)[2]
    if not named:
        return []
    return [
        Problem(
            "UNKNOWN_KIND",
            "these are progress targets, not standards (give them to "
            "`creditbank report --targets`)",
            doc.location(("kind",)),
        )
    ]


def _load_documents(
    paths: Sequence[Path | str],
    *,
    limits: Limits,
    standards: Standards | None,
    portfolios: bool,
) -> LoadReport:
    report = LoadReport()
    files, report.problems = discover_files(paths)
    layers = layers_of(paths, files)
    named = {_identity(Path(p)) for p in paths if Path(p).is_file()}
    records: list[ItemRecord] = []
    found: list[tuple[Document, PortfolioDocument]] = []
    broken: list[Document] = []
    failed: set[tuple[str, str]] = set()
    for (path, name), layer in zip(files, layers, strict=True):
        report.files.append(name)
        doc, problems = read_yaml_file(path, limits, display=name)
        report.problems.extend(problems)
        if doc is None:
            continue
        kind, problems = _kind_of(doc)
        report.problems.extend(problems)
        if kind is None:
            continue
        if kind == "targets":  # progress targets beside the standards: not standards
            report.problems += _targets_problems(doc, _identity(path) in named, portfolios, limits)
            continue
        if kind == "portfolio" and not portfolios:
            if _identity(path) not in named:
                continue  # a portfolio kept beside standards in a directory: not standards
            report.problems.append(
                Problem(
                    "UNKNOWN_KIND",
                    "this is a portfolio, not standards; standards files have kind "
                    + ", ".join(k for k in DOCUMENT_TYPES if k not in ("portfolio", "targets"))
                    + " (load a portfolio with load_portfolio)",
                    doc.location(("kind",)),
                )
            )
            continue
        model, items, problems = _validate(doc, kind, failed, limits)
        report.problems.extend(_new_problems(doc, problems))
        records.extend(
            items if not layer else (ItemRecord(r.item, r.doc, r.path, layer) for r in items)
        )
        if kind != "portfolio" and (items or model is not None):
            report.standards_files.append(name)
        if isinstance(model, PortfolioDocument):
            found.append((doc, model))
        elif kind == "portfolio":
            broken.append(doc)
        if kind == "portfolio":
            report.portfolio_files.append(name)
    if records or standards is None:
        if not files and not report.problems:
            report.problems.append(
                Problem(
                    "NO_STANDARDS",
                    "no .yaml, .yml or .json files found",
                    Location(", ".join(map(str, paths)) or None),
                )
            )
        built, problems = check_standards(records, failed)
        report.problems.extend(problems)
        standards = built
    report.standards = standards
    for doc in broken:  # all problems at once: the parts of it that validate
        report.problems.extend(_new_problems(doc, check_portfolio_parts(doc, standards)))
    for doc, document in found:
        portfolio = document.to_portfolio()
        report.problems.extend(check_portfolio(portfolio, standards, doc, failed=failed))
        report.portfolios.append((doc.file, portfolio))
    report.problems = report.sorted_problems()
    return report


def load_standards(
    *paths: Path | str | Sequence[Path | str],
    limits: Limits = DEFAULT_LIMITS,
    cache: bool | str | os.PathLike[str] | None = None,
) -> Standards:
    """Load standards from files and directories; raise :class:`LoadError` with every problem.

    Each path is a *layer*, in order (``load_standards(a, b)`` or ``load_standards([a, b])``):
    a later layer adds items, and may replace an item of an earlier one that has its kind
    and id only when it says ``overrides: true``; otherwise the same id twice is
    ``DUPLICATE_ID``, naming both places (and ``overrides: true`` with nothing earlier to
    replace is ``NOTHING_TO_OVERRIDE``). The files of one directory are one layer.

    Standards that load without a problem are kept in a cache keyed by the content of every
    file and its layer (see :mod:`creditbank.loading.cache`), so the next load of the same
    files only hashes them. ``cache``: None for the default (``$CREDITBANK_CACHE_DIR`` or the
    user cache directory; off when ``$CREDITBANK_NO_CACHE`` is set), False for none, or a
    directory.
    """
    paths = _layers(paths)
    store = resolve_cache(cache)
    key = _cache_key(store, paths, limits)
    if store is not None and key is not None:
        with collector_paused():
            cached = store.get(key)
        if cached is not None:
            return cached
    started = time.perf_counter()
    report = load_documents(paths, limits=limits, portfolios=False)
    if report.problems:
        raise LoadError(report.problems)
    assert report.standards is not None
    with collector_paused():
        compact(report.standards)  # equal parts shared: less memory, smaller cache entries
    worth_it = time.perf_counter() - started >= (store.min_seconds if store else 0)
    if (
        store is not None
        and key is not None
        and worth_it
        and _cache_key(store, paths, limits) == key  # no file changed while it loaded
    ):
        store.put(key, report.standards)
    return report.standards


def _layers(given: Sequence[Path | str | Sequence[Path | str]]) -> tuple[Path | str, ...]:
    """``load_standards``' paths: given one by one, or as one list."""
    if len(given) == 1 and isinstance(given[0], list | tuple):
        return tuple(given[0])
    found: list[Path | str] = []
    for path in given:
        if isinstance(path, list | tuple):
            raise TypeError("give the layers one by one, or as one list")
        found.append(path)  # type: ignore[arg-type]
    return tuple(found)


def _cache_key(
    store: StandardsCache | None, paths: Sequence[Path | str], limits: Limits
) -> str | None:
    if store is None:
        return None
    files, problems = discover_files(paths)
    if problems or not files:
        return None
    return store.key(files, limits, layers_of(paths, files))


def portfolio_from_document(
    doc: Document | None,
    problems: list[Problem],
    standards: Standards | None,
    limits: Limits = DEFAULT_LIMITS,
) -> Portfolio:
    """The portfolio in a document read by the YAML reader (``problems``: the reader's),
    checked against ``standards`` when given; raises :class:`LoadError` with every problem."""
    return _portfolio_from_doc(doc, problems, standards, limits)


def _portfolio_from_doc(
    doc: Document | None,
    problems: list[Problem],
    standards: Standards | None,
    limits: Limits = DEFAULT_LIMITS,
) -> Portfolio:
    if doc is None:
        raise LoadError(problems)
    kind, more = _kind_of(doc)
    problems = problems + more
    if kind is not None and kind != "portfolio":
        problems.append(
            Problem(
                "UNKNOWN_KIND",
                f"expected a portfolio, found kind {kind!r}",
                doc.location(("kind",)),
            )
        )
        raise LoadError(problems)
    if kind is None:
        raise LoadError(problems)
    model, _, more = _validate(doc, "portfolio", set(), limits)
    problems += _new_problems(doc, more)
    if not isinstance(model, PortfolioDocument):
        if standards is not None:  # all problems at once: the achievements that validate
            problems += _new_problems(doc, check_portfolio_parts(doc, standards))
        raise LoadError(problems)
    portfolio = model.to_portfolio()
    if standards is not None:
        problems += check_portfolio(portfolio, standards, doc)
    if problems:
        raise LoadError(problems)
    return portfolio


def load_portfolio(
    path: Path | str, standards: Standards | None = None, *, limits: Limits = DEFAULT_LIMITS
) -> Portfolio:
    """Load one portfolio file (YAML or JSON; ``kind: portfolio`` may be omitted).

    With ``standards``, its units, levels, issuers and grades are checked against them.
    """
    with collector_paused():
        doc, problems = read_yaml_file(Path(path), limits, display=str(path))
        return _portfolio_from_doc(doc, problems, standards, limits)


def load_portfolio_text(
    text: str,
    standards: Standards | None = None,
    *,
    file: str = "<portfolio>",
    limits: Limits = DEFAULT_LIMITS,
) -> Portfolio:
    """Load a portfolio from YAML or JSON text."""
    with collector_paused():
        doc, problems = read_yaml_text(text, file, limits)
        return _portfolio_from_doc(doc, problems, standards, limits)


def load_portfolio_data(
    data: Any,
    standards: Standards | None = None,
    *,
    file: str = "<data>",
    limits: Limits = DEFAULT_LIMITS,
) -> Portfolio:
    """Load a portfolio given as already-parsed JSON data (a service's request body).

    It is checked exactly as :func:`load_portfolio_text` checks the same data written as
    JSON: the same problems with the same codes and YAML paths, but located by ``file`` and
    path only, since parsed data has no lines and columns. Numbers are read from their JSON
    text, so ``0.1`` is the exact decimal 0.1.
    """
    # JSON text is YAML: one reader, so a portfolio sent as data and as text can never be
    # judged differently. NaN and Infinity (Python's json accepts them) come out as text the
    # reader does not take for numbers, so they are reported as such.
    text = json.dumps(data, ensure_ascii=False, indent=1)
    try:
        return load_portfolio_text(text, standards, file=file, limits=limits)
    except LoadError as error:
        raise LoadError(
            Problem(p.code, p.message, Location(file, None, None, p.location.path))
            for p in error.problems
        ) from None
