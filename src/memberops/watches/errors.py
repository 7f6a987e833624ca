"""Errors of the watches room."""

from memberops.kernel.errors import Conflict, InvalidInput, NotFound


class WatchNotFound(NotFound):
    """No watch with this id in the tenant."""

    code = "watches.not_found"
    title = "Watch not found"


class WatchNameTaken(Conflict):
    """Another watch of the tenant has this name."""

    code = "watches.name_taken"
    title = "Watch name taken"


class WatchInvalid(InvalidInput):
    """The watch cannot be evaluated as given: a crowd size without the tenant's crowd, a
    crowd on another figure; ``errors`` says where."""

    code = "watches.invalid"
    title = "Watch invalid"
