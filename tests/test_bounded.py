"""The memos' one dict type never holds more than its bound, and returns what was stored in
it for as long as it holds it, however entries are added."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creditbank.bounded import MEMO_BOUND, BoundedDict

_KEYS = st.integers(0, 12)
_OPS = st.lists(
    st.one_of(
        st.tuples(st.just("set"), _KEYS, st.integers()),
        st.tuples(st.just("setdefault"), _KEYS, st.integers()),
        st.tuples(st.just("update"), st.dictionaries(_KEYS, st.integers(), max_size=5)),
        st.tuples(st.just("ior"), st.dictionaries(_KEYS, st.integers(), max_size=5)),
    ),
    max_size=60,
)


@given(bound=st.integers(1, 8), ops=_OPS)
def test_never_above_its_bound_and_holds_what_was_stored(
    bound: int, ops: list[tuple[object, ...]]
) -> None:
    memo: BoundedDict[int, int] = BoundedDict(bound)
    stored: dict[int, int] = {}  # the last value written under each key
    for op in ops:
        if op[0] == "set":
            _, key, value = op
            assert isinstance(key, int) and isinstance(value, int)
            memo[key] = value
            stored[key] = value
            assert memo[key] == value  # the entry just written is held
        elif op[0] == "setdefault":
            _, key, value = op
            assert isinstance(key, int) and isinstance(value, int)
            held = key in memo
            got = memo.setdefault(key, value)
            if not held:
                stored[key] = value
            assert got == stored[key] == memo[key]
        else:
            _, items = op
            assert isinstance(items, dict)
            if op[0] == "update":
                memo.update(items)
            else:
                memo |= items
            stored.update(items)
        assert len(memo) <= bound
        assert all(memo[key] == stored[key] for key in memo)  # nothing stale, nothing made up
        assert type(memo) is BoundedDict and memo.bound == bound


def test_a_full_memo_is_emptied_before_a_new_key_only() -> None:
    memo: BoundedDict[str, int] = BoundedDict(2)
    memo["a"], memo["b"] = 1, 2
    memo["b"] = 20  # a key it holds: replaced in place
    assert memo == {"a": 1, "b": 20}
    memo["c"] = 3
    assert memo == {"c": 3}


def test_a_bound_holds_something() -> None:
    with pytest.raises(ValueError, match="holds nothing"):
        BoundedDict(0)
    assert BoundedDict().bound == MEMO_BOUND


def test_pickles_with_its_bound() -> None:
    memo: BoundedDict[str, int] = BoundedDict(3)
    memo.update(a=1, b=2)
    copy = pickle.loads(pickle.dumps(memo))
    assert copy == memo and copy.bound == 3 and type(copy) is BoundedDict
