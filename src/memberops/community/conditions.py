"""The condition fields the community room owns: whether a member is on a group of a kind now
(``community.in_vip_group``, ``community.in_basic_group``), so a crowd, a branch or a trigger
can ask it — the VIP review template enters the members its rule selects and those on a VIP
group, and invites or removes each."""

from collections.abc import Callable

from sqlalchemy import exists

from memberops.community.models import GroupKind, GroupMember
from memberops.conditions.registry import Field, FieldSql, Kind, Scope, register


def _on_group(kind: GroupKind) -> Callable[[Scope], FieldSql]:
    """On a group of ``kind`` now: a current roster row (never NULL: an ``EXISTS``)."""

    def sql(scope: Scope) -> FieldSql:
        current = exists().where(
            GroupMember.tenant_id == scope.tenant_id,
            GroupMember.member_id == scope.member.c.id,
            GroupMember.kind == kind.value,
            GroupMember.left_at.is_(None),
        )
        return FieldSql(current)

    return sql


FIELDS = (
    Field(
        "community.in_vip_group",
        Kind.bool,
        {"zh-CN": "在VIP社群中", "en": "On a VIP community group"},
        _on_group(GroupKind.vip),
    ),
    Field(
        "community.in_basic_group",
        Kind.bool,
        {"zh-CN": "在基础社群中", "en": "On a basic community group"},
        _on_group(GroupKind.basic),
    ),
)


def register_fields() -> None:
    register(*FIELDS)
