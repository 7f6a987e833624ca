"""The demo merchant: a synthetic shop whose members, orders, refunds and behaviour events are
generated from a seed (``generator``) and loaded through the rooms' own services (``load``), so
the demo exercises exactly the code a real merchant's data goes through.

Owns no tables. ``memberops demo`` loads it; ``make run`` does so when the database is empty.
"""
