"""A tenant's own rules for each room (tier ladder, earn rules, check-in rewards…), one JSON
document per section.

Every number SPEC.md gives is a per-tenant setting with that default: a room declares its rules
as a :class:`SettingsSection` model whose field defaults are the SPEC's, and a tenant that never
changed them has no row at all (:func:`load_section` returns the defaults, so a changed default
reaches every tenant that kept it). :func:`save_section` validates the whole document, stores it
and writes one audit row with before and after.
"""

from typing import ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from memberops.tenancy.access import Principal
from memberops.tenancy.models import TenantSection
from memberops.tenancy.service import audit

S = TypeVar("S", bound="SettingsSection")


class SettingsSection(BaseModel):
    """Base of a room's rules document; ``section`` names its row (``loyalty.tiers``)."""

    model_config = ConfigDict(extra="forbid")

    section: ClassVar[str]


def _row(session: Session, tenant_id: int, section: str) -> TenantSection | None:
    return session.scalars(
        select(TenantSection).where(
            TenantSection.tenant_id == tenant_id, TenantSection.section == section
        )
    ).one_or_none()


def load_section(session: Session, tenant_id: int, model: type[S]) -> S:
    """The tenant's rules of ``model``'s section, or the model's defaults when never saved."""
    row = _row(session, tenant_id, model.section)
    return model() if row is None else model.model_validate(row.document)


def save_section(session: Session, principal: Principal, rules: S) -> S:
    """Store ``rules`` as the tenant's document of its section and audit the change."""
    before = load_section(session, principal.tenant_id, type(rules)).model_dump(mode="json")
    after = rules.model_dump(mode="json")
    row = _row(session, principal.tenant_id, rules.section)
    if row is None:
        row = TenantSection(
            tenant_id=principal.tenant_id, section=rules.section, document=after, updated_by=""
        )
        session.add(row)
    row.document = after
    row.updated_by = principal.actor
    session.flush()
    audit(session, principal, "settings.update", ("tenant_section", rules.section), before, after)
    return rules
