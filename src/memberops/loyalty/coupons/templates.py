"""Coupon templates: create (checked per kind), read with stats, list, and change the few
things that may change after coupons exist (name, active, stock).

What a coupon gives (kind, amounts, threshold, scope, validity) never changes once the
template exists, so a redemption's answer can always be recomputed and replayed exactly.
"""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from memberops.kernel import clock
from memberops.kernel.errors import InvalidInput
from memberops.kernel.pagination import newest_first
from memberops.loyalty.coupons.errors import InvalidTemplate, StockBelowIssued, TemplateNotFound
from memberops.loyalty.coupons.models import Coupon, CouponKind, CouponStatus, CouponTemplate
from memberops.loyalty.coupons.schemas import (
    TemplateCreate,
    TemplatePatch,
    TemplateRead,
    TemplateStats,
)
from memberops.loyalty.tiers import service as tiers
from memberops.tenancy.access import Principal, tenant_scope
from memberops.tenancy.service import audit

#: Which of the kind-specific fields each kind needs; the others must be left out.
_KIND_FIELDS: dict[CouponKind, str | None] = {
    CouponKind.amount_off: "amount_off",
    CouponKind.percent_off: "percent_off",
    CouponKind.free_shipping: None,
    CouponKind.gift: "gift",
}


def _problem(field: str | int, *more: str | int, msg: str) -> dict[str, Any]:
    return {"loc": ["body", field, *more], "msg": msg}


def _kind_problems(body: TemplateCreate) -> list[dict[str, Any]]:
    needed = _KIND_FIELDS[body.kind]
    problems = []
    for name in ("amount_off", "percent_off", "gift"):
        value = getattr(body, name)
        blank = value is None or value == 0 or (isinstance(value, str) and not value.strip())
        if name == needed and blank:
            problems.append(_problem(name, msg=f"a {body.kind} coupon needs {name}"))
        elif name != needed and value is not None:
            problems.append(_problem(name, msg=f"a {body.kind} coupon has no {name}"))
    return problems


def _validity_problems(body: TemplateCreate) -> list[dict[str, Any]]:
    window = body.valid_from is not None or body.valid_until is not None
    if body.valid_days is not None:
        if window:
            return [_problem("valid_days", msg="give valid_days or a fixed window, not both")]
        return []
    if body.valid_from is None or body.valid_until is None:
        missing = "valid_until" if body.valid_from is not None else "valid_from"
        if not window:
            missing = "valid_days"
        return [_problem(missing, msg="give valid_days, or both valid_from and valid_until")]
    if body.valid_until <= body.valid_from:
        return [_problem("valid_until", msg="valid_until must be after valid_from")]
    if body.valid_until <= clock.now():
        return [_problem("valid_until", msg="valid_until must be in the future")]
    return []


def _tier_problems(session: Session, principal: Principal, codes: list[str]) -> list[Any]:
    if not codes:
        return []
    known = {level.code for level in tiers.ladder(session, principal.tenant_id).levels}
    return [
        _problem("tiers", i, msg=f"no tier {code!r} in the ladder ({', '.join(sorted(known))})")
        for i, code in enumerate(codes)
        if code not in known
    ]


#: A place in a request body (after ``body``) that names a coupon template, and the id there.
NamedTemplate = tuple[Sequence[str | int], int]


def require_templates(
    session: Session, principal: Principal, named: Sequence[NamedTemplate]
) -> None:
    """Refuse a rules document that names coupon templates the tenant does not have: one 422
    ``request.invalid`` listing each such place, so the operator sees every bad id at once."""
    ids = {template_id for _, template_id in named}
    found = set(
        session.scalars(
            select(CouponTemplate.id).where(
                CouponTemplate.tenant_id == principal.tenant_id, CouponTemplate.id.in_(ids)
            )
        )
    )
    problems = [
        {"loc": ["body", *loc], "msg": f"no coupon template {template_id}"}
        for loc, template_id in named
        if template_id not in found
    ]
    if problems:
        raise InvalidInput("The rules name coupon templates that do not exist.", errors=problems)


def check_template(session: Session, principal: Principal, body: TemplateCreate) -> None:
    """Refuse (422 ``coupons.invalid_template``, naming every offending field) a template whose
    fields do not hold together for its kind and validity, or names tiers the ladder lacks."""
    problems = [
        *_kind_problems(body),
        *_validity_problems(body),
        *_tier_problems(session, principal, body.tiers),
    ]
    if problems:
        first = problems[0]
        raise InvalidTemplate(
            f"{'.'.join(map(str, first['loc']))}: {first['msg']}", errors=problems
        )


def create_template(session: Session, principal: Principal, body: TemplateCreate) -> CouponTemplate:
    """Store a checked template (audited)."""
    check_template(session, principal, body)
    fields = body.model_dump(exclude={"amount_off", "threshold"})
    template = CouponTemplate(
        tenant_id=principal.tenant_id,
        **fields,
        amount_off_cents=body.amount_off,
        threshold_cents=body.threshold,
        issued=0,
        redeemed=0,
        active=True,
        created_at=clock.now(),
    )
    session.add(template)
    session.flush()
    after = body.model_dump(mode="json")
    audit(
        session,
        principal,
        "coupon_template.create",
        ("coupon_template", str(template.id)),
        None,
        after,
    )
    return template


def get_template(session: Session, principal: Principal, template_id: int) -> CouponTemplate:
    """The template as stored now (``populate_existing``: counters change by SQL)."""
    template = session.scalar(
        tenant_scope(principal, CouponTemplate)
        .where(CouponTemplate.id == template_id)
        .execution_options(populate_existing=True)
    )
    if template is None:
        raise TemplateNotFound(
            f"No coupon template {template_id} in this tenant.", template_id=str(template_id)
        )
    return template


def list_templates(
    session: Session, principal: Principal, before_id: int | None, limit: int
) -> list[CouponTemplate]:
    """The tenant's templates, newest first (by id), after the cursor."""
    query = tenant_scope(principal, CouponTemplate).execution_options(populate_existing=True)
    return list(session.scalars(newest_first(query, CouponTemplate.id, before_id, limit)))


def _set_stock(session: Session, template: CouponTemplate, stock: int | None) -> None:
    """Change the stock by one guarded update: never below what was issued, also while
    coupons are being issued concurrently."""
    statement = update(CouponTemplate).where(
        CouponTemplate.tenant_id == template.tenant_id, CouponTemplate.id == template.id
    )
    if stock is not None:
        statement = statement.where(CouponTemplate.issued <= stock)
    changed = session.execute(
        statement.values(stock=stock).execution_options(synchronize_session=False)
    )
    if changed.rowcount == 0:  # type: ignore[attr-defined]
        session.refresh(template)
        raise StockBelowIssued(
            f"Template {template.id} has issued {template.issued} coupons; stock cannot be"
            f" {stock}.",
            issued=template.issued,
        )


def patch_template(
    session: Session, principal: Principal, template_id: int, body: TemplatePatch
) -> CouponTemplate:
    """Rename, (de)activate or restock a template; audited with what changed."""
    template = get_template(session, principal, template_id)
    given = body.model_dump(exclude_unset=True)
    before = {name: getattr(template, name) for name in given}
    if "stock" in given:
        _set_stock(session, template, body.stock)
    for name in ("name", "active"):
        if given.get(name) is not None:
            setattr(template, name, given[name])
    session.flush()
    template = get_template(session, principal, template_id)
    after = {name: getattr(template, name) for name in given}
    if before != after:
        entity = ("coupon_template", str(template.id))
        audit(session, principal, "coupon_template.update", entity, before, after)
    return template


def template_stats(
    session: Session, principal: Principal, templates: Sequence[CouponTemplate]
) -> dict[int, TemplateStats]:
    """Each template's stats, from its counters and one grouped query over its coupons."""
    now = clock.now()
    past = (Coupon.status == CouponStatus.expired) | (
        (Coupon.status == CouponStatus.issued) & (Coupon.valid_until <= now)
    )
    redeemed = Coupon.status == CouponStatus.redeemed
    rows = session.execute(
        select(
            Coupon.template_id,
            func.sum(case((past, 1), else_=0)),
            func.sum(case((redeemed, Coupon.order_amount_cents), else_=0)),
        )
        .where(
            Coupon.tenant_id == principal.tenant_id,
            Coupon.template_id.in_([t.id for t in templates]),
        )
        .group_by(Coupon.template_id)
    )
    figures = {template_id: (expired, gmv) for template_id, expired, gmv in rows}
    stats = {}
    for t in templates:
        expired, gmv = figures.get(t.id, (0, 0))
        rate = round(t.redeemed / t.issued, 4) if t.issued else None
        stats[t.id] = TemplateStats(
            issued=t.issued,
            redeemed=t.redeemed,
            expired=int(expired or 0),
            redemption_rate=rate,
            gmv=int(gmv or 0),
        )
    return stats


def read_templates(
    session: Session, principal: Principal, templates: Sequence[CouponTemplate]
) -> list[TemplateRead]:
    stats = template_stats(session, principal, templates)
    return [
        TemplateRead(
            id=str(t.id),
            name=t.name,
            kind=t.kind,
            amount_off=t.amount_off_cents,
            percent_off=t.percent_off,
            threshold=t.threshold_cents,
            gift=t.gift,
            valid_from=t.valid_from,
            valid_until=t.valid_until,
            valid_days=t.valid_days,
            stock=t.stock,
            remaining=None if t.stock is None else t.stock - t.issued,
            per_member_limit=t.per_member_limit,
            channels=t.channels,
            stores=t.stores,
            tiers=t.tiers,
            points_price=t.points_price,
            member_day_only=t.member_day_only,
            active=t.active,
            created_at=t.created_at,
            stats=stats[t.id],
        )
        for t in templates
    ]
