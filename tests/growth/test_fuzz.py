"""Invariant: no JSON body sent to POST /joins makes the API answer 5xx, and a refused body
writes nothing (no member, identity, join, referral or audit row)."""

import itertools
import json
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberops.growth.models import MemberJoin, Referral
from memberops.tenancy.access import Principal
from tests.api.support import PROBLEM_JSON, counts
from tests.api.test_fuzz import JSON, VALID_IDENTITY
from tests.growth.support import JOINS, invite_code, scene, sign_up

CODES = st.sampled_from(["SCENE", "INVITE"]) | st.text(max_size=40) | JSON
BODIES = (
    st.fixed_dictionaries(
        {"identities": st.lists(VALID_IDENTITY, min_size=1, max_size=2)},
        optional={
            "scene": CODES,
            "invite_code": CODES,
            "source": st.sampled_from(["parcel_card", "referral", "import", "api", "fax"]) | JSON,
            "campaign": st.text(max_size=70) | JSON,
            "channel": st.sampled_from(["pos", "wechat_oa"]),
            "extra": JSON,
        },
    )
    | JSON
)
_examples = itertools.count(1)


def _written(session: Session, tenant_id: int) -> dict[str, int]:
    with session.begin():
        growth = {
            model.__tablename__: session.scalar(
                select(func.count()).select_from(model).where(model.tenant_id == tenant_id)
            )
            or 0
            for model in (MemberJoin, Referral)
        }
    return counts(session, tenant_id) | growth


def _with_codes(body: Any, codes: dict[str, str]) -> Any:
    """The body with the placeholders SCENE and INVITE replaced by real codes."""
    if not isinstance(body, dict):
        return body
    return {k: codes.get(v, v) if isinstance(v, str) else v for k, v in body.items()}


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(body=BODIES)
def test_random_joins_never_cause_a_server_error(
    body: Any, client: TestClient, session: Session, tenant: Principal, admin: dict[str, str]
) -> None:
    n = next(_examples)  # the test's transaction keeps what earlier examples wrote
    codes = {"SCENE": scene(client, admin, name=f"card {n}")["code"]}
    codes["INVITE"] = invite_code(client, admin, sign_up(client, admin, f"1360000{n:04d}"))
    before = _written(session, tenant.tenant_id)
    response = client.post(
        JOINS,
        content=json.dumps(_with_codes(body, codes)).encode(),
        headers={**admin, "content-type": "application/json"},
    )
    event(f"status {response.status_code}")
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.headers["content-type"] == PROBLEM_JSON
        assert response.json()["status"] == response.status_code
        assert _written(session, tenant.tenant_id) == before
