"""Benchmarks, run by ``make bench``; each prints a table and can write docs/benchmarks.md."""
