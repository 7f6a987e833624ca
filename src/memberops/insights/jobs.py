"""Recomputing a tenant's layering: stages, RFM, tags, then predicted value from the latest
model fit, in the caller's transaction so every figure is as of the same moment and a failure
leaves the previous figures whole (``memberops recompute insights``,
``POST /api/v1/insights:recompute``). :func:`run_daily` is the worker's daily job: it refits
the value models first when the latest fit has aged past the tenant's rules."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from memberops.insights.clv.errors import FitUnidentified, NothingToFit
from memberops.insights.clv.models import ModelName
from memberops.insights.clv.service import fit_models, latest_fit, score_members
from memberops.insights.lifecycle.service import refresh_stages
from memberops.insights.rfm.service import refresh_rfm
from memberops.insights.rules import LayeringRules
from memberops.insights.tags.service import refresh_tags
from memberops.kernel import clock
from memberops.tenancy.access import Permission, Principal
from memberops.tenancy.sections import load_section


@dataclass(frozen=True)
class RecomputeReport:
    """What a recompute did."""

    stages_changed: int
    stages_moved: int
    rfm_members: int
    tags: dict[str, int]
    predictions: int  # 0 without a fit

    def describe(self) -> str:
        return (
            f"{self.stages_changed} stages changed ({self.stages_moved} moves), "
            f"{self.rfm_members} members scored by RFM, {sum(self.tags.values())} tag "
            f"assignments, {self.predictions} predictions"
        )


def recompute(
    session: Session, principal: Principal, as_of: datetime | None = None
) -> RecomputeReport:
    """Stages, RFM, tags and predictions of the principal's tenant as of ``as_of`` (now)."""
    principal.require(Permission.insights_manage)
    tenant_id = principal.tenant_id
    stages = refresh_stages(session, tenant_id, as_of=as_of)
    rfm = refresh_rfm(session, tenant_id, as_of)
    tags = refresh_tags(session, principal, as_of)
    predictions = score_members(session, principal, as_of)
    return RecomputeReport(stages.changed, stages.moved, rfm, tags, predictions)


def refit_if_due(session: Session, principal: Principal) -> bool:
    """Fit the value models on the purchases up to yesterday (local) when the tenant has no fit
    in its rules' unit or the latest is ``clv_refit_days`` old; whether it fitted (not when
    nobody bought twice yet, nor when the purchases do not determine the models)."""
    principal.require(Permission.insights_manage)
    rules = load_section(session, principal.tenant_id, LayeringRules)
    now = clock.now()
    fit = latest_fit(session, principal, ModelName.bgnbd, rules.clv_unit)
    if fit is not None and fit.fitted_at > now - timedelta(days=rules.clv_refit_days):
        return False
    yesterday = now.astimezone(ZoneInfo(principal.timezone)).date() - timedelta(days=1)
    try:
        fit_models(session, principal, yesterday, rules.clv_unit)
    except (NothingToFit, FitUnidentified):
        return False
    return True


@dataclass(frozen=True)
class DailyReport:
    """What the daily insights job did."""

    refitted: bool
    recomputed: RecomputeReport

    def describe(self) -> str:
        fit = "value models refitted" if self.refitted else "value models kept"
        return f"{fit}, {self.recomputed.describe()}"


def run_daily(session_factory: sessionmaker[Session], principal: Principal) -> DailyReport:
    """Refit the value models when due, then recompute; each in its own transaction, so a fit
    that fails leaves yesterday's figures to be recomputed with the previous fit."""
    with session_factory.begin() as session:
        refitted = refit_if_due(session, principal)
    with session_factory.begin() as session:
        report = recompute(session, principal)
    return DailyReport(refitted, report)
