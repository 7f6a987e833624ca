"""Idempotency keys: an operation sent twice with the same key happens once.

Points and coupon operations take an ``Idempotency-Key`` (DESIGN.md). :func:`once` claims the
key by inserting its row before the operation runs, in the caller's transaction, behind the
table's primary key: a second request with the key either finds the stored answer (a replay,
returned as it was first given) or, on PostgreSQL, waits on the first one's uncommitted row and
then finds it. A refused operation rolls its claim back with everything else, so the key can be
sent again. The same key with a different request is a client bug and is refused, never
guessed at.
"""

import hashlib
import json
from collections.abc import Callable
from typing import TypeVar

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from memberops.kernel import clock
from memberops.kernel.db import is_postgresql
from memberops.kernel.errors import Conflict
from memberops.kernel.models import IdempotencyRecord

M = TypeVar("M", bound=BaseModel)


class IdempotencyKeyReused(Conflict):
    """The ``Idempotency-Key`` was already used for a different request; send a new key."""

    code = "idempotency.key_reused"
    title = "Idempotency key reused"


def fingerprint(request: object) -> str:
    """A digest of the request's content (a model's JSON form, or any JSON-able value)."""
    value = request.model_dump(mode="json") if isinstance(request, BaseModel) else request
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _claim(
    session: Session, tenant_id: int, operation: str, key: str, digest: str
) -> IdempotencyRecord | None:
    """Insert the key's row; None when this call claimed it, else the row already there."""
    dialect = postgresql if is_postgresql(session) else sqlite
    row = {"tenant_id": tenant_id, "operation": operation, "key": key, "fingerprint": digest}
    statement = dialect.insert(IdempotencyRecord).values(**row, created_at=clock.now())
    # RETURNING, not rowcount: psycopg reports rowcount -1 for this statement on PostgreSQL
    claimed = session.execute(statement.on_conflict_do_nothing().returning(IdempotencyRecord.key))
    if claimed.first() is not None:
        return None
    return session.scalars(
        select(IdempotencyRecord).where(
            IdempotencyRecord.tenant_id == tenant_id,
            IdempotencyRecord.operation == operation,
            IdempotencyRecord.key == key,
        )
    ).one()


def once(
    session: Session,
    tenant_id: int,
    operation: str,
    key: str | None,
    request: object,
    answer_type: type[M],
    run: Callable[[], M],
) -> tuple[M, bool]:
    """``run()``'s answer and True, or, when ``key`` was used before for the same request, the
    first answer (read back as ``answer_type``) and False, without running. No key: ``run()``
    every time."""
    if key is None:
        return run(), True
    digest = fingerprint(request)
    stored = _claim(session, tenant_id, operation, key, digest)
    if stored is None:
        answer = run()
        session.execute(
            IdempotencyRecord.__table__.update()  # type: ignore[attr-defined]
            .where(
                IdempotencyRecord.tenant_id == tenant_id,
                IdempotencyRecord.operation == operation,
                IdempotencyRecord.key == key,
            )
            .values(answer=answer.model_dump(mode="json"))
        )
        return answer, True
    if stored.fingerprint != digest or stored.answer is None:
        raise IdempotencyKeyReused(
            f"Idempotency-Key {key!r} was already used for a different {operation} request.",
            key=key,
        )
    return answer_type.model_validate(stored.answer), False
