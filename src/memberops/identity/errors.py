"""Errors of the identity room."""

from memberops.kernel.errors import Conflict, InvalidInput, NotFound


class InvalidIdentity(InvalidInput):
    code = "identity.invalid"
    title = "Invalid identity"


class IdentityNotFound(NotFound):
    code = "identity.not_found"
    title = "No member has this identity"


class MergeNotFound(NotFound):
    code = "merges.not_found"
    title = "No such merge"


class MergeNotUndoable(Conflict):
    code = "merges.not_undoable"
    title = "This merge cannot be undone now"


class IdentityContention(Conflict):
    code = "identity.contention"
    title = "The same identities are being written concurrently"
