"""Errors of the perks room."""

from memberops.kernel.errors import Conflict


class NotMemberDay(Conflict):
    """Member-day coupons are claimed only on the monthly member day (``member_day``, the day
    of the month in the tenant's timezone set in the earn rules; null when the tenant has
    none)."""

    code = "perks.not_member_day"
    title = "Not the member day"


class NoMemberDayAccess(Conflict):
    """The member's tier (``tier``) does not grant member-day access
    (``benefits.member_day_access`` of the tier ladder)."""

    code = "perks.no_access"
    title = "Tier without member-day access"


class NoMemberDayOffer(Conflict):
    """The tenant's perk rules list no member-day coupon templates
    (``member_day_coupon_template_ids``): there is nothing to claim."""

    code = "perks.no_offer"
    title = "No member-day coupons set"
