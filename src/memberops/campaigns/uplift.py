"""The effect of a campaign variant against its holdout: the difference of conversion rates with
a confidence interval, the incremental conversions and revenue, ROI and the winning variant.
Pure numpy/scipy: ``measurement`` reads the counts from the database and hands them here.

The interval is Newcombe's hybrid score interval for a difference of independent proportions
(Newcombe 1998, "Interval estimation for the difference between independent proportions:
comparison of eleven methods", Statistics in Medicine 17(8), 873-890, method 10). Each rate
gets its Wilson (1927) score interval ``[l_i, u_i]``; with ``d = p_1 - p_2``,

    L = d - sqrt((p_1 - l_1)² + (u_2 - p_2)²),    U = d + sqrt((u_1 - p_1)² + (p_2 - l_2)²).

Why this one: campaign conversion rates are small (a few percent) and the holdout is a tenth of
the treated group, where the Wald interval ``d ± z·se`` undercovers badly and collapses to a
point at zero conversions; Newcombe found method 10's coverage close to nominal over that range,
and it is defined for zero conversions in either group. The tests pin his Table II.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from math import sqrt

from scipy.stats import norm  # type: ignore[import-untyped]

CONFIDENCE = 0.95


@dataclass(frozen=True)
class Group:
    """What a group of recipients did: its size, how many converted, the revenue they brought."""

    members: int
    conversions: int
    revenue_cents: int

    def __post_init__(self) -> None:
        if not 0 <= self.conversions <= self.members:
            raise ValueError("conversions must lie between 0 and the group's members")

    @property
    def rate(self) -> float:
        """The conversion rate (0 for an empty group)."""
        return self.conversions / self.members if self.members else 0.0


@dataclass(frozen=True)
class Uplift:
    """A treated group against the holdout. ``difference`` is the absolute uplift of the
    conversion rate (treated minus holdout), ``low``/``high`` its confidence interval;
    ``relative`` is the difference over the holdout's rate (None when the holdout's rate is
    0). Incremental figures scale the per-member difference to the treated group."""

    difference: float
    low: float
    high: float
    relative: float | None
    incremental_conversions: float
    incremental_revenue_cents: int

    @property
    def significant(self) -> bool:
        """The interval excludes 0 on the side of a gain."""
        return self.low > 0


def wilson(successes: int, trials: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Wilson's (1927) score interval for one proportion (Newcombe 1998, method 3): the
    ``p`` whose score test ``|p̂ - p| / sqrt(p(1-p)/n)`` does not reject at ``confidence``."""
    if trials <= 0 or not 0 <= successes <= trials:
        raise ValueError("a proportion needs trials > 0 and 0 <= successes <= trials")
    z = float(norm.ppf((1 + confidence) / 2))
    p, c = successes / trials, z * z / trials
    centre = (p + c / 2) / (1 + c)
    half = z * sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / (1 + c)
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe_interval(
    first: Group, second: Group, confidence: float = CONFIDENCE
) -> tuple[float, float]:
    """The hybrid score interval of ``first.rate - second.rate`` (Newcombe 1998, method 10;
    see the module's docstring). Both groups need members."""
    p1, p2 = first.rate, second.rate
    l1, u1 = wilson(first.conversions, first.members, confidence)
    l2, u2 = wilson(second.conversions, second.members, confidence)
    difference = p1 - p2
    low = difference - sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = difference + sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return low, high


def compare(treated: Group, holdout: Group, confidence: float = CONFIDENCE) -> Uplift | None:
    """The uplift of ``treated`` over ``holdout``; None when either group is empty (no holdout
    was kept, or no member was sent the variant): there is then nothing to measure against.

    Incremental revenue is ``(treated revenue per member - holdout revenue per member) ×
    treated members``, rounded to the cent: what the treated group brought beyond what it
    would have brought unsent, if it behaved like the holdout."""
    if treated.members == 0 or holdout.members == 0:
        return None
    low, high = newcombe_interval(treated, holdout, confidence)
    difference = treated.rate - holdout.rate
    per_member = treated.revenue_cents / treated.members - holdout.revenue_cents / holdout.members
    return Uplift(
        difference=difference,
        low=low,
        high=high,
        relative=difference / holdout.rate if holdout.rate else None,
        incremental_conversions=difference * treated.members,
        incremental_revenue_cents=round(per_member * treated.members),
    )


def roi(incremental_revenue_cents: int, cost_cents: int) -> float | None:
    """``(incremental revenue - cost) / cost``; None for a campaign that cost nothing (any
    return on nothing is unbounded)."""
    if cost_cents < 0:
        raise ValueError("a cost cannot be negative")
    if cost_cents == 0:
        return None
    return (incremental_revenue_cents - cost_cents) / cost_cents


def winner(
    variants: Mapping[str, Group],
    holdout: Group,
    confidence: float = CONFIDENCE,
) -> str | None:
    """The variant that wins, or None. The rule: a variant wins when (1) its interval against
    the holdout lies wholly above 0 and (2) against every other variant with members, the
    interval of its rate minus theirs (Newcombe's, the same method) lies wholly above 0. At most
    one variant can satisfy (2). Each comparison is at ``confidence`` with no correction for
    multiple comparisons: with many variants, a winner is a lead worth confirming, not proof."""
    for name, group in variants.items():
        against_holdout = compare(group, holdout, confidence)
        if against_holdout is None or not against_holdout.significant:
            continue
        others = [o for n, o in variants.items() if n != name and o.members > 0]
        if all(newcombe_interval(group, other, confidence)[0] > 0 for other in others):
            return name
    return None


def pooled_relative_lift(campaigns: Sequence[tuple[Group, Group]]) -> float | None:
    """The relative lift common to several campaigns' ``(treated, holdout)`` pairs: the
    Mantel-Haenszel risk ratio minus 1 (Mantel & Haenszel 1959, JNCI 22(4), 719-748; its risk
    ratio form and consistency in sparse data: Greenland & Robins 1985, "Estimation of a common
    effect parameter from sparse follow-up data", Biometrics 41(1), 55-68),

        RR = Σ_c a_c · m_c / N_c  /  Σ_c b_c · n_c / N_c,

    with ``a_c`` of ``n_c`` treated and ``b_c`` of ``m_c`` held out converting, ``N_c = n_c +
    m_c``. Pooling per campaign, rather than adding up all the treated and all the holdouts,
    keeps a campaign to a livelier crowd from passing for a better campaign. None when no
    holdout of any campaign converted (the ratio is then undefined)."""
    numerator = denominator = 0.0
    for treated, holdout in campaigns:
        total = treated.members + holdout.members
        if treated.members == 0 or holdout.members == 0:
            continue
        numerator += treated.conversions * holdout.members / total
        denominator += holdout.conversions * treated.members / total
    return numerator / denominator - 1 if denominator else None
