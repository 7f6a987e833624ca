"""The row-level error report: one CSV line per problem (row, column, value, reason), rows
numbered as in the imported file (its header is row 1)."""

import csv
from collections.abc import Iterable
from typing import TextIO

from memberops.imports.rows import Problem

HEADER = ("row", "column", "value", "reason")


def write_report(out: TextIO, problems: Iterable[Problem]) -> None:
    """Write the report to ``out``; open files with ``utf-8-sig`` so Excel shows Chinese."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows((p.row, p.column, p.value, p.reason) for p in problems)
