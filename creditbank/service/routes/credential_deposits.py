"""``POST /v1/accounts/{account}/deposits/credential``: ``creditbank ledger deposit-badge``
over HTTP — an issuer deposits the achievements of an Open Badges 3.0 / CLR 2.0 credential.

The credential is checked as ``creditbank import badge`` checks it (proof, validity window,
the issuer whitelist of the standards plus ``trust_issuers``), with JSON-LD contexts from
the bundled copies only (nothing a credential names is fetched), and never with the issuer
whitelist off: a service does not let a caller turn a security check off. Each accepted
achievement is then deposited (:func:`creditbank.interop.deposit.deposit_badges`) with the
ledger key ``TOKEN_ID:KEY:ACHIEVEMENT``, recording how its credential was checked.

The answer: 201 when something was deposited, 200 when every deposit repeats an earlier
request with the same key; ``complete`` says whether the deposit is complete by the rule
``ledger deposit-badge`` exits by (:func:`~creditbank.interop.deposit.deposits_done`): when
some achievements were deposited but others failed (the ledger refused one, its credential
is invalid …), the answer is still 201 with ``complete: false`` and each failed one in
``refused`` with its code. A credential the import rejects is its 422 problem; when
nothing was deposited, the ledger's first refusal is the problem (403 another issuer's
credential, 409 one another account holds …), or 422 ``NOTHING_DEPOSITED`` saying why each
achievement was skipped.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from creditbank.interop.deposit import (
    BadgeDeposit,
    DepositRefusal,
    deposit_badges,
    deposits_done,
)
from creditbank.interop.jsonld import ContextLoader
from creditbank.interop.openbadges import import_badge_text
from creditbank.interop.trust import parse_trust
from creditbank.ledger import Receipt
from creditbank.service.auth import (
    check_account_access,
    current_state,
    request_ledger,
    require_roles,
)
from creditbank.service.idempotency import (
    conflicts_explained,
    idempotency_key,
    ledger_key,
    respond,
)
from creditbank.service.inputs import CredentialInput
from creditbank.service.principal import Principal
from creditbank.service.problems import ServiceProblem
from creditbank.service.state import ServiceState

__all__ = ["CredentialDepositRequest", "CredentialDeposits", "RefusedAchievement", "router"]

router = APIRouter(tags=["ledger"])

_SOURCE = "credential"
"""How the credential of a request is named in its report (the CLI names the file)."""


class CredentialDepositRequest(CredentialInput):
    """One credential to deposit, and which credentials the depositing issuer accepts (the
    issuer whitelist is always on)."""


class CredentialDeposit(BaseModel):
    """What became of one achievement of the credential (``deposit-badge --format json``)."""

    achievement: str | None
    unit: str | None
    verification: str
    reason: str
    credential_status: str | None
    outcome: str = Field(description="deposited, replayed, skipped or refused.")
    skipped: str | None
    error: dict[str, str] | None
    receipt: Receipt | None = None

    @classmethod
    def of(cls, done: BadgeDeposit) -> CredentialDeposit:
        fields = done.to_dict()
        del fields["source"], fields["name"]
        return cls(**fields, receipt=done.receipt)


class RefusedAchievement(BaseModel):
    """An achievement of the credential that failed although others were deposited."""

    achievement: str | None = Field(description="Its achievement id, when it has one.")
    name: str | None = Field(description="The achievement's name in the credential.")
    code: str = Field(
        description="Why: the ledger's error code (NOT_AUTHORISED …), the import's, or the "
        "verification's reason for an invalid credential."
    )
    message: str

    @classmethod
    def of(cls, refusal: DepositRefusal) -> RefusedAchievement:
        return cls(
            achievement=refusal.achievement,
            name=refusal.name,
            code=refusal.code,
            message=refusal.message,
        )


class CredentialDeposits(BaseModel):
    deposits: list[CredentialDeposit]
    complete: bool = Field(
        description="Whether every achievement that should go in went in: false when some "
        "were deposited but others failed (listed in `refused`); `creditbank ledger "
        "deposit-badge` exits 1 exactly when this is false."
    )
    refused: list[RefusedAchievement] = Field(
        description="The achievements that failed (empty when `complete`); an achievement "
        "merely skipped (no unit matches it …) is in `deposits` with its reason, not here."
    )


@router.post(
    "/v1/accounts/{account}/deposits/credential",
    status_code=201,
    summary="Deposit the achievements of a credential (Open Badges 3.0 / CLR 2.0)",
    responses={
        200: {"description": "Every deposit repeats an earlier request (same key)."},
        201: {
            "description": "Something was deposited; `complete: false` when other "
            "achievements of the credential failed (listed in `refused`)."
        },
    },
)
def deposit_credential(
    account: str,
    body: CredentialDepositRequest,
    request: Request,
    response: Response,
    *,
    principal: Annotated[Principal, Depends(require_roles("issuer", write=True))],
    key: Annotated[str, Depends(idempotency_key)],
    state: Annotated[ServiceState, Depends(current_state)],
) -> CredentialDeposits:
    """Verify the credential as `import badge` does and deposit what it accepts, recording
    how each was checked (as `creditbank ledger deposit-badge`)."""
    check_account_access(principal, account)
    imported = import_badge_text(
        body.text(),
        state.standards,
        source=_SOURCE,
        loader=ContextLoader(allow_network=False),
        accept_unverified=body.accept_unverified,
        trust=parse_trust(body.trust_issuers),
        accept_unchecked_status=body.accept_unchecked_status,
    )
    if imported.error is not None:
        raise imported.error
    lg = request_ledger(request).get()
    with conflicts_explained(key):
        done = deposit_badges(
            lg,
            account,
            [imported],
            actor=principal.actor(),
            key=ledger_key(principal.token_id, key),
            accept_unverified=body.accept_unverified,
            accept_unchecked_status=body.accept_unchecked_status,
        )
        outcome = deposits_done(done, [imported])
        if outcome.state == "nothing":
            refused = next((d.error for d in done if d.error is not None), None)
            if refused is not None:
                raise refused
            why = "; ".join(f"{d.record.name}: {d.skipped}" for d in done) or "it holds none"
            raise ServiceProblem(
                422,
                "NOTHING_DEPOSITED",
                f"no achievement of the credential was deposited ({why})",
                title="no achievement of the credential could be deposited",
            )
    respond(response, key, replayed=not any(d.outcome == "deposited" for d in done))
    return CredentialDeposits(
        deposits=[CredentialDeposit.of(d) for d in done],
        complete=outcome.complete,
        refused=[RefusedAchievement.of(r) for r in outcome.refused],
    )
