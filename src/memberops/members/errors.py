"""Errors of the members room."""

from memberops.kernel.errors import Conflict, NotFound


class MemberNotFound(NotFound):
    code = "members.not_found"
    title = "No such member"


class MemberErased(Conflict):
    code = "members.erased"
    title = "Member was erased"
