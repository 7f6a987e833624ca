"""RFM (SPEC §4): for each member who bought in the window, R (whole days since the last kept
order), F (kept orders in the window) and M (what they paid net of refunds), scores 1-5, the
Chinese 8-type model and the 11-segment scheme; stored per member with the moment computed.

Recomputed for a whole tenant at once (scores are relative to the tenant's buyers) by one
``INSERT … SELECT`` with window functions: ``memberops recompute insights``, daily, and
``POST /api/v1/insights:recompute``. Publishes nothing and subscribes to nothing: the rows are a
snapshot as of ``computed_at``, so a merge or a new order shows in the next recompute.
"""
