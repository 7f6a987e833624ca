"""Errors of the coupons room: what a template, an issue or a redemption can be refused for."""

from memberops.kernel.errors import Conflict, InvalidInput, NotFound


class TemplateNotFound(NotFound):
    """No coupon template with this id in the tenant."""

    code = "coupons.template_not_found"
    title = "No such coupon template"


class CouponNotFound(NotFound):
    """No coupon with this code in the tenant (codes of other tenants answer the same)."""

    code = "coupons.not_found"
    title = "No such coupon"


class InvalidTemplate(InvalidInput):
    """The template does not hold together for its kind (``amount_off`` needs ``amount_off``,
    ``percent_off`` needs 1–99, ``gift`` needs ``gift``; validity is a fixed window or
    ``valid_days``, not both); ``errors`` names each offending field."""

    code = "coupons.invalid_template"
    title = "Invalid coupon template"


class StockBelowIssued(Conflict):
    """A template's stock cannot go below what it has already issued; ``issued`` says how
    many that is."""

    code = "coupons.stock_below_issued"
    title = "Stock below the coupons already issued"


class OutOfStock(Conflict):
    """The template has issued its whole stock; raise the stock to issue more."""

    code = "coupons.out_of_stock"
    title = "Coupon template out of stock"


class TemplateInactive(Conflict):
    """The template was deactivated: it issues no more coupons (those issued stay usable)."""

    code = "coupons.template_inactive"
    title = "Coupon template inactive"


class TemplateEnded(Conflict):
    """The template's fixed validity window is over, so a coupon issued now could never be
    used; ``valid_until`` says when it ended."""

    code = "coupons.template_ended"
    title = "Coupon template's validity has ended"


class LimitReached(Conflict):
    """The member already holds ``limit`` coupons of this template (in any state)."""

    code = "coupons.limit_reached"
    title = "Per-member limit reached"


class TierExcluded(Conflict):
    """The template is exclusive to the tiers in ``tiers``; the member's tier is ``tier``."""

    code = "coupons.tier_excluded"
    title = "Template exclusive to other tiers"


class NotMemberDay(Conflict):
    """The template is issued only on the monthly member day (``member_day``, in the tenant's
    timezone; null when the tenant has none)."""

    code = "coupons.not_member_day"
    title = "Only on the member day"


class NoMemberDayAccess(Conflict):
    """The template is a member-day offer and the member's tier (``tier``) does not grant
    member-day access."""

    code = "coupons.no_member_day_access"
    title = "Tier without member-day access"


class NotExchangeable(Conflict):
    """The template has no ``points_price``: it cannot be bought with points."""

    code = "coupons.not_exchangeable"
    title = "Template not exchangeable for points"


class MemberInactive(Conflict):
    """The member was merged into another (``merged_into``) or erased (``member_status``): issue
    to the survivor."""

    code = "coupons.member_inactive"
    title = "Member not active"


class AlreadyRedeemed(Conflict):
    """The coupon was already used, for another order, at ``redeemed_at``; a coupon is used
    at most once. Sending the same order again answers as the first time."""

    code = "coupons.already_redeemed"
    title = "Coupon already redeemed"


class CouponExpired(Conflict):
    """The coupon's validity ended at ``valid_until``."""

    code = "coupons.expired"
    title = "Coupon expired"


class NotYetValid(Conflict):
    """The coupon can be used from ``valid_from`` on."""

    code = "coupons.not_yet_valid"
    title = "Coupon not yet valid"


class WrongChannel(Conflict):
    """The coupon is valid only in the channels listed in ``channels``."""

    code = "coupons.wrong_channel"
    title = "Coupon not valid in this channel"


class WrongStore(Conflict):
    """The coupon is valid only in the stores listed in ``stores``."""

    code = "coupons.wrong_store"
    title = "Coupon not valid in this store"


class ThresholdNotMet(Conflict):
    """The order amount is below the coupon's ``threshold`` (yuan)."""

    code = "coupons.threshold_not_met"
    title = "Order below the coupon's threshold"
