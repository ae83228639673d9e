"""Importing Open Badges 3.0 / CLR 2.0: what maps to which unit, what is reported, accepted."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from creditbank import load_portfolio
from creditbank.interop.errors import InteropError
from creditbank.interop.export import sign_credential, sign_jwt
from creditbank.interop.jsonio import JsonLimits
from creditbank.interop.keys import did_key, multibase_from_public_key
from creditbank.interop.openbadges import (
    BadgeMapping,
    import_badge_file,
    import_badge_text,
    load_mapping,
    to_portfolio,
)
from creditbank.models import Standards
from creditbank.serialize import dump_yaml, to_plain
from tests.interop.helpers import (
    KEY,
    NOW,
    OTHER_KEY,
    SAMPLE_KEYS,
    fixture,
    needs_fixtures,
)

ISSUER = did_key(KEY.public_key())
ELECTRICIAN = "skill:csco2022:6-31-01-03"
TEAMWORK = "https://example.com/achievements/21st-century-skills/teamwork"


pytestmark = pytest.mark.usefixtures("no_network")


def electrician_badge(**subject: Any) -> dict[str, Any]:
    """A skill-level certificate as an OB 3.0 AchievementCredential, aligned by occupation code."""
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "urn:uuid:9b0e2f7c-1111-4c2d-8e3f-000000000001",
        "type": ["VerifiableCredential", "AchievementCredential"],
        "issuer": {"id": ISSUER, "type": ["Profile"], "name": "示例评价机构"},
        "validFrom": "2024-06-30T08:00:00Z",
        "validUntil": "2029-06-30T00:00:00Z",
        "awardedDate": "2024-06-28T00:00:00Z",
        "name": "电工职业技能等级证书（三级）",
        "evidence": [{"id": "https://evidence.example/exam/123", "type": ["Evidence"]}],
        "credentialSubject": {
            "id": "did:example:worker-7",
            "type": ["AchievementSubject"],
            "licenseNumber": "S000044010001242000123",
            "creditsEarned": 4.5,
            "achievement": {
                "id": "https://badges.example/achievements/electrician",
                "type": ["Achievement"],
                "name": "电工",
                "criteria": {"narrative": "职业技能等级认定"},
                "alignment": [
                    {
                        "type": ["Alignment"],
                        "targetName": "电工",
                        "targetCode": "6-31-01-03",
                        "targetUrl": "https://occupations.example/6-31-01-03",
                    }
                ],
                "resultDescription": [
                    {
                        "id": "urn:rd:level",
                        "type": ["ResultDescription"],
                        "name": "等级",
                        "resultType": "RubricCriterionLevel",
                        "rubricCriterionLevel": [
                            {
                                "id": "urn:rd:level:3",
                                "type": ["RubricCriterionLevel"],
                                "name": "三级",
                            }
                        ],
                    },
                    {
                        "id": "urn:rd:score",
                        "type": ["ResultDescription"],
                        "name": "理论考试",
                        "resultType": "Percent",
                    },
                    {
                        "id": "urn:rd:raw",
                        "type": ["ResultDescription"],
                        "name": "实操",
                        "resultType": "RawScore",
                    },
                ],
            },
            "result": [
                {
                    "type": ["Result"],
                    "resultDescription": "urn:rd:level",
                    "achievedLevel": "urn:rd:level:3",
                },
                {"type": ["Result"], "resultDescription": "urn:rd:score", "value": "87"},
                {"type": ["Result"], "resultDescription": "urn:rd:raw", "value": "41"},
            ],
            **subject,
        },
    }


def _signed(document: dict[str, Any]) -> str:
    return json.dumps(sign_credential(document, KEY, created=NOW), ensure_ascii=False)


def test_a_verified_badge_maps_every_field(standards: Standards) -> None:
    result = import_badge_text(_signed(electrician_badge()), standards, now=NOW, trust=[ISSUER])
    assert result.error is None and [v.reason for v in result.verifications] == ["VERIFIED"]
    (record,) = result.records
    assert record.accepted
    achievement = record.achievement
    assert achievement is not None
    assert achievement.unit == ELECTRICIAN
    assert achievement.level == "3"
    assert achievement.earned_on == dt.date(2024, 6, 28)  # awardedDate before validFrom
    assert achievement.expires_on == dt.date(2029, 6, 30)
    assert str(achievement.score) == "87"
    assert achievement.credits is not None and str(achievement.credits.amount) == "4.5"
    assert achievement.evidence == "https://evidence.example/exam/123"
    assert achievement.certificate_number == "S000044010001242000123"
    assert achievement.note is not None and "verified" in achievement.note
    notes = " | ".join(record.notes)
    assert "alignment targetCode" in notes
    assert "'实操' (RawScore: '41') not mapped" in notes  # reported by name, not dropped
    assert "is not an issuer of the standards" in notes
    assert result.accepted == (achievement,)


def test_the_imported_portfolio_loads_against_the_standards(
    standards: Standards, tmp_path: Path
) -> None:
    mapping = BadgeMapping.model_validate(
        {"issuers": {ISSUER: {"issuer": "demo-assessment-centre"}}}
    )
    result = import_badge_text(_signed(electrician_badge()), standards, mapping=mapping, now=NOW)
    portfolio = to_portfolio([result], "worker-7")
    assert portfolio.achievements[0].issuer == "demo-assessment-centre"
    path = tmp_path / "p.yaml"
    path.write_text(dump_yaml({"kind": "portfolio", **to_plain(portfolio)}), encoding="utf-8")
    assert load_portfolio(path, standards) == portfolio


def test_a_mapping_file_maps_achievements_levels_and_whitelists_issuers(
    standards: Standards, tmp_path: Path
) -> None:
    badge = electrician_badge()
    badge["credentialSubject"]["achievement"].pop("alignment")
    badge["credentialSubject"]["result"] = []
    path = tmp_path / "map.yaml"
    path.write_text(
        "kind: badge_mapping\n"
        "issuers:\n"
        f"  '{ISSUER}':\n"
        "    issuer: demo-assessment-centre\n"
        f"    keys: [{multibase_from_public_key(KEY.public_key())}]\n"
        "achievements:\n"
        "  'https://badges.example/achievements/electrician':\n"
        "    {unit: 'skill:csco2022:6-31-01-03', level: 高级工}\n",
        encoding="utf-8",
    )
    mapping = load_mapping(path)
    result = import_badge_text(_signed(badge), standards, mapping=mapping, now=NOW)
    (record,) = result.records
    assert record.accepted and record.achievement is not None
    assert (record.achievement.unit, record.achievement.level) == (ELECTRICIAN, "3")
    assert record.achievement.issuer == "demo-assessment-centre"
    # another issuer, not on the whitelist: invalid, never accepted
    foreign = sign_credential(
        {
            **badge,
            "issuer": {"id": did_key(OTHER_KEY.public_key()), "type": ["Profile"], "name": "x"},
        },
        OTHER_KEY,
        created=NOW,
    )
    refused = import_badge_text(
        json.dumps(foreign), standards, mapping=mapping, now=NOW, accept_unverified=True
    )
    assert refused.verifications[0].reason == "ISSUER_NOT_TRUSTED"
    assert refused.accepted == ()


def test_a_bad_mapping_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "map.yaml"
    path.write_text("kind: badge_mapping\nachievments: {}\n", encoding="utf-8")
    with pytest.raises(InteropError) as caught:
        load_mapping(path)
    assert caught.value.code == "INVALID_MAPPING" and "achievments" in caught.value.message
    path.write_text(
        "kind: badge_mapping\nissuers:\n  'https://x.example':\n    keys: [z6MkTypo]\n",
        encoding="utf-8",
    )
    with pytest.raises(InteropError) as caught:
        load_mapping(path)
    assert caught.value.code == "INVALID_MAPPING" and "z6MkTypo" in caught.value.message


def test_unverified_credentials_only_when_accepted_and_then_marked(standards: Standards) -> None:
    unsigned = json.dumps(electrician_badge())
    strict = import_badge_text(unsigned, standards, now=NOW, trust=[ISSUER])
    assert strict.verifications[0].reason == "NO_PROOF"
    assert strict.accepted == () and strict.records[0].achievement is not None
    lenient = import_badge_text(
        unsigned, standards, now=NOW, trust=[ISSUER], accept_unverified=True
    )
    (achievement,) = lenient.accepted
    assert achievement.note is not None and "UNVERIFIED (NO_PROOF)" in achievement.note


def test_invalid_credentials_are_never_accepted(standards: Standards) -> None:
    signed = sign_credential(electrician_badge(), KEY, created=NOW)
    signed["credentialSubject"]["creditsEarned"] = 40
    result = import_badge_text(json.dumps(signed), standards, now=NOW, accept_unverified=True)
    assert result.verifications[0].reason == "BAD_SIGNATURE"
    assert result.accepted == () and result.records[0].achievement is None
    expired = import_badge_text(
        _signed(electrician_badge()),
        standards,
        now=dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
        accept_unverified=True,
    )
    assert expired.verifications[0].reason == "EXPIRED" and expired.accepted == ()


def test_an_achievement_that_matches_no_unit_is_reported_by_name(standards: Standards) -> None:
    badge = electrician_badge()
    badge["credentialSubject"]["achievement"]["alignment"] = []
    badge["credentialSubject"]["achievement"]["name"] = "团队协作"
    result = import_badge_text(_signed(badge), standards, now=NOW, trust=[ISSUER])
    (record,) = result.records
    assert not record.accepted and record.achievement is None
    assert "'团队协作'" in record.notes[0] and "matches no unit" in record.notes[0]


def test_a_verified_jwt_of_any_shape_is_mapped_without_a_crash(standards: Standards) -> None:
    """A JWT's credential is not checked as JSON-LD: a verified one can hold any JSON."""
    badge = electrician_badge()
    levels = badge["credentialSubject"]["achievement"]["resultDescription"][0]
    levels["rubricCriterionLevel"][0]["id"] = ["urn:rd:level:3"]
    badge["credentialSubject"]["result"][1]["value"] = {"not": "a score"}
    result = import_badge_text(sign_jwt(badge, KEY), standards, now=NOW, trust=[ISSUER])
    assert result.verifications[0].verified
    (record,) = result.records
    assert record.achievement is not None and record.achievement.level is None
    notes = " | ".join(record.notes)
    assert "is not a level of unit" in notes and "score {'not': 'a score'} not usable" in notes


def test_a_vc_jwt_badge_is_verified_and_mapped(standards: Standards) -> None:
    token = sign_jwt(electrician_badge(), KEY)
    result = import_badge_text(token, standards, now=NOW, trust=[ISSUER])
    assert result.verifications[0].method == "vc-jwt" and result.verifications[0].verified
    assert result.accepted[0].unit == ELECTRICIAN


@needs_fixtures
def test_the_clr_sample_imports_with_its_embedded_credential_and_association(
    standards: Standards,
) -> None:
    pinned = BadgeMapping.model_validate(
        {"issuers": {i: {"keys": k} for i, k in SAMPLE_KEYS.items()}}
    )
    result = import_badge_file(fixture("clr20", "simple.json"), standards, mapping=pinned, now=NOW)
    assert [v.status for v in result.verifications] == ["verified", "verified"]
    (record,) = result.records
    assert record.name == "Teamwork" and record.verification.verified
    assert "matches no unit" in record.notes[0]  # the sample's badge is no unit of ours
    assert [a.type for a in result.associations] == ["isParentOf"]
    listed = [n for n in result.unmapped if "without a credential asserting it" in n]
    assert len(listed) == 2 and "'Achievement 1'" in listed[0]


@needs_fixtures
def test_the_ob_sample_maps_with_a_mapping(standards: Standards) -> None:
    mapping = BadgeMapping.model_validate(
        {
            "issuers": {i: {"keys": k} for i, k in SAMPLE_KEYS.items()},
            "achievements": {TEAMWORK: "course:career-planning"},
        }
    )
    result = import_badge_file(fixture("ob30", "simple.json"), standards, mapping=mapping, now=NOW)
    (achievement,) = result.accepted
    assert achievement.unit == "course:career-planning"
    assert achievement.earned_on == dt.date(2010, 1, 1)
    assert achievement.evidence == "http://example.com/credentials/3527"
    # without the pinned key, the sample's key is only its own word: not accepted
    unpinned = BadgeMapping.model_validate({"achievements": {TEAMWORK: "course:career-planning"}})
    sample_issuer = ["https://example.com/issuers/876543"]  # trusted, but no key pinned
    strict = import_badge_file(
        fixture("ob30", "simple.json"), standards, mapping=unpinned, now=NOW, trust=sample_issuer
    )
    assert strict.verifications[0].reason == "UNBOUND_KEY" and strict.accepted == ()
    lenient = import_badge_file(
        fixture("ob30", "simple.json"),
        standards,
        mapping=unpinned,
        now=NOW,
        accept_unverified=True,
        trust=sample_issuer,
    )
    (marked,) = lenient.accepted
    assert marked.note is not None and "UNVERIFIED (UNBOUND_KEY)" in marked.note


def test_a_credential_forged_in_a_standards_issuers_name_is_not_accepted(
    standards: Standards,
) -> None:
    """Signed with the forger's key, named in the verification method's fragment."""
    issuer = "https://demo-assessment-centre.example/issuer"  # on the standards' whitelist
    badge = electrician_badge()
    badge["issuer"] = {"id": issuer, "type": ["Profile"], "name": "forged"}
    forged = sign_credential(badge, OTHER_KEY, created=NOW)
    result = import_badge_text(json.dumps(forged, ensure_ascii=False), standards, now=NOW)
    assert result.verifications[0].reason == "UNBOUND_KEY"
    assert result.accepted == ()


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"{not json", "MALFORMED_JSON"),
        (b"[" * 90 + b"]" * 90, "DOCUMENT_TOO_DEEP"),
        (b'{"a": "' + b"x" * 300 + b'"}', "DOCUMENT_TOO_LARGE"),
        (b'["a list"]', "NOT_A_CREDENTIAL"),
        (
            b'{"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["Thing"]}',
            "NOT_A_CREDENTIAL",
        ),
    ],
)
def test_hostile_or_broken_files_are_rejected_and_nothing_is_accepted(
    standards: Standards, tmp_path: Path, content: bytes, code: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    result = import_badge_file(
        path, standards, now=NOW, accept_unverified=True, limits=JsonLimits(max_bytes=200)
    )
    assert result.error is not None and result.error.code == code
    assert result.error.source == str(path)
    assert result.records == () and result.accepted == ()


def test_an_unknown_context_or_key_method_accepts_nothing(standards: Standards) -> None:
    signed = sign_credential(electrician_badge(), KEY, created=NOW)
    signed["@context"].append("https://contexts.example/unknown.jsonld")
    result = import_badge_text(
        json.dumps(signed), standards, now=NOW, trust=[ISSUER], accept_unverified=True
    )
    assert result.verifications[0].reason == "UNKNOWN_CONTEXT" and result.accepted == ()
    web = electrician_badge()
    web["issuer"] = {"id": "did:web:issuer.example", "type": ["Profile"], "name": "x"}
    method = "did:web:issuer.example#key-1"
    signed = sign_credential(web, KEY, verification_method=method, created=NOW)
    strict = import_badge_text(
        json.dumps(signed), standards, now=NOW, trust=["did:web:issuer.example"]
    )
    assert strict.verifications[0].reason == "UNKNOWN_KEY_METHOD" and strict.accepted == ()


def test_letter_grades_map_to_grade_scales_or_are_reported(standards: Standards) -> None:
    badge = electrician_badge()
    achievement = badge["credentialSubject"]["achievement"]
    achievement["resultDescription"] = [
        {
            "id": "urn:rd:g",
            "type": ["ResultDescription"],
            "name": "总评",
            "resultType": "LetterGrade",
        },
        {
            "id": "urn:rd:h",
            "type": ["ResultDescription"],
            "name": "附加",
            "resultType": "LetterGrade",
        },
    ]
    badge["credentialSubject"]["result"] = [
        {"type": ["Result"], "resultDescription": "urn:rd:g", "value": "良好"},
        {"type": ["Result"], "resultDescription": "urn:rd:h", "value": "B+"},
    ]
    result = import_badge_text(_signed(badge), standards, now=NOW, trust=[ISSUER])
    (record,) = result.records
    assert record.achievement is not None and record.achievement.grade == "良好"
    assert any("grade 'B+' is on no grade scale" in note for note in record.notes)
    assert any("states no level" in note for note in record.notes)
