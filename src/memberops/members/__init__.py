"""Members: the one record per customer, its attributes and its consent per channel.

Invariants: a member is ``active``, ``merged`` (then ``merged_into_id`` names the survivor) or
``erased`` (PII gone, the row and its aggregates kept). Consent is one row per member and
message channel, with its source and time. Identities and merges live one room up, in
``identity``. Publishes nothing; subscribes to nothing.
"""
