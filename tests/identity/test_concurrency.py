"""Acceptance: concurrent requests for the same identities, each in its own session and
transaction with real commits, end in one consistent state and never in a 500.

PostgreSQL only: SQLite takes one writer at a time (``BEGIN IMMEDIATE``), so nothing races.
"""

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from memberops.api.app import create_app
from memberops.identity.models import Identity
from memberops.kernel.db import make_session_factory
from memberops.kernel.settings import Settings
from memberops.members.models import Member, MemberStatus
from memberops.migrations import upgrade
from memberops.tenancy import service as tenancy
from memberops.tenancy.models import AuditEntry, Role
from tests.api.support import MEMBERS, crm, phone
from tests.conftest import _postgres_engine

pytestmark = pytest.mark.postgres_only
THREADS = 8
ROUNDS = 4


@pytest.fixture(scope="module")
def fresh_engine() -> Iterator[Engine]:
    """A migrated database of its own, dropped afterwards: these tests commit for real."""
    for engine in _postgres_engine():
        upgrade(engine)
        yield engine


@dataclass(frozen=True)
class Race:
    app: FastAPI
    engine: Engine
    tenant_id: int
    headers: dict[str, str]

    def session(self) -> Session:
        return make_session_factory(self.engine)()

    def at_once(self, bodies: list[dict[str, Any]]) -> list[httpx.Response]:
        """POST each body to /members from its own thread, all released at the same moment."""
        barrier = threading.Barrier(len(bodies))

        def post(body: dict[str, Any]) -> httpx.Response:
            client = TestClient(self.app, raise_server_exceptions=False)
            barrier.wait()
            return client.post(MEMBERS, json=body, headers=self.headers)

        with ThreadPoolExecutor(len(bodies)) as pool:
            return list(pool.map(post, bodies))

    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        response = TestClient(self.app).post(MEMBERS, json=body, headers=self.headers)
        assert response.status_code in (200, 201), response.text
        result: dict[str, Any] = response.json()
        return result


@pytest.fixture
def race(fresh_engine: Engine, request: pytest.FixtureRequest) -> Race:
    """The real app (its own session per request) and a new tenant with an admin key."""
    settings = Settings(database_url="sqlite://", secret_key="test")
    with make_session_factory(fresh_engine)() as session, session.begin():
        created = tenancy.create_tenant(session, f"race-{request.node.name[:40]}", settings)
        admin = tenancy.principal_for(created, Role.admin, "test")
        key = tenancy.create_api_key(session, admin, Role.admin)
    return Race(
        create_app(settings, fresh_engine),
        fresh_engine,
        created.id,
        {"Authorization": f"Bearer {key}"},
    )


def test_same_new_identities_at_once_make_exactly_one_member(race: Race) -> None:
    for n in range(ROUNDS):
        number, email = f"+8613900000{n:03d}", f"racer{n}@example.com"
        forward = [phone(number), {"type": "email", "value": email}]
        # half the threads name the identities in the other order: no deadlock either way
        bodies = [{"identities": forward if i % 2 else forward[::-1]} for i in range(THREADS)]
        responses = race.at_once(bodies)
        assert sorted(r.status_code for r in responses) == [200] * (THREADS - 1) + [201], [
            r.text for r in responses if r.status_code >= 300
        ]
        assert len({r.json()["id"] for r in responses}) == 1
        member_id = int(responses[0].json()["id"])
        with race.session() as session:
            owners = session.scalars(
                select(Identity.member_id).where(
                    Identity.tenant_id == race.tenant_id, Identity.value.in_([number, email])
                )
            ).all()
            assert owners == [member_id, member_id]
    with race.session() as session:
        members = session.scalar(
            select(func.count()).select_from(Member).where(Member.tenant_id == race.tenant_id)
        )
        creations = session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.tenant_id == race.tenant_id, AuditEntry.action == "member.create")
        )
    assert (members, creations) == (ROUNDS, ROUNDS)


def _survivor(session: Session, member_id: int) -> Member:
    member = session.get_one(Member, member_id)
    while member.status == MemberStatus.merged:
        assert member.merged_into_id is not None
        member = session.get_one(Member, member.merged_into_id)
    return member


def test_overlapping_merges_at_once_end_consistent(race: Race) -> None:
    for n in range(ROUNDS):
        keys = [crm(f"r{n}-m{i}") for i in range(5)]
        ids = [int(race.post({"identities": [key]})["id"]) for key in keys]
        # each request links three members; together they link all five
        bodies = [
            {"identities": [keys[0], keys[3], keys[4], phone(f"13700000{n:03d}")]},
            {"identities": [keys[4], keys[3], keys[2], keys[1]]},
            {"identities": [keys[2], keys[1], phone(f"13700000{n:03d}")]},
        ]
        responses = race.at_once(bodies)
        assert [r.status_code for r in responses] == [200, 200, 200], [r.text for r in responses]
        with race.session() as session:
            survivors = {_survivor(session, member_id).id for member_id in ids}
            assert survivors == {ids[0]}  # the oldest absorbed everyone
            stray = session.scalar(
                select(func.count())
                .select_from(Identity)
                .join(Member, Member.id == Identity.member_id)
                .where(Identity.tenant_id == race.tenant_id, Member.status != MemberStatus.active)
            )
            assert stray == 0  # every identity points at an active member
            owners = session.scalars(
                select(Identity.member_id).where(
                    Identity.tenant_id == race.tenant_id,
                    Identity.value.in_([k["value"] for k in keys] + [f"+8613700000{n:03d}"]),
                )
            ).all()
            assert owners == [ids[0]] * 6
        for response in responses:
            assert int(response.json()["id"]) in ids
