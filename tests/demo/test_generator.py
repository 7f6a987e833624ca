"""The demo merchant's generator: reproducible, and everything it makes is a valid API request
in a sensible order."""

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from memberops.activity.schemas import EventCreate, OrderCreate, RefundCreate
from memberops.demo.generator import Action, DemoMerchant, cents, to_cents
from memberops.growth.schemas import JoinIn, SceneCreate
from memberops.identity.schemas import MemberUpsert
from memberops.tenancy.schemas import StoreCreate

AS_OF = datetime(2026, 11, 20, tzinfo=UTC)


@pytest.fixture(scope="module")
def actions() -> list[Action]:
    return DemoMerchant(600, seed=11, as_of=AS_OF).actions()


def test_the_same_seed_makes_the_same_merchant(actions: list[Action]) -> None:
    again = DemoMerchant(600, seed=11, as_of=AS_OF).actions()
    assert again == actions
    assert DemoMerchant(600, seed=12, as_of=AS_OF).actions() != actions


def test_every_action_is_a_valid_request(actions: list[Action]) -> None:
    schemas = {"store": StoreCreate, "scene": SceneCreate, "member": MemberUpsert,
               "join": JoinIn, "order": OrderCreate, "refund": RefundCreate,
               "event": EventCreate}  # fmt: skip
    for action in actions:
        schemas[action.kind].model_validate(action.body)
    kinds = Counter(action.kind for action in actions)
    assert kinds["member"] + kinds["join"] == 600
    assert kinds["join"] > kinds["member"]  # six in ten registered
    assert kinds["order"] > 600
    assert kinds["event"] > kinds["order"]


def test_history_is_in_time_order_and_before_the_as_of_date(actions: list[Action]) -> None:
    times = [action.at for action in actions]
    assert times == sorted(times)
    assert max(times) < AS_OF
    orders = {a.body["external_id"]: a for a in actions if a.kind == "order"}
    for refund in (a for a in actions if a.kind == "refund"):
        assert refund.target in orders
        assert refund.at > orders[refund.target].at


def test_order_amounts_add_up(actions: list[Action]) -> None:
    for action in (a for a in actions if a.kind == "order"):
        body = action.body
        paid = sum(to_cents(line["unit_price"]) * line["quantity"] for line in body["lines"])
        listed = sum(to_cents(line["list_price"]) * line["quantity"] for line in body["lines"])
        assert (to_cents(body["amount"]), to_cents(body["list_amount"])) == (paid, listed)
        assert paid <= listed


def test_nick_shoppers_are_linked_to_their_phone_by_a_later_order(
    actions: list[Action],
) -> None:
    """Orders under a Taobao nick alone, a registration with the phone alone, then an order
    naming both: loading it merges the two customer records."""
    both = {"platform_nick", "phone"}
    linking = [
        a
        for a in actions
        if a.kind == "order" and {i["type"] for i in a.body["member"]["identities"]} >= both
    ]
    assert linking
    order = linking[0]
    nick, phone = (
        next(i for i in order.body["member"]["identities"] if i["type"] == kind)
        for kind in ("platform_nick", "phone")
    )
    before = [a for a in actions if a.at < order.at]
    assert any(a.kind == "order" and a.body["member"]["identities"] == [nick] for a in before)
    assert any(a.kind in ("member", "join") and phone in a.body["identities"] for a in before)


def test_joins_name_a_scene_or_a_referrer_who_joined_before(actions: list[Action]) -> None:
    """Scenes come first; an invite is a member's who had joined earlier, and a few keen
    referrers invite more than the rest."""
    scenes = {a.body["name"] for a in actions if a.kind == "scene"}
    joined: dict[str, datetime] = {}
    referrers: Counter[str] = Counter()
    for action in (a for a in actions if a.kind == "join"):
        how, _, what = (action.target or "none:").partition(":")
        if how == "scene":
            assert what in scenes
        elif how == "invite":
            assert joined[what] < action.at
            referrers[what] += 1
        joined[action.body["identities"][0]["value"]] = action.at
    assert len(referrers) > 1
    assert referrers.most_common(1)[0][1] > 2
    sources = Counter((a.target or "api").partition(":")[0] for a in actions if a.kind == "join")
    assert sources["scene"] > sources["api"] > sources["invite"] > 0


def test_most_buyers_of_the_year_are_dormant() -> None:
    """Seed 003: most of a year's buyers have not bought in the last 30 days."""
    merchant = DemoMerchant(3000, seed=5, as_of=AS_OF)
    last: dict[str, datetime] = {}
    for action in merchant.actions():
        if action.kind == "order":
            ref = action.body["external_id"].split("-")[0]
            last[ref] = max(last.get(ref, action.at), action.at)
    buyers = [t for t in last.values() if t > AS_OF - timedelta(days=365)]
    active = [t for t in buyers if t > AS_OF - timedelta(days=30)]
    assert 0.6 < 1 - len(active) / len(buyers) < 0.95


@pytest.mark.parametrize(("value", "text"), [(0, "0.00"), (5, "0.05"), (19900, "199.00")])
def test_cents_round_trip(value: int, text: str) -> None:
    assert cents(value) == text
    assert to_cents(text) == value
