"""Who may call the loyalty routes, as FastAPI dependencies every loyalty room's API (and
growth's, which pays in points and coupons) shares: reading takes ``loyalty:read``, a till's
verbs ``loyalty:operate``, an operator's by hand ``loyalty:manage``, the rules
``loyalty:rules``. Also the answers of a verb replayed under its Idempotency-Key."""

from typing import Annotated, Any

from fastapi import Depends

from memberops.tenancy.access import Permission, Principal
from memberops.tenancy.dependencies import require

Reader = Annotated[Principal, Depends(require(Permission.loyalty_read))]
Operator = Annotated[Principal, Depends(require(Permission.loyalty_operate))]
Manager = Annotated[Principal, Depends(require(Permission.loyalty_manage))]
RulesKeeper = Annotated[Principal, Depends(require(Permission.loyalty_rules))]
#: The documented answers of a verb that takes an Idempotency-Key.
REPLAYABLE: dict[int | str, dict[str, Any]] = {
    201: {"description": "Done"},
    200: {"description": "A replay of the Idempotency-Key: the first answer, nothing changed"},
}
