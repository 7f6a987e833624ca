"""HTTP routes of the campaigns room: drafts, launch, cancel, what each member got, a member's
unsubscribe from a channel, and the tenant's campaign economics (message prices, prior lift).
Thin: the work is in ``service``."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from memberops.campaigns import service
from memberops.campaigns.economics import CampaignEconomics, load_economics
from memberops.campaigns.guard_rails import Rules
from memberops.campaigns.models import CampaignRecipient, Outcome
from memberops.campaigns.schemas import (
    CampaignCreate,
    CampaignPage,
    CampaignPatch,
    CampaignRead,
    RecipientPage,
    RecipientRead,
    UnsubscribeRequest,
)
from memberops.kernel.pagination import MAX_KEY, cut_page, decode_cursor
from memberops.kernel.web import Cursor, Limit, MemberId, SessionDep, SettingsDep
from memberops.members import service as members
from memberops.members.models import ConsentChannel
from memberops.tenancy.access import Permission, Principal
from memberops.tenancy.dependencies import require
from memberops.tenancy.sections import save_section

router = APIRouter(tags=["campaigns"])

Reader = Annotated[Principal, Depends(require(Permission.campaigns_read))]
Manager = Annotated[Principal, Depends(require(Permission.campaigns_manage))]
Writer = Annotated[Principal, Depends(require(Permission.members_write))]
CampaignId = Annotated[int, Path(ge=1, le=MAX_KEY, description="A campaign id")]
CAMPAIGN = "/campaigns/{campaign_id}"


@router.post("/campaigns", response_model=CampaignRead, status_code=201)
def create(body: CampaignCreate, session: SessionDep, principal: Manager) -> CampaignRead:
    """A draft campaign: crowd, channel, offer, variants, holdout. 422 ``campaigns.invalid``
    for splits that do not add up to 100 or a crowd or coupon template not the tenant's."""
    return service.read(session, principal, service.create_campaign(session, principal, body))


@router.get("/campaigns", response_model=CampaignPage)
def list_campaigns(
    session: SessionDep, principal: Reader, cursor: Cursor = None, limit: Limit = 50
) -> CampaignPage:
    """The tenant's campaigns, newest first."""
    rows = service.list_campaigns(session, principal, decode_cursor(cursor), limit + 1)
    page = cut_page(rows, limit)
    items = [service.read(session, principal, c) for c in page.items]
    return CampaignPage(items=items, next_cursor=page.next_cursor)


@router.get(CAMPAIGN, response_model=CampaignRead)
def get(campaign_id: CampaignId, session: SessionDep, principal: Reader) -> CampaignRead:
    """One campaign, with its members counted by outcome and skip reason."""
    return service.read(session, principal, service.get_campaign(session, principal, campaign_id))


@router.patch(CAMPAIGN, response_model=CampaignRead)
def update(
    campaign_id: CampaignId, body: CampaignPatch, session: SessionDep, principal: Manager
) -> CampaignRead:
    """Change a draft (409 ``campaigns.not_draft`` once launched)."""
    campaign = service.update_campaign(session, principal, campaign_id, body)
    return service.read(session, principal, campaign)


@router.post(CAMPAIGN + ":launch", response_model=CampaignRead)
def launch(
    campaign_id: CampaignId, session: SessionDep, settings: SettingsDep, principal: Manager
) -> CampaignRead:
    """Send a draft now — every member of its crowd decided and their messages queued — or,
    when its ``send_at`` is ahead, schedule it for the worker."""
    rules, links = Rules.of(settings), settings.public_base_url
    campaign = service.launch(session, principal, campaign_id, rules, links)
    return service.read(session, principal, campaign)


@router.post(CAMPAIGN + ":cancel", response_model=CampaignRead)
def cancel(campaign_id: CampaignId, session: SessionDep, principal: Manager) -> CampaignRead:
    """Stop a campaign; messages not yet sent are withdrawn."""
    return service.read(session, principal, service.cancel(session, principal, campaign_id))


@router.get(CAMPAIGN + "/recipients", response_model=RecipientPage)
def recipients(
    campaign_id: CampaignId,
    session: SessionDep,
    principal: Reader,
    outcome: Annotated[Outcome | None, Query(description="Only members with this outcome")] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> RecipientPage:
    """What the campaign decided for each member, newest first."""
    before = decode_cursor(cursor)
    rows = service.recipients(session, principal, campaign_id, outcome, before, limit + 1)
    page = cut_page(rows, limit)
    names = {v.id: v.name for v in service.variants_of(session, principal, campaign_id)}
    items = [_recipient(row, names) for row in page.items]
    return RecipientPage(items=items, next_cursor=page.next_cursor)


@router.post("/members/{member_id}/unsubscribe", status_code=204)
def unsubscribe(
    member_id: MemberId, body: UnsubscribeRequest, session: SessionDep, principal: Writer
) -> None:
    """The member wants no more campaign messages on the channel: their consent there becomes
    no, recorded as an unsubscribe (campaigns then skip them as ``unsubscribed``)."""
    members.get_member(session, principal, member_id)
    members.unsubscribe(session, principal, member_id, ConsentChannel(body.channel))


@router.get("/campaign-economics", response_model=CampaignEconomics)
def read_economics(session: SessionDep, principal: Reader) -> CampaignEconomics:
    """What the forecast and the results price messages at, per channel in cents, and the
    response lift the forecast assumes before any campaign was measured (defaults until
    changed)."""
    return load_economics(session, principal)


@router.put("/campaign-economics", response_model=CampaignEconomics)
def replace_economics(
    body: CampaignEconomics, session: SessionDep, principal: Manager
) -> CampaignEconomics:
    """Replace the whole document (audited); forecasts and results read it from now on."""
    return save_section(session, principal, body)


def _recipient(row: CampaignRecipient, names: dict[int, str]) -> RecipientRead:
    return RecipientRead(
        member_id=str(row.member_id),
        outcome=row.outcome,
        skip_reason=row.skip_reason,
        variant=None if row.variant_id is None else names.get(row.variant_id),
        channel=row.channel,
        message_id=None if row.message_id is None else str(row.message_id),
        decided_at=row.decided_at,
    )
