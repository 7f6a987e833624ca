"""Tables of the CLV sub-room: each fit of a tenant's models, and each member's predictions
from the latest one."""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from memberops.kernel import clock
from memberops.kernel.db import Base, BigId
from memberops.tenancy.models import TenantOwned


class ModelName(StrEnum):
    bgnbd = "bgnbd"
    pareto_nbd = "pareto_nbd"
    gamma_gamma = "gamma_gamma"


class ChurnRisk(StrEnum):
    high = "high"
    medium = "medium"
    low = "low"


class ClvFit(TenantOwned, Base):
    """One model fitted on the tenant's purchase days up to ``as_of`` in ``unit``s."""

    __tablename__ = "clv_fits"
    __table_args__ = (Index("ix_clv_fits_latest", "tenant_id", "model", "fitted_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    model: Mapped[ModelName] = mapped_column(String(16))
    as_of: Mapped[date]
    unit: Mapped[str] = mapped_column(String(8))
    params: Mapped[dict[str, Any]]
    log_likelihood: Mapped[float] = mapped_column(Float)
    customers: Mapped[int]
    converged: Mapped[bool]
    fitted_at: Mapped[datetime] = mapped_column(default=clock.now)


class MemberPrediction(TenantOwned, Base):
    """A member's predicted value from the fits of ``as_of`` (BG/NBD and Gamma-Gamma)."""

    __tablename__ = "member_predictions"
    __table_args__ = (Index("ix_member_predictions_risk", "tenant_id", "churn_risk"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    as_of: Mapped[date]
    frequency: Mapped[int]  # x: repeat purchase days
    recency_days: Mapped[float] = mapped_column(Float)  # t_x in days
    age_days: Mapped[float] = mapped_column(Float)  # T in days
    p_alive: Mapped[float] = mapped_column(Float)
    expected_30d: Mapped[float] = mapped_column(Float)
    expected_90d: Mapped[float] = mapped_column(Float)
    expected_365d: Mapped[float] = mapped_column(Float)
    spend_per_order_cents: Mapped[int] = mapped_column(BigInteger)
    clv_12m_cents: Mapped[int] = mapped_column(BigInteger)
    churn_risk: Mapped[ChurnRisk] = mapped_column(String(8))
    next_order_on: Mapped[date | None]
    computed_at: Mapped[datetime]
