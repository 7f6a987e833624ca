"""Invariant: no JSON body sent to POST /members makes the API answer 5xx, and a refused body
writes nothing."""

import json
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from memberops.identity.models import IdentityType
from memberops.tenancy.access import Principal
from tests.api.support import MEMBERS, PROBLEM_JSON, counts

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()  # NaN and infinities included: Python's JSON writes and reads them
    | st.text(max_size=12)
)
JSON = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=10,
)
TYPES = st.sampled_from([*(t.value for t in IdentityType), "fax", ""])
VALUES = (
    st.from_regex(r"\A(\+86)?1[3-9][0-9]{9}\Z")
    | st.from_regex(r"\A[a-z]{1,5}@[a-z]{1,5}\.(cn|com)\Z")
    | st.text(max_size=20)
    | JSON
)
IDENTITY = st.fixed_dictionaries(
    {"type": TYPES | JSON, "value": VALUES},
    optional={"channel": st.sampled_from(["taobao", "jd"]) | JSON, "app": JSON, "x": JSON},
)
ATTRIBUTES = st.dictionaries(
    st.sampled_from(
        ["name", "nickname", "gender", "birthday", "province", "city", "custom", "shoe"]
    ),
    st.sampled_from(["male", "female", "1990-05-01", "上海"]) | JSON,
    max_size=4,
)
CONSENT = st.dictionaries(
    st.sampled_from(["sms", "wechat", "email", "wecom", "fax"]), st.booleans() | JSON, max_size=3
)
NEAR_VALID = st.fixed_dictionaries(
    {"identities": st.lists(IDENTITY, max_size=3) | JSON},
    optional={
        "attributes": ATTRIBUTES | JSON,
        "consent": CONSENT | JSON,
        "channel": st.text(max_size=40) | JSON,
        "registered": st.booleans() | JSON,
        "extra": JSON,
    },
)
VALID_IDENTITY = st.one_of(
    st.builds(lambda v: {"type": "phone", "value": v}, st.from_regex(r"\A1[3-9][0-9]{9}\Z")),
    st.builds(lambda v: {"type": "email", "value": v}, st.from_regex(r"\A[a-z]{1,3}@x\.cn\Z")),
    st.builds(lambda v: {"type": "crm_id", "value": v}, st.text("ab1", min_size=1, max_size=2)),
    st.builds(
        lambda v, c: {"type": "platform_nick", "value": v, "channel": c},
        st.text(min_size=1, max_size=10),
        st.sampled_from(["taobao", "jd"]),
    ),
    st.builds(
        lambda v, a: {"type": "wechat_openid", "value": v, "app": a},
        st.text(min_size=1, max_size=10),
        st.sampled_from(["wx-a", "wx-b"]),
    ),
)
VALID_ATTRIBUTES = st.fixed_dictionaries(
    {},
    optional={
        "name": st.text(max_size=20),
        "gender": st.sampled_from(["male", "female", "unknown"]),
        "birthday": st.dates().map(str),
        "city": st.text(max_size=10),
        "custom": st.dictionaries(st.text(max_size=5), JSON, max_size=3),
    },
)
MOSTLY_VALID = st.fixed_dictionaries(
    {"identities": st.lists(VALID_IDENTITY, min_size=1, max_size=3)},
    optional={
        "attributes": VALID_ATTRIBUTES,
        "consent": st.dictionaries(st.sampled_from(["sms", "wechat"]), st.booleans()),
        "registered": st.booleans(),
        "channel": st.sampled_from(["pos", "taobao"]),
    },
)
BODIES = MOSTLY_VALID | NEAR_VALID | JSON


@settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(body=BODIES)
def test_random_bodies_never_cause_a_server_error(
    body: Any, client: TestClient, session: Session, tenant: Principal, admin: dict[str, str]
) -> None:
    before = counts(session, tenant.tenant_id)
    response = client.post(
        MEMBERS,
        content=json.dumps(body).encode(),
        headers={**admin, "content-type": "application/json"},
    )
    event(f"status {response.status_code}")
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert 400 <= response.status_code < 500
        assert response.headers["content-type"] == PROBLEM_JSON
        problem = response.json()
        assert {"type", "title", "status", "detail", "code"} <= problem.keys()
        assert problem["status"] == response.status_code
        assert counts(session, tenant.tenant_id) == before
    else:
        assert response.status_code in (200, 201)
        assert response.json()["status"] == "active"
        assert response.json()["identities"]


def test_bodies_json_cannot_read_are_a_400(
    client: TestClient, session: Session, tenant: Principal, admin: dict[str, str]
) -> None:
    """Nesting deeper than the parser recurses, or an integer longer than Python converts."""
    before = counts(session, tenant.tenant_id)
    headers = {**admin, "content-type": "application/json"}
    for content in (b"[" * 200_000 + b"]" * 200_000, b'{"identities": ' + b"9" * 5000 + b"}"):
        response = client.post(MEMBERS, content=content, headers=headers)
        assert response.status_code == 400, response.text
        assert response.headers["content-type"] == PROBLEM_JSON
        assert response.json()["code"] == "request.bad"
        assert response.json()["detail"] == "There was an error parsing the body"
    assert counts(session, tenant.tenant_id) == before
