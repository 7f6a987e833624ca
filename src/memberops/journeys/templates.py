"""Built-in journey templates (SPEC §8, issue 8): the seeds' care and win-back programmes an
operator starts with one click and then edits like any journey.

A template is a key, names and a description in zh-CN and English, a parameters model (a coupon
template where the programme gives one, a day or a time…) and what it builds from them: one or
more ordinary journey definitions (trigger, steps, entry rule). The order care chain is three
journeys — paid, shipped, delivered → review ask — since each step there waits for an event of
its own order, which only a trigger catches. :func:`start_template` validates the parameters
(``422 journeys.invalid`` naming ``body.params.<name>``, e.g. a missing coupon template) and
creates the journeys through ``service.create_journey`` (so every usual check applies), as
drafts or active.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy.orm import Session

from memberops.insights.tags.service import ensure_behaviour_tags
from memberops.journeys import service
from memberops.journeys.errors import JourneyInvalid, JourneyTemplateNotFound
from memberops.journeys.models import EntryRule, Journey
from memberops.journeys.schemas import JourneyCreate
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
    WelcomeParams,
    WinBackParams,
)
from memberops.kernel import clock
from memberops.tenancy.access import Permission, Principal

#: A text in each console language.
Texts = dict[str, str]
_HI = '{{ name or "亲" }}'
_STOP = "回T退订"


@dataclass(frozen=True)
class Part:
    """One journey a template builds: its name after the template's, trigger, steps, rule."""

    suffix: str
    trigger: dict[str, Any]
    steps: list[dict[str, Any]]
    entry_rule: EntryRule = EntryRule.every_time


@dataclass(frozen=True)
class Template:
    key: str
    names: Texts
    descriptions: Texts
    params: type[Params]
    #: The journeys of the parameters (an instance of ``params``) for the tenant.
    build: Callable[[Any, Principal], list[Part]]


def _send(params: Params, body: str) -> dict[str, Any]:
    return {"type": "send", "channel": params.channel.value, "body": body}


def _coupon(template_id: int) -> dict[str, Any]:
    return {"type": "issue_coupon", "coupon_template_id": template_id}


def _welcome(p: WelcomeParams, _: Principal) -> list[Part]:
    bought = {"field": "stats.orders_count", "op": ">=", "value": 1}
    steps = [
        _coupon(p.coupon_template_id),
        _send(p, f"{_HI}，欢迎加入会员！新人专享券已放入您的账户，首单立享优惠。{_STOP}"),
        {"type": "wait", "days": 3, "at": "10:00"},
        {"type": "branch", "condition": bought, "yes": 5},
        _send(p, f"{_HI}，您的新人券还没用哦，挑几件心仪好物吧，优惠即将到期。{_STOP}"),
    ]
    return [Part("", {"type": "member_registered"}, steps, EntryRule.once_ever)]


def _order_care(p: OrderCareParams, _: Principal) -> list[Part]:
    review = [
        _send(p, f"{_HI}，您的包裹已签收，使用中有任何问题随时联系客服。{_STOP}"),
        {"type": "wait", "days": p.review_after_days, "at": "10:00"},
        _send(p, f"{_HI}，宝贝用得还满意吗？期待您的评价，晒图好评有惊喜。{_STOP}"),
    ]
    return [
        Part(
            "付款",
            {"type": "order_paid"},
            [_send(p, f"{_HI}，感谢您的订单！我们正在为您精心备货，发货后第一时间通知您。")],
        ),
        Part(
            "发货",
            {"type": "order_shipped"},
            [_send(p, f"{_HI}，您的订单已发货，请留意查收。{_STOP}")],
        ),
        Part("签收", {"type": "order_delivered"}, review),
    ]


def _birthday(p: BirthdayParams, _: Principal) -> list[Part]:
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


def _win_back(p: WinBackParams, _: Principal) -> list[Part]:
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


def _sampling(p: SamplingParams, principal: Principal) -> list[Part]:
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


def _novelty(p: NoveltyParams, principal: Principal) -> list[Part]:
    novel = {"field": "tags.tag", "op": "=", "value": "novelty_seeker"}
    trigger = {"type": "fixed_date", "at": _start(p, principal), "condition": novel}
    steps = [_send(p, f"{_HI}，{p.product_name}首发上市！尝鲜会员抢先购。{_STOP}")]
    if p.coupon_template_id is not None:
        steps.insert(0, _coupon(p.coupon_template_id))
    return [Part("", trigger, steps, EntryRule.once_ever)]


def _expiry(p: ExpiryParams, _: Principal) -> list[Part]:
    trigger = {"type": "points_expiring", "within_days": p.within_days}
    body = f"{_HI}，您有积分将在{p.within_days}天内到期，快来兑换好礼，别让积分白白过期。{_STOP}"
    return [Part("", trigger, [_send(p, body)])]


def _upgrade(p: UpgradeParams, _: Principal) -> list[Part]:
    steps = [_send(p, f"{_HI}，恭喜您升级为更高等级会员！更多专属权益已为您开启。{_STOP}")]
    if p.points:
        steps.append({"type": "grant_points", "points": p.points})
    return [Part("", {"type": "tier_changed", "kind": "upgrade"}, steps)]


def _member_day(p: MemberDayParams, _: Principal) -> list[Part]:
    trigger: dict[str, Any] = {"type": "member_day", "at": p.at.strftime("%H:%M")}
    if p.day is not None:
        trigger["day"] = p.day
    steps = [_send(p, f"{_HI}，今天是会员日！会员专享福利已开启，快来逛逛吧。{_STOP}")]
    if p.coupon_template_id is not None:
        steps.insert(0, _coupon(p.coupon_template_id))
    return [Part("", trigger, steps)]


def _t(
    key: str, zh: str, en: str, zh_about: str, en_about: str, params: type[Params], build: Any
) -> Template:
    return Template(
        key, {"zh-CN": zh, "en": en}, {"zh-CN": zh_about, "en": en_about}, params, build
    )


TEMPLATES: dict[str, Template] = {
    t.key: t
    for t in (
        _t(
            "welcome_pack",
            "新会员欢迎礼包",
            "New-member welcome pack",
            "注册即送新人券并发送欢迎消息；3天后仍未下单的会员收到用券提醒。",
            "A new-member coupon and a welcome message on sign-up; a reminder 3 days later "
            "to members who have not ordered yet.",
            WelcomeParams,
            _welcome,
        ),
        _t(
            "order_care",
            "订单全链路关怀",
            "Order care chain",
            "付款致谢、发货通知、签收关怀，签收几天后邀请评价（三个旅程）。",
            "Thanks on payment, a shipping notice, care on delivery and a review ask a few "
            "days later (three journeys).",
            OrderCareParams,
            _order_care,
        ),
        _t(
            "birthday_care",
            "生日关怀",
            "Birthday care",
            "生日前几天送出生日券并提醒，生日当天送上祝福。",
            "A birthday coupon and a note a few days before the birthday, wishes on the day.",
            BirthdayParams,
            _birthday,
        ),
        _t(
            "win_back",
            "沉睡会员唤醒（30/60/90天）",
            "Dormant win-back (30 / 60 / 90 days)",
            "30天未购买送回归券，60天、90天仍未回来送更大的券；回购即停止。",
            "An offer after 30 days without an order, bigger ones at 60 and 90 days; "
            "an order ends it.",
            WinBackParams,
            _win_back,
        ),
        _t(
            "churned_sampling",
            "流失老客精准派样",
            "Precision sampling for churned buyers",
            "买过但一年未购买的会员（可限定性别或偏好标签），在指定时间发放新品小样券。",
            "Members who bought before but not in a year (of a chosen gender or preference "
            "tag) get a new-product sample coupon at a chosen time.",
            SamplingParams,
            _sampling,
        ),
        _t(
            "novelty_push",
            "尝鲜客新品推送",
            "New-arrival push to novelty-seekers",
            "新品上市时，向尝鲜型会员推送上新消息（可附券）。",
            "At a launch, a new-arrival message (and an optional coupon) to novelty-seekers.",
            NoveltyParams,
            _novelty,
        ),
        _t(
            "points_expiry",
            "积分到期提醒",
            "Points-expiry reminder",
            "积分即将到期的会员收到兑换提醒。",
            "Members whose points expire soon are reminded to redeem them.",
            ExpiryParams,
            _expiry,
        ),
        _t(
            "tier_upgrade",
            "会员升级祝贺",
            "Tier upgrade congratulation",
            "会员升级时发送祝贺消息（可附赠积分）。",
            "A congratulation (and optional points) when a member moves up a tier.",
            UpgradeParams,
            _upgrade,
        ),
        _t(
            "member_day",
            "每月会员日",
            "Monthly member day",
            "每月会员日当天定时提醒会员（可附会员日券）。",
            "A member-day message (and an optional coupon) on the monthly member day.",
            MemberDayParams,
            _member_day,
        ),
    )
}


def get_template(key: str) -> Template:
    found = TEMPLATES.get(key)
    if found is None:
        raise JourneyTemplateNotFound(f"No journey template {key!r}.", key=key)
    return found


def parse_params(template: Template, params: dict[str, Any]) -> Params:
    """The template's parameters, or ``journeys.invalid`` naming each problem's place."""
    try:
        return template.params.model_validate(params)
    except ValidationError as exc:
        errors = [
            {"loc": ["body", "params", *e["loc"]], "msg": e["msg"]}
            for e in exc.errors(include_url=False)
        ]
        first = errors[0]
        where = ".".join(map(str, first["loc"][2:])) or "params"
        raise JourneyInvalid(f"{where}: {first['msg']}", errors=errors) from None


def start_template(
    session: Session,
    principal: Principal,
    key: str,
    params: dict[str, Any],
    *,
    name: str | None = None,
    activate: bool = False,
    holdout_percent: int | None = None,
) -> list[Journey]:
    """Create the template's journeys from ``params`` — drafts, or active when ``activate`` —
    named ``name`` (the template's zh-CN name by default) and, for a template of several
    journeys, ``name · <part>``. Audited as any created journey."""
    principal.require(Permission.campaigns_manage)
    template = get_template(key)
    parsed = parse_params(template, params)
    if key == "novelty_push" or getattr(parsed, "preference_tag", None):
        ensure_behaviour_tags(session, principal.tenant_id)  # the tags its condition names
    base = name or template.names["zh-CN"]
    created = []
    for part in template.build(parsed, principal):
        body = JourneyCreate(
            name=f"{base} · {part.suffix}" if part.suffix else base,
            trigger=part.trigger,
            steps=part.steps,
            entry_rule=part.entry_rule,
            holdout_percent=holdout_percent,
        )
        journey = service.create_journey(session, principal, body)
        if activate:
            journey = service.activate(session, principal, journey.id)
        created.append(journey)
    return created
