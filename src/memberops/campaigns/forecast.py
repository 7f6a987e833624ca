"""What a draft campaign is expected to do if launched now: reach, buyers, revenue, cost, ROI,
and with a budget the members worth sending to.

**Reach** is the crowd after the guard rails of the launch (address, consent, unsubscribe,
frequency cap: the launch's own judgement of each member, ``launch.judged_members``) and without the
holdout (``assign``'s hash, so exactly the members the launch would hold out).

**Chance to buy** in the attribution window of ``d`` days, per member, from the CLV room's
``MemberPrediction``: ``λ``, the purchases expected in ``d`` days, is read off the expected
purchases in 30, 90 and 365 days by linear interpolation (from 0 at 0 days; in proportion past
365). BG/NBD's buyer is alive with probability ``a = P(alive)`` and then buys as a Poisson
process, so the purchases an alive member is expected to make are ``λ / a`` and

    q = a · (1 - exp(-λ / a)),

the probability of at least one purchase (Fader, Hardie & Lee 2005, "Counting your customers
the easy way", Marketing Science 24(2), 275-284, for the model; treating the alive member's
count as Poisson ignores the posterior spread of their rate, which the short window makes
small). Members without a prediction count in the reach with ``q = 0``.

**Response**: the campaign multiplies the chance to buy and the purchases by ``1 + r``, with
``r`` the tenant's relative lift pooled over its finished campaigns with a holdout
(``uplift.pooled_relative_lift`` on ``measurement``'s counts), or the prior of the tenant's
``campaigns.economics`` when none measured it. Revenue is purchases × the member's expected
spend per order (Gamma-Gamma's, in the prediction).

**Cost** per reached member: the channel's message price, the offer's points at their checkout
value, and the coupon's face value (amount off, or percent off the member's expected order)
times their chance to buy, a buyer redeeming it once. **ROI** = (incremental revenue - cost) /
cost. With ``budget_cents``, members are taken by expected net value (incremental revenue
minus cost, highest first; ties by member id) while the cost stays within the budget.
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from memberops.campaigns import economics, launch, measurement
from memberops.campaigns.assign import draw_sql
from memberops.campaigns.effect_schemas import ForecastRead
from memberops.campaigns.errors import CampaignNotDraft
from memberops.campaigns.guard_rails import Rules
from memberops.campaigns.models import Campaign, CampaignStatus
from memberops.campaigns.uplift import Group, pooled_relative_lift, roi
from memberops.insights.clv.models import MemberPrediction
from memberops.kernel import clock
from memberops.loyalty.coupons.models import CouponKind
from memberops.tenancy.access import Principal, tenant_scope

Array = npt.NDArray[np.float64]
#: The horizons of ``MemberPrediction``'s expected purchases, in days.
HORIZONS = (30.0, 90.0, 365.0)
#: Finished campaigns the lift is pooled over, newest first.
MEASURED_CAMPAIGNS = 50


@dataclass(frozen=True)
class Reach:
    """The reached members' columns, read once, and the crowd's counts."""

    member_id: npt.NDArray[np.int64]
    channel: list[str]
    p_alive: Array
    expected: tuple[Array, Array, Array]
    spend: Array
    predicted: npt.NDArray[np.bool_]
    crowd: int
    holdout: int


def read_reach(session: Session, principal: Principal, campaign: Campaign, rules: Rules) -> Reach:
    """The crowd's counts, then the reached members with their predictions, each column read
    once (two queries over the launch's judgement of the crowd)."""
    judged = launch.judged_members(session, principal, campaign, rules, clock.now())
    eligible = judged.c.reason.is_(None)
    held = and_(eligible, draw_sql(campaign.id, judged.c.member_id, 0) < campaign.holdout_percent)
    crowd, holdout = session.execute(
        select(func.count(), func.coalesce(func.sum(case((held, 1), else_=0)), 0)).select_from(
            judged
        )
    ).one()
    p = MemberPrediction
    rows = session.execute(
        select(judged.c.member_id, judged.c.channel, p.p_alive, p.expected_30d)
        .add_columns(p.expected_90d, p.expected_365d, p.spend_per_order_cents, p.member_id)
        .outerjoin(p, and_(p.tenant_id == principal.tenant_id, p.member_id == judged.c.member_id))
        .where(eligible, ~held)
        .order_by(judged.c.member_id)
    ).all()
    columns = list(zip(*rows, strict=True)) if rows else [()] * 8

    def floats(i: int) -> Array:  # a member without a prediction reads NULL: 0
        return np.nan_to_num(np.array(columns[i], dtype=np.float64))

    return Reach(
        member_id=np.array(columns[0], dtype=np.int64),
        channel=[str(c) for c in columns[1]],
        p_alive=floats(2),
        expected=(floats(3), floats(4), floats(5)),
        spend=floats(6),
        predicted=np.array([v is not None for v in columns[7]], dtype=np.bool_),
        crowd=int(crowd),
        holdout=int(holdout),
    )


def window_purchases(days: float, expected: tuple[Array, Array, Array]) -> Array:
    """The purchases expected in ``days``: linear between the predictions' horizons (0 at 0
    days), in proportion to the 365-day figure beyond it."""
    e30, e90, e365 = expected
    if days <= HORIZONS[0]:
        return e30 * days / HORIZONS[0]
    if days <= HORIZONS[1]:
        return e30 + (e90 - e30) * (days - HORIZONS[0]) / (HORIZONS[1] - HORIZONS[0])
    if days <= HORIZONS[2]:
        return e90 + (e365 - e90) * (days - HORIZONS[1]) / (HORIZONS[2] - HORIZONS[1])
    return e365 * days / HORIZONS[2]


def chance_to_buy(purchases: Array, p_alive: Array) -> Array:
    """``a · (1 - exp(-λ / a))``: at least one purchase, for a member alive with probability
    ``a`` who then buys as a Poisson process (0 where ``a`` is 0)."""
    alive = np.where(p_alive > 0, p_alive, 1.0)
    return np.where(p_alive > 0, alive * -np.expm1(-purchases / alive), 0.0)


def measured_lift(session: Session, principal: Principal) -> tuple[float | None, int]:
    """The tenant's relative lift pooled over its newest finished campaigns with a holdout, and
    how many campaigns it pooled."""
    finished = session.scalars(
        tenant_scope(principal, Campaign)
        .where(Campaign.status == CampaignStatus.finished, Campaign.launched_at.is_not(None))
        .order_by(Campaign.finished_at.desc(), Campaign.id.desc())
        .limit(MEASURED_CAMPAIGNS)
    ).all()
    pairs: list[tuple[Group, Group]] = []
    for campaign in finished:
        counts = measurement.read_counts(session, principal, campaign)
        holdout = counts.pop(measurement.HOLDOUT_KEY, measurement.Counts())
        treated = sum(counts.values(), measurement.Counts())
        if holdout.members and treated.members:
            pairs.append((treated.group, holdout.group))
    return pooled_relative_lift(pairs), len(pairs)


@dataclass(frozen=True)
class PerMember:
    """Each reached member's expectations, unsent and sent, and cost, in cents."""

    baseline: Array  # chance to buy unsent
    buyers: Array  # chance to buy sent
    revenue: Array
    incremental_revenue: Array
    cost: Array


def per_member(
    session: Session, principal: Principal, campaign: Campaign, reach: Reach, lift: float
) -> PerMember:
    purchases = window_purchases(float(campaign.attribution_days), reach.expected)
    baseline = chance_to_buy(purchases, reach.p_alive)
    buyers = np.minimum(baseline * (1 + lift), 1.0)
    rules = economics.load_economics(session, principal)
    price = {name: rules.message_cents(name) for name in set(reach.channel)}
    messages = np.array([price[c] for c in reach.channel], dtype=np.float64)
    template = economics.offer_template(session, principal, campaign)
    # the face value per order of a cent, times each member's expected order (amount off:
    # the same for every order)
    face = economics.coupon_face_cents(template, 1.0) * reach.spend
    if template is not None and template.kind != CouponKind.percent_off:
        face = np.full(reach.spend.size, economics.coupon_face_cents(template, 0.0))
    points = economics.points_cents(session, principal, campaign)
    return PerMember(
        baseline=baseline,
        buyers=buyers,
        revenue=purchases * (1 + lift) * reach.spend,
        incremental_revenue=purchases * lift * reach.spend,
        cost=messages + points + face * buyers,
    )


def within_budget(
    member_id: npt.NDArray[np.int64], value: Array, cost: Array, budget_cents: int
) -> npt.NDArray[np.bool_]:
    """The members taken, highest net value first (ties by member id), while the cost of those
    taken stays within ``budget_cents``."""
    order = np.lexsort((member_id, -value))
    taken = np.cumsum(cost[order]) <= budget_cents
    chosen = np.zeros(member_id.size, dtype=np.bool_)
    chosen[order[taken]] = True
    return chosen


def forecast(
    session: Session, principal: Principal, campaign: Campaign, rules: Rules
) -> ForecastRead:
    """The forecast of a draft campaign launched now (see the module's docstring)."""
    if campaign.status != CampaignStatus.draft:
        raise CampaignNotDraft(
            f"Campaign {campaign.id} is {campaign.status}: only a draft is forecast.",
            status=str(campaign.status),
        )
    reach = read_reach(session, principal, campaign, rules)
    measured, pooled = measured_lift(session, principal)
    lift = economics.load_economics(session, principal).prior_relative_lift
    lift = lift if measured is None else measured
    each = per_member(session, principal, campaign, reach, lift)
    chosen = np.ones(reach.member_id.size, dtype=np.bool_)
    if campaign.budget_cents is not None:
        value = each.incremental_revenue - each.cost
        chosen = within_budget(reach.member_id, value, each.cost, campaign.budget_cents)
    cost = round(float(each.cost[chosen].sum()))
    incremental = round(float(each.incremental_revenue[chosen].sum()))
    return ForecastRead(
        campaign_id=str(campaign.id),
        crowd_members=reach.crowd,
        reach=int(chosen.sum()),
        holdout=reach.holdout,
        chosen_by_budget=campaign.budget_cents is not None,
        without_prediction=int((chosen & ~reach.predicted).sum()),
        lift_source="prior" if measured is None else "measured",
        relative_lift=lift,
        measured_campaigns=pooled,
        baseline_buyers=float(each.baseline[chosen].sum()),
        expected_buyers=float(each.buyers[chosen].sum()),
        incremental_buyers=float((each.buyers - each.baseline)[chosen].sum()),
        expected_revenue=round(float(each.revenue[chosen].sum())),
        incremental_revenue=incremental,
        cost=cost,
        roi=roi(incremental, cost),
    )
