"""A ledger built from the example portfolios, with their profiles and funded places.

Every example portfolio becomes an account: its profile recorded, each achievement an
authorised issuer may deposit deposited, an application to each bundled programme made,
reviewed and approved (posted), and a funded place granted for each funding rule the
eligibility engine finds the learner eligible for. Used by the report's tests.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from creditbank.engine import eligibility
from creditbank.errors import LedgerError
from creditbank.ledger import Ledger
from creditbank.loading import load_portfolio
from creditbank.models import Standards
from creditbank.testing.ledger import (
    OPERATOR,
    PROGRAMS,
    REGISTRAR,
    REVIEWER,
    fixed_clock,
    issuer_of,
    learner,
)
from tests.paths import ROOT

PORTFOLIOS = sorted((ROOT / "examples" / "portfolios").glob("*.yaml"))


def build(path: Path | str, standards: Standards) -> Ledger:
    """The ledger at ``path`` filled from the example portfolios (left open)."""
    ledger = Ledger.open(path, standards, create=True, clock=fixed_clock)
    today = fixed_clock().date()
    for file in PORTFOLIOS:
        portfolio = load_portfolio(file, standards)
        account = portfolio.learner
        me = learner(account)
        ledger.open_account(account, actor=me, key=f"open:{account}")
        profile = portfolio.profile
        if profile is not None:
            ledger.record_profile(
                account,
                actor=me,
                key=f"profile:{account}",
                region=profile.region,
                migrant_worker=profile.migrant_worker,
                union_member=profile.union_member,
                education=profile.education,
            )
        for achievement in portfolio.achievements:
            data = achievement.model_dump(mode="json", exclude_none=True)
            try:
                ledger.deposit(
                    account, data, actor=issuer_of(data), key=f"dep:{account}:{data['id']}"
                )
            except LedgerError:
                continue  # an issuer the standards do not authorise: not deposited
        for program in PROGRAMS:
            try:
                receipt = ledger.apply(account, program, actor=me, key=f"apply:{account}:{program}")
            except LedgerError:
                continue
            app = receipt.application
            assert app is not None
            ledger.review(account, app, actor=REVIEWER, key=f"rev:{account}:{program}")
            ledger.approve(account, app, actor=REGISTRAR, key=f"appr:{account}:{program}")
        result = eligibility(standards, portfolio, today, kinds=("funding",))
        granted: set[tuple[str, str]] = set()
        for outcome in result.outcomes:
            place = outcome.outcome
            if not outcome.eligible or place.kind != "funding":
                continue
            if (str(place.program), place.scheme) in granted:
                continue
            granted.add((str(place.program), place.scheme))
            ledger.fund(
                account,
                str(place.program),
                actor=OPERATOR,
                key=f"fund:{account}:{outcome.rule}",
                scheme=place.scheme,
                rule=outcome.rule,
            )
    return ledger


def as_of_day() -> dt.date:
    return fixed_clock().date()
