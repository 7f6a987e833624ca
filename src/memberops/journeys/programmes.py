"""What each built-in journey template builds (``templates``): from its parameters, the
ordinary journey definitions — trigger, steps, entry rule — with Simplified Chinese texts
addressed by name. Kept apart from the catalogue so each programme reads on its own."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from memberops.journeys.models import EntryRule
from memberops.journeys.template_params import (
    BirthdayParams,
    ExpiryParams,
    LaunchParams,
    MemberDayParams,
    NoveltyParams,
    OrderCareParams,
    Params,
    SamplingParams,
    UpgradeParams,
    VipReviewParams,
    WelcomeParams,
    WinBackParams,
)
from memberops.kernel import clock
from memberops.tenancy.access import Principal

_HI = '{{ name or "亲" }}'
_STOP = "回T退订"


@dataclass(frozen=True)
class Part:
    """One journey a template builds: its name after the template's, trigger, steps, rule."""

    suffix: str
    trigger: dict[str, Any]
    steps: list[dict[str, Any]]
    entry_rule: EntryRule = EntryRule.every_time


def _send(params: Params, body: str) -> dict[str, Any]:
    return {"type": "send", "channel": params.channel.value, "body": body}


def _notice(params: Params, body: str) -> dict[str, Any]:
    """A service notice about the member's own order: the frequency cap neither counts nor
    skips it (docs/journeys.md)."""
    return _send(params, body) | {"purpose": "service"}


def _coupon(template_id: int) -> dict[str, Any]:
    return {"type": "issue_coupon", "coupon_template_id": template_id}


def welcome(p: WelcomeParams, _: Principal) -> list[Part]:
    bought = {"field": "stats.orders_count", "op": ">=", "value": 1}
    steps = [
        _coupon(p.coupon_template_id),
        _send(p, f"{_HI}，欢迎加入会员！新人专享券已放入您的账户，首单立享优惠。{_STOP}"),
        {"type": "wait", "days": 3, "at": "10:00"},
        {"type": "branch", "condition": bought, "yes": 5},
        _send(p, f"{_HI}，您的新人券还没用哦，挑几件心仪好物吧，优惠即将到期。{_STOP}"),
    ]
    return [Part("", {"type": "member_registered"}, steps, EntryRule.once_ever)]


def order_care(p: OrderCareParams, _: Principal) -> list[Part]:
    review = [
        _notice(p, f"{_HI}，您的包裹已签收，使用中有任何问题随时联系客服。{_STOP}"),
        {"type": "wait", "days": p.review_after_days, "at": "10:00"},
        _send(p, f"{_HI}，宝贝用得还满意吗？期待您的评价，晒图好评有惊喜。{_STOP}"),
    ]
    return [
        Part(
            "付款",
            {"type": "order_paid"},
            [_notice(p, f"{_HI}，感谢您的订单！我们正在为您精心备货，发货后第一时间通知您。")],
        ),
        Part(
            "发货",
            {"type": "order_shipped"},
            [_notice(p, f"{_HI}，您的订单已发货，请留意查收。{_STOP}")],
        ),
        Part("签收", {"type": "order_delivered"}, review),
    ]


def birthday(p: BirthdayParams, _: Principal) -> list[Part]:
    at = p.at.strftime("%H:%M")
    trigger = {"type": "birthday", "days_before": p.days_before, "at": at}
    greeting = _send(p, f"{_HI}，生日快乐！愿新的一岁万事顺意，生日券别忘了使用哦。{_STOP}")
    if not p.days_before:
        return [Part("", trigger, [_coupon(p.coupon_template_id), greeting])]
    steps = [
        _coupon(p.coupon_template_id),
        _send(p, f"{_HI}，您的生日就要到了！专属生日券已送达您的账户。{_STOP}"),
        {"type": "wait", "days": p.days_before, "at": at},
        greeting,
    ]
    return [Part("", trigger, steps)]


def win_back(p: WinBackParams, _: Principal) -> list[Part]:
    # A wait of 30 days ending at 10:00 lasts up to 31 days: an order in the last 31 days can
    # only be one placed since the member entered (none in the 30 days before).
    back = {"field": "stats.last_order_at", "op": "within_days", "value": 31}
    steps = [
        _coupon(p.coupon_30_template_id),
        _send(p, f"{_HI}，好久不见！送您一张专属回归券，回来看看新变化吧。{_STOP}"),
        {"type": "wait", "days": 30, "at": "10:00"},
        {"type": "branch", "condition": back, "yes": 10},
        _coupon(p.coupon_60_template_id),
        _send(p, f"{_HI}，我们很想念您！更大力度的回归礼已放入账户，限时有效。{_STOP}"),
        {"type": "wait", "days": 30, "at": "10:00"},
        {"type": "branch", "condition": back, "yes": 10},
        _coupon(p.coupon_90_template_id),
        _send(p, f"{_HI}，最后一份回归大礼：超值券已到账，错过再等一年。{_STOP}"),
    ]
    return [Part("", {"type": "inactive", "days": 30}, steps)]


def _start(p: LaunchParams, principal: Principal) -> str:
    """The local moment to start at: the parameter (one with an offset moved into the tenant's
    timezone), or tomorrow 10:00."""
    zone = ZoneInfo(principal.timezone)
    if p.start_at is not None:
        at = p.start_at if p.start_at.tzinfo is None else p.start_at.astimezone(zone)
        return at.replace(tzinfo=None).isoformat()
    local = clock.now().astimezone(zone).date()
    return datetime.combine(local + timedelta(days=1), time(10)).isoformat()


def sampling(p: SamplingParams, principal: Principal) -> list[Part]:
    leaves: list[dict[str, Any]] = [
        {"field": "stats.orders_count", "op": ">=", "value": 1},
        {"field": "stats.last_order_at", "op": "not_within_days", "value": p.idle_days},
    ]
    if p.gender is not None:
        leaves.append({"field": "member.gender", "op": "=", "value": p.gender.value})
    if p.preference_tag is not None:
        leaves.append({"field": "tags.tag", "op": "=", "value": p.preference_tag})
    trigger = {"type": "fixed_date", "at": _start(p, principal), "condition": {"all": leaves}}
    steps = [
        _coupon(p.coupon_template_id),
        _send(p, f"{_HI}，老朋友好久不见！新品小样免费送，领取券已放入您的账户。{_STOP}"),
    ]
    return [Part("", trigger, steps, EntryRule.once_ever)]


def novelty(p: NoveltyParams, principal: Principal) -> list[Part]:
    novel = {"field": "tags.tag", "op": "=", "value": "novelty_seeker"}
    trigger = {"type": "fixed_date", "at": _start(p, principal), "condition": novel}
    steps = [_send(p, f"{_HI}，{p.product_name}首发上市！尝鲜会员抢先购。{_STOP}")]
    if p.coupon_template_id is not None:
        steps.insert(0, _coupon(p.coupon_template_id))
    return [Part("", trigger, steps, EntryRule.once_ever)]


def expiry(p: ExpiryParams, _: Principal) -> list[Part]:
    trigger = {"type": "points_expiring", "within_days": p.within_days}
    body = f"{_HI}，您有积分将在{p.within_days}天内到期，快来兑换好礼，别让积分白白过期。{_STOP}"
    return [Part("", trigger, [_send(p, body)])]


def upgrade(p: UpgradeParams, _: Principal) -> list[Part]:
    steps = [_send(p, f"{_HI}，恭喜您升级为更高等级会员！更多专属权益已为您开启。{_STOP}")]
    if p.points:
        steps.append({"type": "grant_points", "points": p.points})
    return [Part("", {"type": "tier_changed", "kind": "upgrade"}, steps)]


def member_day(p: MemberDayParams, _: Principal) -> list[Part]:
    trigger: dict[str, Any] = {"type": "member_day", "at": p.at.strftime("%H:%M")}
    if p.day is not None:
        trigger["day"] = p.day
    steps = [_send(p, f"{_HI}，今天是会员日！会员专享福利已开启，快来逛逛吧。{_STOP}")]
    if p.coupon_template_id is not None:
        steps.insert(0, _coupon(p.coupon_template_id))
    return [Part("", trigger, steps)]


def vip_review(p: VipReviewParams, _: Principal) -> list[Part]:
    """Each month the members the rule selects and those on a VIP group enter: who qualifies
    and is on no VIP group is invited (with a message), who no longer qualifies is removed."""
    qualifies: dict[str, Any] = {
        "any": [
            {"field": "stats.spend_365d", "op": ">=", "value": f"{p.min_spend_365d}.00"},
            {"field": "stats.orders_365d", "op": ">=", "value": p.min_orders_365d},
        ]
    }
    on_vip: dict[str, Any] = {"field": "community.in_vip_group", "op": "=", "value": True}
    trigger: dict[str, Any] = {
        "type": "member_day",
        "day": p.day,
        "at": p.at.strftime("%H:%M"),
        "condition": {"any": [qualifies, on_vip]},
    }
    invite: dict[str, Any] = {"type": "add_to_group", "kind": "vip"}
    if p.group_id is not None:
        invite["group_id"] = p.group_id
    steps: list[dict[str, Any]] = [
        {"type": "branch", "condition": qualifies, "yes": 3},
        {"type": "remove_from_group", "kind": "vip"},
        {"type": "exit"},
        {"type": "branch", "condition": on_vip, "yes": 6},
        invite,
        _send(
            p,
            f"{_HI}，恭喜您成为VIP会员！诚邀您加入VIP专属社群，专享券、专享品和专属活动等您来。{_STOP}",
        ),
        {"type": "exit"},
    ]
    return [Part("", trigger, steps)]
