"""VC-JWT: the registered claims must state what the credential states (iss, sub, jti, nbf, exp)."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

import pytest

from creditbank.interop.export import sign_jwt
from creditbank.interop.keys import did_key, multibase_from_public_key
from creditbank.interop.verify import verify_jwt
from tests.interop.helpers import KEY, NOW

ISSUER = did_key(KEY.public_key())
HEADER = {"alg": "EdDSA", "kid": ISSUER + "#" + multibase_from_public_key(KEY.public_key())}
FROM, UNTIL = "2024-06-30T00:00:00Z", "2029-06-30T00:00:00Z"


def _seconds(text: str) -> int:
    return int(dt.datetime.fromisoformat(text).timestamp())


pytestmark = pytest.mark.usefixtures("no_network")


def _b64(data: Any) -> str:
    raw = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _jwt(payload: dict[str, Any]) -> str:
    signing_input = _b64(HEADER) + "." + _b64(payload)
    signature = base64.urlsafe_b64encode(KEY.sign(signing_input.encode())).rstrip(b"=").decode()
    return signing_input + "." + signature


def _credential(v1: bool = False, **changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "@context": [
            "https://www.w3.org/2018/credentials/v1"
            if v1
            else "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "urn:uuid:0c1d2e3f-0000-4000-8000-000000000007",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": ISSUER, "type": ["Profile"], "name": "示例评价组织"},
        ("issuanceDate" if v1 else "validFrom"): FROM,
        ("expirationDate" if v1 else "validUntil"): UNTIL,
        "name": "电工三级",
        "credentialSubject": {
            "id": "did:example:learner-1",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://badges.example/achievements/electrician-3",
                "type": ["Achievement"],
                "name": "电工",
                "criteria": {"narrative": "职业技能等级认定"},
            },
        },
    }
    document.update(changes)
    return document


def _claims(credential: dict[str, Any]) -> dict[str, Any]:
    """Registered claims that agree with ``credential``."""
    start = credential.get("validFrom", credential.get("issuanceDate"))
    end = credential.get("validUntil", credential.get("expirationDate"))
    return {
        "iss": ISSUER,
        "sub": credential["credentialSubject"]["id"],
        "jti": credential["id"],
        "nbf": _seconds(start),
        "exp": _seconds(end),
    }


@pytest.mark.parametrize("form", ["vc-2.0 payload", "vc-1.1 vc claim"])
def test_claims_that_agree_verify(form: str) -> None:
    credential = _credential(v1=form.startswith("vc-1.1"))
    payload = (
        {**credential, **_claims(credential)}
        if form.startswith("vc-2.0")
        else {"vc": credential, **_claims(credential)}
    )
    result, _ = verify_jwt(_jwt(payload), now=NOW)
    assert result.verified, result.message


def test_sign_jwt_states_every_claim_and_verifies() -> None:
    token = sign_jwt(_credential(), KEY)
    payload = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    assert payload["sub"] == "did:example:learner-1" and payload["exp"] == _seconds(UNTIL)
    assert payload["iss"] == ISSUER and payload["jti"] == _credential()["id"]
    assert verify_jwt(token, now=NOW)[0].verified


@pytest.mark.parametrize(
    ("claim", "value", "named"),
    [
        ("iss", "did:web:someone-else.example", "`iss`"),
        ("sub", "did:example:another-learner", "`sub`"),
        ("jti", "urn:uuid:00000000-0000-4000-8000-00000000dead", "`jti`"),
        ("nbf", _seconds("2024-01-01T00:00:00Z"), "`nbf`"),
        ("exp", _seconds("2030-01-01T00:00:00Z"), "`exp`"),
    ],
)
@pytest.mark.parametrize("v1", [False, True], ids=["vc-2.0", "vc-1.1"])
def test_a_claim_that_contradicts_the_credential_is_invalid(
    claim: str, value: Any, named: str, v1: bool
) -> None:
    credential = _credential(v1=v1)
    claims = {**_claims(credential), claim: value}
    payload = {"vc": credential, **claims} if v1 else {**credential, **claims}
    result, _ = verify_jwt(_jwt(payload), now=NOW)
    assert (result.status, result.reason) == ("invalid", "CLAIM_MISMATCH"), result.message
    assert named in result.message
    prop = {
        "iss": "issuer",
        "sub": "credentialSubject",
        "jti": "id",
        "nbf": "issuanceDate" if v1 else "validFrom",
        "exp": "expirationDate" if v1 else "validUntil",
    }[claim]
    assert prop in result.message


def test_sub_needs_a_subject_id_in_the_2_0_form() -> None:
    credential = _credential()
    del credential["credentialSubject"]["id"]
    payload = {**credential, "sub": "did:example:learner-1"}
    result, _ = verify_jwt(_jwt(payload), now=NOW)
    assert result.reason == "CLAIM_MISMATCH" and "the subject has no id" in result.message


def test_in_the_1_1_form_claims_stand_for_what_the_vc_lacks() -> None:
    credential = _credential(v1=True)
    for name in ("id", "issuanceDate", "expirationDate"):
        del credential[name]
    del credential["credentialSubject"]["id"]
    issuer = credential.pop("issuer")
    payload = {
        "vc": credential,
        "iss": issuer["id"],
        "sub": "did:example:learner-1",
        "jti": "urn:uuid:0c1d2e3f-0000-4000-8000-000000000007",
        "nbf": _seconds(FROM),
        "exp": _seconds(UNTIL),
    }
    result, filled = verify_jwt(_jwt(payload), now=NOW)
    assert result.verified, result.message
    assert filled is not None and filled["credentialSubject"]["id"] == "did:example:learner-1"
    assert filled["id"] == payload["jti"] and filled["expirationDate"].startswith("2029-06-30")


def test_a_date_with_fractions_of_a_second_matches_its_numeric_date() -> None:
    credential = _credential(validFrom="2024-06-30T00:00:00.75Z")
    payload = {**credential, **_claims(_credential()), "nbf": _seconds(FROM)}
    assert verify_jwt(_jwt(payload), now=NOW)[0].verified


def _unsigned_jwt(header: dict[str, Any], payload: dict[str, Any]) -> str:
    """A JWT whose signature cannot be checked: its alg or key is not one creditbank knows."""
    return _b64(header) + "." + _b64(payload) + "." + _b64("x" * 48)


UNCHECKABLE = {
    "HS256": {"alg": "HS256", "kid": "x"},
    "unknown kid": {"alg": "EdDSA", "kid": "https://issuer.example/profile#key-1"},
}


@pytest.mark.parametrize("header", UNCHECKABLE.values(), ids=UNCHECKABLE.keys())
def test_a_jwt_whose_key_cannot_be_resolved_is_still_checked_for_known_problems(
    header: dict[str, Any],
) -> None:
    """Unverifiable is for 'nothing is known to be wrong': an expired JWT, one of an issuer
    off the whitelist or one whose claims contradict its credential is invalid whatever its
    key (the review of 1630c58 deposited such a token with --accept-unverified)."""
    credential = _credential()
    fine = _unsigned_jwt(header, {**credential, **_claims(credential)})
    result, _ = verify_jwt(fine, now=NOW)
    assert result.status == "unverifiable", result.message
    expired = _credential(validUntil="2020-01-01T00:00:00Z", validFrom="2019-01-01T00:00:00Z")
    result, _ = verify_jwt(_unsigned_jwt(header, expired), now=NOW)
    assert (result.status, result.reason) == ("invalid", "EXPIRED")
    result, _ = verify_jwt(_unsigned_jwt(header, {**credential, "exp": 1}), now=NOW)
    assert (result.status, result.reason) == ("invalid", "EXPIRED")
    mismatched = {**credential, "iss": "https://someone-else.example"}
    result, _ = verify_jwt(_unsigned_jwt(header, mismatched), now=NOW)
    assert (result.status, result.reason) == ("invalid", "CLAIM_MISMATCH")
    result, _ = verify_jwt(fine, now=NOW, trusted_issuers={"did:web:other.example": ()})
    assert (result.status, result.reason) == ("invalid", "ISSUER_NOT_TRUSTED")
    result, _ = verify_jwt(fine, now=NOW, trusted_issuers={ISSUER: ()})
    assert result.status == "unverifiable"  # whitelisted, nothing wrong: still unverifiable


def test_an_unverifiable_jwt_inside_a_clr_is_checked_for_known_problems() -> None:
    from creditbank import bundled_standards_path, load_standards
    from creditbank.interop.openbadges import import_badge_text

    standards = load_standards(bundled_standards_path())
    expired = _credential(validUntil="2020-01-01T00:00:00Z", validFrom="2019-01-01T00:00:00Z")
    inner = _unsigned_jwt(UNCHECKABLE["HS256"], expired)
    clr = _credential(
        type=["VerifiableCredential", "ClrCredential"],
        credentialSubject={
            "id": "did:example:learner-1",
            "type": ["ClrSubject"],
            "verifiableCredential": [inner],
        },
    )
    result = import_badge_text(
        json.dumps(clr),
        standards,
        now=NOW,
        accept_unverified=True,
        issuer_check=False,
    )
    inner_verification = result.verifications[-1]
    assert (inner_verification.status, inner_verification.reason) == ("invalid", "EXPIRED")
    assert result.accepted == ()
