"""Identity: the (type, value) keys a customer is known by in each channel, resolution of any
set of them to one member, and merge / unmerge.

Invariants: an identity (type, scope, value) is unique per tenant and always points at an
active member; values are stored normalised (phones in E.164). When one request links
identities of two or more members they are merged into the oldest; every merge is recorded with
what it moved and what it filled, so undo restores both members as they were.
Publishes ``MembersMerged`` and ``MembersUnmerged``: rooms above that own member rows subscribe
and move theirs with :func:`memberops.identity.service.move_member_rows`.
"""
