"""Everything real ledgers do that must be accepted: exact normalised values and Excel rows."""

from __future__ import annotations

import hashlib
import hmac
from datetime import date
from decimal import Decimal

import pytest

from .builders import (
    MENGZHOU,
    PETITION_HEADER,
    XIANGYUAN,
    Formula,
    csv_bytes,
    drop,
    id_number,
    ingest,
    petition,
    query,
    settings_at,
    workbook,
    xls_bytes,
    xlsx_bytes,
)

KEY = b"test-only-pseudonymisation-key"
VALID_ID = id_number("410883", "19800101", "123")
VALID_ID_X = next(
    n for n in (id_number("410883", "19750315", f"{s:03d}") for s in range(100)) if n[-1] == "X"
)


def person_key(id_text: str) -> str:
    return hmac.new(KEY, id_text.encode(), hashlib.sha256).hexdigest()


QUIRKY_HEADER = [
    "序号", "编号", "信访日期", "来源形式", "走访层级", "人数", "姓名", "身份证号", "手机号码",
    "问题属地", "内容分类", "初信初访", "延期", "是否化解", "调解协议",
]  # fmt: skip
QUIRKY_ROWS = [
    ["孟州市信访事项登记台账（2025年）"],
    [],
    QUIRKY_HEADER,
    [1, "XF-001", "2025-01-03", "来信", "县", 1, "张三", VALID_ID, "13800138000",
     "城关镇", "城乡建设_住房_物业", "是", "√", "Y", "1"],
    [2, "ＸＦ－００２", "2025/1/4", "来访", "到市", "３人", "李四", VALID_ID_X.lower(), "",
     "\u3000会昌街道\u3000", "国土资源_征地", "否", None, "N", "0"],
    [],
    [3, "XF-003", "2025.1.5", "网信", "进京", "１２", "王五", "", "",
     "大定　街道", "卫生计生", "Y", None, None, None],
    [4, "XF-004", "2025年1月6日", "电话信访", "乡镇", " 2 ", None, None, None,
     None, "教育文体", "1", None, "是", "否"],
    [5, "XF-005", date(2025, 1, 7), "领导信箱", "赴省", 1, None, None, None,
     None, "民政_低保", "N", "√", None, None],
    [6, "XF-006", 45665, "走访", "在县", "1,000", None, None, None,
     None, "劳动社保", "0", None, None, None],
    ["合计", None, None, None, None, Formula("=SUM(F4:F10)", 1020)],
]  # fmt: skip
QUIRKY_EXPECTED = [
    # source_row, item_id, registered_on, channel, level, persons, person_key, township,
    # category, category_l1, is_first, extended, resolved, mediation_agreement
    (4, "XF-001", date(2025, 1, 3), "来信", "县", 1, person_key(VALID_ID), "城关镇",
     "城乡建设_住房_物业", "城乡建设", True, True, True, True),
    (5, "XF-002", date(2025, 1, 4), "走访", "市", 3, person_key(VALID_ID_X), "会昌街道",
     "国土资源_征地", "自然资源", False, False, False, False),
    (7, "XF-003", date(2025, 1, 5), "网上信访", "国家", 12, None, "大定 街道",
     "卫生计生", "卫生健康", True, False, None, None),
    (8, "XF-004", date(2025, 1, 6), "电话", "县", 2, None, None,
     "教育文体", "教育", True, False, True, False),
    (9, "XF-005", date(2025, 1, 7), "网上信访", "省", 1, None, None,
     "民政_低保", "民政与应急", False, True, None, None),
    (10, "XF-006", date(2025, 1, 8), "走访", "县", 1000, None, None,
     "劳动社保", "劳动和社会保障", False, False, None, None),
]  # fmt: skip
PETITION_COLUMNS = (
    "source_row, item_id, registered_on, channel, level, persons, person_key, township, "
    "category, category_l1, is_first, extended, resolved, mediation_agreement"
)


def test_xlsx_with_every_quirk(tmp_path):
    s = settings_at(tmp_path)
    drop(s, MENGZHOU, "孟州市2025年1月台账.xlsx", xlsx_bytes(QUIRKY_ROWS))
    (result,) = ingest(s)
    parsed = result.parsed
    assert (parsed.outcome, parsed.ledger_kind, parsed.file_format, parsed.row_count) == (
        "accepted", "petitions", "xlsx", 6,
    )  # fmt: skip
    assert [m.message for m in parsed.messages] == []
    rows = query(s, f"SELECT {PETITION_COLUMNS} FROM raw.petitions ORDER BY source_row")
    assert rows == QUIRKY_EXPECTED
    assert parsed.columns["item_id"] == "编号" and parsed.columns["is_first"] == "初信初访"


def test_merged_title_and_sample_marker(tmp_path):
    s = settings_at(tmp_path)
    book, buffer = workbook()
    ws = book.add_worksheet()
    ws.merge_range(
        0, 0, 1, len(PETITION_HEADER) - 1, "孟州市信访事项登记台账（示例数据，请勿上报）"
    )
    ws.write_row(2, 0, PETITION_HEADER)
    ws.write_row(3, 0, petition("XF-1"))
    book.close()
    drop(s, MENGZHOU, "示例.xlsx", buffer.getvalue())
    (result,) = ingest(s)
    assert (result.parsed.outcome, result.parsed.is_sample) == ("accepted", True)
    assert query(s, "SELECT source_row, item_id FROM raw.petitions") == [(4, "XF-1")]
    assert query(s, "SELECT is_sample FROM raw.submissions") == [(True,)]


def test_first_sheet_with_a_header_is_read(tmp_path):
    s = settings_at(tmp_path)
    book, buffer = workbook()
    book.add_worksheet("填报说明").write(0, 0, "请按模板填写")
    ledger = book.add_worksheet("台账")
    ledger.write_row(0, 0, PETITION_HEADER)
    ledger.write_row(1, 0, petition("XF-1"))
    book.add_worksheet("旧台账").write_row(0, 0, PETITION_HEADER)
    book.close()
    drop(s, MENGZHOU, "两页.xlsx", buffer.getvalue())
    ingest(s)
    assert query(s, "SELECT source_row, item_id FROM raw.petitions") == [(2, "XF-1")]


CSV_ROWS = [
    ["孟州市信访事项登记台账"],
    PETITION_HEADER,
    petition("GB-1", registered_on="2025年2月1日", channel="手机信访", category="环境保护_噪声"),
    [None] * len(PETITION_HEADER),
    petition("GB-2", registered_on="45689", persons="２", is_first="否"),
    ["总 计", None, None, None, 3, *[None] * (len(PETITION_HEADER) - 5)],
]
CSV_EXPECTED = [
    (3, "GB-1", date(2025, 2, 1), "网上信访", 1, "环境保护_噪声", "生态环境", True),
    (5, "GB-2", date(2025, 2, 1), "来信", 2, "城乡建设", "城乡建设", False),
]


@pytest.mark.parametrize(
    ("encoding", "data", "recorded"),
    [
        ("gb18030", csv_bytes(CSV_ROWS, "gb18030"), "gb18030"),
        ("gbk", csv_bytes(CSV_ROWS, "gbk"), "gb18030"),
        ("utf-8-sig", csv_bytes(CSV_ROWS, "utf-8-sig"), "utf-8-sig"),
        ("utf-8", csv_bytes(CSV_ROWS, "utf-8"), "utf-8"),
    ],
)
def test_csv_encodings(tmp_path, encoding, data, recorded):
    s = settings_at(tmp_path)
    drop(s, MENGZHOU, f"台账_{encoding}.csv", data)
    (result,) = ingest(s)
    assert (result.parsed.outcome, result.parsed.encoding) == ("accepted", recorded)
    rows = query(
        s,
        "SELECT source_row, item_id, registered_on, channel, persons, category, category_l1, "
        "is_first FROM raw.petitions ORDER BY source_row",
    )
    assert rows == CSV_EXPECTED


def test_csv_quoted_line_breaks_and_ragged_rows_keep_record_numbers(tmp_path):
    s = settings_at(tmp_path)
    header = [*PETITION_HEADER, "责任单位"]
    text = (
        "孟州市台账\r\n"  # a title row narrower than the table
        + ",".join(header) + "\r\n"
        + ",".join(map(str, petition("Q-1"))) + ',"住建局\n城管局"\r\n'
        + "\r\n"  # an empty line is a row in Excel
        + ",".join(map(str, petition("Q-2"))) + "\r\n"  # one cell short
    )  # fmt: skip
    drop(s, MENGZHOU, "多行.csv", text.encode())
    ingest(s)
    assert query(s, "SELECT source_row, item_id, responsible_unit FROM raw.petitions") == [
        (3, "Q-1", "住建局\n城管局"),
        (5, "Q-2", None),
    ]


def test_legacy_xls(tmp_path):
    s = settings_at(tmp_path)
    rows = [
        ["襄垣县信访事项登记台账"],
        PETITION_HEADER,
        petition("XY-1", registered_on=date(2025, 2, 3), persons=2),
        petition("XY-2", registered_on=45660, level="到省", channel="来访"),
    ]
    drop(s, XIANGYUAN, "台账.xls", xls_bytes(rows))
    (result,) = ingest(s)
    assert (result.parsed.outcome, result.parsed.file_format) == ("accepted", "xls")
    assert query(
        s, "SELECT source_row, item_id, registered_on, channel, level, persons FROM raw.petitions"
    ) == [
        (3, "XY-1", date(2025, 2, 3), "来信", "县", 2),
        (4, "XY-2", date(2025, 1, 3), "走访", "省", 1),
    ]


def test_risk_ledger_special_domains_and_aliases(tmp_path):
    s = settings_at(tmp_path)
    rows = [
        [
            "排查编号",
            "发现日期",
            "矛盾类型",
            "风险等级",
            "涉及人数",
            "办结时限",
            "状态",
            "销号日期",
        ],
        ["R-1", "2025-02-01", "房地产", "红", "３０人", "2025-06-30", "已销号", "2025-02-20"],
        ["R-2", "2025-02-02", "征地拆迁_补偿", "二级", None, None, "化解中", None],
        ["R-3", "2025-02-03", "国土资源", "黄", 1, None, "未化解", None],
    ]
    drop(s, MENGZHOU, "排查.xlsx", xlsx_bytes(rows))
    (result,) = ingest(s)
    assert result.parsed.ledger_kind == "risks" and result.parsed.outcome == "accepted"
    assert query(
        s,
        "SELECT source_row, risk_id, category, category_l1, risk_level, persons, due_on, status, "
        "resolved_on FROM raw.risks ORDER BY source_row",
    ) == [
        (2, "R-1", "房地产", "房地产", "高", 30, date(2025, 6, 30), "已化解", date(2025, 2, 20)),
        (3, "R-2", "征地拆迁_补偿", "征地拆迁", "中", None, None, "化解中", None),
        (4, "R-3", "国土资源", "自然资源", "低", 1, None, "未化解", None),
    ]


def test_backlog_money(tmp_path):
    s = settings_at(tmp_path)
    rows = [
        ["*积案编号", "首次信访日期", "挂账日期", "内容分类", "包案领导级别", "化解状态",
         "信访专项资金(元)", "慈善救助金（元）", "信访件编号"],
        ["J-1", "2023-05-01", "2024-01-10", "政法", "县级", "化解中", "1,234.5元", "￥2,000",
         "XF-9"],
        ["J-2", "2023-06-01", "2024-02-10", "其他", "市级", "化解中", 800, None, None],
    ]  # fmt: skip
    drop(s, MENGZHOU, "积案.xlsx", xlsx_bytes(rows))
    (result,) = ingest(s)
    assert result.parsed.ledger_kind == "backlog" and result.parsed.outcome == "accepted"
    assert query(
        s, "SELECT case_id, item_id, relief_fund, charity_fund FROM raw.backlog ORDER BY case_id"
    ) == [
        ("J-1", "XF-9", Decimal("1234.50"), Decimal("2000.00")),
        ("J-2", None, Decimal("800.00"), None),
    ]
