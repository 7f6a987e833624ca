"""Reading order files: presets, encodings and formats the member import reads too, the
progress the CLI draws, and files refused before any chunk."""

import io
from pathlib import Path

import pytest
import xlsxwriter

from memberops.imports.errors import UnknownPreset, UnreadableFile
from memberops.imports.orders.parsed import READING
from memberops.imports.orders.read import read_orders
from tests.imports.orders.helpers import read_all, write

TEXT = (
    "订单号,付款时间,手机号,商品编码,商品名称,单价,数量\n"
    "T1,2026-11-11 10:00:00,13800000001,A1,茶,9.90,2\n"
)


def test_chinese_headers_in_gbk_and_with_a_byte_order_mark(tmp_path: Path) -> None:
    for name, data in (("gbk.csv", TEXT.encode("gbk")), ("bom.csv", TEXT.encode("utf-8-sig"))):
        path = tmp_path / name
        path.write_bytes(data)
        (order,) = read_all(path, "generic").orders
        assert (order.external_id, order.amount_cents, order.lines[0].name) == ("T1", 1980, "茶")


def test_xlsx(tmp_path: Path) -> None:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet()
    for r, row in enumerate([line.split(",") for line in TEXT.splitlines()]):
        for c, value in enumerate(row):
            sheet.write_string(r, c, value)
    book.close()
    path = tmp_path / "orders.xlsx"
    path.write_bytes(out.getvalue())
    (order,) = read_all(path, "generic").orders
    assert order.amount_cents == 1980


def test_progress_counts_rows_to_the_end(tmp_path: Path) -> None:
    rows = "".join(f"T{n},2026-11-11 10:00:00,13800000001,A1,茶,1,1\n" for n in range(5))
    heard: list[tuple[str, int, int]] = []
    path = write(tmp_path, "o.csv", TEXT.splitlines()[0] + "\n" + rows)
    chunks = list(read_orders(path, "generic", chunk_rows=2, progress=lambda *a: heard.append(a)))
    assert sum(len(chunk.orders) for chunk in chunks) == 5
    assert heard[0] == (READING, 0, 5)
    assert heard[-1] == (READING, 5, 5)
    assert [done for _, done, _ in heard] == sorted(done for _, done, _ in heard)


def test_refusals_come_before_any_chunk(tmp_path: Path) -> None:
    with pytest.raises(UnknownPreset, match="presets: generic, uci, cdnow"):
        read_orders(tmp_path / "o.csv", "taobao")
    with pytest.raises(UnreadableFile, match="Cannot read"):
        read_orders(tmp_path / "missing.csv", "uci")
    with pytest.raises(UnreadableFile, match=r"only \.csv and \.xlsx"):
        read_orders(write(tmp_path, "o.txt", "a,b\n"), "generic")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe 00001 19970101 1 1.00\n")
    with pytest.raises(UnreadableFile, match="not readable UTF-8"):
        list(read_orders(bad, "cdnow"))


def test_streamed_rows_keep_the_files_numbering(tmp_path: Path) -> None:
    text = (
        "order_id,paid_at,phone,sku,name,unit_price,quantity\n"
        'T1,2026-11-11 10:00,13800000001,A1,"two\nlines",1,1\n'
        "\n"
        "T2,2026-11-11 10:00,13800000001,A1,x,1,0\n"
    )
    parsed = read_all(write(tmp_path, "o.csv", text), "generic", chunk_rows=1)
    assert parsed.orders[0].lines[0].name == "two\nlines"
    assert [(p.row, p.reason) for p in parsed.problems] == [
        (3, "blank row"),
        (4, "quantity must be at least 1"),
    ]
