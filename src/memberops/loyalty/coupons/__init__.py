"""Coupons: templates, issue (stock, per-member limit, tier exclusivity, member day, points
exchange), redemption against an order, expiry and per-template stats.

Invariants: a template never issues past its stock and a coupon is redeemed at most once, also
under concurrent requests (guarded SQL updates); a redemption is idempotent per order; a coupon
past its validity is never usable and reads as expired, before the expiry job marks it.
Subscribes to ``MembersMerged`` (coupons move with the member; undoing the merge moves the
same rows back); publishes ``CouponRedeemed`` when a coupon is used on an order (not on a
replay)."""
