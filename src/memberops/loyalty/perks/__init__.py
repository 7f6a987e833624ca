"""Perks: the new-member pack, the birthday gift on the member's local birthday and the monthly
member day's exclusive coupons (``rules.PerkRules``).

Invariant: each perk is granted once per member and period (a unique key). Subscribes to
``MemberRegistered`` (the new-member pack); publishes nothing."""
