"""Fixtures of the import tests: a fresh database per test, initialised by the CLI."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from memberops.kernel.db import make_engine
from memberops.kernel.settings import get_settings
from tests.conftest import _postgres_engine
from tests.imports.support import run


@pytest.fixture
def db(backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """A database nobody has touched, initialised by ``memberops init``."""
    if backend == "sqlite":
        urls = iter([f"sqlite:///{tmp_path / 'cli.db'}"])
    else:
        urls = (e.url.render_as_string(hide_password=False) for e in _postgres_engine())
    for url in urls:
        monkeypatch.setenv("MEMBEROPS_DATABASE_URL", url)
        get_settings.cache_clear()
        assert run("init").exit_code == 0
        engine = make_engine(url)
        yield engine
        engine.dispose()
        get_settings.cache_clear()
