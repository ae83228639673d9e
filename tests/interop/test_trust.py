"""The issuer whitelist of an import comes from the standards' issuers (``identifiers:``)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from creditbank import LoadError, bundled_standards_path, evaluate, load_standards
from creditbank.cli import cli
from creditbank.interop.errors import InteropError
from creditbank.interop.export import sign_credential
from creditbank.interop.keys import did_key, multibase_from_public_key
from creditbank.interop.openbadges import import_badge_file, import_badge_text, to_portfolio
from creditbank.interop.trust import parse_trust, standards_identifiers
from creditbank.models import Standards
from tests.interop.helpers import (
    KEY,
    NOW,
    OTHER_KEY,
    SAMPLE_KEYS,
    fixture,
    needs_fixtures,
)
from tests.interop.test_openbadges import ELECTRICIAN, electrician_badge

CENTRE = "https://demo-assessment-centre.example/issuer"  # an example issuer's identifier
COLLEGE = "https://demo-college.example/issuer"
SAMPLE_ISSUER = "https://example.com/issuers/876543"


pytestmark = pytest.mark.usefixtures("no_network")


def _issued_by(issuer: str, **changes: Any) -> tuple[str, dict[str, Any]]:
    """An electrician badge of ``issuer``, signed by KEY under a method the caller vouches
    for: (JSON text, the caller's keys)."""
    badge = electrician_badge(**changes)
    badge["id"] = "urn:example:credential:" + issuer.removeprefix("https://")
    badge["issuer"] = {"id": issuer, "type": ["Profile"], "name": "示例"}
    method = issuer + "#key-1"
    signed = sign_credential(badge, KEY, verification_method=method, created=NOW)
    return json.dumps(signed, ensure_ascii=False), {method: KEY.public_key()}


# ------------------------------------------------------------------ the standards


def test_bundled_real_issuers_have_no_identifiers_and_examples_only_illustrative_ones(
    standards: Standards,
) -> None:
    for issuer in standards.issuers.values():
        if not issuer.example:
            assert issuer.identifiers == (), f"{issuer.id}: never invent a real identifier"
        for identifier in issuer.identifiers:
            assert identifier.startswith("https://") and ".example/" in identifier, identifier
    assert standards_identifiers(standards)[CENTRE] == "demo-assessment-centre"


def test_an_identifier_must_be_a_did_or_an_http_url(tmp_path: Path) -> None:
    path = tmp_path / "issuers.yaml"
    path.write_text(
        "kind: issuers\nexample: true\nitems:\n"
        "  - id: x\n    name: 示例\n    kind: school\n"
        "    identifiers:\n"
        "      ['did:web:x.example', 'https://x.example/i', 'urn:uuid:1', 'x.example']\n",
        encoding="utf-8",
    )
    with pytest.raises(LoadError) as caught:
        load_standards(path, cache=False)
    problems = caught.value.problems
    assert [p.code for p in problems] == ["INVALID_VALUE", "INVALID_VALUE"]
    assert "'urn:uuid:1' is neither a DID" in problems[0].message
    assert problems[0].location.line == 8 and problems[0].location.path[-2:] == ("identifiers", 2)


def test_an_identifier_of_two_issuers_is_a_located_error(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        f"kind: issuers\nexample: true\nitems:\n"
        f"  - id: other-centre\n    name: 示例\n    kind: school\n    identifiers: ['{CENTRE}']\n",
        encoding="utf-8",
    )
    with pytest.raises(LoadError) as caught:
        load_standards(bundled_standards_path(), tmp_path, cache=False)
    (problem,) = caught.value.problems
    assert problem.code == "DUPLICATE_ISSUER_IDENTIFIER"
    assert "demo-assessment-centre" in problem.message and CENTRE in problem.message
    assert problem.location.file is not None and problem.location.line is not None


# ------------------------------------------------------------------ the whitelist


def test_the_whitelist_is_the_standards_identifiers(standards: Standards) -> None:
    text, keys = _issued_by(CENTRE)
    result = import_badge_text(text, standards, now=NOW, keys=keys)
    (verification,) = result.verifications
    assert verification.verified and verification.issuer_trust == "standards"
    (achievement,) = result.accepted
    assert achievement.issuer == "demo-assessment-centre"  # the standards issuer, not the URL


def test_an_issuer_not_on_the_whitelist_is_invalid_with_how_to_fix_it(
    standards: Standards,
) -> None:
    stranger = did_key(OTHER_KEY.public_key())
    badge = electrician_badge()
    badge["issuer"] = {"id": stranger, "type": ["Profile"], "name": "某机构"}
    signed = json.dumps(sign_credential(badge, OTHER_KEY, created=NOW), ensure_ascii=False)
    result = import_badge_text(signed, standards, now=NOW, accept_unverified=True)
    (verification,) = result.verifications
    assert (verification.status, verification.reason) == ("invalid", "ISSUER_NOT_TRUSTED")
    assert stranger in verification.message
    assert "identifiers:" in verification.message and "--trust-issuer" in verification.message
    assert result.accepted == ()
    unsigned = import_badge_text(json.dumps(badge), standards, now=NOW, accept_unverified=True)
    assert unsigned.verifications[0].reason == "ISSUER_NOT_TRUSTED"  # wrong issuer: invalid
    assert unsigned.accepted == ()


def test_the_caller_may_trust_more_issuers_explicitly(standards: Standards) -> None:
    stranger = did_key(OTHER_KEY.public_key())
    badge = electrician_badge()
    badge["issuer"] = {"id": stranger, "type": ["Profile"], "name": "某机构"}
    signed = json.dumps(sign_credential(badge, OTHER_KEY, created=NOW), ensure_ascii=False)
    for trust in ([stranger], {stranger: []}):
        result = import_badge_text(signed, standards, now=NOW, trust=trust)
        (verification,) = result.verifications
        assert verification.verified and verification.issuer_trust == "caller"
        (achievement,) = result.accepted
        assert achievement.issuer is None  # trusted, but no issuer of the standards
        assert any("not an issuer of the standards" in n for n in result.records[0].notes)
    # a key pinned for a trusted issuer must be the one that signed
    pinned = {stranger: [multibase_from_public_key(KEY.public_key())]}
    wrong = import_badge_text(signed, standards, now=NOW, trust=pinned)
    assert wrong.verifications[0].reason == "ISSUER_NOT_TRUSTED" and wrong.accepted == ()


def test_turning_the_check_off_is_reported(standards: Standards) -> None:
    stranger = did_key(OTHER_KEY.public_key())
    badge = electrician_badge()
    badge["issuer"] = {"id": stranger, "type": ["Profile"], "name": "某机构"}
    signed = json.dumps(sign_credential(badge, OTHER_KEY, created=NOW), ensure_ascii=False)
    result = import_badge_text(signed, standards, now=NOW, issuer_check=False)
    (verification,) = result.verifications
    assert verification.verified and verification.issuer_trust == "unchecked"
    assert "not checked against a whitelist" in verification.message
    assert result.issuer_check is False and result.to_dict()["issuer_check"] == "off"
    assert result.to_dict()["verifications"][0]["issuer_trust"] == "unchecked"
    assert len(result.accepted) == 1
    # a bad signature stays invalid with the check off
    tampered = json.loads(signed)
    tampered["name"] = "改过的"
    still = import_badge_text(json.dumps(tampered), standards, now=NOW, issuer_check=False)
    assert still.verifications[0].reason == "BAD_SIGNATURE" and still.accepted == ()


def test_parse_trust_pins_a_key_or_refuses_a_bad_one() -> None:
    multikey = multibase_from_public_key(KEY.public_key())
    trusted = parse_trust([f"{CENTRE}#{multikey}", "did:web:x.example", "urn:creditbank:issuer:a"])
    assert trusted == {
        CENTRE: frozenset({multikey}),
        "did:web:x.example": frozenset(),
        "urn:creditbank:issuer:a": frozenset(),
    }
    with pytest.raises(InteropError) as caught:
        parse_trust([f"{CENTRE}#z6MkTypo"])
    assert caught.value.code == "INVALID_KEY"


@pytest.mark.parametrize("fragment", ["key-1", "main", ""])
def test_a_fragment_that_is_no_multikey_is_refused_not_trusted_as_an_issuer_id(
    fragment: str,
) -> None:
    """The review of 1630c58: `A#z6Mk… A#key-1` dropped A's pinned key and trusted the
    literal `A#key-1` instead; a fragment is a pinned key or nothing."""
    multikey = multibase_from_public_key(KEY.public_key())
    with pytest.raises(InteropError) as caught:
        parse_trust([f"{CENTRE}#{multikey}", f"{CENTRE}#{fragment}"])
    assert caught.value.code == "INVALID_KEY" and fragment in caught.value.message


@pytest.mark.parametrize("entry", ["x", "example.edu", "ftp://a.example", "did:web", "a b"])
def test_a_trusted_issuer_must_be_a_did_a_url_or_a_urn(entry: str) -> None:
    with pytest.raises(InteropError) as caught:
        parse_trust([entry])
    assert caught.value.code == "INVALID_ISSUER_ID"


# ------------------------------------------------------------------ the real samples


@needs_fixtures
@pytest.mark.parametrize("parts", [("ob30", "simple.json"), ("clr20", "simple.json")])
def test_the_samples_verify_when_their_issuers_are_trusted(
    standards: Standards, parts: tuple[str, str]
) -> None:
    trusted = import_badge_file(fixture(*parts), standards, now=NOW, trust=SAMPLE_KEYS)
    assert trusted.verifications and all(v.verified for v in trusted.verifications)
    assert {v.issuer_trust for v in trusted.verifications} == {"caller"}
    untrusted = import_badge_file(fixture(*parts), standards, now=NOW)
    first = untrusted.verifications[0]
    assert first.reason == "ISSUER_NOT_TRUSTED" and str(first.issuer) in first.message


# ------------------------------------------------------------------ end to end


def test_the_engine_checks_the_authority_of_an_imported_credentials_issuer(
    standards: Standards,
) -> None:
    """The centre may certify electricians, the college may not: the same badge from each,
    imported, converts from the one and is ISSUER_NOT_AUTHORISED from the other."""
    results = []
    for issuer, subject in ((CENTRE, "urn:x:1"), (COLLEGE, "urn:x:2")):
        text, keys = _issued_by(issuer, licenseNumber=f"S-{subject}")
        badge = json.loads(text)
        assert badge["issuer"]["id"] == issuer
        results.append(import_badge_text(text, standards, now=NOW, keys=keys))
    assert all(r.verifications[0].verified for r in results)
    from_centre, from_college = (r.accepted[0] for r in results)
    assert (from_centre.issuer, from_college.issuer) == ("demo-assessment-centre", "demo-college")
    assert from_centre.id != from_college.id
    portfolio = to_portfolio(results, "w-imported")
    evaluation = evaluate(standards, portfolio, "demo-college:460301", dt.date(2026, 11, 29))
    decisions = {d.achievement: d for d in evaluation.decisions}
    assert decisions[from_centre.id].unit == ELECTRICIAN
    assert decisions[from_centre.id].reason != "ISSUER_NOT_AUTHORISED"
    refused = decisions[from_college.id]
    assert not refused.recognised and refused.reason == "ISSUER_NOT_AUTHORISED"
    assert refused.detail.get("issuer") == "demo-college"


# ------------------------------------------------------------------ the command line


def test_the_cli_trusts_explicitly_or_turns_the_check_off(
    standards: Standards, tmp_path: Path
) -> None:
    stranger = did_key(OTHER_KEY.public_key())
    badge = electrician_badge()
    badge["issuer"] = {"id": stranger, "type": ["Profile"], "name": "某机构"}
    path = tmp_path / "badge.json"
    path.write_text(json.dumps(sign_credential(badge, OTHER_KEY, created=NOW)), encoding="utf-8")
    runner = CliRunner()
    at = ["--at", "2026-11-29T13:00:00"]
    refused = runner.invoke(cli, ["import", "badge", str(path), *at])
    assert refused.exit_code == 1 and "ISSUER_NOT_TRUSTED" in refused.output
    assert f"--trust-issuer {stranger}" in refused.output, refused.output
    trusted = runner.invoke(cli, ["import", "badge", str(path), *at, "--trust-issuer", stranger])
    assert trusted.exit_code == 0, trusted.output
    assert "VERIFIED" in trusted.output and "[issuer: caller]" in trusted.output
    off = runner.invoke(cli, ["import", "badge", str(path), *at, "--no-issuer-check"])
    assert off.exit_code == 0 and "[issuer: unchecked]" in off.output
    assert "the issuer whitelist was OFF" in off.output
    bad_key = runner.invoke(
        cli, ["import", "badge", str(path), "--trust-issuer", f"{stranger}#z6MkTypo"]
    )
    assert bad_key.exit_code == 1 and "INVALID_KEY" in bad_key.output
    assert "Traceback" not in bad_key.output
