"""Crowds (人群圈选, SPEC §7): saved selections of members by a condition of the one condition
language (``conditions/``), with their live size, a sample, their members page by page, the
overlap of two crowds and a CSV export with personal data masked by role.

A **dynamic** crowd is its condition, evaluated afresh at each use; a **snapshot** crowd is the
members its condition selected when it was frozen (``crowd_members``), until frozen again.
Invariants: a crowd's name is unique in its tenant; merged-away and erased members are in no
crowd's answer. Publishes nothing. Subscribes to ``MembersMerged`` (a snapshot's absorbed
member is replaced by the survivor, recorded so undoing the merge moves it back).
"""
