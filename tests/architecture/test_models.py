"""Rules about tables that no tool checks: every room's tables are known to the migrations,
every member-owned table carries its tenant, relationships never load lazily."""

import importlib

from sqlalchemy import ForeignKey, Integer
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry, relationship

from memberops.kernel.db import Base
from memberops.migrations import models as migration_models
from tests.architecture.everything import import_everything
from tests.architecture.source import PACKAGE

#: Tables shared by the whole deployment: tenants themselves and people who log in.
GLOBAL_TABLES = frozenset({"tenants", "users"})


def _room_models_modules() -> set[str]:
    found = set()
    for path in PACKAGE.rglob("models.py"):
        rel = path.relative_to(PACKAGE).with_suffix("")
        if rel.parts[0] != "migrations":
            found.add("memberops." + ".".join(rel.parts))
    return found


def test_every_room_models_module_is_in_the_migrations_metadata() -> None:
    """What ``alembic check`` and autogenerate see does not depend on what was imported."""
    listed = {module.__name__ for module in migration_models.ROOM_MODELS}
    assert listed == _room_models_modules()


def test_migrations_metadata_is_the_models_metadata() -> None:
    import_everything()
    assert migration_models.metadata is Base.metadata
    for name in _room_models_modules():
        importlib.import_module(name)
    assert set(Base.metadata.tables) >= {"tenants", "members", "identities"}


def test_every_member_owned_table_carries_its_tenant() -> None:
    import_everything()
    offenders = [
        name
        for name, table in Base.metadata.tables.items()
        if "member_id" in table.c and ("tenant_id" not in table.c or table.c.tenant_id.nullable)
    ]
    assert offenders == []


def test_every_table_but_the_global_ones_has_a_tenant() -> None:
    import_everything()
    without = {name for name, table in Base.metadata.tables.items() if "tenant_id" not in table.c}
    assert without == GLOBAL_TABLES


def lazy_relationships(mappers: registry) -> list[str]:
    """Relationships that would load on attribute access instead of refusing to."""
    return [
        f"{mapper.class_.__name__}.{rel.key}: lazy={rel.lazy!r}"
        for mapper in mappers.mappers
        for rel in mapper.relationships
        if rel.lazy != "raise"
    ]


def test_every_relationship_is_lazy_raise() -> None:
    import_everything()
    assert lazy_relationships(Base.registry) == []


def test_lazy_relationships_are_found() -> None:
    class Scratch(DeclarativeBase):
        pass

    class Parent(Scratch):
        __tablename__ = "parent"
        id: Mapped[int] = mapped_column(Integer, primary_key=True)
        children: Mapped[list["Child"]] = relationship(lazy="raise")
        others: Mapped[list["Child"]] = relationship(viewonly=True)

    class Child(Scratch):
        __tablename__ = "child"
        id: Mapped[int] = mapped_column(Integer, primary_key=True)
        parent_id: Mapped[int] = mapped_column(ForeignKey("parent.id"))

    assert lazy_relationships(Scratch.registry) == ["Parent.others: lazy='select'"]
