"""Who may do what, and what personal data each role may see.

A :class:`Principal` is the resolved credential of a request or command: the tenant it acts for,
its role and a label for the audit log. Permissions are named verbs; each role holds a fixed set
(SPEC §1), so an endpoint asks for a verb, never for a role.
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select

from memberops.kernel import clock
from memberops.kernel.errors import Forbidden
from memberops.tenancy.models import Role, TenantOwned

T = TypeVar("T", bound=TenantOwned)


class Permission(StrEnum):
    members_read = "members:read"
    members_lookup = "members:lookup"
    members_list = "members:list"
    members_write = "members:write"
    members_merge = "members:merge"
    members_erase = "members:erase"
    members_export = "members:export"
    imports_run = "imports:run"
    activity_write = "activity:write"
    tenancy_read = "tenancy:read"
    tenancy_admin = "tenancy:admin"
    audit_read = "audit:read"
    #: A member's tier, points, coupons, check-ins, benefit cards and benefits; liability and
    #: coupon stats.
    loyalty_read = "loyalty:read"
    #: What a till does at checkout: redeem points and coupons, check a member in, sell and
    #: renew benefit cards.
    loyalty_operate = "loyalty:operate"
    #: What an operator does by hand: adjust points, issue coupons, keep coupon templates and
    #: benefit card types, refund benefit cards.
    loyalty_manage = "loyalty:manage"
    #: The programme's rules: tier ladder, earn rules, check-in rewards, perks.
    loyalty_rules = "loyalty:rules"
    #: Stages, RFM, tags and predictions of members; the insights figures.
    insights_read = "insights:read"
    #: What an operator does: tag members by hand or by list, keep rule tags, recompute.
    insights_manage = "insights:manage"
    #: The layering's rules: lifecycle thresholds, RFM window and thresholds.
    insights_rules = "insights:rules"
    #: Crowds: preview a condition, read saved crowds, their members (masked by role), exports.
    crowds_read = "crowds:read"
    #: Keep crowds: save, change, freeze and delete them.
    crowds_manage = "crowds:manage"
    #: Messages and their delivery and click receipts (recipients masked by role).
    messages_read = "messages:read"
    #: Put messages in the outbox.
    messages_send = "messages:send"
    #: Campaigns, their variants and what each member of their crowd got.
    campaigns_read = "campaigns:read"
    #: Draft, launch and cancel campaigns.
    campaigns_manage = "campaigns:manage"
    #: Subscribe URLs to the tenant's domain events, read their delivery logs, unsubscribe.
    webhooks_manage = "webhooks:manage"


_READ = {
    Permission.members_read,
    Permission.members_lookup,
    Permission.members_list,
    Permission.loyalty_read,
    Permission.insights_read,
    Permission.crowds_read,
    Permission.messages_read,
    Permission.campaigns_read,
}
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.admin: frozenset(Permission),
    Role.operator: frozenset(
        _READ
        | {
            Permission.members_write,
            Permission.members_merge,
            Permission.imports_run,
            Permission.activity_write,
            Permission.tenancy_read,
            Permission.loyalty_operate,
            Permission.loyalty_manage,
            Permission.insights_manage,
            Permission.crowds_manage,
            Permission.messages_send,
            Permission.campaigns_manage,
        }
    ),
    Role.analyst: frozenset(_READ | {Permission.tenancy_read}),
    Role.pos: frozenset(
        {
            Permission.members_read,
            Permission.members_lookup,
            Permission.members_write,
            Permission.activity_write,
            Permission.loyalty_read,
            Permission.loyalty_operate,
        }
    ),
}

#: Roles that see phone numbers, emails, names and addresses unmasked.
PII_ROLES = frozenset({Role.admin, Role.operator, Role.pos})


@dataclass(frozen=True)
class Principal:
    """The tenant a request acts for, the role it acts with, and who it is (for the audit log)."""

    tenant_id: int
    role: Role
    actor: str
    timezone: str = "Asia/Shanghai"
    phone_region: str = "CN"

    @property
    def sees_pii(self) -> bool:
        return self.role in PII_ROLES

    def can(self, permission: Permission) -> bool:
        return permission in ROLE_PERMISSIONS[self.role]

    def require(self, permission: Permission) -> None:
        """Refuse with 403 unless this principal's role holds ``permission``."""
        if not self.can(permission):
            raise Forbidden(
                f"The {self.role.value} role may not do this ({permission.value}).",
                permission=permission.value,
            )


def local_today(principal: Principal) -> date:
    """Today in the tenant's timezone: the day a check-in counts for, a birthday or a member
    day falls on."""
    return clock.now().astimezone(ZoneInfo(principal.timezone)).date()


def tenant_scope(principal: Principal, model: type[T]) -> Select[T]:
    """``SELECT model`` limited to the principal's tenant: the start of every room query."""
    return select(model).where(model.tenant_id == principal.tenant_id)


def mask_phone(value: str) -> str:
    """``+8613812345678`` → ``+86138****5678``: enough to recognise, not to call."""
    if len(value) <= 8:
        return "*" * (len(value) - 2) + value[-2:]
    return value[:-8] + "****" + value[-4:]


def mask_email(value: str) -> str:
    local, _, domain = value.partition("@")
    return (local[:1] + "***@" + domain) if domain else "***"


def mask_name(value: str) -> str:
    """``张三丰`` → ``张**``; ``Alice`` → ``A****``; a one-character name is hidden whole."""
    if len(value) == 1:
        return "*"
    return value[:1] + "*" * (len(value) - 1) if value else value


def mask_text(value: str) -> str:
    """Any other personal text (an address, a nickname): keep the first two characters, but
    never more than half of it (``小张`` → ``小***``, ``A`` → ``***``)."""
    return value[: min(2, len(value) // 2)] + "***" if value else value
