"""Messaging (SPEC §8's channels and outbox): messages to members through one channel adapter
interface (log, email over SMTP, signed webhook, SMS and WeChat template messages over HTTP),
a durable outbox the worker delivers, operator-written templates, tracked links and the
member's unsubscribe page (``/u/{token}``, recorded through ``members.service.unsubscribe``).

Invariants: one message per (tenant, idempotency key) — a replay returns the first and changes
nothing; a message is sent only after a committed claim and its outcome is committed right
after the send, and every provider request carries the message's delivery id so the provider
drops a resend whose outcome was lost; a message ends delivered or failed, with one receipt per
attempt. Publishes nothing. Queues outgoing webhooks (``webhooks.py``) for the domain events
``wiring`` hands it. Subscribes to ``MembersMerged`` (an absorbed member's messages, links
and clicks move to the survivor, recorded so undoing the merge moves them back).
"""
