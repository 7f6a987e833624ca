"""Tenancy and access: tenants (merchants), their channels and stores, API keys with scopes,
console users with roles, the audit log, and PII masking by role.

Invariants: every row of every room belongs to one tenant, and the tenant of a request comes
from its credential (a key or a logged-in user), never from the body; every query goes through
:func:`tenant_scope`. Every change made by a person or a key writes one audit row.
Publishes nothing; subscribes to nothing.
"""
