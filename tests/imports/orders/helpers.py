"""Read a small handmade order file and merge its chunks into one."""

from pathlib import Path
from typing import Any

from memberops.imports.orders.parsed import Chunk
from memberops.imports.orders.read import read_orders


def read_all(path: Path, preset: str, **options: Any) -> Chunk:
    merged = Chunk()
    for chunk in read_orders(path, preset, **options):
        merged.orders += chunk.orders
        merged.refunds += chunk.refunds
        merged.problems += chunk.problems
        merged.rows += chunk.rows
    merged.problems.sort(key=lambda problem: problem.row)
    return merged


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path
