"""Check-in (签到): one per member per local day in the tenant's timezone, streaks that reset
after a missed day, and the reward schedule (``rules.CheckInRules``).

Invariant: at most one check-in per member and local day (a unique key), so a retried request
rewards once. Publishes ``CheckedIn`` for each new check-in (journeys start on it); subscribes to
nothing (rewards go through points and coupons)."""
