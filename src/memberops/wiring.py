"""Every room's event subscriptions and registrations, in one call for every entry point.

Rooms above ``identity`` react to its merges (activity moves its rows) and add sections to
member views; that only happens once their handlers are registered. The API app, the CLI (whose
``import members`` can merge) and the tests call :func:`register_handlers`, so no entry point
can run a merge that leaves a room's rows behind. Registering twice is harmless.
"""

from memberops.activity import conditions as activity_fields
from memberops.activity import handlers as activity
from memberops.campaigns import handlers as campaigns
from memberops.crowds import handlers as crowds
from memberops.identity import conditions as identity_fields
from memberops.insights import conditions as insights_fields
from memberops.insights.lifecycle import handlers as lifecycle
from memberops.insights.tags import handlers as tags
from memberops.loyalty import conditions as loyalty_fields
from memberops.loyalty.checkin import handlers as checkin
from memberops.loyalty.coupons import handlers as coupons
from memberops.loyalty.perks import handlers as perks
from memberops.loyalty.points import handlers as points
from memberops.loyalty.tiers import handlers as tiers
from memberops.members import conditions as member_fields
from memberops.messaging import handlers as messaging


def register_handlers() -> None:
    member_fields.register_fields()  # the subject of every condition, and its fields
    identity_fields.register_fields()
    activity_fields.register_fields()
    loyalty_fields.register_fields()
    insights_fields.register_fields()
    activity.register()
    tiers.register()  # after activity: a merge refreshes stats before tiers read them
    points.register()  # after tiers: an order that upgrades its member earns at the new level
    checkin.register()
    perks.register()
    coupons.register()
    lifecycle.register()  # after activity: a merge has moved the orders it reads
    tags.register()  # after activity: a merge has moved orders and stats before tags read them
    crowds.register()
    messaging.register()
    campaigns.register()
