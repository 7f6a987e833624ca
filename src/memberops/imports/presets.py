"""The fields a member file can fill, the presets that map a file's columns to them, and the
operator's ``--map column=field`` overrides.

A preset lists, for each field, the headers it goes by in the exports merchants actually have
(English and Chinese); headers are compared without case or surrounding spaces.
"""

from collections.abc import Sequence

from memberops.identity.models import IdentityType
from memberops.imports.errors import BadMapping, UnknownPreset
from memberops.members.models import ConsentChannel

#: Fields holding an identity, with the identity type each becomes.
IDENTITY_FIELDS: dict[str, IdentityType] = {
    "phone": IdentityType.phone,
    "email": IdentityType.email,
    "wechat_unionid": IdentityType.wechat_unionid,
    "wechat_openid": IdentityType.wechat_openid,
    "alipay_uid": IdentityType.alipay_uid,
    "crm_id": IdentityType.crm_id,
    "pos_card": IdentityType.pos_card,
}
#: The WeChat app a ``wechat_openid`` belongs to (openids are only unique per app).
APP_FIELD = "wechat_app"
ATTRIBUTE_FIELDS = ("name", "nickname", "gender", "birthday", "province", "city")
CONSENT_FIELDS: dict[str, ConsentChannel] = {f"consent_{c.value}": c for c in ConsentChannel}
#: ``custom.<key>`` fields fill the member's own attribute ``<key>``.
CUSTOM_PREFIX = "custom."
FIELDS = (
    *IDENTITY_FIELDS,
    APP_FIELD,
    *ATTRIBUTE_FIELDS,
    *CONSENT_FIELDS,
    "registered",
    "channel",
)

#: field -> column of the file it is read from.
ColumnMap = dict[str, str]

_GENERIC: dict[str, tuple[str, ...]] = {
    "phone": ("phone", "mobile", "手机号", "手机", "手机号码", "联系电话"),
    "email": ("email", "e-mail", "邮箱", "电子邮箱"),
    "wechat_unionid": ("wechat_unionid", "unionid"),
    "wechat_openid": ("wechat_openid", "openid"),
    APP_FIELD: ("wechat_app", "app", "appid"),
    "alipay_uid": ("alipay_uid", "支付宝uid"),
    "crm_id": ("crm_id", "会员编号", "会员id"),
    "pos_card": ("pos_card", "会员卡号", "卡号"),
    "name": ("name", "姓名"),
    "nickname": ("nickname", "昵称"),
    "gender": ("gender", "性别"),
    "birthday": ("birthday", "生日", "出生日期"),
    "province": ("province", "省份", "省"),
    "city": ("city", "城市", "市"),
    "registered": ("registered", "是否会员"),
    "channel": ("channel", "渠道", "来源渠道"),
    **{field: (field,) for field in CONSENT_FIELDS},
}
PRESETS: dict[str, dict[str, tuple[str, ...]]] = {"generic": _GENERIC}


def _header_key(header: str) -> str:
    return header.strip().lower()


def parse_overrides(options: Sequence[str]) -> list[tuple[str, str]]:
    """``["手机=phone"]`` -> ``[("手机", "phone")]``; the field is after the last ``=``."""
    pairs = []
    for option in options:
        column, sep, field = option.rpartition("=")
        if not sep or not column or not field:
            raise BadMapping(f"--map takes COLUMN=FIELD, not {option!r}.", option=option)
        pairs.append((column, field.strip()))
    return pairs


def _check_override(column: str, field: str, headers: Sequence[str]) -> None:
    if column not in headers:
        raise BadMapping(
            f"--map names column {column!r}, which the file does not have "
            f"(its columns: {', '.join(headers)}).",
            column=column,
        )
    if field not in FIELDS and not (
        field.startswith(CUSTOM_PREFIX) and len(field) > len(CUSTOM_PREFIX)
    ):
        raise BadMapping(
            f"--map names field {field!r}, which does not exist "
            f"(fields: {', '.join(FIELDS)}, or custom.<key>).",
            field=field,
        )


def resolve_columns(
    headers: Sequence[str], preset: str, overrides: Sequence[tuple[str, str]] = ()
) -> ColumnMap:
    """Which column each field is read from: the preset's first matching header in file
    order, then each override (which also frees its column from any other field)."""
    if preset not in PRESETS:
        raise UnknownPreset(
            f"Unknown preset {preset!r}; presets: {', '.join(PRESETS)}.", presets=list(PRESETS)
        )
    field_of = {
        _header_key(alias): f for f, aliases in PRESETS[preset].items() for alias in aliases
    }
    columns: ColumnMap = {}
    for header in headers:
        field = field_of.get(_header_key(header))
        if field is not None and field not in columns:
            columns[field] = header
    for column, field in overrides:
        _check_override(column, field, headers)
        columns = {f: c for f, c in columns.items() if c != column}
        columns[field] = column
    if not any(field in columns for field in IDENTITY_FIELDS):
        raise BadMapping(
            "No column maps to an identity (" + ", ".join(IDENTITY_FIELDS) + "); "
            "name one with --map COLUMN=phone.",
            columns=list(headers),
        )
    return columns
