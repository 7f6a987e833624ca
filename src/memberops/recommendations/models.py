"""Tables of the recommendations room, both rebuilt whole per tenant by the daily job: the
co-purchase neighbours of each SKU, and the figures of each SKU sold in the window."""

from datetime import datetime

from sqlalchemy import BigInteger, Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from memberops.kernel.db import Base


class ProductNeighbour(Base):
    """``neighbour_sku`` is among the ``rank`` (1 = closest) SKUs most often bought by the same
    members as ``sku``: ``support`` members bought both, ``score`` is their cosine similarity
    (support / √(buyers of one × buyers of the other))."""

    __tablename__ = "product_neighbours"

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), primary_key=True)
    neighbour_sku: Mapped[str] = mapped_column(String(64), primary_key=True)
    rank: Mapped[int]
    score: Mapped[float] = mapped_column(Float)
    support: Mapped[int]
    computed_at: Mapped[datetime]


class ProductFigures(Base):
    """One SKU sold in the window before ``computed_at``: its latest name and category, how many
    members bought it and how many units, when it was first sold (ever), and whether a line of
    it in the window was flagged a new product."""

    __tablename__ = "product_figures"
    __table_args__ = (Index("ix_product_figures_buyers", "tenant_id", "buyers"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str | None] = mapped_column(String(64))
    buyers: Mapped[int]
    units: Mapped[int] = mapped_column(BigInteger)
    first_sold_at: Mapped[datetime]
    new_product: Mapped[bool]
    computed_at: Mapped[datetime]
