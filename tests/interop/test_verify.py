"""Verification of Open Badges 3.0 / CLR 2.0 credentials: the real fixtures, tampering, keys."""

from __future__ import annotations

import base64
import copy
import datetime as dt
import hashlib
import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from creditbank.interop.errors import InteropError
from creditbank.interop.export import sign_credential, sign_jwt
from creditbank.interop.jsonio import JsonLimits, parse_json
from creditbank.interop.jsonld import (
    BUNDLED_CONTEXTS,
    ContextLoader,
    bundled_contexts_path,
    canonicalize,
)
from creditbank.interop.keys import did_key, multibase_from_public_key
from creditbank.interop.verify import credential_dates, verify_credential, verify_jwt
from tests.interop.helpers import (
    KEY,
    NEGATIVE_SAMPLES,
    NOW,
    OTHER_KEY,
    SAMPLE_KEYS,
    NetworkUsed,
    fixture,
    needs_fixtures,
    refuse_fetch,
    strict_loader,
)

pytestmark = pytest.mark.usefixtures("no_network")


MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"
MULTIKEY_TERMS = {  # the Multikey context's terms used here (that context is not bundled)
    "Multikey": "https://w3id.org/security#Multikey",
    "controller": {"@id": "https://w3id.org/security#controller", "@type": "@id"},
    "publicKeyMultibase": {
        "@id": "https://w3id.org/security#publicKeyMultibase",
        "@type": "https://w3id.org/security#multibase",
    },
}


def _load(*parts: str) -> Any:
    return json.loads(fixture(*parts).read_text(encoding="utf-8"))


def _badge(**changes: Any) -> dict[str, Any]:
    """An unsigned OB 3.0 credential issued by the test key's did:key."""
    issuer = did_key(KEY.public_key())
    document: dict[str, Any] = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "urn:uuid:3f3b5c1e-0a52-4d0e-9a8c-2b1c1f6d7e01",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "示例评价组织"},
        "validFrom": "2024-06-30T00:00:00Z",
        "name": "电工三级",
        "credentialSubject": {
            "id": "did:example:learner-1",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://badges.example/achievements/electrician-3",
                "type": ["Achievement"],
                "name": "电工 三级",
                "criteria": {"narrative": "Passed the level 3 assessment."},
            },
        },
    }
    document.update(changes)
    return document


# ------------------------------------------------------------- the real fixtures


@needs_fixtures
@pytest.mark.parametrize("parts", [("ob30", "simple.json"), ("clr20", "simple.json")])
def test_the_1edtech_samples_verify(parts: tuple[str, str]) -> None:
    result = verify_credential(
        _load(*parts), loader=strict_loader(), now=NOW, trusted_issuers=SAMPLE_KEYS
    )
    assert (result.status, result.reason) == ("verified", "VERIFIED"), result.message
    assert result.method == "eddsa-rdfc-2022"
    assert result.key_source == "fragment"


@needs_fixtures
@pytest.mark.parametrize(
    "moment",
    [dt.datetime.max.replace(tzinfo=dt.UTC), dt.datetime.min.replace(tzinfo=dt.UTC)],
    ids=["last", "first"],
)
def test_a_moment_at_either_end_of_the_calendar_is_an_answer_not_a_crash(
    moment: dt.datetime,
) -> None:
    # `now + CLOCK_SKEW` overflowed at the end (import badge --at 9999-12-31T23:59:59: exit 70)
    result = verify_credential(
        _load("ob30", "simple.json"),
        loader=strict_loader(),
        now=moment,
        trusted_issuers=SAMPLE_KEYS,
    )
    assert result.status in ("verified", "invalid")
    assert result.reason in ("VERIFIED", "EXPIRED", "NOT_YET_VALID")


@needs_fixtures
@pytest.mark.parametrize("parts", [("ob30", "simple.json"), ("clr20", "simple.json")])
def test_a_key_only_the_sample_names_is_not_the_issuers_until_pinned(
    parts: tuple[str, str],
) -> None:
    document = _load(*parts)
    issuer = document["issuer"]["id"]
    for whitelist in (None, {issuer: []}):
        result = verify_credential(document, now=NOW, trusted_issuers=whitelist)
        assert (result.status, result.reason) == ("unverifiable", "UNBOUND_KEY"), result.message
        assert issuer in result.message and "pin" in result.message


def test_anyone_can_name_an_issuer_with_their_own_key_and_is_not_verified() -> None:
    """A learner signs a credential in the name of a school (an https id, or a bare id
    such as a standards issuer's) with a key of their own, in the method's fragment."""
    for issuer in ("https://university.example/issuer", "cn-vet-credit-bank"):
        document = _badge(issuer={"id": issuer, "type": ["Profile"], "name": "forged"})
        forged = sign_credential(document, OTHER_KEY, created=NOW)
        assert forged["proof"][0]["verificationMethod"].startswith(issuer + "#z6Mk")
        result = verify_credential(forged, now=NOW)
        assert (result.status, result.reason) == ("unverifiable", "UNBOUND_KEY")
        pinned_other = {issuer: [multibase_from_public_key(KEY.public_key())]}
        assert verify_credential(forged, now=NOW, trusted_issuers=pinned_other).reason == (
            "ISSUER_NOT_TRUSTED"
        )
        pinned = {issuer: [multibase_from_public_key(OTHER_KEY.public_key())]}
        assert verify_credential(forged, now=NOW, trusted_issuers=pinned).verified


@needs_fixtures
def test_the_credential_embedded_in_the_clr_verifies_on_its_own() -> None:
    clr = _load("clr20", "simple.json")
    inner = clr["credentialSubject"]["verifiableCredential"][0]
    assert verify_credential(
        inner, loader=strict_loader(), now=NOW, trusted_issuers=SAMPLE_KEYS
    ).verified


@needs_fixtures
@pytest.mark.parametrize(
    ("name", "reason"),
    NEGATIVE_SAMPLES,
)
def test_every_negative_sample_is_rejected_with_its_reason(name: str, reason: str) -> None:
    result = verify_credential(
        _load("ob30", name), loader=strict_loader(), now=NOW, trusted_issuers=SAMPLE_KEYS
    )
    assert (result.status, result.reason) == ("invalid", reason), result.message
    assert result.message


@needs_fixtures
def test_the_negative_samples_are_all_covered() -> None:
    names = {p.name for p in fixture("ob30").glob("simple-err-*.json")}
    assert names == {
        "simple-err-context.json",
        "simple-err-expired.json",
        "simple-err-issuer.json",
        "simple-err-proof-value.json",
    }


@needs_fixtures
def test_the_expired_sample_is_signed_correctly_and_only_expired() -> None:
    document = _load("ob30", "simple-err-expired.json")
    document["validUntil"] = "2099-01-01T00:00:00Z"  # the signature covers validUntil
    assert verify_credential(document, now=NOW).reason == "BAD_SIGNATURE"
    before = verify_credential(
        _load("ob30", "simple-err-expired.json"), now=dt.datetime(2009, 12, 31, tzinfo=dt.UTC)
    )
    assert before.reason == "NOT_YET_VALID"  # its proof was created on 2010-01-01


@needs_fixtures
@pytest.mark.parametrize(
    "move",
    [
        pytest.param(
            lambda d, v: d.update(
                {
                    "https://www.w3.org/2018/credentials#validUntil": {
                        "@value": v,
                        "@type": "http://www.w3.org/2001/XMLSchema#dateTime",
                    }
                }
            ),
            id="as-an-IRI-key",
        ),
        pytest.param(lambda d, v: d.update({"@nest": {"validUntil": v}}), id="under-@nest"),
        pytest.param(
            lambda d, v: d.update(
                {
                    "until": v,
                    "@context": [
                        *d["@context"],
                        {
                            "until": {
                                "@id": "https://www.w3.org/2018/credentials#validUntil",
                                "@type": "http://www.w3.org/2001/XMLSchema#dateTime",
                            }
                        },
                    ],
                }
            ),
            id="by-an-inline-alias",
        ),
    ],
)
def test_an_expiry_moved_where_a_reader_does_not_look_is_refused(move: Any) -> None:
    """Each keeps the signed RDF exactly as it was, so the signature still verifies."""
    document = _load("ob30", "simple-err-expired.json")
    move(document, document.pop("validUntil"))
    result = verify_credential(document, now=NOW, trusted_issuers=SAMPLE_KEYS)
    assert result.status == "invalid", result
    assert result.reason in ("UNDEFINED_TERMS", "BAD_CONTEXT")


@needs_fixtures
def test_terms_hidden_by_an_inline_context_are_refused() -> None:
    document = _load("ob30", "simple.json")
    document["@context"] = [*document["@context"], {"creditsEarnedNote": None}]
    document["creditsEarnedNote"] = "unsigned"
    result = verify_credential(document, now=NOW, trusted_issuers=SAMPLE_KEYS)
    assert result.reason == "BAD_CONTEXT" and "inline @context" in result.message
    nested = _load("ob30", "simple.json")
    nested["credentialSubject"]["@context"] = {"licenseNumber": None}
    assert verify_credential(nested, now=NOW).reason == "BAD_CONTEXT"


def test_a_null_validity_date_does_not_hide_the_other_one() -> None:
    """JSON-LD drops null values, so adding one does not change what is signed."""
    document = _badge(
        **{
            "@context": [
                "https://www.w3.org/2018/credentials/v1",
                "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
                "https://w3id.org/security/data-integrity/v1",
            ],
            "issuanceDate": "2024-06-30T00:00:00Z",
            "expirationDate": "2025-06-30T00:00:00Z",
        }
    )
    del document["validFrom"]
    signed = sign_credential(document, KEY, created=dt.datetime(2024, 7, 1, tzinfo=dt.UTC))
    assert verify_credential(signed, now=NOW).reason == "EXPIRED"
    signed["validUntil"] = None
    assert verify_credential(signed, now=NOW).reason == "EXPIRED"
    signed["validFrom"] = None
    assert verify_credential(signed, now=NOW).reason == "EXPIRED"


def test_the_stricter_of_two_validity_dates_applies() -> None:
    assert credential_dates(
        {
            "validFrom": "2024-01-01",
            "issuanceDate": "2025-01-01",
            "validUntil": "2030-01-01",
            "expirationDate": "2026-01-01",
        }
    ) == (dt.datetime(2025, 1, 1, tzinfo=dt.UTC), dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    # a JWT's credential is not JSON-LD-checked, so it can carry both
    token = sign_jwt(
        _badge(validUntil="2030-01-01T00:00:00Z", expirationDate="2025-01-01T00:00:00Z"), KEY
    )
    assert verify_jwt(token, now=NOW)[0].reason == "EXPIRED"


@needs_fixtures
@pytest.mark.parametrize("parts", [("ob30", "simple.json"), ("clr20", "simple.json")])
def test_a_byte_changed_anywhere_makes_a_signed_credential_fail(parts: tuple[str, str]) -> None:
    raw = fixture(*parts).read_bytes()
    original = json.loads(raw)
    loader = ContextLoader()
    assert verify_credential(original, loader=loader, now=NOW, trusted_issuers=SAMPLE_KEYS).verified
    outcomes: dict[str, int] = {}
    selectors = (
        rb'"(?:verificationMethod|cryptosuite|type)": "((?:DataIntegrityProof|eddsa|http)[^"]*)"'
    )
    methods = [(m.start(1), m.end(1)) for m in re.finditer(selectors, raw)]
    assert len(methods) >= 3
    step = 1 if parts[0] == "ob30" else 3  # the CLR is three times larger: every third byte
    for position in range(0, len(raw), step):
        mutated = bytearray(raw)
        mutated[position] ^= 0x01
        try:
            document = parse_json(bytes(mutated))
        except InteropError as error:
            outcomes[error.code] = outcomes.get(error.code, 0) + 1
            continue
        if document == original:  # e.g. whitespace to whitespace: no change of content
            outcomes["same"] = outcomes.get("same", 0) + 1
            continue
        result = verify_credential(document, loader=loader, now=NOW, trusted_issuers=SAMPLE_KEYS)
        assert result.status != "verified", f"byte {position} changed and still verified"
        if any(start <= position < end for start, end in methods):
            # a changed proof type, cryptosuite or verification method names an algorithm or
            # a key the verifier does not have: it cannot tell a forgery from what it lacks
            assert result.status in ("invalid", "unverifiable"), (position, result)
        else:  # even a changed key "proof" is caught: a term no context defines
            assert result.status == "invalid", (position, result)
        outcomes[result.reason] = outcomes.get(result.reason, 0) + 1
    assert outcomes.get("BAD_SIGNATURE", 0) > 100, outcomes


# --------------------------------------------------------------- our own signing


def test_a_signed_badge_verifies_with_its_did_key() -> None:
    signed = sign_credential(_badge(), KEY, created=NOW)
    result = verify_credential(signed, loader=strict_loader(), now=NOW)
    assert result.verified and result.key_source == "did:key", result.message


def test_the_vc_1_1_style_with_issuance_date_verifies_and_expires() -> None:
    document = _badge(
        **{
            "@context": [
                "https://www.w3.org/2018/credentials/v1",
                "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
                "https://w3id.org/security/data-integrity/v1",
            ],
            "issuanceDate": "2024-06-30T00:00:00Z",
            "expirationDate": "2026-06-30T00:00:00Z",
        }
    )
    del document["validFrom"]
    signed = sign_credential(document, KEY, created=dt.datetime(2024, 6, 30, tzinfo=dt.UTC))
    early = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    assert verify_credential(signed, loader=strict_loader(), now=early).verified
    assert verify_credential(signed, now=NOW).reason == "EXPIRED"


def test_not_yet_valid() -> None:
    signed = sign_credential(_badge(validFrom="2030-01-01T00:00:00Z"), KEY, created=NOW)
    assert verify_credential(signed, now=NOW).reason == "NOT_YET_VALID"


def test_a_credential_without_proof_is_unverifiable() -> None:
    result = verify_credential(_badge(), now=NOW)
    assert (result.status, result.reason) == ("unverifiable", "NO_PROOF")


@pytest.mark.parametrize(
    "method",
    [
        "did:web:issuer.example#key-1",
        "https://issuer.example/keys/1",
        "did:ion:EiClkZMDxPKqC9c-umQfTkR8vvZ9JPhl_xLDI9Nfk38w5w#key-1",
    ],
)
def test_an_unknown_key_method_is_unverifiable(method: str) -> None:
    document = _badge(
        issuer={"id": method.split("#", maxsplit=1)[0], "type": ["Profile"], "name": "x"}
    )
    signed = sign_credential(document, KEY, verification_method=method, created=NOW)
    result = verify_credential(signed, loader=strict_loader(), now=NOW)
    assert (result.status, result.reason) == ("unverifiable", "UNKNOWN_KEY_METHOD")
    assert method.split("#", maxsplit=1)[0] in result.message


def test_a_key_the_caller_provides_resolves_any_method() -> None:
    method = "did:web:issuer.example#key-1"
    document = _badge(issuer={"id": "did:web:issuer.example", "type": ["Profile"], "name": "x"})
    signed = sign_credential(document, KEY, verification_method=method, created=NOW)
    result = verify_credential(signed, now=NOW, keys={method: KEY.public_key()})
    assert result.verified and result.key_source == "caller"


def _multikey_contexts(directory: Path) -> ContextLoader:
    """A caller's context directory serving the Multikey terms (not bundled)."""
    body = json.dumps({"@context": MULTIKEY_TERMS}).encode()
    (directory / "multikey.jsonld").write_bytes(body)
    (directory / "index.json").write_text(
        json.dumps(
            {
                MULTIKEY_CONTEXT: {
                    "file": "multikey.jsonld",
                    "sha256": hashlib.sha256(body).hexdigest(),
                }
            }
        ),
        encoding="utf-8",
    )
    return ContextLoader(directory, fetch=refuse_fetch)


def test_a_verification_method_in_the_document_is_used(tmp_path: Path) -> None:
    loader = _multikey_contexts(tmp_path)
    issuer = "https://issuer.example/profile"
    multikey = multibase_from_public_key(KEY.public_key())
    method = {
        "id": issuer + "#key-1",
        "type": "Multikey",
        "controller": issuer,
        "publicKeyMultibase": multikey,
    }
    document = _badge(issuer={"id": issuer, "type": ["Profile"], "name": "x"})
    document["@context"] = [*document["@context"], MULTIKEY_CONTEXT]
    signed = sign_credential(
        document, KEY, verification_method=issuer + "#key-1", created=NOW, loader=loader
    )
    signed_with_method = copy.deepcopy(signed)
    signed_with_method["proof"][0]["verificationMethod"] = method
    # the embedded method changes the proof options, so sign over it
    resigned = sign_credential(
        document,
        KEY,
        verification_method=method,  # type: ignore[arg-type]
        created=NOW,
        loader=loader,
    )
    pinned = {issuer: [multikey]}
    result = verify_credential(resigned, loader=loader, now=NOW, trusted_issuers=pinned)
    assert result.verified and result.key_source == "document", result.message
    assert verify_credential(resigned, loader=loader, now=NOW).reason == "UNBOUND_KEY"
    assert verify_credential(
        signed_with_method, loader=loader, now=NOW, trusted_issuers=pinned
    ).reason == ("BAD_SIGNATURE")
    # without the context its terms are undefined: never verified
    assert verify_credential(resigned, now=NOW, trusted_issuers=pinned).status == "invalid"


def test_a_key_of_someone_else_is_refused() -> None:
    document = _badge(
        issuer={"id": "https://issuer.example/profile", "type": ["Profile"], "name": "x"}
    )
    signed = sign_credential(
        document,
        OTHER_KEY,
        verification_method=did_key(OTHER_KEY.public_key())
        + "#"
        + multibase_from_public_key(OTHER_KEY.public_key()),
        created=NOW,
    )
    assert verify_credential(signed, now=NOW).reason == "KEY_NOT_ISSUERS"


def test_a_wrong_key_is_a_bad_signature() -> None:
    signed = sign_credential(_badge(), KEY, created=NOW)
    other = multibase_from_public_key(OTHER_KEY.public_key())
    forged = copy.deepcopy(signed)
    forged["issuer"]["id"] = "did:key:" + other
    forged["proof"][0]["verificationMethod"] = f"did:key:{other}#{other}"
    assert verify_credential(forged, now=NOW).reason == "BAD_SIGNATURE"


def test_the_issuer_whitelist_and_pinned_keys() -> None:
    signed = sign_credential(_badge(), KEY, created=NOW)
    issuer = signed["issuer"]["id"]
    assert verify_credential(signed, now=NOW, trusted_issuers={issuer: []}).verified
    refused = verify_credential(signed, now=NOW, trusted_issuers={"did:key:zOther": []})
    assert refused.reason == "ISSUER_NOT_TRUSTED"
    pinned_other = {issuer: [multibase_from_public_key(OTHER_KEY.public_key())]}
    assert verify_credential(signed, now=NOW, trusted_issuers=pinned_other).reason == (
        "ISSUER_NOT_TRUSTED"
    )
    unsigned = verify_credential(_badge(), now=NOW, trusted_issuers={"did:key:zOther": []})
    assert unsigned.reason == "ISSUER_NOT_TRUSTED"


def test_terms_no_context_defines_are_refused() -> None:
    document = _badge()
    document["credentialSubject"]["creditsEarnedX"] = 99
    signed = sign_credential(document, KEY, created=NOW)
    result = verify_credential(signed, now=NOW)
    assert result.reason == "UNDEFINED_TERMS" and "creditsEarnedX" in result.message
    document = _badge()
    document["@fake"] = 1
    assert verify_credential(sign_credential(document, KEY, created=NOW), now=NOW).reason == (
        "UNDEFINED_TERMS"
    )


def test_unsupported_proofs_and_malformed_proofs() -> None:
    signed = sign_credential(_badge(), KEY, created=NOW)
    other_suite = copy.deepcopy(signed)
    other_suite["proof"][0]["cryptosuite"] = "ecdsa-rdfc-2019"
    assert verify_credential(other_suite, now=NOW).reason == "UNSUPPORTED_PROOF"
    bad_value = copy.deepcopy(signed)
    bad_value["proof"][0]["proofValue"] = "z0OIl"
    assert verify_credential(bad_value, now=NOW).reason == "MALFORMED_PROOF"
    purpose = copy.deepcopy(signed)
    purpose["proof"][0]["proofPurpose"] = "authentication"
    assert verify_credential(purpose, now=NOW).reason == "MALFORMED_PROOF"


def test_not_a_credential() -> None:
    assert verify_credential([1, 2], now=NOW).reason == "NOT_A_CREDENTIAL"
    document = _badge(type=["OpenBadgeCredential"])
    assert verify_credential(document, now=NOW).reason == "NOT_A_CREDENTIAL"


# ------------------------------------------------------------------- contexts


def test_an_unknown_context_is_refused_without_a_fetch() -> None:
    document = _badge()
    document["@context"].append("https://contexts.example/evil.jsonld")
    signed_like = {**document, "proof": sign_credential(_badge(), KEY, created=NOW)["proof"]}
    result = verify_credential(signed_like, loader=ContextLoader(fetch=refuse_fetch), now=NOW)
    assert (result.status, result.reason) == ("invalid", "UNKNOWN_CONTEXT")
    assert "https://contexts.example/evil.jsonld" in result.message
    assert "not in the local cache" in result.message


def test_a_fetch_is_attempted_only_when_allowed() -> None:
    document = _badge()
    document["@context"].append("https://contexts.example/other.jsonld")
    with pytest.raises(NetworkUsed):
        verify_credential(document, loader=strict_loader(), now=NOW)


def test_a_context_fetched_when_allowed_is_cached(tmp_path: Any) -> None:
    url = "https://contexts.example/extra.jsonld"
    calls: list[str] = []

    def fetch(wanted: str) -> bytes:
        calls.append(wanted)
        return json.dumps(
            {"@context": {"extraTerm": "https://contexts.example/extraTerm"}}
        ).encode()

    loader = ContextLoader(tmp_path, allow_network=True, fetch=fetch)
    document = _badge()
    document["@context"].append(url)
    document["extraTerm"] = "x"
    signed = sign_credential(document, KEY, created=NOW, loader=loader)
    assert verify_credential(signed, loader=loader, now=NOW).verified
    assert calls == [url] and loader.fetched == [url]
    offline = ContextLoader(tmp_path)  # the cache directory now serves it
    assert verify_credential(signed, loader=offline, now=NOW).verified


def test_the_bundled_contexts_are_intact_and_complete() -> None:
    loader = ContextLoader(fetch=refuse_fetch)
    for url in BUNDLED_CONTEXTS:
        assert "@context" in loader.load(url)
    assert "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json" in BUNDLED_CONTEXTS
    assert canonicalize({"@context": BUNDLED_CONTEXTS[-1], "@id": "urn:x"}, loader) == ""


@needs_fixtures
def test_the_bundled_contexts_are_the_validators_copies() -> None:
    """Where the shared fixtures hold the same context, the bundled copy is byte-identical."""
    index = json.loads((bundled_contexts_path() / "index.json").read_text(encoding="utf-8"))
    shared = {p.name: p.read_bytes() for p in fixture("contexts").iterdir()}
    assert len(shared) == 7
    for url, entry in index.items():
        bundled = (bundled_contexts_path() / entry["file"]).read_bytes()
        assert hashlib.sha256(bundled).hexdigest() == entry["sha256"], url
        if entry["file"] in shared:
            assert bundled == shared.pop(entry["file"]), url
    assert shared == {}  # every shared copy is bundled


def test_an_edited_cached_context_is_refused(tmp_path: Any) -> None:
    (tmp_path / "ctx.jsonld").write_text('{"@context": {"a": "urn:a"}}', encoding="utf-8")
    (tmp_path / "index.json").write_text(
        json.dumps({"https://c.example/ctx": {"file": "ctx.jsonld", "sha256": "0" * 64}}),
        encoding="utf-8",
    )
    with pytest.raises(InteropError) as caught:
        ContextLoader(tmp_path).load("https://c.example/ctx")
    assert "SHA-256" in caught.value.message


# ---------------------------------------------------------- hostile documents


def test_malformed_huge_and_deep_documents_give_clear_errors() -> None:
    with pytest.raises(InteropError) as caught:
        parse_json(b'{"a": 1,,}')
    assert caught.value.code == "MALFORMED_JSON" and "line 1" in caught.value.message
    with pytest.raises(InteropError) as caught:
        parse_json(b'{"a": 1, "a": 2}')
    assert caught.value.code == "MALFORMED_JSON" and "twice" in caught.value.message
    with pytest.raises(InteropError) as caught:
        parse_json(b"[NaN]")
    assert caught.value.code == "MALFORMED_JSON"
    with pytest.raises(InteropError) as caught:
        parse_json(b"\xff\xfe{}")
    assert caught.value.code == "MALFORMED_JSON"
    with pytest.raises(InteropError) as caught:
        parse_json(b"[" * 100_000 + b"]" * 100_000)
    assert caught.value.code == "DOCUMENT_TOO_DEEP"
    with pytest.raises(InteropError) as caught:
        parse_json(b" " * 5_000_000 + b"{}")
    assert caught.value.code == "DOCUMENT_TOO_LARGE"
    assert (
        parse_json('"[[[[ not nesting ]]]]"', limits=JsonLimits(depth=1)) == "[[[[ not nesting ]]]]"
    )


# ------------------------------------------------------------------- VC-JWT


def test_a_vc_jwt_verifies_and_a_changed_one_does_not() -> None:
    token = sign_jwt(_badge(), KEY)
    result, credential = verify_jwt(token, now=NOW)
    assert result.verified and result.method == "vc-jwt", result.message
    assert credential is not None and credential["name"] == "电工三级"
    header, payload, signature = token.split(".")
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    assert verify_jwt(f"{header}.{payload}.{flipped}", now=NOW)[0].reason == "BAD_SIGNATURE"
    other = sign_jwt(_badge(name="changed"), OTHER_KEY, kid=did_key(KEY.public_key()) + "#x")
    assert verify_jwt(other, now=NOW)[0].status == "invalid"


def test_a_vc_jwt_with_an_unknown_key_or_algorithm() -> None:
    token = sign_jwt(_badge(), KEY, kid="did:web:issuer.example#key-1")
    assert verify_jwt(token, now=NOW)[0].reason in ("UNKNOWN_KEY_METHOD", "KEY_NOT_ISSUERS")
    with pytest.raises(InteropError):
        verify_jwt("not-a-jwt", now=NOW)


def test_a_jwt_with_a_key_only_its_header_names_is_not_the_issuers() -> None:
    """A jwk header is whatever key the token's author chose."""
    forged = _badge(issuer={"id": "https://university.example/issuer", "type": ["Profile"]})
    token = _jwt({"alg": "EdDSA", "jwk": _jwk(OTHER_KEY)}, {"vc": forged}, OTHER_KEY)
    result, _ = verify_jwt(token, now=NOW)
    assert (result.status, result.reason, result.key_source) == (
        "unverifiable",
        "UNBOUND_KEY",
        "jwk",
    )
    own = _jwt({"alg": "EdDSA", "jwk": _jwk(KEY)}, {"vc": _badge()}, KEY)  # the did:key's key
    assert verify_jwt(own, now=NOW)[0].verified
    other = _jwt({"alg": "EdDSA", "jwk": _jwk(OTHER_KEY)}, {"vc": _badge()}, OTHER_KEY)
    assert verify_jwt(other, now=NOW)[0].reason == "UNBOUND_KEY"


def test_a_jwt_expires_with_its_exp_claim_in_either_form() -> None:
    past = int(dt.datetime(2025, 1, 1, tzinfo=dt.UTC).timestamp())
    kid = did_key(KEY.public_key()) + "#" + multibase_from_public_key(KEY.public_key())
    header = {"alg": "EdDSA", "kid": kid}
    vc2 = _jwt(header, {**_badge(), "exp": past}, KEY)  # VC 2.0: the payload is the credential
    assert verify_jwt(vc2, now=NOW)[0].reason == "EXPIRED"
    vc11 = _jwt(header, {"vc": _badge(), "exp": past}, KEY)
    assert verify_jwt(vc11, now=NOW)[0].reason == "EXPIRED"
    early = _jwt(header, {**_badge(), "nbf": past + 10**8}, KEY)
    assert verify_jwt(early, now=NOW)[0].reason == "NOT_YET_VALID"
    for bad in (10**20, "tomorrow", True):
        result = verify_jwt(_jwt(header, {"vc": _badge(), "nbf": bad}, KEY), now=NOW)[0]
        assert result.reason == "MALFORMED_CREDENTIAL", bad


def test_an_unsigned_jwt_is_never_verified() -> None:
    token = _b64({"alg": "none"}) + "." + _b64({"vc": _badge()}) + "."
    assert verify_jwt(token, now=NOW)[0].reason == "UNSUPPORTED_PROOF"
    hmac = _b64({"alg": "HS256", "kid": did_key(KEY.public_key())}) + "." + _b64(_badge()) + ".x"
    assert verify_jwt(hmac, now=NOW)[0].status != "verified"


def test_a_proof_created_in_the_future_or_with_a_bad_date() -> None:
    later = sign_credential(_badge(), KEY, created=NOW + dt.timedelta(days=1))
    assert verify_credential(later, now=NOW).reason == "NOT_YET_VALID"
    assert verify_credential(later, now=NOW + dt.timedelta(days=2)).verified
    skewed = sign_credential(_badge(), KEY, created=NOW + dt.timedelta(minutes=2))
    assert verify_credential(skewed, now=NOW).verified  # clocks differ a little
    garbled = sign_credential(_badge(), KEY, created=NOW)
    garbled["proof"][0]["created"] = "yesterday"
    assert verify_credential(garbled, now=NOW).reason == "MALFORMED_PROOF"
    expires = sign_credential(_badge(), KEY, created=NOW)
    expires["proof"][0]["expires"] = "2026-01-01T00:00:00Z"  # in the proof options: signed
    assert verify_credential(expires, now=NOW).reason == "EXPIRED"


def test_every_proof_counts() -> None:
    good = sign_credential(_badge(), KEY, created=NOW)["proof"][0]
    bad = sign_credential(_badge(name="another badge"), KEY, created=NOW)["proof"][0]
    other_suite = {**good, "cryptosuite": "ecdsa-rdfc-2019"}
    for proofs, reason in (
        ([good, bad], "BAD_SIGNATURE"),
        ([bad, good], "BAD_SIGNATURE"),
        ([good, other_suite], "UNSUPPORTED_PROOF"),
        ([good, good], "VERIFIED"),
    ):
        result = verify_credential({**_badge(), "proof": proofs}, now=NOW)
        assert result.reason == reason, (proofs, result)


def test_pinned_keys_count_whichever_proof_carries_them() -> None:
    issuer = "https://issuer.example/profile"
    document = _badge(issuer={"id": issuer, "type": ["Profile"], "name": "x"})
    first = sign_credential(document, KEY, created=NOW)["proof"][0]
    second = sign_credential(document, OTHER_KEY, created=NOW)["proof"][0]
    pinned = {issuer: [multibase_from_public_key(KEY.public_key())]}
    for proofs in ([first, second], [second, first]):
        result = verify_credential({**document, "proof": proofs}, now=NOW, trusted_issuers=pinned)
        assert result.verified, result


def test_an_empty_context_list_is_a_bad_context() -> None:
    result = verify_credential({**_badge(), "@context": []}, now=NOW)
    assert result.reason == "BAD_CONTEXT" and "None" in result.message


def test_a_poison_graph_is_refused_quickly() -> None:
    """Blank nodes that all look alike make RDFC-1.0 try every permutation: unbounded, eight
    mutually linked ones take about a minute, nine an hour."""
    count = 9
    nodes = [
        {
            "id": f"_:b{i}",
            "type": ["Achievement"],
            "related": [{"id": f"_:b{j}", "type": ["Related"]} for j in range(count) if j != i],
        }
        for i in range(count)
    ]
    document = _badge(evidence=nodes)
    started = time.monotonic()
    result = verify_credential(sign_like(document), now=NOW)
    assert result.reason == "MALFORMED_CREDENTIAL" and "blank nodes" in result.message
    assert time.monotonic() - started < 20


def test_too_many_values_of_one_property_are_refused_quickly() -> None:
    """pyld merges each value with a linear scan: 30 000 alignments took minutes."""
    document = _badge()
    document["credentialSubject"]["achievement"]["alignment"] = [
        {"type": ["Alignment"], "targetCode": f"c{i}"} for i in range(3000)
    ]
    started = time.monotonic()
    result = verify_credential(sign_like(document), now=NOW)
    assert result.reason == "MALFORMED_CREDENTIAL" and "too many values" in result.message
    assert time.monotonic() - started < 20


def sign_like(document: dict[str, Any]) -> dict[str, Any]:
    """The document with a proof of the right shape (its signature is not what is tested)."""
    return {**document, "proof": sign_credential(_badge(), KEY, created=NOW)["proof"]}


def _b64(data: Any) -> str:
    raw = json.dumps(data).encode() if not isinstance(data, bytes) else data
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _jwk(key: Any) -> dict[str, str]:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {"kty": "OKP", "crv": "Ed25519", "x": _b64(raw)}


def _jwt(header: dict[str, Any], payload: dict[str, Any], key: Any) -> str:
    signing_input = _b64(header) + "." + _b64(payload)
    return signing_input + "." + _b64(key.sign(signing_input.encode()))


def test_sign_jwt_reads_a_date_without_time_zone_as_utc(monkeypatch: pytest.MonkeyPatch) -> None:
    """As the verifier does; not as the local time of the machine that signs."""
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        token = sign_jwt(_badge(validFrom="2024-06-30T00:00:00"), KEY)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    payload = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    assert payload["nbf"] == int(dt.datetime(2024, 6, 30, tzinfo=dt.UTC).timestamp())


def test_a_huge_proof_value_or_key_is_refused_at_once() -> None:
    """Base58 decoding is quadratic: a megabyte-long value would take hours."""
    signed = sign_credential(_badge(), KEY, created=NOW)
    huge = copy.deepcopy(signed)
    huge["proof"][0]["proofValue"] = "z" + "2" * 1_000_000
    started = time.monotonic()
    assert verify_credential(huge, now=NOW).reason == "MALFORMED_PROOF"
    issuer = "https://issuer.example/profile"
    document = _badge(issuer={"id": issuer, "type": ["Profile"], "name": "x"})
    long_key = sign_credential(
        document, KEY, verification_method=f"{issuer}#z6Mk{'2' * 1_000_000}", created=NOW
    )
    assert verify_credential(long_key, now=NOW).reason == "MALFORMED_PROOF"
    assert time.monotonic() - started < 10
