"""The Dask recipe of docs/scale.md gives what ``creditbank batch`` gives (an optional extra).

The test extra installs dask, so CI runs this; elsewhere, without dask, it is skipped.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from creditbank.batch import BatchResult, evaluate_partition, run_batch
from creditbank.synthetic import AS_OF, Scale, build_world, write_portfolios, write_standards

try:
    import dask
except ImportError:  # pragma: no cover - the test extra installs dask
    if os.environ.get("CI"):
        raise  # CI installs '.[test]', which includes dask: a missing dask is a failure there
    pytest.skip(
        "dask is not installed: pip install '.[dask]' to test the Dask recipe",
        allow_module_level=True,
    )


def _good(result: BatchResult) -> bool:
    return result.ok


def _line(result: BatchResult) -> str:
    return result.to_json()


@pytest.mark.parametrize("scheduler", ["synchronous", "processes"])
def test_dask_recipe_equals_the_local_batch(tmp_path: Path, scheduler: str) -> None:
    import dask.bag as db

    world = build_world(Scale.tiny(), seed=11, occupations_csv=None)
    standards = tmp_path / "standards"
    write_standards(world, standards)
    learners = write_portfolios(world, tmp_path / "learners.jsonl", 250, seed=11)
    local = tmp_path / "local.jsonl"
    run_batch(
        learners, local, standards=[standards], program_field="program", as_of=AS_OF, workers=1
    )

    # the recipe, as in docs/scale.md
    bag = db.read_text(str(learners), blocksize=16_000)
    assert bag.npartitions > 1
    results = bag.map_partitions(
        evaluate_partition, str(standards), program_field="program", as_of=AS_OF.isoformat()
    )
    lines = results.filter(_good).map(_line)
    with dask.config.set(scheduler=scheduler, num_workers=2):
        got = lines.compute()

    assert got == local.read_text(encoding="utf-8").splitlines()
