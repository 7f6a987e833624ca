"""What every request must satisfy before it reaches a room: text and numbers that every
supported database stores exactly as sent.

PostgreSQL refuses NUL characters in text and JSON, and JSON has no NaN or infinity (Python's
parser accepts them anyway; SQLite's JSON would silently store null). Both are refused at the
edge, as a 422 naming the field, instead of failing in the database as a 500.
"""

import math
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, field_validator


def storable(value: Any) -> Any:
    """``value`` unchanged, or ValueError when it (or anything nested in it) holds a NUL
    character or a non-finite number."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("text may not contain NUL (\\u0000) characters")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("numbers must be finite")
    elif isinstance(value, dict):
        for key, item in value.items():
            storable(key)
            storable(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            storable(item)
    return value


class Input(BaseModel):
    """Base of every request body: each field is checked by :func:`storable` (nested models
    check their own fields)."""

    @field_validator("*")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        return storable(value)


#: A query or path string checked by :func:`storable`.
Text = Annotated[str, AfterValidator(storable)]
