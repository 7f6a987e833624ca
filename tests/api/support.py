"""Helpers shared by the API, members, identity and tenancy tests: problem-document checks,
database snapshots (to assert that a refusal changed nothing) and member factories."""

from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberops.identity.models import Identity, MemberMerge
from memberops.kernel.errors import error_anchor
from memberops.members.models import Consent, Member
from memberops.migrations.models import metadata
from memberops.tenancy.models import AuditEntry

PROBLEM_JSON = "application/problem+json"
MEMBERS = "/api/v1/members"


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """``response`` is an RFC 9457 problem document with this status and code."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == f"/errors#{error_anchor(code)}"
    assert isinstance(body["title"], str)
    assert isinstance(body["detail"], str)
    assert body["title"]
    assert body["detail"]
    assert body["instance"] == response.request.url.path
    return body


def assert_invalid(
    response: httpx.Response, loc: list[str | int], code: str = "request.invalid"
) -> dict[str, Any]:
    """A 422 whose ``errors`` name ``loc`` (the first error's location)."""
    body = assert_problem(response, 422, code)
    assert body["errors"][0]["loc"] == loc, body
    assert body["errors"][0]["msg"]
    return body


def snapshot(session: Session, tenant_id: int | None = None) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in key order; only ``tenant_id``'s rows when given (tables
    without a tenant column are then left out)."""
    tables: dict[str, list[tuple[Any, ...]]] = {}
    with session.begin():
        for table in metadata.sorted_tables:
            query = select(table).order_by(*table.primary_key.columns)
            if tenant_id is not None:
                if "tenant_id" not in table.c:
                    continue
                query = query.where(table.c.tenant_id == tenant_id)
            tables[table.name] = [tuple(row) for row in session.execute(query)]
    return tables


def counts(session: Session, tenant_id: int) -> dict[str, int]:
    """How many members, identities, consents, merges and audit rows the tenant has."""
    with session.begin():
        return {
            model.__tablename__: session.scalar(
                select(func.count()).select_from(model).where(model.tenant_id == tenant_id)
            )
            or 0
            for model in (Member, Identity, Consent, MemberMerge, AuditEntry)
        }


def upsert(
    client: TestClient, headers: dict[str, str], *identities: dict[str, str], **body: Any
) -> dict[str, Any]:
    """POST /members and return the member; the request must succeed."""
    response = client.post(MEMBERS, json={"identities": list(identities), **body}, headers=headers)
    assert response.status_code in (200, 201), response.text
    result: dict[str, Any] = response.json()
    return result


def phone(number: str) -> dict[str, str]:
    return {"type": "phone", "value": number}


def crm(value: str) -> dict[str, str]:
    return {"type": "crm_id", "value": value}
