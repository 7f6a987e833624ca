"""Members entering a journey: the entry rule's key, the holdout draw and the insert, in SQL.

One statement enters any number of members (``INSERT … SELECT … ON CONFLICT DO NOTHING``): a
domain event's handler enters its one member with it, a worker pass a whole birthday list. The
entry key makes entering idempotent behind the positions' unique ``(journey, member,
entry_key)``:

- ``once_ever``: ``once`` — a member enters one time, whatever happens after;
- ``once_per_period``: ``period:<n>``, the number of the ``period_days``-long stretch since
  1970-01-01 (UTC) — and no entry within ``period_days`` before, across stretches;
- ``every_time``: the occurrence that triggered it (``order:<id>``, ``birthday:2026``), so a
  replayed event or a repeated worker pass never enters the same occurrence twice.

Each entrant draws the holdout from ``campaigns.assign`` (the journey's id moved past every
campaign id, so a journey and the campaign of the same id hold out different members): those
below ``holdout_percent`` enter as ``holdout`` and never run a step.
"""

from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, Select, case, exists, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from memberops.campaigns.assign import draw, draw_sql
from memberops.journeys.models import EntryRule, Journey, JourneyPosition, PositionStatus
from memberops.kernel.db import UTCDateTime, is_postgresql
from memberops.members.models import Member, MemberStatus

_P = JourneyPosition
#: Added to a journey's id for its holdout draw: above any campaign id the draw tells apart.
HOLDOUT_SEED = 2**30
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def held_out(journey: Journey, member_id: int) -> bool:
    """Whether the member is in the journey's holdout (the draw of :func:`enter_selected`)."""
    return draw(HOLDOUT_SEED + journey.id, member_id, 0) < journey.holdout_percent


def _key(journey: Journey, occurrence: ColumnElement[str], now: datetime) -> ColumnElement[str]:
    if journey.entry_rule == EntryRule.once_ever:
        return literal("once")
    if journey.entry_rule == EntryRule.once_per_period:
        assert journey.period_days is not None
        return literal(f"period:{(now - _EPOCH).days // journey.period_days}")
    return occurrence


def enter_selected(
    session: Session, journey: Journey, rows: Select[int, str], now: datetime
) -> int:
    """Enter the members of ``rows`` (member id, occurrence) into the journey's current
    version, due now; how many entered (members already entered under the rule are not)."""
    picked = rows.subquery("entrants")
    member_id, occurrence = picked.c[0], picked.c[1]
    drawn = draw_sql(HOLDOUT_SEED + journey.id, member_id, 0) < journey.holdout_percent
    held = literal(PositionStatus.holdout.value)
    source = select(
        literal(journey.tenant_id),
        literal(journey.id),
        literal(journey.version),
        member_id,
        literal(0),
        _status(drawn, held),
        _due(drawn, now),
        _key(journey, occurrence, now),
        _at(now),
        _at(now),
        literal(""),
    ).where(member_id.is_not(None))
    if journey.entry_rule == EntryRule.once_per_period:
        assert journey.period_days is not None
        since = now - timedelta(days=journey.period_days)
        recent = exists().where(
            _P.journey_id == journey.id, _P.member_id == member_id, _P.entered_at > since
        )
        source = source.where(~recent)
    columns = (
        *("tenant_id", "journey_id", "version", "member_id", "step", "status", "due_at"),
        *("entry_key", "entered_at", "updated_at", "last_error"),
    )
    dialect = postgresql if is_postgresql(session) else sqlite
    statement = dialect.insert(_P).from_select(columns, source).on_conflict_do_nothing()
    return len(session.execute(statement.returning(_P.id)).all())


def _at(moment: datetime) -> ColumnElement[datetime]:
    return literal(moment, UTCDateTime())


def _status(drawn: ColumnElement[bool], held: ColumnElement[str]) -> ColumnElement[str]:
    return case((drawn, held), else_=literal(PositionStatus.active.value))


def _due(drawn: ColumnElement[bool], now: datetime) -> ColumnElement[datetime]:
    return case((drawn, None), else_=_at(now))


def enter(
    session: Session, journey: Journey, member_id: int, occurrence: str, now: datetime
) -> bool:
    """Enter one active member (a domain event's); whether they entered."""
    rows = select(Member.id, literal(occurrence)).where(
        Member.tenant_id == journey.tenant_id,
        Member.id == member_id,
        Member.status == MemberStatus.active,
    )
    return enter_selected(session, journey, rows, now) == 1
