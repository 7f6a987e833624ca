"""Write entries of a member file in the caller's transaction, set-based where it can be.

Each batch looks up all its identities in a few queries, then takes one of three paths:

* new people (no identity stored yet) are created with executemany INSERTs of members (their
  ids taken beforehand), identities and consent, with one audit row for the whole run instead
  of one per member;
* people whose identities all belong to one member that no other entry of the batch reaches are
  compared in memory and written through :func:`members.update_attributes` and
  :func:`members.set_consent` only where something differs, so a re-import writes nothing;
* everything else (new identities for a member, links that merge, registration) goes one entry
  at a time through :func:`memberops.identity.service.upsert_member`, so resolution and merge
  rules stay in one place.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from pydantic import ValidationError
from sqlalchemy import Select, String, Table, func, insert, literal, select, true
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from memberops.identity import service as identity
from memberops.identity.models import Identity, IdentityType
from memberops.identity.normalise import IdentityKey
from memberops.identity.schemas import IdentityIn, MemberUpsert
from memberops.imports.rows import Entry, Problem
from memberops.kernel import clock
from memberops.kernel.db import Base, is_postgresql
from memberops.kernel.errors import DomainError
from memberops.members import service as members
from memberops.members.models import Consent, Member, MemberStatus
from memberops.tenancy.access import Principal
from memberops.tenancy.models import AuditEntry

#: Values per IN list: well under every backend's limit on bound parameters.
_CHUNK = 1000
#: As ``MemberUpsert.identities``: more than this many is refused, like the API does.
_MAX_IDENTITIES = 50


@dataclass
class Outcome:
    """What an import did. Every row is counted once: ``rows == created + matched + bad_rows``
    (a member created from several rows counts one row created, the others matched)."""

    rows: int = 0
    created: int = 0
    matched: int = 0
    updated: int = 0
    merged: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def bad_rows(self) -> int:
        return len({problem.row for problem in self.problems})

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.merged)

    def add(self, other: "Outcome") -> None:
        self.rows += other.rows
        self.created += other.created
        self.matched += other.matched
        self.updated += other.updated
        self.merged += other.merged
        self.problems += other.problems

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "created": self.created,
            "matched": self.matched,
            "updated": self.updated,
            "merged": self.merged,
            "bad_rows": self.bad_rows,
        }


def _chunks(values: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _owners_query(
    session: Session, principal: Principal, type_: IdentityType, scope: str, values: list[str]
) -> Select[str, int]:
    """(value, member id) of the stored identities of one type and scope among ``values``.

    On PostgreSQL the values are one array parameter, each looked up in a LATERAL subquery that
    cannot be flattened (LIMIT 1; the key is unique), so each is one index probe whatever the
    planner believes about the table. Written as ``value IN (…)`` or as a join, a table just
    filled by an import, without statistics yet, was read whole for every 1,000 values (5x
    slower at 100,000 members, and growing with the table)."""
    scoped = (
        Identity.tenant_id == principal.tenant_id,
        Identity.type == type_,
        Identity.scope == scope,
    )
    if not is_postgresql(session):
        return select(Identity.value, Identity.member_id).where(*scoped, Identity.value.in_(values))
    wanted = func.unnest(literal(values, ARRAY(String))).table_valued("value").render_derived()
    owner = select(Identity.member_id).where(*scoped, Identity.value == wanted.c.value)
    owned = owner.limit(1).lateral()
    return select(wanted.c.value, owned.c.member_id).select_from(wanted).join(owned, true())


def owners_of(
    session: Session, principal: Principal, keys: Iterable[IdentityKey]
) -> dict[IdentityKey, int]:
    """The member holding each stored identity among ``keys``: one query per identity type
    and scope (and 1,000 values), each value an index probe."""
    wanted: dict[tuple[IdentityType, str], set[str]] = defaultdict(set)
    for type_, scope, value in keys:
        wanted[(type_, scope)].add(value)
    owners: dict[IdentityKey, int] = {}
    for (type_, scope), values in wanted.items():
        for chunk in _chunks(list(values)):
            rows = session.execute(_owners_query(session, principal, type_, scope, chunk))
            owners.update({(type_, scope, value): member_id for value, member_id in rows})
    return owners


def _classify(
    entries: list[Entry], owners: dict[IdentityKey, int]
) -> tuple[list[Entry], list[tuple[Entry, int]], list[Entry]]:
    """Split entries into new people, sole matches of one member (with that member's id), and
    the rest."""
    held = [{owners[key] for key in entry.keys if key in owners} for entry in entries]
    reach = Counter(member_id for member_ids in held for member_id in member_ids)
    new: list[Entry] = []
    known: list[tuple[Entry, int]] = []
    slow: list[Entry] = []
    for entry, member_ids in zip(entries, held, strict=True):
        sole = next(iter(member_ids)) if len(member_ids) == 1 else None
        if len(entry.keys) > _MAX_IDENTITIES:
            slow.append(entry)
        elif not member_ids:
            new.append(entry)
        elif sole is not None and reach[sole] == 1 and all(key in owners for key in entry.keys):
            known.append((entry, sole))
        else:
            slow.append(entry)
    return new, known, slow


def _table(model: type[Base]) -> Table:
    """The model's table, for Core executemany INSERTs (ORM bulk inserts cost twice the time
    and split rows by which attributes are None)."""
    return cast(Table, model.__table__)


def _new_member_ids(session: Session, count: int) -> list[int]:
    """Ids for ``count`` new members, taken before inserting them, so members, identities and
    consent all go in as plain executemany batches (SQLAlchemy runs an INSERT … RETURNING whose
    ids must match the rows one statement per row for these tables). PostgreSQL hands them out
    from the column's sequence; SQLite takes those after the highest, safe because the
    transaction holds SQLite's write lock from its start (BEGIN IMMEDIATE), and a clash would
    only send the batch down the one-by-one path."""
    if is_postgresql(session):
        sequence = func.pg_get_serial_sequence(Member.__tablename__, "id")
        numbers = func.generate_series(1, count)
        return list(session.scalars(select(func.nextval(sequence)).select_from(numbers)))
    last = session.scalar(select(func.max(Member.id))) or 0
    return list(range(last + 1, last + 1 + count))


def _member_row(
    principal: Principal, entry: Entry, member_id: int, now: datetime
) -> dict[str, Any]:
    attributes = entry.attributes.model_dump(exclude={"custom"})
    return {
        "id": member_id,
        "tenant_id": principal.tenant_id,
        "status": MemberStatus.active,
        "merged_into_id": None,
        "first_channel": entry.channel,
        "is_registered": entry.registered,
        **attributes,
        "custom": entry.attributes.custom or {},
        "created_at": now,
        "updated_at": now,
        "erased_at": None,
    }


def _insert_new(
    session: Session, principal: Principal, entries: list[Entry], outcome: Outcome
) -> list[Entry]:
    """Create one member per entry with bulk INSERTs, as ``upsert_member`` would create it.
    Returns the entries to resolve one by one instead, when a concurrent writer stored one of
    their identities meanwhile."""
    if not entries:
        return []
    now = clock.now()
    try:
        with session.begin_nested():
            ids = _new_member_ids(session, len(entries))
            session.execute(
                insert(_table(Member)),
                [_member_row(principal, e, i, now) for e, i in zip(entries, ids, strict=True)],
            )
            common = {"tenant_id": principal.tenant_id, "created_at": now}
            session.execute(
                insert(_table(Identity)),
                [
                    {"member_id": member_id, "type": t, "scope": s, "value": v, **common}
                    | {"source": entry.channel or principal.actor}
                    for entry, member_id in zip(entries, ids, strict=True)
                    for t, s, v in entry.keys
                ],
            )
            consent = [
                {"member_id": member_id, "channel": channel, "granted": granted, "at": now}
                | {"tenant_id": principal.tenant_id, "source": entry.channel or principal.actor}
                for entry, member_id in zip(entries, ids, strict=True)
                for channel, granted in entry.consent.items()
            ]
            if consent:
                session.execute(insert(_table(Consent)), consent)
    except IntegrityError:
        return entries
    outcome.created += len(entries)
    outcome.matched += sum(len(entry.rows) - 1 for entry in entries)
    return []


def _decisions(
    session: Session, principal: Principal, ids: list[int]
) -> dict[tuple[int, str], bool]:
    """(member id, channel) -> granted, for the members' stored consent."""
    decided: dict[tuple[int, str], bool] = {}
    for chunk in _chunks(ids):
        rows = session.execute(
            select(Consent.member_id, Consent.channel, Consent.granted).where(
                Consent.tenant_id == principal.tenant_id, Consent.member_id.in_(chunk)
            )
        )
        decided.update({(member_id, str(channel)): granted for member_id, channel, granted in rows})
    return decided


def _apply_known(
    session: Session, principal: Principal, known: list[tuple[Entry, int]], outcome: Outcome
) -> list[Entry]:
    """Bring each matched member in line with its entry, writing only what differs. Returns
    the entries that need ``upsert_member`` after all (a registration, a member not active).
    The members are locked in the one lock order (ascending id), as every member writer does."""
    ids = sorted(member_id for _, member_id in known)
    loaded = {
        member.id: member
        for chunk in _chunks(ids)
        for member in members.lock_members(session, principal, chunk)
    }
    decided = _decisions(session, principal, ids)
    slow: list[Entry] = []
    for entry, member_id in known:
        member = loaded[member_id]
        if member.status != MemberStatus.active or (entry.registered and not member.is_registered):
            slow.append(entry)
            continue
        changed = members.update_attributes(session, principal, member, entry.attributes)
        if any(decided.get((member_id, str(c))) != granted for c, granted in entry.consent.items()):
            source = entry.channel or principal.actor
            changed |= members.set_consent(session, principal, member_id, entry.consent, source)
        outcome.matched += len(entry.rows)
        outcome.updated += changed
    return slow


def as_upsert(entry: Entry) -> MemberUpsert:
    """The API request saying what ``entry`` says (the path every non-trivial entry takes)."""
    identities = [
        IdentityIn(type=t, value=v, app=s or None)
        if t == IdentityType.wechat_openid
        else IdentityIn(type=t, value=v, channel=s or None)
        for t, s, v in entry.keys
    ]
    return MemberUpsert(
        identities=identities,
        attributes=entry.attributes,
        consent=entry.consent,
        channel=entry.channel,
        registered=entry.registered,
    )


def _refusal(entry: Entry, exc: DomainError | ValidationError) -> list[Problem]:
    reason = exc.detail if isinstance(exc, DomainError) else str(exc.errors()[0]["msg"])
    if len(entry.rows) > 1:
        reason += f" (rows {', '.join(map(str, entry.rows))} are one person)"
    return [Problem(row, "", "", reason) for row in entry.rows]


def _upsert(session: Session, principal: Principal, entry: Entry, outcome: Outcome) -> None:
    """One entry through ``upsert_member`` in a savepoint, so a refusal writes nothing; a
    matched member counts as updated when the call wrote audit rows (every change does)."""
    mark = session.scalar(select(func.max(AuditEntry.id))) or 0
    try:
        with session.begin_nested():
            result = identity.upsert_member(session, principal, as_upsert(entry))
    except (DomainError, ValidationError) as exc:
        outcome.problems += _refusal(entry, exc)
        return
    outcome.created += result.created
    outcome.matched += len(entry.rows) - result.created
    outcome.merged += len(result.merged)
    if not result.created:
        audited = select(AuditEntry.id).where(
            AuditEntry.id > mark,
            AuditEntry.tenant_id == principal.tenant_id,
            AuditEntry.actor == principal.actor,
        )
        outcome.updated += session.scalar(audited.limit(1)) is not None


def import_batch(session: Session, principal: Principal, entries: list[Entry]) -> Outcome:
    """Import ``entries``, which must share no identity with each other (as
    :func:`memberops.imports.plan.group_entries` leaves them), in the caller's transaction."""
    owners = owners_of(session, principal, (key for entry in entries for key in entry.keys))
    outcome = Outcome()
    new, known, slow = _classify(entries, owners)
    slow += _insert_new(session, principal, new, outcome)
    slow += _apply_known(session, principal, known, outcome)
    for entry in sorted(slow, key=lambda entry: entry.rows[0]):
        _upsert(session, principal, entry, outcome)
    return outcome
