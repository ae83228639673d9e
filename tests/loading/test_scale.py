"""National scale, load path: the compiled cache and the fast reader never change a result.

The cache (``creditbank.loading.cache``) must give standards equal to a fresh load, never
serve standards of files that changed, were added, removed or renamed, and never trust an
entry it did not write. The fast reader (``yaml_reader._fast_build``) must give the same data
and, when asked, the same marks as the full reader on every YAML file the project has.
"""

from __future__ import annotations

import math
import os
import pickle
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import creditbank
from creditbank.loading import cache as cache_module
from creditbank.loading import loader as loader_module
from creditbank.loading import yaml_reader
from creditbank.loading.cache import StandardsCache, resolve_cache
from creditbank.synthetic import Scale, build_world, write_standards
from tests.paths import ROOT


@pytest.fixture(scope="module")
def world_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("synthetic") / "standards"
    write_standards(build_world(Scale.tiny(), seed=3, occupations_csv=None), directory)
    return directory


@pytest.fixture
def standards_dir(world_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the synthetic standards, free to change."""
    target = tmp_path / "standards"
    shutil.copytree(world_dir, target)
    return target


def _fresh(directory: Path) -> creditbank.Standards:
    return creditbank.load_standards(directory, cache=False)


def _no_full_load(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("loaded in full: the cache was not used")

    monkeypatch.setattr(loader_module, "load_documents", refuse)


def _same(a: creditbank.Standards, b: creditbank.Standards) -> None:
    assert a == b
    assert a.fingerprint() == b.fingerprint()
    assert dict(a.origins) == dict(b.origins)
    assert [str(o) for o in a.origins.values()] == [str(o) for o in b.origins.values()]


def test_cached_standards_equal_fresh_ones(
    standards_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "cache"
    first = creditbank.load_standards(standards_dir, cache=store)
    assert len(StandardsCache(store).entries()) == 1
    _no_full_load(monkeypatch)
    cached = creditbank.load_standards(standards_dir, cache=store)
    monkeypatch.undo()
    _same(cached, _fresh(standards_dir))
    _same(cached, first)
    program = next(iter(cached.programs))
    assert len(cached.rules) == Scale.tiny().rules and program in first.programs


def _edit_first(directory: Path, pattern: str, old: str, new: str) -> Path:
    for path in sorted(directory.rglob(pattern)):
        text = path.read_text(encoding="utf-8")
        if old in text:
            path.write_text(text.replace(old, new, 1), encoding="utf-8")
            return path
    raise AssertionError(f"{old!r} not found")


def test_a_changed_file_is_never_served_stale(standards_dir: Path, tmp_path: Path) -> None:
    store = tmp_path / "cache"
    before = creditbank.load_standards(standards_dir, cache=store)
    _edit_first(standards_dir, "rules/*.yaml", "credits: 3}", "credits: 2}")
    after = creditbank.load_standards(standards_dir, cache=store)
    assert after != before
    _same(after, _fresh(standards_dir))
    assert len(StandardsCache(store).entries()) == 2


def test_added_removed_and_renamed_files_change_the_key(
    standards_dir: Path, tmp_path: Path
) -> None:
    store = tmp_path / "cache"
    base = creditbank.load_standards(standards_dir, cache=store)
    extra = standards_dir / "units" / "extra.yaml"
    extra.write_text(
        "kind: units\nexample: true\nitems:\n  - {id: extra:unit, kind: other, name: extra}\n",
        encoding="utf-8",
    )
    added = creditbank.load_standards(standards_dir, cache=store)
    assert "extra:unit" in added.units and "extra:unit" not in base.units
    _same(added, _fresh(standards_dir))
    extra.unlink()
    _same(creditbank.load_standards(standards_dir, cache=store), base)
    (standards_dir / "caps.yaml").rename(standards_dir / "caps-renamed.yaml")
    renamed = creditbank.load_standards(standards_dir, cache=store)
    assert renamed == base  # same items, but they come from another file now
    assert {o.file for o in renamed.origins.values()} != {o.file for o in base.origins.values()}
    _same(renamed, _fresh(standards_dir))
    (standards_dir / "caps-renamed.yaml").unlink()
    removed = creditbank.load_standards(standards_dir, cache=store)
    assert not removed.caps and base.caps
    _same(removed, _fresh(standards_dir))


def test_standards_with_problems_are_not_cached(standards_dir: Path, tmp_path: Path) -> None:
    store = tmp_path / "cache"
    _edit_first(standards_dir, "rules/*.yaml", "requirement: electives", "requirement: nowhere")
    with pytest.raises(creditbank.LoadError):
        creditbank.load_standards(standards_dir, cache=store)
    assert not StandardsCache(store).entries()
    with pytest.raises(creditbank.LoadError):  # and the problems are reported again
        creditbank.load_standards(standards_dir, cache=store)


@pytest.mark.parametrize("damage", ["garbage", "flipped", "truncated", "other-key", "empty"])
def test_a_corrupt_entry_is_ignored_and_rebuilt(
    standards_dir: Path, tmp_path: Path, damage: str
) -> None:
    store = tmp_path / "cache"
    fresh = creditbank.load_standards(standards_dir, cache=store)
    [entry] = StandardsCache(store).entries()
    blob = entry.read_bytes()
    if damage == "garbage":
        entry.write_bytes(b"not a cache entry at all")
    elif damage == "flipped":
        entry.write_bytes(blob[:-100] + bytes([blob[-100] ^ 1]) + blob[-99:])
    elif damage == "truncated":
        entry.write_bytes(blob[: len(blob) // 2])
    elif damage == "other-key":  # a valid entry of other standards, renamed over this one
        other = standards_dir.parent / "other"
        other.mkdir()
        (other / "a.yaml").write_text(
            "kind: units\nexample: true\nitems: [{id: u, kind: other, name: u}]\n",
            encoding="utf-8",
        )
        creditbank.load_standards(other, cache=store)
        newest = StandardsCache(store).entries()[0]
        os.replace(newest, entry)
    else:
        entry.write_bytes(b"")
    again = creditbank.load_standards(standards_dir, cache=store)
    _same(again, fresh)
    cache = StandardsCache(store)
    assert cache.get(cache.key(*_key_args(standards_dir))) is not None  # rebuilt, valid


def _key_args(directory: Path) -> tuple[Any, Any]:
    files, problems = loader_module.discover_files([directory])
    assert not problems
    return files, creditbank.Limits()


class _Boom:
    """Unpickling this would leave a file behind: the cache must never unpickle it."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (Path.write_text, (Path(self.marker), "pwned"))


def test_an_entry_creditbank_did_not_write_is_never_unpickled(
    standards_dir: Path, tmp_path: Path
) -> None:
    store = tmp_path / "cache"
    fresh = creditbank.load_standards(standards_dir, cache=store)
    [entry] = StandardsCache(store).entries()
    marker = tmp_path / "marker"
    payload = pickle.dumps(_Boom(str(marker)))
    magic = cache_module._MAGIC
    entry.write_bytes(magic + b"\0" * 32 + payload)  # right magic, wrong HMAC
    again = creditbank.load_standards(standards_dir, cache=store)
    assert not marker.exists()
    _same(again, fresh)


def test_environment_chooses_or_disables_the_cache(
    standards_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "env-cache"
    monkeypatch.setenv("CREDITBANK_CACHE_DIR", str(store))
    monkeypatch.delenv("CREDITBANK_NO_CACHE", raising=False)
    chosen = resolve_cache(None)
    assert chosen is not None and chosen.directory == store
    creditbank.load_standards(standards_dir, cache=True)
    assert StandardsCache(store).entries()
    monkeypatch.setenv("CREDITBANK_NO_CACHE", "1")
    assert resolve_cache(None) is None
    assert resolve_cache(False) is None
    assert resolve_cache(tmp_path / "x") is not None


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_a_directory_others_may_write_to_is_not_used(standards_dir: Path, tmp_path: Path) -> None:
    store = tmp_path / "shared"
    store.mkdir()
    store.chmod(0o777)
    creditbank.load_standards(standards_dir, cache=store)
    assert not StandardsCache(store).entries()


def test_prune_keeps_the_newest_entries(standards_dir: Path, tmp_path: Path) -> None:
    store = StandardsCache(tmp_path / "cache", max_entries=2)
    standards = _fresh(standards_dir)
    for key in ("a" * 64, "b" * 64, "c" * 64):
        assert store.put(key, standards)
    names = [p.name for p in store.entries()]
    assert len(names) == 2 and not any("a" * 64 in n for n in names)
    assert store.get("c" * 64) == standards
    assert store.clear() == 2


def test_standards_pickle_without_their_derived_values(standards_dir: Path) -> None:
    standards = _fresh(standards_dir)
    from creditbank.engine.index import rule_index

    rule_index(standards)
    copy = pickle.loads(pickle.dumps(standards))
    _same(copy, standards)
    assert copy._caches == {}


# ------------------------------------------------------------------ the fast reader


def _yaml_files() -> list[Path]:
    found = []
    for folder in ("standards", "examples", "tests/cases"):
        found += sorted(
            p for p in (ROOT / folder).rglob("*") if p.suffix in (".yaml", ".yml", ".json")
        )
    return found


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return a.as_tuple() == b.as_tuple()
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def _full_only(monkeypatch: pytest.MonkeyPatch) -> None:
    def slow(*args: Any, **kwargs: Any) -> Any:
        raise yaml_reader._Slow

    monkeypatch.setattr(yaml_reader, "_fast_build", slow)


def test_fast_reader_gives_the_full_readers_data_and_marks(
    monkeypatch: pytest.MonkeyPatch, world_dir: Path
) -> None:
    files = _yaml_files() + sorted(world_dir.rglob("*.yaml"))[:6]
    assert len(files) > 80
    fast_used = 0
    for path in files:
        fast, fast_problems = yaml_reader.read_yaml_file(path)
        with monkeypatch.context() as patch:
            _full_only(patch)
            full, full_problems = yaml_reader.read_yaml_file(path)
        assert fast_problems == full_problems, path
        assert (fast is None) == (full is None), path
        if fast is None or full is None:
            continue
        fast_used += fast._remark is not None
        assert _equal(fast.data, full.data), path
        assert fast.replaced == full.replaced, path
        for path_key in list(full.value_marks)[:200]:  # shallow questions first: no re-read
            if len(path_key) <= 2:
                assert fast.where(path_key) == full.where(path_key), (path, path_key)
        assert fast.value_marks == full.value_marks, path
        assert fast.key_marks == full.key_marks, path
    assert fast_used > 60  # the fast reader really read most files


def test_a_deep_location_reads_the_marks_again(tmp_path: Path) -> None:
    text = "kind: rules\nitems:\n  - id: a\n    when: {units: [x], level: {at_least: 3}}\n"
    doc, problems = yaml_reader.read_yaml_text(text, "r.yaml")
    assert doc is not None and not problems
    assert doc._remark is not None and doc.where(("items", 0)) == (3, 5)
    assert doc._remark is not None  # shallow: answered from the marks it kept
    assert doc.where(("items", 0, "when", "level", "at_least")) == (4, 42)
    assert doc._remark is None


def test_compacted_standards_are_equal_and_share_their_parts(standards_dir: Path) -> None:
    report = creditbank.load_documents([standards_dir], portfolios=False)
    assert report.standards is not None and not report.problems
    plain = report.standards
    compacted = _fresh(standards_dir)  # load_standards shares equal parts
    _same(compacted, plain)
    for a, b in zip(compacted, plain, strict=True):
        assert a.model_dump() == b.model_dump() and a.model_fields_set == b.model_fields_set
    grades = {
        id(rule.then.recorded_grade)
        for rule in compacted.rules.values()
        if rule.then.kind == "exempt_courses"
    }
    assert len(grades) < 5 < sum(r.then.kind == "exempt_courses" for r in compacted.rules.values())
