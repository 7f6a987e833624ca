"""The whole product as one ASGI app: the REST API with the web console mounted on it."""

from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from memberops.api.app import create_app
from memberops.console import mount_console
from memberops.kernel.settings import Settings


def build_app(settings: Settings) -> FastAPI:
    """API under ``/api/v1``, console under ``/console`` (where ``/`` leads a browser), health
    at ``/healthz``."""
    app = create_app(settings)
    mount_console(app, settings)

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/console/")

    return app
