"""An evaluation's recognised credit as Open Badges 3.0 / CLR 2.0 credentials.

:func:`evaluation_credentials` gives one ``AchievementCredential`` per use of recognised
credit — an exempted or partly credited course, or credits into a requirement — and
:func:`evaluation_clr` one ``ClrCredential`` embedding them. They are unsigned unless the
caller passes an Ed25519 key; then each is secured with an eddsa-rdfc-2022 Data
Integrity proof (:func:`sign_credential`) that :func:`creditbank.interop.verify_credential`
verifies. The issuer is the caller's id, else the key's did:key, else
``urn:creditbank:issuer:SCHOOL``.

Achievements carry ``urn:creditbank:unit:COURSE`` ids, so importing an export maps each
back to its course without a mapping file.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import warnings
from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from joserfc import jws
from joserfc.jwk import OKPKey

from creditbank.engine.result import Evaluation, Use
from creditbank.interop.jsonld import ContextLoader
from creditbank.interop.keys import b58encode, did_key, verification_method_for
from creditbank.interop.openbadges import UNIT_URN
from creditbank.interop.verify import VC_V2_CONTEXT, credential_dates, proof_hash
from creditbank.models import Label, Standards

__all__ = [
    "CLR_CONTEXT",
    "OB_CONTEXT",
    "evaluation_clr",
    "evaluation_credentials",
    "sign_credential",
    "sign_jwt",
]

OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CLR_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"


def _timestamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _name(label: Label | None, fallback: str) -> str:
    return label.text("zh") if label is not None else fallback


def sign_credential(
    document: Mapping[str, Any],
    key: Ed25519PrivateKey,
    *,
    verification_method: str | None = None,
    created: dt.datetime | None = None,
    loader: ContextLoader | None = None,
) -> dict[str, Any]:
    """A copy of ``document`` with an eddsa-rdfc-2022 Data Integrity proof added.

    The verification method defaults to the key's ``did:key`` (with the key as fragment),
    or to ``ISSUER#z6Mk…`` when the issuer is not that did:key.
    """
    loader = loader or ContextLoader()
    public = key.public_key()
    issuer = document.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if verification_method is None:
        controller = issuer_id if isinstance(issuer_id, str) else did_key(public)
        verification_method = verification_method_for(public, controller)
    proof: dict[str, Any] = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": _timestamp(created or dt.datetime.now(dt.UTC)),
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
    }
    unsigned = {k: copy.deepcopy(v) for k, v in document.items() if k != "proof"}
    signature = key.sign(proof_hash(unsigned, proof, loader))
    return {**unsigned, "proof": [{**proof, "proofValue": "z" + b58encode(signature)}]}


def sign_jwt(
    credential: Mapping[str, Any], key: Ed25519PrivateKey, *, kid: str | None = None
) -> str:
    """The credential as a VC-JWT (VC 1.1 JWT encoding: ``vc`` claim; ``iss``, ``jti``,
    ``sub``, ``nbf`` and ``exp`` repeat its issuer, id, subject id and validity dates).

    Signed with alg ``EdDSA`` (what Open Badges 3.0 verifiers expect); ``kid`` defaults to
    the key's did:key verification method.
    """
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    claims: dict[str, Any] = {"vc": dict(credential)}
    if isinstance(issuer_id, str):
        claims["iss"] = issuer_id
    if isinstance(credential.get("id"), str):
        claims["jti"] = credential["id"]
    subject = credential.get("credentialSubject")
    if isinstance(subject, dict) and isinstance(subject.get("id"), str):
        claims["sub"] = subject["id"]
    start, end = credential_dates(credential)  # a date without a time zone is UTC, as verified
    if start is not None:
        claims["nbf"] = int(start.timestamp())
    if end is not None:
        claims["exp"] = int(end.timestamp())
    header = {
        "alg": "EdDSA",
        "typ": "JWT",
        "kid": kid
        or verification_method_for(
            key.public_key(), issuer_id if isinstance(issuer_id, str) else None
        ),
    }
    payload = json.dumps(claims, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return jws.serialize_compact(header, payload, OKPKey.import_key(key), algorithms=["EdDSA"])


def _issuer_profile(
    evaluation: Evaluation, standards: Standards, issuer: str | None, key: Ed25519PrivateKey | None
) -> dict[str, Any]:
    program = standards.programs.get(evaluation.program)
    school = standards.issuers.get(program.school) if program and program.school else None
    if issuer is None:
        if key is not None:
            issuer = did_key(key.public_key())
        else:
            issuer = "urn:creditbank:issuer:" + quote(
                program.school if program and program.school else "unknown", safe=":"
            )
    return {
        "id": issuer,
        "type": ["Profile"],
        "name": _name(school.name if school else None, "creditbank"),
    }


def _achievement(use: Use, evaluation: Evaluation, standards: Standards) -> dict[str, Any]:
    program = standards.programs.get(evaluation.program)
    program_name = _name(program.name if program else None, evaluation.program)
    if use.course is not None:
        course = standards.units.get(use.course)
        name = _name(course.name if course else None, use.course)
        achievement: dict[str, Any] = {
            "id": UNIT_URN + use.course,
            "type": ["Achievement"],
            "achievementType": "Course",
            "name": name,
            "criteria": {
                "narrative": (
                    f"{'Exempted' if use.kind == 'exemption' else 'Partly credited'} in "
                    f"{program_name} ({evaluation.program}) under rule {use.rule}, recognising "
                    f"{', '.join(use.achievements)}; creditbank evaluation as of "
                    f"{evaluation.as_of.isoformat()}."
                )
            },
            "alignment": [
                {
                    "type": ["Alignment"],
                    "targetName": name,
                    "targetUrl": UNIT_URN + use.course,
                    "targetCode": use.course,
                }
            ],
        }
        if course is not None and course.credits is not None:
            achievement["creditsAvailable"] = float(course.credits.amount)
        code = getattr(course, "code", None)
        if isinstance(code, str):
            achievement["humanCode"] = code
    else:
        requirement = program.requirement(use.requirement) if program else None
        name = _name(requirement.name if requirement else None, use.requirement)
        achievement = {
            "id": f"urn:creditbank:program:{quote(evaluation.program, safe=':')}:requirement:"
            f"{quote(use.requirement, safe='')}",
            "type": ["Achievement"],
            "achievementType": "ext:RecognisedCredit",
            "name": f"{program_name}: {name}",
            "criteria": {
                "narrative": (
                    f"Credits recognised into {name} of {program_name} ({evaluation.program}) "
                    f"under rule {use.rule}, from {', '.join(use.achievements)}; creditbank "
                    f"evaluation as of {evaluation.as_of.isoformat()}."
                )
            },
        }
    if use.recorded_grade is not None:
        numeric = _is_number(use.recorded_grade)
        achievement["resultDescription"] = [
            {
                "id": "urn:creditbank:result:recorded-grade",
                "type": ["ResultDescription"],
                "name": "Recorded grade",
                "resultType": "Percent" if numeric else "LetterGrade",
            }
        ]
    return achievement


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True


def _credential(
    use: Use,
    index: int,
    *,
    evaluation: Evaluation,
    standards: Standards,
    profile: dict[str, Any],
    issued: dt.datetime,
) -> dict[str, Any]:
    subject: dict[str, Any] = {
        "id": "urn:creditbank:learner:" + quote(evaluation.learner, safe=""),
        "type": ["AchievementSubject"],
        "achievement": _achievement(use, evaluation, standards),
        "creditsEarned": float(use.credits),
    }
    if use.recorded_grade is not None:
        subject["result"] = [
            {
                "type": ["Result"],
                "resultDescription": "urn:creditbank:result:recorded-grade",
                "value": use.recorded_grade,
            }
        ]
    ident = "|".join(
        [evaluation.program, evaluation.learner, evaluation.as_of.isoformat(), str(index)]
    )
    return {
        "@context": [VC_V2_CONTEXT, OB_CONTEXT],
        "id": "urn:creditbank:credential:" + quote(ident, safe=""),
        "type": ["VerifiableCredential", "AchievementCredential"],
        "name": subject["achievement"]["name"],
        "issuer": profile,
        "validFrom": _timestamp(issued),
        "awardedDate": _timestamp(issued),
        "credentialSubject": subject,
        "evidence": [
            {
                "type": ["Evidence"],
                "name": "creditbank evaluation",
                "narrative": (
                    f"Evaluation of {evaluation.learner} for {evaluation.program} as of "
                    f"{evaluation.as_of.isoformat()} under standards "
                    f"{evaluation.standards_fingerprint}."
                ),
            }
        ],
    }


def evaluation_credentials(
    evaluation: Evaluation,
    standards: Standards,
    *,
    issuer: str | None = None,
    key: Ed25519PrivateKey | None = None,
    issued: dt.datetime | None = None,
    loader: ContextLoader | None = None,
) -> list[dict[str, Any]]:
    """One AchievementCredential per use of recognised credit (a course, or requirement
    credits), in the evaluation's order; signed when ``key`` is given.

    ``issued`` (default: the evaluation's as-of day, 00:00 UTC) becomes ``validFrom`` and
    ``awardedDate``.
    """
    moment = issued or dt.datetime.combine(evaluation.as_of, dt.time(), dt.UTC)
    profile = _issuer_profile(evaluation, standards, issuer, key)
    out = []
    for index, use in enumerate(evaluation.uses()):
        credential = _credential(
            use,
            index,
            evaluation=evaluation,
            standards=standards,
            profile=profile,
            issued=moment,
        )
        if key is not None:
            credential = sign_credential(credential, key, created=moment, loader=loader)
        out.append(credential)
    return out


def evaluation_clr(
    evaluation: Evaluation,
    standards: Standards,
    *,
    issuer: str | None = None,
    key: Ed25519PrivateKey | None = None,
    issued: dt.datetime | None = None,
    loader: ContextLoader | None = None,
) -> dict[str, Any]:
    """One ClrCredential for the whole transfer, embedding :func:`evaluation_credentials`
    (each signed, and the CLR itself, when ``key`` is given)."""
    moment = issued or dt.datetime.combine(evaluation.as_of, dt.time(), dt.UTC)
    loader = loader or ContextLoader()
    embedded = evaluation_credentials(
        evaluation, standards, issuer=issuer, key=key, issued=moment, loader=loader
    )
    profile = _issuer_profile(evaluation, standards, issuer, key)
    program = standards.programs.get(evaluation.program)
    program_name = _name(program.name if program else None, evaluation.program)
    clr: dict[str, Any] = {
        "@context": [VC_V2_CONTEXT, CLR_CONTEXT, OB_CONTEXT],
        "id": "urn:creditbank:clr:"
        + quote(
            f"{evaluation.program}|{evaluation.learner}|{evaluation.as_of.isoformat()}", safe=""
        ),
        "type": ["VerifiableCredential", "ClrCredential"],
        "name": f"{program_name}: recognised credit ({evaluation.totals.recognised} of "
        f"{evaluation.totals.program_total})",
        "issuer": profile,
        "validFrom": _timestamp(moment),
        "credentialSubject": {
            "id": "urn:creditbank:learner:" + quote(evaluation.learner, safe=""),
            "type": ["ClrSubject"],
            "verifiableCredential": embedded,
        },
    }
    if key is not None:
        clr = sign_credential(clr, key, created=moment, loader=loader)
    return clr
