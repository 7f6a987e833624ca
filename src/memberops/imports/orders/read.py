"""Read an order history file into validated orders, refunds and row problems, chunk by chunk.

:func:`read_orders` is what ``memberops import orders FILE --preset …`` runs before handing
each chunk to the activity room's writer; it writes nothing itself. Chunks are yielded as the
file is read, so memory holds one chunk plus what a preset must remember across chunks (the
ids of orders seen; for ``uci`` the last order per customer and StockCode).
"""

from collections.abc import Iterator
from datetime import tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

from memberops.imports.orders.cdnow import CdnowParser, line_chunks
from memberops.imports.orders.generic import GenericParser
from memberops.imports.orders.parsed import READING, Chunk, Progress
from memberops.imports.orders.presets import ZONES, check_preset
from memberops.imports.orders.source import TableChunk, open_table, scan_file, text_rows
from memberops.imports.orders.uci import UciParser

CHUNK_ROWS = 20_000


def _quiet(stage: str, done: int, total: int) -> None:
    """The progress of a caller that does not watch."""


def _chunks(
    path: Path, preset: str, zone: tzinfo, channel: str, region: str, size: int, utf8: bool
) -> Iterator[Chunk]:
    """The parsed chunks; the file's header is checked before the first is asked for."""
    if preset == "cdnow":
        cdnow = CdnowParser(zone, channel)
        return (cdnow.feed(lines) for lines in line_chunks(text_rows(path), size))
    headers, tables = open_table(path, size, utf8)
    parser = (
        UciParser(headers, zone, channel)
        if preset == "uci"
        else GenericParser(headers, zone, channel, region)
    )
    return _fed(parser, tables)


def _fed(parser: UciParser | GenericParser, tables: Iterator[TableChunk]) -> Iterator[Chunk]:
    for table in tables:
        yield parser.feed(table)
    yield parser.finish()


def read_orders(
    path: Path,
    preset: str,
    *,
    timezone: str | None = None,
    channel: str = "online",
    region: str = "CN",
    chunk_rows: int = CHUNK_ROWS,
    progress: Progress = _quiet,
) -> Iterator[Chunk]:
    """The file's orders, refunds and problems in chunks of about ``chunk_rows`` rows.

    ``timezone`` (an IANA name) reads times written without an offset; by default the preset's
    (:data:`~memberops.imports.orders.presets.ZONES`; pass the tenant's for ``generic``).
    ``channel`` is the orders' channel where the file names none; ``region`` reads phone
    numbers without a country code. Unknown presets, unreadable files and files whose columns
    do not fit the preset raise before the first chunk.
    """
    check_preset(preset)
    zone = ZoneInfo(timezone or ZONES[preset])
    lines, utf8 = scan_file(path)
    total = max(lines - (preset != "cdnow"), 0)
    progress(READING, 0, total)
    chunks = _chunks(path, preset, zone, channel, region, chunk_rows, utf8)
    return _counted(chunks, total, progress)


def _counted(chunks: Iterator[Chunk], total: int, progress: Progress) -> Iterator[Chunk]:
    done = 0
    for chunk in chunks:
        done += chunk.rows
        progress(READING, min(done, total), total)
        yield chunk
    progress(READING, total, total)
