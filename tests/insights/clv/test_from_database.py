"""The value models fitted from the database: CDNOW_sample imported with the ``cdnow`` preset
and fitted from the CLI as of 1997-09-30 in weeks gives the published parameters; ``clv
predict`` writes the papers' inputs for every buyer; a recompute stores the predictions and a
member's insights show them. Purchases are read as local days of kept orders."""

import csv
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from memberops.activity.bulk import record_orders
from memberops.activity.bulk_refunds import record_refunds
from memberops.activity.schemas import OrderCreate, RefundCreate
from memberops.cli import app
from memberops.insights.clv.errors import FitUnidentified, NothingToFit
from memberops.insights.clv.inputs import read_purchases
from memberops.insights.clv.models import ClvFit, MemberPrediction
from memberops.insights.clv.service import fit_models
from memberops.insights.jobs import recompute
from memberops.kernel import clock
from memberops.tenancy.access import Principal
from tests.activity.support import order_body

runner = CliRunner()
WEEK = timedelta(weeks=1)


def _run(*args: str) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("backend", ["sqlite"])
def test_cdnow_from_the_cli(
    cli_db: Engine, reference_data: Path, tmp_path: Path, cdnow_lines: pd.DataFrame
) -> None:
    _run("init")
    _run("import", "orders", str(reference_data / "CDNOW_sample.txt"), "--preset", "cdnow")
    fitted = json.loads(_run("clv", "fit", "--as-of", "1997-09-30", "--unit", "week"))
    assert (fitted["customers"], fitted["repeat_buyers"]) == (2_357, 946)
    models = fitted["models"]
    assert {k: round(v, 3) for k, v in models["bgnbd"]["params"].items()} == {
        "r": 0.243,
        "alpha": 4.414,
        "a": 0.793,
        "b": 2.426,
    }
    assert round(models["bgnbd"]["log_likelihood"], 1) == -9582.4
    assert {k: round(v, 3) for k, v in models["pareto_nbd"]["params"].items()} == {
        "r": 0.553,
        "alpha": 10.578,
        "s": 0.606,
        "beta": 11.669,
    }
    assert round(models["pareto_nbd"]["log_likelihood"], 1) == -9595.0
    spend = models["gamma_gamma"]["params"]
    assert {k: round(v, 2) for k, v in spend.items()} == {"p": 6.25, "q": 3.74, "gamma": 15.44}
    out = tmp_path / "predictions.csv"
    args = ["--horizon", "39", "--unit", "week", "--as-of", "1997-09-30", "--out", str(out)]
    _run("clv", "predict", *args)
    with out.open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    expected = pd.read_csv(reference_data / "cdnow_customers_summary_with_transactions.csv")
    sample_ids = dict(zip(cdnow_lines["master_id"], cdnow_lines["id"], strict=True))
    by_id = {sample_ids[int(row["identities"].removeprefix("crm_id:"))]: row for row in rows}
    assert len(rows) == 2_357
    for customer in expected.itertuples():
        row = by_id[customer.ID]
        assert (int(row["x"]), float(row["t_x"]), float(row["T"])) == (
            customer.x,
            round(customer.t_x, 2),
            round(customer.T, 2),
        )
    assert all(0 <= float(row["p_alive"]) <= 1 for row in rows)
    _run("recompute", "insights", "--as-of", "1997-10-01")
    with Session(cli_db) as session:
        stored = session.scalar(select(func.count()).select_from(MemberPrediction))
    assert stored == 2_357


def _history(session: Session, principal: Principal) -> None:
    """Three orders of one member: 23:30 and 00:30 Shanghai time (two local days, one UTC
    day), and one wholly refunded; a second member's order refunded in part."""
    times = ["2026-05-01T23:30:00+08:00", "2026-05-02T00:30:00+08:00", "2026-05-03T10:00:00+08:00"]
    bodies = [
        OrderCreate.model_validate(order_body(f"T{n}", "13800000001", paid_at=at))
        for n, at in enumerate(times)
    ]
    bodies.append(OrderCreate.model_validate(order_body("T9", "13900000009")))
    refunds = [
        ("T2", RefundCreate(refund_id="R1")),
        ("T9", RefundCreate.model_validate({"refund_id": "R2", "amount": "50.00"})),
    ]
    with session.begin():
        record_orders(session, principal, bodies)
        record_refunds(session, principal, refunds)


def test_purchases_are_local_days_of_kept_orders(session: Session, tenant: Principal) -> None:
    _history(session, tenant)
    with session.begin():
        zone = ZoneInfo(tenant.timezone)
        read = read_purchases(session, tenant.tenant_id, zone, date(2026, 12, 31))
        before = read_purchases(session, tenant.tenant_id, zone, date(2026, 5, 1))
    local = [str(np.datetime64(int(day), "D")) for day in read.day]
    days = sorted(zip(local, read.amount.tolist(), strict=True))
    assert days == [("2026-05-01", 199.0), ("2026-05-02", 199.0), ("2026-11-11", 149.0)]
    assert before.day.tolist() == [read.day.min()]  # as of May 1st: up to its local end


def test_without_repeat_purchases_nothing_is_fitted(session: Session, tenant: Principal) -> None:
    with session.begin(), pytest.raises(NothingToFit, match="No repeat purchase up to"):
        fit_models(session, tenant, date(2026, 12, 31), "week")
    with clock.frozen(datetime(2026, 12, 1, tzinfo=UTC)), session.begin():
        assert recompute(session, tenant).predictions == 0


def test_the_member_page_answers_without_predictions(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    _history(session, tenant)
    member = client.get("/api/v1/members?identity=phone:%2B8613800000001", headers=admin)
    member_id = member.json()["items"][0]["id"]
    answer = client.get(f"/api/v1/members/{member_id}/insights", headers=admin).json()
    assert answer["prediction"] is None
    assert answer["rfm"] is None


def test_purchases_that_do_not_determine_the_models_are_not_fitted(
    session: Session, tenant: Principal
) -> None:
    """Four buyers cannot determine four parameters: whether the search ends (on parameters
    run off towards a limit) or not turns on rounding, so the fit is refused before it is
    searched, and nothing is stored."""
    weeks = {
        "13800000001": [9, 3],
        "13800000002": [7, 6],
        "13800000003": [5, 2],
        "13800000004": [8],
    }
    now = datetime(2026, 12, 1, tzinfo=UTC)
    bodies = [
        OrderCreate.model_validate(
            order_body(f"{phone}-{ago}", phone, paid_at=(now - ago * WEEK).isoformat())
        )
        for phone, agos in weeks.items()
        for ago in agos
    ]
    with session.begin():
        record_orders(session, tenant, bodies)
    with (
        session.begin(),
        pytest.raises(FitUnidentified, match=r"of 4 buyers .*\(fewer than 20 buyers\)"),
    ):
        fit_models(session, tenant, date(2026, 12, 1), "week")
    with session.begin():
        assert session.scalar(select(func.count()).select_from(ClvFit)) == 0
