"""CSV that people open in a spreadsheet: a BOM, so Excel shows Chinese headers, and cells a
spreadsheet would read as a formula (CSV injection) written as text."""

import csv
import io
from collections.abc import Iterable, Sequence

#: Characters that make a spreadsheet read a cell as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def inert(value: str) -> str:
    """A cell a spreadsheet shows as text; E.164 phones (``+86…``, masked or not) and negative
    numbers are kept as they are."""
    if (
        value.startswith(_FORMULA_START)
        and not value[1:].replace("*", "").replace(".", "").isdigit()
    ):
        return "'" + value
    return value


def csv_text(rows: Iterable[Sequence[str]]) -> str:
    """``rows`` as CSV lines (no BOM: write :data:`BOM` once at the start of a file)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows([inert(cell) for cell in row] for row in rows)
    return out.getvalue()
