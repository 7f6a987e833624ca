"""Import every module of memberops, so registries built by subclassing (errors, tables) are
complete whatever the test run imported before."""

import importlib
import pkgutil
from functools import cache

import memberops

#: Modules that do work on import: Alembic's env.py runs migrations when Alembic loads it.
NOT_IMPORTABLE = frozenset({"memberops.migrations.env"})


@cache
def import_everything() -> tuple[str, ...]:
    names = tuple(
        info.name
        for info in pkgutil.walk_packages(memberops.__path__, "memberops.")
        if info.name not in NOT_IMPORTABLE
    )
    for name in names:
        importlib.import_module(name)
    return names
