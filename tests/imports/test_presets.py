"""Column mapping: presets find the usual headers (English or Chinese, any case), ``--map``
overrides them, and a mapping that does not fit the file is refused naming what is wrong."""

import pytest

from memberops.imports.errors import BadMapping, UnknownPreset
from memberops.imports.presets import parse_overrides, resolve_columns


def test_the_generic_preset_knows_english_and_chinese_headers() -> None:
    headers = [" Phone ", "EMAIL", "姓名", "性别", "生日", "省份", "城市", "consent_wechat", "备注"]
    assert resolve_columns(headers, "generic") == {
        "phone": " Phone ",
        "email": "EMAIL",
        "name": "姓名",
        "gender": "性别",
        "birthday": "生日",
        "province": "省份",
        "city": "城市",
        "consent_wechat": "consent_wechat",
    }


def test_the_first_column_a_field_goes_by_wins() -> None:
    assert resolve_columns(["手机", "phone"], "generic") == {"phone": "手机"}


def test_overrides_win_and_take_their_column_from_any_other_field() -> None:
    headers = ["Mobile No", "手机号", "等级"]
    overrides = parse_overrides(["Mobile No=phone", "手机号=crm_id", "等级=custom.level"])
    assert resolve_columns(headers, "generic", overrides) == {
        "phone": "Mobile No",
        "crm_id": "手机号",
        "custom.level": "等级",
    }


def test_an_override_may_hold_an_equals_sign_in_the_column() -> None:
    assert parse_overrides(["a=b=phone"]) == [("a=b", "phone")]


@pytest.mark.parametrize("option", ["phone", "=phone", "手机号="])
def test_a_malformed_override_is_refused(option: str) -> None:
    with pytest.raises(BadMapping) as refused:
        parse_overrides([option])
    assert refused.value.detail == f"--map takes COLUMN=FIELD, not {option!r}."


def test_an_unknown_preset_is_refused() -> None:
    with pytest.raises(UnknownPreset) as refused:
        resolve_columns(["phone"], "taobao")
    assert refused.value.detail == "Unknown preset 'taobao'; presets: generic."


def test_an_override_naming_a_missing_column_names_it() -> None:
    with pytest.raises(BadMapping) as refused:
        resolve_columns(["手机号", "姓名"], "generic", [("Mobile", "phone")])
    assert refused.value.detail == (
        "--map names column 'Mobile', which the file does not have (its columns: 手机号, 姓名)."
    )
    assert refused.value.fields == {"column": "Mobile"}


@pytest.mark.parametrize("field", ["mobile", "custom."])
def test_an_override_naming_an_unknown_field_is_refused(field: str) -> None:
    with pytest.raises(BadMapping) as refused:
        resolve_columns(["手机号"], "generic", [("手机号", field)])
    assert refused.value.detail.startswith(f"--map names field {field!r}, which does not exist")


def test_a_mapping_without_an_identity_is_refused() -> None:
    with pytest.raises(BadMapping) as refused:
        resolve_columns(["姓名", "城市"], "generic")
    assert refused.value.detail == (
        "No column maps to an identity (phone, email, wechat_unionid, wechat_openid, "
        "alipay_uid, crm_id, pos_card); name one with --map COLUMN=phone."
    )
