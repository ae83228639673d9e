"""The CASE 1.1 CFPackage JSON Schema (getCFPackage response), as constraints.

Transcribed from the 1EdTech *CASE Service Version 1.1 Final Release JSON Schema
Binding* (getCFPackage-200-responsepayload-schema.json, authors Pepper Williams, Susan
Haught, Colin Smythe), as carried by OpenSALT in ``core/config/schema/
case-v1p1-cfpackage-schema.json``: every class's required properties, property types,
UUID patterns, the association-type vocabulary (with ``ext:`` extensions), formats and
``additionalProperties: false``. Descriptions are left out. CFRubrics are allowed but not
detailed (creditbank neither writes nor reads them).

>>> len(CASE_PACKAGE_SCHEMA["$defs"]["CFPckgAssociationDType"]["required"])
6
"""

from __future__ import annotations

from typing import Any

__all__ = ["ASSOCIATION_TYPES", "CASE_PACKAGE_SCHEMA", "UUID_PATTERN"]

UUID_PATTERN = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[8-9a-b]{1}[0-9a-f]{3}-[0-9a-f]{12}"
ASSOCIATION_TYPES = (
    "isChildOf",
    "isPeerOf",
    "isPartOf",
    "exactMatchOf",
    "precedes",
    "isRelatedTo",
    "replacedBy",
    "exemplar",
    "hasSkillLevel",
    "isTranslationOf",
)

_STRING: dict[str, Any] = {"type": "string"}
_UUID: dict[str, Any] = {"type": "string", "pattern": UUID_PATTERN}
_URI: dict[str, Any] = {"type": "string", "format": "uri"}
_DATETIME: dict[str, Any] = {"type": "string", "format": "date-time"}
_DATE: dict[str, Any] = {"type": "string", "format": "date"}
_STRINGS: dict[str, Any] = {"type": "array", "items": _STRING}
_EXT: dict[str, Any] = {"type": "object", "additionalProperties": True}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/$defs/{name}"}


def _object(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {**properties, "extensions": _EXT},
        "required": required,
        "additionalProperties": False,
    }


_LINK = {
    "type": "object",
    "properties": {"title": _STRING, "identifier": _UUID, "uri": _URI},
    "required": ["title", "identifier", "uri"],
    "additionalProperties": False,
}
_EXTENSIBLE = {"type": "string", "pattern": "(ext:)[a-zA-Z0-9\\.\\-_]+"}
_LINK_GEN = {
    "type": "object",
    "properties": {
        "title": _STRING,
        "identifier": _STRING,
        "uri": _URI,
        "targetType": {"anyOf": [{"type": "string", "enum": ["CASE"]}, _EXTENSIBLE]},
    },
    "required": ["title", "identifier", "uri"],
    "additionalProperties": False,
}

CASE_PACKAGE_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "CASE 1.1 CFPackage (constraints of the 1EdTech JSON Schema binding)",
    "type": "object",
    "properties": {
        "CFDocument": _ref("CFPckgDocumentDType"),
        "CFItems": {"type": "array", "items": _ref("CFPckgItemDType")},
        "CFAssociations": {"type": "array", "items": _ref("CFPckgAssociationDType")},
        "CFDefinitions": _ref("CFDefinitionDType"),
        "CFRubrics": {"type": "array", "items": {"type": "object"}},
        "extensions": _EXT,
    },
    "required": ["CFDocument"],
    "additionalProperties": False,
    "$defs": {
        "LinkURIDType": _LINK,
        "LinkGenURIDType": _LINK_GEN,
        "CFPckgDocumentDType": _object(
            {
                "identifier": _UUID,
                "uri": _URI,
                "frameworkType": _STRING,
                "caseVersion": {"type": "string", "enum": ["1.1"]},
                "creator": _STRING,
                "title": _STRING,
                "lastChangeDateTime": _DATETIME,
                "officialSourceURL": _URI,
                "publisher": _STRING,
                "description": _STRING,
                "subject": _STRINGS,
                "subjectURI": {"type": "array", "items": _ref("LinkURIDType")},
                "language": _STRING,
                "version": _STRING,
                "adoptionStatus": _STRING,
                "statusStartDate": _DATE,
                "statusEndDate": _DATE,
                "licenseURI": _ref("LinkURIDType"),
                "notes": _STRING,
            },
            ["identifier", "uri", "creator", "title", "lastChangeDateTime"],
        ),
        "CFPckgItemDType": _object(
            {
                "identifier": _UUID,
                "fullStatement": _STRING,
                "alternativeLabel": _STRING,
                "CFItemType": _STRING,
                "uri": _URI,
                "humanCodingScheme": _STRING,
                "listEnumeration": _STRING,
                "abbreviatedStatement": _STRING,
                "conceptKeywords": _STRINGS,
                "conceptKeywordsURI": _ref("LinkURIDType"),
                "notes": _STRING,
                "subject": _STRINGS,
                "subjectURI": {"type": "array", "items": _ref("LinkURIDType")},
                "language": _STRING,
                "educationLevel": _STRINGS,
                "CFItemTypeURI": _ref("LinkURIDType"),
                "licenseURI": _ref("LinkURIDType"),
                "statusStartDate": _DATE,
                "statusEndDate": _DATE,
                "lastChangeDateTime": _DATETIME,
            },
            ["identifier", "fullStatement", "uri", "lastChangeDateTime"],
        ),
        "CFPckgAssociationDType": _object(
            {
                "identifier": _UUID,
                "associationType": {
                    "anyOf": [{"type": "string", "enum": list(ASSOCIATION_TYPES)}, _EXTENSIBLE]
                },
                "sequenceNumber": {"type": "integer"},
                "uri": _URI,
                "originNodeURI": _ref("LinkGenURIDType"),
                "destinationNodeURI": _ref("LinkGenURIDType"),
                "CFAssociationGroupingURI": _ref("LinkURIDType"),
                "lastChangeDateTime": _DATETIME,
                "notes": _STRING,
            },
            [
                "identifier",
                "associationType",
                "uri",
                "originNodeURI",
                "destinationNodeURI",
                "lastChangeDateTime",
            ],
        ),
        "CFItemTypeDType": _object(
            {
                "identifier": _UUID,
                "uri": _URI,
                "title": _STRING,
                "description": _STRING,
                "hierarchyCode": _STRING,
                "typeCode": _STRING,
                "lastChangeDateTime": _DATETIME,
            },
            ["identifier", "uri", "title", "description", "hierarchyCode", "lastChangeDateTime"],
        ),
        "CFDefinitionDType": {
            "type": "object",
            "properties": {
                "CFConcepts": {"type": "array", "items": {"type": "object"}},
                "CFSubjects": {"type": "array", "items": {"type": "object"}},
                "CFLicenses": {"type": "array", "items": {"type": "object"}},
                "CFItemTypes": {"type": "array", "items": _ref("CFItemTypeDType")},
                "CFAssociationGroupings": {"type": "array", "items": {"type": "object"}},
                "extensions": _EXT,
            },
            "additionalProperties": False,
        },
    },
}
