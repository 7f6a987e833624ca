"""Launching a campaign: every member of its crowd decided, and their messages queued, in a few
set-based statements (a million members must launch in well under a minute on PostgreSQL).

1. One ``INSERT … SELECT`` writes a recipient row per member of the crowd: the channel (the
   campaign's, or the member's preferred one), the first guard rail that refuses them, then —
   among the members no rail refused — the holdout and the variant by the hash of
   ``assign``; ``deferred`` instead of ``sent`` during the quiet hours.
2. Per variant and channel, messaging's bulk enqueue writes the messages of the sent and
   deferred rows (due when the quiet hours end), keyed ``campaign:<id>:1:<member id>`` — one per
   campaign, step and member, behind the outbox's unique key as well as the recipients'.
3. One ``UPDATE … FROM`` links each recipient row to its message.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    case,
    cast,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import SQLColumnExpression

from memberops.campaigns.assign import draw_sql, variant_sql
from memberops.campaigns.guard_rails import (
    ADDRESS_TYPES,
    MESSAGED,
    Rules,
    address,
    consent_join,
    recent_counts,
    skip_reason,
)
from memberops.campaigns.models import (
    Campaign,
    CampaignChannel,
    CampaignRecipient,
    CampaignVariant,
    Outcome,
)
from memberops.crowds.service import get_crowd, member_ids
from memberops.kernel.db import is_postgresql
from memberops.members.models import Consent, Member
from memberops.messaging.bulk import Addressed, Batch, insert_rendered, insert_selected
from memberops.messaging.models import ChannelName, LinkClick, Message
from memberops.messaging.templates import MessageContext
from memberops.tenancy.access import Principal

#: The campaign's only step so far (journeys will have more): part of each message's key.
STEP = 1
#: Members rendered and inserted per statement when each message is rendered for its member.
CHUNK = 5_000
_R = CampaignRecipient


def message_key(campaign_id: int, member_id: SQLColumnExpression[int]) -> ColumnElement[str]:
    return literal(f"campaign:{campaign_id}:{STEP}:") + cast(member_id, String)


def preferred_channel(tenant_id: int, member_id: SQLColumnExpression[int]) -> Any:
    """The channel whose messages the member clicked most (the latest click breaks ties), else
    the first of WeChat, SMS and email they said yes to, else SMS (which the consent rail then
    refuses). Built from one grouped pass over the tenant's clicks, joined by the caller."""
    per_channel = (
        select(
            LinkClick.member_id,
            Message.channel,
            func.row_number()
            .over(
                partition_by=LinkClick.member_id,
                order_by=(func.count().desc(), func.max(LinkClick.id).desc()),
            )
            .label("rank"),
        )
        .join(Message, Message.id == LinkClick.message_id)
        .where(LinkClick.tenant_id == tenant_id, Message.channel.in_(list(ADDRESS_TYPES)))
        .group_by(LinkClick.member_id, Message.channel)
        .subquery("clicked")
    )
    yes = {name: aliased(Consent, name=f"consent_{name}") for name in ("wechat", "sms", "email")}
    fallback = case(
        *((alias.granted.is_(True), literal(name)) for name, alias in yes.items()),
        else_=literal("sms"),
    )
    joins: list[tuple[Any, ColumnElement[bool]]] = [
        (per_channel, and_(per_channel.c.member_id == member_id, per_channel.c.rank == 1))
    ]
    joins += [
        (alias, consent_join(tenant_id, member_id, literal(name), alias))
        for name, alias in yes.items()
    ]
    return func.coalesce(per_channel.c.channel, fallback), joins


def decide(
    session: Session,
    principal: Principal,
    campaign: Campaign,
    variants: list[CampaignVariant],
    rules: Rules,
    now: datetime,
    deferred: bool,
) -> None:
    """Step 1: a recipient row for every member of the crowd."""
    tenant = principal.tenant_id
    crowd = member_ids(session, principal, get_crowd(session, principal, campaign.crowd_id))
    ids = crowd.subquery("crowd")
    member = ids.c[0]
    if campaign.channel == CampaignChannel.preferred:
        channel, joins = preferred_channel(tenant, member)
    else:
        channel, joins = literal(str(campaign.channel)), []
    chosen = select(member.label("member_id"), channel.label("channel")).select_from(ids)
    for target, on in joins:
        chosen = chosen.outerjoin(target, on)
    chosen_rows = chosen.cte("chosen")
    m, ch = chosen_rows.c.member_id, chosen_rows.c.channel
    recent = recent_counts(tenant, campaign.id, now - rules.window)
    judged = (
        select(m.label("member_id"), ch.label("channel"))
        .add_columns(skip_reason(ch, address(tenant, m, ch), recent.c.n, rules).label("reason"))
        .outerjoin(Consent, consent_join(tenant, m, ch))
        .outerjoin(recent, recent.c.member_id == m)
        .cte("judged")
    )
    if is_postgresql(session):  # evaluated once, not inlined into each use of ``reason``
        judged = judged.prefix_with("MATERIALIZED")
    held = draw_sql(campaign.id, judged.c.member_id, 0) < campaign.holdout_percent
    sent = Outcome.deferred if deferred else Outcome.sent
    splits = [(v.id, v.split_percent) for v in variants]
    rows = select(
        literal(tenant),
        literal(campaign.id),
        judged.c.member_id,
        case(
            (
                and_(judged.c.reason.is_(None), ~held),
                variant_sql(campaign.id, judged.c.member_id, splits),
            ),
            else_=None,
        ),
        case(
            (judged.c.reason.is_not(None), literal(Outcome.skipped.value)),
            (held, literal(Outcome.holdout.value)),
            else_=literal(sent.value),
        ),
        judged.c.reason,
        judged.c.channel,
        literal(now, _R.__table__.c.decided_at.type),
    )
    names = ["tenant_id", "campaign_id", "member_id", "variant_id", "outcome", "skip_reason"]
    session.execute(insert(_R).from_select([*names, "channel", "decided_at"], rows))


def _messaged(campaign: Campaign, variant: CampaignVariant, channel: str) -> Any:
    return (
        select(_R.member_id)
        .where(_R.tenant_id == campaign.tenant_id, _R.campaign_id == campaign.id)
        .where(_R.variant_id == variant.id, _R.channel == channel, _R.outcome.in_(MESSAGED))
    )


def _rendered(session: Session, campaign: Campaign, variant: CampaignVariant, batch: Batch) -> None:
    """Messages rendered for each member, a chunk of members at a time (by member id)."""
    channel, last = batch.channel.value, 0
    while True:
        rows = session.execute(
            _messaged(campaign, variant, channel)
            .add_columns(address(campaign.tenant_id, _R.member_id, literal(channel)))
            .add_columns(Member.name, Member.nickname)
            .join(Member, Member.id == _R.member_id)
            .where(_R.member_id > last)
            .order_by(_R.member_id)
            .limit(CHUNK)
        ).all()
        if not rows:
            return
        key = f"campaign:{campaign.id}:{STEP}:"
        planned = [Addressed(m, to, f"{key}{m}", name, nick) for m, to, name, nick in rows]
        insert_rendered(session, campaign.tenant_id, planned, batch)
        last = rows[-1][0]


def enqueue(
    session: Session,
    campaign: Campaign,
    variants: list[CampaignVariant],
    context: MessageContext,
    link_base: str,
    due_at: datetime,
) -> None:
    """Steps 2 and 3: the messages of every sent and deferred member, linked to their rows."""
    channels = (
        list(ADDRESS_TYPES)
        if campaign.channel == CampaignChannel.preferred
        else [str(campaign.channel)]
    )
    for variant in variants:
        for channel in channels:
            batch = Batch(
                ChannelName(channel),
                variant.subject,
                variant.body,
                context,
                link_base,
                due_at,
                campaign.created_by,
            )
            if batch.personal:
                _rendered(session, campaign, variant, batch)
                continue
            rows = _messaged(campaign, variant, channel)
            rows = rows.add_columns(
                address(campaign.tenant_id, _R.member_id, literal(channel)).label("recipient"),
                message_key(campaign.id, _R.member_id).label("idempotency_key"),
            )
            insert_selected(session, campaign.tenant_id, rows, batch)
    session.execute(
        update(_R)
        .where(_R.tenant_id == campaign.tenant_id, _R.campaign_id == campaign.id)
        .where(_R.outcome.in_(MESSAGED))
        .where(Message.tenant_id == campaign.tenant_id)
        .where(Message.idempotency_key == message_key(campaign.id, _R.member_id))
        .values(message_id=Message.id)
        .execution_options(synchronize_session=False)
    )
