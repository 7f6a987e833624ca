"""One row of a member file: the API's rules, the spreadsheet spellings, and a problem for
every bad cell naming its column."""

from datetime import date

import pytest

from memberops.identity.models import IdentityType
from memberops.imports.rows import Entry, Problem, parse_birthday, parse_flag, parse_gender
from memberops.imports.rows import parse_row as parse
from memberops.members.models import ConsentChannel, Gender
from memberops.members.schemas import MemberAttributes

COLUMNS = {
    "phone": "手机号",
    "email": "邮箱",
    "wechat_openid": "openid",
    "wechat_app": "app",
    "name": "姓名",
    "gender": "性别",
    "birthday": "生日",
    "consent_sms": "短信",
    "registered": "会员",
    "channel": "渠道",
    "custom.level": "等级",
}


def parse_row(number: int, values: dict[str, str | None]) -> Entry | list[Problem]:
    return parse(number, values, COLUMNS, "CN")


def test_a_good_row_becomes_an_entry_with_normalised_identities() -> None:
    entry = parse_row(
        2,
        {
            "phone": " 138 0000 0001 ",
            "email": "ZS@QQ.com",
            "wechat_openid": "oOpen1",
            "wechat_app": "wxapp",
            "name": "张三",
            "gender": "男",
            "birthday": "1990/5/1",
            "consent_sms": "是",
            "registered": "1",
            "channel": "pos",
            "custom.level": "金卡",
        },
    )
    assert entry == Entry(
        rows=(2,),
        keys=(
            (IdentityType.phone, "", "+8613800000001"),
            (IdentityType.email, "", "zs@qq.com"),
            (IdentityType.wechat_openid, "wxapp", "oOpen1"),
        ),
        attributes=MemberAttributes(
            name="张三", gender=Gender.male, birthday=date(1990, 5, 1), custom={"level": "金卡"}
        ),
        consent={ConsentChannel.sms: True},
        channel="pos",
        registered=True,
    )


def test_empty_cells_set_nothing() -> None:
    entry = parse_row(3, {"phone": "13800000001", "name": "", "gender": None, "consent_sms": " "})
    assert entry == Entry(
        (3,), ((IdentityType.phone, "", "+8613800000001"),), MemberAttributes(), {}, None, False
    )


def test_every_bad_cell_is_one_problem_naming_its_column() -> None:
    problems = parse_row(
        7,
        {
            "phone": "12345",
            "email": "bad@",
            "wechat_openid": "oOpen1",
            "name": "张" * 201,
            "gender": "X",
            "birthday": "1990-02-30",
            "consent_sms": "maybe",
            "registered": "sure",
            "channel": "c" * 33,
        },
    )
    assert problems == [
        Problem(7, "手机号", "12345", "'12345' is not a valid phone number."),
        Problem(7, "邮箱", "bad@", "'bad@' is not an email address."),
        Problem(7, "openid", "oOpen1", "A wechat_openid identity needs its app."),
        Problem(7, "性别", "X", "expected male, female, unknown, 男, 女 or 未知"),
        Problem(7, "生日", "1990-02-30", "no such date"),
        Problem(7, "姓名", "张" * 201, "String should have at most 200 characters"),
        Problem(7, "短信", "maybe", "expected 1/0, true/false, yes/no or 是/否"),
        Problem(7, "会员", "sure", "expected 1/0, true/false, yes/no or 是/否"),
        Problem(7, "渠道", "c" * 33, "String should have at most 32 characters"),
    ]


def test_one_bad_cell_makes_the_whole_row_bad() -> None:
    assert parse_row(4, {"phone": "13800000001", "birthday": "31/12/1990"}) == [
        Problem(4, "生日", "31/12/1990", "expected a date as YYYY-MM-DD or YYYY/MM/DD")
    ]


def test_a_row_without_identity_or_without_anything_is_reported() -> None:
    assert parse_row(5, {"phone": None, "name": "王五", "gender": "?"}) == [
        Problem(5, "性别", "?", "expected male, female, unknown, 男, 女 or 未知"),
        Problem(5, "", "", "no identity: fill one of 手机号, 邮箱, openid"),
    ]
    assert parse_row(6, {"phone": None, "name": " ", "email": ""}) == [
        Problem(6, "", "", "blank row")
    ]


def test_a_nul_character_is_refused_wherever_it_is_as_the_api_refuses_it() -> None:
    nul = "text may not contain NUL (\\u0000) characters"
    values = {"phone": "138\x00", "name": "张\x00三", "channel": "pos\x00", "custom.level": "\x00"}
    assert parse_row(2, values) == [
        Problem(2, "手机号", "138\x00", f"Value error, {nul}"),
        Problem(2, "等级", "\x00", nul),
        Problem(2, "姓名", "张\x00三", f"Value error, {nul}"),
        Problem(2, "渠道", "pos\x00", nul),
    ]


@pytest.mark.parametrize(
    ("text", "gender"),
    [
        ("男", Gender.male),
        ("女", Gender.female),
        ("Female", Gender.female),
        ("未知", Gender.unknown),
    ],
)
def test_genders(text: str, gender: Gender) -> None:
    assert parse_gender(text) == gender


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("1990-05-01", date(1990, 5, 1)),
        ("1990/5/1", date(1990, 5, 1)),
        ("1990-05-01 00:00:00", date(1990, 5, 1)),  # an XLSX date cell
    ],
)
def test_birthdays(text: str, day: date) -> None:
    assert parse_birthday(text) == day


@pytest.mark.parametrize("text", ["1990-05/01", "19900501", "1990-05-01 13:00:00", "5/1/1990"])
def test_birthdays_in_other_forms_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"^expected a date as YYYY-MM-DD or YYYY/MM/DD$"):
        parse_birthday(text)


@pytest.mark.parametrize(
    ("text", "flag"),
    [("1", True), ("0", False), ("TRUE", True), ("false", False), ("是", True), ("否", False)],
)
def test_flags(text: str, flag: bool) -> None:
    assert parse_flag(text) is flag
