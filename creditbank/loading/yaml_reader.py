"""Safe YAML reading that remembers where every value came from.

PyYAML's loaders keep the last of two equal keys, turn ``0.1`` into a binary float and
expand aliases without limit. This reader instead *composes* the node tree (with the C
parser when it is available) and builds plain Python values from it itself:

* every mapping key and value gets its 1-based line and column, by YAML path;
* a repeated key is a ``DUPLICATE_KEY`` problem, not a silent overwrite;
* only the standard tags (str, int, float, bool, null, map, seq, timestamp) are accepted;
* floats become exact :class:`~decimal.Decimal` from the text as written;
* integers with leading zeros (``060301``) stay text, so codes keep their zeros; so does
  every other form YAML 1.1 reads as a number but a plain decimal one (``0x10``, ``1_000``,
  ``+5``, ``1:30``), so an id is the text as written and a number field reports it;
* aliases may not expand the document by more than ``Limits.alias_nodes`` nodes (or
  by twice its own size, if that is larger),
  nesting may not exceed ``Limits.depth``, files may not exceed ``Limits.max_bytes``.

>>> doc, problems = read_yaml_text("kind: rules\\nitems:\\n  - {id: a, credits: 0.5}\\n", "r.yaml")
>>> doc.data["items"][0]["credits"], doc.where(("items", 0, "credits"))
(Decimal('0.5'), (3, 22))
>>> _, problems = read_yaml_text("a: 1\\na: 2\\n", "d.yaml")
>>> print(problems[0])
d.yaml:2:1: DUPLICATE_KEY key 'a' appears twice in this mapping (first on line 1); remove one [a]
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from creditbank.errors import ErrorCode, FileError, Location, PathItem, Problem
from creditbank.fileio import read_bytes

__all__ = ["Document", "Limits", "read_yaml_file", "read_yaml_text"]

try:  # the C parser (libyaml) is much faster (benchmarks/RESULTS.md); same nodes and marks
    _Loader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader

_TAG = "tag:yaml.org,2002:"
_INT = re.compile(r"^-?(0|[1-9][0-9]*)$")
_FLOAT = re.compile(r"^[-+]?([0-9][0-9_]*)?\.?[0-9_]*([eE][-+]?[0-9]+)?$")
_TIMESTAMP_DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")
_TRUE = ("true", "yes", "on", "y")
_FALSE = ("false", "no", "off", "n")
_NULLS = ("", "~", "null", "Null", "NULL")
_MAX_NUMBER_CHARS = 100  # far above any real amount, far below int("9" * 4301) failing

Path_ = tuple[PathItem, ...]
Marks = dict[Path_, tuple[int, int]]


@dataclass(frozen=True)
class Limits:
    """Limits that keep a hostile or broken file from exhausting memory or time."""

    max_bytes: int = 8 * 1024 * 1024
    depth: int = 64
    alias_nodes: int = 100_000
    max_achievements: int = 10_000
    """Achievements one portfolio may list (checked by the portfolio loader): 200 times the
    long working life of ``benchmarks/large_portfolio.py --profile realistic`` (50
    records), more than one record for every working day of 40 years."""


DEFAULT_LIMITS = Limits()


class Document:
    """A parsed YAML document: plain data plus where each value and key came from.

    ``replaced`` holds the paths of values the reader already reported and replaced (a bad
    date kept as text, a value with an unsupported tag, a mapping with a merge key):
    problems found later at or below them only repeat the reader's problem.

    A document read without any problem keeps only the marks of its shallow paths (the
    file's head, its sections and items); the first question about a deeper path reads the
    text again to record every mark, so a location is always the one a full read gives.
    """

    def __init__(
        self,
        file: str,
        data: Any,
        value_marks: dict[Path_, tuple[int, int]] | None = None,
        key_marks: dict[Path_, tuple[int, int]] | None = None,
        replaced: set[Path_] | None = None,
        *,
        remark: Callable[[], tuple[Marks, Marks]] | None = None,
        marked_depth: int = 0,
    ) -> None:
        self.file = file
        self.data = data
        self._value_marks: Marks = value_marks if value_marks is not None else {}
        self._key_marks: Marks = key_marks if key_marks is not None else {}
        self.replaced: set[Path_] = replaced if replaced is not None else set()
        self._remark = remark
        self._marked_depth = marked_depth

    def __repr__(self) -> str:
        return f"Document(file={self.file!r})"

    def _all_marks(self) -> None:
        if self._remark is not None:
            self._value_marks, self._key_marks = self._remark()
            self._remark = None

    @property
    def value_marks(self) -> Marks:
        """Line and column of every value, by YAML path."""
        self._all_marks()
        return self._value_marks

    @property
    def key_marks(self) -> Marks:
        """Line and column of every mapping key, by the YAML path of its value."""
        self._all_marks()
        return self._key_marks

    def was_replaced(self, path: Path_) -> bool:
        """Whether the value at ``path``, or one that holds it, was replaced after a problem."""
        if not self.replaced:
            return False
        return any(tuple(path[:size]) in self.replaced for size in range(len(path) + 1))

    def where(self, path: Path_, *, key: bool = False) -> tuple[int, int] | None:
        """Line and column of the value at ``path`` (or of its key), or of its nearest parent."""
        if self._remark is not None and len(path) > self._marked_depth:
            self._all_marks()
        value_marks = self._value_marks
        marks = self._key_marks if key else value_marks
        probe = tuple(path)
        while True:
            if probe in marks:
                return marks[probe]
            if key and probe in value_marks:
                return value_marks[probe]
            if not probe:
                return None
            probe = probe[:-1]

    def location(self, path: Path_, *, key: bool = False) -> Location:
        """A :class:`Location` for ``path`` in this document."""
        found = self.where(path, key=key)
        line, column = found if found else (None, None)
        return Location(self.file, line, column, tuple(path))


class _Abort(Exception):
    """Stops construction after a problem that makes the rest meaningless."""


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class _Lines:
    """1-based line and column of a character of the text, as an editor or grep shows them.

    YAML also breaks lines at U+0085, U+2028 and U+2029 (common in text pasted from web
    pages), so PyYAML's own line and column drift after such a character. Positions are
    therefore counted here from the mark's character index, with only CR, LF and CRLF as
    line breaks.
    """

    def __init__(self, text: str, joined: Sequence[int] = ()) -> None:
        self.starts = [0, *(m.end() for m in _LINE_BREAK.finditer(text))]
        self.joined = joined  # where the parsed text is 2 shorter (see _join_surrogates)

    def at(self, index: int) -> tuple[int, int]:
        index += 2 * bisect.bisect_right(self.joined, index)
        line = bisect.bisect_right(self.starts, index)
        return line, index - self.starts[line - 1] + 1

    def of(self, mark: Any) -> tuple[int, int]:
        return self.at(mark.index)


class _Builder:
    def __init__(self, doc: Document, limits: Limits, lines: _Lines) -> None:
        self.doc = doc
        self.limits = limits
        self.lines = lines
        self.problems: list[Problem] = []
        self.seen: set[int] = set()
        self.sizes: dict[int, int] = {}
        self.alias_limit = limits.alias_nodes
        self.alias_budget = limits.alias_nodes
        self.expanding = False

    def allow_own_size(self, root: yaml.Node) -> None:
        """Let aliases expand a document by up to twice its own size (a big file that reuses
        one `source` in every item is no bomb): the limit is the larger of the two."""
        allowed = 2 * self._count(root)
        if allowed > self.alias_limit:
            self.alias_budget += allowed - self.alias_limit
            self.alias_limit = allowed

    @staticmethod
    def _count(root: yaml.Node) -> int:
        seen: set[int] = set()
        stack = [root]
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            if isinstance(node, yaml.SequenceNode):
                stack.extend(node.value)
            elif isinstance(node, yaml.MappingNode):
                stack.extend(n for pair in node.value for n in pair)
        return len(seen)

    def problem(self, code: ErrorCode, message: str, node: yaml.Node, path: Path_) -> None:
        line, column = self.lines.of(node.start_mark)
        self.problems.append(Problem(code, message, Location(self.doc.file, line, column, path)))

    def _size(self, node: yaml.Node, active: set[int]) -> int:
        key = id(node)
        if key in self.sizes:
            return self.sizes[key]
        if key in active:
            raise RecursionError
        active.add(key)
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(self._size(child, active) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            total += sum(self._size(k, active) + self._size(v, active) for k, v in node.value)
        active.discard(key)
        self.sizes[key] = total
        return total

    def build(self, node: yaml.Node, path: Path_, depth: int) -> Any:
        if depth > self.limits.depth:
            self.problem(
                "TOO_DEEP",
                f"the document nests deeper than {self.limits.depth} levels; flatten it",
                node,
                path,
            )
            raise _Abort
        if id(node) in self.seen and not isinstance(node, yaml.ScalarNode) and not self.expanding:
            # an alias: charge its whole expansion once, here, not again for its parts
            try:
                cost = self._size(node, set())
            except RecursionError:
                self._alias_problem(
                    "RECURSIVE_ALIAS",
                    "this alias refers to a node that contains it; "
                    "replace the alias with the value",
                    path,
                )
                raise _Abort from None
            self.alias_budget -= cost
            if self.alias_budget < 0:
                self._alias_problem(
                    "ALIAS_LIMIT",
                    f"aliases expand this document beyond {self.alias_limit:,} nodes (an alias "
                    "bomb?); write the values out or use fewer aliases",
                    path,
                )
                raise _Abort
            self.expanding = True
            try:
                return self._node(node, path, depth)
            finally:
                self.expanding = False
        return self._node(node, path, depth)

    def _alias_problem(self, code: ErrorCode, message: str, path: Path_) -> None:
        """A problem at the alias (the key it is the value of), not at the anchor it names."""
        line, column = self.doc.where(path, key=True) or (None, None)
        self.problems.append(Problem(code, message, Location(self.doc.file, line, column, path)))

    def _node(self, node: yaml.Node, path: Path_, depth: int) -> Any:
        self.seen.add(id(node))
        self.doc._value_marks.setdefault(path, self.lines.of(node.start_mark))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _TAG + "seq":
                self._bad_tag(node, path)
            return [self.build(child, (*path, i), depth + 1) for i, child in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        return self._scalar(node, path)

    def _mapping(self, node: yaml.MappingNode, path: Path_, depth: int) -> dict[str, Any]:
        if node.tag != _TAG + "map":
            self._bad_tag(node, path)
        out: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _TAG + "merge":
                self.problem(
                    "UNSUPPORTED_TAG",
                    "merge keys (<<) are not supported; write the fields out",
                    key_node,
                    path,
                )
                self.doc.replaced.add(path)
                continue
            key = (
                self._scalar(key_node, (*path, key_node.value))
                if isinstance(key_node, yaml.ScalarNode)
                else None
            )
            if isinstance(key, int) and not isinstance(key, bool):
                key = str(key)
            if not isinstance(key, str):
                self.problem("NON_STRING_KEY", _non_string_key(key_node, key), key_node, path)
                continue
            line, column = self.lines.of(key_node.start_mark)
            if key in out or key in first_line:
                self.problem(
                    "DUPLICATE_KEY",
                    f"key {key!r} appears twice in this mapping (first on line "
                    f"{first_line[key]}); remove one",
                    key_node,
                    (*path, key),
                )
                continue
            first_line[key] = line
            self.doc._key_marks[(*path, key)] = (line, column)
            out[key] = self.build(value_node, (*path, key), depth + 1)
        return out

    def _bad_tag(self, node: yaml.Node, path: Path_) -> None:
        tag = "!!" + node.tag[len(_TAG) :] if node.tag.startswith(_TAG) else node.tag
        self.problem(
            "UNSUPPORTED_TAG",
            f"the tag {tag} is not allowed; remove it and write a "
            "plain value (text, number, true/false, date, list or mapping)",
            node,
            path,
        )
        if isinstance(node, yaml.ScalarNode):
            self.doc.replaced.add(path)  # its text stands in for the value

    def _scalar(self, node: yaml.ScalarNode, path: Path_) -> Any:
        tag, text = node.tag, node.value
        if not tag.startswith(_TAG):
            self._bad_tag(node, path)
            return text
        kind = tag[len(_TAG) :]
        if kind == "str":
            return text
        if kind == "null":
            if text.strip() in _NULLS:
                return None
            return self._not_what_tag_says(node, path, "null")
        if kind == "bool":
            word = text.strip().lower()
            if word in _TRUE or word in _FALSE:
                return word in _TRUE
            return self._not_what_tag_says(node, path, "true or false")
        if kind == "int":
            if len(text) > _MAX_NUMBER_CHARS:
                return self._too_long(node, path)
            return _int(text)
        if kind == "float":
            if len(text) > _MAX_NUMBER_CHARS:
                return self._too_long(node, path)
            return _float(text)
        if kind == "timestamp":
            return self._timestamp(node, path)
        if kind in ("binary", "set", "omap", "pairs", "merge", "value"):
            self._bad_tag(node, path)
            return text
        self._bad_tag(node, path)
        return text

    def _not_what_tag_says(self, node: yaml.ScalarNode, path: Path_, what: str) -> str:
        """An explicit ``!!bool`` or ``!!null`` on text that is not one: a problem, not a guess."""
        self.problem(
            "INVALID_VALUE",
            f"{node.value!r} is tagged {node.tag.replace(_TAG, '!!')} but is not {what}; "
            "remove the tag or correct the value",
            node,
            path,
        )
        self.doc.replaced.add(path)
        return str(node.value)

    def _too_long(self, node: yaml.ScalarNode, path: Path_) -> str:
        """A number too long to be a real amount (and, as an int, too long for Python's
        int/str conversion limit): one problem here, the text stands in for the value."""
        self.problem(
            "INVALID_VALUE",
            f"this number has {len(node.value):,} characters, more than the "
            f"{_MAX_NUMBER_CHARS} a number may have; check the value (quote it if it is text)",
            node,
            path,
        )
        self.doc.replaced.add(path)
        return str(node.value)

    def _timestamp(self, node: yaml.ScalarNode, path: Path_) -> Any:
        text = node.value.strip()
        try:
            if _TIMESTAMP_DATE.match(text):
                year, month, day = (int(part) for part in text.split("-"))
                return dt.date(year, month, day)
            return yaml.SafeLoader.construct_yaml_timestamp(yaml.SafeLoader(""), node)
        except ValueError as error:
            self.problem(
                "INVALID_DATE",
                f"{text} is not a valid date ({error}); write YYYY-MM-DD",
                node,
                path,
            )
            self.doc.replaced.add(path)
            return text


class _Slow(Exception):
    """The fast reader met something only the full reader handles (or reports)."""


_MARKED_DEPTH = 2
"""A document read by the fast reader knows the marks of paths up to this long."""

_MAPPING_NODE, _SEQUENCE_NODE, _SCALAR_NODE = yaml.MappingNode, yaml.SequenceNode, yaml.ScalarNode
_MAP_TAG, _SEQ_TAG, _STR_TAG = _TAG + "map", _TAG + "seq", _TAG + "str"


def _fast_null(node: yaml.ScalarNode) -> None:
    if node.value.strip() not in _NULLS:
        raise _Slow


def _fast_bool(node: yaml.ScalarNode) -> bool:
    word = node.value.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise _Slow


def _fast_int(node: yaml.ScalarNode) -> int | str:
    if len(node.value) > _MAX_NUMBER_CHARS:
        raise _Slow
    return _int(node.value)


def _fast_float(node: yaml.ScalarNode) -> Decimal | str | float:
    if len(node.value) > _MAX_NUMBER_CHARS:
        raise _Slow
    return _float(node.value)


def _fast_timestamp(node: yaml.ScalarNode) -> Any:
    text = node.value.strip()
    try:
        if _TIMESTAMP_DATE.match(text):
            year, month, day = (int(part) for part in text.split("-"))
            return dt.date(year, month, day)
        return yaml.SafeLoader.construct_yaml_timestamp(yaml.SafeLoader(""), node)
    except ValueError:
        raise _Slow from None


_FAST_SCALARS: dict[str, Callable[[yaml.ScalarNode], Any]] = {
    _TAG + "null": _fast_null,
    _TAG + "bool": _fast_bool,
    _TAG + "int": _fast_int,
    _TAG + "float": _fast_float,
    _TAG + "timestamp": _fast_timestamp,
}


def _fast_build(
    root: yaml.Node, lines: _Lines, limits: Limits, *, watch_aliases: bool
) -> tuple[Any, Marks, Marks]:
    """The data of a document in which the full reader would find no problem, and the marks
    of its paths up to ``_MARKED_DEPTH`` long — the same data and marks the full reader
    gives. Raises :class:`_Slow` at the first thing it does not handle (an alias, a tag
    other than the plain ones, a repeated or non-text key, a value the reader would
    replace, nesting too deep), and the full reader starts again."""
    value_marks: Marks = {}
    key_marks: Marks = {}
    seen: set[int] = set()
    max_depth = limits.depth
    of = lines.of
    converters = _FAST_SCALARS

    def scalar(node: yaml.ScalarNode) -> Any:
        tag = node.tag
        if tag == _STR_TAG:
            return node.value
        convert = converters.get(tag)
        if convert is None:
            raise _Slow
        return convert(node)

    def build(node: yaml.Node, path: Path_ | None, depth: int) -> Any:
        if depth > max_depth:
            raise _Slow
        if path is not None:
            value_marks[path] = of(node.start_mark)
        kind = node.__class__
        if kind is _SCALAR_NODE:
            return scalar(node)  # type: ignore[arg-type]
        if watch_aliases:
            if id(node) in seen:
                raise _Slow
            seen.add(id(node))
        deeper = path is not None and len(path) < _MARKED_DEPTH
        if kind is _SEQUENCE_NODE and node.tag == _SEQ_TAG:
            if deeper:
                assert path is not None
                return [build(c, (*path, i), depth + 1) for i, c in enumerate(node.value)]
            return [build(child, None, depth + 1) for child in node.value]
        if kind is not _MAPPING_NODE or node.tag != _MAP_TAG:
            raise _Slow
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.__class__ is not _SCALAR_NODE:
                raise _Slow
            key = scalar(key_node)
            if key.__class__ is not str:
                if key.__class__ is not int:
                    raise _Slow
                key = str(key)
            if key in out:
                raise _Slow
            if deeper:
                assert path is not None
                child = (*path, key)
                key_marks[child] = of(key_node.start_mark)
                out[key] = build(value_node, child, depth + 1)
            else:
                out[key] = build(value_node, None, depth + 1)
        return out

    return build(root, (), 0), value_marks, key_marks


def _all_marks(parsed: str, file: str, limits: Limits, lines: _Lines) -> tuple[Marks, Marks]:
    """Every mark of a document the fast reader read, by reading its text again in full."""
    roots = [r for r in yaml.compose_all(parsed, Loader=_Loader) if r is not None]
    doc = Document(file, None)
    builder = _Builder(doc, limits, lines)
    builder.allow_own_size(roots[0])
    builder.build(roots[0], (), 0)
    return doc._value_marks, doc._key_marks


def _non_string_key(node: yaml.Node, key: Any) -> str:
    if not isinstance(node, yaml.ScalarNode):
        return "a mapping key must be plain text, not a list or a mapping; write the key as text"
    read_as = (
        "true/false"
        if isinstance(key, bool)
        else "nothing (null)"
        if key is None
        else "a date"
        if isinstance(key, dt.date)
        else "a number"
    )
    return f"the key {node.value!r} is read as {read_as}, not as text; quote it: '{node.value}'"


def _int(text: str) -> int | str:
    """A plain decimal integer; every other form YAML 1.1 reads as one (``0x10``, ``0o17``,
    ``1_000``, ``+5``, leading zeros ``060301``, base 60 ``1:30``) stays the text as written:
    an id keeps it, a number field reports it (see :func:`creditbank.models.values.number_hint`)."""
    if _INT.match(text):
        return int(text)
    return text


def _float(text: str) -> Decimal | str | float:
    lowered = text.lower()
    if lowered in (".inf", "+.inf", "-.inf"):
        return float("-inf") if lowered.startswith("-") else float("inf")
    if lowered == ".nan":
        return float("nan")
    if _FLOAT.match(text) and "_" not in text and not text.startswith("+"):
        try:
            return Decimal(text.replace("_", ""))
        except InvalidOperation:
            return text
    return text


def _first_tab_indent(text: str) -> tuple[int, int] | None:
    for number, line in enumerate(_LINE_BREAK.split(text), start=1):
        stripped = line.lstrip(" ")
        if stripped.startswith("\t"):
            return number, len(line) - len(stripped) + 1
    return None


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_PAIR = re.compile(
    r"(?<!\\)((?:\\\\)*)\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})", re.IGNORECASE
)


def _join_surrogates(text: str) -> tuple[str, list[int]]:
    """JSON writes a character beyond U+FFFF as two escapes (``\\ud83d\\ude00``, as Python's
    ``json.dumps`` does by default); YAML refuses those. Rewrite each pair as one YAML escape
    (``\\U0001f600``, 2 characters shorter) and return where, in the rewritten text, each
    rewritten escape ends, so positions can be mapped back."""
    if "\\u" not in text:
        return text, []
    ends: list[int] = []
    pieces: list[str] = []
    last = 0
    for match in _SURROGATE_PAIR.finditer(text):
        high, low = int(match[2], 16), int(match[3], 16)
        code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
        pieces.append(text[last : match.start()] + match[1] + f"\\U{code:08x}")
        last = match.end()
        ends.append(sum(map(len, pieces)))
    pieces.append(text[last:])
    return "".join(pieces), ends


def _reader_problem(error: yaml.reader.ReaderError, file: str, text: str, lines: _Lines) -> Problem:
    """A character YAML does not allow (a control character), where it is, on one line."""
    position = int(error.position)
    if _Loader is not yaml.SafeLoader:  # libyaml counts bytes of the UTF-8 text
        position = len(text.encode("utf-8")[:position].decode("utf-8", "ignore"))
    line, column = lines.at(position)
    char = error.character
    code = char if isinstance(char, int) else ord(char) if char else 0
    return Problem(
        "YAML_SYNTAX",
        f"the character U+{code:04X} is not allowed in YAML ({error.reason}); remove it",
        Location(file, line, column),
    )


def _syntax_problem(
    error: yaml.YAMLError, file: str, text: str, parsed: str, lines: _Lines
) -> Problem:
    if isinstance(error, yaml.reader.ReaderError):
        return _reader_problem(error, file, parsed, lines)
    context_mark = getattr(error, "context_mark", None)
    mark = getattr(error, "problem_mark", None) or context_mark
    problem = " ".join(str(getattr(error, "problem", None) or error).split())
    context = getattr(error, "context", None)
    if context_mark is not None and mark is not None and context_mark.line != mark.line:
        if "end of stream" in problem:
            mark = context_mark  # an unclosed quote or bracket: where it opens, not the file's end
        elif context:
            context = f"{context} (it starts on line {lines.of(context_mark)[0]})"
    line, column = lines.of(mark) if mark is not None else (None, None)
    tab = _first_tab_indent(text)
    if tab is not None and line is not None and abs(tab[0] - line) <= 1:
        return Problem(
            "TAB_INDENTATION",
            "a tab is used for indentation; YAML allows only spaces — replace the tab with spaces",
            Location(file, tab[0], tab[1]),
        )
    message = (
        f"{context + ': ' if context else ''}{problem}; check the brackets, quotes, colons "
        "and indentation here"
    )
    return Problem("YAML_SYNTAX", message, Location(file, line, column))


def _decode(raw: bytes, file: str) -> tuple[str | None, list[Problem]]:
    problems: list[Problem] = []
    if raw.startswith(b"\xef\xbb\xbf"):
        problems.append(
            Problem(
                "BYTE_ORDER_MARK",
                "the file starts with a UTF-8 byte order mark; save it as UTF-8 without BOM",
                Location(file, 1, 1),
            )
        )
        raw = raw[3:]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        problems.append(
            Problem("INVALID_UTF8", "the file is UTF-16; save it as UTF-8", Location(file, 1, 1))
        )
        return None, problems
    try:
        return raw.decode("utf-8"), problems
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        problems.append(
            Problem(
                "INVALID_UTF8",
                f"byte 0x{raw[error.start]:02X} is not valid UTF-8; save the file as "
                "UTF-8 (it may be GBK/GB18030)",
                Location(file, line, column),
            )
        )
        return None, problems


def read_yaml_text(
    text: str, file: str = "<input>", limits: Limits = DEFAULT_LIMITS
) -> tuple[Document | None, list[Problem]]:
    """Parse one YAML document from text. Returns the document (None if unusable) and problems."""
    problems: list[Problem] = []
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        return None, [
            Problem(
                "YAML_SYNTAX",
                "the file contains a NUL byte; is it a binary file?",
                Location(file, line, 1),
            )
        ]
    lone = _LONE_SURROGATE.search(text)
    if lone is not None:  # text from JSON ("\ud800") that no UTF-8 file could hold
        line, column = _Lines(text).at(lone.start())
        return None, [
            Problem(
                "INVALID_UTF8",
                f"U+{ord(lone[0]):04X} is half of a UTF-16 surrogate pair, not a character; "
                "send the text as UTF-8",
                Location(file, line, column),
            )
        ]
    parsed, joined = _join_surrogates(text)
    lines = _Lines(text, joined)
    try:
        nodes: Iterator[yaml.Node] = yaml.compose_all(parsed, Loader=_Loader)
        roots = list(nodes)
    except yaml.YAMLError as error:
        return None, [_syntax_problem(error, file, text, parsed, lines)]
    except RecursionError:
        return None, [
            Problem(
                "TOO_DEEP",
                "the document nests too deeply to read; flatten it",
                Location(file, 1, 1),
            )
        ]
    roots = [r for r in roots if r is not None]
    if not roots:
        return None, [
            Problem(
                "EMPTY_DOCUMENT",
                "the file holds no YAML document; add its content or remove the file",
                Location(file, 1, 1),
            )
        ]
    if len(roots) > 1:
        problems.append(
            Problem(
                "MULTIPLE_DOCUMENTS",
                "the file holds more than one document (---); put each in its own file",
                Location(file, *lines.of(roots[1].start_mark)),
            )
        )
    try:
        data, value_marks, key_marks = _fast_build(
            roots[0], lines, limits, watch_aliases="*" in parsed
        )
    except _Slow:
        pass  # something to report or to handle with care: the full reader does it
    else:
        remark = functools.partial(_all_marks, parsed, file, limits, lines)
        return Document(
            file, data, value_marks, key_marks, remark=remark, marked_depth=_MARKED_DEPTH
        ), problems
    doc = Document(file, None)
    builder = _Builder(doc, limits, lines)
    builder.allow_own_size(roots[0])
    try:
        doc.data = builder.build(roots[0], (), 0)
    except _Abort:
        return None, problems + builder.problems
    return doc, problems + builder.problems


def read_yaml_file(
    path: Path, limits: Limits = DEFAULT_LIMITS, display: str | None = None
) -> tuple[Document | None, list[Problem]]:
    """Read and parse a YAML (or JSON) file, refusing files above the size limit."""
    name = display or str(path)
    try:
        raw = read_bytes(
            path, limits.max_bytes, display=name, advice="; split it into several files"
        )
    except FileError as error:
        problem = error.problem
        if error.code == "FILE_TOO_LARGE":
            problem = Problem(problem.code, problem.message, Location(name, 1, 1))
        return None, [problem]
    text, problems = _decode(raw, name)
    if text is None:
        return None, problems
    doc, more = read_yaml_text(text, name, limits)
    return doc, problems + more
