"""HTTP route of the dashboard room: the overview's figures as JSON (read-only)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from memberops.dashboard import service
from memberops.dashboard.joins import JoinReport, join_report
from memberops.dashboard.periods import Bucket
from memberops.dashboard.schemas import Overview
from memberops.kernel.web import SessionDep
from memberops.tenancy.access import Permission, Principal
from memberops.tenancy.dependencies import require

router = APIRouter(tags=["dashboard"])

Reader = Annotated[Principal, Depends(require(Permission.members_read))]


@router.get("/dashboard/overview", response_model=Overview)
def overview(
    session: SessionDep,
    principal: Reader,
    days: Annotated[int, Query(ge=7, le=366, description="Trend range in local days")] = (
        service.DEFAULT_DAYS
    ),
    bucket: Annotated[Bucket, Query(description="Trend bucket: day or week")] = Bucket.day,
) -> Overview:
    """Seed 003's figures as of now: buyers in 365 days (active / dormant), interested members,
    favourites and cart adders in 30 days, repurchase rate, registered members against
    customer records, and a trend of net sales and new members."""
    return service.overview(session, principal, days, bucket)


@router.get("/dashboard/joins", response_model=JoinReport)
def joins(
    session: SessionDep,
    principal: Reader,
    days: Annotated[int, Query(ge=1, le=366, description="Range in local days")] = 30,
    bucket: Annotated[Bucket, Query(description="day or week")] = Bucket.day,
) -> JoinReport:
    """The join-source report: registrations per period, source and campaign, and how many
    of them have bought since (docs/growth.md)."""
    return join_report(session, principal, days, bucket)
