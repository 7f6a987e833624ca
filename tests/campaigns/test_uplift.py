"""The uplift arithmetic against Newcombe (1998)'s published intervals and by hand."""

import pytest

from memberops.campaigns.uplift import (
    Group,
    Uplift,
    compare,
    newcombe_interval,
    pooled_relative_lift,
    roi,
    wilson,
    winner,
)


def counts(conversions: int, members: int, revenue_cents: int = 0) -> Group:
    return Group(members=members, conversions=conversions, revenue_cents=revenue_cents)


#: Newcombe (1998), Table II, method 10 (score, no continuity correction): x1/n1 - x2/n2
TABLE_II = [
    ((56, 70, 48, 80), (0.0524, 0.3339)),
    ((9, 10, 3, 10), (0.1705, 0.8090)),
    ((6, 7, 2, 7), (0.0582, 0.8062)),
    ((5, 56, 0, 29), (-0.0381, 0.1926)),
    ((0, 10, 0, 20), (-0.1611, 0.2775)),
    ((0, 10, 0, 10), (-0.2775, 0.2775)),
    ((10, 10, 0, 20), (0.6791, 1.0000)),
    ((10, 10, 0, 10), (0.6075, 1.0000)),
]


@pytest.mark.parametrize(("observed", "published"), TABLE_II)
def test_newcombe_table_ii(
    observed: tuple[int, int, int, int], published: tuple[float, float]
) -> None:
    x1, n1, x2, n2 = observed
    low, high = newcombe_interval(counts(x1, n1), counts(x2, n2))
    assert (round(low, 4), round(high, 4)) == published


def test_wilson_by_hand() -> None:
    """81/263 (Newcombe 1998's single-proportion example, Wilson: 0.2553 to 0.3662)."""
    low, high = wilson(81, 263)
    assert (round(low, 4), round(high, 4)) == (0.2553, 0.3662)


def test_wilson_needs_trials() -> None:
    with pytest.raises(ValueError, match="trials > 0"):
        wilson(0, 0)


def test_a_group_cannot_convert_more_members_than_it_has() -> None:
    with pytest.raises(ValueError, match="between 0"):
        counts(3, 2)


def test_compare_by_hand() -> None:
    """900 treated members, 45 converted (5 %), 450,000 cents; 100 in the holdout, 3 converted
    (3 %), 30,000 cents. Per member 500 vs 300 cents: 200 × 900 = 180,000 incremental."""
    uplift = compare(counts(45, 900, 450_000), counts(3, 100, 30_000))
    assert uplift is not None
    assert uplift.difference == pytest.approx(0.02)
    assert uplift.relative == pytest.approx(2 / 3)
    assert uplift.incremental_conversions == pytest.approx(18.0)
    assert uplift.incremental_revenue_cents == 180_000
    assert (uplift.low, uplift.high) == newcombe_interval(counts(45, 900), counts(3, 100))
    assert uplift.low < 0 < uplift.high
    assert not uplift.significant


def test_zero_conversions_on_both_sides() -> None:
    """No one bought: a difference of 0 with an interval around it, no relative uplift."""
    uplift = compare(counts(0, 200), counts(0, 20))
    assert uplift is not None
    assert (uplift.difference, uplift.relative, uplift.incremental_revenue_cents) == (0, None, 0)
    assert uplift.low < 0 < uplift.high
    assert (round(uplift.low, 4), round(uplift.high, 4)) == (-0.1611, 0.0188)


def test_an_empty_holdout_measures_nothing() -> None:
    assert compare(counts(5, 100, 5_000), counts(0, 0)) is None
    assert compare(counts(0, 0), counts(1, 10)) is None


def test_roi() -> None:
    assert roi(180_000, 60_000) == 2.0
    assert roi(30_000, 60_000) == -0.5
    assert roi(10_000, 0) is None
    with pytest.raises(ValueError, match="negative"):
        roi(1, -1)


def test_a_significant_variant_that_beats_the_others_wins() -> None:
    holdout = counts(10, 1_000)
    variants = {"A": counts(60, 1_000), "B": counts(25, 1_000)}
    assert winner(variants, holdout) == "A"


def test_no_winner_when_the_leaders_are_indistinguishable() -> None:
    """Both beat the holdout, but A against B is within noise."""
    holdout = counts(10, 1_000)
    variants = {"A": counts(60, 1_000), "B": counts(55, 1_000)}
    assert all(_vs(g, holdout).significant for g in variants.values())
    assert winner(variants, holdout) is None


def test_no_winner_without_a_gain_over_the_holdout() -> None:
    holdout = counts(5, 100)
    assert winner({"A": counts(6, 100)}, holdout) is None
    assert winner({"A": counts(60, 100)}, counts(0, 0)) is None


def test_an_empty_variant_is_no_rival() -> None:
    assert winner({"A": counts(60, 1_000), "B": counts(0, 0)}, counts(10, 1_000)) == "A"


def _vs(group: Group, holdout: Group) -> Uplift:
    uplift = compare(group, holdout)
    assert uplift is not None
    return uplift


def test_pooled_lift_by_hand() -> None:
    """Two campaigns: 30 of 900 treated vs 2 of 100 held out (N 1,000), and 20 of 400 vs 4 of
    100 (N 500). RR = (30·100/1000 + 20·100/500) / (2·900/1000 + 4·400/500) = 7 / 5 = 1.4."""
    pairs = [(counts(30, 900), counts(2, 100)), (counts(20, 400), counts(4, 100))]
    assert pooled_relative_lift(pairs) == pytest.approx(0.4)


def test_pooled_lift_of_one_campaign_is_its_relative_uplift() -> None:
    treated, holdout = counts(45, 900), counts(3, 100)
    assert pooled_relative_lift([(treated, holdout)]) == pytest.approx(2 / 3)
    assert _vs(treated, holdout).relative == pytest.approx(2 / 3)


def test_pooled_lift_needs_a_holdout_conversion() -> None:
    assert pooled_relative_lift([]) is None
    assert pooled_relative_lift([(counts(5, 100), counts(0, 10))]) is None
    assert pooled_relative_lift([(counts(5, 100), counts(0, 0))]) is None
