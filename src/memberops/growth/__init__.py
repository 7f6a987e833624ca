"""Growth (SPEC §6, seeds 000, 003, 004): how members join and bring others — join sources
(包裹卡 parcel cards, store QR codes, the official account's menu, referral, import, api) and
referral (老带新) — see docs/growth.md.

Owns invite codes, join scenes, one join record per registration and referrals, and the
tenant's growth rules. Invariants: a registration is recorded once (``member_joins`` unique
per member) with its source and campaign; a referral's reward is decided once, on the
newcomer's first paid order, by a guarded update, and refused — with the reason kept — when
referrer and newcomer share a phone, a shipping address or a payment account; rewards are
given under dedupe keys, so each side gets them once. Publishes ``MemberRegistered`` for a
join (as the members API does for a sign-up); subscribes to ``MemberRegistered``,
``OrderPaid`` and ``MembersMerged`` (``handlers.py``).
"""
