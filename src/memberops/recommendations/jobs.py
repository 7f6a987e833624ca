"""The worker's daily rebuild of a tenant's recommendations, in one transaction of its own, so
a failure keeps yesterday's neighbours and figures whole."""

from sqlalchemy.orm import Session, sessionmaker

from memberops.kernel import clock
from memberops.recommendations.service import rebuild
from memberops.recommendations.similarity import Rebuilt
from memberops.tenancy.access import Principal


def run_daily(factory: sessionmaker[Session], principal: Principal) -> Rebuilt:
    with factory.begin() as session:
        return rebuild(session, principal, clock.now())
