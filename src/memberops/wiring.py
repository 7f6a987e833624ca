"""Every room's event subscriptions and registrations, in one call for every entry point.

Rooms above ``identity`` react to its merges (activity moves its rows) and add sections to
member views; that only happens once their handlers are registered. The API app, the CLI (whose
``import members`` can merge) and the tests call :func:`register_handlers`, so no entry point
can run a merge that leaves a room's rows behind. Registering twice is harmless.
"""

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from memberops.activity import conditions as activity_fields
from memberops.activity import handlers as activity
from memberops.activity.money import to_yuan
from memberops.campaigns import handlers as campaigns
from memberops.campaigns.events import CampaignFinished
from memberops.community import conditions as community_fields
from memberops.crowds import handlers as crowds
from memberops.growth import handlers as growth
from memberops.identity import conditions as identity_fields
from memberops.identity.events import MembersMerged
from memberops.insights import conditions as insights_fields
from memberops.insights.lifecycle import handlers as lifecycle
from memberops.insights.lifecycle.events import StageChanged
from memberops.insights.tags import handlers as tags
from memberops.journeys import handlers as journeys
from memberops.kernel import clock
from memberops.kernel.events import subscribe
from memberops.loyalty import conditions as loyalty_fields
from memberops.loyalty.cards import conditions as card_fields
from memberops.loyalty.cards import handlers as cards
from memberops.loyalty.checkin import handlers as checkin
from memberops.loyalty.coupons import handlers as coupons
from memberops.loyalty.coupons.events import CouponRedeemed
from memberops.loyalty.perks import handlers as perks
from memberops.loyalty.points import handlers as points
from memberops.loyalty.points.events import PointsExpiring
from memberops.loyalty.tiers import handlers as tiers
from memberops.loyalty.tiers.events import TierChanged
from memberops.loyalty.wallet import conditions as stored_value_fields
from memberops.loyalty.wallet import handlers as stored_value
from memberops.members import conditions as member_fields
from memberops.messaging import handlers as messaging
from memberops.messaging.models import WebhookEvent
from memberops.messaging.provided import provide
from memberops.messaging.webhooks import announce
from memberops.recommendations.service import product_names


def register_handlers() -> None:
    member_fields.register_fields()  # the subject of every condition, and its fields
    identity_fields.register_fields()
    activity_fields.register_fields()
    loyalty_fields.register_fields()
    stored_value_fields.register_fields()
    card_fields.register_fields()
    community_fields.register_fields()
    insights_fields.register_fields()
    activity.register()
    tiers.register()  # after activity: a merge refreshes stats before tiers read them
    points.register()  # after tiers: an order that upgrades its member earns at the new level
    checkin.register()
    growth.register()  # before perks: a join source's own pack goes before the default
    perks.register()
    coupons.register()
    stored_value.register()
    cards.register()
    lifecycle.register()  # after activity: a merge has moved the orders it reads
    tags.register()  # after activity: a merge has moved orders and stats before tags read them
    crowds.register()
    messaging.register()
    campaigns.register()
    journeys.register()
    provide("recommended_products", product_names)  # messaging's template field
    subscribe(MembersMerged, _merged)  # outgoing webhooks (docs/messaging.md)
    subscribe(TierChanged, _tier_changed)
    subscribe(StageChanged, _stage_changed)
    subscribe(PointsExpiring, _points_expiring)
    subscribe(CouponRedeemed, _coupon_redeemed)
    subscribe(CampaignFinished, _campaign_finished)


def _instant(at: datetime) -> str:
    """A moment as webhook documents write it: UTC, ISO 8601 with a ``Z``."""
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _merged(session: Session, event: MembersMerged) -> None:
    """``member.merged``: a merge happens once, so its id is the event's."""
    data = {
        "survivor_id": str(event.survivor_id),
        "absorbed_id": str(event.absorbed_id),
        "merge_id": str(event.merge_id),
    }
    announce(
        session,
        event.tenant_id,
        WebhookEvent.member_merged,
        f"member.merged:{event.merge_id}",
        data,
    )


def _tier_changed(session: Session, event: TierChanged) -> None:
    """``tier.changed``: the same move of the same member on the same UTC day is one event."""
    move = f"{event.member_id}:{event.from_tier}>{event.to_tier}:{clock.now().date()}"
    data = {
        "member_id": str(event.member_id),
        "from_tier": event.from_tier,
        "to_tier": event.to_tier,
        "kind": event.kind,
    }
    announce(session, event.tenant_id, WebhookEvent.tier_changed, f"tier.changed:{move}", data)


def _stage_changed(session: Session, event: StageChanged) -> None:
    """``stage.changed``: the same move of the same member on the same UTC day is one event."""
    before = None if event.from_stage is None else str(event.from_stage)  # a Stage, or its value
    move = f"{event.member_id}:{before}>{event.to_stage}:{clock.now().date()}"
    data = {
        "member_id": str(event.member_id),
        "from_stage": before,
        "to_stage": str(event.to_stage),
        "reactivated": event.reactivated,
    }
    announce(session, event.tenant_id, WebhookEvent.stage_changed, f"stage.changed:{move}", data)


def _points_expiring(session: Session, event: PointsExpiring) -> None:
    """``points.expiring``: one per member and local day of expiry, however many daily runs
    see that day in their window (the points are those of the first)."""
    data = {
        "member_id": str(event.member_id),
        "points": event.points,
        "expires_at": _instant(event.expires_at),
        "expires_on": event.expires_on.isoformat(),
    }
    key = f"points.expiring:{event.member_id}:{event.expires_on.isoformat()}"
    announce(session, event.tenant_id, WebhookEvent.points_expiring, key, data)


def _coupon_redeemed(session: Session, event: CouponRedeemed) -> None:
    """``coupon.redeemed``: a coupon is redeemed once, so its id is the event's."""
    data = {
        "member_id": str(event.member_id),
        "coupon_id": str(event.coupon_id),
        "code": event.code,
        "template_id": str(event.template_id),
        "template": event.template_name,
        "kind": event.kind,
        "order_id": event.order_external_id,
        "discount": to_yuan(event.discount_cents),
        "redeemed_at": _instant(event.redeemed_at),
    }
    key = f"coupon.redeemed:{event.coupon_id}"
    announce(session, event.tenant_id, WebhookEvent.coupon_redeemed, key, data)


def _campaign_finished(session: Session, event: CampaignFinished) -> None:
    """``campaign.finished``: a campaign finishes once, so its id is the event's."""
    data = {
        "campaign_id": str(event.campaign_id),
        "name": event.name,
        "finished_at": _instant(event.finished_at),
        "outcomes": event.outcomes,
        "skipped": event.skipped,
    }
    key = f"campaign.finished:{event.campaign_id}"
    announce(session, event.tenant_id, WebhookEvent.campaign_finished, key, data)
