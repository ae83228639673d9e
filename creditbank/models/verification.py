"""The verifier's vocabulary: how a credential's verification ended, and why.

:mod:`creditbank.interop.verify` gives these outcomes; the ledger's
:class:`~creditbank.ledger.events.CredentialCheck` records them. They live here, below
both, so that the ledger checks a recorded reason without importing the verifier (the
ledger is imported by the interop adapters that deposit credentials, never the reverse).
"""

from __future__ import annotations

from typing import Literal

__all__ = ["REASON_STATUS", "VerificationReason", "VerificationStatus"]

VerificationStatus = Literal["verified", "unverifiable", "invalid"]
VerificationReason = Literal[
    "VERIFIED",
    "NO_PROOF",
    "UNKNOWN_KEY_METHOD",
    "UNBOUND_KEY",
    "UNSUPPORTED_PROOF",
    "BAD_SIGNATURE",
    "EXPIRED",
    "NOT_YET_VALID",
    "ISSUER_MISSING",
    "ISSUER_NOT_TRUSTED",
    "KEY_NOT_ISSUERS",
    "BAD_CONTEXT",
    "UNKNOWN_CONTEXT",
    "UNDEFINED_TERMS",
    "MALFORMED_PROOF",
    "MALFORMED_CREDENTIAL",
    "CLAIM_MISMATCH",
    "NOT_A_CREDENTIAL",
    "STATUS_UNCHECKED",
]

REASON_STATUS: dict[VerificationReason, VerificationStatus] = {
    "VERIFIED": "verified",
    "NO_PROOF": "unverifiable",
    "UNKNOWN_KEY_METHOD": "unverifiable",
    "UNBOUND_KEY": "unverifiable",
    "UNSUPPORTED_PROOF": "unverifiable",
    "BAD_SIGNATURE": "invalid",
    "EXPIRED": "invalid",
    "NOT_YET_VALID": "invalid",
    "ISSUER_MISSING": "invalid",
    "ISSUER_NOT_TRUSTED": "invalid",
    "KEY_NOT_ISSUERS": "invalid",
    "BAD_CONTEXT": "invalid",
    "UNKNOWN_CONTEXT": "invalid",
    "UNDEFINED_TERMS": "invalid",
    "MALFORMED_PROOF": "invalid",
    "MALFORMED_CREDENTIAL": "invalid",
    "CLAIM_MISMATCH": "invalid",
    "NOT_A_CREDENTIAL": "invalid",
    "STATUS_UNCHECKED": "unverifiable",
}
