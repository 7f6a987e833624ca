"""Alembic migrations, shipped inside the package so ``memberops init`` works from any install.

:func:`upgrade` brings a database to the newest schema; the same migrations run on SQLite
(batch mode) and PostgreSQL.
"""

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

HERE = Path(__file__).parent


def alembic_config(engine: Engine) -> Config:
    """An Alembic config that runs on ``engine`` (passed to env.py as a connection)."""
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Upgrade to ``revision``; by default every head (one, once branches are merged)."""
    command.upgrade(alembic_config(engine), revision)


def check(engine: Engine) -> None:
    """Fail when the models and the migrations disagree (``alembic check``)."""
    command.check(alembic_config(engine))
