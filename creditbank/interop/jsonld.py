"""JSON-LD without surprises: contexts from a local cache, never a silent network fetch.

:class:`ContextLoader` is a pyld document loader. It serves contexts from a cache
directory (by default the copies shipped in ``creditbank/interop/contexts``, each checked
against its SHA-256) and refuses any other URL with ``UNKNOWN_CONTEXT`` — unless the caller
passes ``allow_network=True``, and then it fetches with the caller's ``fetch`` function
(or a small HTTPS-only fetcher) and keeps what it fetched in the cache directory.

>>> loader = ContextLoader()
>>> "https://www.w3.org/ns/credentials/v2" in loader.urls()
True
>>> try:
...     loader("https://example.org/unknown-context.jsonld")
... except InteropError as error:
...     print(error.code)
UNKNOWN_CONTEXT
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import re
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from cachetools import LRUCache
from pyld import jsonld
from pyld.canon import URDNA2015
from pyld.context_resolver import ContextResolver

from creditbank.errors import FileError
from creditbank.fileio import make_directory, write_atomic
from creditbank.interop.errors import InteropError
from creditbank.interop.jsonio import parse_json, read_limited

__all__ = [
    "BUNDLED_CONTEXTS",
    "ContextLoader",
    "JsonLdProblem",
    "TooComplex",
    "bundled_contexts_path",
    "canonicalize",
    "check_complexity",
    "context_urls",
    "https_fetch",
    "inline_contexts",
    "undefined_terms",
]

INDEX = "index.json"
_SENTINEL = "urn:creditbank:undefined-term#"
_MAX_CONTEXT_BYTES = 1024 * 1024
_PLAIN_KEYWORDS = frozenset({"@context", "@value", "@language", "@direction"})
"""Keywords a credential may use as keys. Any other (``@id``, ``@nest``, ``@graph`` …) lets
the signed data sit under a key other than the term creditbank reads, so it is refused."""
_MAX_MERGE_WORK = 5_000_000
"""Bound on the sum, over every (node, property), of the squared number of its values: pyld
merges a node's values with a linear scan each, quadratic in that number."""
_MAX_PERMUTATIONS = 10_000
"""Bound on the permutations (at least one per hashing step) RDFC-1.0 may try for blank
nodes that look alike: a "poison" graph of nine mutually linked ones otherwise takes hours."""


class JsonLdProblem(ValueError):
    """The document is not JSON-LD that can be processed (a bad or conflicting context …)."""


class TooComplex(JsonLdProblem):
    """Canonicalising the document would take unreasonably long; it is refused unprocessed."""


def bundled_contexts_path() -> Path:
    """The directory of context copies shipped inside the package."""
    return Path(str(resources.files("creditbank.interop").joinpath("contexts")))


def _read_index(directory: Path) -> dict[str, dict[str, str]]:
    index = directory / INDEX
    if not index.is_file():
        return {}
    data = parse_json(read_limited(index), source=str(index))
    if not isinstance(data, dict) or not all(
        isinstance(entry, dict) and isinstance(entry.get("file"), str) for entry in data.values()
    ):
        raise InteropError(
            "UNKNOWN_CONTEXT",
            'the context index must map each URL to {"file": NAME, "sha256": HEX}',
            str(index),
        )
    return data


BUNDLED_CONTEXTS: tuple[str, ...] = tuple(sorted(_read_index(bundled_contexts_path())))
"""URLs of the contexts shipped with creditbank."""


def https_fetch(url: str) -> bytes:
    """Fetch a context over HTTPS (10 s timeout, at most 1 MiB). Used only when allowed."""
    if not url.startswith("https://"):
        raise InteropError("NETWORK_REFUSED", f"only https:// contexts are fetched, not {url}")
    request = urllib.request.Request(
        url, headers={"Accept": "application/ld+json, application/json;q=0.9"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            body: bytes = response.read(_MAX_CONTEXT_BYTES + 1)
    except OSError as error:
        raise InteropError("NETWORK_REFUSED", f"fetching {url} failed: {error}") from None
    if len(body) > _MAX_CONTEXT_BYTES:
        raise InteropError("NETWORK_REFUSED", f"the context at {url} is larger than 1 MiB")
    return body


def _check_cache_dir(path: Path, allow_network: bool) -> None:
    """A context directory is a directory: a file, a FIFO or a device is refused
    (``NOT_A_DIRECTORY``), and so is a missing path (``DIRECTORY_NOT_FOUND``) unless the
    network is allowed, when the first context fetched creates it."""
    if path.is_dir():
        return
    if path.exists() or path.is_symlink():
        raise FileError(
            "NOT_A_DIRECTORY",
            "the contexts path is not a directory (a directory of JSON-LD contexts with an "
            "index.json is wanted)",
            str(path),
        )
    if not allow_network:
        raise FileError(
            "DIRECTORY_NOT_FOUND",
            "no such contexts directory; check the path (a directory of JSON-LD contexts "
            "with an index.json)",
            str(path),
        )


class ContextLoader:
    """A pyld document loader over a local cache of contexts; the network only when allowed.

    ``cache_dir`` is searched first (a directory with an ``index.json`` like the bundled
    one; :class:`~creditbank.errors.FileError` ``NOT_A_DIRECTORY`` when the path is
    something else, ``DIRECTORY_NOT_FOUND`` when it is missing and the network is not
    allowed), then the bundled copies (unless ``include_bundled=False``). An unknown URL raises
    ``InteropError("UNKNOWN_CONTEXT")`` — or, with ``allow_network=True``, is fetched with
    ``fetch`` (default :func:`https_fetch`) and stored in ``cache_dir`` when one is given.
    ``fetched`` lists every URL fetched from the network. A fetch that failed (or fetched
    no JSON) is not tried again for the loader's life — one run, however many credentials
    name the context: each later load raises the same error, and ``failed`` maps each such
    URL to it.
    """

    def __init__(
        self,
        cache_dir: Path | str | None = None,
        *,
        allow_network: bool = False,
        fetch: Callable[[str], bytes] | None = None,
        include_bundled: bool = True,
    ) -> None:
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        if self.cache_dir is not None:
            _check_cache_dir(self.cache_dir, allow_network)
        self.allow_network = allow_network
        self._fetch = fetch or https_fetch
        self._directories: list[Path] = []
        if self.cache_dir is not None:
            self._directories.append(self.cache_dir)
        if include_bundled:
            self._directories.append(bundled_contexts_path())
        self._entries: dict[str, tuple[Path, str | None]] = {}
        for directory in reversed(self._directories):
            for url, entry in _read_index(directory).items():
                self._entries[url] = (directory / entry["file"], entry.get("sha256"))
        self._documents: dict[str, Any] = {}
        self.fetched: list[str] = []
        self.failed: dict[str, InteropError] = {}
        self._resolver = ContextResolver(LRUCache(maxsize=100), self)

    def urls(self) -> frozenset[str]:
        """URLs this loader serves without the network."""
        return frozenset(self._entries) | frozenset(self._documents)

    def has(self, url: str) -> bool:
        """Whether ``url`` is served without the network."""
        return _strip_fragment(url) in self.urls()

    @property
    def resolver(self) -> ContextResolver:
        """A context resolver whose cache belongs to this loader alone (not pyld's global one)."""
        return self._resolver

    def load(self, url: str) -> Any:
        """The parsed context document at ``url``."""
        key = _strip_fragment(url)
        if key in self._documents:
            return self._documents[key]
        if key in self._entries:
            path, digest = self._entries[key]
            try:
                data = read_limited(path)
            except InteropError as error:
                raise InteropError(
                    "UNKNOWN_CONTEXT",
                    f"the cached copy of {key} cannot be read: {error.code} {error.message}",
                    str(path),
                ) from None
            if digest is not None and hashlib.sha256(data).hexdigest() != digest:
                raise InteropError(
                    "UNKNOWN_CONTEXT",
                    f"the cached copy of {key} does not match its SHA-256 in {INDEX}; "
                    "restore the original file",
                    str(path),
                )
            document = parse_json(data, source=str(path))
        elif key in self.failed:
            failure = self.failed[key]
            raise InteropError(failure.code, failure.message, failure.source)
        elif self.allow_network:
            try:
                data = self._fetch(key)
                document = parse_json(data, source=key)
            except OSError as error:
                self.failed[key] = InteropError(
                    "NETWORK_REFUSED", f"fetching {key} failed: {error}"
                )
                raise self.failed[key] from None
            except InteropError as error:
                self.failed[key] = error
                raise
            self.fetched.append(key)
            self._store(key, data)
        else:
            raise InteropError(
                "UNKNOWN_CONTEXT",
                f"the JSON-LD context {key} is not in the local cache and fetching is not "
                "allowed; add a copy to a context directory (see "
                "creditbank/interop/contexts/README.md) or allow the network explicitly",
            )
        self._documents[key] = document
        return document

    def _store(self, url: str, data: bytes) -> None:
        if self.cache_dir is None:
            return
        make_directory(self.cache_dir)
        name = hashlib.sha256(url.encode()).hexdigest()[:32] + ".jsonld"
        write_atomic(self.cache_dir / name, data)
        index = _read_index(self.cache_dir)
        index[url] = {"file": name, "sha256": hashlib.sha256(data).hexdigest()}
        write_atomic(self.cache_dir / INDEX, json.dumps(index, indent=2) + "\n")
        self._entries[url] = (self.cache_dir / name, index[url]["sha256"])

    def __call__(self, url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The pyld loader protocol: a RemoteDocument for ``url``."""
        return {
            "contentType": "application/ld+json",
            "contextUrl": None,
            "documentUrl": url,
            "document": copy.deepcopy(self.load(url)),
        }


def _strip_fragment(url: str) -> str:
    return url.split("#", 1)[0]


def context_urls(document: Mapping[str, Any]) -> list[str]:
    """The context URLs named at the top of a document (inline contexts are skipped)."""
    context = document.get("@context")
    items = context if isinstance(context, list) else [context]
    return [item for item in items if isinstance(item, str)]


def _options(loader: ContextLoader) -> dict[str, Any]:
    return {"documentLoader": loader, "contextResolver": loader.resolver}


def _unwrap(error: BaseException) -> InteropError | None:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, InteropError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _describe(error: jsonld.JsonLdError) -> str:
    parts: list[str] = []
    current: BaseException | None = error
    while isinstance(current, jsonld.JsonLdError):
        message = current.args[0] if current.args else str(current)
        parts.append(f"{message} ({current.code or current.type})")
        current = current.__cause__
    return "; ".join(parts)


class _BoundedRdfc(URDNA2015):  # type: ignore[misc]  # pyld has no type hints
    """pyld's RDFC-1.0 (URDNA2015) with a budget on the permutations it tries."""

    def __init__(self, budget: int) -> None:
        super().__init__()
        self.budget = budget

    def create_hash_to_related(self, id_: str, issuer: Any) -> dict[str, list[str]]:
        related: dict[str, list[str]] = super().create_hash_to_related(id_, issuer)
        self.budget -= sum(math.factorial(min(len(group), 20)) for group in related.values())
        if self.budget < 0:
            raise TooComplex(
                "the document has too many blank nodes that look alike to be canonicalised"
            )
        return related


def _node_objects(value: Any) -> Iterator[tuple[Any, dict[str, Any]]]:
    """(node key, object) for every JSON object: objects with the same ``id`` share a key,
    within a scope; an object with its own ``@context`` (an embedded credential) opens a
    new scope, as its named graph does."""
    counter = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, list):
            stack.extend((element, where) for element in item)
        elif isinstance(item, dict):
            if "@context" in item:
                counter += 1
                where = counter
            ident = item.get("id")
            yield ((where, ident) if isinstance(ident, str) else id(item)), item
            stack.extend((element, where) for element in item.values())


def check_complexity(document: Mapping[str, Any]) -> None:
    """Raise :class:`TooComplex` when pyld would merge too many values into one property.

    pyld adds each value of a node's property with a linear scan of those before it, so
    many values of one property (a list, or objects sharing an ``id``) take quadratic time.
    """
    values: Counter[tuple[Any, str]] = Counter()
    for node, item in _node_objects(dict(document)):
        for key, value in item.items():
            values[(node, key)] += len(value) if isinstance(value, list) else 1
    if sum(count * count for count in values.values()) > _MAX_MERGE_WORK:
        raise TooComplex("the document has too many values of one property to be processed")


def _jsonld_call(action: Callable[[], Any]) -> Any:
    """Run a pyld call, turning its failures into InteropError or JsonLdProblem."""
    try:
        return action()
    except jsonld.JsonLdError as error:
        refused = _unwrap(error)
        if refused is not None:
            raise refused from None
        raise JsonLdProblem(_describe(error)) from None
    except RecursionError:
        raise JsonLdProblem("the document nests too deeply to be processed") from None
    except (InteropError, JsonLdProblem):
        raise
    except Exception as error:  # pyld raises plain errors on some malformed input
        raise JsonLdProblem(f"{type(error).__name__}: {error}") from None


def canonicalize(document: Mapping[str, Any], loader: ContextLoader) -> str:
    """RDF Dataset Canonicalization (RDFC-1.0, identical to URDNA2015) as N-Quads.

    Raises ``InteropError("UNKNOWN_CONTEXT")`` for a context the loader refuses,
    :class:`TooComplex` for a document that would take too long, and
    :class:`JsonLdProblem` for any other JSON-LD processing failure.
    """
    check_complexity(document)

    def run() -> str:
        dataset = jsonld.to_rdf(copy.deepcopy(dict(document)), _options(loader))
        canonical = _BoundedRdfc(_MAX_PERMUTATIONS).main(dataset, {"format": "application/n-quads"})
        assert isinstance(canonical, str)
        return canonical

    result: str = _jsonld_call(run)
    return result


def _defines_vocab(document: Mapping[str, Any], loader: ContextLoader) -> bool:
    context = document.get("@context")
    for item in context if isinstance(context, list) else [context]:
        body = loader.load(item) if isinstance(item, str) else item
        if isinstance(body, dict) and isinstance(body.get("@context"), dict):
            body = body["@context"]
        if isinstance(body, dict) and "@vocab" in body:
            return True
    return False


def inline_contexts(document: Mapping[str, Any]) -> list[str]:
    """Where the document defines terms itself (an ``@context`` that is not only URLs).

    An inline context can rename or hide a term without changing the signed RDF — move
    ``validUntil`` under another key, say — so a verifier accepts only contexts it knows.
    """
    found: list[str] = []
    for path, key, value in _keys(dict(document)):
        if key == "@context":
            items = value if isinstance(value, list) else [value]
            if not all(isinstance(item, str) for item in items):
                found.append(f"{path}@context")
    return found


def _keys(value: Any, path: str = "") -> Iterator[tuple[str, str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield path, key, item
            if key != "@context":
                yield from _keys(item, f"{path}{key}.")
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item, path)


def _unsafe_keys(document: Mapping[str, Any]) -> list[str]:
    """Keys that are not terms: keywords other than @context/@value/@language/@direction,
    and IRIs or compact IRIs (``https://…#validUntil``). Both carry signed data under a name
    other than the term a reader looks for."""
    return [
        f"{path}{key}"
        for path, key, _ in _keys(dict(document))
        if (key.startswith("@") and key not in _PLAIN_KEYWORDS) or ":" in key
    ]


def undefined_terms(document: Mapping[str, Any], loader: ContextLoader) -> list[str]:
    """Keys whose data no signature covers under the name a reader sees.

    Properties and types the document's contexts do not define are dropped by JSON-LD, so
    a verifier must refuse them (the Data Integrity "safe mode"); they are found by
    expanding once more with a sentinel ``@vocab`` after the document's own contexts
    (skipped when they define ``@vocab`` themselves, as then nothing is dropped). Keywords
    and IRIs used as keys are reported too: they hold signed data under another name.
    """
    found = sorted(set(_unsafe_keys(document)))
    if _defines_vocab(document, loader):
        return found
    probe = copy.deepcopy(dict(document))
    context = probe.get("@context")
    probe["@context"] = [
        *(context if isinstance(context, list) else [context]),
        {"@vocab": _SENTINEL},
    ]
    expanded = _jsonld_call(lambda: jsonld.expand(probe, _options(loader)))
    text = json.dumps(expanded)
    return sorted(set(found) | set(re.findall(re.escape(_SENTINEL) + r'([^"\s]+)', text)))
