"""The web console (NiceGUI, mounted on the API app under ``/console``)."""

from fastapi import FastAPI

from memberops.kernel.settings import Settings


def mount_console(app: FastAPI, settings: Settings) -> None:
    """Mount the console pages on ``app``."""
    from memberops.console import pages

    pages.mount(app, settings)
