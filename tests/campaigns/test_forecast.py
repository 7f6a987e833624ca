"""``POST /campaigns/{id}/forecast`` on a small tenant whose predictions are set by hand: the
reach after the guard rails and the holdout, buyers, revenue, cost, ROI, the budget's choice,
and the lift measured from a finished campaign; every figure worked out in the docstrings."""

import math
from collections.abc import Iterator
from datetime import date

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from memberops.campaigns.assign import draw
from memberops.campaigns.forecast import chance_to_buy, window_purchases, within_budget
from memberops.campaigns.models import Campaign, CampaignStatus, Outcome
from memberops.crowds.models import CrowdMember
from memberops.insights.clv.models import MemberPrediction
from memberops.kernel import clock
from memberops.loyalty.coupons.schemas import TemplateCreate
from memberops.loyalty.coupons.templates import create_template
from memberops.tenancy.access import Principal
from tests.api.support import assert_invalid, assert_problem
from tests.campaigns import support
from tests.campaigns.builders import DAY, Builder, campaign

LN2 = math.log(2)


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with clock.frozen(support.NOW):
        yield


def _predict(session: Session, tenant_id: int, member_id: int, **figures: float) -> None:
    values = {"p_alive": 1.0, "expected_30d": 0.0, "spend_per_order_cents": 0, **figures}
    session.execute(
        insert(MemberPrediction),
        [
            {
                "tenant_id": tenant_id,
                "member_id": member_id,
                "as_of": date(2026, 12, 1),
                "frequency": 1,
                "recency_days": 10.0,
                "age_days": 100.0,
                "expected_90d": values["expected_30d"] * 3,
                "expected_365d": values["expected_30d"] * 12,
                "clv_12m_cents": 0,
                "churn_risk": "low",
                "computed_at": support.NOW,
                **values,
            }
        ],
    )


def _tenant(session: Session, tenant: Principal, **overrides: object) -> Campaign:
    """Ten members: the first three refused by a guard rail (no phone, no consent,
    unsubscribed; the first with the richest prediction, to show it is not counted), seven
    reachable. Of these, r1 buys in 30 days with chance 1/2 (P(alive) 1, ln 2 purchases
    expected, 100.00 an order), r2 with 1/4 (P(alive) 1/2, ln 2 / 2 expected, 200.00 an
    order), r3 has no prediction and r4–r7 are expected to buy nothing. An SMS costs 0.05 and
    the offer is 10.00 off."""
    with session.begin():
        ids = support.seed(session, tenant.tenant_id, 10)
        _predict(session, tenant.tenant_id, ids[0], expected_30d=5.0, spend_per_order_cents=9_999)
        _predict(session, tenant.tenant_id, ids[3], expected_30d=LN2, spend_per_order_cents=10_000)
        _predict(
            session, tenant.tenant_id, ids[4], p_alive=0.5, expected_30d=LN2 / 2,
            spend_per_order_cents=20_000,
        )  # fmt: skip
        for member_id in ids[6:]:
            _predict(session, tenant.tenant_id, member_id, spend_per_order_cents=5_000)
        template = create_template(
            session,
            tenant,
            TemplateCreate.model_validate(
                {"name": "10 off", "kind": "amount_off", "amount_off": "10.00", "valid_days": 30}
            ),
        )
        values = {"holdout_percent": 0, "attribution_days": 30, "coupon_template_id": template.id}
        crowd_id = support.crowd(session, tenant.tenant_id, ids)
        return support.draft(session, tenant, crowd_id, **(values | overrides))


def _forecast(client: TestClient, admin: dict[str, str], draft: Campaign) -> dict[str, object]:
    response = client.post(f"/api/v1/campaigns/{draft.id}/forecast", headers=admin)
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def test_forecast_with_the_prior_lift(
    client: TestClient, session: Session, tenant: Principal, admin: dict[str, str]
) -> None:
    """Prior lift 10 %: r1 buys with 0.55, r2 with 0.275. Revenue: ln 2 × 1.1 × 100.00 for
    each of r1 and r2 (r2 buys half as often, at twice the price) = 152.49; incremental ln 2 ×
    0.1 × 100.00 × 2 = 13.86. Cost: 7 SMS at 0.05, and 10.00 × (0.55 + 0.275) = 8.25 of
    coupons: 8.60. ROI (13.86 - 8.60) / 8.60."""
    body = _forecast(client, admin, _tenant(session, tenant))
    assert {k: body[k] for k in ("crowd_members", "reach", "holdout", "without_prediction")} == {
        "crowd_members": 10,
        "reach": 7,
        "holdout": 0,
        "without_prediction": 1,
    }
    assert (body["lift_source"], body["relative_lift"], body["measured_campaigns"]) == (
        "prior",
        0.1,
        0,
    )
    assert body["chosen_by_budget"] is False
    assert body["baseline_buyers"] == pytest.approx(0.75)
    assert body["expected_buyers"] == pytest.approx(0.825)
    assert body["incremental_buyers"] == pytest.approx(0.075)
    assert (body["expected_revenue"], body["incremental_revenue"], body["cost"]) == (
        "152.49",
        "13.86",
        "8.60",
    )
    assert body["roi"] == pytest.approx((1_386 - 860) / 860)


def test_the_tenants_economics_price_the_forecast(
    client: TestClient, session: Session, tenant: Principal, admin: dict[str, str]
) -> None:
    """Saved through ``PUT /campaign-economics``: an SMS at 0.20 and a prior lift of 20 %. r1
    buys with 0.6, r2 with 0.3: incremental ln 2 × 0.2 × 100.00 × 2 = 27.73; cost 7 × 0.20
    + 10.00 × 0.9 = 10.40. A negative price is refused and changes nothing."""
    draft = _tenant(session, tenant)
    economics = "/api/v1/campaign-economics"
    assert client.get(economics, headers=admin).json()["sms_cents"] == 5
    wrong = client.put(economics, json={"sms_cents": -1}, headers=admin)
    assert_invalid(wrong, ["body", "sms_cents"])
    saved = client.put(economics, json={"sms_cents": 20, "prior_relative_lift": 0.2}, headers=admin)
    assert saved.status_code == 200, saved.text
    assert client.get(economics, headers=admin).json() == saved.json()
    body = _forecast(client, admin, draft)
    assert (body["relative_lift"], body["incremental_revenue"], body["cost"]) == (
        0.2,
        "27.73",
        "10.40",
    )


def test_a_budget_takes_the_most_valuable_members_first(
    client: TestClient, session: Session, tenant: Principal, admin: dict[str, str]
) -> None:
    """Net values: r2 6.93 - 2.80 = 4.13, r1 6.93 - 5.55 = 1.38, the rest -0.05. A budget of
    6.00 takes r2 (2.80); r1 would bring the cost to 8.35, so the choice stops there."""
    body = _forecast(client, admin, _tenant(session, tenant, budget_cents=600))
    assert (body["chosen_by_budget"], body["reach"], body["without_prediction"]) == (True, 1, 0)
    assert body["expected_buyers"] == pytest.approx(0.275)
    assert (body["expected_revenue"], body["incremental_revenue"], body["cost"]) == (
        "76.25",
        "6.93",
        "2.80",
    )


def test_the_holdout_is_left_out_of_the_reach(
    client: TestClient, session: Session, tenant: Principal, admin: dict[str, str]
) -> None:
    draft = _tenant(session, tenant, holdout_percent=50)
    with session.begin():
        reachable = [m for m, n in zip(_members(session, draft), range(10), strict=True) if n >= 3]
    held = sum(draw(draft.id, m, 0) < 50 for m in reachable)
    body = _forecast(client, admin, draft)
    assert (body["holdout"], body["reach"]) == (held, 7 - held)


def _members(session: Session, draft: Campaign) -> list[int]:
    """The crowd's members in the order ``support.seed`` numbered them."""
    query = select(CrowdMember.member_id).where(CrowdMember.crowd_id == draft.crowd_id)
    return list(session.scalars(query.order_by(CrowdMember.member_id)))


def test_the_lift_measured_in_a_finished_campaign_replaces_the_prior(
    client: TestClient, session: Session, tenant: Principal, admin: dict[str, str]
) -> None:
    """A finished campaign: 2 of 4 sent bought, 1 of 4 held out: the risk ratio is 2, the lift
    1.0. r1 then buys for sure (0.5 × 2), r2 with 0.5."""
    with session.begin():
        build = Builder(session, campaign(session, tenant.tenant_id, CampaignStatus.finished))
        variant = build.variant("A")
        for n in range(4):
            sent = build.member(variant)
            if n < 2:
                build.order(sent, 1_000, DAY)
            held = build.member(None, Outcome.holdout)
            if n < 1:
                build.order(held, 1_000, DAY)
    body = _forecast(client, admin, _tenant(session, tenant))
    assert (body["lift_source"], body["measured_campaigns"]) == ("measured", 1)
    assert body["relative_lift"] == pytest.approx(1.0)
    assert body["expected_buyers"] == pytest.approx(1.5)


def test_only_a_draft_is_forecast(
    client: TestClient, session: Session, tenant: Principal, admin: dict[str, str]
) -> None:
    with session.begin():
        running = campaign(session, tenant.tenant_id)
    response = client.post(f"/api/v1/campaigns/{running.id}/forecast", headers=admin)
    assert_problem(response, 409, "campaigns.not_draft")


def _arrays(*values: float) -> np.ndarray:
    return np.array(values, dtype=np.float64)


def test_purchases_in_the_window_between_the_horizons() -> None:
    """30, 90 and 365 days predict 1, 2 and 5 purchases: 7 days 7/30; 60 days halfway from 1
    to 2; 365 days 5; two years twice that."""
    expected = (_arrays(1.0), _arrays(2.0), _arrays(5.0))
    got = [float(window_purchases(d, expected)[0]) for d in (7, 30, 60, 90, 365, 730)]
    assert got == pytest.approx([7 / 30, 1.0, 1.5, 2.0, 5.0, 10.0])


def test_chance_to_buy_by_hand() -> None:
    """Alive for sure, ln 2 expected: 1 - 1/2. Alive with 1/2, ln 2 / 2 expected (ln 2 while
    alive): 1/2 · 1/2. Never alive: 0, whatever is expected."""
    chance = chance_to_buy(_arrays(LN2, LN2 / 2, 3.0), _arrays(1.0, 0.5, 0.0))
    assert chance == pytest.approx([0.5, 0.25, 0.0])


def test_the_budget_breaks_ties_by_member_id_and_stops_at_the_first_that_does_not_fit() -> None:
    members = np.array([30, 10, 20, 40], dtype=np.int64)
    value, cost = _arrays(5.0, 5.0, 5.0, 9.0), _arrays(1.0, 1.0, 1.0, 3.0)
    assert within_budget(members, value, cost, 4).tolist() == [False, True, False, True]
    assert within_budget(members, value, cost, 5).tolist() == [False, True, True, True]
    assert not within_budget(members, value, cost, 2).any()
