"""Interoperability: Open Badges 3.0 / CLR 2.0 in and out, 1EdTech CASE, Credential Engine CTDL.

* :mod:`~creditbank.interop.openbadges` — import OB 3.0 / CLR 2.0 credentials: verify, then
  map each achievement to an :class:`~creditbank.models.Achievement`;
* :mod:`~creditbank.interop.verify` — Data Integrity (eddsa-rdfc-2022) and VC-JWT checks
  (:mod:`~creditbank.interop.jwt_claims`: a VC-JWT's claims against its credential;
  :mod:`~creditbank.interop.vcfields`: a credential's issuer and dates);
* :mod:`~creditbank.interop.trust` — the issuer whitelist (the standards' issuers' identifiers);
* :mod:`~creditbank.interop.deposit` — accepted achievements into a ledger account, each with
  how its credential was verified;
* :mod:`~creditbank.interop.jsonld` — a JSON-LD document loader over a local context cache;
* :mod:`~creditbank.interop.export` — an evaluation's recognised credit as credentials;
* :mod:`~creditbank.interop.case` — CASE 1.1 CFPackages out and in;
* :mod:`~creditbank.interop.ctdl` — CTDL JSON-LD out.

The importer itself writes nothing: it returns achievements with their verification
results; :func:`deposit_badges` deposits the accepted ones, and the ledger records which
were verified; :func:`deposit_from_portfolio` deposits one achievement of a portfolio file,
with the check of the credential it was imported from.
"""

from creditbank.interop.case import (
    CaseImport,
    Edge,
    case_edges,
    export_case,
    import_case,
    import_case_file,
)
from creditbank.interop.ctdl import export_ctdl
from creditbank.interop.deposit import (
    BadgeDeposit,
    PortfolioDeposit,
    deposit_badges,
    deposit_from_portfolio,
    portfolio_deposit,
)
from creditbank.interop.errors import INTEROP_ERROR_CODES, InteropError, InteropErrorCode
from creditbank.interop.export import (
    evaluation_clr,
    evaluation_credentials,
    sign_credential,
    sign_jwt,
)
from creditbank.interop.jsonio import JsonLimits, parse_json
from creditbank.interop.jsonld import ContextLoader
from creditbank.interop.openbadges import (
    BadgeImport,
    BadgeMapping,
    BadgeRecord,
    import_badge_file,
    import_badge_text,
    import_portfolio,
    load_mapping,
    to_portfolio,
)
from creditbank.interop.verify import Verification, verify_credential, verify_jwt

__all__ = [
    "INTEROP_ERROR_CODES",
    "BadgeDeposit",
    "BadgeImport",
    "BadgeMapping",
    "BadgeRecord",
    "CaseImport",
    "ContextLoader",
    "Edge",
    "InteropError",
    "InteropErrorCode",
    "JsonLimits",
    "PortfolioDeposit",
    "Verification",
    "case_edges",
    "deposit_badges",
    "deposit_from_portfolio",
    "evaluation_clr",
    "evaluation_credentials",
    "export_case",
    "export_ctdl",
    "import_badge_file",
    "import_badge_text",
    "import_case",
    "import_case_file",
    "import_portfolio",
    "load_mapping",
    "parse_json",
    "portfolio_deposit",
    "sign_credential",
    "sign_jwt",
    "to_portfolio",
    "verify_credential",
    "verify_jwt",
]
