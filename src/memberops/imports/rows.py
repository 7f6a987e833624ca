"""Check one row of a member file with the API's rules and turn it into an :class:`Entry`, or
into one :class:`Problem` per bad cell.

Identities are normalised exactly as the API does (:func:`identity_key`: phones to E.164 in the
tenant's region, emails lower-cased) and attributes validated by the API's own
:class:`MemberAttributes`; only the spreadsheet spellings are added here: 男/女 for gender,
``YYYY/MM/DD`` and Excel date cells for birthdays, 1/0, true/false, yes/no, 是/否 for flags.
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from pydantic import ValidationError

from memberops.identity.normalise import IdentityKey, identity_key
from memberops.identity.schemas import IdentityIn
from memberops.imports.presets import (
    APP_FIELD,
    CONSENT_FIELDS,
    CUSTOM_PREFIX,
    IDENTITY_FIELDS,
)
from memberops.kernel.errors import DomainError
from memberops.kernel.schemas import storable
from memberops.members.models import ConsentChannel, Gender
from memberops.members.schemas import MemberAttributes

_GENDERS = {
    "male": Gender.male,
    "female": Gender.female,
    "unknown": Gender.unknown,
    "男": Gender.male,
    "女": Gender.female,
    "未知": Gender.unknown,
}
_FLAGS = {"1": True, "0": False, "true": True, "false": False, "yes": True, "no": False}
_FLAGS |= {"y": True, "n": False, "是": True, "否": False}
#: 1990-05-01, 1990/5/1, and "1990-05-01 00:00:00" as a date cell of an XLSX file reads.
_DATE = re.compile(r"(\d{4})([-/])(\d{1,2})\2(\d{1,2})(?: 00:00:00)?")
T = TypeVar("T")
#: As ``MemberUpsert.channel``.
_CHANNEL_MAX = 32


@dataclass(frozen=True, slots=True)
class Problem:
    """One bad cell (or a bad row, when ``column`` is empty), as the error report lists it."""

    row: int
    column: str
    value: str
    reason: str


@dataclass(frozen=True, slots=True)
class Entry:
    """One person as the file describes them: a valid row, or several rows folded together."""

    rows: tuple[int, ...]
    keys: tuple[IdentityKey, ...]
    attributes: MemberAttributes
    consent: dict[ConsentChannel, bool]
    channel: str | None
    registered: bool


def parse_gender(text: str) -> Gender:
    gender = _GENDERS.get(text.lower())
    if gender is None:
        raise ValueError("expected male, female, unknown, 男, 女 or 未知")
    return gender


def parse_birthday(text: str) -> date:
    match = _DATE.fullmatch(text)
    if match is None:
        raise ValueError("expected a date as YYYY-MM-DD or YYYY/MM/DD")
    try:
        return date(int(match[1]), int(match[3]), int(match[4]))
    except ValueError as exc:
        raise ValueError("no such date") from exc


def parse_channel(text: str) -> str:
    """A channel code, checked as ``MemberUpsert.channel`` is."""
    if len(text) > _CHANNEL_MAX:
        raise ValueError(f"String should have at most {_CHANNEL_MAX} characters")
    return str(storable(text))


def parse_flag(text: str) -> bool:
    flag = _FLAGS.get(text.lower())
    if flag is None:
        raise ValueError("expected 1/0, true/false, yes/no or 是/否")
    return flag


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return str(exc.errors()[0]["msg"])
    if isinstance(exc, DomainError):
        return exc.detail
    return str(exc)


class _RowReader:
    """The cells of one row by field, collecting a problem for each one that fails."""

    def __init__(self, number: int, cells: dict[str, str], columns: Mapping[str, str]) -> None:
        self.number, self.cells, self.columns = number, cells, columns
        self.problems: list[Problem] = []

    def fail(self, field: str, exc: Exception) -> None:
        self.problems.append(
            Problem(self.number, self.columns[field], self.cells[field], _reason(exc))
        )

    def keys(self, region: str) -> list[IdentityKey]:
        keys: list[IdentityKey] = []
        for field, type_ in IDENTITY_FIELDS.items():
            if field not in self.cells:
                continue
            app = self.cells.get(APP_FIELD) if field == "wechat_openid" else None
            try:
                key = identity_key(IdentityIn(type=type_, value=self.cells[field], app=app), region)
            except (ValidationError, DomainError) as exc:
                self.fail(field, exc)
                continue
            if key not in keys:
                keys.append(key)
        return keys

    def parsed(self, field: str, parse: Callable[[str], T]) -> T | None:
        """``parse`` of the field's cell; None when the cell is empty or bad."""
        if field not in self.cells:
            return None
        try:
            return parse(self.cells[field])
        except ValueError as exc:
            self.fail(field, exc)
            return None

    def attributes(self) -> MemberAttributes | None:
        values: dict[str, Any] = {
            "name": self.cells.get("name"),
            "nickname": self.cells.get("nickname"),
            "gender": self.parsed("gender", parse_gender),
            "birthday": self.parsed("birthday", parse_birthday),
            "province": self.cells.get("province"),
            "city": self.cells.get("city"),
        }
        custom = {
            f[len(CUSTOM_PREFIX) :]: self.parsed(f, storable)
            for f in self.cells
            if f.startswith(CUSTOM_PREFIX)
        }
        try:
            return MemberAttributes.model_validate(values | ({"custom": custom} if custom else {}))
        except ValidationError as exc:
            for error in exc.errors():
                self.fail(str(error["loc"][0]), ValueError(error["msg"]))
            return None


def parse_row(
    number: int, values: Mapping[str, str | None], columns: Mapping[str, str], region: str
) -> Entry | list[Problem]:
    """Row ``number``'s values by field as an :class:`Entry`, or its problems (a bad row
    imports nothing). ``columns`` names each field's column for the report."""
    cells = {f: v.strip() for f, v in values.items() if v is not None and v.strip()}
    if not cells:
        return [Problem(number, "", "", "blank row")]
    reader = _RowReader(number, cells, columns)
    keys = reader.keys(region)
    attributes = reader.attributes()
    consent = {c: reader.parsed(f, parse_flag) for f, c in CONSENT_FIELDS.items() if f in cells}
    registered = reader.parsed("registered", parse_flag)
    channel = reader.parsed("channel", parse_channel)
    if not any(field in cells for field in IDENTITY_FIELDS):
        named = [columns[f] for f in IDENTITY_FIELDS if f in columns]
        reader.problems.append(
            Problem(number, "", "", "no identity: fill one of " + ", ".join(named))
        )
    if reader.problems or attributes is None:
        return reader.problems
    decided = {c: granted for c, granted in consent.items() if granted is not None}
    return Entry((number,), tuple(keys), attributes, decided, channel, bool(registered))
