"""Errors of the points room."""

from memberops.kernel.errors import Conflict


class PointsInsufficient(Conflict):
    """The member's spendable balance is below the points asked for; ``balance`` is what may
    be spent now (expired points are never counted) and ``requested`` what was asked. Nothing
    was taken."""

    code = "points.insufficient"
    title = "Not enough points"


class PointsOverOrderShare(Conflict):
    """Points may pay at most ``max_redeem_share`` of an order; ``max_points`` is the most this
    order (``order_amount``) takes. Nothing was taken."""

    code = "points.over_order_share"
    title = "Points over the order's redeemable share"
