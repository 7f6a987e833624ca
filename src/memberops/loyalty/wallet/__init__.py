"""Stored value (储值 / 预收): a prepaid money balance per member, topped up with the tenant's
bonus tiers (充值送), spent against the member's orders, given back when such an order is
refunded, adjusted by hand with a reason, and reported as the merchant's liability.

Invariants: an account's principal and bonus each equal the sum of the member's entries of
that part, and neither goes below zero, also under concurrent requests (the account row is
locked and every debit is a guarded UPDATE); every operation happens once (the request's
``Idempotency-Key``, a refund's own id). Subscribes to ``OrderRefunded`` and ``MembersMerged``
/ ``MembersUnmerged``; publishes nothing."""
