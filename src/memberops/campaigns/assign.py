"""Holdout and A/B variants: a deterministic hash of (campaign, member) in SQL.

Each member draws two numbers from 0 to 99 from a multiplicative hash of their id, salted by the
campaign: the first puts them in the holdout (below ``holdout_percent``), the second picks their
variant by the variants' cumulative split. The same campaign and member always draw the same
numbers, on SQLite and PostgreSQL alike (integer arithmetic that stays inside 63 bits), so a
relaunched or re-measured campaign agrees with itself; :func:`draw` is the same hash in Python,
for tests and for anyone checking a member's place by hand.
"""

from sqlalchemy import ColumnElement, case, literal

#: Two LCG multipliers (Numerical Recipes, Borland) and their modulus; bits 12 and up of a step
#: are well spread for consecutive ids.
_MOD = 2**31
_MULTIPLIERS = (1_103_515_245, 22_695_477)
_SHIFT = 4096


def _offset(campaign_id: int, salt: int) -> int:
    return (campaign_id * 7919 + salt * 104_729 + 12_345) % _MOD


def draw(campaign_id: int, member_id: int, salt: int) -> int:
    """The member's number (0–99) for ``salt`` 0 (holdout) or 1 (variant)."""
    hashed = ((member_id % _MOD) * _MULTIPLIERS[salt] + _offset(campaign_id, salt)) % _MOD
    return (hashed // _SHIFT) % 100


def draw_sql(campaign_id: int, member_id: ColumnElement[int], salt: int) -> ColumnElement[int]:
    """:func:`draw` as a SQL expression over a member id column."""
    hashed = ((member_id % _MOD) * _MULTIPLIERS[salt] + _offset(campaign_id, salt)) % _MOD
    return (hashed // _SHIFT) % 100


def variant_sql(
    campaign_id: int, member_id: ColumnElement[int], splits: list[tuple[int, int]]
) -> ColumnElement[int]:
    """The variant id a member gets, from ``(variant id, split percent)`` pairs summing to
    100."""
    number, bound, whens = draw_sql(campaign_id, member_id, 1), 0, []
    for variant_id, percent in splits[:-1]:
        bound += percent
        whens.append((number < bound, literal(variant_id)))
    return case(*whens, else_=literal(splits[-1][0])) if whens else literal(splits[-1][0])


def variant_of(campaign_id: int, member_id: int, splits: list[tuple[int, int]]) -> int:
    """:func:`variant_sql` in Python."""
    number, bound = draw(campaign_id, member_id, 1), 0
    for variant_id, percent in splits:
        bound += percent
        if number < bound:
            return variant_id
    return splits[-1][0]
