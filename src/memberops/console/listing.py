"""The member list behind the console's members page and its CSV export.

Kept apart from the page so the rules that matter — one query per page, PII masked by role,
a search that is not paginated — are plain functions the tests call without a browser.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from memberops.console.viewer import Viewer
from memberops.identity import service as identity
from memberops.kernel.spreadsheet import BOM, csv_text
from memberops.members import service as members
from memberops.members.models import Member
from memberops.tenancy import service as tenancy
from memberops.tenancy.access import Principal

#: Columns of the table and of the export, in order; labels are ``col.<name>`` in the catalogue.
COLUMNS = ("id", "name", "phone", "registered", "first_channel", "created_at")


@dataclass(frozen=True)
class MemberRow:
    """One member as the list shows it, already masked for the viewer's role."""

    id: int
    name: str
    phone: str
    registered: bool
    first_channel: str
    created_at: datetime


@dataclass(frozen=True)
class Listing:
    """One page of the list: its rows, the tenant's member count, and the id the next page
    starts after (None on the last page and for a search, which is not paginated)."""

    rows: list[MemberRow]
    total: int
    next_after: int | None


def member_rows(session: Session, principal: Principal, found: Sequence[Member]) -> list[MemberRow]:
    """``found`` as list rows, with phones and channel names read in one query each."""
    phones = identity.phones_of(session, principal, [m.id for m in found])
    channels = {c.code: c.name for c in tenancy.list_channels(session, principal)}
    return [
        MemberRow(
            id=m.id,
            name=members.shown_name(m, principal.sees_pii),
            phone=phones.get(m.id, ""),
            registered=m.is_registered,
            first_channel=channels.get(m.first_channel or "", m.first_channel or ""),
            created_at=m.created_at,
        )
        for m in found
    ]


def load_listing(
    session: Session, principal: Principal, query: str, after_id: int | None, size: int
) -> Listing:
    """The page of members after ``after_id``, or the first ``size`` matches of ``query``."""
    total = members.count_members(session, principal)
    if query.strip():
        found = identity.search_members(session, principal, query, size)
        return Listing(member_rows(session, principal, found), total, None)
    page = members.list_members(session, principal, after_id, size + 1)
    next_after = page[size - 1].id if len(page) > size else None
    return Listing(member_rows(session, principal, page[:size]), total, next_after)


def cells(row: MemberRow, viewer: Viewer) -> dict[str, str]:
    """The row's cells as the viewer reads them (yes/no in their language, local time)."""
    return {
        "id": str(row.id),
        "name": row.name,
        "phone": row.phone,
        "registered": viewer.t("common.yes" if row.registered else "common.no"),
        "first_channel": row.first_channel,
        "created_at": viewer.when(row.created_at),
    }


def members_csv(rows: Sequence[MemberRow], viewer: Viewer) -> bytes:
    """The rows as CSV with a BOM, so Excel opens the Chinese headers correctly."""
    header = [viewer.t(f"col.{name}") for name in COLUMNS]
    lines = [[cells(row, viewer)[name] for name in COLUMNS] for row in rows]
    return (BOM + csv_text([header, *lines])).encode("utf-8")
