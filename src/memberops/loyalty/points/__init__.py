"""Points: an append-only ledger, lots with FIFO expiry, earning on orders, reversal on refunds,
redemption, adjustment, the liability report.

Invariants: a balance equals the sum of its ledger; a redemption never takes it below zero, also
under concurrent requests; expired points are never spendable; a refund takes back the points
its order earned (proportionally when partial). Every operation is idempotent. Subscribes to
``OrderPaid``, ``OrderRefunded``, ``MembersMerged`` / ``MembersUnmerged``; publishes nothing yet
(``points.expiring`` comes with webhooks)."""
