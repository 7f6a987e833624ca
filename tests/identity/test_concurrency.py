"""Acceptance: concurrent requests for the same identities, each in its own session and
transaction with real commits, end in one consistent state and never in a 500.

PostgreSQL only: SQLite takes one writer at a time (``BEGIN IMMEDIATE``), so nothing races.
"""

from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from memberops.identity.models import Identity
from memberops.kernel.db import make_session_factory
from memberops.members.models import Member, MemberStatus
from memberops.tenancy.models import AuditEntry
from tests.api.support import MEMBERS, crm, phone
from tests.races import Call, Racer, at_once

pytestmark = pytest.mark.postgres_only
THREADS = 8
ROUNDS = 4


def _upserts_at_once(racer: Racer, bodies: list[dict[str, Any]]) -> list[httpx.Response]:
    return at_once(racer, [Call(MEMBERS, body) for body in bodies])


def _post(racer: Racer, body: dict[str, Any]) -> dict[str, Any]:
    response = TestClient(racer.app).post(MEMBERS, json=body, headers=racer.headers)
    assert response.status_code in (200, 201), response.text
    result: dict[str, Any] = response.json()
    return result


def test_same_new_identities_at_once_make_exactly_one_member(
    fresh_engine: Engine, app_and_key: Racer
) -> None:
    race, sessions = app_and_key, make_session_factory(fresh_engine)
    for n in range(ROUNDS):
        number, email = f"+8613900000{n:03d}", f"racer{n}@example.com"
        forward = [phone(number), {"type": "email", "value": email}]
        # half the threads name the identities in the other order: no deadlock either way
        bodies = [{"identities": forward if i % 2 else forward[::-1]} for i in range(THREADS)]
        responses = _upserts_at_once(race, bodies)
        assert sorted(r.status_code for r in responses) == [200] * (THREADS - 1) + [201], [
            r.text for r in responses if r.status_code >= 300
        ]
        assert len({r.json()["id"] for r in responses}) == 1
        member_id = int(responses[0].json()["id"])
        with sessions() as session:
            owners = session.scalars(
                select(Identity.member_id).where(
                    Identity.tenant_id == race.tenant_id, Identity.value.in_([number, email])
                )
            ).all()
            assert owners == [member_id, member_id]
    with sessions() as session:
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


def test_overlapping_merges_at_once_end_consistent(
    fresh_engine: Engine, app_and_key: Racer
) -> None:
    race, sessions = app_and_key, make_session_factory(fresh_engine)
    for n in range(ROUNDS):
        keys = [crm(f"r{n}-m{i}") for i in range(5)]
        ids = [int(_post(race, {"identities": [key]})["id"]) for key in keys]
        # each request links three members; together they link all five
        bodies = [
            {"identities": [keys[0], keys[3], keys[4], phone(f"13700000{n:03d}")]},
            {"identities": [keys[4], keys[3], keys[2], keys[1]]},
            {"identities": [keys[2], keys[1], phone(f"13700000{n:03d}")]},
        ]
        responses = _upserts_at_once(race, bodies)
        assert [r.status_code for r in responses] == [200, 200, 200], [r.text for r in responses]
        with sessions() as session:
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
