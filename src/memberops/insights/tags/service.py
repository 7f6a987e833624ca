"""Verbs and reads of the tags room: the tenant's tags (create, change, deactivate — audited),
their sizes and definitions, a member's tags, and :func:`refresh_tags`, which evaluates every
computed tag of a tenant set-based (``memberops recompute insights``, ``POST /tags:refresh``).

The built-in behaviour tags exist as rows of every tenant (created on first use, so that
members can hold them); their names, definitions and levers come from ``catalogue`` and their
thresholds from the tenant's ``BehaviourRules``. Callers own the transaction.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from memberops.conditions.compiler import check_condition
from memberops.insights.tags import catalogue
from memberops.insights.tags.behaviour import Moment
from memberops.insights.tags.errors import CodeTaken, FixedField, TagNotFound
from memberops.insights.tags.evaluation import clear_members, evaluate
from memberops.insights.tags.models import MemberTag, Tag, TagKind
from memberops.insights.tags.rules import BehaviourRules
from memberops.insights.tags.schemas import MemberTagRead, TagCreate, TagPatch, TagRead
from memberops.kernel import clock
from memberops.kernel.db import is_postgresql
from memberops.members.models import Member, MemberStatus
from memberops.tenancy.access import Principal, tenant_scope
from memberops.tenancy.sections import load_section
from memberops.tenancy.service import audit

COMPUTED = (TagKind.rule, TagKind.behaviour)


def behaviour_rules(session: Session, tenant_id: int) -> BehaviourRules:
    return load_section(session, tenant_id, BehaviourRules)


def ensure_behaviour_tags(session: Session, tenant_id: int) -> None:
    """Give the tenant a row for each built-in behaviour tag it lacks (one insert, once)."""
    present = set(
        session.scalars(
            select(Tag.code).where(Tag.tenant_id == tenant_id, Tag.kind == TagKind.behaviour)
        )
    )
    missing = [b for b in catalogue.BEHAVIOURS if b.code not in present]
    if not missing:
        return
    now = clock.now()
    rows = [
        {
            "tenant_id": tenant_id,
            "code": behaviour.code,
            "name": behaviour.names["zh-CN"],
            "description": "",
            "kind": TagKind.behaviour.value,
            "active": True,
            "created_at": now,
            "updated_at": now,
        }
        for behaviour in missing
    ]
    dialect = postgresql if is_postgresql(session) else sqlite
    session.execute(dialect.insert(Tag).values(rows).on_conflict_do_nothing())


def get_tag(session: Session, principal: Principal, tag_id: int) -> Tag:
    tag = session.scalar(tenant_scope(principal, Tag).where(Tag.id == tag_id))
    if tag is None:
        raise TagNotFound(f"No tag {tag_id} in this tenant.", tag_id=str(tag_id))
    return tag


def find_tag(session: Session, principal: Principal, key: str) -> Tag:
    """A tag by its code, or by its id when ``key`` is all digits (the CLI's TAG)."""
    ensure_behaviour_tags(session, principal.tenant_id)
    if key.isdigit() and len(key) < 19:
        return get_tag(session, principal, int(key))
    tag = session.scalar(tenant_scope(principal, Tag).where(Tag.code == key))
    if tag is None:
        raise TagNotFound(f"No tag {key!r} in this tenant.", tag_id=key)
    return tag


def list_tags(
    session: Session, principal: Principal, after_id: int | None, limit: int
) -> list[Tag]:
    """The tenant's tags in creation order (the behaviour tags first), after the cursor."""
    ensure_behaviour_tags(session, principal.tenant_id)
    query = tenant_scope(principal, Tag)
    if after_id is not None:
        query = query.where(Tag.id > after_id)
    return list(session.scalars(query.order_by(Tag.id).limit(limit)))


def holder_counts(session: Session, tenant_id: int, tag_ids: Sequence[int]) -> dict[int, int]:
    """Active members holding each tag."""
    rows = session.execute(
        select(MemberTag.tag_id, func.count())
        .join(
            Member, and_(Member.tenant_id == MemberTag.tenant_id, Member.id == MemberTag.member_id)
        )
        .where(
            MemberTag.tenant_id == tenant_id,
            MemberTag.tag_id.in_(tag_ids),
            Member.status == MemberStatus.active,
        )
        .group_by(MemberTag.tag_id)
    )
    return dict(rows.all())


def read_tags(session: Session, principal: Principal, tags: Sequence[Tag]) -> list[TagRead]:
    counts = holder_counts(session, principal.tenant_id, [t.id for t in tags])
    rules = behaviour_rules(session, principal.tenant_id)
    reads = []
    for tag in tags:
        built_in = catalogue.BY_CODE.get(tag.code) if tag.kind == TagKind.behaviour else None
        reads.append(
            TagRead(
                id=str(tag.id),
                code=tag.code,
                name=tag.name,
                description=tag.description,
                kind=tag.kind,
                active=tag.active,
                condition=tag.condition,
                members=counts.get(tag.id, 0),
                definition=None if built_in is None else catalogue.definition(tag.code, rules),
                lever=None if built_in is None else built_in.lever,
                created_at=tag.created_at,
                updated_at=tag.updated_at,
                evaluated_at=tag.evaluated_at,
            )
        )
    return reads


def moment(
    session: Session,
    principal: Principal,
    as_of: datetime | None = None,
    member_ids: list[int] | None = None,
) -> Moment:
    rules = behaviour_rules(session, principal.tenant_id)
    when = clock.now() if as_of is None else as_of
    return Moment(principal.tenant_id, principal.timezone, when, rules, member_ids)


def _audited(tag: Tag) -> dict[str, Any]:
    return {
        "code": tag.code,
        "name": tag.name,
        "description": tag.description,
        "kind": str(tag.kind),
        "condition": tag.condition,
        "active": tag.active,
    }


def create_tag(session: Session, principal: Principal, body: TagCreate) -> Tag:
    """Store a manual or rule tag (audited); a rule tag's members are worked out at once."""
    ensure_behaviour_tags(session, principal.tenant_id)
    condition = None
    if body.kind == TagKind.rule:
        condition = check_condition(session, principal.tenant_id, body.condition)
    now = clock.now()
    tag = Tag(
        tenant_id=principal.tenant_id,
        **body.model_dump(include={"code", "name", "description", "kind"}),
        condition=condition,
        active=True,
        created_at=now,
        updated_at=now,
    )
    try:
        with session.begin_nested():
            session.add(tag)
    except IntegrityError as exc:
        raise CodeTaken(f"A tag with code {body.code!r} exists.", tag_code=body.code) from exc
    audit(session, principal, "tag.create", ("tag", str(tag.id)), None, _audited(tag))
    if tag.kind == TagKind.rule:
        evaluate(session, [tag], moment(session, principal), now)
    return tag


#: What a PATCH may not set, per kind: a behaviour tag is built in, a manual one has no rule.
_FIXED = {
    TagKind.behaviour: frozenset({"name", "description", "condition"}),
    TagKind.manual: frozenset({"condition"}),
    TagKind.rule: frozenset(),
}


def _refuse_fixed(tag: Tag, given: dict[str, Any]) -> None:
    offending = sorted(_FIXED[tag.kind] & set(given))
    if offending:
        message = f"a {tag.kind} tag's {offending[0]} cannot be set"
        errors = [{"loc": ["body", name], "msg": message} for name in offending]
        raise FixedField(f"{offending[0]}: {message}.", errors=errors)


def update_tag(session: Session, principal: Principal, tag_id: int, body: TagPatch) -> Tag:
    """Rename, describe, change a rule tag's condition, (de)activate (audited with what
    changed). A computed tag is evaluated again when its condition changes or it comes back;
    deactivated, it holds nobody (manual tags keep their members for when they return)."""
    tag = get_tag(session, principal, tag_id)
    given = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None}
    _refuse_fixed(tag, given)
    if "condition" in given:
        given["condition"] = check_condition(session, principal.tenant_id, given["condition"])
    before = _audited(tag)
    for name, value in given.items():
        setattr(tag, name, value)
    after = _audited(tag)
    if before == after:
        return tag
    tag.updated_at = clock.now()
    returned = tag.active and not before["active"]
    if tag.kind in COMPUTED and not tag.active:
        clear_members(session, tag)
    elif tag.kind in COMPUTED and (returned or before["condition"] != tag.condition):
        evaluate(session, [tag], moment(session, principal), tag.updated_at)
    changed = [name for name in after if before[name] != after[name]]
    audit(
        session,
        principal,
        "tag.update",
        ("tag", str(tag.id)),
        {name: before[name] for name in changed},
        {name: after[name] for name in changed},
    )
    return tag


def _computed_tags(session: Session, tenant_id: int) -> list[Tag]:
    query = select(Tag).where(Tag.tenant_id == tenant_id, Tag.active, Tag.kind.in_(COMPUTED))
    return list(session.scalars(query.order_by(Tag.id)))


def refresh_tags(
    session: Session, principal: Principal, as_of: datetime | None = None
) -> dict[str, int]:
    """Evaluate every active rule and behaviour tag of the tenant as of ``as_of`` (now), in
    the caller's transaction; answers the members now holding each, by code. Rule tags read
    ``member_stats`` as stored: run after the stats rebuild (``memberops recompute``)."""
    ensure_behaviour_tags(session, principal.tenant_id)
    tags = _computed_tags(session, principal.tenant_id)
    evaluate(session, tags, moment(session, principal, as_of), clock.now())
    counts = holder_counts(session, principal.tenant_id, [t.id for t in tags])
    return {tag.code: counts.get(tag.id, 0) for tag in tags}


def reevaluate_members(session: Session, principal: Principal, member_ids: list[int]) -> None:
    """Evaluate every active computed tag again for these members only, as of now."""
    tags = _computed_tags(session, principal.tenant_id)
    evaluate(session, tags, moment(session, principal, None, member_ids), clock.now())


def tags_of(session: Session, principal: Principal, member_id: int) -> list[dict[str, Any]]:
    """The active tags the member holds (manual first, then rule, then behaviour; by code),
    each as ``id``, ``code``, ``name``, ``kind``, ``source``, ``added_at``."""
    rows = session.execute(
        select(Tag, MemberTag.source, MemberTag.added_at)
        .join(MemberTag, and_(MemberTag.tenant_id == Tag.tenant_id, MemberTag.tag_id == Tag.id))
        .where(Tag.tenant_id == principal.tenant_id, MemberTag.member_id == member_id, Tag.active)
    )
    order = {kind: index for index, kind in enumerate(TagKind)}
    held = sorted(rows, key=lambda row: (order[row[0].kind], row[0].code))
    return [
        {
            "id": str(tag.id),
            "code": tag.code,
            "name": tag.name,
            "kind": str(tag.kind),
            "source": str(source),
            "added_at": added_at,
        }
        for tag, source, added_at in held
    ]


def tags_export(session: Session, principal: Principal, member_id: int) -> list[dict[str, Any]]:
    """The member's tags as JSON, for the member's data export."""
    held = tags_of(session, principal, member_id)
    return [MemberTagRead.model_validate(tag).model_dump(mode="json") for tag in held]
