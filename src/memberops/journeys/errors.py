"""Errors of the journeys room."""

from memberops.kernel.errors import Conflict, InvalidInput, NotFound


class JourneyNotFound(NotFound):
    """No journey with this id in the tenant."""

    code = "journeys.not_found"
    title = "Journey not found"


class JourneyTemplateNotFound(NotFound):
    """No built-in journey template with this key (``GET /journey-templates`` lists them)."""

    code = "journeys.template_not_found"
    title = "Journey template not found"


class JourneyNameTaken(Conflict):
    """Another journey of the tenant has this name."""

    code = "journeys.name_taken"
    title = "Journey name taken"


class JourneyState(Conflict):
    """The journey's status does not allow this (activate a draft or paused one, pause an
    active one, resume a paused one, edit or archive any but an archived one); ``status`` says
    where it is."""

    code = "journeys.state"
    title = "Not possible in the journey's status"


class JourneyInvalid(InvalidInput):
    """The journey cannot run as given: a coupon template, tag or crowd that is not the
    tenant's, an entry rule its trigger cannot honour; ``errors`` says where."""

    code = "journeys.invalid"
    title = "Journey invalid"
