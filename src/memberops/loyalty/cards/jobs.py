"""The benefit cards' daily work, run by the loyalty engine's daily job (``loyalty.jobs``),
each step in its own transaction and idempotent (it acts on what is due now):

- holdings whose term ended are marked lapsed, each publishing ``CardLapsed`` (``lapse``);
- valid holdings get their coupons of the current local month if they have not had them
  (``monthly``), once per (holding, month) however often the job runs.
"""

from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from memberops.loyalty.cards.lapse import lapse_due
from memberops.loyalty.cards.monthly import grant_monthly_due
from memberops.tenancy.access import Principal


@dataclass(frozen=True)
class CardsReport:
    """What one tenant's daily card run did."""

    lapsed: int  # holdings
    monthly_grants: int  # holdings given this month's coupons


def run_daily(session_factory: sessionmaker[Session], principal: Principal) -> CardsReport:
    """Lapse ended holdings, then give this month's coupons, each in its own transaction."""
    with session_factory.begin() as session:
        lapsed = lapse_due(session, principal)
    with session_factory.begin() as session:
        granted = grant_monthly_due(session, principal)
    return CardsReport(lapsed, granted)
