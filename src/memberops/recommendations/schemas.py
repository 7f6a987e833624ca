"""What the recommendations API reads and answers."""

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field


class Reason(StrEnum):
    """Why an item is on a member's list."""

    bought_together = "bought_together"  # often bought by the members who bought theirs
    favourite_category = "favourite_category"  # a top seller of a category they buy most
    new_arrival = "new_arrival"  # new, for a member tagged novelty_seeker
    top_seller = "top_seller"  # what everyone buys: for a member tagged herd, and to fill


class RecommendedItem(BaseModel):
    sku: str
    name: str
    category: str | None
    reason: Reason
    score: float = Field(
        description="How strongly its list suggests it: summed cosine similarity for "
        "bought_together, buyers in the window otherwise"
    )


class RecommendationsRead(BaseModel):
    member_id: str
    computed_at: datetime | None = Field(
        description="When the products' figures were last rebuilt (null: never)"
    )
    items: list[RecommendedItem]


class RebuildRead(BaseModel):
    products: int
    neighbours: int
    computed_at: datetime
