"""Short random codes for invites and join scenes, in the coupons' alphabet (no 0/O, 1/I):
read aloud or typed from a card without mistakes, compared case-insensitively."""

import re
import secrets
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from memberops.loyalty.coupons.service import CODE_ALPHABET

#: 8 characters = 40 random bits: short enough for a card, and a collision is retried.
CODE_LENGTH = 8
_ATTEMPTS = 3
_NOT_IN_CODE = re.compile(r"[\s-]+")

T = TypeVar("T")


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normal_code(text: str) -> str:
    """A code as stored: upper case, spaces and hyphens dropped (``ab3d-ef7g`` → ``AB3DEF7G``)."""
    return _NOT_IN_CODE.sub("", text).upper()


def _insert(session: Session, make: Callable[[str], T]) -> T:
    with session.begin_nested():
        row = make(new_code())
        session.add(row)
        session.flush()
    return row


def insert_with_code(session: Session, make: Callable[[str], T]) -> T:
    """Add ``make(code)`` with a fresh code, in a savepoint retried on the rare collision with
    the tenant's unique code."""
    for _ in range(_ATTEMPTS - 1):
        try:
            return _insert(session, make)
        except IntegrityError:
            continue
    return _insert(session, make)
