"""Errors of the community room."""

from memberops.kernel.errors import Conflict, InvalidInput, NotFound


class GroupNotFound(NotFound):
    """No community group with this id in the tenant."""

    code = "community.not_found"
    title = "Community group not found"


class NotInGroup(NotFound):
    """The member is not (or no longer) on the group's roster."""

    code = "community.not_in_group"
    title = "Member not in the group"


class GroupNameTaken(Conflict):
    """Another group of the tenant has this name."""

    code = "community.name_taken"
    title = "Community group name taken"


class CommunityInvalid(InvalidInput):
    """The community rules name a group that is not one of the tenant's VIP groups; ``errors``
    says where."""

    code = "community.invalid"
    title = "Community rules invalid"
