"""Tiers: the ladder (``rules.TierLadder``), each member's level and its history.

Invariants: a member qualifies on rolling-365-day spend OR orders (``member_stats``), is upgraded
at once by the qualifying order, and is moved down only when a tier period ends below the
retention threshold; every move is a ``tier_changes`` row. Publishes ``TierChanged``.
Subscribes to ``OrderPaid`` (not historical) and ``OrderRefunded`` (re-evaluate the member),
``MembersMerged`` / ``MembersUnmerged`` (upgrade either member if it now qualifies) and
``HistoryLoaded`` (evaluate the members a bulk load touched). Modules: ``service`` (ladder,
a member's level, :func:`~memberops.loyalty.tiers.service.evaluate_members`), ``review``
(period ends), ``ranks`` (the ladder as SQL), ``changes`` (bulk writes), ``queries`` (reads),
``handlers``, ``api``."""
