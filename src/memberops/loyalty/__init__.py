"""The loyalty engine (SPEC §6): what gives members a reason to come back.

Sub-rooms, each layered on the ones below it (import-linter enforces it):
``checkin | perks | cards`` › ``coupons`` › ``points`` › ``tiers`` (check-in, perks and benefit
cards reward with coupons, so they sit above them).

- ``tiers``: the tier ladder, qualification on rolling-365-day spend or orders from
  ``member_stats``, immediate upgrades, downgrades only at the end of a tier period, history.
- ``points``: an immutable ledger with lots (FIFO expiry), earning on ``OrderPaid``,
  reversal on ``OrderRefunded``, redemption and adjustment; balance = sum of the ledger.
- ``coupons``: templates, issue, redeem against an order, expiry, stats.
- ``checkin``: one check-in per member per local day, streaks and a reward schedule.
- ``perks``: the new-member pack, the birthday gift and the monthly member day.
- ``cards``: benefit cards (权益卡): card types, members' holdings bought with money or points,
  renewal, lapse, refund, their benefits beside the tier's and their monthly coupons.

Every number is a per-tenant setting (``tenancy.sections``) whose default is SPEC's. Orders
marked ``historical`` (bulk loads of the past) earn nothing and upgrade nobody as they arrive;
``memberops loyalty`` commands settle tiers in bulk.
"""
