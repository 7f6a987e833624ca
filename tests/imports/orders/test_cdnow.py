"""Preset ``cdnow``: both layouts, one order per line with a stable external id, dollars in
exact cents, days read in New York."""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from memberops.identity.models import IdentityType
from memberops.imports.orders.parsed import ParsedOrder
from memberops.imports.rows import Problem
from tests.imports.orders.helpers import read_all, write

NEW_YORK = ZoneInfo("America/New_York")
MASTER = (
    " customer_id  date number_of_cds  dollar_value\r\n"
    " 00001 19970101  1   11.77\r\n"
    " 00002 19970112  1   12.00\r\n"
    " 00002 19970112  2   0.00\r\n"
    " 00003 19970231  1   1.00\r\n"
    " 00003 19970301  x   1.00\r\n"
    " 00003 19970301  1   1.005\r\n"
    " 00003 19970301\r\n"
    "\r\n"
)
SAMPLE = " 00004 0001 19970101  2   29.33\r\n 00004 0001 19970101  2   29.73\r\n"


def _order(external_id: str, customer: str, day: int, cents: int, row: int) -> ParsedOrder:
    return ParsedOrder(
        external_id=external_id,
        identities=((IdentityType.crm_id, "", customer),),
        channel="online",
        store=None,
        paid_at=datetime(1997, 1, day, tzinfo=NEW_YORK),
        amount_cents=cents,
        list_amount_cents=cents,
        lines=(),
        rows=(row,),
    )


def test_master_layout(tmp_path: Path) -> None:
    parsed = read_all(write(tmp_path, "CDNOW_master.txt", MASTER), "cdnow")
    assert parsed.orders == [
        _order("cdnow-00001-19970101-1", "00001", 1, 1177, 2),
        _order("cdnow-00002-19970112-1", "00002", 12, 1200, 3),
        _order("cdnow-00002-19970112-2", "00002", 12, 0, 4),
    ]
    assert parsed.problems == [
        Problem(5, "date", "19970231", "no such date"),
        Problem(6, "quantity", "x", "expected a whole number"),
        Problem(7, "amount", "1.005", "more than two decimals"),
        Problem(8, "", "00003 19970301", "expected 4 or 5 columns"),
    ]
    assert parsed.rows == 7


def test_sample_layout_uses_the_master_id(tmp_path: Path) -> None:
    parsed = read_all(write(tmp_path, "CDNOW_sample.txt", SAMPLE), "cdnow", chunk_rows=1)
    assert parsed.orders == [
        _order("cdnow-00004-19970101-1", "00004", 1, 2933, 1),
        _order("cdnow-00004-19970101-2", "00004", 1, 2973, 2),
    ]
    assert parsed.problems == []


def test_ids_are_stable_on_a_second_read(tmp_path: Path) -> None:
    path = write(tmp_path, "m.txt", MASTER)
    assert read_all(path, "cdnow").orders == read_all(path, "cdnow").orders
