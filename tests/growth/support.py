"""Helpers of the growth tests: sign-ups, joins and orders through the API, and the referral
points a member was given."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.activity.support import order_body
from tests.api.support import MEMBERS
from tests.loyalty.checkin.support import bonus_entries

JOINS = "/api/v1/joins"
SCENES = "/api/v1/join-scenes"
RULES = "/api/v1/growth/rules"
LEADERBOARD = "/api/v1/growth/referral-leaderboard"
ORDERS = "/api/v1/orders"


def identities(phone: str) -> list[dict[str, str]]:
    return [{"type": "phone", "value": phone}]


def sign_up(client: TestClient, headers: dict[str, str], phone: str) -> str:
    """A member registered through ``POST /members``; its id."""
    body = {"identities": identities(phone), "registered": True}
    response = client.post(MEMBERS, json=body, headers=headers)
    assert response.status_code == 201, response.text
    member_id: str = response.json()["id"]
    return member_id


def invite_code(client: TestClient, headers: dict[str, str], member_id: str) -> str:
    response = client.get(f"{MEMBERS}/{member_id}/invite", headers=headers)
    assert response.status_code == 200, response.text
    code: str = response.json()["code"]
    return code


def join(
    client: TestClient, headers: dict[str, str], phone: str, status: int = 201, **fields: Any
) -> Any:
    response = client.post(JOINS, json={"identities": identities(phone), **fields}, headers=headers)
    assert response.status_code == status, response.text
    return response.json()


def order(
    client: TestClient, headers: dict[str, str], external_id: str, phone: str, **fields: Any
) -> Any:
    """A paid order of the member with this phone (201)."""
    body = order_body(external_id, phone, **fields)
    response = client.post(ORDERS, json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def referral_points(session: Session, tenant_id: int, member_id: str) -> list[tuple[str, int]]:
    """(dedupe key, points) of the member's referral rewards."""
    entries = bonus_entries(session, tenant_id, member_id)
    return [(key, points) for key, points in entries if key.startswith("referral:")]


def scene(client: TestClient, headers: dict[str, str], **fields: Any) -> Any:
    body = {"name": "双11 包裹卡", "source": "parcel_card", "campaign": "double11", **fields}
    response = client.post(SCENES, json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()
