"""Exporting an evaluation as Open Badges / CLR: a signed export verifies with the importer."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest

from creditbank import evaluate, load_portfolio
from creditbank.engine import Evaluation
from creditbank.interop.export import evaluation_clr, evaluation_credentials
from creditbank.interop.keys import did_key, multibase_from_public_key
from creditbank.interop.openbadges import BadgeMapping, import_badge_text
from creditbank.interop.verify import verify_credential
from creditbank.models import Standards
from tests.interop.helpers import KEY, strict_loader
from tests.paths import ROOT

AS_OF = dt.date(2026, 11, 29)
NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


pytestmark = pytest.mark.usefixtures("no_network")


@pytest.fixture(scope="module")
def evaluation(standards: Standards) -> Evaluation:
    portfolio = load_portfolio(
        ROOT / "examples/portfolios/demo-worker-001-electrician.yaml", standards
    )
    return evaluate(standards, portfolio, "demo-college:460301", AS_OF)


def test_a_signed_clr_export_verifies(standards: Standards, evaluation: Evaluation) -> None:
    clr = evaluation_clr(evaluation, standards, key=KEY, loader=strict_loader())
    result = verify_credential(clr, loader=strict_loader(), now=NOW)
    assert result.verified and result.key_source == "did:key", result.message
    assert clr["issuer"]["id"] == did_key(KEY.public_key())
    embedded = clr["credentialSubject"]["verifiableCredential"]
    assert len(embedded) == len(evaluation.uses()) > 0
    assert all(verify_credential(c, now=NOW).verified for c in embedded)


def test_the_importer_maps_a_signed_export_back_to_the_courses(
    standards: Standards, evaluation: Evaluation
) -> None:
    issuer = "https://college.example/issuer"
    clr = evaluation_clr(evaluation, standards, key=KEY, issuer=issuer)
    assert clr["proof"][0]["verificationMethod"].startswith(issuer + "#z6Mk")
    text = json.dumps(clr, ensure_ascii=False)
    unpinned = import_badge_text(text, standards, now=NOW, trust=[issuer])  # the CLR's word
    assert {v.reason for v in unpinned.verifications} == {"UNBOUND_KEY"}
    assert unpinned.accepted == ()
    pinned = BadgeMapping.model_validate(
        {"issuers": {issuer: {"keys": [multibase_from_public_key(KEY.public_key())]}}}
    )
    result = import_badge_text(text, standards, mapping=pinned, now=NOW)
    assert all(v.verified for v in result.verifications)
    courses = {u.course for u in evaluation.uses() if u.course}
    assert {a.unit for a in result.accepted} == courses
    for achievement in result.accepted:
        use = next(u for u in evaluation.uses() if u.course == achievement.unit)
        assert achievement.credits is not None and achievement.credits.amount == use.credits
        if use.recorded_grade is not None:
            assert str(achievement.score) == use.recorded_grade
    # credits into a requirement (no course) are reported by name, not dropped
    if any(u.course is None for u in evaluation.uses()):
        assert any("matches no unit" in n for r in result.records for n in r.notes)


def test_a_changed_export_is_invalid(standards: Standards, evaluation: Evaluation) -> None:
    clr = evaluation_clr(evaluation, standards, key=KEY)
    changed = copy.deepcopy(clr)
    changed["credentialSubject"]["verifiableCredential"][0]["credentialSubject"][
        "creditsEarned"
    ] = 99.0
    assert verify_credential(changed, now=NOW).reason == "BAD_SIGNATURE"


def test_unsigned_by_default(standards: Standards, evaluation: Evaluation) -> None:
    credentials = evaluation_credentials(evaluation, standards)
    assert all("proof" not in c for c in credentials)
    assert all(verify_credential(c, now=NOW).reason == "NO_PROOF" for c in credentials)
    assert credentials[0]["type"] == ["VerifiableCredential", "AchievementCredential"]
    assert credentials[0]["issuer"]["id"] == "urn:creditbank:issuer:demo-college"
    clr = evaluation_clr(evaluation, standards)
    assert clr["type"] == ["VerifiableCredential", "ClrCredential"] and "proof" not in clr
