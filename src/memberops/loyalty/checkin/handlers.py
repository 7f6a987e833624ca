"""Check-in's registrations, installed by :func:`register` (called from ``memberops.wiring``)."""

from memberops.identity.service import register_detail_section
from memberops.loyalty.checkin.service import check_in_section, check_ins_export
from memberops.members.service import register_export_section


def register() -> None:
    """Add the ``check_in`` section of ``GET /members/{id}`` and the ``check_ins`` of a
    member export; idempotent."""
    register_detail_section("check_in", check_in_section)
    register_export_section("check_ins", check_ins_export)
