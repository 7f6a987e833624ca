"""The built-in behaviour tags of seed 004's table (用户标签: 类型 → 识别 → 营销杠杆): for each,
its code, its names, its definition written from the tenant's thresholds, and the marketing
lever the seed pairs it with — in Simplified Chinese and English.

The definitions say exactly what ``behaviour`` computes, so an operator reading the console
knows who is in a tag and why.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from memberops.activity.money import to_yuan
from memberops.insights.tags.rules import BehaviourRules

#: A text in each console language.
Texts = dict[str, str]


@dataclass(frozen=True)
class Behaviour:
    """One built-in tag. ``definition`` holds ``str.format`` templates filled from the rules."""

    code: str
    names: Texts
    definition: Texts
    lever: Texts


def _texts(zh: str, en: str) -> Texts:
    return {"zh-CN": zh, "en": en}


BEHAVIOURS: tuple[Behaviour, ...] = (
    Behaviour(
        "discount_driven",
        _texts("折扣型", "Discount-driven"),
        _texts(
            "近{window}天至少{discount_orders}笔订单，其中至少{discount_share}为折扣购买"
            "（促销订单或实付低于原价）",
            "At least {discount_orders} orders in the last {window} days, at least "
            "{discount_share} of them bought at a discount (a promotion, or paid below list)",
        ),
        _texts(
            "降价通知、买赠、免运费券",
            "Price-drop alerts, gifts with purchase, free-shipping coupons",
        ),
    ),
    Behaviour(
        "stock_up",
        _texts("屯货型", "Stock-up buyer"),
        _texts(
            "低频次高客单：近{window}天1至{stock_max}笔订单、平均每笔至少{high_value}元，"
            "且累计至少{stock_min}笔订单",
            "Low frequency, high order value: 1 to {stock_max} orders in the last {window} "
            "days averaging at least ¥{high_value}, and at least {stock_min} orders ever",
        ),
        _texts("储值卡、定金膨胀", "Stored-value cards, deposit offers (定金膨胀)"),
    ),
    Behaviour(
        "promotion_driven",
        _texts("活动型", "Promotion-driven"),
        _texts(
            "近{window}天至少{promotion_orders}笔订单，至少{promotion_share}在活动中购买，"
            "活动订单平均每笔至少{high_value}元",
            "At least {promotion_orders} orders in the last {window} days, at least "
            "{promotion_share} of them in promotions, promotion orders averaging at least "
            "¥{high_value}",
        ),
        _texts(
            "组合推荐、福袋、购后返券、大额满减",
            "Bundles, lucky bags, post-purchase coupons, large spend-and-save offers",
        ),
    ),
    Behaviour(
        "novelty_seeker",
        _texts("尝鲜型", "Novelty seeker"),
        _texts(
            "近{window}天至少{novelty_orders}笔订单含新品",
            "At least {novelty_orders} orders with a new product in the last {window} days",
        ),
        _texts("新品推荐、上新推送", "New-arrival recommendations and pushes"),
    ),
    Behaviour(
        "herd",
        _texts("从众型", "Herd buyer"),
        _texts(
            "选择困难：至少买过1次，最近一次购买后、近{herd_days}天内加购至少{herd_carts}次"
            "仍未购买",
            "Hard to decide: bought at least once, and since the last purchase added to cart "
            "at least {herd_carts} times in the last {herd_days} days without buying",
        ),
        _texts("“大家都在买”、销售TOP10", '"Everyone is buying", top-10 bestsellers'),
    ),
    Behaviour(
        "gift_giver",
        _texts("礼赠型", "Gift giver"),
        _texts(
            "近{window}天订单寄往至少{gift_addresses}个收货地址，且至少{gift_orders}笔为礼品"
            "订单（含礼品包装，或在送礼季节{seasons}下单）",
            "Orders shipped to at least {gift_addresses} addresses in the last {window} days, "
            "at least {gift_orders} of them gifts (gift-wrapped, or paid in a gift season: "
            "{seasons})",
        ),
        _texts(
            "储值卡、亲情卡、买一赠一", "Stored-value and family cards, buy-one-give-one offers"
        ),
    ),
    Behaviour(
        "honour",
        _texts("荣誉型", "Honour seeker"),
        _texts(
            "近{window}天参加竞赛至少{honour_entries}次",
            "At least {honour_entries} competition entries in the last {window} days",
        ),
        _texts("积分、排名、炫耀转发", "Points, rankings, share-to-show-off"),
    ),
    Behaviour(
        "circle",
        _texts("圈子型", "Community joiner"),
        _texts(
            "近{window}天评价或回答问卷至少{circle_events}次",
            "At least {circle_events} reviews or survey answers in the last {window} days",
        ),
        _texts("社群营销、线下活动", "Community (社群) marketing, offline events"),
    ),
    Behaviour(
        "price_tolerance_high",
        _texts("价格容忍度高", "High price tolerance"),
        _texts(
            "至少{price_orders}笔未退款订单，商品消费中至少{high_share}花在店内最高单价"
            "（前10%）的商品上",
            "At least {price_orders} orders not refunded, at least {high_share} of line spend "
            "on the shop's top-priced items (its top 10 % of SKUs by list price)",
        ),
        _texts("新品首发、高端系列、会员专享", "Launches, premium lines, members-only items"),
    ),
    Behaviour(
        "price_tolerance_low",
        _texts("价格容忍度低", "Low price tolerance"),
        _texts(
            "至少{price_orders}笔未退款订单，商品消费中至少{low_share}为特价商品"
            "（低于原价5%及以上）",
            "At least {price_orders} orders not refunded, at least {low_share} of line spend "
            "on special-price items (sold 5 % or more below list)",
        ),
        _texts(
            "特价清单、限时折扣、满减券", "Special-price lists, flash sales, spend-and-save coupons"
        ),
    ),
)
BY_CODE = {behaviour.code: behaviour for behaviour in BEHAVIOURS}


def _percent(share: Decimal) -> str:
    return f"{(share * 100).normalize():f}%"


def _figures(rules: BehaviourRules) -> dict[str, Any]:
    return {
        "window": rules.window_days,
        "discount_orders": rules.discount_min_orders,
        "discount_share": _percent(rules.discount_share),
        "high_value": to_yuan(rules.high_order_value),
        "stock_max": rules.stock_up_max_orders,
        "stock_min": rules.stock_up_min_orders,
        "promotion_orders": rules.promotion_min_orders,
        "promotion_share": _percent(rules.promotion_share),
        "novelty_orders": rules.novelty_min_orders,
        "herd_carts": rules.herd_min_carts,
        "herd_days": rules.herd_days,
        "gift_addresses": rules.gift_min_addresses,
        "gift_orders": rules.gift_min_orders,
        "seasons": ", ".join(f"{s.name} {s.start}~{s.end}" for s in rules.gift_seasons) or "-",
        "honour_entries": rules.honour_min_entries,
        "circle_events": rules.circle_min_events,
        "price_orders": rules.price_min_orders,
        "high_share": _percent(rules.price_high_share),
        "low_share": _percent(rules.price_low_share),
    }


def definition(code: str, rules: BehaviourRules) -> Texts:
    """The behaviour tag's definition with the tenant's thresholds, in each language."""
    figures = _figures(rules)
    return {locale: text.format(**figures) for locale, text in BY_CODE[code].definition.items()}
