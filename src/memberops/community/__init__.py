"""Community groups (社群): a tenant's basic and VIP groups and their rosters (docs/community.md).

Owns groups and roster rows. Invariants: a member is on at most one group of a kind at a time
(a partial unique index on the roster's current rows), so inviting twice invites once; a group
never holds more than the tenant's ``group_size`` (``community`` rules, default 400) — when the
open groups of a series are full, the next one of the series opens (``VIP #2``); a group's
``size`` counts its current roster and changes by SQL expression with the roster row, under
the series' row locks. The monthly review (``review``) invites the members the VIP rule
selects and removes those it no longer does, once per tenant per local month (the worker's
claim). Publishes nothing; subscribes to nothing (a merged-away member's rows stay where they
were and drop out of reviews, which only read active members).
"""
