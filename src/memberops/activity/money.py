"""Money at the edge: decimal strings in yuan (``"199.00"``, ``"199"``, ``"0.1"``) in, integer
cents stored, the same strings out.

Amounts are accepted only as JSON strings: a JSON number goes through binary floating point in
most clients (``0.1 + 0.2``), so ``199.9`` as a number is refused rather than guessed at.
At most two decimals, never negative, at most 13 digits before the point (fits 64-bit cents).
"""

import re
from typing import Annotated

from pydantic import BeforeValidator, Field, PlainSerializer

_AMOUNT = re.compile(r"(0|[1-9][0-9]{0,12})(\.[0-9]{1,2})?")


def to_cents(value: object) -> int:
    """``"199.5"`` → 19950; ValueError for anything but a non-negative decimal string with at
    most two decimals."""
    if not isinstance(value, str) or not _AMOUNT.fullmatch(value):
        raise ValueError(
            'amounts are decimal strings in yuan with at most two decimals, e.g. "199.00"'
        )
    whole, _, fraction = value.partition(".")
    return int(whole) * 100 + int(fraction.ljust(2, "0") or 0)


def to_yuan(cents: int) -> str:
    """19950 → ``"199.50"``."""
    return f"{cents // 100}.{cents % 100:02d}"


#: An amount in a request: a yuan string in, integer cents inside.
MoneyIn = Annotated[
    int,
    BeforeValidator(to_cents),
    Field(json_schema_extra={"type": "string", "pattern": _AMOUNT.pattern, "example": "199.00"}),
]
#: An amount in an answer: integer cents inside, a yuan string out.
MoneyOut = Annotated[int, PlainSerializer(to_yuan, return_type=str, when_used="always")]
#: An amount read and written as yuan strings (a rules document that is stored and shown).
Money = Annotated[
    int,
    BeforeValidator(to_cents),
    PlainSerializer(to_yuan, return_type=str, when_used="always"),
    Field(json_schema_extra={"type": "string", "pattern": _AMOUNT.pattern, "example": "199.00"}),
]
