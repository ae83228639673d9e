"""Is this credential genuine? Data Integrity (eddsa-rdfc-2022) and VC-JWT verification.

Every check ends in a :class:`Verification` with one of three statuses and a stable
reason:

==============  =====================================================================
``verified``    every proof verifies with an Ed25519 key controlled by the issuer, the
                credential is inside its validity window and, when a whitelist is
                given, its issuer (and key, if pinned) is on it
``unverifiable`` nothing is known to be wrong, but nothing could be checked: no proof
                (``NO_PROOF``), a key that cannot be resolved offline
                (``UNKNOWN_KEY_METHOD``), a key that the document alone names, which
                nothing binds to the issuer (``UNBOUND_KEY``), a proof type other than
                eddsa-rdfc-2022 or an EdDSA JWT (``UNSUPPORTED_PROOF``); or every
                check passed but the credential carries a ``credentialStatus`` (a
                revocation or suspension status-list entry), which creditbank cannot
                check yet (``STATUS_UNCHECKED``): it may have been revoked
``invalid``     something is wrong: ``BAD_SIGNATURE``, ``EXPIRED``, ``NOT_YET_VALID``,
                ``ISSUER_MISSING``, ``ISSUER_NOT_TRUSTED``, ``KEY_NOT_ISSUERS`` (signed by
                a key the issuer does not control), ``BAD_CONTEXT`` (also: an inline
                context), ``UNKNOWN_CONTEXT``, ``UNDEFINED_TERMS`` (content no signature
                covers under the name it is read by), ``MALFORMED_PROOF``,
                ``MALFORMED_CREDENTIAL`` (also: too complex to canonicalise),
                ``CLAIM_MISMATCH`` (a VC-JWT's ``iss``, ``sub``, ``jti``, ``nbf`` or
                ``exp`` contradicts the credential), ``NOT_A_CREDENTIAL``
==============  =====================================================================

``credential_status`` is ``"unchecked"`` whenever the credential carries a
``credentialStatus`` (or a VC-JWT a ``status`` claim), whatever the outcome: a
credential whose status was not checked is never ``verified``, and it is accepted only
when the caller accepts unchecked status explicitly (:func:`why_not_accepted`).

``unverifiable`` never hides a known problem: the validity window, a VC-JWT's claims and
the whitelist are checked whatever became of the signature, for Data Integrity proofs and
VC-JWTs alike (also inside a CLR), and a credential failing one of them is ``invalid``.

eddsa-rdfc-2022 (W3C *Data Integrity EdDSA Cryptosuites v1.0*): the proof options with
the document's ``@context`` and the document without its proof are each canonicalised
with RDFC-1.0; the signature is Ed25519 over SHA-256(options) || SHA-256(document).
Keys come from the caller (``keys``), from ``did:key``, from a verification method object
in the document, or from a Multikey in the fragment of the verification method URL
(``https://issuer.example/profile#z6Mk…``, as 1EdTech's validator writes them).

A key found in the document itself (the last two, or a JWT's ``jwk`` header) proves that
the document is intact and was signed by whoever holds that key — not that the key
belongs to the issuer named in it: anyone can write ``https://university.example#z6Mk…``
with a key of their own. Such a credential is ``verified`` only when the key is pinned for
its issuer in the whitelist (``trusted_issuers``); otherwise it is ``unverifiable``
(``UNBOUND_KEY``). A ``did:key`` issuer is its key, and a key the caller provides is
trusted by the caller, so both are bound.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import functools
import hashlib
import warnings
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from joserfc import jws
from joserfc.errors import BadSignatureError, JoseError
from joserfc.jwk import OKPKey

from creditbank.interop.errors import InteropError
from creditbank.interop.jsonio import parse_json
from creditbank.interop.jsonld import (
    ContextLoader,
    JsonLdProblem,
    TooComplex,
    canonicalize,
    check_complexity,
    context_urls,
    inline_contexts,
    undefined_terms,
)
from creditbank.interop.jwt_claims import claim_mismatches, claim_time
from creditbank.interop.keys import (
    b58decode,
    multibase_from_public_key,
    public_key_from_multibase,
)
from creditbank.interop.vcfields import (
    credential_dates,
    issuer_of,
    parse_datetime,
    status_entries,
)
from creditbank.models.verification import (
    REASON_STATUS,
    VerificationReason,
    VerificationStatus,
)

__all__ = [
    "REASON_STATUS",
    "VC_V1_CONTEXT",
    "VC_V2_CONTEXT",
    "CredentialStatus",
    "IssuerTrust",
    "KeySource",
    "Verification",
    "VerificationReason",
    "VerificationStatus",
    "credential_dates",
    "document_hash",
    "issuer_of",
    "parse_datetime",
    "proof_hash",
    "resolve_key",
    "verify_credential",
    "verify_jwt",
    "why_not_accepted",
]

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
VC_V1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
CRYPTOSUITE: Literal["eddsa-rdfc-2022"] = "eddsa-rdfc-2022"
CLOCK_SKEW = dt.timedelta(minutes=5)
"""How far in the future a proof's ``created`` may lie (the signer's clock is not ours)."""

KeySource = Literal["caller", "did:key", "document", "fragment", "jwk"]
IssuerTrust = Literal["standards", "caller", "unchecked"]
"""How an issuer passed the whitelist: an identifier of a standards issuer, trusted
explicitly by the caller, or not checked (the caller turned the whitelist off)."""

CredentialStatus = Literal["unchecked"]
"""What became of a credential's ``credentialStatus``: not checked (status lists are not
checked yet). None when the credential carries none."""


@dataclass(frozen=True)
class Verification:
    """The outcome of verifying one credential: status, stable reason and a sentence."""

    status: VerificationStatus
    reason: VerificationReason
    message: str
    credential_id: str | None = None
    issuer: str | None = None
    method: Literal["eddsa-rdfc-2022", "vc-jwt"] | None = None
    verification_method: str | None = None
    key_source: KeySource | None = None
    issuer_trust: IssuerTrust | None = None
    credential_status: CredentialStatus | None = None
    """``"unchecked"`` when the credential carries a status that was not checked."""

    @property
    def verified(self) -> bool:
        return self.status == "verified"

    def to_dict(self) -> dict[str, Any]:
        """Plain data, for JSON output."""
        return {
            "status": self.status,
            "reason": self.reason,
            "message": self.message,
            "credential": self.credential_id,
            "issuer": self.issuer,
            "method": self.method,
            "verification_method": self.verification_method,
            "key_source": self.key_source,
            "issuer_trust": self.issuer_trust,
            "credential_status": self.credential_status,
        }


def why_not_accepted(
    verification: Verification,
    *,
    accept_unverified: bool = False,
    accept_unchecked_status: bool = False,
    credential_status: CredentialStatus | None = None,
) -> str | None:
    """Why a credential with this verification is not accepted, or None when it is: the
    one acceptance rule of the importer and of every deposit path.

    Invalid: never. A credential whose status was not checked (``credential_status``
    ``"unchecked"``, which ``STATUS_UNCHECKED`` always has): only with
    ``accept_unchecked_status``. Any other unverifiable one: only with
    ``accept_unverified`` (and, when it carries a status, both). ``credential_status``
    ``"unchecked"`` stands for a status found elsewhere (the CLR carrying the credential)."""
    if verification.status == "invalid":
        return f"the credential is invalid ({verification.reason}): never accepted"
    reasons: list[str] = []
    unchecked = "unchecked" in (verification.credential_status, credential_status)
    if unchecked and not accept_unchecked_status:
        reasons.append(
            "its credentialStatus (revocation or suspension) was not checked (STATUS_UNCHECKED);"
            " accept it only by accepting unchecked status explicitly"
        )
    if (
        verification.status == "unverifiable"
        and verification.reason != "STATUS_UNCHECKED"
        and not accept_unverified
    ):
        reasons.append(
            f"the credential is unverifiable ({verification.reason}); accept it only by "
            "accepting unverified credentials explicitly"
        )
    return "; and ".join(reasons) or None


def _status_of(document: Any) -> CredentialStatus | None:
    """``"unchecked"`` when the credential carries a ``credentialStatus``."""
    return "unchecked" if isinstance(document, dict) and status_entries(document) else None


def _status_unchecked(entries: Collection[str], verified: str) -> _Fail:
    return _Fail(
        "STATUS_UNCHECKED",
        f"{verified}, but the credential carries a status ({', '.join(sorted(entries))}) that "
        "creditbank cannot check yet: it may have been revoked or suspended; it is accepted "
        "only when unchecked status is accepted explicitly (--accept-unchecked-status)",
    )


class _Fail(Exception):
    def __init__(self, reason: VerificationReason, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def _types(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, str)]


def _check_envelope(document: Any, loader: ContextLoader | None) -> tuple[str, str | None]:
    """Context, type and issuer; returns (issuer id, credential id)."""
    if not isinstance(document, dict):
        raise _Fail("NOT_A_CREDENTIAL", "the document is not a JSON object")
    context = document.get("@context")
    contexts = context if isinstance(context, list) else [context]
    first = contexts[0] if contexts else None
    if first not in (VC_V2_CONTEXT, VC_V1_CONTEXT):
        raise _Fail(
            "BAD_CONTEXT",
            f"the first @context must be {VC_V2_CONTEXT} (or {VC_V1_CONTEXT} for VC 1.1), "
            f"found {first!r}",
        )
    if loader is not None:
        for url in context_urls(document):
            try:
                loader.load(url)
            except InteropError as error:
                raise _Fail("UNKNOWN_CONTEXT", error.message) from None
    if "VerifiableCredential" not in _types(document.get("type")):
        raise _Fail("NOT_A_CREDENTIAL", "`type` does not include VerifiableCredential")
    issuer = issuer_of(document)
    if issuer is None:
        raise _Fail("ISSUER_MISSING", "the credential names no issuer (`issuer` or `issuer.id`)")
    credential_id = document.get("id")
    return issuer, credential_id if isinstance(credential_id, str) else None


def _check_dates(document: Mapping[str, Any], now: dt.datetime) -> None:
    try:
        start, end = credential_dates(document)
    except ValueError as error:
        raise _Fail(
            "MALFORMED_CREDENTIAL", f"a validity date is not a date-time: {error}"
        ) from None
    if start is not None and now < start:
        raise _Fail("NOT_YET_VALID", f"the credential is valid only from {start.isoformat()}")
    if end is not None and now >= end:
        raise _Fail("EXPIRED", f"the credential expired on {end.isoformat()}")


def _check_trust(
    issuer: str,
    keys: Collection[Ed25519PublicKey],
    trusted_issuers: Mapping[str, Collection[str]] | None,
) -> None:
    """The whitelist: the issuer is on it and, if keys are pinned for it, signed with one."""
    if trusted_issuers is None:
        return
    if issuer not in trusted_issuers:
        raise _Fail(
            "ISSUER_NOT_TRUSTED",
            f"the issuer {issuer} is not on the whitelist of trusted issuers (the "
            "identifiers of the standards' issuers, and those the caller trusts); if it is "
            f"genuine, list {issuer} under `identifiers:` of its issuer in the standards, or "
            f"trust it explicitly: add {_trust_flag(issuer, keys)} to the command (or "
            "list it under the mapping file's issuers:)",
        )
    pinned = trusted_issuers[issuer]
    if pinned and not any(multibase_from_public_key(key) in pinned for key in keys):
        raise _Fail(
            "ISSUER_NOT_TRUSTED",
            f"the credential is not signed with a key pinned for the issuer {issuer}; if "
            f"the key is the issuer's, add {_trust_flag(issuer, keys)} to the command",
        )


def _trust_flag(issuer: str, keys: Collection[Ed25519PublicKey]) -> str:
    """The exact option that trusts ``issuer`` with the key that signed: ``--trust-issuer
    ISSUER#z6Mk…`` (the key pinned), or the issuer alone when its did:key is the key or
    no key is known."""
    if not keys or issuer.startswith("did:key:"):
        return f"--trust-issuer {issuer}"
    return f"--trust-issuer {issuer}#{multibase_from_public_key(next(iter(keys)))}"


def _bound(
    key: Ed25519PublicKey,
    source: KeySource,
    issuer: str,
    trusted_issuers: Mapping[str, Collection[str]] | None,
) -> bool:
    """Whether something besides the document says ``key`` is the issuer's: the caller
    gave it, the issuer is its did:key, or the whitelist pins it for the issuer."""
    multikey = multibase_from_public_key(key)
    pinned = trusted_issuers.get(issuer, ()) if trusted_issuers is not None else ()
    return source == "caller" or issuer == "did:key:" + multikey or multikey in pinned


def _check_bound(
    used: Collection[tuple[Ed25519PublicKey, str, KeySource]],
    issuer: str,
    trusted_issuers: Mapping[str, Collection[str]] | None,
) -> None:
    if not any(_bound(key, source, issuer, trusted_issuers) for key, _, source in used):
        used_key = next(iter(used))[0]
        sources = ", ".join(sorted({source for _, _, source in used}))
        raise _Fail(
            "UNBOUND_KEY",
            f"the signature verifies, but with a key only the credential itself names "
            f"({sources}): nothing shows it belongs to {issuer}; pin the issuer's key in "
            f"the whitelist to trust it: add {_trust_flag(issuer, [used_key])} to the "
            "command (or the key under the mapping file's issuers: section, keys:)",
        )


def _key_from_jwk(jwk: Any) -> Ed25519PublicKey:
    if not (
        isinstance(jwk, dict)
        and jwk.get("kty") == "OKP"
        and jwk.get("crv") == "Ed25519"
        and isinstance(jwk.get("x"), str)
    ):
        raise ValueError("only OKP Ed25519 JSON Web Keys are supported")
    raw = base64.urlsafe_b64decode(jwk["x"] + "=" * (-len(jwk["x"]) % 4))
    return Ed25519PublicKey.from_public_bytes(raw)


def _method_objects(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Verification method objects the document carries: in the issuer profile or a proof."""
    found: list[dict[str, Any]] = []
    issuer = document.get("issuer")
    if isinstance(issuer, dict):
        for key in ("verificationMethod", "assertionMethod"):
            value = issuer.get(key)
            found += [
                v for v in (value if isinstance(value, list) else [value]) if isinstance(v, dict)
            ]
    proofs = document.get("proof")
    for proof in proofs if isinstance(proofs, list) else [proofs]:
        if isinstance(proof, dict) and isinstance(proof.get("verificationMethod"), dict):
            found.append(proof["verificationMethod"])
    return found


def resolve_key(
    method: Any,
    document: Mapping[str, Any],
    keys: Mapping[str, Ed25519PublicKey] | None = None,
) -> tuple[Ed25519PublicKey, str, KeySource] | None:
    """(key, controller, where it came from) for a verification method, or None.

    Raises ValueError when the method names a key but the key is malformed.
    """
    method_id = method.get("id") if isinstance(method, dict) else method
    if not isinstance(method_id, str):
        return None
    base, _, fragment = method_id.partition("#")
    if keys and method_id in keys:
        return keys[method_id], base, "caller"
    if base.startswith("did:key:"):
        multikey = base.removeprefix("did:key:")
        if fragment and fragment != multikey:
            raise ValueError("the did:key fragment does not name the DID's own key")
        return public_key_from_multibase(multikey), base, "did:key"
    for candidate in _method_objects(document):
        if candidate.get("id") != method_id:
            continue
        controller = candidate.get("controller", base)
        if not isinstance(controller, str):
            raise ValueError("the verification method's controller is not a string")
        if isinstance(candidate.get("publicKeyMultibase"), str):
            return (
                public_key_from_multibase(candidate["publicKeyMultibase"]),
                controller,
                "document",
            )
        if "publicKeyJwk" in candidate:
            return _key_from_jwk(candidate["publicKeyJwk"]), controller, "document"
    if fragment.startswith("z6Mk"):
        return public_key_from_multibase(fragment), base, "fragment"
    return None


def document_hash(document: Mapping[str, Any], loader: ContextLoader) -> bytes:
    """SHA-256 of the canonical document without its proof (the same for every proof)."""
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    return hashlib.sha256(canonicalize(unsecured, loader).encode("utf-8")).digest()


def proof_hash(
    document: Mapping[str, Any],
    proof_options: Mapping[str, Any],
    loader: ContextLoader,
    digest: bytes | None = None,
) -> bytes:
    """SHA-256(canonical proof options) || SHA-256(canonical document without proof);
    ``digest`` is the second half when it is known already."""
    options = {key: value for key, value in proof_options.items() if key != "proofValue"}
    options["@context"] = document.get("@context")
    return hashlib.sha256(canonicalize(options, loader).encode("utf-8")).digest() + (
        digest or document_hash(document, loader)
    )


def _verify_proof(
    document: Mapping[str, Any],
    proof: Any,
    *,
    issuer: str,
    loader: ContextLoader,
    keys: Mapping[str, Ed25519PublicKey] | None,
    now: dt.datetime,
    digest: Callable[[], bytes],
) -> tuple[Ed25519PublicKey, str, KeySource]:
    """Check one proof; ``digest`` gives the document's hash (the same for every proof)."""
    if not isinstance(proof, dict):
        raise _Fail("MALFORMED_PROOF", "a proof is not an object")
    if proof.get("type") != "DataIntegrityProof" or proof.get("cryptosuite") != CRYPTOSUITE:
        raise _Fail(
            "UNSUPPORTED_PROOF",
            f"proof type {proof.get('type')!r} / cryptosuite {proof.get('cryptosuite')!r} is not "
            f"supported (only DataIntegrityProof with {CRYPTOSUITE})",
        )
    if proof.get("proofPurpose") != "assertionMethod":
        raise _Fail("MALFORMED_PROOF", "the proof's purpose is not assertionMethod")
    moments: dict[str, dt.datetime] = {}
    for name in ("created", "expires"):
        if name in proof:
            try:
                moments[name] = parse_datetime(proof[name])
            except ValueError:
                raise _Fail("MALFORMED_PROOF", f"the proof's `{name}` is not a date-time") from None
    # a difference, not now + skew: that overflows for a moment at the end of the calendar
    if "created" in moments and moments["created"] - now > CLOCK_SKEW:
        raise _Fail("NOT_YET_VALID", f"the proof was created in the future ({proof['created']})")
    if "expires" in moments and now >= moments["expires"]:
        raise _Fail("EXPIRED", f"the proof expired on {proof['expires']}")
    value = proof.get("proofValue")
    try:
        if not isinstance(value, str) or not value.startswith("z"):
            raise ValueError("not a base58-btc multibase value")
        signature = b58decode(value[1:])
        if len(signature) != 64:
            raise ValueError(f"an Ed25519 signature has 64 bytes, not {len(signature)}")
    except ValueError as error:
        raise _Fail("MALFORMED_PROOF", f"the proofValue is malformed: {error}") from None
    method = proof.get("verificationMethod")
    try:
        resolved = resolve_key(method, document, keys)
    except ValueError as error:
        raise _Fail("MALFORMED_PROOF", f"the verification method's key: {error}") from None
    if resolved is None:
        shown = method.get("id") if isinstance(method, dict) else method
        raise _Fail(
            "UNKNOWN_KEY_METHOD",
            f"the key of the verification method {shown!r} cannot be resolved offline "
            "(supported: did:key, a Multikey in the URL fragment or in the document, or a "
            "key the caller provides)",
        )
    key, controller, source = resolved
    if controller != issuer:
        raise _Fail(
            "KEY_NOT_ISSUERS",
            f"the proof's key is controlled by {controller}, not by the issuer {issuer}",
        )
    with _jsonld_failures():
        data = proof_hash(document, proof, loader, digest())
    try:
        key.verify(signature, data)
    except InvalidSignature:
        raise _Fail(
            "BAD_SIGNATURE",
            "the signature does not match the credential: it was altered after signing, "
            "or signed with another key",
        ) from None
    return key, controller, source


def verify_credential(
    document: Any,
    *,
    loader: ContextLoader | None = None,
    now: dt.datetime | None = None,
    trusted_issuers: Mapping[str, Collection[str]] | None = None,
    keys: Mapping[str, Ed25519PublicKey] | None = None,
) -> Verification:
    """Verify a credential secured with Data Integrity proofs (eddsa-rdfc-2022).

    ``trusted_issuers`` maps each whitelisted issuer id to the Multikeys (``z6Mk…``) pinned
    for it; None means no whitelist. A pinned key is what binds a key named only in the
    credential to its issuer; with none pinned, only a did:key issuer's own key or a key in
    ``keys`` (the caller's) is bound — any other gives ``UNBOUND_KEY``. A credential that
    passes every check but carries a ``credentialStatus`` is ``STATUS_UNCHECKED``
    (unverifiable), never ``VERIFIED``. ``now`` defaults to the current time. Never raises
    for a bad credential; the result says why.
    """
    loader = loader or ContextLoader()
    moment = now or dt.datetime.now(dt.UTC)
    issuer: str | None = None
    credential_id: str | None = None
    used: list[tuple[Ed25519PublicKey, str, KeySource]] = []
    method_id: str | None = None
    if isinstance(document, dict):
        issuer = issuer_of(document)
        credential_id = document.get("id") if isinstance(document.get("id"), str) else None
    try:
        issuer, credential_id = _check_envelope(document, loader)
        _check_json_ld(document, loader)
        proofs = document.get("proof")
        proof_list = proofs if isinstance(proofs, list) else [] if proofs is None else [proofs]
        pending: _Fail | None = None
        digest = functools.cache(lambda: document_hash(document, loader))
        for proof in proof_list:
            if isinstance(proof, dict) and isinstance(proof.get("verificationMethod"), str):
                method_id = proof["verificationMethod"]
            try:
                used.append(
                    _verify_proof(
                        document,
                        proof,
                        issuer=issuer,
                        loader=loader,
                        keys=keys,
                        now=moment,
                        digest=digest,
                    )
                )
            except _Fail as failure:
                if REASON_STATUS[failure.reason] == "invalid":
                    raise
                pending = pending or failure
        _check_dates(document, moment)
        _check_trust(
            issuer, [key for key, _, _ in used] if pending is None else [], trusted_issuers
        )
        if not proof_list:
            raise _Fail("NO_PROOF", "the credential carries no proof, so it cannot be verified")
        if pending is not None:
            raise pending
        _check_bound(used, issuer, trusted_issuers)
        source = next(s for k, _, s in used if _bound(k, s, issuer, trusted_issuers))
        verified = (
            f"{len(proof_list)} {CRYPTOSUITE} proof{'s' if len(proof_list) > 1 else ''} "
            f"verified with a key of the issuer ({source})"
        )
        if status_entries(document):
            raise _status_unchecked(status_entries(document), verified)
    except _Fail as failure:
        return Verification(
            REASON_STATUS[failure.reason],
            failure.reason,
            failure.message,
            credential_id,
            issuer,
            CRYPTOSUITE if failure.reason != "NO_PROOF" else None,
            method_id,
            used[-1][2] if used else None,
            credential_status=_status_of(document),
        )
    return Verification(
        "verified", "VERIFIED", verified, credential_id, issuer, CRYPTOSUITE, method_id, source
    )


@contextmanager
def _jsonld_failures() -> Iterator[None]:
    """JSON-LD processing failures as verification results."""
    try:
        yield
    except TooComplex as error:
        raise _Fail("MALFORMED_CREDENTIAL", f"the credential is refused: {error}") from None
    except JsonLdProblem as error:
        raise _Fail("BAD_CONTEXT", f"the credential is not valid JSON-LD: {error}") from None
    except InteropError as error:
        raise _Fail("UNKNOWN_CONTEXT", error.message) from None


def _check_json_ld(document: Mapping[str, Any], loader: ContextLoader) -> None:
    """Only known contexts, and nothing a reader sees that the signature does not cover."""
    inline = inline_contexts(document)
    if inline:
        raise _Fail(
            "BAD_CONTEXT",
            "the credential defines terms in an inline @context, which can rename or hide "
            "signed data; only the published contexts are accepted (at "
            f"{', '.join(inline[:5])})",
        )
    with _jsonld_failures():
        check_complexity(document)
        undefined = undefined_terms(document, loader)
    if undefined:
        raise _Fail(
            "UNDEFINED_TERMS",
            "the credential uses keys that are not terms of its contexts, whose content no "
            f"signature covers under that name: {', '.join(undefined[:10])}",
        )


def _b64json(part: str) -> Any:
    try:
        raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except ValueError as error:
        raise InteropError("MALFORMED_JSON", f"a JWT part is not base64url: {error}") from None
    return parse_json(raw)


def _jwt_credential(payload: Mapping[str, Any]) -> dict[str, Any] | None:
    """The credential of a JWT payload; VC 1.1 registered claims fill its properties, and a
    VC 2.0 token's ``exp`` its missing ``validUntil``."""
    credential = payload.get("vc", payload)
    if not isinstance(credential, dict):
        return None
    credential = copy.deepcopy(credential)
    if "vc" in payload:  # VC 1.1 decoding: a claim stands for a property the vc lacks
        if "iss" in payload and issuer_of(credential) is None:
            credential["issuer"] = payload["iss"]
        if "jti" in payload and "id" not in credential:
            credential["id"] = payload["jti"]
        subject = credential.get("credentialSubject")
        if "sub" in payload and isinstance(subject, dict) and "id" not in subject:
            subject["id"] = payload["sub"]
        for claim, prop in (("nbf", "issuanceDate"), ("exp", "expirationDate")):
            try:
                moment = claim_time(payload, claim)
            except ValueError:
                continue  # verify_jwt reports it
            if moment is not None and credential.get(prop) is None:
                credential[prop] = moment.isoformat()
    elif "validUntil" not in credential and "expirationDate" not in credential:
        # VC 2.0: the token's exp ends its validity, so the credential's too (expires_on)
        try:
            end = claim_time(payload, "exp")
        except ValueError:
            end = None  # verify_jwt reports it
        if end is not None:
            credential["validUntil"] = end.isoformat()
    return credential


def _jwt_status(payload: Mapping[str, Any], credential: Mapping[str, Any]) -> list[str]:
    """The status entries a VC-JWT carries, in either form (fail closed: whatever could
    say the token or its credential was revoked counts): its credential's
    ``credentialStatus``, a ``credentialStatus`` at the top of a VC 1.1 payload (outside
    ``vc``), and a ``status`` claim of the token (an IETF token status list), in the VC 1.1
    form and in the VC 2.0 JOSE form, where the payload is the credential itself."""
    entries = status_entries(credential)
    if "vc" in payload:
        entries += [f"{entry} outside vc" for entry in status_entries(payload)]
    if payload.get("status") not in (None, [], {}):
        entries.append("the JWT's status claim")
    return entries


def _check_claims_agree(payload: Mapping[str, Any], credential: Mapping[str, Any]) -> None:
    """VC-JWT: ``iss``, ``sub``, ``jti``, ``nbf`` and ``exp`` repeat the credential's issuer,
    subject id, id and validity dates; a JWT that says otherwise is invalid."""
    found = claim_mismatches(payload, credential)
    if found:
        raise _Fail(
            "CLAIM_MISMATCH",
            "the JWT's claims contradict the credential it carries: "
            + "; ".join(found)
            + " (a VC-JWT's iss, sub, jti, nbf and exp must state the credential's issuer, "
            "credentialSubject id, id, validFrom/issuanceDate and validUntil/expirationDate)",
        )


def _check_jwt_claims(payload: Mapping[str, Any], now: dt.datetime) -> None:
    """``nbf`` and ``exp`` bind every JWT, whichever form its credential takes."""
    try:
        start, end = claim_time(payload, "nbf"), claim_time(payload, "exp")
    except ValueError as error:
        raise _Fail("MALFORMED_CREDENTIAL", str(error)) from None
    if start is not None and now < start:
        raise _Fail("NOT_YET_VALID", f"the JWT is valid only from {start.isoformat()} (nbf)")
    if end is not None and now >= end:
        raise _Fail("EXPIRED", f"the JWT expired on {end.isoformat()} (exp)")


def _jwt_key(
    header: Mapping[str, Any],
    credential: Mapping[str, Any],
    issuer: str,
    keys: Mapping[str, Ed25519PublicKey] | None,
) -> tuple[Ed25519PublicKey, str, KeySource]:
    kid = header.get("kid") if isinstance(header.get("kid"), str) else None
    try:
        if kid is not None:
            resolved = resolve_key(kid, credential, keys)
        elif "jwk" in header:
            resolved = (_key_from_jwk(header["jwk"]), issuer, "jwk")
        else:
            resolved = None
    except ValueError as error:
        raise _Fail("MALFORMED_PROOF", f"the JWT's key: {error}") from None
    if resolved is None:
        raise _Fail(
            "UNKNOWN_KEY_METHOD",
            f"the JWT key {kid!r} cannot be resolved offline (supported: did:key, a "
            "Multikey fragment, a jwk header, or a key the caller provides)",
        )
    return resolved


def _jwt_signature(
    token: str,
    header: Mapping[str, Any],
    credential: Mapping[str, Any],
    issuer: str,
    keys: Mapping[str, Ed25519PublicKey] | None,
) -> tuple[Ed25519PublicKey, str, KeySource]:
    """The JWT's algorithm, key and signature: (key, controller, source), or :class:`_Fail`."""
    if header.get("alg") not in ("EdDSA", "Ed25519"):
        raise _Fail(
            "UNSUPPORTED_PROOF", f"JWT algorithm {header.get('alg')!r} is not supported (EdDSA)"
        )
    key, controller, source = _jwt_key(header, credential, issuer, keys)
    if controller != issuer:
        raise _Fail("KEY_NOT_ISSUERS", f"the JWT's key is controlled by {controller}, not {issuer}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            jws.deserialize_compact(
                token.strip(), OKPKey.import_key(key), algorithms=["EdDSA", "Ed25519"]
            )
    except BadSignatureError:
        raise _Fail("BAD_SIGNATURE", "the JWT signature does not match its content") from None
    except JoseError as error:
        raise _Fail("MALFORMED_PROOF", f"the JWT cannot be checked: {error}") from None
    return key, controller, source


def verify_jwt(
    token: str,
    *,
    loader: ContextLoader | None = None,
    now: dt.datetime | None = None,
    trusted_issuers: Mapping[str, Collection[str]] | None = None,
    keys: Mapping[str, Ed25519PublicKey] | None = None,
) -> tuple[Verification, dict[str, Any] | None]:
    """Verify a VC-JWT (compact JWS, EdDSA/Ed25519): (verification, the credential or None).

    Accepts both the VC 1.1 JWT encoding (the credential in the ``vc`` claim, dates in
    ``nbf``/``exp``, issuer in ``iss``) and the VC 2.0 JOSE form (the credential is the
    payload). The key comes from ``kid`` (resolved like a verification method) or from a
    ``jwk`` header; as for Data Integrity, a key only the token names must be pinned for
    the issuer (``UNBOUND_KEY`` otherwise). A credential status (``credentialStatus``, in
    the credential or, VC 1.1, beside ``vc``; or the token's ``status`` claim, in either
    form) makes it ``STATUS_UNCHECKED``, as for Data Integrity. Raises
    :class:`InteropError` only when the token is not a JWT at all.
    """
    moment = now or dt.datetime.now(dt.UTC)
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise InteropError("MALFORMED_JSON", "not a compact JWS: expected three parts")
    header, payload = _b64json(parts[0]), _b64json(parts[1])
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise InteropError("MALFORMED_JSON", "the JWT header and payload must be JSON objects")
    credential = _jwt_credential(payload)
    if credential is None:
        return Verification("invalid", "NOT_A_CREDENTIAL", "the `vc` claim is not an object"), None
    issuer: str | None = None
    credential_id: str | None = None
    kid = header.get("kid") if isinstance(header.get("kid"), str) else None
    source: KeySource | None = None
    entries = _jwt_status(payload, credential)
    try:
        issuer, credential_id = _check_envelope(credential, None)
        # An unverifiable signature (unsupported alg, unresolvable key) is held back until
        # the claim, date, agreement and whitelist checks have run: a JWT that is expired,
        # of an untrusted issuer or contradicts its credential is invalid, whatever its key.
        pending: _Fail | None = None
        used: tuple[Ed25519PublicKey, str, KeySource] | None = None
        try:
            used = _jwt_signature(token, header, credential, issuer, keys)
            source = used[2]
        except _Fail as failure:
            if REASON_STATUS[failure.reason] == "invalid":
                raise
            pending = failure
        _check_jwt_claims(payload, moment)
        _check_dates(credential, moment)
        _check_claims_agree(payload, credential)
        _check_trust(issuer, [used[0]] if used is not None else [], trusted_issuers)
        if pending is not None or used is None:
            raise pending or _Fail("UNSUPPORTED_PROOF", "the JWT signature was not checked")
        _check_bound([used], issuer, trusted_issuers)
        if entries:
            raise _status_unchecked(
                entries, f"the JWT signature verified with a key of the issuer ({source})"
            )
    except _Fail as failure:
        return (
            Verification(
                REASON_STATUS[failure.reason],
                failure.reason,
                failure.message,
                credential_id,
                issuer,
                "vc-jwt",
                kid,
                source,
                credential_status="unchecked" if entries else None,
            ),
            credential if isinstance(credential, dict) else None,
        )
    return (
        Verification(
            "verified",
            "VERIFIED",
            f"the JWT signature verified with a key of the issuer ({source})",
            credential_id,
            issuer,
            "vc-jwt",
            kid,
            source,
        ),
        credential,
    )
