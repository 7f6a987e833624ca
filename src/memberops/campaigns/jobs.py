"""The campaigns' part of each worker round: start the scheduled campaigns whose ``send_at``
has come, give offers to the members messaged, and finish the campaigns with nothing left to
send. Each campaign starts in its own transaction, so one that fails (its crowd was deleted)
is logged and leaves the others running."""

import logging
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from memberops.campaigns import finishing, offers, service
from memberops.campaigns.guard_rails import Rules
from memberops.kernel import clock
from memberops.kernel.settings import Settings
from memberops.tenancy import service as tenancy
from memberops.tenancy.models import Role, Tenant

log = logging.getLogger("memberops.campaigns")
#: Who the audit log names for campaigns the worker starts.
ACTOR = "worker"
#: Offers given per tenant per round.
OFFER_BATCH = 500

Factory = sessionmaker[Session]


@dataclass
class Round:
    started: int = 0
    offers: int = 0
    finished: int = 0


def _start(factory: Factory, settings: Settings, campaign_id: int, tenant_id: int) -> bool:
    try:
        with factory.begin() as session:
            tenant = session.get_one(Tenant, tenant_id)
            principal = tenancy.principal_for(tenant, Role.admin, ACTOR)
            campaign = service.get_campaign(session, principal, campaign_id)
            rules, links = Rules.of(settings), settings.public_base_url
            service.start(session, principal, campaign, rules, links)
        return True
    except Exception:  # one campaign's failure never stops the others or the worker
        log.exception("campaign %s could not start", campaign_id)
        return False


def run_round(factory: Factory, settings: Settings) -> Round:
    done = Round()
    with factory.begin() as session:
        due = [(c.id, c.tenant_id) for c in service.due(session, clock.now())]
        tenants = tenancy.list_tenants(session)
    done.started = sum(_start(factory, settings, c, t) for c, t in due)
    for tenant in tenants:
        principal = tenancy.principal_for(tenant, Role.admin, ACTOR)
        with factory.begin() as session:
            done.offers += offers.grant_due(session, principal, OFFER_BATCH)
            done.finished += finishing.finish_done(session, principal)
    return done
