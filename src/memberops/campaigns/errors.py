"""Errors of the campaigns room."""

from memberops.kernel.errors import Conflict, InvalidInput, NotFound


class CampaignNotFound(NotFound):
    """No campaign with this id in the tenant."""

    code = "campaigns.not_found"
    title = "Campaign not found"


class CampaignNameTaken(Conflict):
    """Another campaign of the tenant has this name."""

    code = "campaigns.name_taken"
    title = "Campaign name taken"


class CampaignNotDraft(Conflict):
    """Only a draft is changed or launched, and only a draft, scheduled or running campaign is
    cancelled; ``status`` says where this one is."""

    code = "campaigns.not_draft"
    title = "Campaign past its draft"


class CampaignInvalid(InvalidInput):
    """The campaign cannot be sent as given: splits that do not add up to 100, variant names
    repeated, an offer or crowd that does not exist; ``errors`` says where."""

    code = "campaigns.invalid"
    title = "Campaign invalid"
