"""The condition fields insights owns: each member's lifecycle stage, RFM scores and segments,
predicted value, and the tags they hold (SPEC §7: lifecycle stage, RFM score / segment,
predicted CLV / P(alive), customer tags).

Stage, RFM and prediction fields read the stored rows through one outer join each, so they are
as of the last recompute (``computed_at``); a member without a row (no purchase in the RFM
window, no fit yet) has them unset. ``tags.tag`` is whether the member holds an active tag,
named by its code; a rule tag may name other tags and sees them as last evaluated.
"""

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, exists, select

from memberops.activity.money import to_cents
from memberops.conditions.registry import Field, FieldSql, Join, Kind, Scope, register
from memberops.insights.clv.models import ChurnRisk, MemberPrediction
from memberops.insights.lifecycle.models import MemberStage, Stage
from memberops.insights.rfm.models import MemberRfm, RfmType, Segment
from memberops.insights.tags.models import MemberTag, Tag

_STAGES: Table = MemberStage.__table__  # type: ignore[assignment]
_RFM: Table = MemberRfm.__table__  # type: ignore[assignment]
_PREDICTIONS: Table = MemberPrediction.__table__  # type: ignore[assignment]
_MEMBER_TAGS: Table = MemberTag.__table__  # type: ignore[assignment]


def _column(
    table: Table, name: str, *, false_when_missing: bool = False
) -> Callable[[Scope], FieldSql]:
    """A column of a one-row-per-member table, through the one join that table needs."""

    def sql(scope: Scope) -> FieldSql:
        on = and_(table.c.tenant_id == scope.tenant_id, table.c.member_id == scope.member.c.id)
        missing = False if false_when_missing else None
        return FieldSql(table.c[name], joins=(Join(table.name, table, on),), missing=missing)

    return sql


def _tags(scope: Scope) -> FieldSql:
    """Holds an active tag of these codes; the tenant's tag codes are the values it takes. A
    member holds an active tag by one ``member_tags`` row of its id (the code is unique in the
    tenant): that row's join is the set field's ``row``."""
    tags = scope.session.execute(
        select(Tag.id, Tag.code, Tag.active)
        .where(Tag.tenant_id == scope.tenant_id)
        .order_by(Tag.id)
    ).all()
    codes = [code for _, code, _ in tags]
    active = {code: tag_id for tag_id, code, on in tags if on}

    def row(value: Any) -> Join | None:
        tag_id = active.get(value)
        if tag_id is None:
            return None
        held = _MEMBER_TAGS.alias(f"tag_{tag_id}")
        on = and_(
            held.c.tenant_id == scope.tenant_id,
            held.c.member_id == scope.member.c.id,
            held.c.tag_id == tag_id,
        )
        return Join(held.name, held, on)

    def holds(values: list[Any]) -> ColumnElement[bool]:
        return exists().where(
            MemberTag.tenant_id == scope.tenant_id,
            MemberTag.member_id == scope.member.c.id,
            MemberTag.tag_id == Tag.id,
            Tag.tenant_id == scope.tenant_id,
            Tag.active.is_(True),
            Tag.code.in_(values),
        )

    return FieldSql(None, choices=tuple(codes), holds=holds, row=row)


def _field(
    name: str,
    kind: Kind,
    zh: str,
    en: str,
    sql: Callable[[Scope], FieldSql],
    choices: tuple[str, ...] = (),
) -> Field:
    parse = to_cents if kind == Kind.money else None
    return Field(name, kind, {"zh-CN": zh, "en": en}, sql, choices, parse=parse)


FIELDS = (
    _field(
        "lifecycle.stage",
        Kind.string,
        "生命周期阶段",
        "Lifecycle stage",
        _column(_STAGES, "stage"),
        tuple(stage.value for stage in Stage),
    ),
    _field(
        "lifecycle.reactivated",
        Kind.bool,
        "已召回",
        "Reactivated",
        _column(_STAGES, "reactivated", false_when_missing=True),
    ),
    _field(
        "lifecycle.since",
        Kind.datetime,
        "进入当前阶段时间",
        "In this stage since",
        _column(_STAGES, "since"),
    ),
    _field("rfm.r_score", Kind.int, "R 分", "R score", _column(_RFM, "r_score")),
    _field("rfm.f_score", Kind.int, "F 分", "F score", _column(_RFM, "f_score")),
    _field("rfm.m_score", Kind.int, "M 分", "M score", _column(_RFM, "m_score")),
    _field(
        "rfm.recency_days",
        Kind.int,
        "距最近购买天数",
        "Days since last order",
        _column(_RFM, "recency_days"),
    ),
    _field(
        "rfm.frequency",
        Kind.int,
        "窗口内订单数 (F)",
        "Orders in the window (F)",
        _column(_RFM, "frequency"),
    ),
    _field(
        "rfm.monetary",
        Kind.money,
        "窗口内消费 (M)",
        "Spend in the window (M)",
        _column(_RFM, "monetary_cents"),
    ),
    _field(
        "rfm.type",
        Kind.string,
        "RFM 八类",
        "RFM type",
        _column(_RFM, "rfm_type"),
        tuple(kind.value for kind in RfmType),
    ),
    _field(
        "rfm.segment",
        Kind.string,
        "RFM 分群",
        "RFM segment",
        _column(_RFM, "segment"),
        tuple(segment.value for segment in Segment),
    ),
    _field("clv.p_alive", Kind.ratio, "存活概率", "P(alive)", _column(_PREDICTIONS, "p_alive")),
    _field(
        "clv.expected_90d",
        Kind.number,
        "未来90天预期购买次数",
        "Expected purchases, next 90 days",
        _column(_PREDICTIONS, "expected_90d"),
    ),
    _field(
        "clv.expected_365d",
        Kind.number,
        "未来365天预期购买次数",
        "Expected purchases, next 365 days",
        _column(_PREDICTIONS, "expected_365d"),
    ),
    _field(
        "clv.clv_12m",
        Kind.money,
        "12个月预测价值",
        "Predicted 12-month value",
        _column(_PREDICTIONS, "clv_12m_cents"),
    ),
    _field(
        "clv.churn_risk",
        Kind.string,
        "流失风险",
        "Churn risk",
        _column(_PREDICTIONS, "churn_risk"),
        tuple(risk.value for risk in ChurnRisk),
    ),
    _field("tags.tag", Kind.set, "客户标签", "Customer tags", _tags),
)


def register_fields() -> None:
    register(*FIELDS)
