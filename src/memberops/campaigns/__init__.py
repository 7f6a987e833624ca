"""campaigns: one-shot campaigns to a saved crowd, with an offer, A/B variants and a holdout.

Owns campaigns, their variants and one recipient row per member of the crowd (UNIQUE
``(campaign_id, member_id)``: a campaign decides, and sends, at most once per member). Launching
decides every member in a few set-based statements: the holdout and the variant come from a
hash of (campaign, member), the guard rails (consent, unsubscribe, frequency cap, quiet hours)
from set-based queries, and the messages go to messaging's outbox in the same transaction.
Subscribes to ``MembersMerged`` (recipient rows follow their member); publishes
``CampaignFinished`` when a running campaign has nothing left to send (``finishing.py``).
"""
