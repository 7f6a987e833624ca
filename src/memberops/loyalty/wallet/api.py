"""HTTP routes of stored value: a member's balance and entries, top-ups, spends and
adjustments (idempotent on the required ``Idempotency-Key``), the bonus rules and the
liability report. Thin: verbs in ``service``, reads in ``queries``.

Scopes are the loyalty ones: reading is ``loyalty:read``; a top-up and a spend are what a till
does (``loyalty:operate``); an adjustment is an operator's hand (``loyalty:manage``); the bonus
tiers are programme rules (``loyalty:rules``)."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from memberops.kernel.pagination import decode_cursor
from memberops.kernel.web import Cursor, Limit, MemberId, RequiredIdempotencyKeyDep, SessionDep
from memberops.loyalty.access import REPLAYABLE, Manager, Operator, Reader, RulesKeeper
from memberops.loyalty.wallet import queries, service
from memberops.loyalty.wallet.rules import TopUpRules
from memberops.loyalty.wallet.schemas import (
    AdjustIn,
    EntryRead,
    LiabilityRead,
    SpendIn,
    SpendRead,
    StoredValueRead,
    TopUpIn,
    TopUpRead,
)
from memberops.members import service as members
from memberops.tenancy.sections import load_section, save_section

router = APIRouter(tags=["loyalty"])

_BASE = "/members/{member_id}/stored-value"


@router.get(_BASE, response_model=StoredValueRead)
def member_stored_value(
    member_id: MemberId,
    session: SessionDep,
    principal: Reader,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> StoredValueRead:
    """The member's balance (principal + bonus = the sum of the ledger) and its entries,
    newest first."""
    return queries.read_stored_value(session, principal, member_id, decode_cursor(cursor), limit)


@router.post(f"{_BASE}/top-ups", response_model=TopUpRead, responses=REPLAYABLE)
def top_up(
    member_id: MemberId,
    body: TopUpIn,
    key: RequiredIdempotencyKeyDep,
    response: Response,
    session: SessionDep,
    principal: Operator,
) -> TopUpRead:
    """Money paid in, plus the bonus of the highest tier it reaches."""
    members.get_member(session, principal, member_id)
    answer, done = service.top_up(session, principal, member_id, body, key)
    response.status_code = 201 if done else 200
    return answer


@router.post(f"{_BASE}/spends", response_model=SpendRead, responses=REPLAYABLE)
def spend(
    member_id: MemberId,
    body: SpendIn,
    key: RequiredIdempotencyKeyDep,
    response: Response,
    session: SessionDep,
    principal: Operator,
) -> SpendRead:
    """Pay part or all of one of the member's orders from the balance (principal and bonus
    in proportion). 404 ``orders.not_found``; 422 ``stored_value.order_mismatch``; 409
    ``stored_value.insufficient``, ``stored_value.over_order``,
    ``stored_value.order_refunded``; nothing is taken then."""
    members.get_member(session, principal, member_id)
    answer, done = service.spend(session, principal, member_id, body, key)
    response.status_code = 201 if done else 200
    return answer


@router.post(f"{_BASE}/adjustments", response_model=EntryRead, responses=REPLAYABLE)
def adjust(
    member_id: MemberId,
    body: AdjustIn,
    key: RequiredIdempotencyKeyDep,
    response: Response,
    session: SessionDep,
    principal: Manager,
) -> EntryRead:
    """Credit or debit one part by hand, with a reason (audited); a debit never takes the
    part below zero (409 ``stored_value.insufficient``)."""
    members.get_member(session, principal, member_id)
    answer, done = service.adjust(session, principal, member_id, body, key)
    response.status_code = 201 if done else 200
    return answer


@router.get("/stored-value/liability", response_model=LiabilityRead)
def stored_value_liability(
    session: SessionDep,
    principal: Reader,
    months: Annotated[int, Query(ge=1, le=120)] = 12,
) -> LiabilityRead:
    """Outstanding principal (the prepaid liability) and bonus, members holding a balance,
    and the movements of the last ``months`` local months."""
    return queries.liability(session, principal, months)


@router.get("/stored-value/rules", response_model=TopUpRules)
def read_rules(session: SessionDep, principal: Reader) -> TopUpRules:
    """The tenant's top-up bonus tiers (none until set)."""
    return load_section(session, principal.tenant_id, TopUpRules)


@router.put("/stored-value/rules", response_model=TopUpRules)
def replace_rules(body: TopUpRules, session: SessionDep, principal: RulesKeeper) -> TopUpRules:
    """Replace the bonus tiers (audited); they apply to top-ups from now on."""
    return save_section(session, principal, body)
