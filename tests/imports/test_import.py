"""Importing member files into the database, on SQLite and PostgreSQL: rows become members
(or match them, or merge them) exactly as the API would, bad rows write nothing and are
reported, and importing the same file again changes nothing."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from memberops.identity.models import Identity
from memberops.identity.schemas import IdentityIn, MemberUpsert
from memberops.identity.service import upsert_member
from memberops.imports import service
from memberops.imports.models import ImportRun
from memberops.imports.reader import ImportSource, load_source
from memberops.imports.rows import Problem
from memberops.imports.run import CHECKING, IMPORTING, import_members, run_import
from memberops.imports.service import Outcome
from memberops.kernel import clock
from memberops.members.models import Consent, Member, MemberStatus
from memberops.members.schemas import MemberAttributes
from memberops.tenancy.access import Principal
from memberops.tenancy.models import AuditEntry

T0 = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)
HEADER = "手机号,姓名,性别,生日,城市,邮箱,consent_sms,channel\n"


def csv(text: str) -> ImportSource:
    return load_source("members.csv", (HEADER + text).encode(), "generic")


def run(session: Session, tenant: Principal, text: str) -> Outcome:
    with session.begin():
        return import_members(session, tenant, csv(text))


def figures(outcome: Outcome) -> dict[str, int]:
    return outcome.counts()


def snapshot(session: Session, tenant: Principal) -> dict[str, Any]:
    """Everything a re-import must leave as it was."""

    def count(model: Any) -> int:
        query = select(func.count()).select_from(model).where(model.tenant_id == tenant.tenant_id)
        return session.scalar(query) or 0

    with session.begin():
        return {
            "members": count(Member),
            "identities": count(Identity),
            "consents": count(Consent),
            "audit rows": count(AuditEntry),
            "latest update": session.scalar(
                select(func.max(Member.updated_at)).where(Member.tenant_id == tenant.tenant_id)
            ),
        }


def members_of(session: Session, tenant: Principal) -> list[dict[str, Any]]:
    """Each active member with its attributes, identities and consent, oldest first."""
    with session.begin():
        found = session.scalars(
            select(Member)
            .where(Member.tenant_id == tenant.tenant_id, Member.status == MemberStatus.active)
            .order_by(Member.id)
        ).all()
        return [
            {
                "name": m.name,
                "gender": m.gender,
                "birthday": m.birthday,
                "city": m.city,
                "first_channel": m.first_channel,
                "identities": sorted(
                    (str(i.type), i.value, i.source)
                    for i in session.scalars(select(Identity).where(Identity.member_id == m.id))
                ),
                "consent": {
                    str(c.channel): (c.granted, c.source)
                    for c in session.scalars(select(Consent).where(Consent.member_id == m.id))
                },
            }
            for m in found
        ]


def actions(session: Session, tenant: Principal) -> list[str]:
    with session.begin():
        return list(
            session.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.tenant_id == tenant.tenant_id)
                .order_by(AuditEntry.id)
            )
        )


def test_rows_become_members_as_the_api_would_make_them(
    session: Session, tenant: Principal
) -> None:
    with clock.frozen(T0):
        outcome = run(
            session,
            tenant,
            "138 0000 0001,张三,男,1990/05/01,杭州,ZS@QQ.com,是,pos\n"
            "+86 138-0000-0002,李四,女,,上海,,否,\n",
        )
    assert figures(outcome) == {
        "rows": 2,
        "created": 2,
        "matched": 0,
        "updated": 0,
        "merged": 0,
        "bad_rows": 0,
    }
    assert members_of(session, tenant) == [
        {
            "name": "张三",
            "gender": "male",
            "birthday": date(1990, 5, 1),
            "city": "杭州",
            "first_channel": "pos",
            "identities": [("email", "zs@qq.com", "pos"), ("phone", "+8613800000001", "pos")],
            "consent": {"sms": (True, "pos")},
        },
        {
            "name": "李四",
            "gender": "female",
            "birthday": None,
            "city": "上海",
            "first_channel": None,
            "identities": [("phone", "+8613800000002", "test")],
            "consent": {"sms": (False, "test")},
        },
    ]


def test_bad_rows_are_reported_and_write_nothing(session: Session, tenant: Principal) -> None:
    outcome = run(
        session,
        tenant,
        "13800000001,张三,,,,,,\n"
        "12345,李四,X,1990-02-30,,bad@,maybe,\n"
        ",王五,,,,,,\n"
        "13800000003,赵六,,31/12/1990,,,,\n",
    )
    assert outcome.problems == [
        Problem(3, "手机号", "12345", "'12345' is not a valid phone number."),
        Problem(3, "邮箱", "bad@", "'bad@' is not an email address."),
        Problem(3, "性别", "X", "expected male, female, unknown, 男, 女 or 未知"),
        Problem(3, "生日", "1990-02-30", "no such date"),
        Problem(3, "consent_sms", "maybe", "expected 1/0, true/false, yes/no or 是/否"),
        Problem(4, "", "", "no identity: fill one of 手机号, 邮箱"),
        Problem(5, "生日", "31/12/1990", "expected a date as YYYY-MM-DD or YYYY/MM/DD"),
    ]
    assert figures(outcome) == {
        "rows": 4,
        "created": 1,
        "matched": 0,
        "updated": 0,
        "merged": 0,
        "bad_rows": 3,
    }
    assert [m["identities"] for m in members_of(session, tenant)] == [
        [("phone", "+8613800000001", "test")]
    ]


FILE = (
    "13800000001,张三,男,1990-05-01,杭州,zs@qq.com,1,pos\n"
    "13800000002,李四,,,,,0,taobao\n"
    "138 0000 0001,张三丰,,,,,,\n"  # the same person as row 2
    "bad,王五,,,,,,\n"
)


def test_importing_the_same_file_again_changes_nothing(session: Session, tenant: Principal) -> None:
    with clock.frozen(T0):
        first = run(session, tenant, FILE)
    before = snapshot(session, tenant)
    with clock.frozen(T0 + timedelta(days=1)):
        again = run(session, tenant, FILE)
    assert snapshot(session, tenant) == before
    assert before["latest update"] == T0
    assert (figures(first), figures(again)) == (
        {"rows": 4, "created": 2, "matched": 1, "updated": 0, "merged": 0, "bad_rows": 1},
        {"rows": 4, "created": 0, "matched": 3, "updated": 0, "merged": 0, "bad_rows": 1},
    )
    assert (
        again.problems
        == first.problems
        == [Problem(5, "手机号", "bad", "'bad' is not a phone number.")]
    )


def test_each_run_is_recorded_and_audited_once_when_it_changed_something(
    session: Session, tenant: Principal
) -> None:
    with clock.frozen(T0):
        run(session, tenant, FILE)
        run(session, tenant, FILE)
    with session.begin():
        runs = session.scalars(
            select(ImportRun).where(ImportRun.tenant_id == tenant.tenant_id).order_by(ImportRun.id)
        ).all()
        assert [(r.rows, r.created, r.matched, r.bad_rows, r.finished_at) for r in runs] == [
            (4, 2, 1, 1, T0),
            (4, 0, 3, 1, T0),
        ]
        audit = session.scalars(
            select(AuditEntry).where(
                AuditEntry.tenant_id == tenant.tenant_id, AuditEntry.action == "import.members"
            )
        ).all()
        assert [(a.actor, a.entity_type, a.entity_id, a.after) for a in audit] == [
            (
                "test",
                "import_run",
                str(runs[0].id),
                {
                    "file": "members.csv",
                    "sha256": csv(FILE).sha256,
                    "preset": "generic",
                    "rows": 4,
                    "created": 2,
                    "matched": 1,
                    "updated": 0,
                    "merged": 0,
                    "bad_rows": 1,
                },
            )
        ]
    assert actions(session, tenant)[1:] == ["import.members"]  # after tenant.create


def _existing(session: Session, tenant: Principal, phone: str, **attributes: Any) -> str:
    with session.begin():
        request = MemberUpsert(
            identities=[IdentityIn(type="phone", value=phone)],
            attributes=MemberAttributes(**attributes),
            consent={"sms": True},
        )
        return upsert_member(session, tenant, request).id


def test_rows_matching_existing_members_update_them(session: Session, tenant: Principal) -> None:
    with clock.frozen(T0):
        _existing(session, tenant, "13800000001", name="张三", city="上海")
        _existing(session, tenant, "13800000002", name="李四")
        before = actions(session, tenant)
    with clock.frozen(T0 + timedelta(days=1)):
        outcome = run(
            session,
            tenant,
            "13800000001,,,,杭州,,0,\n"  # all its identities known: compared in memory
            "13800000002,李四,,,,ls@qq.com,,\n",  # a new identity: through upsert_member
        )
    assert figures(outcome) == {
        "rows": 2,
        "created": 0,
        "matched": 2,
        "updated": 2,
        "merged": 0,
        "bad_rows": 0,
    }
    assert [
        (m["name"], m["city"], m["identities"], m["consent"]) for m in members_of(session, tenant)
    ] == [
        ("张三", "杭州", [("phone", "+8613800000001", "test")], {"sms": (False, "test")}),
        (
            "李四",
            None,
            [("email", "ls@qq.com", "test"), ("phone", "+8613800000002", "test")],
            {"sms": (True, "test")},
        ),
    ]
    assert actions(session, tenant)[len(before) :] == [
        "member.update",
        "member.consent",
        "member.identities",
        "import.members",
    ]
    with session.begin():
        assert session.scalar(select(func.max(Member.updated_at))) == T0 + timedelta(days=1)


def test_registering_an_existing_member_goes_through_upsert_member(
    session: Session, tenant: Principal
) -> None:
    load = "手机号,registered\n13800000001,是\n".encode()
    _existing(session, tenant, "13800000001")
    with session.begin():
        outcome = import_members(session, tenant, load_source("m.csv", load, "generic"))
        assert session.scalar(select(Member.is_registered)) is True
    assert (outcome.matched, outcome.updated) == (1, 1)
    assert actions(session, tenant)[-2:] == ["member.register", "import.members"]


def test_rows_sharing_an_identity_become_one_member(session: Session, tenant: Principal) -> None:
    outcome = run(
        session,
        tenant,
        "13800000001,张三,男,,杭州,,1,pos\n"
        "13800000002,李四,,,,,,\n"
        "+86 138 0000 0001,张三丰,,,,zs@qq.com,0,taobao\n",
    )
    assert (outcome.created, outcome.matched) == (2, 1)
    assert members_of(session, tenant)[0] == {
        "name": "张三丰",
        "gender": "male",
        "birthday": None,
        "city": "杭州",
        "first_channel": "pos",
        "identities": [("email", "zs@qq.com", "pos"), ("phone", "+8613800000001", "pos")],
        "consent": {"sms": (False, "pos")},
    }


def test_a_row_linking_two_members_merges_them_into_the_older(
    session: Session, tenant: Principal
) -> None:
    with clock.frozen(T0):
        older = _existing(session, tenant, "13800000001", name="张三")
    with clock.frozen(T0 + timedelta(days=1)), session.begin():
        upsert_member(
            session,
            tenant,
            MemberUpsert(identities=[IdentityIn(type="email", value="zs@qq.com")]),
        )
    outcome = run(session, tenant, "13800000001,,,,杭州,zs@qq.com,,\n")
    assert figures(outcome) == {
        "rows": 1,
        "created": 0,
        "matched": 1,
        "updated": 1,
        "merged": 1,
        "bad_rows": 0,
    }
    with session.begin():
        statuses = session.execute(
            select(Member.id, Member.status, Member.city).order_by(Member.id)
        ).all()
    assert [(str(i), s, c) for i, s, c in statuses] == [
        (older, "active", "杭州"),
        (str(int(older) + 1), "merged", None),
    ]


def test_another_tenants_members_are_never_matched(
    session: Session, tenant: Principal, other_tenant: Principal
) -> None:
    run(session, tenant, FILE)
    mine = snapshot(session, tenant)
    outcome = run(session, other_tenant, FILE)
    assert (outcome.created, outcome.matched) == (2, 1)
    assert snapshot(session, tenant) == mine


def test_rows_linked_by_more_identities_than_one_request_takes_are_reported(
    session: Session, tenant: Principal
) -> None:
    text = "".join(f"13800000001,,,,,u{n}@qq.com,,\n" for n in range(50))  # 51 identities
    outcome = run(session, tenant, text)
    rows = list(range(2, 52))
    reason = (
        "List should have at most 50 items after validation, not 51 "
        f"(rows {', '.join(map(str, rows))} are one person)"
    )
    assert outcome.problems == [Problem(row, "", "", reason) for row in rows]
    assert snapshot(session, tenant)["members"] == 0


def test_identities_written_meanwhile_send_new_rows_one_by_one(
    session: Session, tenant: Principal, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bulk insert of new members meets a clash (as a concurrent writer would cause) and
    rolls back to its savepoint; the rows then go through upsert_member and are all created."""
    taken = _existing(session, tenant, "13900000000")
    monkeypatch.setattr(service, "_new_member_ids", lambda _s, n: [int(taken)] * n)
    outcome = run(session, tenant, "13800000001,张三,,,,,,\n13800000002,李四,,,,,,\n")
    assert (outcome.created, outcome.problems) == (2, [])
    assert [m["name"] for m in members_of(session, tenant)] == [None, "张三", "李四"]


def test_the_batch_job_commits_batch_by_batch_and_reports_progress(
    session_factory: sessionmaker[Session], session: Session, tenant: Principal
) -> None:
    seen: list[tuple[str, int, int]] = []
    text = (
        "13800000001,张三,,,,,,\n"
        "13800000002,李四,,,,,,\n"
        "13800000003,王五,,,,,,\n"
        "x,,,,,,,\n"
        "138 0000 0001,,,,杭州,,,\n"  # row 6 folds into row 2, so they share a batch
    )
    outcome = run_import(
        session_factory,
        tenant,
        csv(text),
        batch_size=2,
        progress=lambda *step: seen.append(step),
    )
    assert figures(outcome) == {
        "rows": 5,
        "created": 3,
        "matched": 1,
        "updated": 0,
        "merged": 0,
        "bad_rows": 1,
    }
    assert seen == [
        (CHECKING, 5, 5),
        (IMPORTING, 0, 4),
        (IMPORTING, 2, 4),
        (IMPORTING, 4, 4),
    ]
    assert [(m["name"], m["city"]) for m in members_of(session, tenant)] == [
        ("张三", "杭州"),
        ("李四", None),
        ("王五", None),
    ]
