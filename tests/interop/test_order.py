"""Issue 14, item 2: what is imported never depends on the order of ``alignment[]`` and
``result[]`` (JSON-LD sets: reordering them keeps the signature valid). Alignments that
name different units, or results that disagree, make the achievement ambiguous — named,
never guessed, never accepted."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from creditbank.cli import cli
from creditbank.interop.export import sign_credential
from creditbank.interop.keys import did_key
from creditbank.interop.openbadges import BadgeImport, BadgeMapping, import_badge_text
from creditbank.models import Standards
from tests.interop.helpers import KEY, NOW

ISSUER = did_key(KEY.public_key())
ACHIEVEMENT_ID = "https://badges.example/achievements/plc-and-wiring"
TRAINING = "course:electrician-skills-training"
PLC = "course:plc-application"
TEAMWORK = {
    "type": ["Alignment"],
    "targetName": "团队合作",
    "targetUrl": "https://skills.example/teamwork",
}


def _aligned(unit: str, *, by_url: bool = False) -> dict[str, Any]:
    if by_url:
        return {
            "type": ["Alignment"],
            "targetName": unit,
            "targetUrl": f"urn:creditbank:unit:{unit}",
        }
    return {"type": ["Alignment"], "targetName": unit, "targetCode": unit}


def _score(description: str, value: str) -> dict[str, Any]:
    return {"type": ["Result"], "resultDescription": description, "value": value}


def _credential(alignments: list[dict[str, Any]], results: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "urn:uuid:9b0e2f7c-1111-4c2d-8e3f-0000000000d1",
        "type": ["VerifiableCredential", "AchievementCredential"],
        "issuer": {"id": ISSUER, "type": ["Profile"], "name": "示例学院"},
        "validFrom": "2024-06-30T08:00:00Z",
        "name": "课程结业",
        "credentialSubject": {
            "id": "did:example:worker-7",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": ACHIEVEMENT_ID,
                "type": ["Achievement"],
                "name": "电气综合",
                "criteria": {"narrative": "结业考核"},
                "alignment": alignments,
                "resultDescription": [
                    {
                        "id": "urn:rd:theory",
                        "type": ["ResultDescription"],
                        "name": "理论",
                        "resultType": "Percent",
                    },
                    {
                        "id": "urn:rd:practice",
                        "type": ["ResultDescription"],
                        "name": "实操",
                        "resultType": "Percent",
                    },
                    {
                        "id": "urn:rd:grade",
                        "type": ["ResultDescription"],
                        "name": "等第",
                        "resultType": "LetterGrade",
                    },
                ],
            },
            "result": results,
        },
    }


SIGNED = {
    # the issue's credential: two units, two scores
    "two units": sign_credential(
        _credential(
            [_aligned(TRAINING), _aligned(PLC), TEAMWORK],
            [_score("urn:rd:theory", "40"), _score("urn:rd:practice", "95")],
        ),
        KEY,
        created=NOW,
    ),
    # one unit named three ways (and an alignment naming none); scores that disagree
    "two scores": sign_credential(
        _credential(
            [_aligned(PLC), _aligned(PLC, by_url=True), TEAMWORK],
            [_score("urn:rd:theory", "40"), _score("urn:rd:practice", "95")],
        ),
        KEY,
        created=NOW,
    ),
    # one unit, and results that agree (87 and 87.0 are one score; one grade)
    "agreeing": sign_credential(
        _credential(
            [_aligned(PLC), _aligned(PLC, by_url=True), TEAMWORK],
            [
                _score("urn:rd:theory", "87"),
                _score("urn:rd:practice", "87.0"),
                _score("urn:rd:grade", "良好"),
            ],
        ),
        KEY,
        created=NOW,
    ),
}


pytestmark = pytest.mark.usefixtures("no_network")


def _reordered(
    document: dict[str, Any], alignment: list[int] | None = None, result: list[int] | None = None
) -> dict[str, Any]:
    """The signed document with its alignments and results in another order (default:
    reversed); the signature stays valid."""
    copied = copy.deepcopy(document)
    subject = copied["credentialSubject"]
    aligned = subject["achievement"]["alignment"]
    results = subject["result"]
    subject["achievement"]["alignment"] = [
        aligned[i] for i in (alignment or range(len(aligned) - 1, -1, -1))
    ]
    subject["result"] = [results[i] for i in (result or range(len(results) - 1, -1, -1))]
    return copied


def _import(document: dict[str, Any], standards: Standards, **options: Any) -> BadgeImport:
    return import_badge_text(
        json.dumps(document, ensure_ascii=False), standards, now=NOW, trust=[ISSUER], **options
    )


def test_reversing_the_issues_credential_gives_one_ambiguity_report(standards: Standards) -> None:
    forward = _import(SIGNED["two units"], standards)
    backward = _import(_reordered(SIGNED["two units"]), standards)
    assert [v.reason for v in backward.verifications] == ["VERIFIED"]  # still signed
    assert forward.to_dict() == backward.to_dict()
    (record,) = forward.records
    assert not record.accepted and record.achievement is None and forward.accepted == ()
    assert record.error is not None and record.error.code == "AMBIGUOUS_UNIT"
    assert TRAINING in record.error.message and PLC in record.error.message
    assert f"targetCode '{TRAINING}'" in record.error.message
    assert ACHIEVEMENT_ID in record.error.message  # how to settle it: the mapping file
    assert forward.to_dict()["records"][0]["error"]["code"] == "AMBIGUOUS_UNIT"


def test_disagreeing_results_are_ambiguous_whatever_their_order(standards: Standards) -> None:
    forward = _import(SIGNED["two scores"], standards)
    backward = _import(_reordered(SIGNED["two scores"]), standards)
    assert forward.to_dict() == backward.to_dict()
    (record,) = forward.records
    assert not record.accepted and record.achievement is None
    assert record.error is not None and record.error.code == "AMBIGUOUS_RESULT"
    assert "2 different scores: 40" in record.error.message and "95" in record.error.message


def test_agreeing_alignments_and_results_import_the_same_whatever_their_order(
    standards: Standards,
) -> None:
    forward = _import(SIGNED["agreeing"], standards)
    backward = _import(_reordered(SIGNED["agreeing"]), standards)
    assert forward.to_dict() == backward.to_dict()
    (achievement,) = forward.accepted
    assert achievement.unit == PLC and achievement.score == 87
    assert achievement.grade == "良好"
    (record,) = forward.records
    assert record.error is None
    assert f"targetCode '{PLC}' (unit id), targetUrl 'urn:creditbank:unit:{PLC}'" in record.notes[0]


def test_the_mapping_files_achievement_entry_settles_the_unit(standards: Standards) -> None:
    mapping = BadgeMapping.model_validate({"achievements": {ACHIEVEMENT_ID: TRAINING}})
    settled = _import(SIGNED["two units"], standards, mapping=mapping)
    # the unit is settled; the two scores still disagree, and are still reported
    (record,) = settled.records
    assert record.error is not None and record.error.code == "AMBIGUOUS_RESULT"
    assert (
        settled.to_dict()
        == _import(_reordered(SIGNED["two units"]), standards, mapping=mapping).to_dict()
    )


def test_mapping_file_alignments_that_disagree_are_ambiguous(standards: Standards) -> None:
    mapping = BadgeMapping.model_validate(
        {"alignments": {PLC: TRAINING, "https://skills.example/teamwork": PLC}}
    )
    (record,) = _import(SIGNED["agreeing"], standards, mapping=mapping).records
    assert record.error is not None and record.error.code == "AMBIGUOUS_UNIT"
    (record,) = _import(
        SIGNED["agreeing"],
        standards,
        mapping=BadgeMapping.model_validate({"alignments": {PLC: PLC}}),
    ).records
    assert record.accepted and record.notes[0].startswith(f"unit {PLC} by mapping file")


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=st.sampled_from(sorted(SIGNED)),
    alignment=st.permutations(range(3)),
    result=st.permutations(range(3)),
)
def test_any_order_of_alignments_and_results_gives_the_identical_outcome(
    standards: Standards, name: str, alignment: list[int], result: list[int]
) -> None:
    document = SIGNED[name]
    results = len(document["credentialSubject"]["result"])
    order = [i for i in result if i < results]
    assert (
        _import(_reordered(document, alignment, order), standards).to_dict()
        == _import(document, standards).to_dict()
    )


def test_deposit_badge_skips_an_ambiguous_achievement_and_exits_1(tmp_path: Path) -> None:
    runner = CliRunner(env={"COLUMNS": "400"})
    badge = tmp_path / "two-units.json"
    badge.write_text(json.dumps(SIGNED["two units"], ensure_ascii=False), encoding="utf-8")
    db = ["ledger", "--db", str(tmp_path / "bank.db")]
    assert runner.invoke(cli, [*db, "init"]).exit_code == 0
    learner = ["--actor", "w-1", "--role", "learner", "--key", "k0"]
    assert runner.invoke(cli, [*db, "open", "w-1", *learner]).exit_code == 0
    issuer = ["--actor", "s-7", "--role", "issuer", "--org", "demo-college"]
    result = runner.invoke(
        cli,
        [*db, "deposit-badge", "w-1", str(badge), "--trust-issuer", ISSUER, *issuer, "--key", "b"],
    )
    assert result.exit_code == 1, result.output
    assert "skipped: AMBIGUOUS_UNIT" in result.output
    assert "0 achievement(s) deposited" in result.output
