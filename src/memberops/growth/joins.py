"""Joins: a person registers from a scene's QR code, with an invite code or naming a source,
and the registration keeps its source, campaign, store and scene (``member_joins``, one row per
member). Callers own the transaction.

A join resolves the person's identities like ``POST /members`` — a parcel card's scanner is
often a buyer the shop already knows from an order — and registers the member it finds or
creates. Registering records the join (and the referral, for an invite code), gives the
source's new-member pack when the growth rules set one, then publishes ``MemberRegistered``:
perks give the default pack to a member without one, journeys enter the newcomer. A member
already registered joins nothing: the answer shows how it joined then, so a retried join is
harmless."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from memberops.growth.errors import InvalidJoin, SelfReferral
from memberops.growth.invites import find_code, inviter
from memberops.growth.models import InviteCode, JoinScene, JoinSource, MemberJoin, Referral
from memberops.growth.referrals import record_referral
from memberops.growth.rules import GrowthRules
from memberops.growth.scenes import find_scene
from memberops.growth.schemas import JoinIn, JoinRead, JoinResult
from memberops.identity.events import MemberRegistered
from memberops.identity.schemas import MemberUpsert
from memberops.identity.service import member_detail, resolve_member
from memberops.kernel import clock
from memberops.kernel.events import publish
from memberops.loyalty.perks.models import PerkGrant, PerkKind
from memberops.loyalty.perks.service import ONCE, give
from memberops.members.models import Member
from memberops.members.service import lock_members
from memberops.tenancy.access import Principal, tenant_scope
from memberops.tenancy.sections import load_section
from memberops.tenancy.service import audit


@dataclass(frozen=True)
class Origin:
    """Where a join comes from: its source, campaign, store and scene."""

    source: JoinSource
    campaign: str = ""
    store: str | None = None
    scene: JoinScene | None = None


def _check(body: JoinIn) -> None:
    problems = []
    if body.scene is not None and body.source is not None:
        problems.append({"loc": ["body", "source"], "msg": "give a scene or a source, not both"})
    if body.source == JoinSource.referral and body.invite_code is None:
        problems.append({"loc": ["body", "invite_code"], "msg": "the referral source needs one"})
    if problems:
        raise InvalidJoin("The join contradicts itself.", errors=problems)


def origin_of(session: Session, principal: Principal, body: JoinIn) -> Origin:
    """The join's origin: its scene's, or the source it names (``referral`` for an invite
    code, ``api`` otherwise). A campaign in the body overrides the scene's."""
    _check(body)
    if body.scene is not None:
        scene = find_scene(session, principal, body.scene)
        campaign = scene.campaign if body.campaign is None else body.campaign
        return Origin(scene.source, campaign, scene.store, scene)
    default = JoinSource.referral if body.invite_code else JoinSource.api
    return Origin(body.source or default, body.campaign or "")


def join_of(session: Session, principal: Principal, member_id: int) -> MemberJoin | None:
    return session.scalar(
        tenant_scope(principal, MemberJoin).where(MemberJoin.member_id == member_id)
    )


def record_join(
    session: Session,
    principal: Principal,
    member_id: int,
    origin: Origin,
) -> MemberJoin:
    row = MemberJoin(
        tenant_id=principal.tenant_id,
        member_id=member_id,
        source=origin.source,
        campaign=origin.campaign,
        store=origin.store,
        scene_id=None if origin.scene is None else origin.scene.id,
        joined_at=clock.now(),
    )
    session.add(row)
    session.flush()
    return row


def read_join(session: Session, principal: Principal, row: MemberJoin) -> JoinRead:
    scene = None if row.scene_id is None else session.get_one(JoinScene, row.scene_id).code
    referrer = session.scalar(
        select(Referral.member_id).where(
            Referral.tenant_id == principal.tenant_id, Referral.newcomer_id == row.member_id
        )
    )
    return JoinRead(
        member_id=str(row.member_id),
        source=row.source,
        campaign=row.campaign,
        store=row.store,
        scene=scene,
        referrer_id=None if referrer is None else str(referrer),
        joined_at=row.joined_at,
    )


def give_source_pack(
    session: Session, principal: Principal, member_id: int, source: JoinSource
) -> None:
    """The new-member pack the growth rules set for ``source``, as perks' once-ever
    ``new_member_pack`` grant (so perks' default pack then gives nothing). Nothing when the
    rules set none for the source (perks give the default) or the member already had a pack;
    an empty pack for a source means no pack from it."""
    pack = load_section(session, principal.tenant_id, GrowthRules).join_packs.get(source)
    if pack is None:
        return
    lock_members(session, principal, [member_id])
    had = select(PerkGrant.id).where(
        PerkGrant.tenant_id == principal.tenant_id,
        PerkGrant.member_id == member_id,
        PerkGrant.kind == PerkKind.new_member_pack,
    )
    if session.scalar(had.limit(1)) is None:
        give(session, principal, member_id, PerkKind.new_member_pack, ONCE, pack)


def _register(session: Session, principal: Principal, member: Member) -> None:
    member.is_registered = True
    before, after = {"registered": False}, {"registered": True}
    audit(session, principal, "member.register", ("member", str(member.id)), before, after)


def _answer(
    session: Session, principal: Principal, member: Member, joined: bool, created: bool
) -> JoinResult:
    row = join_of(session, principal, member.id)
    return JoinResult(
        joined=joined,
        created=created,
        join=None if row is None else read_join(session, principal, row),
        member=member_detail(session, principal, member),
    )


def join(session: Session, principal: Principal, body: JoinIn) -> JoinResult:
    """Register the person the identities resolve to, from the body's origin; see the module."""
    member, joined, created = enrol(session, principal, body)
    return _answer(session, principal, member, joined=joined, created=created)


def enrol(session: Session, principal: Principal, body: JoinIn) -> tuple[Member, bool, bool]:
    """What :func:`join` does, without the answer: the member, whether this registered it and
    whether it was created (the demo loader registers thousands and reads no answer)."""
    origin = origin_of(session, principal, body)
    invite: InviteCode | None = None
    referrer: Member | None = None
    if body.invite_code is not None:
        invite = find_code(session, principal, body.invite_code)
        referrer = inviter(session, principal, invite)
    request = MemberUpsert(
        identities=body.identities,
        attributes=body.attributes,
        consent=body.consent,
        channel=body.channel,
    )
    member, created, _ = resolve_member(session, principal, request)
    if referrer is not None and referrer.id == member.id:
        raise SelfReferral("These identities belong to the invite code's own member.")
    if member.is_registered:
        return member, False, created
    _register(session, principal, member)
    record_join(session, principal, member.id, origin)
    if invite is not None and referrer is not None:
        record_referral(session, principal, referrer.id, member.id, invite.code)
    give_source_pack(session, principal, member.id, origin.source)
    publish(session, MemberRegistered(principal.tenant_id, member.id))
    return member, True, created
