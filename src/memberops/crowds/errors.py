"""Errors of the crowds room."""

from memberops.kernel.errors import Conflict, NotFound


class CrowdNotFound(NotFound):
    """No crowd with this id in the tenant."""

    code = "crowds.not_found"
    title = "Crowd not found"


class CrowdNameTaken(Conflict):
    """Another crowd of the tenant has this name; names tell crowds apart in the console."""

    code = "crowds.name_taken"
    title = "Crowd name taken"


class NotASnapshot(Conflict):
    """Only a snapshot crowd is frozen; a dynamic crowd is evaluated at each use already."""

    code = "crowds.not_a_snapshot"
    title = "Not a snapshot crowd"
