"""The kernel: settings, database plumbing, the clock, errors, the in-transaction event bus and
pagination. It imports no room; every room may import it."""
