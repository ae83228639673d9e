"""Shared helpers of the interop tests: fixture paths, a key, a loader whose fetch refuses (the
network block itself is `tests/network.py`), and a ledger with the learner's account (a fixture: a
test file imports it and lists it in ``__all__``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from creditbank.interop.jsonld import ContextLoader
from creditbank.ledger import Actor, Ledger
from creditbank.models import Standards
from tests.network import NetworkUsed
from tests.paths import ROOT

FIXTURES = ROOT.parent / "shared" / "fixtures" / "interop"
NOW = dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC)
KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
OTHER_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
LEARNER = Actor(id="w-1", role="learner")

SAMPLE_KEYS = {
    # The keys 1EdTech's samples name in their verification methods' fragments. A key named
    # only by the credential itself binds nothing to its issuer, so a verifier pins it.
    "https://example.com/issuers/876543": [
        "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi",  # ob30/simple.json
        "z6MkvREVgsHx7Ppae68vCoByy73ZD4aMSJiPML2cryVL8JAx",  # inside clr20/simple.json
    ],
    "https://example.edu/issuers/565049": [
        "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi",  # clr20/simple.json
    ],
}
"""The whitelist that trusts the 1EdTech samples' issuers with their keys."""

NEGATIVE_SAMPLES = [
    ("simple-err-context.json", "BAD_CONTEXT"),
    ("simple-err-expired.json", "EXPIRED"),
    ("simple-err-issuer.json", "ISSUER_MISSING"),
    ("simple-err-proof-value.json", "BAD_SIGNATURE"),
]
"""The 1EdTech negative samples (``ob30/simple-err-*.json``) and the reason each fails."""

needs_fixtures = pytest.mark.skipif(
    not FIXTURES.is_dir(),
    reason=f"the shared interop fixtures are not at {FIXTURES} (../shared/fixtures/interop)",
)


def refuse_fetch(url: str) -> bytes:
    raise NetworkUsed(f"a fetch of {url} was attempted")


def strict_loader() -> ContextLoader:
    """A loader that may fetch — but whose fetch raises: proves no fetch happens."""
    return ContextLoader(allow_network=True, fetch=refuse_fetch)


def fixture(*parts: str) -> Path:
    return FIXTURES.joinpath(*parts)


def sample_issuers_yaml() -> str:
    """The ``issuers:`` section of a mapping file pinning :data:`SAMPLE_KEYS`."""
    lines = ["issuers:"]
    for issuer, keys in SAMPLE_KEYS.items():
        lines += [f"  '{issuer}':", f"    keys: [{', '.join(keys)}]"]
    return "\n".join(lines) + "\n"


@pytest.fixture
def ledger(tmp_path: Path, standards: Standards) -> Iterator[Ledger]:
    """A ledger in ``tmp_path / "bank.db"`` (where a test's CLI calls find it) over the
    bundled standards, with the account of learner ``w-1``."""
    with Ledger.open(tmp_path / "bank.db", standards, create=True) as opened:
        opened.open_account("w-1", actor=LEARNER, key="open-w-1")
        yield opened
