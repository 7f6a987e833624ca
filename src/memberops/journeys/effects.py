"""What each step does to one member, inside the worker's transaction.

Every effect is keyed by :func:`effect_key` (journey, version, step, member and the position —
one entry), and each service it calls does its work once per key: the outbox sends one
message per key, coupons and points grant once per dedupe key, tags are set-or-unset. So even a
step run twice for one position (a position write lost after its effects committed) changes
nothing the second time. Sends pass the campaigns' guard rails (``campaigns.guard_rails``):
no address, unsubscribed, no consent and the frequency cap skip the message (the journey goes
on); quiet hours defer it until they end. A service notice (an order's paid, shipped and
delivered messages) is neither counted by the frequency cap nor skipped by it.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session

from memberops.campaigns.guard_rails import (
    JOURNEY_KEY_PREFIX,
    Rules,
    address,
    consent_join,
    quiet_until,
    recent_counts,
    skip_reason,
)
from memberops.community.service import group_of_kind, invite, remove
from memberops.conditions.compiler import compile_condition, parse_condition
from memberops.insights.tags.membership import tag_member, untag_member
from memberops.journeys.definition import (
    BranchStep,
    CouponStep,
    GroupStep,
    PointsStep,
    Purpose,
    SendStep,
    TagStep,
)
from memberops.journeys.models import JourneyPosition
from memberops.loyalty.coupons.models import CouponSource
from memberops.loyalty.coupons.service import issue_coupon
from memberops.loyalty.points.service import grant_bonus
from memberops.members.models import Consent, Member
from memberops.messaging.schemas import MessageCreate
from memberops.messaging.service import enqueue
from memberops.tenancy.access import Principal

log = logging.getLogger("memberops.journeys")
#: The prefix of every key a journey's effects carry (and of its messages' idempotency keys,
#: which the campaigns' frequency cap counts by it).
KEY_PREFIX = JOURNEY_KEY_PREFIX
#: Before a service notice's key (``notice:journey:…``): not one the frequency cap counts.
NOTICE_PREFIX = "notice:"


@dataclass(frozen=True)
class Run:
    """What a step needs besides its position: the transaction, the tenant's principal, the
    guard rails, the base of tracked links and the time of the pass."""

    session: Session
    principal: Principal
    rules: Rules
    link_base: str
    now: datetime


def effect_key(position: JourneyPosition) -> str:
    """``journey:<journey>:<version>:<step>:<member>:<position>``: one per entry and step."""
    parts = (position.journey_id, position.version, position.step, position.member_id)
    return KEY_PREFIX + ":".join(map(str, (*parts, position.id)))


def holds(run: Run, step: BranchStep, member_id: int) -> bool:
    """Whether the branch's condition holds for the member now."""
    query = compile_condition(
        run.session, run.principal.tenant_id, parse_condition(step.condition), as_of=run.now
    )
    return run.session.scalar(select(query.where(Member.id == member_id).exists())) or False


def refusal(run: Run, member_id: int, channel: str, *, capped: bool = True) -> str | None:
    """The first guard rail that refuses the member a message on ``channel`` (None: none); a
    service notice (``capped`` False) passes the frequency cap."""
    tenant, since = run.principal.tenant_id, run.now - run.rules.window
    member, on = literal(member_id), literal(channel)
    to = address(tenant, member, on)
    recent = recent_counts(tenant, None, since, member_id)
    sent = func.coalesce(recent.c.n, 0)
    query = (
        select(skip_reason(on, to, sent, run.rules, capped=capped))
        .select_from(Member)
        .outerjoin(Consent, consent_join(tenant, member, on))
        .outerjoin(recent, recent.c.member_id == member)
        .where(Member.tenant_id == tenant, Member.id == member_id)
    )
    reason: str | None = run.session.scalar(query)
    return reason


def message_key(step: SendStep, position: JourneyPosition) -> str:
    """The message's idempotency key: the step's effect key, behind :data:`NOTICE_PREFIX` for a
    service notice, so the frequency cap (which counts ``journey:`` keys) leaves it out."""
    key = effect_key(position)
    return key if step.purpose == Purpose.marketing else NOTICE_PREFIX + key


def send(run: Run, step: SendStep, position: JourneyPosition) -> None:
    """The step's message to the member, unless a guard rail refuses it."""
    capped = step.purpose == Purpose.marketing
    reason = refusal(run, position.member_id, step.channel.value, capped=capped)
    if reason is not None:
        log.info(
            "journey %s: no message to member %s (%s)",
            position.journey_id,
            position.member_id,
            reason,
        )
        return
    body = MessageCreate(
        channel=step.channel, member_id=position.member_id, subject=step.subject, body=step.body
    )
    message, created = enqueue(
        run.session, run.principal, body, message_key(step, position), link_base=run.link_base
    )
    until = quiet_until(run.now, run.principal.timezone, run.rules)
    if created and until is not None:
        message.due_at = until


def issue(run: Run, step: CouponStep, position: JourneyPosition) -> None:
    issue_coupon(
        run.session,
        run.principal,
        position.member_id,
        step.coupon_template_id,
        source=CouponSource.campaign,
        dedupe_key=effect_key(position),
    )


def grant(run: Run, step: PointsStep, position: JourneyPosition) -> None:
    grant_bonus(
        run.session,
        run.principal,
        position.member_id,
        step.points,
        dedupe_key=effect_key(position),
        reason="journey",
    )


def retag(run: Run, step: TagStep, position: JourneyPosition) -> None:
    """Give or take the tag; doing it twice changes nothing."""
    verb = tag_member if step.type == "add_tag" else untag_member
    verb(run.session, run.principal, position.member_id, step.tag_id)


def regroup(run: Run, step: GroupStep, position: JourneyPosition) -> None:
    """Invite the member into the group's series (once per effect key, even if removed in
    between), or take them off their group of the kind; doing it twice changes nothing."""
    by = f"journey:{position.journey_id}"
    if step.type == "remove_from_group":
        members = [position.member_id]
        remove(run.session, run.principal, step.kind, members, by, group_id=step.group_id)
        return
    group = group_of_kind(run.session, run.principal, step.kind, step.group_id)
    invite(run.session, run.principal, group, [position.member_id], by, source=effect_key(position))
