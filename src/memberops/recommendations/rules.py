"""The tenant's recommendation settings, one rules section with these defaults.

``window_days`` of orders feed the similarities and the figures; each member's
``basket_items`` most recently bought SKUs of that window make their basket (a wholesale
buyer with a thousand SKUs would otherwise dominate the pair counts and the job's time); a
pair needs ``min_support`` members who bought both; each SKU keeps its ``neighbours`` closest.
A SKU first sold within ``new_days`` (or flagged ``is_new_product``) is a new arrival; a
member's ``top_categories`` most bought categories get their top sellers. Lines whose category
is in ``excluded_categories`` (charges rather than goods: the ``uci`` import's postage,
carriage, fees…) are never recommended nor counted.

The defaults were chosen on the UCI Online Retail file (docs/benchmarks.md): a basket of 50
recent SKUs and a support of 2 gave the best hit rate of those tried, for a quarter of the
pairs a basket of 300 makes.
"""

from pydantic import Field

from memberops.imports.orders.uci import ADJUSTMENTS
from memberops.tenancy.sections import SettingsSection

#: Categories the order importers give to charges (postage, fees…) rather than goods.
CHARGE_CATEGORIES = sorted(set(ADJUSTMENTS.values()))


class RecommendationRules(SettingsSection):
    """See the module docstring."""

    section = "recommendations"

    window_days: int = Field(default=365, ge=7, le=3650)
    basket_items: int = Field(default=50, ge=2, le=500)
    min_support: int = Field(default=2, ge=1, le=1000)
    neighbours: int = Field(default=20, ge=1, le=100)
    new_days: int = Field(default=30, ge=1, le=365)
    top_categories: int = Field(default=3, ge=0, le=10)
    excluded_categories: list[str] = Field(default=CHARGE_CATEGORIES, max_length=100)
