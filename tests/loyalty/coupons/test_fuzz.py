"""Invariant: no JSON body sent to the coupon routes makes the API answer 5xx, and a refused
request writes nothing."""

import json
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from memberops.kernel import clock
from memberops.tenancy.access import Principal
from tests.api.support import PROBLEM_JSON, snapshot
from tests.loyalty.coupons.support import START, TEMPLATES, issued, make_member, make_template

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.text(max_size=12)
)
JSON = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=8,
)
AMOUNTS = st.sampled_from(["0", "20", "99.99", "1e3", "-1", "0.001"]) | JSON
TIMES = st.datetimes(timezones=st.timezones()).map(lambda t: t.isoformat()) | JSON
TEMPLATE = st.fixed_dictionaries(
    {"name": st.text(max_size=110) | JSON, "kind": st.sampled_from(["amount_off", "gift"]) | JSON},
    optional={
        "amount_off": AMOUNTS,
        "percent_off": st.integers(-5, 120) | JSON,
        "threshold": AMOUNTS,
        "gift": st.text(max_size=3) | JSON,
        "valid_from": TIMES,
        "valid_until": TIMES,
        "valid_days": st.integers(-1, 4000) | JSON,
        "stock": st.integers(-1, 2**33) | JSON,
        "per_member_limit": st.integers(-1, 2**33) | JSON,
        "channels": st.lists(st.text(max_size=40), max_size=3) | JSON,
        "tiers": st.lists(st.sampled_from(["gold", "tin", ""]), max_size=3) | JSON,
        "points_price": st.integers(-1, 2**33) | JSON,
        "member_day_only": st.booleans() | JSON,
    },
)
REDEEM = st.fixed_dictionaries(
    {"order_id": st.text(max_size=70) | JSON, "order_amount": AMOUNTS},
    optional={"channel": st.text(max_size=40) | JSON, "store": st.text(max_size=3) | JSON},
)
SETTINGS = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def _post(client: TestClient, url: str, body: Any, admin: dict[str, str]) -> Any:
    response = client.post(
        url,
        content=json.dumps(body).encode(),
        headers={**admin, "content-type": "application/json"},
    )
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.headers["content-type"] == PROBLEM_JSON
    return response


@SETTINGS
@given(body=TEMPLATE | JSON)
def test_random_templates_never_cause_a_server_error(
    body: Any, client: TestClient, session: Session, tenant: Principal, admin: dict[str, str]
) -> None:
    before = snapshot(session, tenant.tenant_id)
    with clock.frozen(START):
        response = _post(client, TEMPLATES, body, admin)
    if response.status_code != 201:
        assert snapshot(session, tenant.tenant_id) == before


@SETTINGS
@given(body=REDEEM | JSON, path=st.sampled_from(["", "x", "ÄÖ", "A" * 33]))
def test_random_redemptions_never_cause_a_server_error(
    body: Any,
    path: str,
    client: TestClient,
    session: Session,
    tenant: Principal,
    admin: dict[str, str],
) -> None:
    with clock.frozen(START):
        template = make_template(client, admin, threshold="0")
        code = issued(client, admin, make_member(client, admin), template["id"])["code"]
        before = snapshot(session, tenant.tenant_id)
        response = _post(client, f"/api/v1/coupons/{code}{path}/redeem", body, admin)
    if response.status_code != 200:
        assert snapshot(session, tenant.tenant_id) == before
