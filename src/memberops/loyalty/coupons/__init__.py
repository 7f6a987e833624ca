"""Coupons: templates, issue (stock, per-member limit, tier exclusivity), redemption against an
order, expiry and per-template stats.

Invariants: a template never issues past its stock and a coupon is redeemed at most once, also
under concurrent requests (guarded SQL updates). Subscribes to ``MembersMerged`` /
``MembersUnmerged`` (coupons move with the member); publishes nothing yet (``coupon.redeemed``
comes with webhooks)."""
