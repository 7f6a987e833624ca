"""Cursor pagination over an increasing integer key.

Cursors are opaque to clients (URL-safe base64 of the last key seen), stable under inserts, and
never need an OFFSET scan, so page 1,000 costs what page 1 does.
"""

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute

from memberops.kernel.errors import InvalidInput


class Keyed(Protocol):
    """A row with the increasing integer key pages are cut on."""

    @property
    def id(self) -> int: ...


T = TypeVar("T", bound=Keyed)
S = TypeVar("S", bound=Select[*tuple[Any, ...]])

#: Keys are 64-bit row ids: a cursor outside this range was not given out by the API.
MAX_KEY = 2**63 - 1


def encode_cursor(last_key: int) -> str:
    return base64.urlsafe_b64encode(str(last_key).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    """The key a cursor stands for, or None for the first page; a forged cursor is a 422.

    Only the exact text :func:`encode_cursor` gives for a key in ``0..MAX_KEY`` is accepted, so
    no forged value (``-1``, ``1_0``, a number too large for the database) reaches a query.
    """
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = int(base64.urlsafe_b64decode(padded.encode()).decode())
        if not 0 <= key <= MAX_KEY or encode_cursor(key) != cursor:
            raise ValueError(cursor)
        return key
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidInput(
            "The cursor is not one this API gave out.",
            errors=[{"loc": ["query", "cursor"], "msg": "invalid cursor"}],
        ) from exc


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of results and the cursor of the next, if there is one."""

    items: Sequence[T]
    next_cursor: str | None


def cut_page(rows: Sequence[T], limit: int) -> Page[T]:
    """Rows read with ``limit + 1``: the first ``limit`` of them, and when there was one more,
    the cursor after the last one kept."""
    more = len(rows) > limit
    return Page(rows[:limit], encode_cursor(rows[limit - 1].id) if more else None)


def newest_first(query: S, key: InstrumentedAttribute[int], before: int | None, limit: int) -> S:
    """``query`` as one page of a newest-first list: rows keyed below the cursor's ``before``
    (all of them on the first page), highest key first, at most ``limit``."""
    if before is not None:
        query = query.where(key < before)
    return query.order_by(key.desc()).limit(limit)
