"""A ledger to test the ledger routes on, the callers of every role, and what "unchanged"
means for a database.

:func:`build_world` writes, through the library, two learner accounts (``w-001``, the
"own" account of the learner caller, and ``w-002``), three deposits into ``w-001`` and two
applications: ``app-1`` applied and ``app-2`` reviewed. :data:`CALLERS` are the callers of
the role matrix, each the :class:`~creditbank.service.principal.Principal` its token stands
for; :func:`issue_callers` issues their tokens (``creditbank ledger token issue``) and
:class:`Callers` gives each one's ``Authorization`` header.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient

from creditbank.ledger import Ledger, init_ledger, issue_token, revoke_token
from creditbank.models import Standards
from creditbank.service import ServiceConfig, create_app
from creditbank.service.principal import Principal
from creditbank.testing.ledger import MENU, PROGRAMS, REVIEWER, SCHOOL, issuer_of, learner

OWN = "w-001"
OTHER = "w-002"
DEPOSITED = ("elec-l4", "elec-l3", "welder-l4")

CALLERS: Mapping[str, Principal | None] = {
    "learner_own": Principal("t-learner-own", OWN, "learner", learner=OWN),
    "learner_other": Principal("t-learner-other", OTHER, "learner", learner=OTHER),
    "issuer": Principal(
        "t-issuer", "issuer-staff-9", "issuer", organisation="demo-assessment-centre"
    ),
    "issuer_other_org": Principal(
        "t-issuer-other", "issuer-staff-8", "issuer", organisation="demo-training-centre"
    ),
    "school_reviewer": Principal(
        "t-reviewer", "staff-reviewer-9", "school_reviewer", organisation=SCHOOL
    ),
    "reviewer_other_school": Principal(
        "t-reviewer-other", "staff-reviewer-8", "school_reviewer", organisation="demo-city-college"
    ),
    "academic_affairs": Principal(
        "t-registrar", "staff-registrar-9", "academic_affairs", organisation=SCHOOL
    ),
    "bank_operator": Principal(
        "t-operator", "bank-operator-9", "bank_operator", organisation="cn-vet-credit-bank"
    ),
    "no_token": None,
    "revoked": None,
}
"""Every caller of the role matrix: whom its token acts as (its ``token_id`` is the one
the ledger gives it), or None (no token; a revoked token)."""


def build_world(location: str, standards: Standards) -> World:
    """Make the test ledger at ``location`` (see the module), with a token for every
    caller."""
    with init_ledger(location, standards) as ledger:
        ledger.open_account(OWN, actor=learner(OWN), key="w-open-1")
        ledger.open_account(OTHER, actor=learner(OTHER), key="w-open-2")
        for name in DEPOSITED:
            ledger.deposit(OWN, MENU[name], actor=issuer_of(MENU[name]), key=f"w-dep-{name}")
        ledger.apply(OWN, PROGRAMS[0], actor=learner(OWN), key="w-app-1")
        ledger.apply(OWN, PROGRAMS[1], actor=learner(OWN), key="w-app-2")
        ledger.review(OWN, "app-2", actor=REVIEWER, key="w-rev-2")
    return World(location, issue_callers(location, standards))


@dataclass
class Callers:
    """The callers of a test, by name: the bearer secret each one sends, and its token's id
    (the scope of its idempotency keys)."""

    secrets: Mapping[str, str | None]
    token_ids: Mapping[str, str]

    def headers(self, name: str, key: str | None = None) -> dict[str, str]:
        """The headers of a request by ``name`` (with an ``Idempotency-Key`` when given)."""
        headers = {} if key is None else {"Idempotency-Key": key}
        secret = self.secrets[name]
        if secret is not None:
            headers["Authorization"] = f"Bearer {secret}"
        return headers


def issue_callers(location: str, standards: Standards) -> Callers:
    """Issue a token in the ledger at ``location`` for every caller of :data:`CALLERS`
    (``creditbank ledger token issue``); the revoked caller's token is issued and revoked."""
    secrets: dict[str, str | None] = {}
    token_ids: dict[str, str] = {}
    with Ledger.open(location, standards) as ledger:
        for name, principal in CALLERS.items():
            if principal is None:
                secrets[name] = None
                continue
            issued = issue_token(
                ledger,
                role=principal.role,
                name=principal.name,
                learner=principal.learner,
                organisation=principal.organisation,
            )
            secrets[name], token_ids[name] = issued.secret, issued.record.token_id
        revoked = issue_token(ledger, role="bank_operator", name="bank-operator-0")
        revoke_token(ledger, revoked.record.token_id)
        secrets["revoked"] = revoked.secret
    return Callers(secrets, token_ids)


@dataclass(frozen=True)
class World:
    """The test ledger and the callers whose tokens it holds."""

    location: str
    callers: Callers


def fingerprint(location: str) -> tuple[int, object]:
    """The number of events and every chain head: equal before and after a refusal."""
    with Ledger.open(location, read_only=True) as ledger:
        heads = ledger.export_heads()
        return heads.events, heads.heads


def serving(location: str, standards: Standards) -> TestClient:
    """A client of the service on the ledger at ``location`` that sees a 500 as a response
    (use it in a ``with``)."""
    return TestClient(
        create_app(ServiceConfig(ledger=location), standards=standards),
        raise_server_exceptions=False,
    )


def post_json(url: str, body: object, headers: Mapping[str, str], start: Any) -> tuple[int, Any]:
    """POST ``body`` to ``url`` once ``start`` (a barrier shared between processes) opens;
    the status and the JSON answered. A module-level function, so that another process can
    run it."""
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode("utf-8"),
        headers={"Content-Type": "application/json", **headers},
        method="POST",
    )
    start.wait()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())
