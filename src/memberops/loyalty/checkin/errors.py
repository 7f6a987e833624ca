"""Errors of the check-in room."""

from memberops.kernel.errors import Conflict


class CheckInDisabled(Conflict):
    """The tenant switched check-in off (``enabled: false`` in its check-in rules); switch it
    on with ``PUT /loyalty/check-in-rules``."""

    code = "checkin.disabled"
    title = "Check-in is switched off"
