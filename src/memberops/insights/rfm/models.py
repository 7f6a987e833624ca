"""Tables of the RFM sub-room: one row per member who bought in the window."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from memberops.kernel.db import Base
from memberops.tenancy.models import TenantOwned


class RfmType(StrEnum):
    """The Chinese 8-type model: R, F and M each above or below the buyers' mean."""

    important_value = "important_value"  # 重要价值: R↑ F↑ M↑
    important_development = "important_development"  # 重要发展: R↑ F↓ M↑
    important_retention = "important_retention"  # 重要保持: R↓ F↑ M↑
    important_winback = "important_winback"  # 重要挽留: R↓ F↓ M↑
    general_value = "general_value"  # 一般价值: R↑ F↑ M↓
    general_development = "general_development"  # 一般发展: R↑ F↓ M↓
    general_retention = "general_retention"  # 一般保持: R↓ F↑ M↓
    general_winback = "general_winback"  # 一般挽留: R↓ F↓ M↓


class Segment(StrEnum):
    """The common 11-segment scheme, placed by R score and FM score (see ``segments``)."""

    champions = "champions"
    loyal = "loyal"
    potential_loyalist = "potential_loyalist"
    new = "new"
    promising = "promising"
    need_attention = "need_attention"
    about_to_sleep = "about_to_sleep"
    at_risk = "at_risk"
    cant_lose = "cant_lose"
    hibernating = "hibernating"
    lost = "lost"


class MemberRfm(TenantOwned, Base):
    """A buyer's RFM as of ``as_of`` over ``window_days``."""

    __tablename__ = "member_rfm"
    __table_args__ = (Index("ix_member_rfm_type", "tenant_id", "rfm_type"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    as_of: Mapped[datetime]
    window_days: Mapped[int]
    recency_days: Mapped[int]
    frequency: Mapped[int]
    monetary_cents: Mapped[int] = mapped_column(BigInteger)
    r_score: Mapped[int] = mapped_column(SmallInteger)
    f_score: Mapped[int] = mapped_column(SmallInteger)
    m_score: Mapped[int] = mapped_column(SmallInteger)
    rfm_type: Mapped[RfmType] = mapped_column(String(24))
    segment: Mapped[Segment] = mapped_column(String(24))
    computed_at: Mapped[datetime]
