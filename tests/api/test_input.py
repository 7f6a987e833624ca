"""Acceptance: bad input gets a clear 4xx problem document, never a 500 and never a half-write."""

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from memberops.kernel.settings import Settings
from memberops.tenancy.access import Principal
from tests.api.support import (
    MEMBERS,
    assert_invalid,
    assert_problem,
    counts,
    crm,
    phone,
    snapshot,
    upsert,
)

LIMIT = 4096
ID_ROUTES = [
    ("GET", MEMBERS + "/{}", "member_id"),
    ("PATCH", MEMBERS + "/{}", "member_id"),
    ("GET", MEMBERS + "/{}/merges", "member_id"),
    ("DELETE", MEMBERS + "/{}/pii", "member_id"),
    ("GET", MEMBERS + "/{}/export", "member_id"),
    ("POST", "/api/v1/merges/{}/undo", "merge_id"),
]
NOT_FOUND = {"member_id": "members.not_found", "merge_id": "merges.not_found"}


@pytest.fixture
def settings() -> Settings:
    return Settings(database_url="sqlite://", secret_key="test", max_body_bytes=LIMIT)


def _ident(**fields: Any) -> dict[str, Any]:
    return {"identities": [fields]}


def _with(**fields: Any) -> dict[str, Any]:
    return {"identities": [crm("x")], **fields}


def _attrs(**attributes: Any) -> dict[str, Any]:
    return _with(attributes=attributes)


# (label, body, code, field of identities.0 the error names)
BAD_IDENTITIES: list[tuple[str, dict[str, Any], str, str]] = [
    ("phone digits", _ident(type="phone", value="12345"), "identity.invalid", "value"),
    ("phone letters", _ident(type="phone", value="abc"), "identity.invalid", "value"),
    ("blank value", _ident(type="crm_id", value="   "), "identity.invalid", "value"),
    ("bad email", _ident(type="email", value="a@b"), "identity.invalid", "value"),
    ("unknown type", _ident(type="fax", value="1"), "request.invalid", "type"),
    (
        "nick without channel",
        _ident(type="platform_nick", value="n"),
        "identity.invalid",
        "channel",
    ),
    ("openid without app", _ident(type="wechat_openid", value="o"), "identity.invalid", "app"),
    (
        "openid with a channel, not an app",
        _ident(type="wechat_openid", value="o", channel="wx"),
        "identity.invalid",
        "app",
    ),
    (
        "phone with a channel",
        _ident(type="phone", value="13800000000", channel="pos"),
        "identity.invalid",
        "channel",
    ),
    (
        "phone with an app",
        _ident(type="phone", value="13800000000", app="wx"),
        "identity.invalid",
        "app",
    ),
    ("value a number", _ident(type="crm_id", value=5), "request.invalid", "value"),
    ("value null", _ident(type="crm_id", value=None), "request.invalid", "value"),
    ("value missing", _ident(type="crm_id"), "request.invalid", "value"),
    ("unknown identity field", _ident(type="crm_id", value="x", vip=1), "request.invalid", "vip"),
    ("NUL in value", _ident(type="crm_id", value="a\x00b"), "request.invalid", "value"),
]

# (label, body, location below "body")
BAD_SHAPES: list[tuple[str, Any, list[str | int]]] = [
    ("missing identities", {}, ["identities"]),
    ("empty identities", {"identities": []}, ["identities"]),
    ("identities a string", {"identities": "phone"}, ["identities"]),
    ("identity a string", {"identities": ["13800000000"]}, ["identities", 0]),
    ("51 identities", {"identities": [crm(str(i)) for i in range(51)]}, ["identities"]),
    ("extra top-level field", _with(vip=True), ["vip"]),
    ("attributes a list", _with(attributes=[]), ["attributes"]),
    ("unknown attribute", _attrs(shoe=42), ["attributes", "shoe"]),
    ("gender", _attrs(gender="robot"), ["attributes", "gender"]),
    ("birthday", _attrs(birthday="soon"), ["attributes", "birthday"]),
    ("custom a string", _attrs(custom="x"), ["attributes", "custom"]),
    ("NUL in custom", _attrs(custom={"k": ["\x00"]}), ["attributes", "custom"]),
    ("NUL in a custom key", _attrs(custom={"\x00": 1}), ["attributes", "custom"]),
    ("NUL in name", _attrs(name="\x00"), ["attributes", "name"]),
    ("name too long", _attrs(name="x" * 201), ["attributes", "name"]),
    ("consent a list", _with(consent=["sms"]), ["consent"]),
    ("consent channel", _with(consent={"fax": True}), ["consent", "fax", "[key]"]),
    ("consent value", _with(consent={"sms": "perhaps"}), ["consent", "sms"]),
    ("registered", _with(registered="maybe"), ["registered"]),
    ("channel too long", _with(channel="c" * 33), ["channel"]),
    ("a JSON list", [crm("x")], []),
    ("a JSON string", "hello", []),
]


@pytest.mark.parametrize(
    ("label", "body", "code", "field"), BAD_IDENTITIES, ids=[c[0] for c in BAD_IDENTITIES]
)
def test_bad_identity_is_refused_with_its_location(
    label: str,
    body: dict[str, Any],
    code: str,
    field: str,
    client: TestClient,
    session: Session,
    tenant: Principal,
    admin: dict[str, str],
) -> None:
    before = counts(session, tenant.tenant_id)
    response = client.post(MEMBERS, json=body, headers=admin)
    assert_invalid(response, ["body", "identities", 0, field], code)
    assert counts(session, tenant.tenant_id) == before


@pytest.mark.parametrize(("label", "body", "loc"), BAD_SHAPES, ids=[c[0] for c in BAD_SHAPES])
def test_bad_body_is_refused_with_its_location(
    label: str,
    body: Any,
    loc: list[str | int],
    client: TestClient,
    session: Session,
    tenant: Principal,
    admin: dict[str, str],
) -> None:
    before = counts(session, tenant.tenant_id)
    assert_invalid(client.post(MEMBERS, json=body, headers=admin), ["body", *loc])
    assert counts(session, tenant.tenant_id) == before


def test_one_bad_identity_writes_none_of_the_others(
    client: TestClient, session: Session, tenant: Principal, admin: dict[str, str]
) -> None:
    before = counts(session, tenant.tenant_id)
    response = client.post(
        MEMBERS,
        json={
            "identities": [phone("13800000000"), crm("c-1"), {"type": "email", "value": "nope"}],
            "attributes": {"name": "张三"},
            "consent": {"sms": True},
        },
        headers=admin,
    )
    body = assert_invalid(response, ["body", "identities", 2, "value"], "identity.invalid")
    assert body["detail"] == "'nope' is not an email address."
    assert counts(session, tenant.tenant_id) == before


@pytest.mark.parametrize(
    ("content", "content_type", "loc"),
    [
        (b"hello", "application/json", ["body", 0]),
        (b'{"identities": [', "application/json", ["body", 16]),
        (b'{"identities": [{"type": "crm_id", "value": "x"}]}', "text/plain", ["body"]),
        (b"", "application/json", ["body"]),
        (
            b'{"identities": [{"type": "crm_id", "value": "x"}], "attributes": {"custom": '
            b'{"n": NaN}}}',
            "application/json",
            ["body", "attributes", "custom"],
        ),
        (
            b'{"identities": [{"type": "crm_id", "value": "x"}], "attributes": {"custom": '
            b'{"n": 1e999}}}',
            "application/json",
            ["body", "attributes", "custom"],
        ),
    ],
    ids=["not json", "truncated json", "text/plain", "empty", "NaN", "infinity"],
)
def test_unreadable_body_is_refused(
    content: bytes,
    content_type: str,
    loc: list[str | int],
    client: TestClient,
    session: Session,
    tenant: Principal,
    admin: dict[str, str],
) -> None:
    before = counts(session, tenant.tenant_id)
    response = client.post(
        MEMBERS, content=content, headers={**admin, "content-type": content_type}
    )
    assert_invalid(response, loc)
    assert counts(session, tenant.tenant_id) == before


def _padded(size: int) -> bytes:
    """A valid body of exactly ``size`` bytes (JSON whitespace pads it)."""
    body = json.dumps({"identities": [crm("big")]}).encode()
    return body + b" " * (size - len(body))


def _chunks(data: bytes, size: int = 1000) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


@pytest.mark.parametrize("streamed", [False, True], ids=["content-length", "chunked"])
def test_body_over_the_limit_is_refused_and_at_the_limit_accepted(
    streamed: bool, client: TestClient, session: Session, tenant: Principal, admin: dict[str, str]
) -> None:
    headers = {**admin, "content-type": "application/json"}
    before = counts(session, tenant.tenant_id)
    over = _padded(LIMIT + 1)
    response = client.post(MEMBERS, content=_chunks(over) if streamed else over, headers=headers)
    body = assert_problem(response, 413, "request.too_large")
    assert body["max_bytes"] == LIMIT
    assert body["detail"] == f"Request bodies are limited to {LIMIT} bytes."
    assert counts(session, tenant.tenant_id) == before

    exact = _padded(LIMIT)
    response = client.post(MEMBERS, content=_chunks(exact) if streamed else exact, headers=headers)
    assert response.status_code == 201, response.text


@pytest.mark.parametrize(("method", "template", "name"), ID_ROUTES, ids=[r[1] for r in ID_ROUTES])
def test_ids_out_of_range_are_refused(
    method: str,
    template: str,
    name: str,
    client: TestClient,
    session: Session,
    admin: dict[str, str],
) -> None:
    before = snapshot(session)
    for bad in (str(2**63), str(10**30), "0", "-1", "1.5", "abc"):
        response = client.request(method, template.format(bad), json={}, headers=admin)
        assert_invalid(response, ["path", name])
    response = client.request(method, template.format(2**63 - 1), json={}, headers=admin)
    assert_problem(response, 404, NOT_FOUND[name])
    assert snapshot(session) == before


def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize("path", [MEMBERS, "/api/v1/audit"])
@pytest.mark.parametrize(
    "cursor", ["!!!", "%%", _cursor("-1"), _cursor(str(2**63)), _cursor("1_0"), _cursor("x")]
)
def test_forged_cursor_is_refused(
    path: str, cursor: str, client: TestClient, admin: dict[str, str]
) -> None:
    response = client.get(path, params={"cursor": cursor}, headers=admin)
    body = assert_invalid(response, ["query", "cursor"], "invalid_input")
    assert body["detail"] == "The cursor is not one this API gave out."


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ("phone:12345", "'12345' is not a valid phone number."),
        ("phone:abc", "'abc' is not a phone number."),
        ("phone", "An identity value cannot be blank."),
        ("platform_nick:taobao", "An identity value cannot be blank."),
        ("wechat_openid::o-1", "A wechat_openid identity needs its app."),
        ("email:not-an-email", "'not-an-email' is not an email address."),
    ],
)
def test_bad_identity_query_is_refused(
    query: str, detail: str, client: TestClient, admin: dict[str, str]
) -> None:
    response = client.get(MEMBERS, params={"identity": query}, headers=admin)
    body = assert_invalid(response, ["query", "identity"], "identity.invalid")
    assert body["detail"] == detail


@pytest.mark.parametrize(
    "query", ["fax:1", "", "crm_id:" + "x" * 256, "platform_nick:" + "c" * 65 + ":n", "crm_id:\x00"]
)
def test_unusable_identity_query_is_refused(
    query: str, client: TestClient, admin: dict[str, str]
) -> None:
    response = client.get(MEMBERS, params={"identity": query}, headers=admin)
    assert_invalid(response, ["query", "identity"], "identity.invalid")


AUDIT = "/api/v1/audit"
INVALID, FILTER = "request.invalid", "invalid_input"


@pytest.mark.parametrize(
    ("path", "params", "loc", "code"),
    [
        (MEMBERS, {"q": "a\x00"}, ["query", "q"], INVALID),
        (MEMBERS, {"q": "x" * 201}, ["query", "q"], INVALID),
        (MEMBERS, {"limit": "0"}, ["query", "limit"], INVALID),
        (MEMBERS, {"limit": "501"}, ["query", "limit"], INVALID),
        (MEMBERS, {"limit": "ten"}, ["query", "limit"], INVALID),
        (AUDIT, {"entity_type": "member"}, ["query", "entity_id"], FILTER),
        (AUDIT, {"entity_id": "1"}, ["query", "entity_type"], FILTER),
        (AUDIT, {"entity_type": "\x00", "entity_id": "1"}, ["query", "entity_type"], INVALID),
        (AUDIT, {"entity_type": "m", "entity_id": "1" * 65}, ["query", "entity_id"], INVALID),
    ],
)
def test_bad_query_is_refused(
    path: str,
    params: dict[str, str],
    loc: list[str | int],
    code: str,
    client: TestClient,
    admin: dict[str, str],
) -> None:
    assert_invalid(client.get(path, params=params, headers=admin), loc, code)


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"attributes": {"gender": "robot"}}, ["body", "attributes", "gender"]),
        ({"consent": {"sms": "perhaps"}}, ["body", "consent", "sms"]),
        ({"consent": {"fax": True}}, ["body", "consent", "fax", "[key]"]),
        ({"status": "erased"}, ["body", "status"]),
        ({"consent_source": "\x00"}, ["body", "consent_source"]),
        ([], ["body"]),
    ],
)
def test_bad_patch_changes_nothing(
    body: Any,
    loc: list[str | int],
    client: TestClient,
    session: Session,
    tenant: Principal,
    admin: dict[str, str],
) -> None:
    member = upsert(client, admin, crm("p-1"), attributes={"gender": "female"})
    before = snapshot(session, tenant.tenant_id)
    response = client.patch(f"{MEMBERS}/{member['id']}", json=body, headers=admin)
    assert_invalid(response, loc)
    assert snapshot(session, tenant.tenant_id) == before


def test_unknown_route_and_method_are_problems(client: TestClient, admin: dict[str, str]) -> None:
    assert_problem(client.get("/api/v1/nothing-here", headers=admin), 404, "request.not_found")
    assert_problem(client.put(MEMBERS, json={}, headers=admin), 405, "request.method_not_allowed")
