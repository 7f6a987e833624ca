"""Batches: each item validated and stored on its own, in its own SAVEPOINT, so one bad item
is answered with its problem and the others are stored."""

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from memberops.activity.schemas import BatchResult
from memberops.kernel.errors import DomainError, error_anchor

In = TypeVar("In", bound=BaseModel)
#: Stores one validated item: returns the answer body and whether it was created.
Store = Callable[[In], tuple[dict[str, Any], bool]]


def _problem(status: int, code: str, title: str, detail: str, **fields: Any) -> dict[str, Any]:
    return {
        **fields,
        "type": f"/errors#{error_anchor(code)}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }


def _invalid(exc: ValidationError) -> BatchResult:
    errors = [
        {"loc": list(err["loc"]), "msg": err["msg"], "type": err["type"]} for err in exc.errors()
    ]
    detail = ".".join(str(p) for p in errors[0]["loc"]) + f": {errors[0]['msg']}"
    return BatchResult(
        status=422,
        problem=_problem(422, "request.invalid", "Invalid request", detail, errors=errors),
    )


def run_batch(
    session: Session,
    items: list[dict[str, Any]],
    model: type[In],
    store: Store[In],
    prepare: Callable[[list[In]], None],
) -> list[BatchResult]:
    """Answer each item: 201 (created) or 200 (replay) with its body, or its problem.
    ``prepare`` sees every valid item first (to resolve their members in one order)."""
    bodies: list[In | ValidationError] = []
    for item in items:
        try:
            bodies.append(model.model_validate(item))
        except ValidationError as exc:
            bodies.append(exc)
    prepare([body for body in bodies if not isinstance(body, ValidationError)])
    results = []
    for body in bodies:
        if isinstance(body, ValidationError):
            results.append(_invalid(body))
            continue
        try:
            with session.begin_nested():
                answer, created = store(body)
        except DomainError as exc:
            problem = _problem(exc.status, exc.code, exc.title, exc.detail, **exc.fields)
            results.append(BatchResult(status=exc.status, problem=problem))
            continue
        results.append(BatchResult(status=201 if created else 200, body=answer))
    return results
