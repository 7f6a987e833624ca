"""Activity: what members buy and do — orders with lines, refunds, behaviour events — and one
``member_stats`` row per member summarising them (SPEC §3).

Invariants: an order, an event and a refund are stored once per external id (per tenant, per
order for refunds); a replay with the same content returns the stored result and changes
nothing, different content is a 409. Money is integer cents; an order's ``refunded_cents``
never exceeds its paid amount (a guarded SQL expression update, never read-modify-write).

Stats: each write recomputes the written member's ``member_stats`` row with the very query the
bulk rebuild (``memberops recompute stats``) runs for the whole tenant, in the same
transaction, so the incremental path and the rebuild cannot disagree. Figures that change as
time passes without any write — spend and orders in the last 365 days / 2 years — and the share
of spend on the shop's highest-priced items (which moves with the tenant's catalogue) are
stored *as of* ``member_stats.as_of``; the rebuild (nightly, later by the worker) refreshes
them, and reading one member (``GET /members/{id}``) computes them fresh.

An order's fulfilment (``fulfilment.py``) — shipped, delivered — is set once each.

Publishes ``OrderPaid``, ``OrderShipped``, ``OrderDelivered``, ``OrderRefunded`` and
``EventRecorded``. Subscribes to
``MembersMerged`` (moves orders, lines, refunds and events to the survivor, recomputes both
members' stats) and ``MembersUnmerged`` (recomputes both).
"""
