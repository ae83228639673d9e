"""Synthetic national-scale standards and learner portfolios, deterministic from a seed.

For benchmarks and tests of the load, evaluation and batch paths at the size of a country:
about 1,600 occupations with their levels, 750 programmes of 40 courses at 150 schools,
100,000 conversion rules, and a stream of learner portfolios (1–20 achievements each: skill
certificates, 1+X certificates, training, awards and earlier courses; some expired, some
duplicated). Everything is marked ``example: true``: none of it is official.

Occupation codes and names come from the 2022 classification (``csco22.csv``, see
``../shared/data/README.md`` next to the repository) when that file is present, read at run
time and never copied; otherwise they are invented (``9-xx-xx-xx``, ``职业 0001``).

>>> world = build_world(Scale.tiny(), seed=1, occupations_csv=None)
>>> len(world.rules), len(world.programs)
(300, 4)
>>> record = next(portfolios(world, 1, seed=1))
>>> record["learner"], 1 <= len(record["achievements"]) <= 20
('syn-1-0000000', True)
"""

from creditbank.synthetic.world import (
    AS_OF,
    Scale,
    World,
    build_world,
    default_occupations_csv,
    portfolios,
    write_portfolios,
    write_standards,
)

__all__ = [
    "AS_OF",
    "Scale",
    "World",
    "build_world",
    "default_occupations_csv",
    "portfolios",
    "write_portfolios",
    "write_standards",
]
