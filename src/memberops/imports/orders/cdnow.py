"""Preset ``cdnow``: the CDNOW purchase logs, both layouts, told apart by column count.

* ``CDNOW_master.txt``: customer id, date ``YYYYMMDD``, number of CDs, dollars (4 columns; its
  header line is recognised and skipped).
* ``CDNOW_sample.txt``: master customer id, sample id, date, CDs, dollars (5 columns). The
  master id is used, so the sample and the full file name the same members; the sample id is
  not kept.

One line is one order of ``dollars`` (exact cents; no order lines — the file gives a count of
CDs, not items and prices — so the CD count is not imported). The customer id becomes a
``crm_id`` identity as written (``00004``). The order's external id is
``cdnow-{customer}-{date}-{n}``, ``n`` counting that customer's lines of that day in file order
from 1, so a re-import gives the same ids. The date is a local day, read as midnight in
America/New_York (CDNOW was a US shop) unless told otherwise. A line with a zero amount is still
a purchase day in the published analyses, so it is imported as an order of 0.00.
"""

from collections.abc import Iterator
from datetime import date, datetime, time, tzinfo

from memberops.identity.models import IdentityType
from memberops.imports.orders.parsed import Chunk, ParsedOrder
from memberops.imports.orders.values import exact_cents, integer
from memberops.imports.rows import Problem

_MASTER = ("customer", "date", "quantity", "amount")
_SAMPLE = ("customer", "sample", "date", "quantity", "amount")
_HEADER = "customer_id"


def _day(text: str) -> date:
    if len(text) != 8 or not text.isdigit():
        raise ValueError("expected a date as YYYYMMDD")
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError as exc:
        raise ValueError("no such date") from exc


class CdnowParser:
    """Feed it ``(line number, fields)`` pairs in file order, in chunks."""

    def __init__(self, zone: tzinfo, channel: str = "online") -> None:
        self.zone, self.channel = zone, channel
        self.seen: dict[tuple[str, str], int] = {}

    def feed(self, lines: list[tuple[int, list[str]]]) -> Chunk:
        out = Chunk(rows=len(lines))
        for number, fields in lines:
            if number == 1 and fields[0] == _HEADER:
                out.rows -= 1
                continue
            parsed = self._line(number, fields)
            if isinstance(parsed, ParsedOrder):
                out.orders.append(parsed)
            else:
                out.problems.append(parsed)
        return out

    def _line(self, number: int, fields: list[str]) -> ParsedOrder | Problem:
        if len(fields) not in (len(_MASTER), len(_SAMPLE)):
            return Problem(number, "", " ".join(fields), "expected 4 or 5 columns")
        cells = dict(zip(_MASTER if len(fields) == len(_MASTER) else _SAMPLE, fields, strict=True))
        try:
            day = _day(cells["date"])
        except ValueError as exc:
            return Problem(number, "date", cells["date"], str(exc))
        try:
            integer(cells["quantity"])
        except ValueError as exc:
            return Problem(number, "quantity", cells["quantity"], str(exc))
        try:
            cents = exact_cents(cells["amount"])
        except ValueError as exc:
            return Problem(number, "amount", cells["amount"], str(exc))
        return self._order(number, cells["customer"], cells["date"], day, cents)

    def _order(self, number: int, customer: str, text: str, day: date, cents: int) -> ParsedOrder:
        n = self.seen.get((customer, text), 0) + 1
        self.seen[customer, text] = n
        return ParsedOrder(
            external_id=f"cdnow-{customer}-{text}-{n}",
            identities=((IdentityType.crm_id, "", customer),),
            channel=self.channel,
            store=None,
            paid_at=datetime.combine(day, time(), self.zone),
            amount_cents=cents,
            list_amount_cents=cents,
            lines=(),
            rows=(number,),
        )


def line_chunks(
    lines: Iterator[tuple[int, list[str]]], size: int
) -> Iterator[list[tuple[int, list[str]]]]:
    chunk: list[tuple[int, list[str]]] = []
    for line in lines:
        chunk.append(line)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
