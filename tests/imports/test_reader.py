"""Reading member files: CSV in UTF-8 (with or without BOM) or GBK, XLSX, every cell as text,
rows numbered as in the file; files that cannot be read are refused with the reason."""

import datetime
import io

import pytest
import xlsxwriter

from memberops.imports.errors import UnreadableFile
from memberops.imports.reader import load_source, read_table

TEXT = "手机号,姓名,会员卡号\n13800000001,张三,007\n"


def test_utf8_with_a_byte_order_mark() -> None:
    source = load_source("m.csv", b"\xef\xbb\xbf" + TEXT.encode(), "generic")
    assert source.columns == {"phone": "手机号", "name": "姓名", "pos_card": "会员卡号"}
    assert list(source.rows()) == [(2, {"phone": "13800000001", "name": "张三", "pos_card": "007"})]


def test_gbk_as_chinese_excel_saves_csv() -> None:
    source = load_source("m.csv", TEXT.encode("gbk"), "generic")
    assert list(source.rows()) == [(2, {"phone": "13800000001", "name": "张三", "pos_card": "007"})]


def test_rows_keep_the_files_numbering_through_blank_lines_and_quoted_newlines() -> None:
    data = 'phone,name\n13800000001,"张\n三"\n\n13800000002,李四\n'.encode()
    assert list(load_source("m.csv", data, "generic").rows()) == [
        (2, {"phone": "13800000001", "name": "张\n三"}),
        (3, {"phone": None, "name": None}),
        (4, {"phone": "13800000002", "name": "李四"}),
    ]


def _xlsx(rows: list[list[object]]) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet()
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, datetime.date):
                sheet.write_datetime(r, c, value, dates)
            elif value is not None:
                sheet.write(r, c, value)
    book.close()
    return out.getvalue()


def test_xlsx_cells_are_read_as_text_with_blank_rows_kept() -> None:
    data = _xlsx(
        [
            ["手机号", "姓名", "生日", "consent_sms"],
            [13800000001, "张三", datetime.date(1990, 5, 1), 1],
            [None, None, None, None],
            ["13800000002", "李四", "1991/06/02", True],
        ]
    )
    assert list(load_source("m.xlsx", data, "generic").rows()) == [
        (
            2,
            {"phone": "13800000001", "name": "张三", "birthday": "1990-05-01 00:00:00"}
            | {"consent_sms": "1"},
        ),
        (3, {"phone": None, "name": None, "birthday": None, "consent_sms": None}),
        (
            4,
            {"phone": "13800000002", "name": "李四", "birthday": "1991/06/02"}
            | {"consent_sms": "true"},
        ),
    ]


@pytest.mark.parametrize(
    ("name", "data", "detail"),
    [
        ("m.txt", b"phone\n1\n", "m.txt: only .csv and .xlsx files can be imported."),
        ("m.csv", b"phone\n\x80\n", "m.csv is neither UTF-8 nor GBK text."),
        ("m.csv", b"", "m.csv is not a readable table: empty CSV"),
        (
            "m.csv",
            b"a,b\n1,2,3\n",
            "m.csv is not a readable table: found more fields than defined in 'Schema'",
        ),
        (
            "m.xlsx",
            b"not a workbook",
            "m.xlsx is not a readable table: calamine error: Cannot detect file format",
        ),
    ],
)
def test_unreadable_files_are_refused_with_the_reason(name: str, data: bytes, detail: str) -> None:
    with pytest.raises(UnreadableFile) as refused:
        read_table(name, data)
    assert refused.value.detail == detail
    assert refused.value.code == "imports.unreadable_file"
