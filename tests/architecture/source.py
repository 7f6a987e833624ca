"""Reading memberops' own source for the architecture tests: every module's path, dotted name
and syntax tree, and the fully qualified names a module refers to."""

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import memberops

PACKAGE = Path(memberops.__file__).parent


@dataclass(frozen=True)
class Module:
    path: Path
    tree: ast.Module

    @property
    def rel(self) -> str:
        """The path inside the package, e.g. ``identity/service.py``."""
        return self.path.relative_to(PACKAGE).as_posix()

    @property
    def lines(self) -> int:
        return len(self.path.read_text(encoding="utf-8").splitlines())


@cache
def modules() -> tuple[Module, ...]:
    """Every Python file of the package, migrations included."""
    return tuple(
        Module(path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        for path in sorted(PACKAGE.rglob("*.py"))
    )


def packages() -> list[Path]:
    """Every package directory (one holding an ``__init__.py``), the root included."""
    return sorted(path.parent for path in PACKAGE.rglob("__init__.py"))


def _imported_names(tree: ast.AST) -> dict[str, str]:
    """Local name → what it stands for: ``import datetime as dt`` gives ``dt → datetime``,
    ``from time import time`` gives ``time → time.time``."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    names[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    names[top] = top
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _dotted(node: ast.AST) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def qualified_references(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """(line, fully qualified name) of every imported name the code refers to, through any
    alias: ``dt.datetime.now`` after ``import datetime as dt`` is ``datetime.datetime.now``."""
    names = _imported_names(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute | ast.Name):
            dotted = _dotted(node)
            if dotted is None:
                continue
            head, _, tail = dotted.partition(".")
            if head in names:
                yield node.lineno, names[head] + (f".{tail}" if tail else "")


def method_calls(tree: ast.AST, methods: frozenset[str]) -> Iterator[tuple[int, str]]:
    """(line, method) of every call ``something.method(...)`` with ``method`` in ``methods``."""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in methods
        ):
            yield node.lineno, node.func.attr
