"""Crowds: preview a condition, keep crowds, read their members and compare two of them.

Every answer is one query over member ids: a dynamic crowd's compiled condition, or a
snapshot's frozen rows restricted to members still active. Sizes are counts of that query; a
crowd's stored ``size`` is refreshed whenever it is counted.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import FromClause, Select, delete, func, insert, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from memberops.activity.models import MemberStats
from memberops.conditions.compiler import (
    check_condition,
    compile_condition,
    field_choices,
    parse_condition,
)
from memberops.conditions.registry import all_fields
from memberops.crowds.errors import CrowdNameTaken, CrowdNotFound, NotASnapshot
from memberops.crowds.models import Crowd, CrowdKind, CrowdMember
from memberops.crowds.schemas import (
    CrowdCreate,
    CrowdMemberRead,
    CrowdPatch,
    CrowdPreview,
    CrowdPreviewRequest,
    CrowdRead,
    FieldRead,
    OverlapRead,
)
from memberops.identity.service import phones_of
from memberops.kernel import clock
from memberops.kernel.pagination import newest_first
from memberops.members.models import Member, MemberStatus
from memberops.members.service import shown_name
from memberops.tenancy.access import Permission, Principal, tenant_scope
from memberops.tenancy.service import audit


def fields(session: Session, principal: Principal) -> list[FieldRead]:
    """Every field a condition can name, with the values it takes in this tenant."""
    principal.require(Permission.crowds_read)
    return [
        FieldRead(
            name=field.name,
            kind=field.kind.value,
            ops=sorted(op.value for op in field.ops),
            labels=dict(field.labels),
            choices=list(field_choices(session, principal.tenant_id, field)),
        )
        for field in all_fields()
    ]


def _count(session: Session, rows: FromClause) -> int:
    return int(session.scalar(select(func.count()).select_from(rows)) or 0)


def _compiled(session: Session, principal: Principal, document: Any, as_of: datetime) -> Any:
    condition = parse_condition(document, at=("body", "condition"))
    return compile_condition(
        session, principal.tenant_id, condition, as_of=as_of, at=("body", "condition"), lean=True
    )


def member_rows(session: Session, principal: Principal, ids: list[int]) -> list[CrowdMemberRead]:
    """``ids`` as crowd members, in that order: member, stats and phones in one query each."""
    query = (
        select(Member, MemberStats.kept_orders, MemberStats.spend_cents, MemberStats.last_order_at)
        .outerjoin(
            MemberStats,
            (MemberStats.tenant_id == Member.tenant_id) & (MemberStats.member_id == Member.id),
        )
        .where(Member.tenant_id == principal.tenant_id, Member.id.in_(ids))
    )
    found = {row[0].id: row for row in session.execute(query)}
    phones = phones_of(session, principal, ids)
    return [
        CrowdMemberRead(
            member_id=str(member.id),
            name=shown_name(member, principal.sees_pii),
            phone=phones.get(member.id, ""),
            gender=member.gender,
            city=member.city,
            orders=orders or 0,
            spend=spend or 0,
            last_order_at=last_order_at,
        )
        for member, orders, spend, last_order_at in (found[i] for i in ids if i in found)
    ]


def preview(session: Session, principal: Principal, body: CrowdPreviewRequest) -> CrowdPreview:
    """How many active members the condition selects now, and the first ``sample`` by id."""
    principal.require(Permission.crowds_read)
    now = clock.now()
    ids = _compiled(session, principal, body.condition, now)
    first = ids.order_by(ids.selected_columns[0]).limit(body.sample)
    sample = list(session.scalars(first)) if body.sample else []
    return CrowdPreview(
        size=_count(session, ids.subquery()),
        sample=member_rows(session, principal, sample),
        as_of=now,
    )


def get_crowd(session: Session, principal: Principal, crowd_id: int) -> Crowd:
    principal.require(Permission.crowds_read)
    crowd = session.scalar(tenant_scope(principal, Crowd).where(Crowd.id == crowd_id))
    if crowd is None:
        raise CrowdNotFound(f"No crowd {crowd_id}.", crowd_id=str(crowd_id))
    return crowd


def member_ids(
    session: Session, principal: Principal, crowd: Crowd, *, lean: bool = False
) -> Select[int]:
    """The crowd's members now: its condition evaluated, or its frozen members still active.
    ``lean``: for a caller that only wraps the query (see ``compile_condition``)."""
    if crowd.kind == CrowdKind.dynamic:
        condition = parse_condition(crowd.condition)
        return compile_condition(session, principal.tenant_id, condition, lean=lean)
    return (
        select(CrowdMember.member_id)
        .join(
            Member,
            (Member.tenant_id == CrowdMember.tenant_id) & (Member.id == CrowdMember.member_id),
        )
        .where(CrowdMember.tenant_id == principal.tenant_id, CrowdMember.crowd_id == crowd.id)
        .where(Member.status == MemberStatus.active)
    )


def counted(session: Session, principal: Principal, crowd: Crowd) -> Crowd:
    """The crowd with its size counted now (and stored)."""
    crowd.size = _count(session, member_ids(session, principal, crowd, lean=True).subquery())
    crowd.counted_at = clock.now()
    session.flush()
    return crowd


def _freeze(session: Session, principal: Principal, crowd: Crowd) -> None:
    """Replace the snapshot's members with those its condition selects now."""
    session.execute(
        delete(CrowdMember).where(
            CrowdMember.tenant_id == principal.tenant_id, CrowdMember.crowd_id == crowd.id
        )
    )
    selected = compile_condition(session, principal.tenant_id, parse_condition(crowd.condition))
    frozen = selected.subquery()
    rows = select(frozen.c[0], literal(principal.tenant_id), literal(crowd.id))
    session.execute(insert(CrowdMember).from_select(["member_id", "tenant_id", "crowd_id"], rows))
    crowd.frozen_at = clock.now()


def _named(session: Session, crowd: Crowd) -> None:
    """Flush the crowd, turning a clash of names into ``crowds.name_taken`` (the failed flush
    expires the crowd, so its name is read before)."""
    name = crowd.name
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise CrowdNameTaken(f"A crowd is already named {name!r}.", name=name) from exc


def read(crowd: Crowd) -> CrowdRead:
    return CrowdRead(
        id=str(crowd.id),
        name=crowd.name,
        description=crowd.description,
        kind=crowd.kind,
        condition=crowd.condition,
        size=crowd.size,
        counted_at=crowd.counted_at,
        frozen_at=crowd.frozen_at,
        created_by=crowd.created_by,
        created_at=crowd.created_at,
        updated_at=crowd.updated_at,
    )


def create_crowd(session: Session, principal: Principal, body: CrowdCreate) -> Crowd:
    """Keep a crowd; a snapshot is frozen at once. Audited."""
    principal.require(Permission.crowds_manage)
    now = clock.now()
    crowd = Crowd(
        tenant_id=principal.tenant_id,
        name=body.name,
        description=body.description,
        kind=body.kind,
        condition=check_condition(session, principal.tenant_id, body.condition),
        counted_at=now,
        created_by=principal.actor,
        created_at=now,
        updated_at=now,
    )
    session.add(crowd)
    _named(session, crowd)
    if crowd.kind == CrowdKind.snapshot:
        _freeze(session, principal, crowd)
    counted(session, principal, crowd)
    audit(
        session,
        principal,
        "crowd.create",
        ("crowd", str(crowd.id)),
        None,
        read(crowd).model_dump(mode="json"),
    )
    return crowd


def update_crowd(session: Session, principal: Principal, crowd_id: int, body: CrowdPatch) -> Crowd:
    """Rename, describe or change the condition of a crowd. Audited."""
    principal.require(Permission.crowds_manage)
    crowd = get_crowd(session, principal, crowd_id)
    before = read(crowd).model_dump(mode="json")
    given = body.model_dump(exclude_unset=True, exclude_none=True)
    if "condition" in given:
        given["condition"] = check_condition(session, principal.tenant_id, given["condition"])
    for name, value in given.items():
        setattr(crowd, name, value)
    crowd.updated_at = clock.now()
    _named(session, crowd)
    counted(session, principal, crowd)
    audit(
        session,
        principal,
        "crowd.update",
        ("crowd", str(crowd.id)),
        before,
        read(crowd).model_dump(mode="json"),
    )
    return crowd


def freeze(session: Session, principal: Principal, crowd_id: int) -> Crowd:
    """Freeze a snapshot crowd again: its members become those its condition selects now."""
    principal.require(Permission.crowds_manage)
    crowd = get_crowd(session, principal, crowd_id)
    if crowd.kind != CrowdKind.snapshot:
        raise NotASnapshot(f"Crowd {crowd.id} is dynamic: it is evaluated at each use.")
    before = read(crowd).model_dump(mode="json")
    _freeze(session, principal, crowd)
    counted(session, principal, crowd)
    audit(
        session,
        principal,
        "crowd.freeze",
        ("crowd", str(crowd.id)),
        before,
        read(crowd).model_dump(mode="json"),
    )
    return crowd


def delete_crowd(session: Session, principal: Principal, crowd_id: int) -> None:
    """Forget a crowd and its frozen members. Audited."""
    principal.require(Permission.crowds_manage)
    crowd = get_crowd(session, principal, crowd_id)
    before = read(crowd).model_dump(mode="json")
    session.execute(
        delete(CrowdMember).where(
            CrowdMember.tenant_id == principal.tenant_id, CrowdMember.crowd_id == crowd.id
        )
    )
    session.delete(crowd)
    session.flush()
    audit(session, principal, "crowd.delete", ("crowd", str(crowd_id)), before, None)


def list_crowds(
    session: Session, principal: Principal, before_id: int | None, limit: int
) -> list[Crowd]:
    """The tenant's crowds, newest first, before the cursor."""
    principal.require(Permission.crowds_read)
    query = newest_first(tenant_scope(principal, Crowd), Crowd.id, before_id, limit)
    return list(session.scalars(query))


def members_page(
    session: Session, principal: Principal, crowd_id: int, after_id: int | None, limit: int
) -> list[int]:
    """Member ids of the crowd now, by id, after the cursor."""
    crowd = get_crowd(session, principal, crowd_id)
    ids = member_ids(session, principal, crowd, lean=True).subquery()
    query = select(ids.c[0])
    if after_id is not None:
        query = query.where(ids.c[0] > after_id)
    return list(session.scalars(query.order_by(ids.c[0]).limit(limit)))


def overlap(session: Session, principal: Principal, crowd_id: int, other_id: int) -> OverlapRead:
    """How the two crowds' members overlap now."""
    first, second = get_crowd(session, principal, crowd_id), get_crowd(session, principal, other_id)
    a = member_ids(session, principal, first, lean=True).subquery()
    b = member_ids(session, principal, second, lean=True).subquery()
    size, other = _count(session, a), _count(session, b)
    both = _count(session, a.join(b, a.c[0] == b.c[0]))
    either = size + other - both
    return OverlapRead(
        crowd_id=str(first.id),
        other_id=str(second.id),
        size=size,
        other_size=other,
        both=both,
        only=size - both,
        only_other=other - both,
        either=either,
        jaccard=both / either if either else 0.0,
        as_of=clock.now(),
    )
