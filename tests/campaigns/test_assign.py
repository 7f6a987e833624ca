"""The holdout and the variants: deterministic per campaign and member, the same in SQL on both
backends as in Python, and in the proportions asked for."""

from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import BigInteger, literal, select
from sqlalchemy.orm import Session

from memberops.campaigns.assign import draw, draw_sql, variant_of, variant_sql
from memberops.kernel.pagination import MAX_KEY

IDS = st.integers(min_value=1, max_value=MAX_KEY)
SPLITS = [(11, 20), (12, 30), (13, 50)]


@given(campaign=IDS, member=IDS, salt=st.sampled_from([0, 1]))
def test_a_draw_is_a_number_from_0_to_99_that_never_changes(
    campaign: int, member: int, salt: int
) -> None:
    number = draw(campaign, member, salt)
    assert 0 <= number <= 99
    assert draw(campaign, member, salt) == number


@pytest.mark.parametrize("campaign", [1, 2, 977, 123_456_789])
def test_consecutive_members_fall_in_the_holdout_and_variants_in_proportion(campaign: int) -> None:
    members = range(1, 100_001)
    held = sum(draw(campaign, m, 0) < 10 for m in members)
    assert abs(held / len(members) - 0.10) < 0.005
    split = Counter(variant_of(campaign, m, SPLITS) for m in members)
    for variant, percent in SPLITS:
        assert abs(split[variant] / len(members) - percent / 100) < 0.01
    in_both = sum(
        draw(campaign, m, 0) < 10 and variant_of(campaign, m, SPLITS) == 13 for m in members
    )
    assert abs(in_both / held - 0.5) < 0.02  # the variant does not depend on the holdout draw


def test_two_campaigns_holdouts_overlap_as_independent_draws_do() -> None:
    first = {m for m in range(1, 10_001) if draw(1, m, 0) < 10}
    second = {m for m in range(1, 10_001) if draw(2, m, 0) < 10}
    assert abs(len(first & second) / len(first) - 0.10) < 0.03  # as independent draws overlap


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(campaign=IDS, members=st.lists(IDS, min_size=1, max_size=20))
def test_sql_draws_what_python_draws(session: Session, campaign: int, members: list[int]) -> None:
    for member in members:
        query = select(
            draw_sql(campaign, literal(member, BigInteger), 0),
            variant_sql(campaign, literal(member, BigInteger), SPLITS),
        )
        with session.begin():
            holdout, variant = session.execute(query).one()
        assert (holdout, variant) == (
            draw(campaign, member, 0),
            variant_of(campaign, member, SPLITS),
        )
