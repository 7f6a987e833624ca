"""Built-in journey templates (SPEC §8, issue 8): the seeds' care and win-back programmes an
operator starts with one click and then edits like any journey.

A template is a key, names and a description in zh-CN and English, a parameters model (a coupon
template where the programme gives one, a day or a time…) and what it builds from them: one or
more ordinary journey definitions (trigger, steps, entry rule). The order care chain is three
journeys — paid, shipped, delivered → review ask — since each step there waits for an event of
its own order, which only a trigger catches. :func:`start_template` validates the parameters
(``422 journeys.invalid`` naming ``body.params.<name>``, e.g. a missing coupon template) and
creates the journeys through ``service.create_journey`` (so every usual check applies), as
drafts or active. What each template builds is in ``programmes``.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from memberops.insights.tags.service import ensure_behaviour_tags
from memberops.journeys import programmes, service
from memberops.journeys.errors import JourneyInvalid, JourneyTemplateNotFound
from memberops.journeys.models import Journey
from memberops.journeys.schemas import JourneyCreate
from memberops.journeys.template_params import (
    BirthdayParams,
    ExpiryParams,
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
from memberops.tenancy.access import Permission, Principal

#: A text in each console language.
Texts = dict[str, str]


@dataclass(frozen=True)
class Template:
    key: str
    names: Texts
    descriptions: Texts
    params: type[Params]
    #: The journeys of the parameters (an instance of ``params``) for the tenant.
    build: Callable[[Any, Principal], list[programmes.Part]]


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
            programmes.welcome,
        ),
        _t(
            "order_care",
            "订单全链路关怀",
            "Order care chain",
            "付款致谢、发货通知、签收关怀，签收几天后邀请评价（三个旅程）。",
            "Thanks on payment, a shipping notice, care on delivery and a review ask a few "
            "days later (three journeys).",
            OrderCareParams,
            programmes.order_care,
        ),
        _t(
            "birthday_care",
            "生日关怀",
            "Birthday care",
            "生日前几天送出生日券并提醒，生日当天送上祝福。",
            "A birthday coupon and a note a few days before the birthday, wishes on the day.",
            BirthdayParams,
            programmes.birthday,
        ),
        _t(
            "win_back",
            "沉睡会员唤醒（30/60/90天）",
            "Dormant win-back (30 / 60 / 90 days)",
            "30天未购买送回归券，60天、90天仍未回来送更大的券；回购即停止。",
            "An offer after 30 days without an order, bigger ones at 60 and 90 days; "
            "an order ends it.",
            WinBackParams,
            programmes.win_back,
        ),
        _t(
            "churned_sampling",
            "流失老客精准派样",
            "Precision sampling for churned buyers",
            "买过但一年未购买的会员（可限定性别或偏好标签），在指定时间发放新品小样券。",
            "Members who bought before but not in a year (of a chosen gender or preference "
            "tag) get a new-product sample coupon at a chosen time.",
            SamplingParams,
            programmes.sampling,
        ),
        _t(
            "novelty_push",
            "尝鲜客新品推送",
            "New-arrival push to novelty-seekers",
            "新品上市时，向尝鲜型会员推送上新消息（可附券）。",
            "At a launch, a new-arrival message (and an optional coupon) to novelty-seekers.",
            NoveltyParams,
            programmes.novelty,
        ),
        _t(
            "points_expiry",
            "积分到期提醒",
            "Points-expiry reminder",
            "积分即将到期的会员收到兑换提醒。",
            "Members whose points expire soon are reminded to redeem them.",
            ExpiryParams,
            programmes.expiry,
        ),
        _t(
            "tier_upgrade",
            "会员升级祝贺",
            "Tier upgrade congratulation",
            "会员升级时发送祝贺消息（可附赠积分）。",
            "A congratulation (and optional points) when a member moves up a tier.",
            UpgradeParams,
            programmes.upgrade,
        ),
        _t(
            "member_day",
            "每月会员日",
            "Monthly member day",
            "每月会员日当天定时提醒会员（可附会员日券）。",
            "A member-day message (and an optional coupon) on the monthly member day.",
            MemberDayParams,
            programmes.member_day,
        ),
        _t(
            "vip_review",
            "VIP社群月度核查",
            "VIP community group monthly review",
            "每月核查一次：近365天消费或订单达标且不在VIP群的会员收到邀请并入群，不再达标的移出VIP群。",
            "Once a month: members who reach the spend or order bar of the last 365 days and "
            "are on no VIP group are invited, with a message; those who no longer reach it "
            "are removed.",
            VipReviewParams,
            programmes.vip_review,
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
