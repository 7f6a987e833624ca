"""Lifecycle stages (seed 003): each member's stage as of a moment, the stage's start, the
``reactivated`` flag, and one ``stage_changes`` row per change.

Computed by one set-based query over orders (kept ones: not wholly refunded) and interest
events, for a whole tenant (``memberops recompute insights``, daily) or one member (after each
live order, refund or interest event, so journeys see a stage change as it happens). Each change
publishes ``StageChanged``. Subscribes to ``OrderPaid``, ``OrderRefunded``, ``EventRecorded``,
``HistoryLoaded`` and the merge events.
"""
