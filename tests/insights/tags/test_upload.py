"""Tagging by list: a CSV upload tags the members it names, reports every row that names no
active member (row number, column, value, reason) and never fails on one; the same list again
tags nobody twice; an unreadable list is refused and changes nothing."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from memberops.kernel import clock
from memberops.tenancy.models import Role
from tests.api.support import assert_problem, snapshot
from tests.insights.tags.support import (
    MEMBERS,
    NOW,
    TAGS,
    create_tag,
    holders,
    member,
    ok,
    tags_by_code,
)


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with clock.frozen(NOW):
        yield


def _upload(
    client: TestClient, admin: dict[str, str], tag_id: str, text: bytes, **params: str
) -> dict:  # type: ignore[type-arg]
    files = {"file": ("list.csv", text, "text/csv")}
    url = f"{TAGS}/{tag_id}/members:upload"
    answer = client.post(url, files=files, params=params, headers=admin)
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def _problems(report: dict) -> list[tuple[int, str, str, str]]:  # type: ignore[type-arg]
    return [(p["row"], p["column"], p["value"], p["reason"]) for p in report["problems"]]


PHONES = (
    "phone,name\n"
    "13800000001,安\n"
    "+86 138-0000-0002,\n"
    "12345,坏号码\n"
    "13899999999,没这个人\n"
    ",只有名字\n"
    "\n"
    "138 0000 0001,重复\n"
).encode()


def test_a_list_tags_its_members_and_reports_the_rest(
    client: TestClient, admin: dict[str, str]
) -> None:
    vip = create_tag(client, admin, code="vip", name="VIP")
    ann, bob = member(client, admin, "13800000001"), member(client, admin, "13800000002")
    report = _upload(client, admin, vip["id"], PHONES)
    assert {k: report[k] for k in ("column", "rows", "tagged", "unchanged")} == {
        "column": "phone",
        "rows": 6,
        "tagged": 2,
        "unchanged": 1,
    }
    assert _problems(report) == [
        (4, "phone", "12345", "'12345' is not a valid phone number."),
        (5, "phone", "13899999999", "no member with this phone"),
        (6, "phone", "", "String should have at least 1 character"),
    ]
    assert holders(client, admin, vip["id"]) == {ann, bob}
    sources = ok(client.get(f"{TAGS}/{vip['id']}/members", headers=admin))["items"]
    assert {m["source"] for m in sources} == {"upload"}
    again = _upload(client, admin, vip["id"], PHONES)
    assert (again["tagged"], again["unchanged"], again["problems"]) == (0, 3, report["problems"])
    assert holders(client, admin, vip["id"]) == {ann, bob}


def test_members_by_id_merged_and_erased_ones_reported(
    client: TestClient, admin: dict[str, str]
) -> None:
    vip = create_tag(client, admin, code="vip", name="VIP")
    ann = member(client, admin, "13800000001")
    old, absorbed = member(client, admin, "13800000002"), member(client, admin, "13800000003")
    both = [{"type": "phone", "value": v} for v in ("13800000002", "13800000003")]
    ok(client.post(MEMBERS, json={"identities": both}, headers=admin))
    gone = member(client, admin, "13800000004")
    ok(client.delete(f"{MEMBERS}/{gone}/pii", headers=admin))
    text = f"member_id\n{ann}\n{absorbed}\n{gone}\nabc\n999999999\n".encode()
    report = _upload(client, admin, vip["id"], text)
    assert (report["tagged"], report["unchanged"]) == (1, 0)
    assert _problems(report) == [
        (3, "member_id", absorbed, f"member {absorbed} was merged into {old}"),
        (4, "member_id", gone, f"member {gone} was erased"),
        (5, "member_id", "abc", "not a member id"),
        (6, "member_id", "999999999", "no member with this member_id"),
    ]


def test_the_column_is_chosen_and_chinese_excel_files_are_read(
    client: TestClient, admin: dict[str, str]
) -> None:
    vip = create_tag(client, admin, code="vip", name="VIP")
    ann = member(client, admin, "13800000001")
    ok(
        client.post(
            MEMBERS, json={"identities": [{"type": "crm_id", "value": "C-9"}]}, headers=admin
        )
    )
    text = "姓名,phone,crm_id\n王小安,13800000009,C-1\n".encode("gb18030")
    assert _problems(_upload(client, admin, vip["id"], text)) == [
        (2, "phone", "13800000009", "no member with this phone")
    ]
    crm = _upload(client, admin, vip["id"], b"phone,crm_id\n1,C-9\n", column="crm_id")
    assert (crm["column"], crm["tagged"], crm["problems"]) == ("crm_id", 1, [])
    assert len(holders(client, admin, vip["id"])) == 1
    assert ann not in holders(client, admin, vip["id"])


@pytest.mark.parametrize(
    ("text", "params"),
    [
        (b"", {}),
        (b"name,city\nA,B\n", {}),
        (b"phone\n13800000001\n", {"column": "crm_id"}),
        (b"phone\n13800000001\n", {"column": "wechat_openid"}),
        (b"phone\n1380\x000000001\n", {}),
        (b"phone\n\xff\xff\n", {}),
    ],
)
def test_an_unreadable_list_is_refused_and_changes_nothing(
    text: bytes, params: dict[str, str], client: TestClient, admin: dict[str, str], session: Session
) -> None:
    vip = create_tag(client, admin, code="vip", name="VIP")
    member(client, admin, "13800000001")
    before = snapshot(session)
    files = {"file": ("list.csv", text, "text/csv")}
    answer = client.post(
        f"{TAGS}/{vip['id']}/members:upload", files=files, params=params, headers=admin
    )
    assert_problem(answer, 422, "tags.unreadable_upload")
    assert snapshot(session) == before


def test_a_list_needs_a_file_and_a_manual_tag(
    client: TestClient, admin: dict[str, str], other_headers: dict[Role, dict[str, str]]
) -> None:
    vip = create_tag(client, admin, code="vip", name="VIP")
    url = f"{TAGS}/{vip['id']}/members:upload"
    assert_problem(client.post(url, headers=admin), 422, "tags.unreadable_upload")
    herd = tags_by_code(client, admin)["herd"]
    files = {"file": ("list.csv", PHONES, "text/csv")}
    answer = client.post(f"{TAGS}/{herd['id']}/members:upload", files=files, headers=admin)
    assert_problem(answer, 409, "tags.not_manual")
    rival = client.post(url, files=files, headers=other_headers[Role.admin])
    assert_problem(rival, 404, "tags.not_found")
