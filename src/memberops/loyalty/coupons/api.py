"""HTTP routes of the coupons room: templates with their stats, issuing to a member (by hand
or as a points exchange), a member's coupons, looking a code up and redeeming it. Thin:
parsing and status codes here, verbs in the services."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response

from memberops.kernel.idempotency import once
from memberops.kernel.pagination import MAX_KEY, cut_page, decode_cursor
from memberops.kernel.schemas import Text
from memberops.kernel.web import Cursor, IdempotencyKeyDep, Limit, MemberId, SessionDep
from memberops.loyalty.access import Manager, Operator, Reader
from memberops.loyalty.coupons import queries, service, templates
from memberops.loyalty.coupons.models import CouponSource, CouponStatus
from memberops.loyalty.coupons.redemption import redeem_coupon
from memberops.loyalty.coupons.schemas import (
    CouponPage,
    CouponRead,
    IssueRequest,
    RedeemRequest,
    Redemption,
    TemplateCreate,
    TemplatePage,
    TemplatePatch,
    TemplateRead,
)
from memberops.members import service as members
from memberops.tenancy.access import Permission, Principal
from memberops.tenancy.dependencies import get_principal

router = APIRouter(tags=["coupons"])

AnyRole = Annotated[Principal, Depends(get_principal)]
TemplateId = Annotated[int, Path(ge=1, le=MAX_KEY, description="A coupon template id")]
Code = Annotated[Text, Path(min_length=1, max_length=32, description="The coupon's code")]
_CREATED: dict[int | str, dict[str, Any]] = {201: {"description": "Created"}}
TEMPLATES = "/coupon-templates"


@router.post(TEMPLATES, response_model=TemplateRead, status_code=201)
def create_template(body: TemplateCreate, session: SessionDep, principal: Manager) -> TemplateRead:
    """A coupon template; 422 ``coupons.invalid_template`` names each field that does not fit
    its kind or validity."""
    template = templates.create_template(session, principal, body)
    return templates.read_templates(session, principal, [template])[0]


@router.get(TEMPLATES, response_model=TemplatePage)
def list_templates(
    session: SessionDep, principal: Reader, cursor: Cursor = None, limit: Limit = 50
) -> TemplatePage:
    """The tenant's templates with their stats, newest first."""
    rows = templates.list_templates(session, principal, decode_cursor(cursor), limit + 1)
    page = cut_page(rows, limit)
    items = templates.read_templates(session, principal, page.items)
    return TemplatePage(items=items, next_cursor=page.next_cursor)


@router.get(TEMPLATES + "/{template_id}", response_model=TemplateRead)
def read_template(template_id: TemplateId, session: SessionDep, principal: Reader) -> TemplateRead:
    """A template with its stats: issued, redeemed, expired, redemption rate and GMV."""
    template = templates.get_template(session, principal, template_id)
    return templates.read_templates(session, principal, [template])[0]


@router.patch(TEMPLATES + "/{template_id}", response_model=TemplateRead)
def patch_template(
    template_id: TemplateId, body: TemplatePatch, session: SessionDep, principal: Manager
) -> TemplateRead:
    """Rename, deactivate (issued coupons stay usable) or change the stock."""
    template = templates.patch_template(session, principal, template_id, body)
    return templates.read_templates(session, principal, [template])[0]


@router.post("/members/{member_id}/coupons", response_model=CouponRead, responses=_CREATED)
def issue(
    member_id: MemberId,
    body: IssueRequest,
    response: Response,
    session: SessionDep,
    principal: AnyRole,
    idempotency_key: IdempotencyKeyDep = None,
) -> CouponRead:
    """Issue a coupon to the member. Needs ``loyalty:manage``; with ``pay_with_points`` the
    member exchanges the template's points price for it, which a till may do
    (``loyalty:operate``). 201 when issued, 200 for a replay of the ``Idempotency-Key``."""
    exchange = body.pay_with_points
    principal.require(Permission.loyalty_operate if exchange else Permission.loyalty_manage)
    source = CouponSource.points if exchange else CouponSource.api

    def run() -> CouponRead:
        coupon = service.issue_coupon(
            session, principal, member_id, body.template_id, source=source
        )
        return queries.read_coupons(session, principal, [coupon])[0]

    request = {"member_id": member_id, **body.model_dump()}
    answer, fresh = once(
        session, principal.tenant_id, "coupons.issue", idempotency_key, request, CouponRead, run
    )
    response.status_code = 201 if fresh else 200
    return answer


@router.get("/members/{member_id}/coupons", response_model=CouponPage)
def member_coupons(
    member_id: MemberId,
    session: SessionDep,
    principal: Reader,
    status: CouponStatus | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> CouponPage:
    """The member's coupons, newest first; ``status=issued`` lists the usable ones."""
    members.get_member(session, principal, member_id)
    rows = queries.list_member_coupons(
        session, principal, member_id, status, decode_cursor(cursor), limit + 1
    )
    page = cut_page(rows, limit)
    items = queries.read_coupons(session, principal, page.items)
    return CouponPage(items=items, next_cursor=page.next_cursor)


@router.get("/coupons/{code}", response_model=CouponRead)
def read_coupon(code: Code, session: SessionDep, principal: Reader) -> CouponRead:
    """A coupon by its code, as a till sees it before redeeming."""
    coupon = service.get_coupon(session, principal, code)
    return queries.read_coupons(session, principal, [coupon])[0]


@router.post("/coupons/{code}/redeem", response_model=Redemption)
def redeem(code: Code, body: RedeemRequest, session: SessionDep, principal: Operator) -> Redemption:
    """Use the coupon on an order and get the discount it gives. The same order again answers
    the same (200); another order is 409 ``coupons.already_redeemed``."""
    return redeem_coupon(session, principal, code, body)
