"""The shape of the package, checked: no import cycle, no private name across modules.

Issue 16, item 6. Every module of ``creditbank/`` is parsed with :mod:`ast` (nothing is
imported) and its imports become edges of a graph: module-level imports, imports inside
functions and imports under ``if TYPE_CHECKING`` alike, relative imports resolved, an import
of a package counting as its ``__init__``. Importing ``a.b.c`` also runs the ``__init__`` of
``a.b`` (as Python does), except for packages that hold the importer, which are already
being imported when it runs (an import that names such a package, ``from a.b import name``
in ``a/b/c.py``, counts). A cycle in that graph means that which module works depends on
which one was imported first, and a lazy import "to avoid a cycle" only hides one: the test
lists every module in a cycle, each with one shortest cycle through it and the lines of its
imports.

A name that starts with ``_`` is private to its module: what another module needs gets a
public name in the module that owns it. The test lists every ``from x import _name``,
every ``x._name`` on an imported creditbank module, and every import of a private module
(``_version``) from outside its package.
"""

from __future__ import annotations

import ast
import functools
import itertools
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import creditbank

PACKAGE = Path(creditbank.__file__).resolve().parent

ALLOWED_CYCLE_IMPORTS: set[tuple[str, str]] = set()
"""Imports (importer, imported module) whose edges are left out of the graph: each closes a
cycle whose removal belongs to other work. Empty this once that work has landed."""


@dataclass(frozen=True)
class Import:
    """One module named by one import statement of another."""

    importer: str
    target: str
    line: int
    names: tuple[str, ...] = ()
    """The names taken from ``target`` (``from target import a, b``), not submodules."""


def modules(package: Path) -> dict[str, Path]:
    """Dotted name -> file of every module of the package whose directory is ``package``."""
    found: dict[str, Path] = {}
    for path in sorted(package.rglob("*.py")):
        parts = [package.name, *path.relative_to(package).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


@functools.cache
def _parsed(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), str(path))


def _is_package(name: str, known: dict[str, Path]) -> bool:
    return known[name].name == "__init__.py"


def _owner(name: str, known: dict[str, Path]) -> str | None:
    """The module ``name`` is, or the innermost module it is inside of (``a.b.attr``)."""
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def imports(package: Path) -> Iterator[Import]:
    """Every import of a module of the package by a module of the package."""
    known = modules(package)
    for importer, path in known.items():
        here = importer if _is_package(importer, known) else importer.rpartition(".")[0]
        tree = _parsed(path)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if (target := _owner(alias.name, known)) is not None:
                        yield Import(importer, target, node.lineno)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = here.split(".")[: len(here.split(".")) - node.level + 1]
                    base = ".".join([*up, *([node.module] if node.module else [])])
                if (owner := _owner(base, known)) is None:
                    continue
                names: list[str] = []
                for alias in node.names:
                    if f"{base}.{alias.name}" in known:
                        yield Import(importer, f"{base}.{alias.name}", node.lineno)
                    else:
                        names.append(alias.name)
                if names:
                    yield Import(importer, owner, node.lineno, tuple(names))


def _ancestors(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def graph(package: Path, allowed: Iterable[tuple[str, str]] = ()) -> dict[str, dict[str, Import]]:
    """importer -> {module it runs -> the import that runs it}, without ``allowed`` imports."""
    known = modules(package)
    skip = set(allowed)
    edges: dict[str, dict[str, Import]] = {name: {} for name in known}
    for found in imports(package):
        if (found.importer, found.target) in skip:
            continue
        running = set(_ancestors(found.importer))
        implied = [p for p in _ancestors(found.target) if p in known and p not in running]
        for target in [*implied, found.target]:
            if target != found.importer:
                edges[found.importer].setdefault(target, found)
    return edges


def _components(edges: dict[str, dict[str, Import]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return sorted(found)


def _shortest_cycle(edges: dict[str, dict[str, Import]], start: str) -> list[str]:
    """start, …, start: the fewest imports that lead from ``start`` back to it."""
    came: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for child in sorted(edges[node]):
            if child == start:
                path = [node]
                while path[-1] != start:
                    path.append(came[path[-1]])
                return [start, *reversed(path[:-1]), start]
            if child not in came:
                came[child] = node
                queue.append(child)
    return []  # pragma: no cover - a module of a component is on a cycle


def cycles(package: Path, allowed: Iterable[tuple[str, str]] = ()) -> list[str]:
    """Each module on an import cycle: one shortest cycle through it, with its import lines."""
    edges = graph(package, allowed)
    known = modules(package)
    root = package.parent
    lines: list[str] = []
    for component in _components(edges):
        seen: set[tuple[str, ...]] = set()
        for member in component:
            cycle = _shortest_cycle(edges, member)
            ring = cycle[:-1]
            turn = ring.index(min(ring))
            key = tuple(ring[turn:] + ring[:turn])
            if key in seen:
                continue
            seen.add(key)
            steps = []
            for a, b in itertools.pairwise(cycle):
                where = f"{known[a].relative_to(root)}:{edges[a][b].line}"
                steps.append(f"{a} ({where}, imports {edges[a][b].target})")
            lines.append(" -> ".join([*steps, cycle[-1]]))
    return lines


def private_names(package: Path) -> list[str]:
    """Every private name (or private module) one module of the package takes from another."""
    known = modules(package)
    root = package.parent
    found: list[str] = []

    def private(name: str) -> bool:
        return name.startswith("_") and not name.startswith("__")

    for item in imports(package):
        where = f"{known[item.importer].relative_to(root)}:{item.line}"
        for name in item.names:
            if private(name):
                found.append(f"{where}: from {item.target} import {name}")
        owner = item.target
        while owner:
            owner, _, last = owner.rpartition(".")
            inside = item.importer == owner or item.importer.startswith(owner + ".")
            if private(last) and not inside:
                found.append(f"{where}: imports the private module {item.target}")
    for importer, path in known.items():
        tree = _parsed(path)
        bound: dict[str, str] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] == package.name:
                        name = alias.asname or alias.name.split(".")[0]
                        bound[name] = alias.name if alias.asname else package.name
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    if f"{node.module}.{alias.name}" in known:
                        bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Attribute) and private(node.attr)):
                continue
            chain: list[str] = []
            value: ast.expr = node.value
            while isinstance(value, ast.Attribute):
                chain.append(value.attr)
                value = value.value
            if not isinstance(value, ast.Name) or value.id not in bound:
                continue
            module = ".".join([bound[value.id], *reversed(chain)])
            if module in known and module != importer:
                where = f"{path.relative_to(root)}:{node.lineno}"
                found.append(f"{where}: {module}.{node.attr}")
    return sorted(set(found))


# ------------------------------------------------------------------ creditbank itself


def test_no_import_cycle_in_creditbank() -> None:
    found = cycles(PACKAGE, ALLOWED_CYCLE_IMPORTS)
    assert not found, "import cycles:\n" + "\n".join(found)


def test_every_allowed_cycle_import_still_exists_and_still_closes_a_cycle() -> None:
    """An allow-list entry the code no longer needs must go, or it would hide a new cycle."""
    present = {(i.importer, i.target) for i in imports(PACKAGE)}
    assert present >= ALLOWED_CYCLE_IMPORTS, sorted(ALLOWED_CYCLE_IMPORTS - present)
    for entry in sorted(ALLOWED_CYCLE_IMPORTS):
        assert cycles(PACKAGE, ALLOWED_CYCLE_IMPORTS - {entry}), f"{entry} closes no cycle"


def test_no_private_name_crosses_a_module_of_creditbank() -> None:
    found = private_names(PACKAGE)
    assert not found, "private names used outside their module:\n" + "\n".join(found)


def test_no_top_level_batch_module() -> None:
    """Issue 16, item 2: the batch is one package, ``creditbank/batch/``."""
    assert sorted(p.name for p in PACKAGE.glob("batch*.py")) == []
    assert (PACKAGE / "batch" / "__init__.py").is_file()


# ------------------------------------------------------------------ the checks, checked


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "pkg"


@pytest.fixture
def tangled(tmp_path: Path) -> Path:
    """A package with each kind of cycle the test must see, and imports that are not one."""
    return _tree(
        tmp_path,
        {
            "pkg/__init__.py": "from pkg.top import run\n",
            # pkg runs pkg.top; pkg.util importing pkg.top (which runs pkg, already running
            # when pkg.util runs) is no cycle
            "pkg/top.py": "def run():\n    pass\n",
            "pkg/util.py": "from pkg import top\nimport pkg.top\n",
            # a module-level edge one way and a function-level relative import back
            "pkg/a.py": "from pkg.b import B\n",
            "pkg/b.py": "B = 1\ndef later():\n    from .a import _helper\n",
            # a TYPE_CHECKING import closes a cycle too
            "pkg/c.py": (
                "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.d import D\n"
            ),
            "pkg/d.py": "import pkg.c\nD = pkg.c._secret\n",
            # importing pkg.sub.x runs pkg/sub/__init__, which imports e
            "pkg/sub/__init__.py": "from pkg.e import E\n",
            "pkg/sub/x.py": "X = 1\n",
            "pkg/e.py": "from pkg.sub.x import X\nE = X\n",
            # a package's own module taking a name from the package while it is imported
            "pkg/g/__init__.py": "from pkg.g.h import H\nG = 1\n",
            "pkg/g/h.py": "from pkg.g import G\nH = 1\n",
            # a private module: its package may import it, no module outside may
            "pkg/_private.py": "P = 1\n",
            "pkg/sub/y.py": "from pkg import _private\n",
            "pkg/sub/_inner.py": "Q = 1\n",
            "pkg/f.py": "from pkg.sub._inner import Q\nimport pkg.sub._inner as inner\n",
        },
    )


def test_cycles_of_every_kind_are_found(tangled: Path) -> None:
    found = cycles(tangled)
    assert len(found) == 4, found
    assert (
        "pkg.a (pkg/a.py:1, imports pkg.b) -> pkg.b (pkg/b.py:3, imports pkg.a) -> pkg.a" in found
    )
    assert any(line.startswith("pkg.c (pkg/c.py:3") for line in found)
    assert any("pkg.e (pkg/e.py:1, imports pkg.sub.x) -> pkg.sub (" in line for line in found)
    own = "pkg.g (pkg/g/__init__.py:1, imports pkg.g.h) -> pkg.g.h (pkg/g/h.py:1, imports pkg.g)"
    assert f"{own} -> pkg.g" in found
    assert all("pkg.top" not in line and "pkg.util" not in line for line in found), found


def test_an_allowed_import_leaves_its_cycle_out(tangled: Path) -> None:
    assert len(cycles(tangled, {("pkg.b", "pkg.a")})) == 3
    assert len(cycles(tangled, {("pkg.b", "pkg.a"), ("pkg.c", "pkg.d")})) == 2


def test_private_names_across_modules_are_found(tangled: Path) -> None:
    assert private_names(tangled) == [
        "pkg/b.py:3: from pkg.a import _helper",
        "pkg/d.py:2: pkg.c._secret",
        "pkg/f.py:1: imports the private module pkg.sub._inner",
        "pkg/f.py:2: imports the private module pkg.sub._inner",
    ]
