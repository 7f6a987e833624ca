"""Imports: bulk member files (CSV or XLSX) read with polars, mapped to member fields by a
preset and the operator's overrides, checked row by row with the API's rules, and written in
batches.

Invariants: every row of a file is either imported (a member created or matched) or listed in
the error report with its row, column and reason; a bad row writes nothing and never stops the
good ones. Rows that share an identity, or whose identities already belong to one member, are
folded into one request, so importing the same file again changes nothing. New members take a
set-based path (bulk INSERTs, one audit row for the whole run); anything that matches, links or
merges goes through :func:`memberops.identity.service.upsert_member`, so merge rules live in one
place. Publishes nothing itself (merges publish ``MembersMerged``); subscribes to nothing.
"""
