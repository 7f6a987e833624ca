"""Errors of the growth room."""

from memberops.kernel.errors import Conflict, InvalidInput, NotFound


class InviteNotFound(NotFound):
    """No member of this tenant has the invite code (``code``): mistyped, or another tenant's."""

    code = "growth.invite_not_found"
    title = "Invite code not found"


class SceneNotFound(NotFound):
    """No join scene of this tenant has the code (``scene``)."""

    code = "growth.scene_not_found"
    title = "Join scene not found"


class SelfReferral(Conflict):
    """The identities of the join belong to the member whose invite code it names: nobody
    invites themselves."""

    code = "growth.self_referral"
    title = "Self-referral"


class InviterInactive(Conflict):
    """The invite code's member was erased (``member_id``): the code no longer invites."""

    code = "growth.inviter_inactive"
    title = "Inviter no longer a member"


class SceneNameTaken(Conflict):
    """Another join scene of this tenant has this ``name``."""

    code = "growth.scene_name_taken"
    title = "Scene name taken"


class NoJoinPage(Conflict):
    """The growth rules set no ``join_page_url``, so an invite link or a scene's QR code has
    nowhere to lead; set it with ``PUT /api/v1/growth/rules``."""

    code = "growth.no_join_page"
    title = "No join page set"


class InvalidJoin(InvalidInput):
    """The join request contradicts itself (``errors`` names each location): a scene and a
    source both given, or the ``referral`` source without an invite code."""

    code = "growth.invalid_join"
    title = "Invalid join"
