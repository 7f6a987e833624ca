"""Acceptance 1 of issue 8: every built-in template, started as the operator would and run by
the worker as the clock moves (tenant timezone Asia/Shanghai), gives the right members the right
step at the right local time — and nobody a step twice, however often the worker runs (messages,
coupons and points counted by their keys)."""

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from memberops.activity.models import MemberStats
from memberops.campaigns.guard_rails import Rules
from memberops.community import service as community
from memberops.community.models import GroupKind, GroupMember
from memberops.identity.events import MemberRegistered
from memberops.insights.tags.models import MemberTag, Tag, TagSource
from memberops.journeys.jobs import advance_due, enter_scheduled
from memberops.journeys.models import Journey
from memberops.journeys.templates import TEMPLATES, start_template
from memberops.kernel import clock
from memberops.kernel.events import publish
from memberops.loyalty.coupons.models import Coupon
from memberops.loyalty.points.models import PointsEntry, PointsLot
from memberops.loyalty.points.service import grant_bonus
from memberops.loyalty.tiers.events import TierChanged
from memberops.members.models import MemberStatus
from memberops.messaging.models import Message
from memberops.tenancy.access import Principal
from tests.api.support import phone
from tests.conditions.support import give_stats, make_member
from tests.loyalty.checkin.support import template

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = timedelta(days=1)
MINUTE = timedelta(minutes=1)
#: The default cap (2 messages a week) would skip the chains' later messages: raised here, so
#: what is counted is what each template means to send.
RULES = Rules(frequency_cap=20)


def local(month: int, day: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    """A moment given in Shanghai's time, in UTC."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


#: Thursday 3 December 2026, 18:00 in Shanghai.
START = local(12, 3, 18)


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with clock.frozen(START):
        yield


def go(
    factory: sessionmaker[Session], moment: datetime, *, passes: int = 2, rules: Rules = RULES
) -> None:
    """Move the clock to ``moment`` and run the worker's journeys part ``passes`` times (the
    second pass must find nothing left to do)."""
    clock.advance(moment - clock.now())
    for _ in range(passes):
        enter_scheduled(factory, clock.now())
        while advance_due(factory, clock.now(), 1000, rules=rules) == 1000:
            pass


def start(session: Session, tenant: Principal, key: str, **params: Any) -> list[Journey]:
    """The template's journeys, active, without a holdout, its messages on the log channel."""
    with session.begin():
        return start_template(
            session, tenant, key, {"channel": "log", **params}, activate=True, holdout_percent=0
        )


def _keyed(session: Session, model: Any, tenant: Principal, *columns: Any) -> list[Any]:
    with session.begin():
        query = select(model.dedupe_key, *columns).where(
            model.tenant_id == tenant.tenant_id, model.dedupe_key.startswith("journey:")
        )
        rows = session.execute(query).all()
    assert all(n == 1 for n in Counter(row[0] for row in rows).values()), rows
    return [tuple(row[1:]) for row in rows]


def sent(session: Session, tenant: Principal) -> Counter[tuple[int, str]]:
    """(member, local time sent 'MM-DD HH:MM') of the journey messages; each key once."""
    with session.begin():
        rows = session.execute(
            select(Message.idempotency_key, Message.member_id, Message.created_at).where(
                Message.tenant_id == tenant.tenant_id,
                Message.idempotency_key.startswith("journey:")
                | Message.idempotency_key.startswith("notice:journey:"),
            )
        ).all()
    assert all(n == 1 for n in Counter(row[0] for row in rows).values()), rows
    return Counter(
        (member, created.astimezone(SHANGHAI).strftime("%m-%d %H:%M"))
        for _, member, created in rows
    )


def coupons(session: Session, tenant: Principal) -> Counter[tuple[int, int]]:
    """(member, coupon template) of the journeys' coupons; each key once."""
    return Counter(_keyed(session, Coupon, tenant, Coupon.member_id, Coupon.template_id))


def points(session: Session, tenant: Principal) -> Counter[tuple[int, int]]:
    return Counter(_keyed(session, PointsEntry, tenant, PointsEntry.member_id, PointsEntry.points))


def members(session: Session, tenant: Principal, *overrides: dict[str, Any]) -> list[int]:
    with session.begin():
        return [make_member(session, tenant, **fields) for fields in overrides]


def test_welcome_pack(
    session: Session, session_factory: sessionmaker[Session], tenant: Principal
) -> None:
    coupon = template(session, tenant)
    start(session, tenant, "welcome_pack", coupon_template_id=coupon)
    buyer, idle, _imported = members(session, tenant, {}, {}, {})
    with session.begin():  # two sign-ups; the third member came from an import
        for member_id in (buyer, idle):
            publish(session, MemberRegistered(tenant.tenant_id, member_id))
    go(session_factory, START)
    assert coupons(session, tenant) == {(buyer, coupon): 1, (idle, coupon): 1}
    assert sent(session, tenant) == {(buyer, "12-03 18:00"): 1, (idle, "12-03 18:00"): 1}
    with session.begin():
        give_stats(session, tenant, buyer, orders_count=1, last_order_at=START + DAY)
    go(session_factory, local(12, 7, 9, 59))  # 3 days on, then 10:00
    assert sum(sent(session, tenant).values()) == 2
    go(session_factory, local(12, 7, 10))
    assert sent(session, tenant)[(idle, "12-07 10:00")] == 1
    go(session_factory, local(12, 20, 10))
    assert sum(sent(session, tenant).values()) == 3
    assert sum(coupons(session, tenant).values()) == 2


def test_order_care_chain(
    client: TestClient,
    admin: dict[str, str],
    session: Session,
    session_factory: sessionmaker[Session],
    tenant: Principal,
) -> None:
    start(session, tenant, "order_care", review_after_days=3)

    def order(external_id: str, number: str) -> int:
        body = {
            "external_id": external_id,
            "member": {"identities": [phone(number)]},
            "channel": "taobao",
            "paid_at": START.isoformat(),
            "amount": "99.00",
        }
        response = client.post("/api/v1/orders", json=body, headers=admin)
        assert response.status_code == 201, response.text
        return int(response.json()["member_id"])

    def fulfil(external_id: str, status: str) -> None:
        url = f"/api/v1/orders/{external_id}/fulfilment"
        response = client.post(url, json={"status": status}, headers=admin)
        assert response.status_code == 200, response.text

    first, second = order("A1", "+8613800000011"), order("B1", "+8613800000012")
    go(session_factory, START)
    assert sent(session, tenant) == {(first, "12-03 18:00"): 1, (second, "12-03 18:00"): 1}
    go(session_factory, local(12, 4, 11))
    fulfil("A1", "shipped")
    fulfil("A1", "shipped")  # reported twice: one notice
    go(session_factory, local(12, 4, 11))
    assert sent(session, tenant)[(first, "12-04 11:00")] == 1
    go(session_factory, local(12, 5, 15))
    fulfil("A1", "delivered")
    fulfil("B1", "delivered")  # delivered without a reported shipment: no shipping notice
    go(session_factory, local(12, 5, 15))
    assert sent(session, tenant)[(first, "12-05 15:00")] == 1
    assert sent(session, tenant)[(second, "12-05 15:00")] == 1
    go(session_factory, local(12, 9, 9, 59))  # the review ask: 3 days on, then at 10:00
    assert sum(sent(session, tenant).values()) == 5
    go(session_factory, local(12, 9, 10))
    go(session_factory, local(12, 30, 10))
    assert sent(session, tenant) == {
        (first, "12-03 18:00"): 1,
        (second, "12-03 18:00"): 1,
        (first, "12-04 11:00"): 1,
        (first, "12-05 15:00"): 1,
        (second, "12-05 15:00"): 1,
        (first, "12-09 10:00"): 1,
        (second, "12-09 10:00"): 1,
    }


def test_order_notices_pass_the_frequency_cap_and_are_not_counted(
    client: TestClient,
    admin: dict[str, str],
    session: Session,
    session_factory: sessionmaker[Session],
    tenant: Principal,
) -> None:
    """Under the default cap (2 a week) the paid, shipped and delivered notices all go, and
    the review ask after them still fits: the notices are service, not marketing."""
    start(session, tenant, "order_care", review_after_days=3)
    body = {
        "external_id": "N1",
        "member": {"identities": [phone("+8613800000021")]},
        "channel": "taobao",
        "paid_at": START.isoformat(),
        "amount": "99.00",
    }
    answer = client.post("/api/v1/orders", json=body, headers=admin)
    assert answer.status_code == 201, answer.text
    member = int(answer.json()["member_id"])
    default = Rules()
    go(session_factory, START, rules=default)
    for status, moment in (("shipped", local(12, 4, 11)), ("delivered", local(12, 5, 15))):
        url = "/api/v1/orders/N1/fulfilment"
        assert client.post(url, json={"status": status}, headers=admin).status_code == 200
        go(session_factory, moment, rules=default)
    go(session_factory, local(12, 9, 10), rules=default)  # the review ask, 3 days on at 10:00
    assert sum(sent(session, tenant).values()) == 4
    with session.begin():
        keys = session.scalars(
            select(Message.idempotency_key).where(
                Message.tenant_id == tenant.tenant_id, Message.member_id == member
            )
        ).all()
    assert sorted(key.split(":")[0] for key in keys) == ["journey", "notice", "notice", "notice"]


def test_birthday_care(
    session: Session, session_factory: sessionmaker[Session], tenant: Principal
) -> None:
    coupon = template(session, tenant)
    start(session, tenant, "birthday_care", coupon_template_id=coupon, days_before=3)
    sixth, seventh, _none = members(
        session,
        tenant,
        {"birthday": date(1990, 12, 6)},
        {"birthday": date(1985, 12, 7)},
        {"birthday": None},
    )
    go(session_factory, local(12, 3, 8, 40))  # the 6th is 3 days ahead, but not before 09:00
    assert sent(session, tenant) == {}
    go(session_factory, local(12, 3, 9))
    assert sent(session, tenant) == {(sixth, "12-03 09:00"): 1}
    go(session_factory, local(12, 4, 8, 40))
    assert sum(sent(session, tenant).values()) == 1
    go(session_factory, local(12, 4, 9))
    assert sent(session, tenant)[(seventh, "12-04 09:00")] == 1
    go(session_factory, local(12, 6, 8, 59))
    assert sum(sent(session, tenant).values()) == 2
    go(session_factory, local(12, 6, 9))  # the greeting on the day, at 09:00
    go(session_factory, local(12, 7, 9))
    go(session_factory, local(12, 20, 9))
    assert sent(session, tenant) == {
        (sixth, "12-03 09:00"): 1,
        (seventh, "12-04 09:00"): 1,
        (sixth, "12-06 09:00"): 1,
        (seventh, "12-07 09:00"): 1,
    }
    assert coupons(session, tenant) == {(sixth, coupon): 1, (seventh, coupon): 1}


def test_dormant_win_back_at_30_60_and_90_days(
    session: Session, session_factory: sessionmaker[Session], tenant: Principal
) -> None:
    c30, c60, c90 = (template(session, tenant, name=n) for n in ("30", "60", "90"))
    start(
        session,
        tenant,
        "win_back",
        coupon_30_template_id=c30,
        coupon_60_template_id=c60,
        coupon_90_template_id=c90,
    )
    lapsed, returner, recent = members(session, tenant, {}, {}, {})
    with session.begin():
        give_stats(session, tenant, lapsed, orders_count=3, last_order_at=START - 40 * DAY)
        give_stats(session, tenant, returner, orders_count=1, last_order_at=START - 35 * DAY)
        give_stats(session, tenant, recent, orders_count=2, last_order_at=START - 10 * DAY)
    go(session_factory, START)
    assert coupons(session, tenant) == {(lapsed, c30): 1, (returner, c30): 1}
    with session.begin():  # the coupon brought one back
        session.execute(
            update(MemberStats)
            .where(MemberStats.member_id == returner)
            .values(last_order_at=local(12, 20, 12))
        )
    # Entered at 18:00 on 3 Dec: 30 days on is 18:00 on 2 Jan, then 10:00 the next day.
    go(session_factory, local(1, 3, 9, 59, year=2027))
    # `recent` lapsed on 23 Dec: it enters at this pass, the first since.
    assert sum(coupons(session, tenant).values()) == 3
    go(session_factory, local(1, 3, 10, year=2027))
    go(session_factory, local(2, 2, 9, 59, year=2027))
    assert coupons(session, tenant)[(lapsed, c60)] == 1
    assert coupons(session, tenant)[(lapsed, c90)] == 0
    go(session_factory, local(2, 2, 10, year=2027))
    assert coupons(session, tenant) == {
        (lapsed, c30): 1,
        (lapsed, c60): 1,
        (lapsed, c90): 1,
        (returner, c30): 2,  # lapsed again 30 days after its order of 20 Dec: a new entry
        (recent, c30): 1,
        (recent, c60): 1,
    }
    messages = sent(session, tenant)
    assert [t for m, t in sorted(messages) if m == lapsed] == [
        "01-03 10:00",
        "02-02 10:00",
        "12-03 18:00",
    ]
    assert sorted(t for m, t in messages if m == returner) == ["02-02 09:59", "12-03 18:00"]


def test_precision_sampling_for_churned_buyers(
    session: Session, session_factory: sessionmaker[Session], tenant: Principal
) -> None:
    sample = template(session, tenant, name="小样")
    woman, man, recent, never = members(
        session, tenant, {"gender": "female"}, {"gender": "male"}, {"gender": "female"}, {}
    )
    with session.begin():
        give_stats(session, tenant, woman, orders_count=2, last_order_at=START - 400 * DAY)
        give_stats(session, tenant, man, orders_count=2, last_order_at=START - 400 * DAY)
        give_stats(session, tenant, recent, orders_count=1, last_order_at=START - 100 * DAY)
    start(
        session,
        tenant,
        "churned_sampling",
        coupon_template_id=sample,
        gender="female",
        start_at="2026-12-05T10:00:00",
    )
    go(session_factory, local(12, 5, 9, 40))
    assert coupons(session, tenant) == {}
    go(session_factory, local(12, 5, 10))
    assert coupons(session, tenant) == {(woman, sample): 1}
    assert sent(session, tenant) == {(woman, "12-05 10:00"): 1}
    with session.begin():  # another churned woman, after the day: not entered any more
        late = make_member(session, tenant, gender="female")
        give_stats(session, tenant, late, orders_count=1, last_order_at=START - 500 * DAY)
    go(session_factory, local(12, 6, 11))
    go(session_factory, local(12, 12, 10))
    assert coupons(session, tenant) == {(woman, sample): 1}
    assert sum(sent(session, tenant).values()) == 1
    assert {man, recent, never}.isdisjoint(m for m, _ in sent(session, tenant))


def test_precision_sampling_by_preference(
    session: Session, session_factory: sessionmaker[Session], tenant: Principal
) -> None:
    sample = template(session, tenant, name="小样")
    fan, other = members(session, tenant, {}, {})
    with session.begin():
        for member_id in (fan, other):
            give_stats(session, tenant, member_id, orders_count=1, last_order_at=START - 366 * DAY)
        tag = Tag(tenant_id=tenant.tenant_id, code="skincare", name="护肤", kind="manual")
        session.add(tag)
        session.flush()
        session.add(
            MemberTag(
                tenant_id=tenant.tenant_id, member_id=fan, tag_id=tag.id, source=TagSource.operator
            )
        )
    start(
        session,
        tenant,
        "churned_sampling",
        coupon_template_id=sample,
        preference_tag="skincare",
        start_at="2026-12-04T20:00:00",
    )
    go(session_factory, local(12, 4, 20))
    assert coupons(session, tenant) == {(fan, sample): 1}
    assert sent(session, tenant) == {(fan, "12-04 20:00"): 1}


def test_novelty_seeker_new_arrival_push(
    session: Session, session_factory: sessionmaker[Session], tenant: Principal
) -> None:
    coupon = template(session, tenant, name="首发")
    seeker, other = members(session, tenant, {}, {})
    (push,) = start(
        session,
        tenant,
        "novelty_push",
        product_name="冬季限定礼盒",
        coupon_template_id=coupon,
        start_at="2026-12-04T10:00:00",
    )
    with session.begin():
        novelty = session.scalar(
            select(Tag.id).where(Tag.tenant_id == tenant.tenant_id, Tag.code == "novelty_seeker")
        )
        assert novelty is not None
        session.add(
            MemberTag(
                tenant_id=tenant.tenant_id,
                member_id=seeker,
                tag_id=novelty,
                source=TagSource.behaviour,
            )
        )
    go(session_factory, local(12, 4, 9, 40))
    assert sent(session, tenant) == {}
    go(session_factory, local(12, 4, 10))
    go(session_factory, local(12, 4, 15))
    assert sent(session, tenant) == {(seeker, "12-04 10:00"): 1}
    assert coupons(session, tenant) == {(seeker, coupon): 1}
    with session.begin():
        body = session.scalar(select(Message.body).where(Message.member_id == seeker))
    assert body is not None
    assert "冬季限定礼盒首发上市" in body
    assert other not in {m for m, _ in sent(session, tenant)}
    assert push.trigger_type == "fixed_date"


def test_points_expiry_reminder(
    session: Session, session_factory: sessionmaker[Session], tenant: Principal
) -> None:
    soon, later, spent = members(session, tenant, {}, {}, {})
    with session.begin():
        for member_id, days in ((soon, 5), (later, 50), (spent, 5)):
            grant_bonus(session, tenant, member_id, 100, dedupe_key=f"t{member_id}", reason="t")
            session.execute(
                update(PointsLot)
                .where(PointsLot.member_id == member_id)
                .values(expires_at=START + days * DAY, remaining=0 if member_id == spent else 100)
            )
    start(session, tenant, "points_expiry", within_days=30)
    go(session_factory, START)
    assert sent(session, tenant) == {(soon, "12-03 18:00"): 1}
    # 20 days on, 23:00: `later` is within 30 days; the quiet hours hold it until 08:00.
    go(session_factory, local(12, 23, 23))
    with session.begin():
        due = session.scalar(select(Message.due_at).where(Message.member_id == later))
    assert due == local(12, 24, 8)
    go(session_factory, local(12, 24, 9))
    go(session_factory, local(1, 20, 9, year=2027))
    assert sent(session, tenant) == {(soon, "12-03 18:00"): 1, (later, "12-23 23:00"): 1}


def test_tier_upgrade_congratulation(
    session: Session, session_factory: sessionmaker[Session], tenant: Principal
) -> None:
    start(session, tenant, "tier_upgrade", points=88)
    up, down, joined = members(session, tenant, {}, {}, {})
    moves = [
        TierChanged(tenant.tenant_id, up, "silver", "gold", "upgrade"),
        TierChanged(tenant.tenant_id, down, "gold", "silver", "downgrade"),
        TierChanged(tenant.tenant_id, joined, None, "silver", "joined"),
    ]
    for _ in range(2):  # the same move told twice
        with session.begin():
            for move in moves:
                publish(session, move)
        go(session_factory, START)
    assert sent(session, tenant) == {(up, "12-03 18:00"): 1}
    assert points(session, tenant) == {(up, 88): 1}


def test_monthly_member_day(
    session: Session, session_factory: sessionmaker[Session], tenant: Principal
) -> None:
    coupon = template(session, tenant, name="会员日")
    first, second, erased = members(session, tenant, {}, {}, {"status": MemberStatus.erased})
    start(session, tenant, "member_day", coupon_template_id=coupon)  # the tenant's 18th
    go(session_factory, local(12, 17, 10))
    go(session_factory, local(12, 18, 9, 40))
    assert sent(session, tenant) == {}
    go(session_factory, local(12, 18, 10))
    go(session_factory, local(12, 18, 16))
    assert sent(session, tenant) == {(first, "12-18 10:00"): 1, (second, "12-18 10:00"): 1}
    go(session_factory, local(1, 18, 10, year=2027))
    assert sent(session, tenant) == {
        (first, "12-18 10:00"): 1,
        (second, "12-18 10:00"): 1,
        (first, "01-18 10:00"): 1,
        (second, "01-18 10:00"): 1,
    }
    assert coupons(session, tenant) == {(first, coupon): 2, (second, coupon): 2}
    assert erased not in {m for m, _ in sent(session, tenant)}


def _vip_roster(session: Session, tenant: Principal) -> dict[int, bool]:
    """Every member with a VIP roster row: whether they are on the group now."""
    with session.begin():
        rows = session.execute(
            select(GroupMember.member_id, GroupMember.left_at).where(
                GroupMember.tenant_id == tenant.tenant_id, GroupMember.kind == GroupKind.vip
            )
        ).all()
    return {member: left is None for member, left in rows}


def test_vip_community_group_monthly_review(
    session: Session, session_factory: sessionmaker[Session], tenant: Principal
) -> None:
    spender, frequent, faded, stayer, plain = members(session, tenant, {}, {}, {}, {}, {})
    with session.begin():
        give_stats(session, tenant, spender, orders_365d=2, spend_365d_cents=300_000)
        give_stats(session, tenant, frequent, orders_365d=8, spend_365d_cents=80_000)
        give_stats(session, tenant, faded, orders_365d=1, spend_365d_cents=10_000)
        give_stats(session, tenant, stayer, orders_365d=12, spend_365d_cents=900_000)
        give_stats(session, tenant, plain, orders_365d=1, spend_365d_cents=5_000)
        vip = community.default_group(session, tenant, GroupKind.vip)
        community.invite(session, tenant, vip, [faded, stayer], "operator")
    start(session, tenant, "vip_review", day=5)  # 2,000 yuan or 6 orders, 10:00
    go(session_factory, local(12, 5, 9, 40))  # entries are looked for every 15 minutes
    assert sent(session, tenant) == {}
    assert _vip_roster(session, tenant) == {faded: True, stayer: True}
    go(session_factory, local(12, 5, 10))
    assert _vip_roster(session, tenant) == {
        spender: True,
        frequent: True,
        faded: False,
        stayer: True,
    }
    assert sent(session, tenant) == {(spender, "12-05 10:00"): 1, (frequent, "12-05 10:00"): 1}
    with session.begin():  # the spender's year has no big orders left in it
        session.execute(
            update(MemberStats)
            .where(MemberStats.member_id == spender)
            .values(orders_365d=1, spend_365d_cents=20_000)
        )
    go(session_factory, local(1, 5, 10, year=2027))
    assert _vip_roster(session, tenant) == {
        spender: False,
        frequent: True,
        faded: False,
        stayer: True,
    }
    assert sent(session, tenant) == {(spender, "12-05 10:00"): 1, (frequent, "12-05 10:00"): 1}


def test_every_template_is_covered_here() -> None:
    tested = {
        "welcome_pack",
        "order_care",
        "birthday_care",
        "win_back",
        "churned_sampling",
        "novelty_push",
        "points_expiry",
        "tier_upgrade",
        "member_day",
        "vip_review",
    }
    assert set(TEMPLATES) == tested
