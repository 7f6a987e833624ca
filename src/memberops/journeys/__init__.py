"""Journeys (自動化營銷): a trigger enters a member, who then goes through ordered steps — wait,
branch on a condition, send, issue a coupon, grant points, add or remove a tag, exit — carried
by the worker, one due position at a time (docs/journeys.md).

Owns journeys, their versions and each member's positions. Invariants: a version members entered
never changes (an edit writes the next one; members finish on the version they entered); an
entry happens once per member and entry key; a step's effect happens once per position and step
(each effect keyed ``journey:<journey>:<version>:<step>:<member>:<position>``); a paused journey
neither enters nor advances anyone. Subscribes to ``MemberRegistered``, ``OrderPaid``,
``OrderShipped``, ``OrderDelivered``, ``OrderRefunded``, ``CheckedIn``, ``StageChanged``,
``TierChanged`` (entries) and ``MembersMerged`` (positions move to the survivor); publishes
nothing. Built-in templates (``templates``) make ordinary journeys from a few parameters.
"""
