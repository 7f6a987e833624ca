"""Errors of the tags room: what creating, changing, tagging with and uploading to a tag can be
refused for."""

from memberops.kernel.errors import Conflict, InvalidInput, NotFound


class TagNotFound(NotFound):
    """No tag with this id (or code) in the tenant."""

    code = "tags.not_found"
    title = "No such tag"


class CodeTaken(Conflict):
    """Another tag of the tenant already has this ``code`` (behaviour tags' codes included)."""

    code = "tags.code_taken"
    title = "Tag code already used"


class TagInactive(Conflict):
    """The tag was deactivated: nobody is tagged with it until it is active again."""

    code = "tags.inactive"
    title = "Tag inactive"


class NotManual(Conflict):
    """Only manual tags are set by hand or by list; a rule or behaviour tag's members are
    worked out from its definition (``kind`` says which it is)."""

    code = "tags.not_manual"
    title = "Not a manual tag"


class FixedField(InvalidInput):
    """The field cannot change on this kind of tag (a manual tag has no condition, a behaviour
    tag's name and definition are built in); ``errors`` names it."""

    code = "tags.fixed_field"
    title = "Field fixed for this kind of tag"


class UnreadableUpload(InvalidInput):
    """The uploaded list is not a CSV file in UTF-8 (or GB18030) with a header row naming an
    identity column (``member_id``, ``phone``, ``email``, ``crm_id``, …); ``errors`` says what
    was wrong."""

    code = "tags.unreadable_upload"
    title = "Unreadable tag list"
