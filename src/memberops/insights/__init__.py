"""Insights: the layering every crowd and campaign uses (SPEC §4, §5) — lifecycle stages, RFM
scores and segments, tags, and predicted customer value.

Sub-rooms: ``lifecycle/`` (stage per member, ``StageChanged`` on each change), ``rfm/`` (R, F, M
over a window, quintile or threshold scores, the Chinese 8-type model and the 11-segment
scheme), ``tags/`` (manual, rule and built-in behaviour tags) and ``clv/`` (BG/NBD, Pareto/NBD
and Gamma-Gamma: pure numpy/scipy models with the papers' tables as tests).

Everything is computed from ``member_stats``, orders and events by set-based SQL, or for the
models from columns read once; nothing here writes activity.
"""
