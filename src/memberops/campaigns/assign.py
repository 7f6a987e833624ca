"""Holdout and A/B variants: a deterministic hash of (campaign, member) in SQL.

Each member draws two numbers from 0 to 99 from a hash of their id and the campaign's
(multiplicative and middle-square steps): the first puts them in the holdout (below
``holdout_percent``), the second picks their variant by the variants' cumulative split. The
same campaign and member always draw the same numbers, on SQLite and PostgreSQL alike (integer
arithmetic that stays inside 63 bits), so a relaunched or re-measured campaign agrees with
itself; :func:`draw` is the same hash in Python, for tests and for anyone checking a member's
place by hand.
"""

from typing import Any

from sqlalchemy import BigInteger, ColumnElement, case, literal, type_coerce

#: The hash's modulus and constants (Numerical Recipes' and Borland's LCG multipliers, Knuth's
#: golden-ratio one reduced below the modulus); every product stays below 2**63.
_MOD = 2**31
_A = (1_103_515_245, 22_695_477)
_B = (2_654_435_761 % _MOD, 1_597_334_677)
_HALF = 65_536


def _mixed(campaign_id: int, member_id: Any, salt: int) -> Any:
    """The hash, written once for Python ints and SQL expressions alike (``+ * // %`` on
    non-negative integers mean the same in both). A linear step alone would give every
    campaign the same holdout shifted by a constant (campaigns 1 and 2 shared 80 % of it);
    the middle-square steps make two campaigns' holdouts overlap as independent draws do."""
    x = (
        (member_id % _MOD) * _A[salt] + (campaign_id % _MOD) * _B[salt] + 12_345 * (salt + 1)
    ) % _MOD
    x = (x * x // _HALF + x) % _MOD
    x = ((x + x // _HALF) * _A[1 - salt]) % _MOD
    x = (x * x // _HALF + x) % _MOD
    return (x // 4096) % 100


def draw(campaign_id: int, member_id: int, salt: int) -> int:
    """The member's number (0–99) for ``salt`` 0 (holdout) or 1 (variant)."""
    number: int = _mixed(campaign_id, member_id, salt)
    return number


def draw_sql(campaign_id: int, member_id: ColumnElement[int], salt: int) -> ColumnElement[int]:
    """:func:`draw` as a SQL expression over a member id column (taken as 64-bit, so every
    constant binds as one)."""
    number: ColumnElement[int] = _mixed(campaign_id, type_coerce(member_id, BigInteger), salt)
    return number


def variant_sql(
    campaign_id: int, member_id: ColumnElement[int], splits: list[tuple[int, int]]
) -> ColumnElement[int]:
    """The variant id a member gets, from ``(variant id, split percent)`` pairs summing to
    100."""
    return variant_by(draw_sql(campaign_id, member_id, 1), splits)


def variant_by(number: ColumnElement[int], splits: list[tuple[int, int]]) -> ColumnElement[int]:
    """The variant of a member whose variant draw (salt 1) is ``number``, a column computed
    once (the hash is long: repeating it in each branch of the CASE would repeat its work)."""
    bound, whens = 0, []
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
