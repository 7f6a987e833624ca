"""Acceptance: every endpoint, tried with another tenant's key, without a valid key and with
each role lacking its permission, is refused, and the refusal changes nothing.

The routes come from the app itself, so a new endpoint without a line in ``CASES`` fails here.
"""

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from memberops.api.app import create_app
from memberops.campaigns.economics import CampaignEconomics
from memberops.insights.rules import LayeringRules
from memberops.insights.tags.rules import BehaviourRules
from memberops.kernel import clock
from memberops.kernel.settings import Settings
from memberops.loyalty.points.rules import EarnRules
from memberops.loyalty.tiers.rules import TierLadder
from memberops.recommendations.rules import RecommendationRules
from memberops.tenancy import service as tenancy
from memberops.tenancy.access import ROLE_PERMISSIONS, Permission, Principal
from memberops.tenancy.models import ApiKey, Role
from tests.api.support import MEMBERS, assert_problem, crm, phone, snapshot, upsert

ORDERS = "/api/v1/orders"
TIERS = "/api/v1/loyalty/tiers"
CHECK_IN_RULES = "/api/v1/loyalty/check-in-rules"
PERK_RULES = "/api/v1/loyalty/perk-rules"
COUPON_TEMPLATES = "/api/v1/coupon-templates"
POINTS_RULES = "/api/v1/loyalty/points-rules"
STORED_VALUE_RULES = "/api/v1/stored-value/rules"
BENEFIT_CARDS = "/api/v1/benefit-cards"
TAGS = "/api/v1/tags"
INSIGHTS_OVERVIEW = "/api/v1/insights/overview"
INSIGHTS_RULES = "/api/v1/insights/rules"
RECOMMENDATION_RULES = "/api/v1/recommendations/rules"
CROWDS = "/api/v1/crowds"
MESSAGES = "/api/v1/messages"
WEBHOOKS = "/api/v1/webhooks"
CAMPAIGNS = "/api/v1/campaigns"
ECONOMICS = "/api/v1/campaign-economics"
JOURNEYS = "/api/v1/journeys"
JOURNEY_TEMPLATES = "/api/v1/journey-templates"
GROUPS = "/api/v1/community-groups"
WATCHES = "/api/v1/watches"
GENDER_SET = {"field": "member.gender", "op": "is_set"}

OUR_PHONE = "+8613800000001"
OUR_NAME = "王秘密"
ALL = frozenset(Role)
READERS = frozenset({Role.admin, Role.operator, Role.analyst})
WRITERS = frozenset({Role.admin, Role.operator, Role.pos})
MERGERS = frozenset({Role.admin, Role.operator})
ADMIN = frozenset({Role.admin})
_serial = itertools.count(1)


@dataclass(frozen=True)
class World:
    """Our tenant's data: a member with PII that absorbed another by a merge."""

    tenant_name: str
    member_id: str
    merged_id: str
    merge_id: str


@dataclass(frozen=True)
class Req:
    method: str
    url: str
    params: dict[str, str] = field(default_factory=dict)
    json: Any = None
    headers: dict[str, str] = field(default_factory=dict)


Build = Callable[[TestClient, dict[str, str], World], Req]
Check = Callable[[httpx.Response, World], None]


def _own_data_only(response: httpx.Response, world: World) -> None:
    """The rival got an answer about its own tenant, holding nothing of ours."""
    assert response.status_code in (200, 201), response.text
    for ours in (OUR_PHONE, OUR_NAME, "ours-b", world.tenant_name):
        assert ours not in response.text


def _empty_page(response: httpx.Response, world: World) -> None:
    _own_data_only(response, world)
    assert response.json()["items"] == []


def _new_member_of_its_own(response: httpx.Response, world: World) -> None:
    """Our identities, sent with the rival's key, make a new member in the rival's tenant."""
    assert response.status_code == 201, response.text
    assert response.json()["created"] is True
    assert response.json()["id"] not in {world.member_id, world.merged_id}


@dataclass(frozen=True)
class Case:
    """What an endpoint needs and gives: the permission, the roles holding it, the success
    status, and how another tenant's admin is answered (404 code, or its own data)."""

    permission: Permission | None
    roles: frozenset[Role]
    success: int
    build: Build
    other_404: str | None = None
    other: Check = _own_data_only


def _fresh_merge(client: TestClient, admin: dict[str, str], world: World) -> Req:
    n = next(_serial)
    upsert(client, admin, crm(f"undo-a-{n}"))
    upsert(client, admin, crm(f"undo-b-{n}"))
    merged = upsert(client, admin, crm(f"undo-a-{n}"), crm(f"undo-b-{n}"))
    return Req("POST", f"/api/v1/merges/{merged['merged'][0]}/undo")


def _fresh_member(client: TestClient, admin: dict[str, str], world: World) -> Req:
    member = upsert(client, admin, crm(f"erase-{next(_serial)}"), attributes={"name": "某人"})
    return Req("DELETE", f"{MEMBERS}/{member['id']}/pii")


def _order_body(external_id: str) -> dict[str, Any]:
    return {
        "external_id": external_id,
        "member": {"identities": [phone(OUR_PHONE)]},
        "channel": "taobao",
        "paid_at": "2026-11-11T10:00:00+08:00",
        "amount": "10.00",
    }


def _event_body(external_id: str) -> dict[str, Any]:
    return {
        "external_id": external_id,
        "member": {"identities": [phone(OUR_PHONE)]},
        "type": "cart_add",
        "occurred_at": "2026-11-11T10:00:00+08:00",
    }


def _stored_order(client: TestClient, admin: dict[str, str]) -> str:
    external_id = f"T{next(_serial)}"
    response = client.post(ORDERS, json=_order_body(external_id), headers=admin)
    assert response.status_code == 201, response.text
    return external_id


def _fresh_refund(client: TestClient, admin: dict[str, str], world: World) -> Req:
    external_id = _stored_order(client, admin)
    return Req("POST", f"{ORDERS}/{external_id}/refunds", json={"refund_id": "R1", "amount": "1"})


def _fresh_check_in(client: TestClient, admin: dict[str, str], world: World) -> Req:
    """A member who has not checked in today, so each role's check-in is a first one."""
    member = upsert(client, admin, crm(f"check-in-{next(_serial)}"))
    return Req("POST", f"{MEMBERS}/{member['id']}/check-ins")


def _fresh_template(client: TestClient, admin: dict[str, str], **fields: Any) -> str:
    body = {"name": "减5", "kind": "amount_off", "amount_off": "5", "valid_days": 7, **fields}
    response = client.post(COUPON_TEMPLATES, json=body, headers=admin)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _fresh_coupon(client: TestClient, admin: dict[str, str], world: World) -> str:
    """The code of a new coupon of our member's, so each role redeems an unused one."""
    template = _fresh_template(client, admin)
    response = client.post(
        f"{MEMBERS}/{world.member_id}/coupons", json={"template_id": int(template)}, headers=admin
    )
    assert response.status_code == 201, response.text
    return str(response.json()["code"])


def _issue(client: TestClient, admin: dict[str, str], world: World, **fields: Any) -> Req:
    body = {"template_id": int(_fresh_template(client, admin, **fields))}
    exchange = "points_price" in fields
    return Req(
        "POST", f"{MEMBERS}/{world.member_id}/coupons", json=body | {"pay_with_points": exchange}
    )


def _points_write(member_id: str, action: str, points: int) -> Req:
    """A points write of our member's under a fresh Idempotency-Key."""
    key = {"Idempotency-Key": f"access-{next(_serial)}"}
    body = {"points": points, "reason": "access test"}
    return Req("POST", f"{MEMBERS}/{member_id}/points/{action}", json=body, headers=key)


def _fresh_redemption(client: TestClient, admin: dict[str, str], world: World) -> Req:
    """Give our member the 5 points each role then redeems."""
    given = _points_write(world.member_id, "adjust", 5)
    response = client.post(given.url, json=given.json, headers=admin | given.headers)
    assert response.status_code == 201, response.text
    return _points_write(world.member_id, "redeem", 5)


def _stored_value_write(member_id: str, action: str, body: dict[str, str]) -> Req:
    """A stored-value write of our member's under a fresh Idempotency-Key."""
    key = {"Idempotency-Key": f"access-{next(_serial)}"}
    return Req("POST", f"{MEMBERS}/{member_id}/stored-value/{action}", json=body, headers=key)


def _fresh_spend(client: TestClient, admin: dict[str, str], world: World) -> Req:
    """Give our member the 1.00 each role then spends on a new order of theirs."""
    given = _stored_value_write(world.member_id, "top-ups", {"amount": "1"})
    response = client.post(given.url, json=given.json, headers=admin | given.headers)
    assert response.status_code == 201, response.text
    body = {"order_id": _stored_order(client, admin), "amount": "1"}
    return _stored_value_write(world.member_id, "spends", body)


def _card_body() -> dict[str, Any]:
    """A free benefit card type with a fresh code."""
    code = f"card_{next(_serial)}"
    return {"code": code, "name": "卡", "price_kind": "free", "validity_unit": "days",
            "validity_length": 30}  # fmt: skip


def _fresh_card(client: TestClient, admin: dict[str, str], **fields: Any) -> str:
    response = client.post(BENEFIT_CARDS, json=_card_body() | fields, headers=admin)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _card_write(member_id: str, path: str, body: dict[str, Any]) -> Req:
    """A benefit-card write of our member's under a fresh Idempotency-Key."""
    key = {"Idempotency-Key": f"access-{next(_serial)}"}
    return Req("POST", f"{MEMBERS}/{member_id}/benefit-cards{path}", json=body, headers=key)


def _fresh_holding(client: TestClient, admin: dict[str, str], world: World, verb: str) -> Req:
    """A card of a new type our member paid for, so each role renews or refunds its own."""
    money = {"price_kind": "money", "price": "9.90"}
    card = {"card_type_id": int(_fresh_card(client, admin, **money)), "payment_reference": "p"}
    bought = _card_write(world.member_id, "", card)
    response = client.post(bought.url, json=bought.json, headers=admin | bought.headers)
    assert response.status_code == 201, response.text
    body = {"payment_reference": "p"} if verb == "renew" else {"reason": "access test"}
    return _card_write(world.member_id, f"/{response.json()['id']}/{verb}", body)


def _fresh_tag(client: TestClient, admin: dict[str, str]) -> str:
    """The id of a new manual tag, so each role tags with (or changes) an unused one."""
    body = {"code": f"tag_{next(_serial)}", "name": "标签"}
    response = client.post(TAGS, json=body, headers=admin)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _fresh_untag(client: TestClient, admin: dict[str, str], world: World) -> Req:
    """Our member holding a new manual tag, which each role then takes away."""
    tag = _fresh_tag(client, admin)
    url = f"{MEMBERS}/{world.member_id}/tags"
    response = client.post(url, json={"tag_id": int(tag)}, headers=admin)
    assert response.status_code == 201, response.text
    return Req("DELETE", f"{url}/{tag}")


def _fresh_crowd(client: TestClient, admin: dict[str, str], kind: str = "dynamic") -> str:
    """The id of a new crowd, so each role changes (or deletes) one of its own."""
    body = {"name": f"crowd {next(_serial)}", "kind": kind, "condition": GENDER_SET}
    response = client.post(CROWDS, json=body, headers=admin)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _crowd_case(
    permission: Permission, roles: frozenset[Role], success: int, method: str, path: str = ""
) -> list[Case]:
    """One route of a crowd: another tenant does not find the crowd."""

    def build(client: TestClient, admin: dict[str, str], world: World) -> Req:
        kind = "snapshot" if path == ":freeze" else "dynamic"
        crowd = _fresh_crowd(client, admin, kind)
        params = {"other": crowd} if path == "/overlap" else {}
        body = {"name": f"renamed {next(_serial)}"} if method == "PATCH" else None
        return Req(method, f"{CROWDS}/{crowd}{path}", params=params, json=body)

    return [Case(permission, roles, success, build, other_404="crowds.not_found")]


def _message_to(world: World) -> Req:
    """An SMS to our member under a fresh Idempotency-Key (the rival does not find the member)."""
    body = {"channel": "sms", "member_id": int(world.member_id), "body": "hi"}
    return Req("POST", MESSAGES, json=body, headers={"Idempotency-Key": f"m-{next(_serial)}"})


def _fresh_message(client: TestClient, admin: dict[str, str], world: World) -> Req:
    queued = _message_to(world)
    response = client.post(queued.url, json=queued.json, headers=admin | queued.headers)
    assert response.status_code == 201, response.text
    return Req("GET", f"{MESSAGES}/{response.json()['id']}")


def _fresh_webhook(client: TestClient, admin: dict[str, str]) -> str:
    hook = {"url": "http://127.0.0.1:9/hook", "events": ["member.merged"]}
    response = client.post(WEBHOOKS, json=hook, headers=admin)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _campaign_body(client: TestClient, admin: dict[str, str]) -> dict[str, Any]:
    """A draft campaign to a new crowd of ours."""
    variant = {"name": "A", "split_percent": 100, "body": "hi {{ name }}"}
    crowd = int(_fresh_crowd(client, admin))
    return {"name": f"campaign {next(_serial)}", "crowd_id": crowd, "variants": [variant]}


def _not_our_crowd(response: httpx.Response, world: World) -> None:
    """Our crowd, named by the rival, is no crowd of its tenant."""
    assert_problem(response, 422, "campaigns.invalid")


def _campaign_case(
    permission: Permission, roles: frozenset[Role], success: int, method: str, path: str = ""
) -> list[Case]:
    """One route of a campaign: another tenant does not find the campaign."""

    def build(client: TestClient, admin: dict[str, str], world: World) -> Req:
        response = client.post(CAMPAIGNS, json=_campaign_body(client, admin), headers=admin)
        assert response.status_code == 201, response.text
        body = {"holdout_percent": 20} if method == "PATCH" else None
        return Req(method, f"{CAMPAIGNS}/{response.json()['id']}{path}", json=body)

    return [Case(permission, roles, success, build, other_404="campaigns.not_found")]


def _journey_body() -> dict[str, Any]:
    """A journey of a log message to each member who pays."""
    steps = [{"type": "send", "channel": "log", "body": "hi {{ name }}"}]
    return {"name": f"journey {next(_serial)}", "trigger": {"type": "order_paid"}, "steps": steps}


def _journey_case(
    permission: Permission,
    roles: frozenset[Role],
    method: str,
    path: str = "",
    moves: tuple[str, ...] = (),
) -> list[Case]:
    """One route of a journey of ours, first moved through ``moves`` (``:activate``…):
    another tenant does not find the journey."""

    def build(client: TestClient, admin: dict[str, str], world: World) -> Req:
        response = client.post(JOURNEYS, json=_journey_body(), headers=admin)
        assert response.status_code == 201, response.text
        url = f"{JOURNEYS}/{response.json()['id']}"
        for move in moves:
            assert client.post(url + move, headers=admin).status_code == 200
        body = {"holdout_percent": 20} if method == "PATCH" else None
        return Req(method, url + path, json=body)

    return [Case(permission, roles, 200, build, other_404="journeys.not_found")]


def _fresh_group(client: TestClient, admin: dict[str, str]) -> str:
    body = {"name": f"group {next(_serial)}", "kind": "vip"}
    response = client.post(GROUPS, json=body, headers=admin)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _group_case(
    permission: Permission, roles: frozenset[Role], success: int, method: str, path: str = ""
) -> list[Case]:
    """One route of a community group of ours (a member invited first when removing):
    another tenant does not find the group."""

    def build(client: TestClient, admin: dict[str, str], world: World) -> Req:
        url = f"{GROUPS}/{_fresh_group(client, admin)}"
        ids = {"member_ids": [int(world.member_id)]}
        if method == "DELETE":  # a new member each time: one is in one VIP group at a time
            member = upsert(client, admin, crm(f"group-{next(_serial)}"))["id"]
            invited = client.post(url + "/members", json={"member_ids": [member]}, headers=admin)
            assert invited.status_code == 200, invited.text
            return Req(method, f"{url}/members/{member}")
        return Req(method, url + path, json=ids if method == "POST" else None)

    return [Case(permission, roles, success, build, other_404="community.not_found")]


def _fresh_watch(client: TestClient, admin: dict[str, str]) -> str:
    body = {"name": f"watch {next(_serial)}", "figure": "dormant_share", "threshold": "40"}
    response = client.post(WATCHES, json=body, headers=admin)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _watch_case(
    permission: Permission, roles: frozenset[Role], success: int, method: str
) -> list[Case]:
    """One route of a watch of ours: another tenant does not find the watch."""

    def build(client: TestClient, admin: dict[str, str], world: World) -> Req:
        body = {"threshold": "50"} if method == "PATCH" else None
        return Req(method, f"{WATCHES}/{_fresh_watch(client, admin)}", json=body)

    return [Case(permission, roles, success, build, other_404="watches.not_found")]


def _launched_results(client: TestClient, admin: dict[str, str], world: World) -> Req:
    """The results of a campaign of ours launched now."""
    response = client.post(CAMPAIGNS, json=_campaign_body(client, admin), headers=admin)
    assert response.status_code == 201, response.text
    campaign = response.json()["id"]
    launched = client.post(f"{CAMPAIGNS}/{campaign}:launch", headers=admin)
    assert launched.status_code == 200, launched.text
    return Req("GET", f"{CAMPAIGNS}/{campaign}/results")


CASES: dict[tuple[str, str], list[Case]] = {
    ("GET", "/api/v1/openapi.json"): [
        Case(None, ALL, 200, lambda c, a, w: Req("GET", "/api/v1/openapi.json"))
    ],
    ("GET", "/api/v1/tenant"): [
        Case(Permission.tenancy_read, READERS, 200, lambda c, a, w: Req("GET", "/api/v1/tenant"))
    ],
    ("PATCH", "/api/v1/tenant"): [
        Case(
            Permission.tenancy_admin,
            ADMIN,
            200,
            lambda c, a, w: Req("PATCH", "/api/v1/tenant", json={"display_name": "Changed"}),
        )
    ],
    ("GET", "/api/v1/channels"): [
        Case(Permission.tenancy_read, READERS, 200, lambda c, a, w: Req("GET", "/api/v1/channels"))
    ],
    ("POST", "/api/v1/channels"): [
        Case(
            Permission.tenancy_admin,
            ADMIN,
            201,
            lambda c, a, w: Req(
                "POST", "/api/v1/channels", json={"code": f"ch{next(_serial)}", "name": "Ch"}
            ),
        )
    ],
    ("GET", "/api/v1/stores"): [
        Case(Permission.tenancy_read, READERS, 200, lambda c, a, w: Req("GET", "/api/v1/stores"))
    ],
    ("POST", "/api/v1/stores"): [
        Case(
            Permission.tenancy_admin,
            ADMIN,
            201,
            lambda c, a, w: Req(
                "POST", "/api/v1/stores", json={"code": f"st{next(_serial)}", "name": "Store"}
            ),
        )
    ],
    ("POST", "/api/v1/api-keys"): [
        Case(
            Permission.tenancy_admin,
            ADMIN,
            201,
            lambda c, a, w: Req("POST", "/api/v1/api-keys", json={"scope": "analyst"}),
        )
    ],
    ("POST", "/api/v1/users"): [
        Case(
            Permission.tenancy_admin,
            ADMIN,
            201,
            lambda c, a, w: Req(
                "POST",
                "/api/v1/users",
                json={
                    "email": f"user{next(_serial)}@example.com",
                    "password": "correct horse battery",
                    "role": "analyst",
                },
            ),
        )
    ],
    ("GET", "/api/v1/audit"): [
        Case(Permission.audit_read, ADMIN, 200, lambda c, a, w: Req("GET", "/api/v1/audit"))
    ],
    ("POST", MEMBERS): [
        Case(
            Permission.members_write,
            WRITERS,
            200,
            lambda c, a, w: Req(
                "POST", MEMBERS, json={"identities": [phone(OUR_PHONE), crm(f"n{next(_serial)}")]}
            ),
            other=_new_member_of_its_own,
        )
    ],
    ("GET", MEMBERS): [
        Case(
            Permission.members_list,
            READERS,
            200,
            lambda c, a, w: Req("GET", MEMBERS),
            other=_empty_page,
        ),
        Case(
            Permission.members_list,
            READERS,
            200,
            lambda c, a, w: Req("GET", MEMBERS, params={"q": OUR_PHONE}),
            other=_empty_page,
        ),
        Case(
            Permission.members_lookup,
            ALL,
            200,
            lambda c, a, w: Req("GET", MEMBERS, params={"identity": f"phone:{OUR_PHONE}"}),
            other=_empty_page,
        ),
    ],
    ("GET", "/api/v1/members/{member_id}"): [
        Case(
            Permission.members_read,
            ALL,
            200,
            lambda c, a, w: Req("GET", f"{MEMBERS}/{w.member_id}"),
            other_404="members.not_found",
        )
    ],
    ("PATCH", "/api/v1/members/{member_id}"): [
        Case(
            Permission.members_write,
            WRITERS,
            200,
            lambda c, a, w: Req(
                "PATCH", f"{MEMBERS}/{w.member_id}", json={"attributes": {"city": "杭州"}}
            ),
            other_404="members.not_found",
        )
    ],
    ("GET", "/api/v1/members/{member_id}/merges"): [
        Case(
            Permission.members_read,
            ALL,
            200,
            lambda c, a, w: Req("GET", f"{MEMBERS}/{w.merged_id}/merges"),
            other_404="members.not_found",
        )
    ],
    ("POST", "/api/v1/merges/{merge_id}/undo"): [
        Case(Permission.members_merge, MERGERS, 200, _fresh_merge, other_404="merges.not_found")
    ],
    ("DELETE", "/api/v1/members/{member_id}/pii"): [
        Case(Permission.members_erase, ADMIN, 200, _fresh_member, other_404="members.not_found")
    ],
    ("GET", "/api/v1/members/{member_id}/export"): [
        Case(
            Permission.members_export,
            ADMIN,
            200,
            lambda c, a, w: Req("GET", f"{MEMBERS}/{w.member_id}/export"),
            other_404="members.not_found",
        )
    ],
    ("POST", ORDERS): [
        Case(
            Permission.activity_write,
            WRITERS,
            201,
            lambda c, a, w: Req("POST", ORDERS, json=_order_body(f"T{next(_serial)}")),
        )
    ],
    ("POST", f"{ORDERS}:batch"): [
        Case(
            Permission.activity_write,
            WRITERS,
            200,
            lambda c, a, w: Req(
                "POST", f"{ORDERS}:batch", json={"items": [_order_body(f"T{next(_serial)}")]}
            ),
        )
    ],
    ("GET", f"{ORDERS}/{{external_id}}"): [
        Case(
            Permission.members_read,
            ALL,
            200,
            lambda c, a, w: Req("GET", f"{ORDERS}/{_stored_order(c, a)}"),
            other_404="orders.not_found",
        )
    ],
    ("POST", f"{ORDERS}/{{external_id}}/refunds"): [
        Case(
            Permission.activity_write,
            WRITERS,
            201,
            _fresh_refund,
            other_404="orders.not_found",
        )
    ],
    ("POST", f"{ORDERS}/{{external_id}}/fulfilment"): [
        Case(
            Permission.activity_write,
            WRITERS,
            200,
            lambda c, a, w: Req(
                "POST", f"{ORDERS}/{_stored_order(c, a)}/fulfilment", json={"status": "shipped"}
            ),
            other_404="orders.not_found",
        )
    ],
    ("POST", "/api/v1/events"): [
        Case(
            Permission.activity_write,
            WRITERS,
            201,
            lambda c, a, w: Req("POST", "/api/v1/events", json=_event_body(f"E{next(_serial)}")),
        )
    ],
    ("POST", "/api/v1/events:batch"): [
        Case(
            Permission.activity_write,
            WRITERS,
            200,
            lambda c, a, w: Req(
                "POST", "/api/v1/events:batch", json={"items": [_event_body(f"E{next(_serial)}")]}
            ),
        )
    ],
    ("GET", "/api/v1/members/{member_id}/orders"): [
        Case(
            Permission.members_read,
            ALL,
            200,
            lambda c, a, w: Req("GET", f"{MEMBERS}/{w.member_id}/orders"),
            other_404="members.not_found",
        )
    ],
    ("GET", "/api/v1/members/{member_id}/events"): [
        Case(
            Permission.members_read,
            ALL,
            200,
            lambda c, a, w: Req("GET", f"{MEMBERS}/{w.member_id}/events"),
            other_404="members.not_found",
        )
    ],
    ("GET", "/api/v1/dashboard/overview"): [
        Case(
            Permission.members_read,
            ALL,
            200,
            lambda c, a, w: Req("GET", "/api/v1/dashboard/overview", params={"days": "7"}),
        )
    ],
    ("GET", TIERS): [Case(Permission.loyalty_read, ALL, 200, lambda c, a, w: Req("GET", TIERS))],
    ("PUT", TIERS): [
        Case(
            Permission.loyalty_rules,
            ADMIN,
            200,
            lambda c, a, w: Req("PUT", TIERS, json=TierLadder().model_dump(mode="json")),
        )
    ],
    ("GET", f"{TIERS}/distribution"): [
        Case(Permission.loyalty_read, ALL, 200, lambda c, a, w: Req("GET", f"{TIERS}/distribution"))
    ],
    ("GET", "/api/v1/members/{member_id}/tier"): [
        Case(
            Permission.loyalty_read,
            ALL,
            200,
            lambda c, a, w: Req("GET", f"{MEMBERS}/{w.member_id}/tier"),
            other_404="members.not_found",
        )
    ],
    ("POST", "/api/v1/members/{member_id}/check-ins"): [
        Case(
            Permission.loyalty_operate,
            WRITERS,
            201,
            _fresh_check_in,
            other_404="members.not_found",
        )
    ],
    ("GET", "/api/v1/members/{member_id}/check-ins"): [
        Case(
            Permission.loyalty_read,
            ALL,
            200,
            lambda c, a, w: Req("GET", f"{MEMBERS}/{w.member_id}/check-ins"),
            other_404="members.not_found",
        )
    ],
    ("GET", CHECK_IN_RULES): [
        Case(Permission.loyalty_read, ALL, 200, lambda c, a, w: Req("GET", CHECK_IN_RULES))
    ],
    ("PUT", CHECK_IN_RULES): [
        Case(
            Permission.loyalty_rules,
            ADMIN,
            200,
            lambda c, a, w: Req("PUT", CHECK_IN_RULES, json={"cycle_days": 3, "schedule": []}),
        )
    ],
    ("POST", "/api/v1/members/{member_id}/member-day-coupons"): [
        # A member of the default ladder has no member-day access, whatever the day: the
        # claim is refused as 409 (perks.no_access or perks.not_member_day) for every role
        # holding the permission, and with 404 for another tenant.
        Case(
            Permission.loyalty_operate,
            WRITERS,
            409,
            lambda c, a, w: Req("POST", f"{MEMBERS}/{w.member_id}/member-day-coupons"),
            other_404="members.not_found",
        )
    ],
    ("GET", PERK_RULES): [
        Case(Permission.loyalty_read, ALL, 200, lambda c, a, w: Req("GET", PERK_RULES))
    ],
    ("PUT", PERK_RULES): [
        Case(
            Permission.loyalty_rules,
            ADMIN,
            200,
            lambda c, a, w: Req("PUT", PERK_RULES, json={"birthday_gift": {"points": 8}}),
        )
    ],
    ("POST", COUPON_TEMPLATES): [
        Case(
            Permission.loyalty_manage,
            MERGERS,
            201,
            lambda c, a, w: Req(
                "POST",
                COUPON_TEMPLATES,
                json={"name": "包邮", "kind": "free_shipping", "valid_days": 7},
            ),
        )
    ],
    ("GET", COUPON_TEMPLATES): [
        Case(
            Permission.loyalty_read,
            ALL,
            200,
            lambda c, a, w: Req("GET", COUPON_TEMPLATES),
            other=_empty_page,
        )
    ],
    ("GET", f"{COUPON_TEMPLATES}/{{template_id}}"): [
        Case(
            Permission.loyalty_read,
            ALL,
            200,
            lambda c, a, w: Req("GET", f"{COUPON_TEMPLATES}/{_fresh_template(c, a)}"),
            other_404="coupons.template_not_found",
        )
    ],
    ("PATCH", f"{COUPON_TEMPLATES}/{{template_id}}"): [
        Case(
            Permission.loyalty_manage,
            MERGERS,
            200,
            lambda c, a, w: Req(
                "PATCH", f"{COUPON_TEMPLATES}/{_fresh_template(c, a)}", json={"active": False}
            ),
            other_404="coupons.template_not_found",
        )
    ],
    ("POST", "/api/v1/members/{member_id}/coupons"): [
        Case(Permission.loyalty_manage, MERGERS, 201, _issue, other_404="members.not_found"),
        # An exchange for points is what a till may do; our member cannot afford this price,
        # so every role holding the permission gets 409 points.insufficient.
        Case(
            Permission.loyalty_operate,
            WRITERS,
            409,
            lambda c, a, w: _issue(c, a, w, points_price=2_000_000_000),
            other_404="members.not_found",
        ),
    ],
    ("GET", "/api/v1/members/{member_id}/coupons"): [
        Case(
            Permission.loyalty_read,
            ALL,
            200,
            lambda c, a, w: Req("GET", f"{MEMBERS}/{w.member_id}/coupons"),
            other_404="members.not_found",
        )
    ],
    ("GET", "/api/v1/coupons/{code}"): [
        Case(
            Permission.loyalty_read,
            ALL,
            200,
            lambda c, a, w: Req("GET", f"/api/v1/coupons/{_fresh_coupon(c, a, w)}"),
            other_404="coupons.not_found",
        )
    ],
    ("POST", "/api/v1/coupons/{code}/redeem"): [
        Case(
            Permission.loyalty_operate,
            WRITERS,
            200,
            lambda c, a, w: Req(
                "POST",
                f"/api/v1/coupons/{_fresh_coupon(c, a, w)}/redeem",
                json={"order_id": f"T{next(_serial)}", "order_amount": "10.00"},
            ),
            other_404="coupons.not_found",
        )
    ],
    ("GET", "/api/v1/members/{member_id}/points"): [
        Case(
            Permission.loyalty_read,
            ALL,
            200,
            lambda c, a, w: Req("GET", f"{MEMBERS}/{w.member_id}/points"),
            other_404="members.not_found",
        )
    ],
    ("POST", "/api/v1/members/{member_id}/points/redeem"): [
        Case(
            Permission.loyalty_operate,
            WRITERS,
            201,
            _fresh_redemption,
            other_404="members.not_found",
        )
    ],
    ("POST", "/api/v1/members/{member_id}/points/adjust"): [
        Case(
            Permission.loyalty_manage,
            MERGERS,
            201,
            lambda c, a, w: _points_write(w.member_id, "adjust", 1),
            other_404="members.not_found",
        )
    ],
    ("GET", "/api/v1/points/liability"): [
        Case(
            Permission.loyalty_read,
            ALL,
            200,
            lambda c, a, w: Req("GET", "/api/v1/points/liability"),
        )
    ],
    ("GET", "/api/v1/points/expiring"): [
        Case(
            Permission.loyalty_read,
            ALL,
            200,
            lambda c, a, w: Req("GET", "/api/v1/points/expiring", params={"days": "30"}),
            other=_empty_page,
        )
    ],
    ("GET", POINTS_RULES): [
        Case(Permission.loyalty_read, ALL, 200, lambda c, a, w: Req("GET", POINTS_RULES))
    ],
    ("PUT", POINTS_RULES): [
        Case(
            Permission.loyalty_rules,
            ADMIN,
            200,
            lambda c, a, w: Req("PUT", POINTS_RULES, json=EarnRules().model_dump(mode="json")),
        )
    ],
    ("GET", "/api/v1/members/{member_id}/stored-value"): [
        Case(
            Permission.loyalty_read,
            ALL,
            200,
            lambda c, a, w: Req("GET", f"{MEMBERS}/{w.member_id}/stored-value"),
            other_404="members.not_found",
        )
    ],
    ("POST", "/api/v1/members/{member_id}/stored-value/top-ups"): [
        Case(
            Permission.loyalty_operate,
            WRITERS,
            201,
            lambda c, a, w: _stored_value_write(w.member_id, "top-ups", {"amount": "1"}),
            other_404="members.not_found",
        )
    ],
    ("POST", "/api/v1/members/{member_id}/stored-value/spends"): [
        Case(
            Permission.loyalty_operate,
            WRITERS,
            201,
            _fresh_spend,
            other_404="members.not_found",
        )
    ],
    ("POST", "/api/v1/members/{member_id}/stored-value/adjustments"): [
        Case(
            Permission.loyalty_manage,
            MERGERS,
            201,
            lambda c, a, w: _stored_value_write(
                w.member_id,
                "adjustments",
                {"amount": "1", "direction": "credit", "part": "bonus", "reason": "access test"},
            ),
            other_404="members.not_found",
        )
    ],
    ("GET", "/api/v1/stored-value/liability"): [
        Case(
            Permission.loyalty_read,
            ALL,
            200,
            lambda c, a, w: Req("GET", "/api/v1/stored-value/liability"),
        )
    ],
    ("GET", STORED_VALUE_RULES): [
        Case(Permission.loyalty_read, ALL, 200, lambda c, a, w: Req("GET", STORED_VALUE_RULES))
    ],
    ("PUT", STORED_VALUE_RULES): [
        Case(
            Permission.loyalty_rules,
            ADMIN,
            200,
            lambda c, a, w: Req("PUT", STORED_VALUE_RULES, json={"bonus_tiers": []}),
        )
    ],
    ("POST", BENEFIT_CARDS): [
        Case(
            Permission.loyalty_manage,
            MERGERS,
            201,
            lambda c, a, w: Req("POST", BENEFIT_CARDS, json=_card_body()),
        )
    ],
    ("GET", BENEFIT_CARDS): [
        Case(
            Permission.loyalty_read,
            ALL,
            200,
            lambda c, a, w: Req("GET", BENEFIT_CARDS),
            other=_empty_page,
        )
    ],
    ("GET", BENEFIT_CARDS + "/{card_type_id}"): [
        Case(
            Permission.loyalty_read,
            ALL,
            200,
            lambda c, a, w: Req("GET", f"{BENEFIT_CARDS}/{_fresh_card(c, a)}"),
            other_404="cards.type_not_found",
        )
    ],
    ("PATCH", BENEFIT_CARDS + "/{card_type_id}"): [
        Case(
            Permission.loyalty_manage,
            MERGERS,
            200,
            lambda c, a, w: Req(
                "PATCH", f"{BENEFIT_CARDS}/{_fresh_card(c, a)}", json={"name": "新"}
            ),
            other_404="cards.type_not_found",
        )
    ],
    ("GET", "/api/v1/members/{member_id}/benefit-cards"): [
        Case(
            Permission.loyalty_read,
            ALL,
            200,
            lambda c, a, w: Req("GET", f"{MEMBERS}/{w.member_id}/benefit-cards"),
            other_404="members.not_found",
        )
    ],
    ("POST", "/api/v1/members/{member_id}/benefit-cards"): [
        Case(
            Permission.loyalty_operate,
            WRITERS,
            201,
            lambda c, a, w: _card_write(w.member_id, "", {"card_type_id": int(_fresh_card(c, a))}),
            other_404="members.not_found",
        )
    ],
    ("POST", "/api/v1/members/{member_id}/benefit-cards/{holding_id}/renew"): [
        Case(
            Permission.loyalty_operate,
            WRITERS,
            201,
            lambda c, a, w: _fresh_holding(c, a, w, "renew"),
            other_404="members.not_found",
        )
    ],
    ("POST", "/api/v1/members/{member_id}/benefit-cards/{holding_id}/refund"): [
        Case(
            Permission.loyalty_manage,
            MERGERS,
            201,
            lambda c, a, w: _fresh_holding(c, a, w, "refund"),
            other_404="members.not_found",
        )
    ],
    ("GET", "/api/v1/members/{member_id}/benefits"): [
        Case(
            Permission.loyalty_read,
            ALL,
            200,
            lambda c, a, w: Req("GET", f"{MEMBERS}/{w.member_id}/benefits"),
            other_404="members.not_found",
        )
    ],
    ("GET", "/api/v1/members/{member_id}/insights"): [
        Case(
            Permission.insights_read,
            READERS,
            200,
            lambda c, a, w: Req("GET", f"{MEMBERS}/{w.member_id}/insights"),
            other_404="members.not_found",
        )
    ],
    ("GET", INSIGHTS_OVERVIEW): [
        Case(Permission.insights_read, READERS, 200, lambda c, a, w: Req("GET", INSIGHTS_OVERVIEW))
    ],
    ("POST", "/api/v1/insights:recompute"): [
        Case(
            Permission.insights_manage,
            MERGERS,
            200,
            lambda c, a, w: Req("POST", "/api/v1/insights:recompute", json={}),
        )
    ],
    ("GET", INSIGHTS_RULES): [
        Case(Permission.insights_read, READERS, 200, lambda c, a, w: Req("GET", INSIGHTS_RULES))
    ],
    ("PUT", INSIGHTS_RULES): [
        Case(
            Permission.insights_rules,
            ADMIN,
            200,
            lambda c, a, w: Req(
                "PUT", INSIGHTS_RULES, json=LayeringRules().model_dump(mode="json")
            ),
        )
    ],
    ("GET", "/api/v1/members/{member_id}/recommendations"): [
        Case(
            Permission.members_read,
            ALL,
            200,
            lambda c, a, w: Req("GET", f"{MEMBERS}/{w.member_id}/recommendations"),
            other_404="members.not_found",
        )
    ],
    ("POST", "/api/v1/recommendations:rebuild"): [
        Case(
            Permission.insights_manage,
            MERGERS,
            200,
            lambda c, a, w: Req("POST", "/api/v1/recommendations:rebuild"),
        )
    ],
    ("GET", RECOMMENDATION_RULES): [
        Case(
            Permission.insights_read,
            READERS,
            200,
            lambda c, a, w: Req("GET", RECOMMENDATION_RULES),
        )
    ],
    ("PUT", RECOMMENDATION_RULES): [
        Case(
            Permission.insights_rules,
            ADMIN,
            200,
            lambda c, a, w: Req(
                "PUT", RECOMMENDATION_RULES, json=RecommendationRules().model_dump(mode="json")
            ),
        )
    ],
    ("GET", TAGS): [Case(Permission.insights_read, READERS, 200, lambda c, a, w: Req("GET", TAGS))],
    ("POST", TAGS): [
        Case(
            Permission.insights_manage,
            MERGERS,
            201,
            lambda c, a, w: Req("POST", TAGS, json={"code": f"t{next(_serial)}", "name": "T"}),
        )
    ],
    ("GET", f"{TAGS}/behaviour-rules"): [
        Case(
            Permission.insights_read,
            READERS,
            200,
            lambda c, a, w: Req("GET", f"{TAGS}/behaviour-rules"),
        )
    ],
    ("PUT", f"{TAGS}/behaviour-rules"): [
        Case(
            Permission.insights_rules,
            ADMIN,
            200,
            lambda c, a, w: Req(
                "PUT", f"{TAGS}/behaviour-rules", json=BehaviourRules().model_dump(mode="json")
            ),
        )
    ],
    ("POST", f"{TAGS}:refresh"): [
        Case(
            Permission.insights_manage,
            MERGERS,
            200,
            lambda c, a, w: Req("POST", f"{TAGS}:refresh", json={}),
        )
    ],
    ("GET", f"{TAGS}/{{tag_id}}"): [
        Case(
            Permission.insights_read,
            READERS,
            200,
            lambda c, a, w: Req("GET", f"{TAGS}/{_fresh_tag(c, a)}"),
            other_404="tags.not_found",
        )
    ],
    ("PATCH", f"{TAGS}/{{tag_id}}"): [
        Case(
            Permission.insights_manage,
            MERGERS,
            200,
            lambda c, a, w: Req("PATCH", f"{TAGS}/{_fresh_tag(c, a)}", json={"name": "改名"}),
            other_404="tags.not_found",
        )
    ],
    ("GET", f"{TAGS}/{{tag_id}}/members"): [
        Case(
            Permission.insights_read,
            READERS,
            200,
            lambda c, a, w: Req("GET", f"{TAGS}/{_fresh_tag(c, a)}/members"),
            other_404="tags.not_found",
        )
    ],
    ("POST", f"{TAGS}/{{tag_id}}/members:upload"): [
        # Sent without a file: every role holding the permission reaches the tag and is told
        # the list is missing (422); another tenant does not find the tag.
        Case(
            Permission.insights_manage,
            MERGERS,
            422,
            lambda c, a, w: Req("POST", f"{TAGS}/{_fresh_tag(c, a)}/members:upload"),
            other_404="tags.not_found",
        )
    ],
    ("GET", "/api/v1/members/{member_id}/tags"): [
        Case(
            Permission.insights_read,
            READERS,
            200,
            lambda c, a, w: Req("GET", f"{MEMBERS}/{w.member_id}/tags"),
            other_404="members.not_found",
        )
    ],
    ("POST", "/api/v1/members/{member_id}/tags"): [
        Case(
            Permission.insights_manage,
            MERGERS,
            201,
            lambda c, a, w: Req(
                "POST", f"{MEMBERS}/{w.member_id}/tags", json={"tag_id": int(_fresh_tag(c, a))}
            ),
            other_404="members.not_found",
        )
    ],
    ("DELETE", "/api/v1/members/{member_id}/tags/{tag_id}"): [
        Case(Permission.insights_manage, MERGERS, 204, _fresh_untag, other_404="members.not_found")
    ],
    ("GET", f"{CROWDS}/fields"): [
        Case(Permission.crowds_read, READERS, 200, lambda c, a, w: Req("GET", f"{CROWDS}/fields"))
    ],
    ("POST", f"{CROWDS}:preview"): [
        Case(
            Permission.crowds_read,
            READERS,
            200,
            lambda c, a, w: Req("POST", f"{CROWDS}:preview", json={"condition": GENDER_SET}),
        )
    ],
    ("GET", CROWDS): [
        Case(Permission.crowds_read, READERS, 200, lambda c, a, w: Req("GET", CROWDS))
    ],
    ("POST", CROWDS): [
        Case(
            Permission.crowds_manage,
            MERGERS,
            201,
            lambda c, a, w: Req(
                "POST", CROWDS, json={"name": f"c{next(_serial)}", "condition": GENDER_SET}
            ),
        )
    ],
    ("GET", f"{CROWDS}/{{crowd_id}}"): _crowd_case(Permission.crowds_read, READERS, 200, "GET"),
    ("PATCH", f"{CROWDS}/{{crowd_id}}"): _crowd_case(
        Permission.crowds_manage, MERGERS, 200, "PATCH"
    ),
    ("DELETE", f"{CROWDS}/{{crowd_id}}"): _crowd_case(
        Permission.crowds_manage, MERGERS, 204, "DELETE"
    ),
    ("POST", f"{CROWDS}/{{crowd_id}}:freeze"): _crowd_case(
        Permission.crowds_manage, MERGERS, 200, "POST", ":freeze"
    ),
    ("GET", f"{CROWDS}/{{crowd_id}}/members"): _crowd_case(
        Permission.crowds_read, READERS, 200, "GET", "/members"
    ),
    ("GET", f"{CROWDS}/{{crowd_id}}/overlap"): _crowd_case(
        Permission.crowds_read, READERS, 200, "GET", "/overlap"
    ),
    ("GET", f"{CROWDS}/{{crowd_id}}/export"): _crowd_case(
        Permission.crowds_read, READERS, 200, "GET", "/export"
    ),
    ("POST", MESSAGES): [
        Case(
            Permission.messages_send,
            MERGERS,
            201,
            lambda c, a, w: _message_to(w),
            other_404="members.not_found",
        )
    ],
    ("POST", f"{MESSAGES}:preview"): [
        Case(
            Permission.messages_send,
            MERGERS,
            200,
            lambda c, a, w: Req(
                "POST", f"{MESSAGES}:preview", json={"member_id": int(w.member_id), "body": "hi"}
            ),
            other_404="members.not_found",
        )
    ],
    ("GET", MESSAGES): [
        Case(
            Permission.messages_read,
            READERS,
            200,
            lambda c, a, w: Req("GET", MESSAGES),
            other=_empty_page,
        )
    ],
    ("GET", f"{MESSAGES}/{{message_id}}"): [
        Case(
            Permission.messages_read,
            READERS,
            200,
            _fresh_message,
            other_404="messaging.not_found",
        )
    ],
    ("POST", WEBHOOKS): [
        Case(
            Permission.webhooks_manage,
            ADMIN,
            201,
            lambda c, a, w: Req(
                "POST", WEBHOOKS, json={"url": "http://127.0.0.1:9/h", "events": ["tier.changed"]}
            ),
        )
    ],
    ("GET", WEBHOOKS): [
        Case(
            Permission.webhooks_manage,
            ADMIN,
            200,
            lambda c, a, w: Req("GET", WEBHOOKS),
            other=_empty_page,
        )
    ],
    ("DELETE", f"{WEBHOOKS}/{{webhook_id}}"): [
        Case(
            Permission.webhooks_manage,
            ADMIN,
            204,
            lambda c, a, w: Req("DELETE", f"{WEBHOOKS}/{_fresh_webhook(c, a)}"),
            other_404="messaging.webhook_not_found",
        )
    ],
    ("GET", f"{WEBHOOKS}/{{webhook_id}}/deliveries"): [
        Case(
            Permission.webhooks_manage,
            ADMIN,
            200,
            lambda c, a, w: Req("GET", f"{WEBHOOKS}/{_fresh_webhook(c, a)}/deliveries"),
            other_404="messaging.webhook_not_found",
        )
    ],
    ("GET", ECONOMICS): [
        Case(Permission.campaigns_read, READERS, 200, lambda c, a, w: Req("GET", ECONOMICS))
    ],
    ("PUT", ECONOMICS): [
        Case(
            Permission.campaigns_manage,
            MERGERS,
            200,
            lambda c, a, w: Req("PUT", ECONOMICS, json=CampaignEconomics().model_dump()),
        )
    ],
    ("POST", CAMPAIGNS): [
        Case(
            Permission.campaigns_manage,
            MERGERS,
            201,
            lambda c, a, w: Req("POST", CAMPAIGNS, json=_campaign_body(c, a)),
            other=_not_our_crowd,
        )
    ],
    ("GET", CAMPAIGNS): [
        Case(
            Permission.campaigns_read,
            READERS,
            200,
            lambda c, a, w: Req("GET", CAMPAIGNS),
            other=_empty_page,
        )
    ],
    ("GET", f"{CAMPAIGNS}/{{campaign_id}}"): _campaign_case(
        Permission.campaigns_read, READERS, 200, "GET"
    ),
    ("PATCH", f"{CAMPAIGNS}/{{campaign_id}}"): _campaign_case(
        Permission.campaigns_manage, MERGERS, 200, "PATCH"
    ),
    ("POST", f"{CAMPAIGNS}/{{campaign_id}}:launch"): _campaign_case(
        Permission.campaigns_manage, MERGERS, 200, "POST", ":launch"
    ),
    ("POST", f"{CAMPAIGNS}/{{campaign_id}}:cancel"): _campaign_case(
        Permission.campaigns_manage, MERGERS, 200, "POST", ":cancel"
    ),
    ("GET", f"{CAMPAIGNS}/{{campaign_id}}/recipients"): _campaign_case(
        Permission.campaigns_read, READERS, 200, "GET", "/recipients"
    ),
    ("POST", f"{CAMPAIGNS}/{{campaign_id}}/forecast"): _campaign_case(
        Permission.campaigns_read, READERS, 200, "POST", "/forecast"
    ),
    ("GET", f"{CAMPAIGNS}/{{campaign_id}}/results"): [
        Case(
            Permission.campaigns_read,
            READERS,
            200,
            _launched_results,
            other_404="campaigns.not_found",
        )
    ],
    ("POST", JOURNEYS): [
        Case(
            Permission.campaigns_manage,
            MERGERS,
            201,
            lambda c, a, w: Req("POST", JOURNEYS, json=_journey_body()),
        )
    ],
    ("GET", JOURNEYS): [
        Case(
            Permission.campaigns_read,
            READERS,
            200,
            lambda c, a, w: Req("GET", JOURNEYS),
            other=_empty_page,
        )
    ],
    ("GET", f"{JOURNEYS}/{{journey_id}}"): _journey_case(Permission.campaigns_read, READERS, "GET"),
    ("PATCH", f"{JOURNEYS}/{{journey_id}}"): _journey_case(
        Permission.campaigns_manage, MERGERS, "PATCH"
    ),
    ("POST", f"{JOURNEYS}/{{journey_id}}:activate"): _journey_case(
        Permission.campaigns_manage, MERGERS, "POST", ":activate"
    ),
    ("POST", f"{JOURNEYS}/{{journey_id}}:pause"): _journey_case(
        Permission.campaigns_manage, MERGERS, "POST", ":pause", (":activate",)
    ),
    ("POST", f"{JOURNEYS}/{{journey_id}}:resume"): _journey_case(
        Permission.campaigns_manage, MERGERS, "POST", ":resume", (":activate", ":pause")
    ),
    ("POST", f"{JOURNEYS}/{{journey_id}}:archive"): _journey_case(
        Permission.campaigns_manage, MERGERS, "POST", ":archive", (":activate",)
    ),
    ("GET", f"{JOURNEYS}/{{journey_id}}/report"): _journey_case(
        Permission.campaigns_read, READERS, "GET", "/report"
    ),
    ("GET", GROUPS): [
        Case(
            Permission.campaigns_read,
            READERS,
            200,
            lambda c, a, w: Req("GET", GROUPS),
            other=_empty_page,
        )
    ],
    ("POST", GROUPS): [
        Case(
            Permission.campaigns_manage,
            MERGERS,
            201,
            lambda c, a, w: Req("POST", GROUPS, json={"name": f"group {next(_serial)}"}),
        )
    ],
    ("GET", f"{GROUPS}/rules"): [
        Case(Permission.campaigns_read, READERS, 200, lambda c, a, w: Req("GET", f"{GROUPS}/rules"))
    ],
    ("PUT", f"{GROUPS}/rules"): [
        Case(
            Permission.campaigns_manage,
            MERGERS,
            200,
            lambda c, a, w: Req("PUT", f"{GROUPS}/rules", json={"group_size": 300}),
        )
    ],
    ("POST", f"{GROUPS}:review"): [
        Case(
            Permission.campaigns_manage,
            MERGERS,
            200,
            lambda c, a, w: Req("POST", f"{GROUPS}:review"),
        )
    ],
    ("GET", f"{GROUPS}/{{group_id}}"): _group_case(Permission.campaigns_read, READERS, 200, "GET"),
    ("POST", f"{GROUPS}/{{group_id}}/members"): _group_case(
        Permission.campaigns_manage, MERGERS, 200, "POST", "/members"
    ),
    ("DELETE", f"{GROUPS}/{{group_id}}/members/{{member_id}}"): _group_case(
        Permission.campaigns_manage, MERGERS, 204, "DELETE"
    ),
    ("GET", JOURNEY_TEMPLATES): [
        Case(
            Permission.campaigns_read,
            READERS,
            200,
            lambda c, a, w: Req("GET", JOURNEY_TEMPLATES),
        )
    ],
    ("POST", f"{JOURNEY_TEMPLATES}/{{key}}:start"): [
        Case(
            Permission.campaigns_manage,
            MERGERS,
            201,
            lambda c, a, w: Req(
                "POST",
                f"{JOURNEY_TEMPLATES}/points_expiry:start",
                json={"name": f"reminder {next(_serial)}"},
            ),
        )
    ],
    ("GET", WATCHES): [
        Case(
            Permission.insights_read,
            READERS,
            200,
            lambda c, a, w: Req("GET", WATCHES),
            other=_empty_page,
        )
    ],
    ("POST", WATCHES): [
        Case(
            Permission.insights_manage,
            MERGERS,
            201,
            lambda c, a, w: Req(
                "POST",
                WATCHES,
                json={"name": f"watch {next(_serial)}", "figure": "daily_gmv", "threshold": "1"},
            ),
        )
    ],
    ("GET", f"{WATCHES}/{{watch_id}}"): _watch_case(Permission.insights_read, READERS, 200, "GET"),
    ("PATCH", f"{WATCHES}/{{watch_id}}"): _watch_case(
        Permission.insights_manage, MERGERS, 200, "PATCH"
    ),
    ("DELETE", f"{WATCHES}/{{watch_id}}"): _watch_case(
        Permission.insights_manage, MERGERS, 204, "DELETE"
    ),
    ("POST", f"{MEMBERS}/{{member_id}}/unsubscribe"): [
        Case(
            Permission.members_write,
            WRITERS,
            204,
            lambda c, a, w: Req(
                "POST", f"{MEMBERS}/{w.member_id}/unsubscribe", json={"channel": "sms"}
            ),
            other_404="members.not_found",
        )
    ],
    ("POST", "/api/v1/joins"): [
        Case(
            Permission.members_write,
            WRITERS,
            201,
            lambda c, a, w: Req(
                "POST",
                "/api/v1/joins",
                json={
                    "identities": [{"type": "phone", "value": f"1370000{next(_serial):04d}"}],
                    "source": "official_account_menu",
                },
            ),
        )
    ],
    ("GET", "/api/v1/join-scenes"): [
        Case(
            Permission.campaigns_read,
            READERS,
            200,
            lambda c, a, w: Req("GET", "/api/v1/join-scenes"),
        )
    ],
    ("POST", "/api/v1/join-scenes"): [
        Case(
            Permission.campaigns_manage,
            MERGERS,
            201,
            lambda c, a, w: Req(
                "POST",
                "/api/v1/join-scenes",
                json={"name": f"card {next(_serial)}", "source": "parcel_card"},
            ),
        )
    ],
    ("GET", f"{MEMBERS}/{{member_id}}/invite"): [
        Case(
            Permission.loyalty_read,
            ALL,
            200,
            lambda c, a, w: Req("GET", f"{MEMBERS}/{w.member_id}/invite"),
            other_404="members.not_found",
        )
    ],
    ("GET", f"{MEMBERS}/{{member_id}}/referrals"): [
        Case(
            Permission.loyalty_read,
            ALL,
            200,
            lambda c, a, w: Req("GET", f"{MEMBERS}/{w.member_id}/referrals"),
            other_404="members.not_found",
        )
    ],
    ("GET", "/api/v1/growth/referral-leaderboard"): [
        Case(
            Permission.loyalty_read,
            ALL,
            200,
            lambda c, a, w: Req("GET", "/api/v1/growth/referral-leaderboard"),
            other=_empty_page,
        )
    ],
    ("GET", "/api/v1/growth/rules"): [
        Case(Permission.loyalty_read, ALL, 200, lambda c, a, w: Req("GET", "/api/v1/growth/rules"))
    ],
    ("PUT", "/api/v1/growth/rules"): [
        Case(
            Permission.loyalty_rules,
            ADMIN,
            200,
            lambda c, a, w: Req(
                "PUT", "/api/v1/growth/rules", json={"join_page_url": "https://shop.example.com/j"}
            ),
        )
    ],
    ("GET", "/api/v1/dashboard/joins"): [
        Case(
            Permission.members_read,
            ALL,
            200,
            lambda c, a, w: Req("GET", "/api/v1/dashboard/joins"),
        )
    ],
}


def api_routes() -> list[tuple[str, str]]:
    """(method, path) of every route the app serves under /api/v1."""
    app = create_app(Settings(database_url="sqlite://"))
    found = {
        (method, context.path)
        for context in iter_route_contexts(app.routes)
        if context.path and context.path.startswith("/api/v1/")
        for method in (context.methods or set()) - {"HEAD"}
    }
    return sorted(found)


def test_every_case_is_a_route_and_matches_the_role_table() -> None:
    assert set(CASES) == set(api_routes())
    for cases in CASES.values():
        for case in cases:
            if case.permission is not None:
                holders = {r for r in Role if case.permission in ROLE_PERMISSIONS[r]}
                assert holders == case.roles, case.permission


def _send(client: TestClient, req: Req, headers: dict[str, str] | None) -> httpx.Response:
    return client.request(
        req.method, req.url, params=req.params, json=req.json, headers=req.headers | (headers or {})
    )


@pytest.fixture
def world(client: TestClient, admin: dict[str, str]) -> World:
    member = upsert(
        client, admin, phone(OUR_PHONE), attributes={"name": OUR_NAME}, consent={"sms": True}
    )
    other = upsert(client, admin, crm("ours-b"))
    merged = upsert(client, admin, phone(OUR_PHONE), crm("ours-b"))
    name = client.get("/api/v1/tenant", headers=admin).json()["name"]
    return World(name, member["id"], other["id"], merged["merged"][0])


@pytest.fixture
def bad_credentials(session: Session, tenant: Principal) -> list[tuple[dict[str, str], str]]:
    """Authorization headers that must be refused, each with the problem code it gets."""
    with session.begin():
        revoked = tenancy.create_api_key(session, tenant, Role.admin)
        session.execute(
            update(ApiKey)
            .where(ApiKey.prefix == revoked.split("_")[1])
            .values(revoked_at=clock.now())
        )
        live = tenancy.create_api_key(session, tenant, Role.admin)
    unauthenticated, invalid = "auth.unauthenticated", "auth.invalid_credentials"
    return [
        ({}, unauthenticated),
        ({"Authorization": "Basic YWRtaW46YWRtaW4="}, unauthenticated),
        ({"Authorization": "Bearer "}, unauthenticated),
        ({"Authorization": "Bearer not-a-key"}, invalid),
        ({"Authorization": "Bearer mo_NOT-HEX_secret"}, invalid),
        ({"Authorization": "Bearer mo_0123456789ab_secret"}, invalid),
        ({"Authorization": f"Bearer {'_'.join(live.split('_', 2)[:2])}_wrong-secret"}, invalid),
        ({"Authorization": f"Bearer {revoked}"}, invalid),
    ]


@pytest.mark.parametrize("route", api_routes(), ids=" ".join)
def test_refusals_change_nothing(
    route: tuple[str, str],
    client: TestClient,
    session: Session,
    tenant: Principal,
    headers: dict[Role, dict[str, str]],
    other_headers: dict[Role, dict[str, str]],
    world: World,
    bad_credentials: list[tuple[dict[str, str], str]],
) -> None:
    assert route in CASES, f"no access expectation for {route}: add it to CASES"
    admin = headers[Role.admin]
    for case in CASES[route]:
        req = case.build(client, admin, world)
        before = snapshot(session)
        ours_before = snapshot(session, tenant.tenant_id)

        if case.permission is None:  # a public document: served to anyone, with no tenant data
            response = _send(client, req, None)
            assert response.status_code == case.success
            assert OUR_PHONE not in response.text
            continue
        for credential, code in bad_credentials:
            response = _send(client, req, credential)
            assert_problem(response, 401, code)
            assert response.headers["www-authenticate"] == "Bearer"
        for role in sorted(set(Role) - case.roles):
            body = assert_problem(_send(client, req, headers[role]), 403, "auth.forbidden")
            assert body["permission"] == case.permission.value
        assert snapshot(session) == before

        response = _send(client, req, other_headers[Role.admin])
        if case.other_404 is not None:
            assert_problem(response, 404, case.other_404)
            assert snapshot(session) == before
        else:  # the rival sees and changes only its own tenant
            case.other(response, world)
        assert snapshot(session, tenant.tenant_id) == ours_before

        for role in sorted(case.roles):
            allowed = case.build(client, admin, world)
            response = _send(client, allowed, headers[role])
            assert response.status_code == case.success, (role, response.text)
