"""HTTP routes of the growth room: joins, join scenes, invite codes, referrals, the leaderboard
and the growth rules; and the public links ``/j/{tenant}/{code}`` (an invite) and
``/s/{tenant}/{code}`` (a scene's QR code). Thin: the work is in the services."""

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Response
from fastapi.responses import RedirectResponse

from memberops.growth import invites, joins, referrals, scenes
from memberops.growth.errors import InviteNotFound, NoJoinPage, SceneNotFound
from memberops.growth.models import ReferralStatus
from memberops.growth.rules import GrowthRules
from memberops.growth.schemas import (
    InviteRead,
    JoinIn,
    JoinResult,
    LeaderPage,
    ReferralRead,
    SceneCreate,
    SceneRead,
)
from memberops.growth.service import save_rules
from memberops.kernel.pagination import MAX_KEY, decode_cursor, encode_cursor
from memberops.kernel.web import Cursor, Limit, MemberId, SessionDep, SettingsDep
from memberops.loyalty.access import Reader, RulesKeeper
from memberops.members.service import get_member
from memberops.tenancy.access import Permission, Principal
from memberops.tenancy.dependencies import require
from memberops.tenancy.sections import load_section

router = APIRouter(tags=["growth"])
#: ``/j/…`` and ``/s/…``, served at the root: people follow these with no credential.
redirects = APIRouter(tags=["growth"])

Writer = Annotated[Principal, Depends(require(Permission.members_write))]
Marketer = Annotated[Principal, Depends(require(Permission.campaigns_manage))]
MarketReader = Annotated[Principal, Depends(require(Permission.campaigns_read))]
TenantId = Annotated[int, Path(ge=1, le=MAX_KEY)]
Code = Annotated[str, Path(min_length=1, max_length=32)]
_JOINED: dict[int | str, dict[str, Any]] = {
    201: {"description": "Registered by this join"},
    200: {"description": "Already a registered member: how it joined, nothing changed"},
}


@router.post("/joins", response_model=JoinResult, responses=_JOINED)
def join(body: JoinIn, response: Response, session: SessionDep, principal: Writer) -> JoinResult:
    """Register a person from a scene's QR code (``scene``), an invite code (``invite_code``)
    or a named ``source``, keeping source and campaign. 404 ``growth.scene_not_found`` /
    ``growth.invite_not_found``, 409 ``growth.self_referral``, 422 ``growth.invalid_join``."""
    result = joins.join(session, principal, body)
    response.status_code = 201 if result.joined else 200
    return result


@router.post("/join-scenes", response_model=SceneRead, status_code=201)
def create_scene(
    body: SceneCreate, session: SessionDep, principal: Marketer, settings: SettingsDep
) -> SceneRead:
    """A QR code's scene for parcel cards, a store or the official account's menu; its
    ``link`` is what the QR code holds. 409 ``growth.scene_name_taken``."""
    scene = scenes.create_scene(session, principal, body)
    return scenes.read_scene(scene, settings.public_base_url)


@router.get("/join-scenes", response_model=list[SceneRead])
def list_scenes(
    session: SessionDep, principal: MarketReader, settings: SettingsDep
) -> list[SceneRead]:
    """Every scene of the tenant with its scans, oldest first."""
    found = scenes.list_scenes(session, principal)
    return [scenes.read_scene(s, settings.public_base_url) for s in found]


@router.get("/members/{member_id}/invite", response_model=InviteRead)
def read_invite(
    member_id: MemberId, session: SessionDep, principal: Reader, settings: SettingsDep
) -> InviteRead:
    """The member's invite code (made the first time it is asked for), its tracked link and
    its referrals by status."""
    code = invites.code_of(session, principal, member_id)
    counts = referrals.counts_of(session, principal, member_id)
    return InviteRead(
        member_id=str(member_id),
        code=code.code,
        link=invites.invite_link(settings.public_base_url, principal.tenant_id, code.code),
        clicks=code.clicks,
        invited=sum(counts.values()),
        rewarded=counts[ReferralStatus.rewarded],
        refused=counts[ReferralStatus.refused],
        pending=counts[ReferralStatus.pending],
    )


@router.get("/members/{member_id}/referrals", response_model=list[ReferralRead])
def list_referrals(
    member_id: MemberId, session: SessionDep, principal: Reader
) -> list[ReferralRead]:
    """The member's referrals, as referrer or newcomer, oldest first, with each decision."""
    get_member(session, principal, member_id)
    found = referrals.referrals_of(session, principal, member_id)
    return [referrals.read_referral(r) for r in found]


@router.get("/growth/referral-leaderboard", response_model=LeaderPage)
def leaderboard(
    session: SessionDep, principal: Reader, cursor: Cursor = None, limit: Limit = 50
) -> LeaderPage:
    """Referrers ranked by rewarded referrals, then invitations; paged by rank."""
    offset = decode_cursor(cursor) or 0
    rows = referrals.leaderboard(session, principal, offset, limit + 1)
    more = len(rows) > limit
    return LeaderPage(
        items=rows[:limit], next_cursor=encode_cursor(offset + limit) if more else None
    )


@router.get("/growth/rules", response_model=GrowthRules)
def read_rules(session: SessionDep, principal: Reader) -> GrowthRules:
    """The referral rewards, the pack per join source and the join page."""
    return load_section(session, principal.tenant_id, GrowthRules)


@router.put("/growth/rules", response_model=GrowthRules)
def replace_rules(body: GrowthRules, session: SessionDep, principal: RulesKeeper) -> GrowthRules:
    """Replace the growth rules (audited); 422 when they name a coupon template that does not
    exist."""
    return save_rules(session, principal, body)


def _to_join_page(session: SessionDep, tenant_id: int, query: dict[str, str]) -> RedirectResponse:
    page = load_section(session, tenant_id, GrowthRules).join_page_url
    if page is None:
        raise NoJoinPage("The shop has no join page set.")
    url = str(page)
    return RedirectResponse(f"{url}{'&' if '?' in url else '?'}{urlencode(query)}", 302)


@redirects.get("/j/{tenant_id}/{code}", response_class=RedirectResponse, status_code=302)
def follow_invite(tenant_id: TenantId, code: Code, session: SessionDep) -> RedirectResponse:
    """An invite link: count the click and lead to the join page with ``?invite=CODE``. 404
    ``growth.invite_not_found``, 409 ``growth.no_join_page``."""
    if not invites.count_click(session, tenant_id, code):
        raise InviteNotFound("No member has this invite code.", code=code[:16])
    return _to_join_page(session, tenant_id, {"invite": code.upper()})


@redirects.get("/s/{tenant_id}/{code}", response_class=RedirectResponse, status_code=302)
def follow_scene(tenant_id: TenantId, code: Code, session: SessionDep) -> RedirectResponse:
    """A scene's QR code: count the scan and lead to the join page with ``?scene=CODE``. 404
    ``growth.scene_not_found``, 409 ``growth.no_join_page``."""
    if not scenes.count_scan(session, tenant_id, code):
        raise SceneNotFound("No join scene has this code.", scene=code[:16])
    return _to_join_page(session, tenant_id, {"scene": code.upper()})
