"""The order file presets, their default timezones, and the generic preset's columns.

A file's times without an offset are read in the preset's zone unless the caller passes one:
``generic`` in the tenant's timezone (Asia/Shanghai by default, as the tenant's), ``uci`` in
Europe/London (a UK shop; its times are local shop times), ``cdnow`` in America/New_York (a US
shop; its dates are local days).
"""

from collections.abc import Sequence

from memberops.imports.errors import BadMapping, UnknownPreset
from memberops.imports.presets import _GENERIC as MEMBER_COLUMNS
from memberops.imports.presets import APP_FIELD, IDENTITY_FIELDS

ZONES = {"generic": "Asia/Shanghai", "uci": "Europe/London", "cdnow": "America/New_York"}
PRESETS = tuple(ZONES)

GENERIC: dict[str, tuple[str, ...]] = {
    "order_id": ("order_id", "external_id", "订单号", "订单编号"),
    "paid_at": ("paid_at", "付款时间", "支付时间"),
    **{f: MEMBER_COLUMNS[f] for f in (*IDENTITY_FIELDS, APP_FIELD)},
    "channel": ("channel", "渠道"),
    "store": ("store", "店铺", "门店"),
    "sku": ("sku", "商品编码", "货号"),
    "name": ("name", "product_name", "商品名称"),
    "category": ("category", "类目"),
    "unit_price": ("unit_price", "price", "单价"),
    "list_price": ("list_price", "原价"),
    "quantity": ("quantity", "数量"),
    "is_new_product": ("is_new_product", "新品"),
    "is_gift_wrap": ("is_gift_wrap", "礼品包装"),
    "amount": ("amount", "实付金额"),
    "list_amount": ("list_amount", "应付金额"),
    "refund_id": ("refund_id", "退款单号"),
    "refund_amount": ("refund_amount", "退款金额"),
    "refunded_at": ("refunded_at", "退款时间"),
}
REQUIRED = ("order_id", "paid_at", "sku", "unit_price", "quantity")


def check_preset(preset: str) -> str:
    if preset not in ZONES:
        raise UnknownPreset(
            f"Unknown preset {preset!r}; presets: {', '.join(PRESETS)}.", presets=list(PRESETS)
        )
    return preset


def generic_columns(headers: Sequence[str]) -> dict[str, str]:
    """Field -> column for the generic preset (first matching header in file order; headers
    compared without case or surrounding spaces); refuses a file lacking a required column
    or any identity column."""
    field_of = {alias.strip().lower(): f for f, aliases in GENERIC.items() for alias in aliases}
    columns: dict[str, str] = {}
    for header in headers:
        field = field_of.get(header.strip().lower())
        if field is not None and field not in columns:
            columns[field] = header
    missing = [f for f in REQUIRED if f not in columns]
    if missing:
        raise BadMapping(
            f"The file has no column for {', '.join(missing)} (its columns: {', '.join(headers)}).",
            columns=list(headers),
        )
    if not any(f in columns for f in IDENTITY_FIELDS):
        raise BadMapping(
            "No column maps to an identity (" + ", ".join(IDENTITY_FIELDS) + ").",
            columns=list(headers),
        )
    return columns
