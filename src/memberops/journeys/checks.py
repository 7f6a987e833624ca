"""What a journey definition refers to, checked against the tenant before it is stored: the
branches' conditions compile, the coupon templates, tags and crowds are the tenant's, the
message templates parse, and the entry rule is one the trigger can honour."""

from typing import Any

from sqlalchemy.orm import Session

from memberops.community.models import CommunityGroup
from memberops.conditions.compiler import check_condition
from memberops.crowds.models import Crowd
from memberops.insights.tags.models import Tag, TagKind
from memberops.journeys.definition import (
    BranchStep,
    CouponStep,
    CrowdTrigger,
    Definition,
    FixedDateTrigger,
    GroupStep,
    MemberDayTrigger,
    SendStep,
    TagStep,
)
from memberops.journeys.errors import JourneyInvalid
from memberops.journeys.models import EntryRule
from memberops.loyalty.coupons.models import CouponTemplate
from memberops.loyalty.points.rules import EarnRules
from memberops.messaging.templates import TemplateInvalid, check
from memberops.tenancy.access import Principal, tenant_scope
from memberops.tenancy.sections import load_section


def invalid(loc: list[str | int], message: str) -> JourneyInvalid:
    return JourneyInvalid(message, errors=[{"loc": ["body", *loc], "msg": message}])


def check_rules(rule: EntryRule, period_days: int | None, definition: Definition) -> None:
    """A period for ``once_per_period`` (only), and no ``every_time`` for a crowd: being in a
    crowd is a state, not an occurrence, so it has nothing to count entries by."""
    if rule == EntryRule.once_per_period and period_days is None:
        raise invalid(["period_days"], "once_per_period needs period_days")
    if rule != EntryRule.once_per_period and period_days is not None:
        raise invalid(["period_days"], "period_days goes with once_per_period only")
    if rule == EntryRule.every_time and isinstance(definition.trigger, CrowdTrigger):
        raise invalid(["entry_rule"], "crowd_joined enters once_ever or once_per_period")


def _exists(session: Session, principal: Principal, model: Any, row_id: int) -> bool:
    return session.scalar(tenant_scope(principal, model).where(model.id == row_id)) is not None


def check_refs(session: Session, principal: Principal, definition: Definition) -> None:
    """Every step and the trigger name things this tenant has."""
    trigger = definition.trigger
    if isinstance(trigger, CrowdTrigger) and not _exists(
        session, principal, Crowd, trigger.crowd_id
    ):
        raise invalid(["trigger", "crowd_id"], f"no crowd {trigger.crowd_id} in this tenant")
    if isinstance(trigger, MemberDayTrigger) and trigger.day is None:
        if load_section(session, principal.tenant_id, EarnRules).member_day is None:
            raise invalid(["trigger", "day"], "the tenant has no member day: give the day")
    if isinstance(trigger, MemberDayTrigger | FixedDateTrigger) and trigger.condition:
        at = ("body", "trigger", "condition")
        check_condition(session, principal.tenant_id, trigger.condition, at)
    for index, step in enumerate(definition.steps):
        _check_step(session, principal, index, step)


def _check_step(session: Session, principal: Principal, index: int, step: Any) -> None:
    at: list[str | int] = ["steps", index]
    if isinstance(step, BranchStep):
        check_condition(session, principal.tenant_id, step.condition, ("body", *at, "condition"))
    elif isinstance(step, SendStep):
        _check_template(at, "subject", step.subject)
        _check_template(at, "body", step.body)
    elif isinstance(step, CouponStep):
        if not _exists(session, principal, CouponTemplate, step.coupon_template_id):
            template = step.coupon_template_id
            raise invalid([*at, "coupon_template_id"], f"no coupon template {template} here")
    elif isinstance(step, TagStep):
        tag = session.scalar(tenant_scope(principal, Tag).where(Tag.id == step.tag_id))
        if tag is None or tag.kind != TagKind.manual:
            raise invalid([*at, "tag_id"], f"no manual tag {step.tag_id} in this tenant")
    elif isinstance(step, GroupStep) and step.group_id is not None:
        query = tenant_scope(principal, CommunityGroup).where(CommunityGroup.id == step.group_id)
        group = session.scalar(query.where(CommunityGroup.kind == step.kind))
        if group is None:
            message = f"no {step.kind} community group {step.group_id} in this tenant"
            raise invalid([*at, "group_id"], message)


def _check_template(at: list[str | int], part: str, source: str) -> None:
    """The message template parses; its problem located at the step's field."""
    try:
        check(part, source)
    except TemplateInvalid as exc:
        for error in exc.fields.get("errors", []):
            error["loc"] = ["body", *at, part]
        raise
