"""Helpers for testing with the credit bank ledger against the bundled standards.

Actors of every role, a fixed clock, and a menu of achievements whose issuers the bundled
(example) standards authorise — enough to drive a ledger through the whole R5 workflow.

>>> REGISTRAR.role, REGISTRAR.organisation
('academic_affairs', 'demo-college')
>>> sorted(MENU)[:2]
['elec-l3', 'elec-l4']
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from creditbank.ledger.events import Actor

__all__ = [
    "MENU",
    "NOW",
    "OPERATOR",
    "PROGRAMS",
    "REGISTRAR",
    "REVIEWER",
    "SCHOOL",
    "fixed_clock",
    "issuer_of",
    "learner",
]

NOW = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
SCHOOL = "demo-college"
PROGRAMS = ("demo-college:460301", "demo-college:460304")
REVIEWER = Actor(id="staff-reviewer-1", role="school_reviewer", organisation=SCHOOL)
REGISTRAR = Actor(id="staff-registrar-1", role="academic_affairs", organisation=SCHOOL)
OPERATOR = Actor(id="bank-operator-1", role="bank_operator", organisation="cn-vet-credit-bank")


def fixed_clock() -> dt.datetime:
    """Always :data:`NOW` (1 March 2026, 09:00 UTC)."""
    return NOW


def learner(account: str) -> Actor:
    """The learner who owns ``account``."""
    return Actor(id=account, role="learner")


def issuer_of(achievement: dict[str, Any], staff: str = "issuer-staff-1") -> Actor:
    """A staff member of the achievement's issuer."""
    return Actor(id=staff, role="issuer", organisation=achievement["issuer"])


_ACHIEVEMENTS: tuple[dict[str, Any], ...] = (
    {
        "id": "elec-l4",
        "unit": "skill:csco2022:6-31-01-03",
        "level": "四级",
        "earned_on": "2021-11-20",
        "issuer": "demo-assessment-centre",
    },
    {
        "id": "elec-l3",
        "unit": "skill:csco2022:6-31-01-03",
        "level": "三级",
        "earned_on": "2023-06-30",
        "issuer": "demo-employer",
    },
    {
        "id": "plc-training",
        "unit": "training:plc-application-64h",
        "earned_on": "2024-04-26",
        "issuer": "demo-training-centre",
        "hours": 64,
        "assessed": True,
        "score": 85,
        "scale": "percent",
    },
    {
        "id": "safety-online",
        "unit": "training:electrical-safety-online-32h",
        "earned_on": "2025-03-15",
        "issuer": "demo-training-centre",
        "hours": 32,
        "online": True,
        "assessed": True,
        "grade": "合格",
        "scale": "cn-four-grade",
    },
    {
        "id": "x-robot-om",
        "unit": "x:industrial-robot-operation-maintenance",
        "level": "中级",
        "earned_on": "2024-07-15",
        "issuer": "demo-x-organisation",
    },
    {
        "id": "robot-operator-l4",
        "unit": "skill:csco2022:6-31-07-03",
        "level": "四级",
        "earned_on": "2023-12-08",
        "issuer": "demo-assessment-centre",
    },
    {
        "id": "welder-l4",
        "unit": "skill:csco2022:6-18-02-04",
        "level": "四级",
        "earned_on": "2021-05-20",
        "expires_on": "2025-05-19",
        "issuer": "demo-assessment-centre",
    },
    {
        "id": "provincial-first",
        "unit": "award:demo-provincial-skills-competition",
        "level": "一等奖",
        "earned_on": "2025-10-18",
        "issuer": "demo-provincial-competition",
    },
    {
        "id": "prior-english",
        "unit": "course:city-college:college-english",
        "earned_on": "2019-06-28",
        "issuer": "demo-city-college",
        "grade": "良好",
        "scale": "cn-five-grade",
        "hours": 128,
        "credits": 8,
    },
    {
        "id": "enterprise-post-cert",
        "unit": "other:demo-enterprise-post-certificate",
        "earned_on": "2024-10-10",
        "issuer": "demo-employer",
    },
)

MENU: dict[str, dict[str, Any]] = {str(a["id"]): a for a in _ACHIEVEMENTS}
"""Achievements of the example portfolios, each with an issuer the standards authorise."""
