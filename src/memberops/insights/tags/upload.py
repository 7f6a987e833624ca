"""Tagging by list: a CSV file naming members, each matched one gets a manual tag.

The file is UTF-8 (or GB18030, as Chinese Excel writes it) with a header row naming one
identity column: ``member_id`` or an identity type that needs no channel (``phone``,
``crm_id``, ``email``, ``wechat_unionid``, ``alipay_uid``, ``pos_card``), normalised as the
API normalises it (phones read in the tenant's region). A row that matches no active member
is reported with its row number (the header is row 1) and why, never fatal; a row whose
member already holds the tag (or came earlier in the file) changes nothing, so uploading the
same file again tags nobody twice. Rows go :data:`CHUNK` at a time: one lookup of their
identities, one of their members, one insert.
"""

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from memberops.identity.models import Identity, IdentityType
from memberops.identity.normalise import identity_key
from memberops.identity.schemas import IdentityIn
from memberops.insights.tags.errors import UnreadableUpload
from memberops.insights.tags.membership import insert_holders, manual_tag
from memberops.insights.tags.models import Tag, TagSource
from memberops.insights.tags.schemas import UploadProblem, UploadReport
from memberops.kernel import clock
from memberops.kernel.errors import DomainError
from memberops.members.models import Member, MemberStatus
from memberops.tenancy.access import Principal
from memberops.tenancy.service import audit

CHUNK = 1_000
MEMBER_ID = "member_id"
_TYPES = (
    IdentityType.phone,
    IdentityType.crm_id,
    IdentityType.email,
    IdentityType.wechat_unionid,
    IdentityType.alipay_uid,
    IdentityType.pos_card,
)
#: The columns a list may name its members by, in the order one is picked from a header.
LIST_COLUMNS = (MEMBER_ID, *(t.value for t in _TYPES))
#: Called with (rows done, rows in the list) after each chunk.
Progress = Callable[[int, int], object]


@dataclass(frozen=True)
class ListRow:
    number: int  # in the file; the header is row 1
    value: str


def _unreadable(message: str) -> UnreadableUpload:
    return UnreadableUpload(message, errors=[{"loc": ["body", "file"], "msg": message}])


def _decode(data: bytes) -> str:
    if b"\x00" in data:
        raise _unreadable("The list holds NUL bytes: it is not a text file.")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _unreadable("The list is neither UTF-8 nor GB18030 text.")


def read_list(data: bytes, column: str | None = None) -> tuple[str, list[ListRow]]:
    """The column the list names its members by (``column``, or the first of
    :data:`LIST_COLUMNS` in its header) and its non-blank rows."""
    try:
        records = list(csv.reader(io.StringIO(_decode(data))))
    except csv.Error as exc:
        raise _unreadable(f"The list is not CSV: {exc}.") from exc
    if not records:
        raise _unreadable("The list is empty: it needs a header row.")
    header = [name.strip().lower() for name in records[0]]
    chosen = column if column is not None else next((c for c in LIST_COLUMNS if c in header), None)
    if chosen not in LIST_COLUMNS or chosen not in header:
        raise _unreadable(f"The header needs one identity column ({', '.join(LIST_COLUMNS)}).")
    index = header.index(chosen)
    rows = [
        ListRow(number, cells[index].strip() if index < len(cells) else "")
        for number, cells in enumerate(records[1:], start=2)
        if any(cell.strip() for cell in cells)
    ]
    return chosen, rows


def _key(principal: Principal, column: str, value: str) -> str | int:
    """The stored form of a cell: a member id, or a normalised identity value."""
    if column == MEMBER_ID:
        if not (value.isdigit() and 0 < len(value) < 19):
            raise ValueError("not a member id")
        return int(value)
    try:
        identity = IdentityIn.model_validate({"type": column, "value": value})
        return identity_key(identity, principal.phone_region)[2]
    except ValidationError as exc:
        raise ValueError(exc.errors()[0]["msg"]) from exc
    except DomainError as exc:
        raise ValueError(exc.detail) from exc


def _owners(
    session: Session, principal: Principal, column: str, keys: set[str | int]
) -> dict[str | int, int]:
    """Member id of each key the tenant knows."""
    if column == MEMBER_ID:
        known = session.scalars(
            select(Member.id).where(Member.tenant_id == principal.tenant_id, Member.id.in_(keys))
        )
        return {member_id: member_id for member_id in known}
    query = select(Identity.value, Identity.member_id).where(
        Identity.tenant_id == principal.tenant_id,
        Identity.type == column,
        Identity.scope == "",
        Identity.value.in_(keys),
    )
    return dict(session.execute(query).all())


def _statuses(
    session: Session, principal: Principal, member_ids: set[int]
) -> dict[int, tuple[MemberStatus, int | None]]:
    rows = session.execute(
        select(Member.id, Member.status, Member.merged_into_id).where(
            Member.tenant_id == principal.tenant_id, Member.id.in_(member_ids)
        )
    )
    return {member_id: (status, into) for member_id, status, into in rows}


def _problem(row: ListRow, column: str, reason: str) -> UploadProblem:
    return UploadProblem(row=row.number, column=column, value=row.value, reason=reason)


def _refusal(
    column: str, member_id: int | None, status: MemberStatus | None, into: int | None
) -> str:
    if member_id is None:
        return f"no member with this {column}"
    if status == MemberStatus.merged:
        return f"member {member_id} was merged into {into}"
    return f"member {member_id} was erased"


def _resolve(
    session: Session, principal: Principal, column: str, rows: Sequence[ListRow]
) -> tuple[list[int], list[UploadProblem]]:
    """The active members the rows name, in row order, and each row that names none."""
    problems: list[UploadProblem] = []
    keyed: list[tuple[ListRow, str | int]] = []
    for row in rows:
        try:
            keyed.append((row, _key(principal, column, row.value)))
        except ValueError as exc:
            problems.append(_problem(row, column, str(exc)))
    owners = _owners(session, principal, column, {key for _, key in keyed})
    statuses = _statuses(session, principal, set(owners.values()))
    matched = []
    for row, key in keyed:
        member_id = owners.get(key)
        status, into = statuses.get(member_id, (None, None)) if member_id else (None, None)
        if member_id is not None and status == MemberStatus.active:
            matched.append(member_id)
        else:
            problems.append(_problem(row, column, _refusal(column, member_id, status, into)))
    return matched, problems


def _tag_rows(
    session: Session,
    principal: Principal,
    tag: Tag,
    column: str,
    rows: list[ListRow],
    progress: Progress | None,
) -> UploadReport:
    seen: set[int] = set()
    tagged, problems = 0, []
    now = clock.now()
    for start in range(0, len(rows), CHUNK):
        matched, found = _resolve(session, principal, column, rows[start : start + CHUNK])
        fresh = list(dict.fromkeys(m for m in matched if m not in seen))
        seen.update(fresh)
        tagged += insert_holders(session, tag, fresh, TagSource.upload, now)
        problems.extend(found)
        if progress is not None:
            progress(min(start + CHUNK, len(rows)), len(rows))
    problems.sort(key=lambda problem: problem.row)
    unchanged = len(rows) - len(problems) - tagged
    return UploadReport(
        tag_id=str(tag.id),
        column=column,
        rows=len(rows),
        tagged=tagged,
        unchanged=unchanged,
        problems=problems,
    )


def upload_list(
    session: Session,
    principal: Principal,
    tag_id: int,
    data: bytes,
    *,
    column: str | None = None,
    progress: Progress | None = None,
) -> UploadReport:
    """Tag every active member the CSV list names with the manual tag; audited once with the
    counts. ``column`` picks the identity column when the header has several."""
    tag = manual_tag(session, principal, tag_id)
    chosen, rows = read_list(data, column)
    report = _tag_rows(session, principal, tag, chosen, rows, progress)
    summary = report.model_dump(include={"column", "rows", "tagged", "unchanged"})
    summary["problems"] = len(report.problems)
    audit(session, principal, "tag.upload", ("tag", str(tag.id)), None, summary)
    return report
