"""Tiers: the ladder (``rules.TierLadder``), each member's level and its history.

Invariants: a member qualifies on rolling-365-day spend OR orders (``member_stats``), is upgraded
at once by the qualifying order, and is moved down only when a tier period ends below the
retention threshold; every move is a ``tier_changes`` row. Publishes ``TierChanged``.
Subscribes to ``OrderPaid`` and ``OrderRefunded`` (re-evaluate the member), ``MembersMerged`` /
``MembersUnmerged`` (re-evaluate both members)."""
