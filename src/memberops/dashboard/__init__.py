"""Dashboard: read-only figures for the console's overview and for reports (SPEC §9, seed 003).

It owns no table and no write path: every figure is a set-based SQL query (SQLAlchemy Core, one
query per figure group, scoped to the principal's tenant) over ``activity``'s orders and events
and ``members``, computed as of ``kernel.clock.now()`` — never from ``member_stats``, whose
windowed columns are only as fresh as each row's ``as_of``.

Invariants: ``active_30d + dormant == buyers_365d`` by construction (both are counted over the
same per-buyer rows with complementary conditions); an order fully refunded is no purchase
anywhere here; windows are rolling and include their boundary (an order exactly 30 days old is
active, exactly 365 days old is a buyer), like ``activity.stats``; trend buckets are local days
(or weeks from Monday) in the tenant's timezone.

Publishes nothing, subscribes to nothing.
"""
