"""Small reads the console's journey list needs beyond ``service``: each journey's entries and
the ones still moving, for a page of journeys in one grouped query."""

from collections.abc import Sequence

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from memberops.journeys.models import MOVING, JourneyPosition
from memberops.tenancy.access import Permission, Principal

_P = JourneyPosition


def entry_counts(
    session: Session, principal: Principal, journey_ids: Sequence[int]
) -> dict[int, tuple[int, int]]:
    """(entries, entries still moving) of each of the tenant's journeys ``journey_ids``; a
    journey nobody entered is left out."""
    principal.require(Permission.campaigns_read)
    if not journey_ids:
        return {}
    moving = func.sum(case((_P.status.in_(MOVING), 1), else_=0))
    rows = session.execute(
        select(_P.journey_id, func.count(), moving)
        .where(_P.tenant_id == principal.tenant_id, _P.journey_id.in_(journey_ids))
        .group_by(_P.journey_id)
    )
    return {journey: (int(entered), int(still or 0)) for journey, entered, still in rows}
