"""A campaign whose text names ``recommended_products`` lists each member's own recommendations
(the provider asked once per chunk of members, as for one message), and a text that does not
still renders once for everyone; on both backends."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session

from memberops.kernel import clock
from memberops.messaging.bulk import Batch
from memberops.messaging.models import ChannelName, Message
from memberops.messaging.templates import MessageContext
from memberops.tenancy.access import Principal
from tests.recommendations.support import NOW, open_shop, rebuild

CAMPAIGNS = "/api/v1/campaigns"
RECOMMENDED = "为您推荐：{{ recommended_products | join('、') }}"


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with clock.frozen(NOW):  # noon in Shanghai: outside the quiet hours
        yield


@pytest.fixture
def shop(client: TestClient, admin: dict[str, str]) -> dict[str, int]:
    """The recommendations tests' five members, their figures rebuilt."""
    members = open_shop(client, admin)
    rebuild(client, admin)
    return members


@pytest.fixture
def statements(engine: Engine, shop: dict[str, int]) -> Iterator[list[str]]:
    """Every SQL statement the test runs once the shop is open and rebuilt."""
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2])

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def _launch(client: TestClient, admin: dict[str, str], body: str) -> None:
    """A log campaign with one variant of ``body`` to every member of the tenant, launched."""
    condition = {"field": "member.created_at", "op": "is_set"}
    crowd = {"name": "everyone", "kind": "dynamic", "condition": condition}
    response = client.post("/api/v1/crowds", json=crowd, headers=admin)
    assert response.status_code == 201, response.text
    campaign = {
        "name": "recommended",
        "crowd_id": response.json()["id"],
        "channel": "log",
        "holdout_percent": 0,
        "variants": [{"name": "A", "split_percent": 100, "body": body}],
    }
    response = client.post(CAMPAIGNS, json=campaign, headers=admin)
    assert response.status_code == 201, response.text
    launched = client.post(f"{CAMPAIGNS}/{response.json()['id']}:launch", headers=admin)
    assert launched.status_code == 200, launched.text
    assert launched.json()["outcomes"] == {"sent": 5}


def _bodies(session: Session, tenant: Principal) -> dict[int | None, str]:
    """Each of the tenant's messages' body, by member."""
    query = select(Message.member_id, Message.body).where(Message.tenant_id == tenant.tenant_id)
    with session.begin():
        return dict(session.execute(query).all())


def test_each_member_reads_their_own_recommendations(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal, shop: Any
) -> None:
    _launch(client, admin, RECOMMENDED)

    bodies = _bodies(session, tenant)
    assert sorted(bodies) == sorted(shop.values())
    for member_id, body in bodies.items():
        url = f"/api/v1/members/{member_id}/recommendations"
        response = client.get(url, params={"limit": 5}, headers=admin)
        names = [item["name"] for item in response.json()["items"]]
        assert names
        assert body == "为您推荐：" + "、".join(names)
    assert bodies[shop["m2"]] == "为您推荐：商品C、商品D、商品E"
    assert bodies[shop["m5"]] == "为您推荐：商品A、商品B、商品C、商品D"


def test_a_text_without_them_is_rendered_once_and_asks_no_provider(
    client: TestClient,
    admin: dict[str, str],
    session: Session,
    tenant: Principal,
    statements: list[str],
) -> None:
    _launch(client, admin, "新品上市 {{ coupon }}")

    assert set(_bodies(session, tenant).values()) == {"新品上市 "}
    inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT INTO MESSAGES")]
    assert len(inserts) == 1
    assert "SELECT" in inserts[0].upper()
    assert not [s for s in statements if "product_figures" in s]


def test_only_a_provided_field_left_empty_makes_a_text_personal() -> None:
    def batch(body: str, context: MessageContext) -> Batch:
        return Batch(ChannelName.log, "", body, context, "https://club.example", NOW, "test")

    given = MessageContext(recommended_products=["西湖龙井"])
    assert batch(RECOMMENDED, MessageContext()).personal
    assert not batch(RECOMMENDED, given).personal
    assert not batch("新品上市 {{ coupon }}", MessageContext()).personal
