"""The guard rails every campaign message passes, as SQL over a whole crowd at once.

For each member the first rule that says no is the reason they are skipped, in this order:
``no_address`` (nothing to send the channel's message to), ``unsubscribed`` (they said no to
the channel through an unsubscribe), ``no_consent`` (they never said yes to it), and
``frequency_cap`` (they already have ``frequency_cap`` campaign messages from the last
``frequency_days`` days, counted from every campaign's recipients that were sent or deferred and
from every journey's messages).
Consent is asked of the channels that reach a person (SMS, email, WeChat); the log and webhook
channels hand messages to the merchant's own systems, which answer for their own consent.

Quiet hours (in the tenant's timezone) never drop a message: one decided during them is
``deferred``, due when they end.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Subquery,
    and_,
    case,
    cast,
    func,
    literal,
    select,
    union_all,
)
from sqlalchemy.sql.elements import SQLColumnExpression
from sqlalchemy.types import String

from memberops.campaigns.models import CampaignRecipient, Outcome, SkipReason
from memberops.identity.models import Identity
from memberops.kernel.settings import Settings
from memberops.members.models import Consent, ConsentChannel
from memberops.members.service import UNSUBSCRIBE_SOURCE
from memberops.messaging.models import Message
from memberops.messaging.service import ADDRESS_TYPES

#: How a journey's messages' idempotency keys begin (``journeys.effects`` keys them so): the
#: frequency cap counts them as it counts campaign messages.
JOURNEY_KEY_PREFIX = "journey:"
#: Outcomes that put a message in the outbox (and count towards the frequency cap).
MESSAGED = (Outcome.sent.value, Outcome.deferred.value)


@dataclass(frozen=True)
class Rules:
    """The tenant's guard rails (``MEMBEROPS_CAMPAIGN_*`` settings)."""

    frequency_cap: int = 2
    frequency_days: int = 7
    quiet_start: time = time(22)
    quiet_end: time = time(8)

    @property
    def window(self) -> timedelta:
        return timedelta(days=self.frequency_days)

    @classmethod
    def of(cls, settings: Settings) -> "Rules":
        return cls(
            settings.campaign_frequency_cap,
            settings.campaign_frequency_days,
            settings.campaign_quiet_start,
            settings.campaign_quiet_end,
        )


def quiet_until(now: datetime, timezone: str, rules: Rules) -> datetime | None:
    """When the quiet hours around ``now`` end (UTC), or None outside them. Quiet hours may run
    over midnight (22:00–08:00) or not (13:00–14:00)."""
    local = now.astimezone(ZoneInfo(timezone))
    start, end, at = rules.quiet_start, rules.quiet_end, local.time()
    overnight = start > end
    quiet = (at >= start or at < end) if overnight else start <= at < end
    if not quiet:
        return None
    day = local.date() + timedelta(days=1) if overnight and at >= start else local.date()
    return datetime.combine(day, end, tzinfo=local.tzinfo).astimezone(now.tzinfo)


def _address_type(channel: ColumnElement[str]) -> ColumnElement[str]:
    """The identity type that addresses a member on ``channel`` (NULL for log and webhook)."""
    return case(
        *((channel == name.value, literal(kind.value)) for name, kind in ADDRESS_TYPES.items()),
        else_=None,
    )


def _addressed(
    member_id: SQLColumnExpression[int], channel: ColumnElement[str], newest: ColumnElement[str]
) -> ColumnElement[str]:
    """``newest`` on a channel that reaches a person, the member id on log and webhook."""
    reaching = [name.value for name in ADDRESS_TYPES]
    return case((channel.in_(reaching), newest), else_=cast(member_id, String))


def address(
    tenant_id: int, member_id: SQLColumnExpression[int], channel: ColumnElement[str]
) -> ColumnElement[str]:
    """The member's newest address on ``channel`` (the member id on log and webhook); NULL when
    they have none. One index probe per member: for one member, or a few."""
    newest = (
        select(Identity.value)
        .where(Identity.tenant_id == tenant_id, Identity.member_id == member_id)
        .where(Identity.type == _address_type(channel))
        .order_by(Identity.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return _addressed(member_id, channel, newest)


def newest_addresses(tenant_id: int) -> Subquery:
    """Each member's newest identity of each type that addresses them (``member_id``, ``type``,
    ``value``): :func:`address` for a whole crowd from one pass over the identities, where a
    probe per member costs a million probes (twice, where the planner inlines the column)."""
    kinds = [kind.value for kind in ADDRESS_TYPES.values()]
    newest_first = func.row_number().over(
        partition_by=(Identity.member_id, Identity.type), order_by=Identity.id.desc()
    )
    ranked = (
        select(Identity.member_id, Identity.type, Identity.value, newest_first.label("rank"))
        .where(Identity.tenant_id == tenant_id, Identity.type.in_(kinds))
        .subquery("ranked_addresses")
    )
    chosen = select(ranked.c.member_id, ranked.c.type, ranked.c.value).where(ranked.c.rank == 1)
    return chosen.subquery("addresses")


def crowd_address(
    addresses: Subquery, member_id: SQLColumnExpression[int], channel: ColumnElement[str]
) -> tuple[ColumnElement[str], ColumnElement[bool]]:
    """The member's address on ``channel`` read from :func:`newest_addresses`, and the ON
    clause that outer-joins ``addresses`` for it."""
    on = and_(addresses.c.member_id == member_id, addresses.c.type == _address_type(channel))
    return _addressed(member_id, channel, addresses.c.value), on


def consent_join(
    tenant_id: int,
    member_id: SQLColumnExpression[int],
    channel: ColumnElement[str],
    row: type[Consent] = Consent,
) -> ColumnElement[bool]:
    """The ON clause of the member's consent row (``row``: Consent or an alias of it) on
    ``channel``, outer-joined: a member never asked has NULL there."""
    return and_(row.tenant_id == tenant_id, row.member_id == member_id, row.channel == channel)


def recent_counts(
    tenant_id: int, campaign_id: int | None, since: datetime, member_id: int | None = None
) -> Subquery:
    """Messages per member since ``since`` that count towards the frequency cap: every
    campaign's sent and deferred recipients but ``campaign_id``'s (None: every campaign's), and
    every journey's messages; of ``member_id`` only when given (a journey's one send)."""
    campaigns = select(CampaignRecipient.member_id).where(
        CampaignRecipient.tenant_id == tenant_id,
        CampaignRecipient.outcome.in_(MESSAGED),
        CampaignRecipient.decided_at >= since,
    )
    if campaign_id is not None:
        campaigns = campaigns.where(CampaignRecipient.campaign_id != campaign_id)
    journeys = select(Message.member_id).where(
        Message.tenant_id == tenant_id,
        Message.created_at >= since,
        Message.idempotency_key.startswith(JOURNEY_KEY_PREFIX, autoescape=True),
    )
    if member_id is not None:
        campaigns = campaigns.where(CampaignRecipient.member_id == member_id)
        journeys = journeys.where(Message.member_id == member_id)
    contacts = union_all(campaigns, journeys).subquery("contacts")
    counted = select(contacts.c.member_id, func.count().label("n")).group_by(contacts.c.member_id)
    return counted.subquery("recent")


def skip_reason(
    channel: ColumnElement[str],
    to: ColumnElement[str],
    recent: ColumnElement[int],
    rules: Rules,
    *,
    capped: bool = True,
) -> ColumnElement[str]:
    """The first guard rail that refuses the member (NULL: none does), given the channel, their
    address there, and their campaign messages in the window; needs :class:`Consent`
    outer-joined by :func:`consent_join`. A service notice (``capped`` False) passes the
    frequency cap."""
    personal = channel.in_([c.value for c in ConsentChannel if c.value in ADDRESS_TYPES])
    whens: list[tuple[ColumnElement[bool], ColumnElement[str]]] = [
        (to.is_(None), literal(SkipReason.no_address.value)),
        (
            and_(personal, Consent.granted.is_(False), Consent.source == UNSUBSCRIBE_SOURCE),
            literal(SkipReason.unsubscribed.value),
        ),
        (
            and_(personal, Consent.granted.is_not(True)),
            literal(SkipReason.no_consent.value),
        ),
    ]
    if capped:
        over = func.coalesce(recent, 0) >= rules.frequency_cap
        whens.append((over, literal(SkipReason.frequency_cap.value)))
    return case(*whens, else_=None)
