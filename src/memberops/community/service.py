"""Community groups and their rosters: open groups, invite members into a series and remove
them.

Inviting is set-based and idempotent: a member already on a group of the kind (any series) is
left where they are, and the roster's partial unique index on (tenant, kind, member) where
``left_at`` is null backs that under concurrency (``ON CONFLICT DO NOTHING``). Seats are taken
under :func:`lock_series` (the series' group rows, ``FOR UPDATE`` on PostgreSQL, lowest number
first), so two inviters never fill a group past the tenant's ``group_size``: the lowest
numbered group with room fills first, and when none has room the next group of the series
opens (``<series> #<n>``). A removal ends the roster row and frees its seat.
"""

from collections import Counter
from collections.abc import Sequence

from sqlalchemy import func, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from memberops.community.errors import GroupNameTaken, GroupNotFound, NotInGroup
from memberops.community.models import CURRENT, CommunityGroup, GroupKind, GroupMember
from memberops.community.rules import CommunityRules
from memberops.community.schemas import GroupCreate
from memberops.kernel import clock
from memberops.kernel.db import is_postgresql
from memberops.kernel.pagination import newest_first
from memberops.members.models import Member, MemberStatus
from memberops.tenancy.access import Permission, Principal, tenant_scope
from memberops.tenancy.sections import load_section
from memberops.tenancy.service import audit

#: The series a VIP or basic invitation opens when the tenant has no group of the kind yet.
DEFAULT_SERIES = {GroupKind.vip: "VIP", GroupKind.basic: "Members"}
_G, _R = CommunityGroup, GroupMember


def group_size(session: Session, principal: Principal) -> int:
    return load_section(session, principal.tenant_id, CommunityRules).group_size


def _name_taken(session: Session, principal: Principal, name: str) -> bool:
    return session.scalar(tenant_scope(principal, _G).where(_G.name == name)) is not None


def create_group(session: Session, principal: Principal, body: GroupCreate) -> CommunityGroup:
    """The first group of a new series (409 ``community.name_taken`` for a name in use)."""
    principal.require(Permission.campaigns_manage)
    if _name_taken(session, principal, body.name):
        raise GroupNameTaken(f"A group is named {body.name!r}.", name=body.name)
    group = _open(session, principal, body.kind, body.name, 1, body.name)
    audit(
        session,
        principal,
        "community.group_create",
        ("community_group", str(group.id)),
        None,
        {"name": group.name, "kind": str(group.kind)},
    )
    return group


def _open(
    session: Session, principal: Principal, kind: GroupKind, series: str, number: int, name: str
) -> CommunityGroup:
    group = _G(
        tenant_id=principal.tenant_id,
        kind=kind,
        name=name,
        series=series,
        number=number,
        size=0,
        created_by=principal.actor,
        created_at=clock.now(),
    )
    session.add(group)
    session.flush()
    return group


def get_group(session: Session, principal: Principal, group_id: int) -> CommunityGroup:
    principal.require(Permission.campaigns_read)
    group = session.scalar(tenant_scope(principal, _G).where(_G.id == group_id))
    if group is None:
        raise GroupNotFound(f"No community group {group_id}.", group_id=str(group_id))
    return group


def list_groups(
    session: Session, principal: Principal, before: int | None, limit: int
) -> list[CommunityGroup]:
    """The tenant's groups, newest first."""
    principal.require(Permission.campaigns_read)
    return list(session.scalars(newest_first(tenant_scope(principal, _G), _G.id, before, limit)))


def roster(
    session: Session, principal: Principal, group: CommunityGroup, before: int | None, limit: int
) -> list[GroupMember]:
    """The group's current roster, the latest joined first."""
    query = tenant_scope(principal, _R).where(_R.group_id == group.id, _R.left_at.is_(None))
    return list(session.scalars(newest_first(query, _R.id, before, limit)))


def default_group(session: Session, principal: Principal, kind: GroupKind) -> CommunityGroup:
    """The tenant's first group of ``kind``; opened (``VIP`` / ``Members``) when it has none."""
    query = tenant_scope(principal, _G).where(_G.kind == kind).order_by(_G.id).limit(1)
    found = session.scalar(query)
    if found is not None:
        return found
    series = DEFAULT_SERIES[kind]
    name = series if not _name_taken(session, principal, series) else f"{series} ({kind})"
    return _open(session, principal, kind, name, 1, name)


def lock_series(
    session: Session, principal: Principal, group: CommunityGroup
) -> list[CommunityGroup]:
    """The series' groups, lowest number first, row-locked on PostgreSQL (the one lock helper
    of this table: every invitation takes it, in this order)."""
    query = (
        tenant_scope(principal, _G)
        .where(_G.kind == group.kind, _G.series == group.series)
        .order_by(_G.number)
    )
    if is_postgresql(session):
        query = query.with_for_update()
    return list(session.scalars(query.execution_options(populate_existing=True)))


def current_of_kind(
    session: Session, principal: Principal, kind: GroupKind, member_ids: Sequence[int]
) -> set[int]:
    """Which of ``member_ids`` are on a group of ``kind`` now."""
    query = select(_R.member_id).where(
        _R.tenant_id == principal.tenant_id, _R.kind == kind, _R.left_at.is_(None)
    )
    return set(session.scalars(query.where(_R.member_id.in_(member_ids))))


def active_members(session: Session, principal: Principal, member_ids: Sequence[int]) -> set[int]:
    query = select(Member.id).where(
        Member.tenant_id == principal.tenant_id,
        Member.status == MemberStatus.active,
        Member.id.in_(member_ids),
    )
    return set(session.scalars(query))


def _seat(
    session: Session,
    principal: Principal,
    group: CommunityGroup,
    series: list[CommunityGroup],
    limit: int,
) -> CommunityGroup:
    """The lowest numbered group of the series with room, or the next one opened."""
    for candidate in series:
        if candidate.size < limit:
            return candidate
    number = series[-1].number + 1 if series else 1
    name = f"{group.series} #{number}"
    while _name_taken(session, principal, name):
        name += "'"
    opened = _open(session, principal, group.kind, group.series, number, name)
    series.append(opened)
    return opened


def _insert(session: Session, rows: list[dict[str, object]]) -> list[int]:
    """Roster rows inserted unless the member is on the kind already; the members inserted."""
    dialect = postgresql if is_postgresql(session) else sqlite
    statement = (
        dialect.insert(_R)
        .values(rows)
        .on_conflict_do_nothing(
            index_elements=["tenant_id", "kind", "member_id"], index_where=text(CURRENT)
        )
        .returning(_R.member_id)
    )
    return list(session.scalars(statement))


def invite(
    session: Session,
    principal: Principal,
    group: CommunityGroup,
    member_ids: Sequence[int],
    invited_by: str,
    *,
    source: str | None = None,
) -> dict[int, int]:
    """Seat ``member_ids`` (active members of the tenant) in ``group``'s series, filling the
    lowest numbered group with room and opening the next when all are full; members already
    on a group of the kind stay where they are. The members seated and their group."""
    if source is not None:  # read by the members' index: the key names one member
        done = select(_R.id).where(_R.tenant_id == principal.tenant_id, _R.source == source)
        done = done.where(_R.member_id.in_(list(member_ids)))
        if session.scalar(done.limit(1)) is not None:
            return {}
    limit = group_size(session, principal)
    series = lock_series(session, principal, group)
    wanted = list(dict.fromkeys(member_ids))
    present = current_of_kind(session, principal, group.kind, wanted)
    active = active_members(session, principal, wanted)
    pending = [m for m in wanted if m in active and m not in present]
    seated: dict[int, int] = {}
    now = clock.now()
    while pending:
        target = _seat(session, principal, group, series, limit)
        take, pending = pending[: limit - target.size], pending[limit - target.size :]
        rows: list[dict[str, object]] = [
            {
                "tenant_id": principal.tenant_id,
                "group_id": target.id,
                "kind": str(group.kind),
                "member_id": member,
                "joined_at": now,
                "invited_by": invited_by,
                "source": source,
            }
            for member in take
        ]
        inserted = _insert(session, rows)
        # the ORM update also moves ``target.size`` in the session (synchronize_session)
        session.execute(update(_G).where(_G.id == target.id).values(size=_G.size + len(inserted)))
        seated.update(dict.fromkeys(inserted, target.id))
    return seated


def remove(
    session: Session,
    principal: Principal,
    kind: GroupKind,
    member_ids: Sequence[int],
    removed_by: str,
    *,
    group_id: int | None = None,
) -> int:
    """End the members' current rows on groups of ``kind`` (of ``group_id`` only, when
    given) and free their seats; how many left. Removing a member not there does nothing."""
    if not member_ids:
        return 0
    ended = (
        update(_R)
        .where(_R.tenant_id == principal.tenant_id, _R.kind == kind, _R.left_at.is_(None))
        .where(_R.member_id.in_(list(member_ids)))
        .values(left_at=clock.now(), removed_by=removed_by)
        .returning(_R.group_id)
    )
    if group_id is not None:
        ended = ended.where(_R.group_id == group_id)
    freed = Counter(session.scalars(ended))
    for freed_group, count in freed.items():
        session.execute(update(_G).where(_G.id == freed_group).values(size=_G.size - count))
    for row in list(session.identity_map.values()):
        if isinstance(row, _G) and row.id in freed:
            session.expire(row, ["size"])
    return sum(freed.values())


def remove_member(session: Session, principal: Principal, group_id: int, member_id: int) -> None:
    """Take the member off the group (404 ``community.not_in_group`` when not on it)."""
    principal.require(Permission.campaigns_manage)
    group = get_group(session, principal, group_id)
    if not remove(session, principal, group.kind, [member_id], principal.actor, group_id=group.id):
        raise NotInGroup(
            f"Member {member_id} is not in group {group_id}.", member_id=str(member_id)
        )
    audit(
        session,
        principal,
        "community.remove",
        ("community_group", str(group.id)),
        {"member_id": str(member_id)},
        None,
    )


def roster_size(session: Session, group_id: int) -> int:
    """The group's current roster counted (the check ``size`` is kept against)."""
    query = select(func.count()).where(_R.group_id == group_id, _R.left_at.is_(None))
    return int(session.scalar(query) or 0)


def group_of_kind(
    session: Session, principal: Principal, kind: GroupKind, group_id: int | None
) -> CommunityGroup:
    """The group ``group_id`` (404 ``community.not_found`` unless one of the tenant's of
    ``kind``), or the tenant's first group of ``kind`` when None."""
    if group_id is None:
        return default_group(session, principal, kind)
    query = tenant_scope(principal, _G).where(_G.id == group_id, _G.kind == kind)
    group = session.scalar(query)
    if group is None:
        raise GroupNotFound(f"No {kind} community group {group_id}.", group_id=str(group_id))
    return group
