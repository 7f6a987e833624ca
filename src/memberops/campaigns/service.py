"""Campaigns: keep drafts, launch them now or at ``send_at``, cancel them, read what each member
got.

A draft's status moves by conditional ``UPDATE`` (``WHERE status IN …``), so two launches of one
campaign cannot both pass: the second finds it no longer a draft (409 ``campaigns.not_draft``).
Launching decides every member and queues their messages in the caller's transaction
(``launch.py``); the worker delivers them, and finishes the campaign when none is left to send
(``finishing.py``).
"""

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from memberops.campaigns import launch as launching
from memberops.campaigns.errors import (
    CampaignInvalid,
    CampaignNameTaken,
    CampaignNotDraft,
    CampaignNotFound,
)
from memberops.campaigns.guard_rails import Rules, quiet_until
from memberops.campaigns.models import (
    Campaign,
    CampaignRecipient,
    CampaignStatus,
    CampaignVariant,
    Outcome,
    SkipReason,
)
from memberops.campaigns.schemas import (
    CampaignCreate,
    CampaignPatch,
    CampaignRead,
    VariantIn,
    VariantRead,
)
from memberops.crowds.models import Crowd
from memberops.kernel import clock
from memberops.kernel.db import is_postgresql
from memberops.kernel.pagination import newest_first
from memberops.loyalty.coupons.models import CouponTemplate
from memberops.messaging.bulk import cancel_queued
from memberops.messaging.templates import MessageContext, check
from memberops.tenancy.access import Permission, Principal, tenant_scope
from memberops.tenancy.service import audit

_R = CampaignRecipient
#: The advisory lock launches of one tenant take turns on ("camp" in the high 32 bits).
_LAUNCH_LOCK = 0x63616D70 << 32
#: Statuses a campaign can still be cancelled from.
_CANCELLABLE = (CampaignStatus.draft, CampaignStatus.scheduled, CampaignStatus.running)


def _invalid(field: str, message: str) -> CampaignInvalid:
    return CampaignInvalid(message, errors=[{"loc": ["body", field], "msg": message}])


def _check_variants(variants: list[VariantIn]) -> None:
    if sum(v.split_percent for v in variants) != 100:
        raise _invalid("variants", "the variants' split_percent must add up to 100")
    if len({v.name for v in variants}) != len(variants):
        raise _invalid("variants", "each variant needs its own name")
    for variant in variants:
        check("subject", variant.subject)
        check("body", variant.body)


def _check_refs(session: Session, principal: Principal, campaign: Campaign) -> None:
    """The crowd and the coupon template are the tenant's own."""
    if session.scalar(tenant_scope(principal, Crowd).where(Crowd.id == campaign.crowd_id)) is None:
        raise _invalid("crowd_id", f"no crowd {campaign.crowd_id} in this tenant")
    template = campaign.coupon_template_id
    query = tenant_scope(principal, CouponTemplate).where(CouponTemplate.id == template)
    if template is not None and session.scalar(query) is None:
        raise _invalid("coupon_template_id", f"no coupon template {template} in this tenant")


def get_campaign(session: Session, principal: Principal, campaign_id: int) -> Campaign:
    principal.require(Permission.campaigns_read)
    found = session.scalar(tenant_scope(principal, Campaign).where(Campaign.id == campaign_id))
    if found is None:
        raise CampaignNotFound(f"No campaign {campaign_id}.", campaign_id=str(campaign_id))
    return found


def variants_of(session: Session, principal: Principal, campaign_id: int) -> list[CampaignVariant]:
    query = tenant_scope(principal, CampaignVariant).where(
        CampaignVariant.campaign_id == campaign_id
    )
    return list(session.scalars(query.order_by(CampaignVariant.id)))


def _set_variants(
    session: Session, principal: Principal, campaign: Campaign, variants: list[VariantIn]
) -> None:
    _check_variants(variants)
    for old in variants_of(session, principal, campaign.id):
        session.delete(old)
    session.flush()
    session.add_all(
        CampaignVariant(tenant_id=principal.tenant_id, campaign_id=campaign.id, **v.model_dump())
        for v in variants
    )


def _named(session: Session, campaign: Campaign) -> None:
    """Flush, turning a clash of names into ``campaigns.name_taken``."""
    name = campaign.name
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise CampaignNameTaken(f"A campaign is already named {name!r}.", name=name) from exc


def create_campaign(session: Session, principal: Principal, body: CampaignCreate) -> Campaign:
    """A draft campaign. Audited."""
    principal.require(Permission.campaigns_manage)
    now = clock.now()
    given = body.model_dump(exclude={"variants"}, exclude_none=True)
    campaign = Campaign(
        tenant_id=principal.tenant_id,
        **given,
        status=CampaignStatus.draft,
        created_by=principal.actor,
        created_at=now,
        updated_at=now,
    )
    _check_refs(session, principal, campaign)
    _check_variants(body.variants)
    session.add(campaign)
    _named(session, campaign)
    _set_variants(session, principal, campaign, body.variants)
    session.flush()
    after = body.model_dump(mode="json", exclude_none=True)
    audit(session, principal, "campaign.create", ("campaign", str(campaign.id)), None, after)
    return campaign


def update_campaign(
    session: Session, principal: Principal, campaign_id: int, body: CampaignPatch
) -> Campaign:
    """Change a draft; ``variants`` given replace all of them. Audited."""
    principal.require(Permission.campaigns_manage)
    campaign = get_campaign(session, principal, campaign_id)
    if campaign.status != CampaignStatus.draft:
        raise CampaignNotDraft(
            f"Campaign {campaign.id} is {campaign.status}.", status=str(campaign.status)
        )
    given = body.model_dump(exclude={"variants"}, exclude_unset=True)
    for name, value in given.items():
        setattr(campaign, name, value)
    campaign.updated_at = clock.now()
    _check_refs(session, principal, campaign)
    _named(session, campaign)
    if body.variants is not None:
        _set_variants(session, principal, campaign, body.variants)
    session.flush()
    changed = body.model_dump(mode="json", exclude_unset=True)
    audit(session, principal, "campaign.update", ("campaign", str(campaign.id)), None, changed)
    return campaign


def _move(
    session: Session,
    principal: Principal,
    campaign: Campaign,
    allowed: tuple[CampaignStatus, ...],
    to: CampaignStatus,
) -> None:
    """Move the campaign to ``to`` if it is (still, as committed) in one of ``allowed``."""
    now = clock.now()
    values: dict[str, object] = {"status": to, "updated_at": now}
    if to == CampaignStatus.running:
        values["launched_at"] = now
    if to in (CampaignStatus.cancelled, CampaignStatus.finished):
        values["finished_at"] = now
    moved = session.scalar(
        update(Campaign)
        .where(Campaign.tenant_id == principal.tenant_id, Campaign.id == campaign.id)
        .where(Campaign.status.in_(allowed))
        .values(**values)
        .returning(Campaign.id)
        .execution_options(synchronize_session=False)
    )
    session.refresh(campaign)
    if moved is None:
        raise CampaignNotDraft(
            f"Campaign {campaign.id} is {campaign.status}.", status=str(campaign.status)
        )


def _context(session: Session, campaign: Campaign) -> MessageContext:
    """What templates may say of the offer: the coupon's name."""
    if campaign.coupon_template_id is None:
        return MessageContext()
    name = session.scalar(
        select(CouponTemplate.name).where(CouponTemplate.id == campaign.coupon_template_id)
    )
    return MessageContext(coupon=name)


def _take_turn(session: Session, principal: Principal) -> None:
    """Wait for the tenant's other launches to commit: each counts the others' messages for
    the frequency cap, so two launched at once must not both count before either wrote. A
    transaction-scoped advisory lock on PostgreSQL; SQLite's writers take turns already."""
    if is_postgresql(session):
        session.execute(select(func.pg_advisory_xact_lock(_LAUNCH_LOCK + principal.tenant_id)))


def start(
    session: Session, principal: Principal, campaign: Campaign, rules: Rules, link_base: str
) -> None:
    """Decide every member of the crowd now and queue their messages (``launch.py``)."""
    _take_turn(session, principal)
    _move(
        session,
        principal,
        campaign,
        (CampaignStatus.draft, CampaignStatus.scheduled),
        CampaignStatus.running,
    )
    now = clock.now()
    until = quiet_until(now, principal.timezone, rules)
    variants = variants_of(session, principal, campaign.id)
    context = _context(session, campaign)
    deferred = until is not None
    with launching.decided(session, principal, campaign, variants, rules, now, deferred) as rows:
        due = until or now
        launching.enqueue(
            session,
            campaign,
            rows,
            variants,
            context,
            link_base,
            now,
            due,
            rules=rules,
            timezone=principal.timezone,
        )


def launch(
    session: Session, principal: Principal, campaign_id: int, rules: Rules, link_base: str
) -> Campaign:
    """Send a draft now, or schedule it when its ``send_at`` is ahead. Audited."""
    principal.require(Permission.campaigns_manage)
    campaign = get_campaign(session, principal, campaign_id)
    if campaign.send_at is not None and campaign.send_at > clock.now():
        _move(session, principal, campaign, (CampaignStatus.draft,), CampaignStatus.scheduled)
    else:
        start(session, principal, campaign, rules, link_base)
    audit(
        session,
        principal,
        "campaign.launch",
        ("campaign", str(campaign.id)),
        None,
        {"status": str(campaign.status)},
    )
    return campaign


def cancel(session: Session, principal: Principal, campaign_id: int) -> Campaign:
    """Stop a campaign: a draft or scheduled one never sends; a running one's messages not yet
    sent are withdrawn from the outbox (those sent stay sent). Audited."""
    principal.require(Permission.campaigns_manage)
    campaign = get_campaign(session, principal, campaign_id)
    _move(session, principal, campaign, _CANCELLABLE, CampaignStatus.cancelled)
    messages = select(_R.message_id).where(_R.tenant_id == principal.tenant_id)
    withdrawn = cancel_queued(
        session, principal.tenant_id, messages.where(_R.campaign_id == campaign.id)
    )
    audit(
        session,
        principal,
        "campaign.cancel",
        ("campaign", str(campaign.id)),
        None,
        {"withdrawn": withdrawn},
    )
    return campaign


def due(session: Session, now: datetime) -> list[Campaign]:
    """Scheduled campaigns of every tenant whose ``send_at`` has come (the worker starts them)."""
    query = select(Campaign).where(Campaign.status == CampaignStatus.scheduled)
    return list(session.scalars(query.where(Campaign.send_at <= now).order_by(Campaign.id)))


def list_campaigns(
    session: Session, principal: Principal, before: int | None, limit: int
) -> list[Campaign]:
    principal.require(Permission.campaigns_read)
    query = newest_first(tenant_scope(principal, Campaign), Campaign.id, before, limit)
    return list(session.scalars(query))


def counts(
    session: Session, principal: Principal, campaign_id: int
) -> list[tuple[str, str | None, int]]:
    """(outcome, skip reason, members) of the campaign's recipients."""
    rows = session.execute(
        select(_R.outcome, _R.skip_reason, func.count())
        .where(_R.tenant_id == principal.tenant_id, _R.campaign_id == campaign_id)
        .group_by(_R.outcome, _R.skip_reason)
    )
    return [(outcome, reason, int(n)) for outcome, reason, n in rows]


def recipients(
    session: Session,
    principal: Principal,
    campaign_id: int,
    outcome: Outcome | None,
    before: int | None,
    limit: int,
) -> list[CampaignRecipient]:
    """The campaign's recipient rows, newest first, of one outcome or all."""
    get_campaign(session, principal, campaign_id)
    query = tenant_scope(principal, _R).where(_R.campaign_id == campaign_id)
    if outcome is not None:
        query = query.where(_R.outcome == outcome)
    return list(session.scalars(newest_first(query, _R.id, before, limit)))


def read(session: Session, principal: Principal, campaign: Campaign) -> CampaignRead:
    """The campaign with its variants and its members counted by outcome and skip reason."""
    outcomes: dict[Outcome, int] = {}
    skipped: dict[SkipReason, int] = {}
    for outcome, reason, n in counts(session, principal, campaign.id):
        outcomes[Outcome(outcome)] = outcomes.get(Outcome(outcome), 0) + n
        if reason is not None:
            skipped[SkipReason(reason)] = n
    variants = [
        VariantRead(
            id=str(v.id), name=v.name, split_percent=v.split_percent, subject=v.subject, body=v.body
        )
        for v in variants_of(session, principal, campaign.id)
    ]
    return CampaignRead(
        id=str(campaign.id),
        name=campaign.name,
        status=campaign.status,
        crowd_id=str(campaign.crowd_id),
        channel=campaign.channel,
        best_time=campaign.best_time,
        coupon_template_id=_str(campaign.coupon_template_id),
        points=campaign.points,
        holdout_percent=campaign.holdout_percent,
        attribution_days=campaign.attribution_days,
        budget_cents=campaign.budget_cents,
        send_at=campaign.send_at,
        launched_at=campaign.launched_at,
        finished_at=campaign.finished_at,
        created_by=campaign.created_by,
        created_at=campaign.created_at,
        updated_at=campaign.updated_at,
        variants=variants,
        outcomes=outcomes,
        skipped=skipped,
    )


def _str(value: int | None) -> str | None:
    return None if value is None else str(value)
