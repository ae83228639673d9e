"""1EdTech CASE 1.1: standards out as CFPackages, CFPackages in as units and typed edges.

Export (:func:`export_case`) takes a framework, a programme with its courses, or a
certificate family and writes a CFPackage — a CFDocument, CFItems, CFAssociations and
CFDefinitions (item types) — valid against the CASE 1.1 JSON Schema binding
(:data:`creditbank.interop.case_schema.CASE_PACKAGE_SCHEMA`). Relations become
associations:

=================  ========================================================================
``isChildOf``      a level in its framework, a requirement in its programme, a course in
                   its requirement, a certificate in its family, a certificate level in its
                   certificate
``isPartOf``       a course is part of the programme; a certificate is part of its family
``precedes``       a lower level precedes the next higher one; a prerequisite precedes the
                   course that needs it
``exactMatchOf``   a level is the same as a level of another framework (``same_as``)
``replacedBy``     a certificate of an occupation replaced in a later edition of the
                   classification (``replaced_by``)
=================  ========================================================================

Each CFItem carries the creditbank item it came from in ``extensions.creditbank``, so
:func:`import_case` gives back exactly the same units and edges. A package from another
tool (OpenSALT …) is imported as ``other`` units named by its CFItems, with every
association kept as an :class:`Edge` — tolerating the usual deviations: timestamps without
a time zone, ``educationLevel`` as a string, an API response wrapped in ``CFPackage``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote, unquote

from pydantic import TypeAdapter, ValidationError

from creditbank.interop.errors import InteropError
from creditbank.interop.jsonio import DEFAULT_JSON_LIMITS, JsonLimits, parse_json, read_limited
from creditbank.interop.verify import parse_datetime
from creditbank.loading.crosscheck import unit_framework, unit_levels
from creditbank.models import (
    Framework,
    Label,
    OtherUnit,
    Program,
    SkillCertificateUnit,
    Source,
    Standards,
    Unit,
)
from creditbank.models.plain import to_plain

__all__ = [
    "EXTERNAL_URN",
    "NAMESPACE",
    "CaseImport",
    "Edge",
    "case_edges",
    "case_subject",
    "export_case",
    "import_case",
    "import_case_file",
]

EXTERNAL_URN = "urn:creditbank:node:"
"""URI of a node an exported association names but the package does not hold."""

NAMESPACE = uuid.UUID("6f1c5a0e-3c1b-5d2e-9a47-0c8e1b2d4f60")
"""UUID namespace of the identifiers creditbank gives CASE entities (uuid5 of the node id)."""

Subject = Literal["framework", "program", "family"]
_UNIT_ADAPTER: TypeAdapter[Unit] = TypeAdapter(Unit)


@dataclass(frozen=True, order=True)
class Edge:
    """A typed relation between two nodes, named by CASE association type.

    Node ids: a unit's id; ``PROGRAM`` and ``PROGRAM#REQUIREMENT``; ``FRAMEWORK`` and
    ``FRAMEWORK#LEVEL``; ``family:NAME``; ``UNIT@LEVEL``; ``occupation:ID``; for foreign
    packages ``case:IDENTIFIER``.
    """

    source: str
    type: str
    target: str


@dataclass
class _Node:
    id: str
    title: str
    item_type: str
    full: str
    alternative: str | None = None
    code: str | None = None
    notes: str | None = None
    payload: dict[str, Any] | None = None
    kind: str = "node"


@dataclass
class _Graph:
    document: _Node
    nodes: list[_Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    external: dict[str, str] = field(default_factory=dict)

    def add(self, node: _Node) -> None:
        self.nodes.append(node)

    def edge(self, source: str, kind: str, target: str) -> None:
        self.edges.append(Edge(source, kind, target))


def _text(label: Label | None, fallback: str) -> str:
    return label.text("zh") if label is not None else fallback


def _alt(label: Label | None) -> str | None:
    return label.en if label is not None and label.zh and label.en else None


def _unit_node(unit: Unit, item_type: str) -> _Node:
    return _Node(
        unit.id,
        _text(unit.name, unit.id),
        item_type,
        _text(unit.name, unit.id),
        _alt(unit.name),
        getattr(unit, "code", None) or unit.id,
        _text(unit.description, "") or None,
        to_plain(unit, "json"),
        "unit",
    )


# ------------------------------------------------------------------------ graphs


def _framework_graph(standards: Standards, framework: Framework) -> _Graph:
    graph = _Graph(
        _Node(framework.id, _text(framework.name, framework.id), "Framework", "",
              payload=to_plain(framework, "json"), kind="framework")
    )  # fmt: skip
    ordered = framework.ordered()
    for level in ordered:
        node_id = f"{framework.id}#{level.id}"
        graph.add(
            _Node(node_id, _text(level.name, level.id), "Level", _text(level.name, level.id),
                  _alt(level.name), level.id, _text(level.description, "") or None,
                  to_plain(level, "json"), "level")
        )  # fmt: skip
        graph.edge(node_id, "isChildOf", framework.id)
        for pointer in level.same_as:
            target = f"{pointer.framework}#{pointer.level}"
            graph.edge(node_id, "exactMatchOf", target)
            graph.external[target] = target
    for lower, higher in pairwise(ordered):
        graph.edge(f"{framework.id}#{lower.id}", "precedes", f"{framework.id}#{higher.id}")
    return graph


def _program_graph(standards: Standards, program: Program) -> _Graph:
    graph = _Graph(
        _Node(program.id, _text(program.name, program.id), "Program", "",
              payload=to_plain(program, "json"), kind="program")
    )  # fmt: skip
    seen: set[str] = set()
    for requirement in program.requirements:
        node_id = f"{program.id}#{requirement.id}"
        graph.add(
            _Node(node_id, _text(requirement.name, requirement.id), "Requirement",
                  _text(requirement.name, requirement.id), _alt(requirement.name),
                  requirement.id, None, to_plain(requirement, "json"), "requirement")
        )  # fmt: skip
        graph.edge(node_id, "isChildOf", program.id)
        for course_id in requirement.courses:
            course = standards.units.get(course_id)
            if course is None:
                continue
            if course_id not in seen:
                seen.add(course_id)
                graph.add(_unit_node(course, "Course"))
                graph.edge(course_id, "isPartOf", program.id)
            graph.edge(course_id, "isChildOf", node_id)
    for node in list(graph.nodes):
        unit = standards.units.get(node.id) if node.kind == "unit" else None
        for prerequisite in getattr(unit, "prerequisites", ()):
            graph.edge(prerequisite, "precedes", node.id)
            if prerequisite not in seen:
                graph.external[prerequisite] = prerequisite
    return graph


def _family_graph(standards: Standards, family: str) -> _Graph:
    family_id = f"family:{family}"
    members = [u for u in standards.units.values() if u.family == family]
    graph = _Graph(_Node(family_id, family, "CertificateFamily", "", kind="family"))
    by_occupation = {
        u.occupation: u.id for u in standards.units.values() if isinstance(u, SkillCertificateUnit)
    }
    for unit in members:
        graph.add(_unit_node(unit, "Certificate"))
        graph.edge(unit.id, "isChildOf", family_id)
        graph.edge(unit.id, "isPartOf", family_id)
        levels = _unit_levels(standards, unit)
        for level_id, level_name in levels:
            node_id = f"{unit.id}@{level_id}"
            title = f"{_text(unit.name, unit.id)} {level_name}"
            graph.add(
                _Node(node_id, title, "CertificateLevel", title, None, level_id, kind="unit-level")
            )
            graph.edge(node_id, "isChildOf", unit.id)
        for (lower, _), (higher, _) in pairwise(levels):
            graph.edge(f"{unit.id}@{lower}", "precedes", f"{unit.id}@{higher}")
        if isinstance(unit, SkillCertificateUnit):
            occupation = standards.occupations.get(unit.occupation)
            for successor in occupation.replaced_by if occupation else ():
                target = by_occupation.get(successor, f"occupation:{successor}")
                graph.edge(unit.id, "replacedBy", target)
                if target not in {u.id for u in members}:
                    graph.external[target] = target
    return graph


def _unit_levels(standards: Standards, unit: Unit) -> list[tuple[str, str]]:
    framework = unit_framework(standards, unit.id)
    if framework is None:
        return []
    names = []
    for level_id in unit_levels(standards, unit.id) or ():
        level = framework.level(level_id)
        names.append((level_id, _text(level.name, level_id) if level else level_id))
    return names


def case_subject(standards: Standards, item: str) -> tuple[Subject, str]:
    """Which kind of thing ``item`` names: a framework id, a programme id (or unique
    catalogue code), or a certificate family (``family:NAME`` or ``NAME``)."""
    if item in standards.frameworks:
        return "framework", item
    if item in standards.programs:
        return "program", item
    coded = [p.id for p in standards.programs.values() if p.code == item]
    if len(coded) == 1:
        return "program", coded[0]
    family = item.removeprefix("family:")
    if any(u.family == family for u in standards.units.values()):
        return "family", family
    raise InteropError(
        "UNKNOWN_ITEM",
        f"{item!r} is no framework, programme or certificate family of the standards",
    )


def _graph(standards: Standards, item: str) -> _Graph:
    kind, ident = case_subject(standards, item)
    if kind == "framework":
        return _framework_graph(standards, standards.frameworks[ident])
    if kind == "program":
        return _program_graph(standards, standards.programs[ident])
    return _family_graph(standards, ident)


def case_edges(standards: Standards, item: str) -> tuple[Edge, ...]:
    """The typed edges an export of ``item`` carries, straight from the standards."""
    return tuple(sorted(set(_graph(standards, item).edges)))


# ------------------------------------------------------------------------ export


def _identifier(node_id: str) -> str:
    return str(uuid.uuid5(NAMESPACE, node_id))


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def export_case(
    standards: Standards,
    item: str,
    *,
    base_uri: str = "urn:uuid:",
    changed: dt.datetime | None = None,
    creator: str = "creditbank",
) -> dict[str, Any]:
    """A CASE 1.1 CFPackage of a framework, a programme and its courses, or a family.

    Identifiers are UUIDv5 of the creditbank node ids (stable across exports); URIs are
    ``base_uri`` + identifier; ``changed`` (default now) is every ``lastChangeDateTime``.
    """
    graph = _graph(standards, item)
    stamp = _stamp(changed or dt.datetime.now(dt.UTC))
    doc = graph.document
    doc_identifier = _identifier(doc.id)

    def link(node_id: str, title: str) -> dict[str, str]:
        identifier = _identifier(node_id)
        uri = EXTERNAL_URN + quote(node_id, safe="") if node_id in graph.external else None
        return {"title": title, "identifier": identifier, "uri": uri or base_uri + identifier}

    item_types = sorted({node.item_type for node in graph.nodes})
    type_links = {name: link(f"item-type:{name}", name) for name in item_types}
    titles = {doc.id: doc.title, **{n.id: n.title for n in graph.nodes}, **graph.external}
    document: dict[str, Any] = {
        "identifier": doc_identifier,
        "uri": base_uri + doc_identifier,
        "caseVersion": "1.1",
        "creator": creator,
        "title": doc.title,
        "lastChangeDateTime": stamp,
        "language": "zh",
        "extensions": {"creditbank": {"kind": doc.kind, "id": doc.id, "item": doc.payload}},
    }
    source = doc.payload.get("source") if doc.payload else None
    if isinstance(source, dict):
        if source.get("url"):
            document["officialSourceURL"] = source["url"]
        document["notes"] = str(source.get("title", ""))
        if source.get("issuer"):
            document["publisher"] = str(source["issuer"])
    items = []
    for index, node in enumerate(graph.nodes):
        identifier = _identifier(node.id)
        entry: dict[str, Any] = {
            "identifier": identifier,
            "uri": base_uri + identifier,
            "fullStatement": node.full,
            "CFItemType": node.item_type,
            "CFItemTypeURI": type_links[node.item_type],
            "humanCodingScheme": node.code or node.id,
            "listEnumeration": str(index + 1),
            "language": "zh",
            "lastChangeDateTime": stamp,
            "extensions": {"creditbank": {"kind": node.kind, "id": node.id, "item": node.payload}},
        }
        if node.alternative:
            entry["alternativeLabel"] = node.alternative
        if node.notes:
            entry["notes"] = node.notes
        items.append(entry)
    associations = []
    order: dict[str, int] = {}
    for edge in graph.edges:
        identifier = _identifier(f"{edge.source}|{edge.type}|{edge.target}")
        association: dict[str, Any] = {
            "identifier": identifier,
            "associationType": edge.type,
            "uri": base_uri + identifier,
            "originNodeURI": link(edge.source, titles.get(edge.source, edge.source)),
            "destinationNodeURI": link(edge.target, titles.get(edge.target, edge.target)),
            "lastChangeDateTime": stamp,
        }
        if edge.type == "isChildOf":
            order[edge.target] = order.get(edge.target, 0) + 1
            association["sequenceNumber"] = order[edge.target]
        associations.append(association)
    definitions = {
        "CFItemTypes": [
            {
                **type_links[name],
                "description": f"creditbank {name}",
                "hierarchyCode": name,
                "typeCode": name,
                "lastChangeDateTime": stamp,
            }
            for name in item_types
        ]
    }
    return {
        "CFDocument": document,
        "CFItems": items,
        "CFAssociations": associations,
        "CFDefinitions": definitions,
    }


# ------------------------------------------------------------------------ import


@dataclass(frozen=True)
class CaseImport:
    """What a CFPackage holds, as creditbank sees it.

    ``units`` are creditbank units (exact ones for packages creditbank exported, ``other``
    units for foreign CFItems that are not requirements or levels); ``edges`` every
    association; ``nodes`` the title of every node; ``external`` nodes the associations
    name but the package does not hold; ``problems`` every deviation tolerated or entry
    skipped, by name.
    """

    document_id: str
    title: str
    units: tuple[Unit, ...]
    edges: tuple[Edge, ...]
    nodes: Mapping[str, str]
    external: tuple[str, ...] = ()
    programs: tuple[Program, ...] = ()
    frameworks: tuple[Framework, ...] = ()
    problems: tuple[str, ...] = ()
    item_count: int = 0
    association_count: int = 0


def _string(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _ext(entry: Mapping[str, Any]) -> dict[str, Any] | None:
    extensions = entry.get("extensions")
    found = extensions.get("creditbank") if isinstance(extensions, dict) else None
    return found if isinstance(found, dict) and isinstance(found.get("id"), str) else None


def import_case(package: Any, *, source: str = "<package>", id_prefix: str = "case:") -> CaseImport:
    """Read a CFPackage (parsed JSON) into units and typed edges.

    Raises ``InteropError("INVALID_PACKAGE")`` when there is no CFDocument with an
    identifier; a CFItem or CFAssociation that cannot be read is skipped and named in
    ``problems``.
    """
    if isinstance(package, dict) and isinstance(package.get("CFPackage"), dict):
        package = package["CFPackage"]
    if not isinstance(package, dict) or not isinstance(package.get("CFDocument"), dict):
        raise InteropError("INVALID_PACKAGE", "no CFDocument: this is not a CASE CFPackage", source)
    problems: list[str] = []
    doc = package["CFDocument"]
    doc_identifier = _string(doc.get("identifier"))
    if doc_identifier is None:
        raise InteropError("INVALID_PACKAGE", "the CFDocument has no identifier", source)
    title = _string(doc.get("title")) or doc_identifier
    _check_stamp(doc, "CFDocument", problems)
    doc_ext = _ext(doc)
    doc_id = doc_ext["id"] if doc_ext else id_prefix + doc_identifier
    node_of: dict[str, str] = {doc_identifier: doc_id}
    nodes: dict[str, str] = {doc_id: title}
    programs: list[Program] = []
    frameworks: list[Framework] = []
    if doc_ext and doc_ext.get("kind") in ("program", "framework") and doc_ext.get("item"):
        try:
            if doc_ext["kind"] == "program":
                programs.append(Program.model_validate(doc_ext["item"]))
            else:
                frameworks.append(Framework.model_validate(doc_ext["item"]))
        except ValidationError as error:
            problems.append(f"CFDocument extension is not a valid {doc_ext['kind']}: {error}")
    doc_source = Source(
        title=title,
        issuer=_string(doc.get("publisher")) or _string(doc.get("creator")),
        url=_string(doc.get("officialSourceURL")) or _string(doc.get("uri")),
        evidence="third-party",
        note="imported from a CASE CFPackage; not checked against the original publication",
    )
    reading = _Reading(node_of, nodes, id_prefix, problems, source)
    units, raw_items = _read_items(package, reading, doc_source)
    edges, external, raw_associations = _read_associations(package, reading)
    return CaseImport(
        doc_id,
        title,
        tuple(units),
        tuple(edges),
        dict(nodes),
        tuple(sorted(external)),
        tuple(programs),
        tuple(frameworks),
        tuple(problems),
        len(raw_items),
        len(raw_associations),
    )


@dataclass
class _Reading:
    """What reading a package's items and associations shares."""

    node_of: dict[str, str]
    nodes: dict[str, str]
    id_prefix: str
    problems: list[str]
    source: str


def _read_items(
    package: Mapping[str, Any], reading: _Reading, doc_source: Source
) -> tuple[list[Unit], list[Any]]:
    node_of, nodes, id_prefix = reading.node_of, reading.nodes, reading.id_prefix
    problems, source = reading.problems, reading.source
    units: list[Unit] = []
    raw_items = package.get("CFItems") or []
    if not isinstance(raw_items, list):
        raise InteropError("INVALID_PACKAGE", "CFItems is not a list", source)
    for index, entry in enumerate(raw_items):
        label = f"CFItem #{index + 1}"
        if not isinstance(entry, dict) or _string(entry.get("identifier")) is None:
            problems.append(f"{label} has no identifier; skipped")
            continue
        identifier = entry["identifier"]
        statement = _string(entry.get("fullStatement"))
        label = f"CFItem {entry.get('humanCodingScheme') or identifier}"
        _check_stamp(entry, label, problems)
        level = entry.get("educationLevel", entry.get("educationalLevel"))
        if isinstance(level, str):
            problems.append(f"{label}: educationLevel is a string ({level!r}), read as a list")
            level = [level]
        elif level is not None and not isinstance(level, list):
            problems.append(f"{label}: educationLevel {level!r} is not a list; ignored")
            level = None
        ext = _ext(entry)
        if ext is not None:
            node_of[identifier] = ext["id"]
            nodes[ext["id"]] = statement or ext["id"]
            if ext.get("kind") == "unit":
                try:
                    units.append(_UNIT_ADAPTER.validate_python(ext["item"]))
                except ValidationError as error:
                    problems.append(f"{label}: its creditbank unit is invalid: {error}")
            continue
        node_id = id_prefix + identifier
        node_of[identifier] = node_id
        nodes[node_id] = statement or node_id
        if statement is None:
            problems.append(f"{label} has no fullStatement; imported as a node without a unit")
            continue
        tags = [f"educationLevel:{v}" for v in level or [] if isinstance(v, str)]
        item_type = _string(entry.get("CFItemType"))
        if item_type:
            tags.append(f"CFItemType:{item_type}")
        note = " ".join(
            part
            for part in (
                _string(entry.get("humanCodingScheme")),
                _string(entry.get("uri")),
                _string(entry.get("notes")),
            )
            if part
        )
        try:
            units.append(
                OtherUnit(
                    id=node_id,
                    name=Label.model_validate(statement),
                    tags=tuple(tags),
                    source=doc_source,
                    note=note or None,
                )
            )
        except ValidationError as error:
            problems.append(f"{label} cannot become a unit: {error.errors()[0]['msg']}")
    return units, raw_items


def _read_associations(
    package: Mapping[str, Any], reading: _Reading
) -> tuple[list[Edge], set[str], list[Any]]:
    node_of, nodes, id_prefix = reading.node_of, reading.nodes, reading.id_prefix
    problems, source = reading.problems, reading.source
    edges: list[Edge] = []
    external: set[str] = set()
    raw_associations = package.get("CFAssociations") or []
    if not isinstance(raw_associations, list):
        raise InteropError("INVALID_PACKAGE", "CFAssociations is not a list", source)
    for index, entry in enumerate(raw_associations):
        label = f"CFAssociation #{index + 1}"
        kind = _string(entry.get("associationType")) if isinstance(entry, dict) else None
        origin = entry.get("originNodeURI") if isinstance(entry, dict) else None
        target = entry.get("destinationNodeURI") if isinstance(entry, dict) else None
        if not (kind and isinstance(origin, dict) and isinstance(target, dict)):
            problems.append(f"{label} lacks associationType, originNodeURI or destinationNodeURI")
            continue
        _check_stamp(entry, label, problems)
        ends = []
        for end in (origin, target):
            identifier = _string(end.get("identifier")) or _string(end.get("uri"))
            if identifier is None:
                break
            uri = _string(end.get("uri")) or ""
            node_id = node_of.get(identifier, id_prefix + identifier)
            if identifier not in node_of and uri.startswith(EXTERNAL_URN):
                node_id = unquote(uri.removeprefix(EXTERNAL_URN))
            if identifier not in node_of:
                external.add(node_id)
                nodes.setdefault(node_id, _string(end.get("title")) or node_id)
            ends.append(node_id)
        if len(ends) != 2:
            problems.append(f"{label} ({kind}) names a node without identifier; skipped")
            continue
        edges.append(Edge(ends[0], kind, ends[1]))
    return edges, external, raw_associations


def _check_stamp(entry: Mapping[str, Any], label: str, problems: list[str]) -> None:
    value = entry.get("lastChangeDateTime")
    if value is None:
        return
    try:
        parse_datetime(value)
    except ValueError:
        problems.append(f"{label}: lastChangeDateTime {value!r} is not a date-time; ignored")
        return
    text = str(value)
    if "T" in text and not (text.endswith("Z") or "+" in text[10:] or "-" in text[10:]):
        problems.append(f"{label}: lastChangeDateTime {value} has no time zone; read as UTC")


def import_case_file(
    path: Path | str, *, limits: JsonLimits = DEFAULT_JSON_LIMITS, id_prefix: str = "case:"
) -> CaseImport:
    """:func:`import_case` for a JSON file, read with size and depth limits."""
    data = read_limited(path, limits=limits)
    return import_case(
        parse_json(data, source=str(path), limits=limits),
        source=str(path),
        id_prefix=id_prefix,
    )
