"""A cache of validated standards, keyed by the content of every file, so a start is fast.

Loading national-scale standards (100,000 rules) means parsing tens of megabytes of YAML,
validating every item and checking every reference: the slowest part of a start, and the
same work every time (``benchmarks/RESULTS.md`` compares the two). Standards never change
unless their files do, so :func:`~creditbank.loading.load_standards` keeps what it
built in a cache directory and, next time, only reads the files to hash them.

**Key.** SHA-256 over: this format's version, the creditbank version, the Python and
pydantic versions, the source of creditbank's models and loader, the limits, and for every
file found (in order) its layer (which of the paths given it was found under: layers may
override each other's items), the name it is shown by and the SHA-256 of its bytes. A changed,
added, removed, renamed or re-layered file, or another creditbank, gives another key: nothing
stale is served.
Only standards that loaded without a problem are cached; files are hashed again after the
load and nothing is stored if they changed meanwhile.

**Entries.** ``<dir>/standards-<key>.pickle``: a magic line, an HMAC-SHA256 of the payload
under a random key kept in ``<dir>/hmac.key`` (created 0600), then the payload (a pickle of
the standards and the key it was stored under). An entry whose magic, HMAC, key or pickle is
wrong is ignored, deleted and rebuilt: it is never unpickled unless creditbank wrote it.
Writes go to a temporary file renamed into place, so readers never see half an entry. The
directory keeps the ``MAX_ENTRIES`` most recently used entries. By default only loads that
took ``MIN_SECONDS`` or more are stored (small standards load faster than a cache entry is
written); an explicit ``cache=True`` or directory stores every load.

**Where.** ``$CREDITBANK_CACHE_DIR``, else the user cache directory
(``$XDG_CACHE_HOME/creditbank`` or ``~/.cache/creditbank``; ``~/Library/Caches/creditbank``
on macOS; ``%LOCALAPPDATA%\\creditbank`` on Windows). ``CREDITBANK_NO_CACHE=1``, or
``cache=False`` / ``--no-cache``, turns it off. A directory that is not the user's own, or
is writable by others, is not used. The cache never makes a load fail: any error reading or
writing it just means a full load.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import os
import pickle
import platform
import secrets
import stat
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pydantic
import pydantic_core

from creditbank._version import __version__
from creditbank.errors import FileError
from creditbank.fileio import read_bytes, write_atomic
from creditbank.loading.yaml_reader import Limits
from creditbank.models import Standards

__all__ = [
    "CACHE_DIR_ENV",
    "FORMAT",
    "MAX_ENTRIES",
    "MIN_SECONDS",
    "NO_CACHE_ENV",
    "StandardsCache",
    "default_cache_dir",
    "resolve_cache",
]

CACHE_DIR_ENV = "CREDITBANK_CACHE_DIR"
NO_CACHE_ENV = "CREDITBANK_NO_CACHE"
FORMAT = "creditbank-standards-cache/1"
MAX_ENTRIES = 8
MIN_SECONDS = 0.5
"""By default only standards that took at least this long to load are stored."""
_MAGIC = b"CREDITBANK-STANDARDS-CACHE 1\n"
_KEY_FILE = "hmac.key"
_PREFIX, _SUFFIX = "standards-", ".pickle"
_SOURCES = ("models", "loading")


def default_cache_dir() -> Path:
    """``$CREDITBANK_CACHE_DIR``, else the user's cache directory for creditbank."""
    explicit = os.environ.get(CACHE_DIR_ENV)
    if explicit:
        return Path(explicit).expanduser()
    if sys.platform == "win32":  # pragma: no cover - not run on the CI
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":  # pragma: no cover - not run on the CI
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "creditbank"


def resolve_cache(cache: bool | str | os.PathLike[str] | None) -> StandardsCache | None:
    """The cache a load should use: ``None`` means the default (the default directory, for
    loads of ``MIN_SECONDS`` or more; off when ``$CREDITBANK_NO_CACHE`` is set), ``False``
    none, ``True`` the default directory, a path that directory."""
    if cache is False:
        return None
    if cache is None or cache is True:
        if cache is None and os.environ.get(NO_CACHE_ENV, "").strip() not in ("", "0"):
            return None
        return StandardsCache(
            default_cache_dir(), min_seconds=MIN_SECONDS if cache is None else 0.0
        )
    return StandardsCache(Path(cache))


@functools.cache
def _code_digest() -> str:
    """Versions and the source of the code that decides what a loaded standard is."""
    digest = hashlib.sha256()
    for part in (
        FORMAT,
        __version__,
        platform.python_implementation(),
        ".".join(map(str, sys.version_info[:2])),
        pydantic.VERSION,
        pydantic_core.__version__,
    ):
        digest.update(part.encode() + b"\0")
    package = Path(__file__).resolve().parent.parent
    sources = [package / "errors.py", package / "_version.py"]
    for folder in _SOURCES:
        sources += sorted((package / folder).glob("*.py"))
    for source in sources:
        digest.update(source.name.encode() + b"\0")
        with contextlib.suppress(OSError):
            digest.update(hashlib.sha256(source.read_bytes()).digest())
    return digest.hexdigest()


class StandardsCache:
    """Validated standards on disk, keyed by the content of their files."""

    def __init__(
        self, directory: Path | str, *, max_entries: int = MAX_ENTRIES, min_seconds: float = 0.0
    ) -> None:
        self.directory = Path(directory)
        self.max_entries = max_entries
        self.min_seconds = min_seconds
        """Loads quicker than this are not worth storing."""

    def __repr__(self) -> str:
        return f"StandardsCache({str(self.directory)!r})"

    # ------------------------------------------------------------------ keys
    def key(
        self,
        files: Sequence[tuple[Path, str]],
        limits: Limits,
        layers: Sequence[int] | None = None,
    ) -> str | None:
        """The key of standards read from ``files`` (path, shown name), each in its layer
        (all in one layer when ``layers`` is None); None if unreadable."""
        digest = hashlib.sha256(_code_digest().encode())
        digest.update(repr(limits).encode() + b"\0")
        for position, (path, name) in enumerate(files):
            try:
                content = read_bytes(path, limits.max_bytes)
            except FileError:  # the load reports it (too large, gone, not a file …)
                return None
            layer = layers[position] if layers is not None else 0
            digest.update(f"{layer}\0".encode())
            digest.update(name.encode("utf-8", "surrogateescape") + b"\0")
            digest.update(hashlib.sha256(content).digest())
        return digest.hexdigest()

    def path_of(self, key: str) -> Path:
        return self.directory / f"{_PREFIX}{key}{_SUFFIX}"

    # ------------------------------------------------------------- security
    def _usable_directory(self, create: bool) -> bool:
        """The directory exists (or is made, 0700), is ours, and only we may write to it."""
        try:
            if create:
                self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            info = self.directory.stat()
        except OSError:
            return False
        if not stat.S_ISDIR(info.st_mode):
            return False
        if not hasattr(os, "getuid"):  # pragma: no cover - Windows: ACLs, not modes
            return True
        shared = info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
        return info.st_uid == os.getuid() and not shared

    def _secret(self, create: bool) -> bytes | None:
        path = self.directory / _KEY_FILE
        try:
            secret = path.read_bytes()
            if len(secret) == 32:
                return secret
            if not create:
                return None
            path.unlink()
        except FileNotFoundError:
            if not create:
                return None
        except OSError:
            return None
        secret = secrets.token_bytes(32)
        try:
            handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first: use theirs
            return self._secret(create=False)
        except OSError:
            return None
        with os.fdopen(handle, "wb") as out:
            out.write(secret)
        return secret

    # ------------------------------------------------------------ get / put
    def get(self, key: str) -> Standards | None:
        """The standards stored under ``key``, or None (a bad entry is deleted)."""
        path = self.path_of(key)
        if not path.is_file() or not self._usable_directory(create=False):
            return None
        secret = self._secret(create=False)
        if secret is None:
            return None
        try:
            blob = path.read_bytes()
        except OSError:
            return None
        standards = _decode(blob, key, secret)
        if standards is None:
            with contextlib.suppress(OSError):
                path.unlink()
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # most recently used
        return standards

    def put(self, key: str, standards: Standards) -> bool:
        """Store ``standards`` under ``key``; False (and nothing written) if not possible."""
        if not self._usable_directory(create=True):
            return False
        secret = self._secret(create=True)
        if secret is None:
            return False
        standards.fingerprint()  # computed once, stored with them
        try:
            payload = pickle.dumps({"key": key, "standards": standards}, protocol=5)
        except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
            return False
        mac = hmac.new(secret, payload, hashlib.sha256).digest()
        try:
            write_atomic(self.path_of(key), _MAGIC + mac + payload)
        except FileError:
            return False
        self.prune()
        return True

    def entries(self) -> list[Path]:
        """Entry files, most recently used first."""
        try:
            found = [
                (p.stat().st_mtime, p)
                for p in self.directory.iterdir()
                if p.name.startswith(_PREFIX) and p.name.endswith(_SUFFIX)
            ]
        except OSError:
            return []
        return [p for _, p in sorted(found, key=lambda e: (-e[0], e[1].name))]

    def prune(self) -> None:
        """Keep the ``max_entries`` most recently used entries."""
        for stale in self.entries()[self.max_entries :]:
            with contextlib.suppress(OSError):
                stale.unlink()

    def clear(self) -> int:
        """Delete every entry; returns how many."""
        removed = 0
        for entry in self.entries():
            with contextlib.suppress(OSError):
                entry.unlink()
                removed += 1
        return removed


def _decode(blob: bytes, key: str, secret: bytes) -> Standards | None:
    """The standards in an entry, only if its magic, HMAC and key are right."""
    head = len(_MAGIC) + 32
    if len(blob) < head or not blob.startswith(_MAGIC):
        return None
    mac, payload = blob[len(_MAGIC) : head], blob[head:]
    if not hmac.compare_digest(mac, hmac.new(secret, payload, hashlib.sha256).digest()):
        return None
    try:
        # the HMAC proves creditbank wrote this payload with this directory's secret
        data: Any = pickle.loads(payload)
    except Exception:
        return None
    if not isinstance(data, dict) or data.get("key") != key:
        return None
    standards = data.get("standards")
    return standards if isinstance(standards, Standards) else None
