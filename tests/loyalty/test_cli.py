"""``memberops loyalty daily`` and ``memberops loyalty tiers evaluate`` against a fresh
database with real commits, through typer's runner."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from memberops.cli import app
from memberops.identity import service as identity
from memberops.identity.schemas import MemberUpsert
from memberops.kernel import clock
from memberops.kernel.settings import get_settings
from memberops.loyalty.coupons.schemas import TemplateCreate
from memberops.loyalty.coupons.templates import create_template
from memberops.loyalty.perks.models import PerkGrant
from memberops.loyalty.perks.rules import Gift, PerkRules
from memberops.loyalty.tiers.models import MemberTier
from memberops.members.service import new_member
from memberops.tenancy import service as tenancy
from memberops.tenancy.access import Principal
from memberops.tenancy.models import Role
from memberops.tenancy.sections import save_section

JOINED = datetime(2025, 10, 1, 2, 0, tzinfo=UTC)
BIRTHDAY = datetime(2026, 11, 11, 2, 0, tzinfo=UTC)  # 10:00 on Nov 11 in Shanghai


@pytest.fixture
def db(cli_db: Engine) -> Engine:
    """The CLI's database after ``memberops init``: its default tenant, ready to fill."""
    assert CliRunner().invoke(app, ["init"], catch_exceptions=False).exit_code == 0
    return cli_db


def _default(session: Session) -> Principal:
    return tenancy.principal_for(tenancy.get_tenant(session, "default"), Role.admin, "test")


def _sign_up(session: Session, principal: Principal, phone: str, birthday: str) -> int:
    request = MemberUpsert.model_validate(
        {"identities": [{"type": "phone", "value": phone}], "attributes": {"birthday": birthday}}
    )
    return int(identity.upsert_member(session, principal, request, registration=True).id)


def test_daily_runs_every_tenant_once_a_day(db: Engine) -> None:
    runner = CliRunner()
    with clock.frozen(JOINED), Session(db) as session, session.begin():
        principal = _default(session)
        body = {"name": "welcome", "kind": "amount_off", "amount_off": "5", "valid_days": 30}
        coupon = create_template(session, principal, TemplateCreate.model_validate(body)).id
        rules = PerkRules(
            new_member_pack=Gift(points=100, coupon_template_ids=[coupon]),
            birthday_gift=Gift(points=88),
        )
        save_section(session, principal, rules)
        member = _sign_up(session, principal, "13800000001", "1990-11-11")
        _sign_up(session, principal, "13800000002", "1990-11-12")
        tenancy.create_tenant(session, "shop2", get_settings())
    with clock.frozen(JOINED):  # placed on the ladder: their tier period ends 2026-10-01
        assert runner.invoke(app, ["loyalty", "tiers", "evaluate"]).exit_code == 0
    with clock.frozen(BIRTHDAY):
        first = runner.invoke(app, ["loyalty", "daily"], catch_exceptions=False)
        again = runner.invoke(app, ["loyalty", "daily", "--tenant", "default"])
    assert first.exit_code == 0, first.output
    assert first.stdout.splitlines() == [
        "default: 2 tier reviews, 200 points expired, 2 coupons expired, 1 birthday gifts, "
        "0 expiry reminders, 0 cards lapsed, 0 card coupon grants",
        "shop2: 0 tier reviews, 0 points expired, 0 coupons expired, 0 birthday gifts, "
        "0 expiry reminders, 0 cards lapsed, 0 card coupon grants",
    ]
    assert again.stdout.splitlines() == [
        "default: 0 tier reviews, 0 points expired, 0 coupons expired, 0 birthday gifts, "
        "0 expiry reminders, 0 cards lapsed, 0 card coupon grants"
    ]
    with Session(db) as session:
        kinds = session.execute(
            select(PerkGrant.member_id, PerkGrant.kind, PerkGrant.period).order_by(PerkGrant.id)
        ).all()
    assert [tuple(k) for k in kinds][-1] == (member, "birthday_gift", "2026")
    missing = runner.invoke(app, ["loyalty", "daily", "--tenant", "nope"])
    assert missing.exit_code == 2
    assert "error (tenancy.tenant_not_found)" in missing.stderr


def test_tiers_evaluate_places_members_a_history_import_left_unplaced(db: Engine) -> None:
    with clock.frozen(JOINED), Session(db) as session, session.begin():
        principal = _default(session)
        ids = [new_member(session, principal, None, registered=False).id for _ in range(3)]
    with clock.frozen(BIRTHDAY):
        result = CliRunner().invoke(app, ["loyalty", "tiers", "evaluate"], catch_exceptions=False)
        again = CliRunner().invoke(app, ["loyalty", "tiers", "evaluate", "--tenant", "default"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["default: 3 members moved"]
    assert "tiers of default" in result.stderr
    assert again.stdout.splitlines() == ["default: 0 members moved"]
    with Session(db) as session:
        placed = session.execute(select(MemberTier.member_id, MemberTier.tier)).all()
    assert sorted(tuple(p) for p in placed) == [(i, "silver") for i in ids]
