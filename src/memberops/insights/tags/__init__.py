"""Tags (SPEC §5): manual tags operators set (one member at a time, or by uploading a list),
rule tags defined by a condition of the one condition language, and the built-in behaviour
tags of seed 004 (discount-driven, stock-up, promotion-driven, novelty-seeker, herd,
gift-giver, honour, circle, price tolerance high / low), each with its definition and its
marketing lever.

Invariants: a member holds a tag at most once (``member_tags`` keyed by tenant, member, tag);
only manual tags are set by hand; rule and behaviour tags hold exactly the active members
their definition selects as of their last evaluation (``refresh_tags``: set-based, one
statement pair per tag), and an inactive computed tag holds nobody. Members who are merged
away or erased count nowhere.

Subscribes to ``MembersMerged`` (the absorbed member's manual tags move to the survivor, each
one recorded in ``merge_moved_tags``; rule and behaviour tags are evaluated again for both)
and ``MembersUnmerged`` (exactly the recorded tags move back; both evaluated again).
Publishes nothing yet (``tag.changed`` comes with journeys).

Modules: ``models``, ``rules`` (the behaviour thresholds, a tenant section), ``catalogue``
(each behaviour tag's names, definition and lever), ``behaviour`` (their SQL), ``evaluation``
(applying a computed tag's member set), ``service`` (tags and their reads, ``refresh_tags``),
``membership`` (tagging by hand and by list), ``handlers``, ``api``, ``cli``.
"""
