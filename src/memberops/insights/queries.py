"""Reads of the insights figures: one member's layering and the tenant's overview."""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from memberops.insights.clv.models import ChurnRisk, MemberPrediction
from memberops.insights.lifecycle.models import FUNNEL, MemberStage, StageChange
from memberops.insights.lifecycle.service import stage_counts
from memberops.insights.rfm.models import MemberRfm, RfmType, Segment
from memberops.insights.schemas import (
    InsightsOverview,
    MemberInsights,
    PredictionRead,
    RfmRead,
    SegmentCount,
    StageCount,
    StageFlow,
    StageRead,
    TagBrief,
    TypeCell,
    ValueBand,
)
from memberops.insights.tags.service import tags_of
from memberops.kernel import clock
from memberops.tenancy.access import Principal, tenant_scope

#: Lower edges of the CLV distribution's bands, in cents (the last band is open).
VALUE_EDGES = (0, 5_000, 20_000, 50_000, 100_000, 200_000, 500_000)


def _one(session: Session, principal: Principal, model: Any, member_id: int) -> Any:
    return session.scalar(tenant_scope(principal, model).where(model.member_id == member_id))


def _prediction(row: MemberPrediction) -> PredictionRead:
    return PredictionRead(
        as_of=row.as_of,
        frequency=row.frequency,
        recency_days=row.recency_days,
        age_days=row.age_days,
        p_alive=row.p_alive,
        expected_30d=row.expected_30d,
        expected_90d=row.expected_90d,
        expected_365d=row.expected_365d,
        spend_per_order=row.spend_per_order_cents,
        clv_12m=row.clv_12m_cents,
        churn_risk=row.churn_risk,
        next_order_on=row.next_order_on,
        computed_at=row.computed_at,
    )


def member_insights(session: Session, principal: Principal, member_id: int) -> MemberInsights:
    """The member's stage, RFM, prediction and tags as last computed."""
    stage = _one(session, principal, MemberStage, member_id)
    rfm = _one(session, principal, MemberRfm, member_id)
    prediction = _one(session, principal, MemberPrediction, member_id)
    return MemberInsights(
        member_id=str(member_id),
        stage=None if stage is None else StageRead.model_validate(stage, from_attributes=True),
        rfm=None
        if rfm is None
        else RfmRead.model_validate(
            {**_columns(rfm), "monetary": rfm.monetary_cents}, from_attributes=False
        ),
        prediction=None if prediction is None else _prediction(prediction),
        tags=[TagBrief.model_validate(tag) for tag in tags_of(session, principal, member_id)],
    )


def _columns(row: Any) -> dict[str, Any]:
    return {column.key: getattr(row, column.key) for column in row.__table__.columns}


def _latest(session: Session, principal: Principal, column: Any) -> datetime | None:
    found = session.scalar(
        select(func.max(column)).where(column.table.c.tenant_id == principal.tenant_id)
    )
    return found if isinstance(found, datetime) else None


def _rfm_cells(session: Session, principal: Principal, column: Any) -> dict[str, tuple[int, int]]:
    query = (
        select(column, func.count(), func.sum(MemberRfm.monetary_cents))
        .where(MemberRfm.tenant_id == principal.tenant_id)
        .group_by(column)
    )
    return {str(key): (int(n), int(revenue or 0)) for key, n, revenue in session.execute(query)}


def _flows(session: Session, principal: Principal, days: int) -> list[StageFlow]:
    since = clock.now() - timedelta(days=days)
    query = (
        select(StageChange.from_stage, StageChange.to_stage, func.count())
        .where(StageChange.tenant_id == principal.tenant_id, StageChange.changed_at >= since)
        .where(StageChange.from_stage.is_not(None))
        .group_by(StageChange.from_stage, StageChange.to_stage)
    )
    order = {stage.value: i for i, stage in enumerate(FUNNEL)}
    rows = sorted(session.execute(query), key=lambda row: (order[str(row[0])], order[str(row[1])]))
    return [StageFlow(from_stage=a, to_stage=b, members=n) for a, b, n in rows]


def _value_bands(session: Session, principal: Principal) -> list[ValueBand]:
    value = MemberPrediction.clv_12m_cents
    band = case(
        *[(value >= edge, i) for i, edge in reversed(list(enumerate(VALUE_EDGES)))], else_=0
    )
    query = (
        select(band, func.count())
        .where(MemberPrediction.tenant_id == principal.tenant_id)
        .group_by(band)
    )
    counts: dict[int, int] = {band: int(n) for band, n in session.execute(query)}
    highs: list[int | None] = [*VALUE_EDGES[1:], None]
    return [
        ValueBand(low=low, high=high, members=int(counts.get(i, 0)))
        for i, (low, high) in enumerate(zip(VALUE_EDGES, highs, strict=True))
    ]


def _risk(session: Session, principal: Principal) -> dict[ChurnRisk, int]:
    query = (
        select(MemberPrediction.churn_risk, func.count())
        .where(MemberPrediction.tenant_id == principal.tenant_id)
        .group_by(MemberPrediction.churn_risk)
    )
    found = {ChurnRisk(risk): int(n) for risk, n in session.execute(query)}
    return {risk: found.get(risk, 0) for risk in ChurnRisk}


def overview(session: Session, principal: Principal, flow_days: int = 30) -> InsightsOverview:
    """The tenant's layering at a glance, from the stored figures."""
    counts = stage_counts(session, principal.tenant_id)
    types = _rfm_cells(session, principal, MemberRfm.rfm_type)
    segments = _rfm_cells(session, principal, MemberRfm.segment)
    return InsightsOverview(
        stages=[StageCount(stage=s, members=n, reactivated=r) for s, (n, r) in counts.items()],
        stages_computed_at=_latest(session, principal, MemberStage.computed_at),
        rfm_types=[
            TypeCell(rfm_type=t, members=types.get(t, (0, 0))[0], revenue=types.get(t, (0, 0))[1])
            for t in RfmType
        ],
        segments=[
            SegmentCount(
                segment=s, members=segments.get(s, (0, 0))[0], revenue=segments.get(s, (0, 0))[1]
            )
            for s in Segment
        ],
        rfm_computed_at=_latest(session, principal, MemberRfm.computed_at),
        flow_days=flow_days,
        flows=_flows(session, principal, flow_days),
        value_bands=_value_bands(session, principal),
        churn_risk=_risk(session, principal),
        predictions_computed_at=_latest(session, principal, MemberPrediction.computed_at),
    )
