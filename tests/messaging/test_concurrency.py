"""The same message sent at once by several clients, each request in its own transaction with
real commits: one message, every answer the same message, no 500.

PostgreSQL only: SQLite takes one writer at a time (``BEGIN IMMEDIATE``), so nothing races.
"""

import pytest
from sqlalchemy import Engine, func, select

from memberops.kernel.db import make_session_factory
from memberops.messaging.models import Message, TrackedLink
from tests.races import Call, Racer, at_once

pytestmark = pytest.mark.postgres_only
THREADS = 8


def test_one_key_at_once_is_one_message(fresh_engine: Engine, app_and_key: Racer) -> None:
    body = {"recipient": "x", "body": "{{ link('https://t.example') }}"}
    calls = [Call("/api/v1/messages", body, headers={"Idempotency-Key": "same"})] * THREADS
    answers = at_once(app_and_key, calls)
    assert sorted(a.status_code for a in answers) == [200] * (THREADS - 1) + [201]
    assert len({a.json()["id"] for a in answers}) == 1
    tenant = app_and_key.tenant_id
    with make_session_factory(fresh_engine)() as session:
        for model in (Message, TrackedLink):
            query = select(func.count()).select_from(model).where(model.tenant_id == tenant)
            assert session.scalar(query) == 1
