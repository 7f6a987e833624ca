"""The kernel: settings, database plumbing, the clock, errors, the in-transaction event bus,
idempotency keys and pagination. It imports no room; every room may import it.

Its one table, ``idempotency_keys``, holds each claimed key with its first answer (a key is
claimed at most once per tenant and operation). The kernel publishes and subscribes to no
domain event: it is the bus."""
