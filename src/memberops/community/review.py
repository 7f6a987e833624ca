"""The monthly review of VIP rosters (seed 004): the members the tenant's VIP rule selects now
are invited into the VIP series, and the VIP members it no longer selects are removed.

One transaction, set-based: the rule is compiled once (``conditions``) and compared with the
current VIP roster in SQL. The worker runs it once per tenant per local month through the
claims of ``kernel.schedule`` (the claim's day is the month's first day); ``POST
/community-groups:review`` runs it at once.
"""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from memberops.community import service
from memberops.community.errors import CommunityInvalid
from memberops.community.models import CommunityGroup, GroupKind, GroupMember
from memberops.community.rules import CommunityRules
from memberops.community.schemas import ReviewResult
from memberops.conditions.compiler import check_condition, compile_condition, parse_condition
from memberops.kernel import clock
from memberops.tenancy.access import Permission, Principal, tenant_scope
from memberops.tenancy.sections import load_section, save_section
from memberops.tenancy.service import audit

#: Who the roster names for the review's invitations and removals.
REVIEW = "review"


def vip_group(session: Session, principal: Principal, rules: CommunityRules) -> CommunityGroup:
    """The group whose series the review invites into: the rules' VIP group, else the first."""
    if rules.vip_group_id is not None:
        chosen = session.scalar(
            tenant_scope(principal, CommunityGroup).where(
                CommunityGroup.id == rules.vip_group_id, CommunityGroup.kind == GroupKind.vip
            )
        )
        if chosen is not None:
            return chosen
    return service.default_group(session, principal, GroupKind.vip)


def run_review(session: Session, principal: Principal, now: datetime) -> ReviewResult:
    """Invite who the VIP rule selects and is on no VIP group; remove the VIP members it no
    longer selects. Nothing without a rule."""
    rules = load_section(session, principal.tenant_id, CommunityRules)
    if rules.vip_rule is None:
        return ReviewResult(qualified=0, invited=0, removed=0)
    condition = parse_condition(rules.vip_rule)
    qualifying = compile_condition(session, principal.tenant_id, condition, as_of=now)
    current = select(GroupMember.member_id).where(
        GroupMember.tenant_id == principal.tenant_id,
        GroupMember.kind == GroupKind.vip,
        GroupMember.left_at.is_(None),
    )
    leaving = list(session.scalars(current.where(GroupMember.member_id.not_in(qualifying))))
    qualified = list(session.scalars(qualifying))
    removed = service.remove(session, principal, GroupKind.vip, leaving, REVIEW)
    group = vip_group(session, principal, rules)
    invited = service.invite(session, principal, group, qualified, REVIEW)
    return ReviewResult(qualified=len(qualified), invited=len(invited), removed=removed)


def review_now(session: Session, principal: Principal) -> ReviewResult:
    """The review run by a person (the API, the console) rather than the monthly job: the same
    review, and an audit entry naming who ran it and what it did."""
    principal.require(Permission.campaigns_manage)
    done = run_review(session, principal, clock.now())
    audit(session, principal, "community.review", ("community", "vip"), None, done.model_dump())
    return done


def save_rules(session: Session, principal: Principal, rules: CommunityRules) -> CommunityRules:
    """Store the tenant's community rules (audited) once the VIP rule compiles
    (``conditions.invalid``) and the VIP group is one of the tenant's VIP groups
    (``community.invalid``)."""
    principal.require(Permission.campaigns_manage)
    if rules.vip_rule is not None:
        stored = check_condition(session, principal.tenant_id, rules.vip_rule, ("body", "vip_rule"))
        rules = rules.model_copy(update={"vip_rule": stored})
    if rules.vip_group_id is not None:
        found = session.scalar(
            tenant_scope(principal, CommunityGroup).where(
                CommunityGroup.id == rules.vip_group_id, CommunityGroup.kind == GroupKind.vip
            )
        )
        if found is None:
            message = f"no VIP group {rules.vip_group_id} in this tenant"
            raise CommunityInvalid(
                message, errors=[{"loc": ["body", "vip_group_id"], "msg": message}]
            )
    return save_section(session, principal, rules)
