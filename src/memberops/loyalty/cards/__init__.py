"""Benefit cards (权益卡, paid membership in the spirit of 88VIP, SPEC §6): card types a
tenant sells or gives, members' holdings of them, and the benefits a valid holding adds to the
tier's (discount rate, free shipping, points multiplier, coupons every calendar month).

Invariants: a holding is *valid* while ``starts_at <= now < ends_at`` and it is neither
refunded nor cancelled — a time comparison on ``kernel.clock``, so benefits stop at the end
instant even before the daily job marks the holding lapsed; a member holds at most one active
holding per card type (decided under the member's row lock); every purchase, renewal and
refund is idempotent on its ``Idempotency-Key``; a card paid with points is paid through the
points ledger's ``spend`` (never below zero) and a refund gives them back through it; the
monthly coupons of a holding are issued at most once per (holding, local calendar month).

Publishes ``CardLapsed`` (the daily job, once per holding). Subscribes to ``MembersMerged``
(the absorbed member's holdings, payments and coupon grants move to the survivor) and adds the
card multiplier to points' earning (``points.earn.register_multiplier``).
"""
