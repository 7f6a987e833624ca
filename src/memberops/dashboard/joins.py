"""The join-source report (SPEC §6, seeds 000 and 003): registrations per local day or week,
source and campaign, and how many of them have bought since joining — which parcel cards,
store QR codes and menus bring members who buy.

One grouped query over ``member_joins`` joined to the bucket table of ``periods.py`` (local
days as UTC instants), with an ``EXISTS`` probe per registration on ``orders (tenant_id,
member_id, paid_at)``; the console and ``GET /api/v1/dashboard/joins`` both call
:func:`join_report`. It reads growth's join records: a member registered by a file import
without a join record is not in it."""

from datetime import date

from pydantic import BaseModel
from sqlalchemy import case, exists, func, select
from sqlalchemy.orm import Session

from memberops.activity.models import Order
from memberops.dashboard.periods import Bucket, bucket_table, periods
from memberops.growth.models import JoinSource, MemberJoin
from memberops.kernel import clock
from memberops.tenancy.access import Principal


class JoinRow(BaseModel):
    period: date
    source: JoinSource
    campaign: str
    registrations: int
    bought: int


class JoinReport(BaseModel):
    days: int
    bucket: Bucket
    rows: list[JoinRow]


def join_report(session: Session, principal: Principal, days: int, bucket: Bucket) -> JoinReport:
    """The last ``days`` local days' registrations by ``bucket``, source and campaign, oldest
    period first; periods without a registration have no row."""
    cuts = periods(clock.now(), principal.timezone, days, bucket)
    table = bucket_table(cuts)
    bought = exists().where(
        Order.tenant_id == MemberJoin.tenant_id,
        Order.member_id == MemberJoin.member_id,
        Order.paid_at >= MemberJoin.joined_at,
    )
    rows = session.execute(
        select(
            table.c.n,
            MemberJoin.source,
            MemberJoin.campaign,
            func.count(),
            func.sum(case((bought, 1), else_=0)),
        )
        .join(table, (MemberJoin.joined_at >= table.c.start) & (MemberJoin.joined_at < table.c.end))
        .where(MemberJoin.tenant_id == principal.tenant_id)
        .group_by(table.c.n, MemberJoin.source, MemberJoin.campaign)
        .order_by(table.c.n, MemberJoin.source, MemberJoin.campaign)
    )
    return JoinReport(
        days=days,
        bucket=bucket,
        rows=[
            JoinRow(
                period=cuts[n].first_day,
                source=source,
                campaign=campaign,
                registrations=count,
                bought=int(buyers),
            )
            for n, source, campaign, count, buyers in rows
        ],
    )
