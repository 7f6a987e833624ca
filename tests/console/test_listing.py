"""The member list behind the console: cursor pages, search by any identity, PII masked by
role on screen and in the CSV export."""

import csv
import io
from dataclasses import replace

from sqlalchemy.orm import Session

from memberops.console.listing import load_listing, members_csv
from memberops.console.viewer import TenantChoice, Viewer
from memberops.identity import service as identity
from memberops.identity.schemas import IdentityIn, MemberUpsert
from memberops.members.schemas import MemberAttributes
from memberops.tenancy.access import Principal
from memberops.tenancy.models import Role


def _member(session: Session, principal: Principal, phone: str, name: str | None = None) -> int:
    request = MemberUpsert(
        identities=[IdentityIn(type="phone", value=phone)],
        attributes=MemberAttributes(name=name),
        channel="pos",
        registered=True,
    )
    return int(identity.upsert_member(session, principal, request).id)


def _viewer(principal: Principal, locale: str = "zh-CN") -> Viewer:
    choice = TenantChoice(principal.tenant_id, "acme", principal.role)
    return Viewer(1, "someone@example.com", locale, principal, (choice,))


def test_pages_follow_the_cursor_and_search_finds_any_phone_format(
    session: Session, tenant: Principal
) -> None:
    with session.begin():
        ids = [_member(session, tenant, f"1380000000{n}", f"会员{n}") for n in range(5)]
        first = load_listing(session, tenant, "", None, 2)
        second = load_listing(session, tenant, "", first.next_after, 2)
        last = load_listing(session, tenant, "", second.next_after, 2)
        found = load_listing(session, tenant, "138 0000 0003", None, 2)
        by_name = load_listing(session, tenant, "会员", None, 10)
    assert [r.id for r in first.rows + second.rows + last.rows] == ids
    assert (first.total, last.next_after, found.next_after) == (5, None, None)
    assert [r.id for r in found.rows] == [ids[3]]
    assert found.rows[0].phone == "+8613800000003"
    assert found.rows[0].first_channel == "门店 POS"
    assert len(by_name.rows) == 5


def test_analyst_sees_masked_names_and_phones(session: Session, tenant: Principal) -> None:
    analyst = replace(tenant, role=Role.analyst)
    with session.begin():
        _member(session, tenant, "13800000000", "张三丰")
        (row,) = load_listing(session, analyst, "", None, 10).rows
    assert (row.name, row.phone) == ("张**", "+86138****0000")


def test_export_is_masked_csv_that_excel_reads_and_cannot_execute(
    session: Session, tenant: Principal
) -> None:
    analyst = replace(tenant, role=Role.analyst)
    with session.begin():
        _member(session, tenant, "13800000000", "张三丰")
        _member(session, tenant, "13900000000", "=HYPERLINK(1)")
        admin_rows = load_listing(session, tenant, "", None, 10).rows
        analyst_rows = load_listing(session, analyst, "", None, 10).rows
    admin_csv = members_csv(admin_rows, _viewer(tenant, "en"))
    analyst_csv = members_csv(analyst_rows, _viewer(analyst))
    assert admin_csv.startswith("\ufeff".encode())
    header, *rows = csv.reader(io.StringIO(admin_csv.decode("utf-8-sig")))
    assert header == ["ID", "Name", "Phone", "Registered", "First channel", "Created"]
    assert [r[1:4] for r in rows] == [
        ["张三丰", "+8613800000000", "Yes"],
        ["'=HYPERLINK(1)", "+8613900000000", "Yes"],
    ]
    masked = analyst_csv.decode("utf-8-sig")
    assert ("+86138****0000" in masked, "张**" in masked) == (True, True)
    assert ("13800000000" in masked, "张三丰" in masked) == (False, False)
