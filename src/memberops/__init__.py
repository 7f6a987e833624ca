"""memberops: member operations platform for retail and e-commerce merchants.

One package, one process, one database: a REST API and web console (``memberops.app``), a CLI
(``memberops.cli``) and, in later rooms, a worker. See docs/architecture.md for the rooms and
the rules that keep them correct.
"""

__version__ = "0.1.0"
