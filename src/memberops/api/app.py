"""The API application factory."""

import html
import sqlite3

import psycopg
from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse, JSONResponse
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from memberops import __version__
from memberops.activity.api import router as activity_router
from memberops.api import problems
from memberops.api.limits import BodySizeLimit
from memberops.campaigns.api import router as campaigns_router
from memberops.campaigns.results_api import router as campaign_results_router
from memberops.community.api import router as community_router
from memberops.crowds.api import router as crowds_router
from memberops.dashboard.api import router as dashboard_router
from memberops.growth.api import redirects as growth_redirects
from memberops.growth.api import router as growth_router
from memberops.identity.api import router as members_router
from memberops.insights.api import router as insights_router
from memberops.insights.tags.api import router as tags_router
from memberops.journeys.api import router as journeys_router
from memberops.kernel.catalogue import error_catalogue
from memberops.kernel.db import engine_for, make_session_factory
from memberops.kernel.errors import error_anchor
from memberops.kernel.settings import Settings
from memberops.loyalty.cards.api import router as cards_router
from memberops.loyalty.checkin.api import router as checkin_router
from memberops.loyalty.coupons.api import router as coupons_router
from memberops.loyalty.perks.api import router as perks_router
from memberops.loyalty.points.api import router as points_router
from memberops.loyalty.tiers.api import router as tiers_router
from memberops.loyalty.wallet.api import router as stored_value_router
from memberops.messaging.api import redirects as link_redirects
from memberops.messaging.api import router as messaging_router
from memberops.messaging.webhook_api import router as webhooks_router
from memberops.recommendations.api import router as recommendations_router
from memberops.tenancy.api import router as tenancy_router
from memberops.watches.api import router as watches_router
from memberops.wiring import register_handlers

#: Driver errors a health probe on a raw connection can meet.
DBAPI_ERRORS = (sqlite3.Error, psycopg.Error)


def _health_router(engine: Engine) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz")
    def healthz() -> JSONResponse:
        """200 when the database answers, 503 when it does not.

        The probe goes through the raw driver connection, outside any SQLAlchemy transaction,
        so on SQLite it never waits behind a long write (an import batch) holding the lock.
        """
        try:
            connection = engine.raw_connection()
            try:
                connection.cursor().execute("SELECT 1")
            finally:
                connection.close()
        except (SQLAlchemyError, *DBAPI_ERRORS):
            return JSONResponse({"status": "unavailable", "database": "unreachable"}, 503)
        return JSONResponse({"status": "ok", "database": "ok", "version": __version__})

    @router.get("/errors", response_class=HTMLResponse, include_in_schema=False)
    def errors_page() -> str:
        """The error catalogue that problem documents' ``type`` links point into."""
        rows = "".join(
            f'<h2 id="{error_anchor(code)}"><code>{html.escape(code)}</code> — {status} '
            f"{html.escape(title)}</h2><p>{html.escape(doc)}</p>"
            for code, status, title, doc in error_catalogue()
        )
        return f"<!doctype html><title>memberops errors</title><h1>Errors</h1>{rows}"

    return router


def create_app(settings: Settings, engine: Engine | None = None) -> FastAPI:
    """The REST API on ``engine`` (made from ``settings.database_url`` when not given)."""
    register_handlers()
    engine = engine or engine_for(settings)
    app = FastAPI(
        title="memberops",
        version=__version__,
        description="Member operations for retail and e-commerce merchants.",
        docs_url="/api/docs",
        openapi_url="/api/v1/openapi.json",
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    problems.install(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.include_router(_health_router(engine))
    app.include_router(link_redirects)
    app.include_router(growth_redirects)
    for router in (
        tenancy_router,
        members_router,
        activity_router,
        dashboard_router,
        tiers_router,
        points_router,
        checkin_router,
        perks_router,
        coupons_router,
        stored_value_router,
        cards_router,
        insights_router,
        tags_router,
        crowds_router,
        messaging_router,
        webhooks_router,
        campaigns_router,
        campaign_results_router,
        journeys_router,
        community_router,
        growth_router,
        watches_router,
        recommendations_router,
    ):
        app.include_router(router, prefix="/api/v1", responses=problems.API_RESPONSES)
    return app
