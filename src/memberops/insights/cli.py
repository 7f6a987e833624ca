"""``memberops recompute insights`` and ``memberops clv …``: the layering and the value models
from the command line.

``recompute insights`` is meant for cron once a day (time moves members from active to
dormant without any write). ``clv fit`` prints the fitted parameters and log-likelihoods as
JSON; ``clv predict`` writes one CSV row per buyer.
"""

import csv
import json
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from memberops.identity.models import Identity
from memberops.insights.clv.service import fit_models, predict
from memberops.insights.clv.summary import Unit
from memberops.insights.jobs import recompute
from memberops.kernel import clock
from memberops.tenancy import service as tenancy
from memberops.tenancy.access import Principal
from memberops.tenancy.cli import acting_admin, reports_errors, sessions

clv_app = typer.Typer(help="Predicted customer value: fit the models, score members.")
TenantOption = Annotated[str, typer.Option(help="Tenant name")]


class UnitChoice(StrEnum):
    day = "day"
    week = "week"


UnitOption = Annotated[UnitChoice, typer.Option(help="Unit of t_x, T and the fit")]


def _principal(session: Session, tenant: str) -> Principal:
    return acting_admin(tenancy.get_tenant(session, tenant))


@reports_errors
def recompute_insights(
    tenant: TenantOption = "default",
    as_of: Annotated[
        datetime | None, typer.Option(help="Compute as of this moment (default: now)")
    ] = None,
) -> None:
    """Recompute lifecycle stages, RFM, tags and predictions of a tenant."""
    with sessions() as factory:
        with factory.begin() as session:
            principal = _principal(session, tenant)
            moment = None if as_of is None else _aware(as_of, principal.timezone)
            report = recompute(session, principal, moment)
    typer.echo(f"{tenant}: {report.describe()}")


def _unit(choice: UnitChoice) -> Unit:
    return "week" if choice is UnitChoice.week else "day"


def _aware(moment: datetime, timezone: str) -> datetime:
    """A moment typed without an offset is read in the tenant's timezone."""
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(timezone))


def _day(value: datetime | None, principal: Principal) -> date:
    if value is None:
        return clock.now().astimezone(ZoneInfo(principal.timezone)).date()
    return value.date()


AsOfOption = Annotated[
    datetime | None,
    typer.Option(formats=["%Y-%m-%d"], help="Last day of purchases used (default: today)"),
]


@clv_app.command("fit")
@reports_errors
def fit(
    tenant: TenantOption = "default", as_of: AsOfOption = None, unit: UnitOption = UnitChoice.week
) -> None:
    """Fit BG/NBD, Pareto/NBD and Gamma-Gamma on the tenant's purchases; print them as JSON."""
    with sessions() as factory:
        with factory.begin() as session:
            principal = _principal(session, tenant)
            report = fit_models(session, principal, _day(as_of, principal), _unit(unit))
    document = {
        "as_of": report.as_of.isoformat(),
        "unit": report.unit,
        "customers": report.customers,
        "repeat_buyers": report.repeat_buyers,
        "models": report.models,
    }
    typer.echo(json.dumps(document, indent=2))


def _identities(session: Session, principal: Principal) -> dict[int, str]:
    """Member id → its identities as ``type:value`` joined by ``;``."""
    query = (
        select(Identity.member_id, Identity.type, Identity.value)
        .where(Identity.tenant_id == principal.tenant_id)
        .order_by(Identity.member_id, Identity.type, Identity.value)
    )
    found: dict[int, list[str]] = {}
    for member_id, kind, value in session.execute(query):
        found.setdefault(member_id, []).append(f"{kind}:{value}")
    return {member_id: ";".join(values) for member_id, values in found.items()}


HEADER = ["member_id", "identities", "x", "t_x", "T", "p_alive", "expected_purchases"]
HEADER += ["expected_spend_per_order", "clv"]


@clv_app.command("predict")
@reports_errors
def predict_csv(
    out: Annotated[Path, typer.Option(help="CSV file to write")],
    horizon: Annotated[float, typer.Option(help="Periods ahead for expected purchases")] = 52,
    unit: UnitOption = UnitChoice.week,
    tenant: TenantOption = "default",
    as_of: AsOfOption = None,
) -> None:
    """One row per buyer with the latest fit in ``unit``: x, t_x, T, P(alive), purchases
    expected in ``horizon`` periods, expected spend per order and 12-month discounted CLV."""
    with sessions() as factory:
        with factory.begin() as session:
            principal = _principal(session, tenant)
            scored = predict(session, principal, _day(as_of, principal), _unit(unit), horizon)
            names = _identities(session, principal)
    found = scored.summary
    with out.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(HEADER)
        for i, member_id in enumerate(found.customer.tolist()):
            writer.writerow(
                [
                    member_id,
                    names.get(member_id, ""),
                    int(found.x[i]),
                    f"{found.t_x[i]:.2f}",
                    f"{found.T[i]:.2f}",
                    f"{scored.p_alive[i]:.6f}",
                    f"{scored.expected[-1][i]:.6f}",
                    f"{scored.spend[i]:.2f}",
                    f"{scored.clv[i]:.2f}",
                ]
            )
    typer.echo(f"Wrote {len(found):,} members to {out}.")
