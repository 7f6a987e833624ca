"""Read a member file into a table of strings, and name the column each field comes from.

Every cell is read as text (no type guessing: ``007`` stays ``007`` and a phone never becomes
a float). CSV files may be UTF-8 with or without a byte-order mark, or GBK / GB18030 as Chinese
Excel saves them; XLSX files are read with calamine, first sheet, blank rows kept so row
numbers stay those of the file.
"""

import codecs
import hashlib
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import fastexcel
import polars as pl

from memberops.imports.errors import UnreadableFile
from memberops.imports.presets import ColumnMap, resolve_columns

#: The file's header is row 1, so the first data row is row 2, as a spreadsheet shows it.
FIRST_DATA_ROW = 2


def _utf8(data: bytes, name: str) -> bytes:
    """The CSV's bytes as UTF-8 (what polars reads): BOM dropped, GBK converted."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :]
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return data
    try:
        return data.decode("gb18030").encode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(f"{name} is neither UTF-8 nor GBK text.", file=name) from exc


def read_table(name: str, data: bytes) -> pl.DataFrame:
    """The file's rows as strings, by its header; ``name`` says the format by its suffix."""
    suffix = name.rsplit(".", 1)[-1].lower()
    try:
        if suffix == "csv":
            frame = pl.read_csv(io.BytesIO(_utf8(data, name)), infer_schema=False)
        elif suffix == "xlsx":
            frame = pl.read_excel(
                data,
                engine="calamine",
                infer_schema_length=0,
                drop_empty_rows=False,
                drop_empty_cols=False,
            )
        else:
            raise UnreadableFile(f"{name}: only .csv and .xlsx files can be imported.", file=name)
    except (pl.exceptions.PolarsError, fastexcel.FastExcelError) as exc:
        reason = str(exc).splitlines()[0]
        raise UnreadableFile(f"{name} is not a readable table: {reason}", file=name) from exc
    return frame.select(pl.all().cast(pl.String))


#: One data row: its row number in the file and its values by field.
SourceRow = tuple[int, dict[str, str | None]]


@dataclass(frozen=True)
class ImportSource:
    """A file ready to import: its rows, where each field comes from, and what it was."""

    name: str
    sha256: str
    preset: str
    frame: pl.DataFrame
    columns: ColumnMap

    @property
    def row_count(self) -> int:
        return self.frame.height

    def rows(self) -> Iterator[SourceRow]:
        """Each row's mapped values by field name, numbered as in the file."""
        picked = self.frame.select(pl.col(c).alias(f) for f, c in self.columns.items())
        yield from enumerate(picked.iter_rows(named=True), start=FIRST_DATA_ROW)


def load_source(
    name: str, data: bytes, preset: str, overrides: Sequence[tuple[str, str]] = ()
) -> ImportSource:
    """Read ``data`` (the content of file ``name``) and map its columns with ``preset`` and
    the overrides; refuses unreadable files and mappings that do not fit."""
    frame = read_table(name, data)
    return ImportSource(
        name=name,
        sha256=hashlib.sha256(data).hexdigest(),
        preset=preset,
        frame=frame,
        columns=resolve_columns(frame.columns, preset, overrides),
    )
