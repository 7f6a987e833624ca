"""Streaming a UTF-8 CSV in blocks of whole records gives exactly the rows the member
import's whole-file reader gives, numbered the same, wherever the blocks are cut."""

from pathlib import Path

import pytest

from memberops.imports.errors import UnreadableFile
from memberops.imports.orders.source import open_table, scan_file
from memberops.imports.reader import read_table

TEXT = 'a,b\n1,"x\ny"\n\n3,"say ""hi""\n, ok"\r\n\n\n4,z\n5,'


@pytest.mark.parametrize("block", [1, 2, 3, 5, 7, 11, 1000])
def test_blocks_are_cut_between_records_only(tmp_path: Path, block: int) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(b"\xef\xbb\xbf" + TEXT.encode())
    headers, chunks = open_table(path, 2, True, block)
    rows, first_rows = [], []
    for chunk in chunks:
        first_rows.append(chunk.first_row)
        rows += chunk.frame.rows()
        assert chunk.frame.height <= 2
    assert headers == ["a", "b"]
    assert rows == read_table("t.csv", TEXT.encode()).rows()
    assert first_rows[0] == 2
    assert scan_file(path) == (10, True)  # lines, an upper bound on records


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_bytes(b"")
    with pytest.raises(UnreadableFile, match="not a readable table"):
        open_table(path, 10, True)
