"""Launching a campaign: every member of its crowd decided, and their messages queued, in a few
set-based statements (a million members must launch in well under a minute on PostgreSQL).

1. One ``SELECT … INTO`` a temporary table decides each member of the crowd: the channel (the
   campaign's, or the member's preferred one) and their address on it, the first guard rail
   that refuses them, then — among the members no rail refused — the holdout and the variant by
   the hash of ``assign``, ``deferred`` instead of ``sent`` during the quiet hours. Each member
   to message is given their message's id there and then (the messages' sequence on
   PostgreSQL; on SQLite, whose writers take turns, the ids after the highest).
2. Per variant and channel, messaging's bulk enqueue writes those messages (due when the quiet
   hours end), keyed ``campaign:<id>:1:<member id>``: one per campaign, step and member.
3. One ``INSERT … SELECT`` copies the decisions into the recipient rows, each naming its
   message — no row is written twice.
"""

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Index,
    Integer,
    String,
    Table,
    and_,
    case,
    cast,
    extract,
    func,
    insert,
    literal,
    select,
    text,
    true,
    union_all,
)
from sqlalchemy.orm import Session, aliased
from sqlalchemy.schema import DropTable
from sqlalchemy.sql.elements import SQLColumnExpression

from memberops.activity.models import Order
from memberops.campaigns.assign import draw_sql, variant_by
from memberops.campaigns.guard_rails import (
    Rules,
    consent_join,
    crowd_address,
    newest_addresses,
    quiet_until,
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
from memberops.messaging.service import ADDRESS_TYPES
from memberops.messaging.templates import MessageContext
from memberops.tenancy.access import Principal

#: The campaign's only step so far (journeys will have more): part of each message's key.
STEP = 1
#: Members rendered and inserted per statement when each message is rendered for its member.
CHUNK = 20_000
DECIDED = "campaign_decided"
#: PostgreSQL's memory for each sort and hash of the launch's statements, for its transaction
#: only: the server's default (4 MB) spills a million members' joins to disk in batches.
LAUNCH_WORK_MEM = "128MB"


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


def judged_members(
    session: Session, principal: Principal, campaign: Campaign, rules: Rules, now: datetime
) -> Any:
    """Each member of the crowd with their channel, address and skip reason (NULL: none)."""
    tenant = principal.tenant_id
    crowd = member_ids(session, principal, get_crowd(session, principal, campaign.crowd_id))
    ids = crowd.subquery("crowd")
    if campaign.channel == CampaignChannel.preferred:
        channel, joins = preferred_channel(tenant, ids.c[0])
    else:
        channel, joins = literal(str(campaign.channel)), []
    chosen = select(ids.c[0].label("member_id"), channel.label("channel")).select_from(ids)
    for target, on in joins:
        chosen = chosen.outerjoin(target, on)
    picked = chosen.subquery("chosen")
    addresses = newest_addresses(tenant)
    recipient, on = crowd_address(addresses, picked.c.member_id, picked.c.channel)
    addressed = (
        select(picked.c.member_id, picked.c.channel, recipient.label("recipient"))
        .outerjoin(addresses, on)
        .subquery("addressed")
    )
    m, ch, to = addressed.c.member_id, addressed.c.channel, addressed.c.recipient
    recent = recent_counts(tenant, campaign.id, now - rules.window)
    judged = (
        select(m.label("member_id"), ch.label("channel"), to.label("recipient"))
        .add_columns(skip_reason(ch, to, recent.c.n, rules).label("reason"))
        .add_columns(draw_sql(campaign.id, m, 0).label("holdout_draw"))
        .add_columns(draw_sql(campaign.id, m, 1).label("variant_draw"))
        .outerjoin(Consent, consent_join(tenant, m, ch))
        .outerjoin(recent, recent.c.member_id == m)
        .cte("judged")
    )
    if is_postgresql(session):  # evaluated once, not inlined into each use of ``reason``
        judged = judged.prefix_with("MATERIALIZED")
    return judged


def _hour(session: Session, moment: Any) -> ColumnElement[int]:
    """The UTC hour (0–23) of a timestamp column."""
    if is_postgresql(session):
        return cast(extract("hour", func.timezone("UTC", moment)), Integer)
    return cast(extract("hour", moment), Integer)  # SQLite keeps UTC text


def best_hours(session: Session, tenant_id: int) -> Any:
    """Each member's best hour to be sent to: the UTC hour of day they clicked messages and
    paid orders at most often (the earlier hour breaks ties), from one grouped pass."""
    clicks = select(LinkClick.member_id, _hour(session, LinkClick.at).label("hour")).where(
        LinkClick.tenant_id == tenant_id, LinkClick.member_id.is_not(None)
    )
    orders = select(Order.member_id, _hour(session, Order.paid_at).label("hour")).where(
        Order.tenant_id == tenant_id
    )
    moments = union_all(clicks, orders).subquery("moments")
    order = (func.count().desc(), moments.c.hour)
    ranked = (
        select(
            moments.c.member_id,
            moments.c.hour,
            func.row_number().over(partition_by=moments.c.member_id, order_by=order).label("rank"),
        )
        .group_by(moments.c.member_id, moments.c.hour)
        .subquery("ranked")
    )
    return select(ranked.c.member_id, ranked.c.hour).where(ranked.c.rank == 1).subquery("best")


def hour_dues(now: datetime, timezone: str, rules: Rules) -> dict[int, tuple[datetime, bool]]:
    """For each UTC hour of day: when a member whose best hour it is gets the message (its next
    occurrence from ``now``, on the hour; ``now`` itself within that hour), and whether the
    quiet hours defer it past then."""
    dues = {}
    for hour in range(24):
        ahead = (hour - now.hour) % 24
        at = (
            now
            if ahead == 0
            else now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=ahead)
        )
        until = quiet_until(at, timezone, rules)
        dues[hour] = (until or at, until is not None)
    return dues


def _message_ids(session: Session, messaged: ColumnElement[bool], order: Any) -> ColumnElement[int]:
    """The id each messaged member's message will have."""
    if is_postgresql(session):
        sequence = session.scalar(select(func.pg_get_serial_sequence("messages", "id")))
        return case((messaged, func.nextval(sequence)), else_=None)
    highest = session.scalar(select(func.coalesce(func.max(Message.id), 0)))
    running = func.sum(cast(messaged, Integer)).over(order_by=order, rows=(None, 0))
    return case((messaged, running + highest), else_=None)


@contextmanager
def decided(
    session: Session,
    principal: Principal,
    campaign: Campaign,
    variants: list[CampaignVariant],
    rules: Rules,
    now: datetime,
    deferred: bool,
) -> Iterator[Table]:
    """Step 1, as a temporary table dropped when the block ends."""
    if is_postgresql(session):
        session.execute(text(f"SET LOCAL work_mem = '{LAUNCH_WORK_MEM}'"))
    judged = judged_members(session, principal, campaign, rules, now)
    held = judged.c.holdout_draw < campaign.holdout_percent
    messaged = and_(judged.c.reason.is_(None), ~held)
    splits = [(v.id, v.split_percent) for v in variants]
    sent: Any = literal((Outcome.deferred if deferred else Outcome.sent).value)
    best_hour: Any = literal(None, Integer)
    source: Any = judged
    if campaign.best_time:  # members with a best hour are sent then (or after quiet hours)
        best = best_hours(session, principal.tenant_id)
        source = judged.outerjoin(best, best.c.member_id == judged.c.member_id)
        best_hour = best.c.hour
        late = [h for h, (_, later) in hour_dues(now, principal.timezone, rules).items() if later]
        sent = case(
            (best_hour.is_(None), sent),
            (best_hour.in_(late), literal(Outcome.deferred.value)),
            else_=literal(Outcome.sent.value),
        )
    rows = select(
        judged.c.member_id,
        case((messaged, variant_by(judged.c.variant_draw, splits)), else_=None).label("variant_id"),
        case(
            (judged.c.reason.is_not(None), literal(Outcome.skipped.value)),
            (held, literal(Outcome.holdout.value)),
            else_=sent,
        ).label("outcome"),
        judged.c.reason.label("skip_reason"),
        judged.c.channel,
        judged.c.recipient,
        _message_ids(session, messaged, judged.c.member_id).label("message_id"),
        case((messaged, best_hour), else_=None).label("best_hour"),
    ).select_from(source)
    create = rows.into(DECIDED, temporary=True)
    session.execute(create)
    table = create.table
    Index(f"ix_{DECIDED}", table.c.variant_id, table.c.member_id).create(session.connection())
    session.execute(text(f"ANALYZE {DECIDED}"))  # no autovacuum analyses a temporary table
    try:
        yield table
    finally:
        session.execute(DropTable(table, if_exists=True))


def _rendered(
    session: Session, campaign: Campaign, rows: Any, batch: Batch, where: list[Any]
) -> None:
    """Messages rendered for each member, a chunk of members at a time (by member id)."""
    last, key = 0, f"campaign:{campaign.id}:{STEP}:"
    columns = (rows.c.message_id, rows.c.member_id, rows.c.recipient, Member.name, Member.nickname)
    while True:
        chunk = session.execute(
            select(*columns)
            .join(Member, Member.id == rows.c.member_id)
            .where(*where, rows.c.member_id > last)
            .order_by(rows.c.member_id)
            .limit(CHUNK)
        ).all()
        if not chunk:
            return
        planned = [Addressed(i, m, to, f"{key}{m}", name, nick) for i, m, to, name, nick in chunk]
        insert_rendered(session, campaign.tenant_id, planned, batch)
        last = chunk[-1][1]


def _when(
    campaign: Campaign, rows: Table, rules: Rules, timezone: str, now: datetime, due_at: datetime
) -> list[tuple[Any, datetime]]:
    """(which of the decided rows, when their messages are due): all at ``due_at``, or with
    ``best_time`` each best hour at its own time and members without one at ``due_at``."""
    if not campaign.best_time:
        return [(true(), due_at)]
    hours = hour_dues(now, timezone, rules)
    return [(rows.c.best_hour.is_(None), due_at)] + [
        (rows.c.best_hour == hour, due) for hour, (due, _) in hours.items()
    ]


def enqueue(
    session: Session,
    campaign: Campaign,
    rows: Table,
    variants: list[CampaignVariant],
    context: MessageContext,
    link_base: str,
    now: datetime,
    due_at: datetime,
    *,
    rules: Rules,
    timezone: str,
) -> None:
    """Steps 2 and 3: the messages of every sent and deferred member, then the recipient rows."""
    preferred = campaign.channel == CampaignChannel.preferred
    channels = list(ADDRESS_TYPES) if preferred else [str(campaign.channel)]
    groups = _when(campaign, rows, rules, timezone, now, due_at)
    for variant, channel, (group, due) in itertools.product(variants, channels, groups):
        batch = Batch(
            ChannelName(channel),
            variant.subject,
            variant.body,
            context,
            link_base,
            due,
            campaign.created_by,
        )
        where = [rows.c.variant_id == variant.id, rows.c.channel == channel, group]
        if batch.personal:
            _rendered(session, campaign, rows, batch, where)
            continue
        selected = select(
            rows.c.message_id.label("id"),
            rows.c.member_id,
            rows.c.recipient,
            message_key(campaign.id, rows.c.member_id).label("idempotency_key"),
        ).where(*where)
        insert_selected(session, campaign.tenant_id, selected, batch)
    names = ["member_id", "variant_id", "outcome", "skip_reason", "channel", "message_id"]
    copied = select(
        *(rows.c[name] for name in names),
        literal(campaign.tenant_id).label("tenant_id"),
        literal(campaign.id).label("campaign_id"),
        literal(now, CampaignRecipient.__table__.c.decided_at.type).label("decided_at"),
    )
    session.execute(
        insert(CampaignRecipient).from_select(
            [*names, "tenant_id", "campaign_id", "decided_at"], copied
        )
    )
