"""A credential whose deposit is partial: a signed CLR of the standards' assessment centre
carrying two signed skill certificates, one the centre may issue (the electrician of
6-31-01-03, deposited) and one it may not (6-30-99-00 of the 2015 classification, which
the centre was authorised for only until 2022: the ledger refuses it, ``NOT_AUTHORISED``).
Built here with the project's own signing helper, never a shared fixture."""

from __future__ import annotations

from typing import Any

from creditbank.interop.export import sign_credential
from creditbank.interop.keys import multibase_from_public_key
from tests.interop.helpers import KEY, NOW
from tests.interop.test_openbadges import electrician_badge

CENTRE = "https://demo-assessment-centre.example/issuer"
TRUST = [f"{CENTRE}#{multibase_from_public_key(KEY.public_key())}"]
"""The centre with the tests' key pinned (as ``--trust-issuer``)."""
REFUSED_CODE = "6-30-99-00"
"""The occupation of the certificate the ledger refuses."""


def _certificate(number: int, code: str) -> dict[str, Any]:
    badge = electrician_badge()
    badge["id"] = f"urn:uuid:9b0e2f7c-1111-4c2d-8e3f-0000000001{number:02d}"
    badge["issuer"] = CENTRE
    achievement = badge["credentialSubject"]["achievement"]
    achievement["id"] += f"-{number}"
    achievement["alignment"][0]["targetCode"] = code
    return sign_credential(badge, KEY, created=NOW)


def partly_refused_clr() -> dict[str, Any]:
    """The CLR of the module: two achievements, the second refused by the ledger."""
    clr = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
        ],
        "id": "urn:uuid:9b0e2f7c-1111-4c2d-8e3f-0000000000c7",
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": CENTRE,
        "name": "学习记录",
        "validFrom": "2024-07-01T00:00:00Z",
        "credentialSubject": {
            "id": "did:example:worker-7",
            "type": ["ClrSubject"],
            "verifiableCredential": [
                _certificate(1, "6-31-01-03"),
                _certificate(2, REFUSED_CODE),
            ],
        },
    }
    return sign_credential(clr, KEY, created=NOW)
