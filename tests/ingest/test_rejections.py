"""Every kind of bad input: its outcome and the exact message the clerk reads."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import msoffcrypto.format.ooxml
import pytest

from xinfang.ingest import messages
from xinfang.ingest.limits import MB

from .builders import (
    MENGZHOU,
    PETITION_HEADER,
    Formula,
    arrived,
    csv_bytes,
    drop,
    id_number,
    ingest,
    petition,
    query,
    settings_at,
    xls_bytes,
    xlsx_bytes,
)

FIX_FILE = "文件已损坏或不是有效的 Excel/CSV 文件，无法读取。请用 Excel 打开检查并另存后重新报送。"
TITLE = ["孟州市信访事项登记台账"]


def ledger(*rows: list[object]) -> bytes:
    """A petitions workbook: title row 1, header row 2, data from row 3."""
    return xlsx_bytes([TITLE, PETITION_HEADER, *rows])


def rejected(s, name: str) -> list[str]:
    """Ingest the inbox; the one file is rejected: its messages (also as registered)."""
    (result,) = ingest(s)
    parsed = result.parsed
    assert result.loaded and parsed.outcome == "rejected"
    assert query(s, "SELECT file_name, outcome, error_count FROM raw.submissions") == [
        (name, "rejected", parsed.error_count)
    ]
    assert query(s, "SELECT count(*) FROM raw.petitions") == [(0,)]
    stored = query(s, "SELECT message FROM raw.submission_messages ORDER BY seq")
    assert [m for (m,) in stored] == [m.message for m in parsed.messages]
    return [m.message for m in parsed.messages]


def file_message(s, name: str, content: bytes) -> list[str]:
    drop(s, MENGZHOU, name, content)
    return rejected(s, name)


def test_garbage_bytes(tmp_path):
    s = settings_at(tmp_path)
    assert file_message(s, "坏文件.xlsx", b"not a spreadsheet at all" * 20) == [
        f"孟州市 坏文件.xlsx {FIX_FILE}"
    ]


def test_damaged_xls_that_claims_gigabytes_is_unreadable(tmp_path):
    """Found by fuzzing: 5.5 KB that made calamine allocate tens of gigabytes. The .xls reader
    runs in a child process under a memory ceiling; the file is told unreadable."""
    s = settings_at(tmp_path)
    content = (Path(__file__).parent / "data" / "damaged-allocates-gigabytes.xls").read_bytes()
    assert len(content) < 6_000
    assert file_message(s, "台账.xls", content) == [f"孟州市 台账.xls {FIX_FILE}"]


def test_truncated_xlsx(tmp_path):
    s = settings_at(tmp_path)
    whole = ledger(petition("XF-1"))
    assert file_message(s, "半截.xlsx", whole[: len(whole) // 2]) == [
        f"孟州市 半截.xlsx {FIX_FILE}"
    ]


def test_binary_csv(tmp_path):
    s = settings_at(tmp_path)
    assert file_message(s, "台账.csv", b"\x00\x01\x02" * 50) == [f"孟州市 台账.csv {FIX_FILE}"]


def test_encrypted_xlsx(tmp_path):
    s = settings_at(tmp_path)
    out = io.BytesIO()
    msoffcrypto.format.ooxml.OOXMLFile(io.BytesIO(ledger(petition("XF-1")))).encrypt("123", out)
    assert file_message(s, "加密.xlsx", out.getvalue()) == [
        "孟州市 加密.xlsx 文件已加密，无法读取。请取消密码保护后重新报送。"
    ]


def test_empty_file(tmp_path):
    s = settings_at(tmp_path)
    assert file_message(s, "空.xlsx", b"") == [
        "孟州市 空.xlsx 是空文件（0 字节）。请检查文件内容后重新报送。"
    ]


def test_unsupported_format(tmp_path):
    s = settings_at(tmp_path)
    assert file_message(s, "台账.pdf", b"%PDF-1.7 ...") == [
        "孟州市 台账.pdf 不是可接收的文件格式。请另存为 .xlsx、.xls 或 .csv 格式后重新报送。"
    ]


def test_undecodable_csv(tmp_path):
    s = settings_at(tmp_path)
    assert file_message(s, "台账.csv", "信访件编号\n".encode("gbk") + b"\xff\xfe\xfd\n") == [
        "孟州市 台账.csv 无法识别文字编码。请另存为 UTF-8 或 GBK 编码的 CSV 文件后重新报送。"
    ]


def test_unknown_header(tmp_path):
    s = settings_at(tmp_path)
    content = xlsx_bytes([["工作总结"], ["序号", "事项", "备注"], [1, "走访", ""]])
    assert file_message(s, "总结.xlsx", content) == [
        "孟州市 总结.xlsx 前 30 行内未找到台账表头（信访事项登记台账、矛盾纠纷排查台账或"
        "信访积案台账的必填列）。请使用统一的台账模板后重新报送。"
    ]


def test_missing_required_columns(tmp_path):
    s = settings_at(tmp_path)
    header = [h for h in PETITION_HEADER if h not in ("登记层级", "是否初次信访")]
    prefix = "孟州市 缺列.xlsx 按信访事项登记台账读取，缺少必填列"
    assert file_message(s, "缺列.xlsx", xlsx_bytes([header])) == [
        f"{prefix}「登记层级」。请补齐该列后重新报送。",
        f"{prefix}「是否初次信访」。请补齐该列后重新报送。",
    ]


def test_unknown_unit(tmp_path):
    s = settings_at(tmp_path)
    drop(s, "999999", "台账.xlsx", ledger(petition("XF-1")))
    (result,) = ingest(s)
    assert [m.message for m in result.parsed.messages] == [
        "999999 台账.xlsx 所在目录「999999」不是已登记的报送单位代码。"
        "请放入本单位 6 位行政区划代码目录后重新报送。"
    ]
    assert query(s, "SELECT unit_code, outcome, archive_path LIKE '999999/%' FROM raw.submissions")[
        0
    ] == ("999999", "rejected", True)


def test_oversized_sparse_file_is_neither_read_nor_archived(tmp_path):
    s = settings_at(tmp_path)
    path = drop(s, MENGZHOU, "大表.xlsx", b"")
    with path.open("r+b") as fh:
        fh.truncate(101 * MB)
    arrived(path)
    assert rejected(s, "大表.xlsx") == [
        "孟州市 大表.xlsx 大小为 101.0 MB，超过 100 MB 的上限。请删除无关的工作表和图片后重新报送。"
    ]
    assert query(s, "SELECT size_bytes, archive_path FROM raw.submissions") == [(101 * MB, "")]
    assert not s.archive.exists() or not any(p.is_file() for p in s.archive.rglob("*"))


def test_size_limit_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("XINFANG_MAX_FILE_MB", "0.25")
    s = settings_at(tmp_path)
    content = b"x" * (MB // 2)
    assert file_message(s, "台账.csv", content) == [
        "孟州市 台账.csv 大小为 0.5 MB，超过 0.25 MB 的上限。请删除无关的工作表和图片后重新报送。"
    ]


def test_zip_bomb_is_refused_before_inflating(tmp_path):
    s = settings_at(tmp_path)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w") as member:
            for _ in range(32):
                member.write(bytes(MB))
    with zipfile.ZipFile(buffer) as zf:
        declared = sum(m.file_size for m in zf.infolist())
        ratio = declared / sum(m.compress_size for m in zf.infolist())
    assert file_message(s, "炸弹.xlsx", buffer.getvalue()) == [
        f"孟州市 炸弹.xlsx 解压后大小异常（{declared / MB:.0f} MB，压缩比 {ratio:.0f}:1），已拒收。"
        "请用 Excel 打开后另存为 .xlsx 文件后重新报送。"
    ]


@pytest.mark.parametrize("fmt", ["xlsx", "xls"])
def test_formulas_in_data_cells(tmp_path, fmt):
    s = settings_at(tmp_path)
    rows = [
        TITLE,
        PETITION_HEADER,
        petition("XF-1", persons=Formula("1+1", 2)),
        petition("XF-2"),
        ["合计", None, None, None, Formula("SUM(E3:E4)", 3)],
    ]
    content = xlsx_bytes(rows) if fmt == "xlsx" else xls_bytes(rows)
    assert file_message(s, f"公式.{fmt}", content) == [
        f"孟州市 公式.{fmt} 第 3 行「信访人数」含有公式，请将公式粘贴为数值后重新报送"
    ]


def test_formula_only_in_the_total_row_is_fine(tmp_path):
    s = settings_at(tmp_path)
    rows = [
        petition("XF-1"),
        petition("XF-2"),
        ["合计", None, None, None, Formula("SUM(E3:E4)", 2)],
    ]
    drop(s, MENGZHOU, "合计.xlsx", ledger(*rows))
    (result,) = ingest(s)
    assert (result.parsed.outcome, result.parsed.row_count) == ("accepted", 2)


def test_the_spec_example_row_37(tmp_path):
    s = settings_at(tmp_path)
    header = [*PETITION_HEADER, "办结日期"]
    rows = [TITLE, header] + [[*petition(f"XF-{i}"), None] for i in range(3, 37)]
    rows.append([*petition("XF-37"), "2025-02-30"])
    drop(s, MENGZHOU, "台账.xlsx", xlsx_bytes(rows))
    assert rejected(s, "台账.xlsx") == [
        "孟州市 台账.xlsx 第 37 行「办结日期」2025-02-30 不是有效日期"
    ]
    (row,) = query(s, "SELECT rule, source_row, column_header, value FROM raw.submission_messages")
    assert row == ("date.invalid", 37, "办结日期", "2025-02-30")


CELL_CASES = {
    "date_after_submission": (
        [petition("XF-1", registered_on="2025-03-02")],
        ["第 3 行「登记日期」2025-03-02 晚于报送日期 2025-03-01"],
    ),
    "duplicate_keys": (
        [petition("XF-1"), petition("XF-2"), petition("ＸＦ－1")],
        ["第 5 行「信访件编号」ＸＦ－1 与第 3 行重复，编号在本台账内不得重复"],
    ),
    "repeated_keys": (
        [petition("XF-2"), petition("XF-1"), petition("XF-2"), petition("XF-1"), petition("XF-2")],
        ["第 5 行「信访件编号」XF-2 与第 3 行重复，编号在本台账内不得重复",
         "第 6 行「信访件编号」XF-1 与第 4 行重复，编号在本台账内不得重复",
         "第 7 行「信访件编号」XF-2 与第 3 行重复，编号在本台账内不得重复"],
    ),
    "persons": (
        [petition("XF-1", persons=-2), petition("XF-2", persons=0), petition("XF-3", persons=1.5)],
        ["第 3 行「信访人数」-2 不是正整数", "第 4 行「信访人数」0 不是正整数",
         "第 5 行「信访人数」1.5 不是正整数"],
    ),
    "unknown_enum": (
        [petition("XF-1", channel="传真")],
        ["第 3 行「信访形式」传真 不是规定的选项（可填：来信、走访、网上信访、电话）"],
    ),
    "unknown_category": (
        [petition("XF-1", category="外星事务_飞碟")],
        ["第 3 行「内容分类」外星事务_飞碟 不是规定的内容分类（一级分类应为规定的 19 类之一）"],
    ),
    "required_empty": (
        [petition("XF-1", level=None), petition(None)],
        ["第 3 行「登记层级」为空，此项为必填项", "第 4 行「信访件编号」为空，此项为必填项"],
    ),
    "bad_yes_no": (
        [petition("XF-1", is_first="可能")],
        ["第 3 行「是否初次信访」可能 不是有效的是否值（可填：是、否）"],
    ),
    "several_in_one_row": (
        [petition("XF-1", registered_on="2025-13-01", level="村", persons="三")],
        ["第 3 行「登记日期」2025-13-01 不是有效日期",
         "第 3 行「登记层级」村 不是规定的选项（可填：国家、省、市、县）",
         "第 3 行「信访人数」三 不是正整数"],
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", CELL_CASES)
def test_cell_errors(tmp_path, case):
    s = settings_at(tmp_path)
    rows, expected = CELL_CASES[case]
    drop(s, MENGZHOU, "台账.xlsx", ledger(*rows))
    assert rejected(s, "台账.xlsx") == [f"孟州市 台账.xlsx {m}" for m in expected]


def test_negative_money(tmp_path):
    s = settings_at(tmp_path)
    header = ["积案编号", "首次信访日期", "挂账日期", "内容分类", "包案领导级别", "化解状态",
              "信访专项资金（元）"]  # fmt: skip
    row = ["J-1", "2024-01-01", "2024-02-01", "政法", "县级", "化解中", "-500元"]
    drop(s, MENGZHOU, "积案.xlsx", xlsx_bytes([header, row]))
    (result,) = ingest(s)
    assert [m.message for m in result.parsed.messages] == [
        "孟州市 积案.xlsx 第 2 行「信访专项资金（元）」-500元 不能为负数"
    ]


def test_many_errors_are_counted_beyond_the_listed_ones(tmp_path, monkeypatch):
    monkeypatch.setattr(messages, "MAX_LISTED", 2)
    s = settings_at(tmp_path)
    drop(
        s,
        MENGZHOU,
        "台账.xlsx",
        ledger(*[petition(f"XF-{i}", registered_on="昨天") for i in range(5)]),
    )
    assert rejected(s, "台账.xlsx") == [
        "孟州市 台账.xlsx 第 3 行「登记日期」昨天 不是有效日期",
        "孟州市 台账.xlsx 第 4 行「登记日期」昨天 不是有效日期",
        "孟州市 台账.xlsx「登记日期」另有 3 行不是有效日期，未逐条列出。请一并更正后重新报送。",
    ]


def test_invalid_id_number_is_a_warning(tmp_path):
    s = settings_at(tmp_path)
    good = id_number("410883", "19800101", "123")
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    drop(s, MENGZHOU, "台账.xlsx", ledger(petition("XF-1", id_number=bad)))
    (result,) = ingest(s)
    assert result.parsed.outcome == "accepted"
    assert [(m.severity, m.message) for m in result.parsed.messages] == [
        ("warning", f"孟州市 台账.xlsx 第 3 行「证件号码」4108************{bad[-2:]} "
                    "不是有效的公民身份号码（校验码错误），已按无证件号码处理"),
    ]  # fmt: skip
    assert query(s, "SELECT person_key FROM raw.petitions") == [(None,)]
    assert query(s, "SELECT outcome, warning_count FROM raw.submissions") == [("accepted", 1)]


@pytest.mark.parametrize(
    ("name", "shown"),
    [("..\\..\\台账.xlsx", "..\\..\\台账.xlsx"), ("台账\x07.xlsx", "台账\\x07.xlsx")],
)
def test_unsafe_names(tmp_path, name, shown):
    s = settings_at(tmp_path)
    drop(s, MENGZHOU, name, ledger(petition("XF-1")))
    assert rejected(s, name) == [
        f"孟州市 {shown} 文件名含有不允许的字符（“..”、斜杠、反斜杠或控制字符），已拒收。"
        "请更改文件名后重新报送。"
    ]
    assert query(s, "SELECT archive_path FROM raw.submissions") == [("",)]


def test_symlink_out_of_the_inbox_is_registered_not_followed(tmp_path):
    s = settings_at(tmp_path)
    secret = tmp_path / "outside" / "secret.xlsx"
    secret.parent.mkdir()
    secret.write_bytes(ledger(petition("XF-1")))
    folder = s.inbox / MENGZHOU
    folder.mkdir(parents=True)
    os.symlink(secret, folder / "台账.xlsx")
    arrived(folder / "台账.xlsx")
    assert rejected(s, "台账.xlsx") == [
        "孟州市 台账.xlsx 是快捷方式（符号链接），不是台账文件本身，已拒收。"
        "请放入台账文件本身后重新报送。"
    ]
    assert query(s, "SELECT archive_path, size_bytes FROM raw.submissions") == [
        ("", len(str(secret).encode()))
    ]
    archived = [p.read_bytes() for p in s.archive.rglob("*") if p.is_file()]
    assert secret.read_bytes() not in archived


def test_csv_garbage_that_decodes_has_no_header(tmp_path):
    s = settings_at(tmp_path)
    assert file_message(s, "台账.csv", csv_bytes([["随便", "写点"], ["什么", "东西"]])) == [
        "孟州市 台账.csv 前 30 行内未找到台账表头（信访事项登记台账、矛盾纠纷排查台账或"
        "信访积案台账的必填列）。请使用统一的台账模板后重新报送。"
    ]


def test_header_without_rows_is_an_empty_ledger(tmp_path):
    s = settings_at(tmp_path)
    drop(s, MENGZHOU, "空台账.xlsx", ledger())
    (result,) = ingest(s)
    assert (result.parsed.outcome, result.parsed.row_count) == ("accepted", 0)
    assert [(m.severity, m.message) for m in result.parsed.messages] == [
        ("warning", "孟州市 空台账.xlsx 表头下没有数据行，按空台账登记。")
    ]


def test_csv_rows_stopping_short_of_required_columns(tmp_path):
    s = settings_at(tmp_path)
    text = ",".join(PETITION_HEADER) + "\r\n" + ",".join(map(str, petition("XF-1")[:8])) + "\r\n"
    drop(s, MENGZHOU, "台账.csv", text.encode())
    assert rejected(s, "台账.csv") == [
        "孟州市 台账.csv 第 2 行「内容分类」为空，此项为必填项",
        "孟州市 台账.csv 第 2 行「是否初次信访」为空，此项为必填项",
    ]
