"""A crowd's members as CSV, for the API, the CLI and the console alike: one header row, then
one row per member by id, names and phones masked for roles without access to personal data.

Members are read :data:`CHUNK` at a time after the last id written, each chunk in a
transaction of its own, so an export of a million members neither holds memory nor keeps a
writer waiting (SQLite lets one transaction write at a time). A dynamic crowd is evaluated
afresh for each chunk: members who join or leave during a long export are in it or not by the
time their id comes up.
"""

from collections.abc import Iterator

from sqlalchemy.orm import Session, sessionmaker

from memberops.activity.money import to_yuan
from memberops.crowds import service
from memberops.crowds.schemas import CrowdMemberRead
from memberops.kernel.spreadsheet import BOM, csv_text
from memberops.tenancy.access import Principal

CHUNK = 1_000
COLUMNS = ("member_id", "name", "phone", "gender", "city", "orders", "spend", "last_order_at")


def _cells(row: CrowdMemberRead) -> list[str]:
    last = row.last_order_at.isoformat(timespec="seconds") if row.last_order_at else ""
    values = [row.member_id, row.name, row.phone, row.gender or "", row.city or ""]
    return [*values, str(row.orders), to_yuan(row.spend), last]


def export_chunks(
    factory: sessionmaker[Session],
    principal: Principal,
    crowd_id: int,
    header: tuple[str, ...] = COLUMNS,
) -> Iterator[tuple[str, int]]:
    """The CSV text a piece at a time, with how many members each piece holds: the BOM and
    ``header`` first (the console passes its translated column names), then the members."""
    with factory.begin() as session:
        service.get_crowd(session, principal, crowd_id)  # refused before the first line
    yield BOM + csv_text([list(header)]), 0
    after: int | None = None
    while True:
        with factory.begin() as session:
            ids = service.members_page(session, principal, crowd_id, after, CHUNK)
            rows = service.member_rows(session, principal, ids)
        if not ids:
            return
        yield csv_text([_cells(row) for row in rows]), len(rows)
        after = ids[-1]


def export_lines(
    factory: sessionmaker[Session],
    principal: Principal,
    crowd_id: int,
    header: tuple[str, ...] = COLUMNS,
) -> Iterator[str]:
    """The CSV text of :func:`export_chunks`, for a streamed response."""
    for text, _ in export_chunks(factory, principal, crowd_id, header):
        yield text
