"""Watches (多維監控, seed 002): an operator watches a figure of the tenant — the dormant share,
the last day's GMV, the coupon redemption rate, a crowd's size — against a threshold, and is
told through a messaging channel when the figure is past it (docs/watches.md).

Owns watches. Invariants: a watch notifies at most once per period (its local day, week or
month): the message's idempotency key is ``watch:<id>:<period start>``, so the outbox queues
one however many passes or workers find the figure past its threshold; one worker evaluates a
watch at a time (a conditional update of ``checked_at`` claims it), at most every
:data:`~memberops.watches.jobs.CHECK_EVERY`. Publishes nothing; subscribes to nothing (it reads
insights, activity, loyalty and crowds, and writes the messaging outbox).
"""
