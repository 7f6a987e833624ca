"""Helpers of the tags tests: orders, events and tags through the API, and who holds a tag."""

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from tests.activity.support import EVENTS, ORDERS

TAGS = "/api/v1/tags"
MEMBERS = "/api/v1/members"
#: The moment the tests' clock is held at: histories are written before it.
NOW = datetime(2026, 11, 1, 4, tzinfo=UTC)


def days_ago(days: float) -> str:
    return (NOW - timedelta(days=days)).isoformat()


def ok(answer: Any, *statuses: int) -> Any:
    assert answer.status_code in (statuses or (200, 201)), answer.text
    return answer.json() if answer.content else None


def order(
    client: TestClient,
    admin: dict[str, str],
    external_id: str,
    phone: str,
    ago: float,
    amount: str = "100.00",
    **fields: Any,
) -> str:
    """POST one order of ``phone``'s, ``ago`` days before :data:`NOW`; the member's id."""
    body = {
        "external_id": external_id,
        "member": {"identities": [{"type": "phone", "value": phone}]},
        "channel": "taobao",
        "paid_at": days_ago(ago),
        "amount": amount,
        **fields,
    }
    return str(ok(client.post(ORDERS, json=body, headers=admin), 201)["member_id"])


def event(
    client: TestClient, admin: dict[str, str], external_id: str, phone: str, kind: str, ago: float
) -> str:
    body = {
        "external_id": external_id,
        "member": {"identities": [{"type": "phone", "value": phone}]},
        "type": kind,
        "occurred_at": days_ago(ago),
    }
    return str(ok(client.post(EVENTS, json=body, headers=admin), 201)["member_id"])


def member(client: TestClient, admin: dict[str, str], phone: str, **body: Any) -> str:
    identities = [{"type": "phone", "value": phone}]
    answer = client.post(MEMBERS, json={"identities": identities, **body}, headers=admin)
    return str(ok(answer)["id"])


def create_tag(client: TestClient, admin: dict[str, str], **body: Any) -> dict[str, Any]:
    result: dict[str, Any] = ok(client.post(TAGS, json=body, headers=admin), 201)
    return result


def tags_by_code(client: TestClient, headers: dict[str, str]) -> dict[str, dict[str, Any]]:
    items = ok(client.get(TAGS, headers=headers))["items"]
    return {tag["code"]: tag for tag in items}


def holders(client: TestClient, headers: dict[str, str], tag_id: str) -> set[str]:
    """Every member id holding the tag, following the pages."""
    found: set[str] = set()
    cursor: str | None = None
    while True:
        params = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        page = ok(client.get(f"{TAGS}/{tag_id}/members", params=params, headers=headers))
        found |= {item["member_id"] for item in page["items"]}
        cursor = page["next_cursor"]
        if cursor is None:
            return found


def refresh(client: TestClient, admin: dict[str, str], as_of: str | None = None) -> dict[str, int]:
    body = {} if as_of is None else {"as_of": as_of}
    counts: dict[str, int] = ok(client.post(f"{TAGS}:refresh", json=body, headers=admin))["tags"]
    return counts


def member_tags(client: TestClient, headers: dict[str, str], member_id: str) -> list[str]:
    return [t["code"] for t in ok(client.get(f"{MEMBERS}/{member_id}/tags", headers=headers))]
