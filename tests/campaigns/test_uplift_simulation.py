"""Issue 7, acceptance 3: members with a known true response lift receive a campaign, and the
measured uplift's 95 % interval covers the true lift in at least 90 of 100 seeded runs.

Each run is a campaign (its id the run's number) to members with their own base conversion
probability (2-8 %), split into treated and holdout by the launch's own rule (``assign.draw``,
10 % holdout); each converts with its base probability plus the true lift when treated, and the
run measures through ``uplift.compare``, the function the results endpoint uses. The runs are
seeded, so the count is the same every time.
"""

import numpy as np

from memberops.campaigns.assign import draw
from memberops.campaigns.uplift import Group, Uplift, compare

RUNS = 100
MEMBERS = 5_000
HOLDOUT_PERCENT = 10
TRUE_LIFT = 0.02  # absolute: two percentage points
MEMBER_IDS = range(1, MEMBERS + 1)


def one_run(seed: int) -> Uplift:
    """What one seeded campaign measures."""
    rng = np.random.default_rng(seed)
    base = rng.uniform(0.02, 0.08, MEMBERS)
    campaign_id = seed + 1
    in_holdout = np.array(
        [draw(campaign_id, member_id, 0) < HOLDOUT_PERCENT for member_id in MEMBER_IDS]
    )
    converted = rng.random(MEMBERS) < base + np.where(in_holdout, 0.0, TRUE_LIFT)
    treated = Group(
        members=int(np.count_nonzero(~in_holdout)),
        conversions=int(np.count_nonzero(converted & ~in_holdout)),
        revenue_cents=0,
    )
    holdout = Group(
        members=int(np.count_nonzero(in_holdout)),
        conversions=int(np.count_nonzero(converted & in_holdout)),
        revenue_cents=0,
    )
    uplift = compare(treated, holdout)
    assert uplift is not None
    return uplift


def test_the_interval_covers_the_true_lift_in_90_of_100_runs() -> None:
    measured = [one_run(seed) for seed in range(RUNS)]
    covered = sum(u.low <= TRUE_LIFT <= u.high for u in measured)
    assert covered >= 90, f"covered the true lift in {covered} of {RUNS} runs"
    # Coverage alone is cheap with wide intervals: the estimates centre on the lift, and no
    # interval is wider than six percentage points (about 500 members in each holdout).
    assert abs(np.mean([u.difference for u in measured]) - TRUE_LIFT) < 0.003
    assert max(u.high - u.low for u in measured) < 3 * TRUE_LIFT
