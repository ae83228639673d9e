"""The public API is exactly ``creditbank.__all__``: explicit, sorted, importable."""

from __future__ import annotations

import importlib
import pkgutil

import creditbank


def test_all_is_sorted_and_unique() -> None:
    names = [n for n in creditbank.__all__ if n != "__version__"]
    assert names == sorted(names, key=lambda n: (not n.isupper(), n))
    assert len(set(creditbank.__all__)) == len(creditbank.__all__)


def test_every_name_in_all_exists_and_is_public() -> None:
    for name in creditbank.__all__:
        assert hasattr(creditbank, name), name
        assert not name.startswith("_") or name == "__version__", name


def test_nothing_public_outside_all() -> None:
    exported = set(creditbank.__all__)
    modules = {m.name for m in pkgutil.iter_modules(creditbank.__path__)}
    # pytest rewrites asserts in the package of its plugin, adding @py_builtins etc.
    public = {n for n in vars(creditbank) if not n.startswith(("_", "@"))} - modules
    assert public <= exported, sorted(public - exported)


def test_every_submodule_imports_and_has_all() -> None:
    for info in pkgutil.walk_packages(creditbank.__path__, "creditbank."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        assert hasattr(module, "__all__") or info.ispkg, f"{info.name} lacks __all__"
        for name in getattr(module, "__all__", ()):
            assert hasattr(module, name), f"{info.name}.{name}"


def test_package_is_typed() -> None:
    from importlib import resources

    assert resources.files("creditbank").joinpath("py.typed").is_file()


def test_importing_creditbank_loads_neither_the_graph_nor_the_interop_stack() -> None:
    """`import creditbank` (and so every CLI start) stays as light as the engine: the names
    whose modules need networkx or the credential stack are imported on first use, and the
    service's web stack (installed with creditbank) only by `creditbank serve`."""
    import subprocess
    import sys

    code = (
        "import sys, creditbank\n"
        "heavy = [m for m in ('networkx', 'pyld', 'cryptography', 'joserfc',"
        " 'creditbank.interop', 'creditbank.graph', 'fastapi', 'starlette', 'uvicorn',"
        " 'creditbank.service') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
        "assert callable(creditbank.validate) and callable(creditbank.deposit_from_portfolio)\n"
        "assert 'validate' in dir(creditbank)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == ""


def test_a_lazy_name_wins_over_the_submodule_of_the_same_name() -> None:
    """`creditbank.suggest` and `creditbank.engine.evaluate` / `.eligibility` are functions,
    as the eager imports made them, even once their namesake submodules are imported."""
    import creditbank.engine

    for module in (
        "creditbank.suggest",
        "creditbank.engine.evaluate",
        "creditbank.engine.eligibility",
    ):
        importlib.import_module(module)
    assert callable(creditbank.suggest)
    assert creditbank.suggest.__module__ == "creditbank.engine.whatif"
    assert creditbank.engine.evaluate.__module__ == "creditbank.engine.evaluate"
    assert callable(creditbank.engine.evaluate)
    assert callable(creditbank.engine.eligibility)
    from creditbank.engine import eligibility, evaluate

    assert eligibility is creditbank.eligibility
    assert evaluate is creditbank.evaluate
