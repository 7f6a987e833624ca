"""Stream an order file's rows in chunks of strings, numbered as in the file.

UTF-8 CSV files (with or without a byte-order mark) are read in blocks of whole records
(:data:`BLOCK` bytes) and each block is parsed by polars, so memory holds one block, never the
file. (polars' own ``scan_csv(...).collect_batches()`` was measured reading far ahead of its
consumer: its peak memory grew with the file, 125 MB for the 47 MB UCI file, 284 MB for a
4x copy.) Anything else the member import reads — GBK / GB18030
CSV, XLSX — goes through that import's own :func:`memberops.imports.reader.read_table` (whole
file in memory, as spreadsheets are) and is then cut into the same chunks. Every cell is text,
row 1 is the header, so the first data row is row 2; CDNOW's whitespace-separated text is read
line by line (``text_rows``).
"""

import codecs
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from memberops.imports.errors import UnreadableFile
from memberops.imports.reader import FIRST_DATA_ROW, read_table

_BLOCK = 1 << 20
#: Bytes of a UTF-8 CSV file handed to polars at a time (whole records, so a little more).
BLOCK = 8 << 20


@dataclass(frozen=True, slots=True)
class TableChunk:
    """Consecutive rows of a file: ``frame`` (all strings) starts at file row ``first_row``."""

    first_row: int
    frame: pl.DataFrame


def scan_file(path: Path) -> tuple[int, bool]:
    """One fast pass over the bytes: the number of lines, and whether the text is UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines, utf8 = 0, True
    last = b"\n"
    try:
        with path.open("rb") as stream:
            while block := stream.read(_BLOCK):
                lines += block.count(b"\n")
                last = block[-1:]
                if utf8:
                    try:
                        decoder.decode(block)
                    except UnicodeDecodeError:
                        utf8 = False
    except OSError as exc:
        raise UnreadableFile(f"Cannot read {path}: {exc.strerror}.", file=str(path)) from exc
    return lines + (last != b"\n"), utf8


def _blocks(path: Path, block: int) -> Iterator[bytes]:
    """The file's bytes cut only between CSV records: at a line break with an even number of
    double quotes before it in the block (RFC 4180 quoting, where a quote inside a quoted cell
    is doubled), so a cell holding a line break is never cut."""
    carry = b""
    with path.open("rb") as stream:
        while data := stream.read(block):
            buffer = carry + data
            cut = buffer.rfind(b"\n")
            while cut >= 0 and buffer.count(b'"', 0, cut) % 2:
                cut = buffer.rfind(b"\n", 0, cut)
            carry = buffer[cut + 1 :]
            if cut >= 0:
                yield buffer[: cut + 1]
    if carry:
        yield carry


def _header(first: bytes) -> tuple[bytes, bytes]:
    """The header line (with its line break) and the rest of the first block."""
    cut = first.find(b"\n")
    while cut >= 0 and first.count(b'"', 0, cut) % 2:
        cut = first.find(b"\n", cut + 1)
    return (first, b"") if cut < 0 else (first[: cut + 1], first[cut + 1 :])


def _streamed(path: Path, size: int, block: int) -> tuple[list[str], Iterator[pl.DataFrame]]:
    """Polars reads each block of whole records behind the file's header line."""
    blocks = _blocks(path, block)
    header, rest = _header(next(blocks, b"").removeprefix(codecs.BOM_UTF8))
    headers = pl.read_csv(header, infer_schema=False).columns

    def frames() -> Iterator[pl.DataFrame]:
        for data in itertools.chain([rest] if rest else [], blocks):
            yield from pl.read_csv(header + data, infer_schema=False).iter_slices(size)

    return headers, frames()


def _frames(
    path: Path, size: int, utf8: bool, block: int
) -> tuple[list[str], Iterator[pl.DataFrame]]:
    if path.suffix.lower() == ".csv" and utf8:
        return _streamed(path, size, block)
    frame = read_table(path.name, path.read_bytes())
    return frame.columns, frame.iter_slices(size)


def _unreadable(path: Path, exc: pl.exceptions.PolarsError) -> UnreadableFile:
    reason = str(exc).splitlines()[0]
    return UnreadableFile(f"{path.name} is not a readable table: {reason}", file=path.name)


def open_table(
    path: Path, size: int, utf8: bool, block: int = BLOCK
) -> tuple[list[str], Iterator[TableChunk]]:
    """The file's header, and its data rows in chunks of about ``size`` rows; a file polars
    cannot read as a table is refused (``imports.unreadable_file``), even when the trouble is
    only found mid-way."""
    try:
        headers, frames = _frames(path, size, utf8, block)
    except pl.exceptions.PolarsError as exc:
        raise _unreadable(path, exc) from exc
    return headers, _chunks(path, frames)


def _chunks(path: Path, frames: Iterator[pl.DataFrame]) -> Iterator[TableChunk]:
    row = FIRST_DATA_ROW
    try:
        for frame in frames:
            yield TableChunk(row, frame.select(pl.all().cast(pl.String)))
            row += frame.height
    except pl.exceptions.PolarsError as exc:
        raise _unreadable(path, exc) from exc


def text_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """Each non-empty line of a whitespace-separated text file, split, with its line number."""
    try:
        with path.open(encoding="utf-8-sig", newline=None) as stream:
            for number, line in enumerate(stream, start=1):
                if fields := line.split():
                    yield number, fields
    except (OSError, UnicodeDecodeError) as exc:
        raise UnreadableFile(f"{path.name} is not readable UTF-8 text.", file=path.name) from exc
