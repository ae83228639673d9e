"""Turn pydantic validation errors into located, coded :class:`~creditbank.errors.Problem` s."""

from __future__ import annotations

import re
import types
import typing
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from creditbank.errors import ERROR_CODES, ErrorCode, PathItem, Problem
from creditbank.loading.yaml_reader import Document
from creditbank.models.values import number_hint
from creditbank.suggest import did_you_mean

__all__ = ["problems_from_validation"]

_TYPE_ERRORS = {
    "int_type",
    "int_parsing",
    "int_from_float",
    "string_type",
    "bool_type",
    "bool_parsing",
    "decimal_type",
    "decimal_parsing",
    "float_type",
    "float_parsing",
    "model_type",
    "model_attributes_type",
    "tuple_type",
    "list_type",
    "dict_type",
    "date_type",
    "none_required",
    "is_instance_of",
    "dataclass_type",
    "frozen_set_type",
    "set_type",
}
_VALUE_ERRORS = {
    "greater_than",
    "greater_than_equal",
    "less_than",
    "less_than_equal",
    "too_short",
    "too_long",
    "string_too_short",
    "string_too_long",
    "string_pattern_mismatch",
    "literal_error",
    "value_error",
    "assertion_error",
    "enum",
    "multiple_of",
}
_MAPPING_ERRORS = {"model_type", "model_attributes_type", "dict_type", "dataclass_type"}
_LIST_ERRORS = {"tuple_type", "list_type", "set_type", "frozen_set_type"}
_DATE_ERRORS = {
    "date_parsing",
    "date_from_datetime_inexact",
    "date_from_datetime_parsing",
    "datetime_parsing",
    "date_future",
    "date_past",
}


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing (null)"
    text = repr(str(value)) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "…"


_ABSENT = object()


def _child(data: Any, step: Any) -> Any:
    """``data[step]`` when the data has it, else ``_ABSENT``."""
    if isinstance(data, dict) and step in data:
        return data[step]
    if isinstance(data, list) and isinstance(step, int) and 0 <= step < len(data):
        return data[step]
    return _ABSENT


def _walk(
    data: Any, loc: tuple[Any, ...], *, root: Any, skip: int = 0, missing: bool = False
) -> tuple[tuple[PathItem, ...], list[type[BaseModel]]]:
    """Follow ``loc`` through the data, and through the types from ``root`` after ``skip``.

    pydantic puts the tag of a tagged union into ``loc`` (``then.credits.requirement`` for
    ``then: {kind: credits, …}``); the types tell such a tag from a field of the same name,
    so it is skipped even when the data has a key spelt like it. ``loc[:skip]`` is the
    path of the validated value inside the document (no types are walked for it).

    With ``missing``, the last element names a field the data lacks; it is kept for the
    message. Returns the data path and the model classes that hold the last element (for
    "did you mean" field suggestions).
    """
    path: list[PathItem] = []
    current = data
    types: list[Any] = [root]
    holders: list[type[BaseModel]] = []
    last = len(loc) - 1
    for index, element in enumerate(loc):
        if index >= skip:
            models = _models(types)
            if index == last:
                holders = models
            if isinstance(element, str) and len(models) > 1:
                tagged = [m for m in models if _matches_tag(m, element)]
                if tagged:  # a union's tag: it names a member, not a key of the data
                    types = tagged
                    continue
            types = _step(types, element)
        child = _child(current, element)
        if child is not _ABSENT:
            current = child
            path.append(element)
        elif missing and isinstance(current, dict) and isinstance(element, str) and index == last:
            path.append(element)
            current = None
    return tuple(path), holders


def _descend(data: Any, path: tuple[PathItem, ...], extra: Any) -> tuple[PathItem, ...]:
    """``path`` extended by ``extra`` (a field name or a path below it) as far as the data goes.

    Model validators name the offending part in their error's ``field`` context, e.g.
    ``("levels", 2, "rank")``, so the problem points at that line, not at the item's first.
    """
    steps = (
        (extra,)
        if isinstance(extra, str | int)
        else tuple(extra)
        if isinstance(extra, tuple | list)
        else ()
    )
    target = data
    for step in path:
        target = _child(target, step)
    for step in steps:
        target = _child(target, step)
        if target is _ABSENT:
            break
        path = (*path, step)
    return path


def _step(types: list[Any], element: Any) -> list[Any]:
    """The types one step below ``types``: a list's items, or a model's field."""
    following: list[Any] = []
    for annotation in types:
        for member in _raw_members(annotation):
            if isinstance(element, int):
                if get_origin(member) in (tuple, list):
                    following.append(get_args(member)[0])
            elif isinstance(member, type) and issubclass(member, BaseModel):
                field = member.model_fields.get(element)
                if field is not None:
                    following.append(field.annotation)
    return following


def _models(types: list[Any]) -> list[type[BaseModel]]:
    """The model classes among ``types`` (unions and ``Annotated`` unwrapped)."""
    found: list[type[BaseModel]] = []
    for annotation in types:
        for member in _raw_members(annotation):
            if isinstance(member, type) and issubclass(member, BaseModel) and member not in found:
                found.append(member)
    return found


def _raw_members(annotation: Any) -> list[Any]:
    origin = get_origin(annotation)
    if origin is typing.Annotated:
        return _raw_members(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return [m for arg in get_args(annotation) for m in _raw_members(arg)]
    return [annotation]


def _matches_tag(model: type[BaseModel], element: Any) -> bool:
    kind = model.model_fields.get("kind")
    if kind is not None and get_args(kind.annotation) and element in get_args(kind.annotation):
        return True
    return model.__name__.lower() == str(element).replace("_", "").lower()


def _field_names(models: list[type[BaseModel]]) -> list[str]:
    names: list[str] = []
    for model in models:
        names.extend(n for n in model.model_fields if n not in names)
    return names


def _union_tag_problem(kind: str, ctx: dict[str, Any]) -> tuple[ErrorCode, str, tuple[str, ...]]:
    """The problem of an unknown or missing ``kind`` (or other discriminator) of a union."""
    discriminator = str(ctx.get("discriminator", "kind")).strip("'")
    if kind == "union_tag_not_found":
        message = (
            f"required field `{discriminator}` is missing; it says which kind of entry this is"
        )
        return "MISSING_FIELD", message, ()
    tags = str(ctx.get("expected_tags", "")).replace("'", "").split(", ")
    tag = str(ctx.get("tag", ""))
    hint = did_you_mean(tag, tags) or f" use one of {', '.join(tags)}"
    extra = (discriminator,) if discriminator.isidentifier() else ()
    return "INVALID_VALUE", f"unknown {discriminator} {tag!r};{hint}", extra


def _problem(
    error: ErrorDetails, doc: Document, root: Any, prefix: tuple[PathItem, ...]
) -> Problem:
    loc = (*prefix, *error["loc"])
    kind = error["type"]
    path, holders = _walk(doc.data, loc, root=root, skip=len(prefix), missing=kind == "missing")
    ctx = error.get("ctx") or {}
    field = path[-1] if path and isinstance(path[-1], str) else None
    label = f"`{field}`" if field else "the value"
    got = _describe(error.get("input"))
    code: ErrorCode
    if kind in ERROR_CODES:
        code = kind  # our own PydanticCustomError codes
        message = error["msg"]
        path = _descend(doc.data, path, ctx.get("field"))
    elif kind == "missing":
        code, message = "MISSING_FIELD", f"required field {label} is missing; add it"
    elif kind == "extra_forbidden":
        allowed = _field_names(holders)
        hint = did_you_mean(str(field), allowed)
        fix = hint if hint else f" allowed here: {', '.join(allowed)}" if allowed else ""
        if not hint and error.get("input") is None and " " in str(field):
            # `{note: 1 credit, rounded down to 0.5}`: the comma ended the text, and the
            # rest became a key without a value
            fix = (
                " an unquoted comma inside `{…}` ends a text there: put the whole text in "
                f'quotes: "…, {field}"'
            )
        code, message = "UNKNOWN_FIELD", f"unknown field {label};{fix or ' remove it'}"
        return Problem(code, _one_line(message), doc.location(path, key=True))
    elif kind in ("union_tag_invalid", "union_tag_not_found"):
        code, message, extra = _union_tag_problem(kind, ctx)
        path = (*path, *extra)
    elif kind == "literal_error":
        expected = str(ctx.get("expected", ""))
        options = [o.strip().strip("'") for o in expected.replace(" or ", ", ").split(",")]
        code = "INVALID_VALUE"
        message = f"{label} is {got};" + (
            did_you_mean(str(error.get("input")), options) or f" use one of {expected}"
        )
    elif kind in _MAPPING_ERRORS | _LIST_ERRORS:
        code = "WRONG_TYPE"
        shape = "a list, e.g. [a, b]" if kind in _LIST_ERRORS else "a mapping (`key: value`)"
        message = f"{label} must be {shape}, got {got}"
    elif kind in _TYPE_ERRORS:
        code = "WRONG_TYPE"
        message = f"{label}: {error['msg'].lower()}, got {got}"
        written = error.get("input")
        hint = number_hint(written) if isinstance(written, str) else ""
        message += f"; {hint}" if hint else ""
    elif kind in _DATE_ERRORS:
        code = "INVALID_DATE"
        message = f"{label}: {error['msg'].lower()}, got {got}; write dates as YYYY-MM-DD"
    elif kind in _VALUE_ERRORS:
        code = "INVALID_VALUE"
        message = f"{label}: {error['msg'].lower()}, got {got}"
    else:
        code = "INVALID_VALUE"
        message = f"{label}: {error['msg']}"
    return Problem(code, _one_line(message), doc.location(path))


_CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")


def _one_line(message: str) -> str:
    """The message with line breaks and other control characters escaped (``\\n``).

    A problem is one line, ``FILE:LINE:COL: CODE message``; a value quoted in a message
    (an id, a number written as text) may hold a line break.
    """
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], message)


def problems_from_validation(
    error: ValidationError,
    doc: Document,
    root: Any,
    prefix: tuple[PathItem, ...] = (),
    *,
    skip_fields: frozenset[str] = frozenset(),
) -> list[Problem]:
    """One problem per pydantic error, located in the document it came from.

    ``root`` is the type that was validated (for "did you mean" field suggestions) and
    ``prefix`` the path of the validated value inside the document. Errors in the
    top-level fields ``skip_fields`` are left out: the loader passes the fields an item
    took from its file's head, whose problems the head reports once.
    """
    details = [
        detail
        for detail in error.errors(include_url=False)
        if not skip_fields or _top_field(detail["loc"], root) not in skip_fields
    ]
    problems: list[Problem] = []
    alternatives: dict[tuple[Any, ...], int] = {}  # loc of a plain union -> its problem
    for detail in details:
        if _follows_from_entries(detail, details):
            continue
        problem = _problem(detail, doc, root, prefix)
        loc = tuple(detail["loc"])
        if loc and _is_union_member(loc[-1]):
            index = alternatives.get(loc[:-1])
            if index is not None:  # another member of the same union failed too: one problem
                problems[index] = _either(problems[index], problem)
                continue
            alternatives[loc[:-1]] = len(problems)
        problems.append(problem)
    return problems


def _is_union_member(element: Any) -> bool:
    """Whether a ``loc`` element names a member of a plain (untagged) union, the way pydantic
    labels them: ``function-before[…]``, ``decimal``, ``str``, a model's class name."""
    return isinstance(element, str) and (
        element.endswith("]")
        or element in {"str", "int", "float", "decimal", "bool", "date", "none"}
        or element[:1].isupper()
    )


def _either(first: Problem, other: Problem) -> Problem:
    """One problem for a value no member of a union accepts (``a grade name or a number``)."""
    head, got = first.message, ""
    tail = other.message
    for separator in (", got ", "; got "):
        if separator in head and separator in tail:
            a, _, got_a = head.rpartition(separator)
            b, _, got_b = tail.rpartition(separator)
            if got_a == got_b:
                head, tail, got = a, b, separator + got_a
    return Problem(first.code, f"{head}, or {tail}{got}", first.location)


def _top_field(loc: tuple[Any, ...], root: Any) -> Any:
    """The first element of ``loc`` that is not the tag of a union (a field name or index)."""
    models = _models([root])
    for element in loc:
        if isinstance(element, str) and len(models) > 1:
            tagged = [m for m in models if _matches_tag(m, element)]
            if tagged:
                models = tagged
                continue
        return element
    return None


def _follows_from_entries(detail: ErrorDetails, details: list[ErrorDetails]) -> bool:
    """A list too short only because some of its entries failed (reported on their own)."""
    if detail["type"] != "too_short":
        return False
    loc = tuple(detail["loc"])
    return any(
        len(other["loc"]) > len(loc) and tuple(other["loc"][: len(loc)]) == loc for other in details
    )
