"""The web console (NiceGUI, mounted on the API app under ``/console``).

It calls the rooms' services directly with its own sessions, never the HTTP API, and shows
every label through one translation catalogue (``console/locales``).
"""

from fastapi import FastAPI

from memberops.kernel.settings import Settings


def mount_console(app: FastAPI, settings: Settings) -> None:
    """Mount the console pages on ``app``; NiceGUI is imported only by a process that serves
    them."""
    from memberops.console.pages import mount

    mount(app, settings)
