"""Invite codes (老带新): each member's code, made the first time it is asked for, its tracked
link, and the member a code belongs to. Callers own the transaction."""

from sqlalchemy import update
from sqlalchemy.orm import Session

from memberops.growth.codes import insert_with_code, normal_code
from memberops.growth.errors import InviteNotFound, InviterInactive
from memberops.growth.models import InviteCode
from memberops.kernel import clock
from memberops.members.models import Member, MemberStatus
from memberops.members.service import get_member, lock_members, refuse_inactive, survivor_of
from memberops.tenancy.access import Principal, tenant_scope


def invite_link(base_url: str, tenant_id: int, code: str) -> str:
    """The tracked link of a code: following it counts a click and leads to the join page. It
    names the tenant, since codes are unique per tenant and a link carries no credential."""
    return f"{base_url.rstrip('/')}/j/{tenant_id}/{code}"


def _first_code(session: Session, principal: Principal, member_id: int) -> InviteCode | None:
    """The member's oldest code (a merge can bring a second one; both keep working)."""
    query = tenant_scope(principal, InviteCode).where(InviteCode.member_id == member_id)
    return session.scalar(query.order_by(InviteCode.id).limit(1))


def code_of(session: Session, principal: Principal, member_id: int) -> InviteCode:
    """The member's invite code, made now if it has none. The member's row lock makes two
    concurrent first requests give one code."""
    (member,) = lock_members(session, principal, [member_id])
    refuse_inactive(member, "ask for that member's code instead")
    found = _first_code(session, principal, member_id)
    if found is not None:
        return found
    return insert_with_code(
        session,
        lambda code: InviteCode(
            tenant_id=principal.tenant_id,
            member_id=member_id,
            code=code,
            clicks=0,
            created_at=clock.now(),
        ),
    )


def find_code(session: Session, principal: Principal, text: str) -> InviteCode:
    code = normal_code(text)
    found = session.scalar(tenant_scope(principal, InviteCode).where(InviteCode.code == code))
    if found is None:
        raise InviteNotFound("No member has this invite code.", code=code[:16])
    return found


def inviter(session: Session, principal: Principal, invite: InviteCode) -> Member:
    """The active member a code invites for: its owner, or the member it was merged into."""
    member = survivor_of(session, principal, get_member(session, principal, invite.member_id))
    if member.status != MemberStatus.active:
        raise InviterInactive(
            "The member of this invite code was erased.", member_id=str(invite.member_id)
        )
    return member


def count_click(session: Session, tenant_id: int, code: str) -> bool:
    """Count a follow of the code's link (by SQL expression); False when no code matches."""
    counted = session.execute(
        update(InviteCode)
        .where(InviteCode.tenant_id == tenant_id, InviteCode.code == normal_code(code))
        .values(clicks=InviteCode.clicks + 1)
        .returning(InviteCode.id)
    )
    return counted.first() is not None
