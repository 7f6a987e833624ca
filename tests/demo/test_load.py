"""Loading the demo merchant through the services: every action lands, the nick shoppers are
merged, registrations keep their scene or referrer, referrals are decided on the newcomer's
first order, and loading again changes nothing."""

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from memberops.activity.models import Event, MemberStats, Order, Refund
from memberops.cli import app
from memberops.demo.generator import Action, DemoMerchant
from memberops.demo.load import load
from memberops.growth.models import JoinScene, MemberJoin, Referral, ReferralStatus
from memberops.identity.models import Identity, MemberMerge
from memberops.insights.clv.models import MemberPrediction
from memberops.insights.rfm.models import MemberRfm
from memberops.insights.tags.models import MemberTag
from memberops.kernel import clock
from memberops.kernel.db import make_engine
from memberops.kernel.settings import get_settings
from memberops.loyalty.points.models import PointsEntry
from memberops.tenancy.access import Principal
from memberops.tenancy.models import Store

AS_OF = datetime(2026, 11, 20, tzinfo=UTC)


def _counts(session: Session, principal: Principal) -> dict[str, int]:
    tables = {"orders": Order, "refunds": Refund, "events": Event, "merges": MemberMerge,
              "stats": MemberStats, "joins": MemberJoin, "referrals": Referral,
              "scenes": JoinScene, "stores": Store, "points": PointsEntry}  # fmt: skip
    return {
        name: session.scalar(
            select(func.count()).select_from(model).where(model.tenant_id == principal.tenant_id)
        )
        or 0
        for name, model in tables.items()
    }


def test_loading_twice_lands_everything_once(
    session_factory: sessionmaker[Session], session: Session, tenant: Principal
) -> None:
    actions = DemoMerchant(120, seed=3, as_of=AS_OF).actions()
    done = load(session_factory, tenant, actions)
    expected = {kind: sum(1 for a in actions if a.kind == kind) for kind in done}
    assert done == expected
    first = _counts(session, tenant)
    assert first["orders"] == expected["order"]
    assert first["refunds"] == expected["refund"]
    assert first["events"] == expected["event"]
    linking = {
        a.body["external_id"].split("-")[0]
        for a in actions
        if a.kind == "order"
        and len(a.body["member"]["identities"]) > 1
        and any(i["type"] == "platform_nick" for i in a.body["member"]["identities"])
    }
    assert linking
    assert first["merges"] == len(linking)
    assert first["joins"] == expected["join"]
    assert (first["scenes"], first["stores"]) == (expected["scene"], expected["store"])
    _referrals_are_decided_as_live(session, tenant, actions)

    assert load(session_factory, tenant, actions) == done
    assert _counts(session, tenant) == first


def _referrals_are_decided_as_live(
    session: Session, tenant: Principal, actions: list[Action]
) -> None:
    """Every invited newcomer who bought is decided on its first order: rewarded, or refused for
    the referrer's address on its parcels; one who never bought is still pending."""
    invited = [a for a in actions if a.kind == "join" and (a.target or "").startswith("invite:")]
    assert invited
    buyers = {a.body["member"]["identities"][0]["value"] for a in actions if a.kind == "order"}
    rows = session.execute(
        select(Identity.value, Referral.status, Referral.reason)
        .join(Identity, Identity.member_id == Referral.newcomer_id)
        .where(Referral.tenant_id == tenant.tenant_id, Identity.type == "phone")
    ).all()
    assert len(rows) == len(invited)
    for phone, status, reason in rows:
        if phone not in buyers:
            assert status == ReferralStatus.pending
        else:
            assert (status, reason) in {(ReferralStatus.rewarded, None),
                                        (ReferralStatus.refused, "shared_phone")}  # fmt: skip
    assert any(status == ReferralStatus.rewarded for _, status, _ in rows)


@pytest.fixture
def fresh_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("MEMBEROPS_DATABASE_URL", f"sqlite:///{tmp_path / 'demo.db'}")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _layering(path: Path) -> dict[type, int]:
    engine = make_engine(f"sqlite:///{path}")
    with Session(engine) as session:
        found = {
            model: session.scalar(select(func.count()).select_from(model)) or 0
            for model in (MemberRfm, MemberTag, MemberPrediction)
        }
    engine.dispose()
    return found


@pytest.mark.usefixtures("fresh_database")
def test_demo_command_loads_an_empty_tenant_only(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["init"]).exit_code == 0
    with clock.frozen(AS_OF):
        first = runner.invoke(app, ["demo", "--members", "30", "--if-empty"])
    assert first.exit_code == 0, first.stderr
    kinds = Counter(a.kind for a in DemoMerchant(30, seed=1, as_of=AS_OF).actions())
    loaded, layering = first.stdout.splitlines()
    assert loaded == ", ".join(f"{n} {kind}s" for kind, n in sorted(kinds.items()))
    stored = _layering(tmp_path / "demo.db")
    assert layering == (  # the stages were set as the history loaded: none changes after
        f"Layering: value models refitted, 0 stages changed (0 moves), {stored[MemberRfm]} "
        f"members scored by RFM, {stored[MemberTag]} tag assignments, "
        f"{stored[MemberPrediction]} predictions"
    )
    assert stored[MemberPrediction] > 0
    again = runner.invoke(app, ["demo", "--members", "30", "--if-empty"])
    assert again.exit_code == 0
    assert again.stdout == "Tenant 'default' already has members; the demo was not loaded.\n"
