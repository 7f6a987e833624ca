"""``GET /campaigns/{id}/results`` on a small launched campaign built row by row: two variants
and a holdout, messages with delivery and click receipts, orders inside and outside the
attribution window, a refund; every figure checked exactly."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from memberops.campaigns.models import Campaign, CampaignRecipient, CampaignStatus, Outcome
from memberops.campaigns.uplift import Group, newcombe_interval
from memberops.loyalty.coupons.models import Coupon, CouponSource, CouponStatus
from memberops.loyalty.coupons.schemas import TemplateCreate
from memberops.loyalty.coupons.templates import create_template
from memberops.tenancy.access import Principal
from memberops.tenancy.models import Role
from tests.api.support import assert_problem
from tests.campaigns.builders import DAY, LAUNCH, Builder, campaign


def _small_campaign(session: Session, tenant: Principal) -> Campaign:
    """A: 4 members, 2 converted, 120.00; B: 5 members, none converted in the window; holdout:
    4 members, 1 converted, 60.00; and a member a guard rail skipped, in no group."""
    with session.begin():
        build = Builder(session, campaign(session, tenant.tenant_id))
        a, b = build.variant("A"), build.variant("B")
        build.order(build.member(a, clicks=1), 10_000, DAY)
        build.order(build.member(a), 5_000, DAY, refunded=5_000)  # refunded: no conversion
        build.order(build.member(a, delivered=False), 7_000, -DAY)  # before the launch
        build.order(build.member(a, Outcome.deferred), 3_000, 2 * DAY, refunded=1_000)
        build.order(build.member(None, Outcome.skipped), 4_000, 6 * DAY)
        build.order(build.member(b), 8_000, 7 * DAY)  # the window's end is excluded
        build.member(b, clicks=2)
        for _ in range(3):
            build.member(b)
        build.order(build.member(None, Outcome.holdout), 6_000, 3 * DAY)
        for _ in range(3):
            build.member(None, Outcome.holdout)
        return build.campaign


def _interval(x1: int, n1: int, x2: int, n2: int) -> list[float]:
    low, high = newcombe_interval(Group(n1, x1, 0), Group(n2, x2, 0))
    return [low, high]


def test_results_of_a_small_campaign(
    client: TestClient, session: Session, tenant: Principal, admin: dict[str, str]
) -> None:
    small = _small_campaign(session, tenant)
    response = client.get(f"/api/v1/campaigns/{small.id}/results", headers=admin)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["window_start"] == "2026-11-01T02:00:00Z"
    assert body["window_end"] == "2026-11-08T02:00:00Z"
    assert (body["measurable"], body["confidence"], body["winner"]) == ("yes", 0.95, None)
    a, b = body["variants"]
    figures = ("name", "members", "sent", "delivered", "clicked", "converted", "revenue", "cost")
    assert [a[k] for k in figures] == ["A", 4, 4, 3, 1, 2, "120.00", "0.20"]
    assert [b[k] for k in figures] == ["B", 5, 5, 5, 1, 0, "0.00", "0.25"]
    holdout, overall = body["holdout"], body["overall"]
    assert [holdout[k] for k in figures] == ["holdout", 4, 0, 0, 0, 1, "60.00", "0.00"]
    assert [overall[k] for k in figures] == ["all", 9, 9, 8, 2, 2, "120.00", "0.45"]
    assert (a["conversion_rate"], b["conversion_rate"], holdout["conversion_rate"]) == (
        0.5,
        0.0,
        0.25,
    )
    assert holdout["uplift"] is None
    assert holdout["roi"] is None
    # A: 0.5 - 0.25; per member 30.00 - 15.00, times 4 members = 60.00; ROI (60.00 - 0.20) / 0.20
    assert a["uplift"]["difference"] == pytest.approx(0.25)
    assert [a["uplift"]["low"], a["uplift"]["high"]] == _interval(2, 4, 1, 4)
    assert a["uplift"]["relative"] == pytest.approx(1.0)
    assert a["uplift"]["incremental_conversions"] == pytest.approx(1.0)
    assert a["uplift"]["incremental_revenue"] == "60.00"
    assert a["uplift"]["significant"] is False
    assert a["roi"] == pytest.approx(299.0)
    # B: nothing bought: -15.00 a member below the holdout, times 5 = -75.00
    assert b["uplift"]["incremental_revenue"] == "-75.00"
    assert [b["uplift"]["low"], b["uplift"]["high"]] == _interval(0, 5, 1, 4)
    assert b["roi"] == pytest.approx(-301.0)
    # All: 120.00 / 9 - 15.00 a member, times 9 = -15.00
    assert overall["uplift"]["incremental_revenue"] == "-15.00"
    assert overall["roi"] == pytest.approx((-1_500 - 45) / 45)


def test_a_campaign_without_holdout_reports_no_uplift(
    client: TestClient, session: Session, tenant: Principal, admin: dict[str, str]
) -> None:
    with session.begin():
        build = Builder(session, campaign(session, tenant.tenant_id))
        build.order(build.member(build.variant("A")), 2_000, DAY)
    response = client.get(f"/api/v1/campaigns/{build.campaign.id}/results", headers=admin)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["measurable"], body["winner"]) == ("no_holdout", None)
    assert body["variants"][0]["converted"] == 1
    assert (body["variants"][0]["uplift"], body["holdout"]["members"]) == (None, 0)


def test_a_draft_has_no_results(
    client: TestClient, session: Session, tenant: Principal, admin: dict[str, str]
) -> None:
    with session.begin():
        draft = campaign(session, tenant.tenant_id, CampaignStatus.draft)
    response = client.get(f"/api/v1/campaigns/{draft.id}/results", headers=admin)
    assert_problem(response, 409, "campaigns.not_launched")


def test_another_tenants_campaign_is_not_found(
    client: TestClient,
    session: Session,
    tenant: Principal,
    other_headers: dict[Role, dict[str, str]],
) -> None:
    small = _small_campaign(session, tenant)
    rival = other_headers[Role.admin]
    response = client.get(f"/api/v1/campaigns/{small.id}/results", headers=rival)
    assert_problem(response, 404, "campaigns.not_found")


def test_the_offer_counts_in_the_cost(
    client: TestClient, session: Session, tenant: Principal, admin: dict[str, str]
) -> None:
    """100 points to each of two members (1.00 at the default 100 points a yuan), and a 20 %
    off coupon one of them redeemed on a 150.00 order: 30.00 off. Two SMS at 0.05."""
    with session.begin():
        template = create_template(
            session,
            tenant,
            TemplateCreate.model_validate(
                {"name": "20 off", "kind": "percent_off", "percent_off": 20, "valid_days": 30}
            ),
        )
        row = campaign(session, tenant.tenant_id)
        row.points, row.coupon_template_id = 100, template.id
        build = Builder(session, row)
        variant = build.variant("A")
        redeemer, other = build.member(variant), build.member(variant)
        session.flush()
        for member, status in ((redeemer, CouponStatus.redeemed), (other, CouponStatus.issued)):
            session.add(
                Coupon(
                    tenant_id=tenant.tenant_id,
                    template_id=template.id,
                    member_id=member.id,
                    code=f"C{member.id}",
                    status=status,
                    source=CouponSource.campaign,
                    dedupe_key=f"campaign:{row.id}:{member.id}",
                    valid_from=LAUNCH,
                    valid_until=LAUNCH + 30 * DAY,
                    order_amount_cents=15_000 if status == CouponStatus.redeemed else None,
                )
            )
        session.execute(
            update(CampaignRecipient)
            .where(CampaignRecipient.campaign_id == row.id)
            .values(offer_granted_at=LAUNCH)
        )
    response = client.get(f"/api/v1/campaigns/{row.id}/results", headers=admin)
    assert response.status_code == 200, response.text
    assert response.json()["variants"][0]["cost"] == "32.10"
