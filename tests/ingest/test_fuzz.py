"""Fuzzing the readers: whatever a county drops, parsing answers, and never raises.

Hypothesis writes ledgers the way clerks' tools do -- any of the header aliases, dates in every
form (and nonsense), CSV in right and wrong encodings, junk cells (control characters, very
long text, formulas, emoji, error cells, blanks) -- and also truncates them, corrupts a
workbook's parts, and makes up bytes named ``.xlsx``/``.xls``/``.csv``. For each file,
:func:`xinfang.ingest.parse` (guard, archive, read, normalise, the quality gate) must return a
submission whose every message is a Chinese clerk message with a known rule id, a rejection
with at least one error, and -- unless rejected -- rows of exactly the declared types and
values. Derandomized (the same examples every run, as in CI); ``XINFANG_FUZZ_EXAMPLES=2000``
explores further with fresh random examples. Each crash found is an ``@example``, commented.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

import pyarrow.parquet as pq
import pytest
import xlsxwriter
import xlwt
from hypothesis import (
    HealthCheck,
    Phase,
    currently_in_test_context,
    event,
    example,
    given,
    settings,
)
from hypothesis import strategies as st

from xinfang.ingest import messages as ingest_messages
from xinfang.ingest.discovery import candidate
from xinfang.ingest.normalise import DEADLINES, row_schema
from xinfang.ingest.parsing import parse
from xinfang.ingest.submission import ParsedSubmission
from xinfang.quality import rules as gate_rules
from xinfang.schema import CATEGORIES, CATEGORY_CROSSWALK, LEDGERS, RISK_DOMAINS, Field, Ledger

from .builders import MENGZHOU, RECEIVED, Formula, drop, id_number, settings_at

EXAMPLES = int(os.environ.get("XINFANG_FUZZ_EXAMPLES", "0"))
#: An exception swallowed on the way (e.g. in a reader's callback) fails the test too.
pytestmark = pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")


def fuzz(examples: int) -> settings:
    """Fixed examples, reported as found; exploring, fresh ones, shrunk when one fails (each
    example costs the quality gate's ~0.3 s: shrinking takes minutes)."""
    return settings(
        max_examples=EXAMPLES or examples,
        deadline=None,
        derandomize=not EXAMPLES,
        database=None,
        phases=list(Phase) if EXAMPLES else [Phase.explicit, Phase.generate],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


class Upload(NamedTuple):
    """A file as dropped in the inbox."""

    name: str
    content: bytes


# ---------------------------------------------------------------------------------------------
# Cells
# ---------------------------------------------------------------------------------------------

FULL_WIDTH = str.maketrans("0123456789-/.:", "０１２３４５６７８９－／．：")
EXCEL_EPOCH = date(1899, 12, 30)


def date_forms(day: date) -> list[object]:
    """Every way a clerk's tool writes ``day``."""
    serial = (day - EXCEL_EPOCH).days
    return [
        day.isoformat(), f"{day.year}/{day.month}/{day.day}", f"{day.year}.{day.month}.{day.day}",
        f"{day.year}年{day.month}月{day.day}日", f"{day:%Y%m%d}", f"{day.isoformat()} 00:00:00",
        serial, f"{serial}.25", day.isoformat().translate(FULL_WIDTH),
        f"{day.year}年{day.month}月{day.day}日".translate(FULL_WIDTH), day,
    ]  # fmt: skip


NONSENSE_DATES = [
    "2025-02-30", "2025-13-01", "0000-00-00", "9999-12-31", "10000-01-01", "2025/1", "明天",
    "2025年", "0", "-1", "99999999", "3000000", "1e9", "2025-01-03T25:61", "45660.5.5", ".",
    "２０２５年", "2025 - 1 - 3", "20251301", "19000229",
]  # fmt: skip

JUNK = [
    None, "", " ", "\u3000", "\x00", "\x07\x1b[31m", "\r\n", "\t", "\ufeff", "\u200b\u202e",
    "😀", "👨‍👩‍👧", "=SUM(A1:A9)", "=1/0", "+1", "-", "#N/A", "#DIV/0!", "NULL", "None", "nan",
    "inf", "-0", "1e400", "合计", "小计：", "\ud7ff", "x" * 33_000, "啊" * 5000, "'", '"', '""',
    "a\nb", "a\rb", "𠀀𪚥", "Ⅻ", "①", "٣", "\U0010ffff",
]  # fmt: skip

FORMULAS = [Formula("=1+1", 2), Formula("=TODAY()", 45660), Formula('="是"', "是")]


def junk() -> st.SearchStrategy[object]:
    return st.one_of(
        st.sampled_from(JUNK),
        st.text(max_size=12),
        st.sampled_from(FORMULAS),
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(-(2**63), 2**63),
    )


#: Values of 化解状态 that need a 化解日期 (and those that must not have one).
RESOLVED = frozenset({"已化解", "已销号", "已终结"})
VALID_IDS = [id_number("410883", "19650704", "321"), id_number("140423", "19881212", "046")]


def good(
    ledger: Ledger, f: Field, row: int, day: date, resolved: bool
) -> st.SearchStrategy[object]:
    """A value of ``f`` the ledger accepts, in any of its written forms; every date of the row
    is ``day`` (so no two dates are out of order), 化解状态 agrees with 化解日期."""
    if f.kind == "date":
        return st.sampled_from(date_forms(day))
    if f.name == "status":
        return st.sampled_from(sorted(v for v in f.values if (v in RESOLVED) == resolved))
    if f.kind == "enum":
        return st.sampled_from(sorted(f.values))
    if f.kind == "bool":
        return st.sampled_from(["是", "否", "Y", "n", "1", "0", "√", "TRUE", 1, 0, True])
    if f.kind == "int":
        return st.one_of(st.integers(1, 10**6), st.sampled_from(["３人", "1,000", "2人次", "1.0"]))
    if f.kind == "money":
        return st.one_of(
            st.decimals(0, 10**12, places=2).map(str), st.sampled_from(["¥1,234.5", "300元"])
        )
    if f.kind == "category":
        named = [
            *CATEGORIES,
            *CATEGORY_CROSSWALK,
            *(RISK_DOMAINS if ledger.kind == "risks" else ()),
        ]
        return st.sampled_from(named).flatmap(lambda c: st.sampled_from([c, f"{c}_二级_三级"]))
    if f.kind == "pii_id":
        return st.sampled_from(
            [*VALID_IDS, VALID_IDS[0].translate(FULL_WIDTH), "41088319650704321"]
        )
    if f.kind == "pii_drop":
        return st.sampled_from(["欧阳明远", "13912345678", "张 三", None])
    if f.name.endswith("_id"):  # a row key, unique
        return st.sampled_from([f"XF-{row:03d}", f"ＸＦ－{row}", f" K{row} "])
    return st.sampled_from(["城关镇", "县住建局", "孟州市人民政府", None])


def bad(f: Field) -> st.SearchStrategy[object]:
    """A value that may or may not pass: junk, or (for a date, a count, money) nonsense."""
    if f.kind == "date":
        return st.one_of(st.sampled_from(NONSENSE_DATES), st.dates().map(date.isoformat), junk())
    if f.kind in ("int", "money"):
        return st.one_of(
            st.integers(-3, 10**12),
            st.decimals(allow_nan=True, allow_infinity=True).map(str),
            st.sampled_from(["1e5", "-0.001", "NaN", "sNaN", "Infinity", "0", "1.5"]),
            junk(),
        )
    return junk()


# ---------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Formula):
        return value.text
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def csv_file(rows: list[list[object]], encoding: str) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows([cell_text(v) for v in r] for r in rows)
    return out.getvalue().encode(encoding, errors="replace")


def xlsx_file(rows: list[list[object]]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "nan_inf_to_errors": True, "strings_to_formulas": False}
    )
    book.set_properties({"created": datetime(2025, 1, 1)})  # the same bytes every time
    ws = book.add_worksheet("台账")
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, Formula):
                ws.write_formula(r, c, value.text, None, value.cached)
            elif isinstance(value, date):
                ws.write_datetime(r, c, datetime(value.year, value.month, value.day), day)
            elif isinstance(value, bool):
                ws.write_boolean(r, c, value)
            elif (isinstance(value, int) and abs(value) < 2**53) or isinstance(value, float):
                ws.write_number(r, c, value)
            elif value is not None:
                ws.write_string(r, c, str(value))
    book.close()
    return buffer.getvalue()


def xls_file(rows: list[list[object]]) -> bytes:
    book = xlwt.Workbook()
    ws = book.add_sheet("台账")
    day = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, Formula):
                ws.write(r, c, xlwt.Formula(value.text.lstrip("=")))
            elif isinstance(value, date):
                ws.write(r, c, value, day)
            elif isinstance(value, bool | float) or (isinstance(value, int) and abs(value) < 2**53):
                ws.write(r, c, value)
            elif value is not None:
                ws.write(r, c, str(value)[:32_767])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


#: Files any reader must read (their cells may still be wrong), and CSVs in wrong encodings.
WELL_FORMED = ["xlsx", "xls", "csv:utf-8", "csv:utf-8-sig", "csv:gb18030", "csv:gbk"]
MISENCODED = ["csv:latin-1", "csv:utf-16", "csv:big5", "csv:shift_jis"]


def render(rows: list[list[object]], kind: str) -> bytes:
    """``rows`` as a file: ``xlsx``, ``xls`` or ``csv:<encoding>``."""
    if kind == "xlsx":
        return xlsx_file(rows)
    if kind == "xls":
        return xls_file(rows)
    return csv_file(rows, kind.removeprefix("csv:"))


#: Mostly well-formed (the simplest first: an .xlsx).
FORMATS = st.integers(0, 4).flatmap(lambda i: st.sampled_from(WELL_FORMED if i < 4 else MISENCODED))


def decorated(header: str) -> st.SearchStrategy[str]:
    """A header as clerks write it: starred, spaced."""
    return st.sampled_from(
        [header, f"*{header}", f"{header}*", f" {header} ", " ".join(header), f"\u3000{header}"]
    )


@st.composite
def ledger_rows(draw: st.DrawFn) -> list[list[object]]:
    """A ledger sheet: title rows, a header row of aliases in any order, data rows of which
    none, some or many cells are junk."""
    ledger: Ledger = draw(st.sampled_from(list(LEDGERS.values())))
    fields = [f for f in ledger.fields if f.required or draw(st.booleans())]
    if draw(st.integers(0, 9)) == 9:  # a required column missing
        fields.remove(draw(st.sampled_from([f for f in fields if f.required])))
    fields = draw(st.permutations(fields))
    header: list[object] = [draw(decorated(draw(st.sampled_from(f.headers)))) for f in fields]
    extra = draw(st.lists(st.sampled_from(["序号", "备注", "", "编号", "信访件编号"]), max_size=2))
    header += extra
    titles = draw(
        st.lists(
            st.lists(st.sampled_from([f"孟州市{ledger.title}", "示例数据", None, "单位：人"]),
                     max_size=3),
            max_size=2,
        )
    )  # fmt: skip
    resolved = "resolved_on" in {f.name for f in fields}
    mess = draw(st.sampled_from([0, 0, 3, 30]))  # per cent of junk cells
    body = []
    for i in range(draw(st.integers(0, 5))):
        day = draw(st.dates(date(1985, 1, 1), RECEIVED.date()))
        body.append(
            [draw(bad(f) if draw(st.integers(0, 99)) < mess else good(ledger, f, i, day, resolved))
             for f in fields] + [draw(junk()) for _ in extra]
        )  # fmt: skip
    if body and draw(st.booleans()):
        body.append(["合计", None, len(body)])
    blank = [[] for _ in range(draw(st.sampled_from([0, 0, 1, 27])))]  # 30 rows are searched
    indent = [None] * draw(st.sampled_from([0, 0, 1, 200]))  # empty columns on the left
    return [indent + row for row in [*blank, *titles, header, *body]]


def file_name(kind: str) -> str:
    return f"台账.{kind.split(':')[0]}"


@st.composite
def ledger_files(draw: st.DrawFn) -> Upload:
    kind = draw(FORMATS)
    return Upload(file_name(kind), render(draw(ledger_rows()), kind))


def _rezip(content: bytes, member: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, data if info.filename == member else src.read(info))
    return out.getvalue()


@st.composite
def damaged_files(draw: st.DrawFn) -> Upload:
    """A ledger cut short, overwritten in places, or with one workbook part mangled."""
    name, content = draw(ledger_files())
    how = draw(st.sampled_from(["cut", "overwrite", "part"]))
    if how == "part" and content.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            member = draw(st.sampled_from(sorted(zf.namelist())))
            part = zf.read(member)
        cut = draw(st.integers(0, len(part)))
        return Upload(name, _rezip(content, member, part[:cut] + draw(st.binary(max_size=16))))
    if how == "overwrite":
        at = draw(st.integers(0, len(content) - 1))
        patch = draw(st.binary(min_size=1, max_size=64))
        return Upload(name, content[:at] + patch + content[at + len(patch) :])
    return Upload(name, content[: draw(st.integers(1, len(content) - 1))])


MAGIC = [b"", b"PK\x03\x04", b"PK\x05\x06", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\xef\xbb\xbf"]


@st.composite
def random_files(draw: st.DrawFn) -> Upload:
    """Bytes of any kind posing as a ledger, under any (possible) file name."""
    odd_names = st.one_of(
        st.sampled_from(["a", " ", "..x", ".hidden", "名\u202e称", "x\x1b"]),
        st.text(st.characters(codec="utf-8", exclude_characters="/\x00"), min_size=1, max_size=40),
        # a name that is not UTF-8 (GBK from a Windows zip): undecodable bytes as surrogates
        st.binary(min_size=1, max_size=60).map(
            lambda b: os.fsdecode(b.replace(b"/", b"_").replace(b"\0", b"_"))
        ),
    )
    odd = draw(st.booleans())  # half the time, only the bytes are odd
    name = draw(odd_names) if odd else "台账"
    suffix = draw(st.sampled_from([".xlsx", ".xls", ".csv", ".XLSX", ".Csv", ".txt", ""]))
    if name + suffix in (".", ".."):
        suffix = ".csv"
    content = draw(st.sampled_from(MAGIC)) + draw(st.binary(max_size=2048))
    return Upload(name + suffix, content)


# ---------------------------------------------------------------------------------------------
# The property
# ---------------------------------------------------------------------------------------------

KNOWN_RULES = set(ingest_messages.RULES) | set(gate_rules.RULES)
CHINESE = re.compile(r"[\u4e00-\u9fff]")
HEX64 = re.compile(r"[0-9a-f]{64}")


@pytest.fixture(scope="module")
def inbox(tmp_path_factory):
    return settings_at(tmp_path_factory.mktemp("fuzz"))


def parsed(s, upload: Upload) -> ParsedSubmission:
    """The file parsed (never raising, or the test fails); its staged rows checked."""
    folder = s.inbox / MENGZHOU
    shutil.rmtree(folder, ignore_errors=True)
    path = drop(s, MENGZHOU, upload.name, upload.content)
    result = parse(candidate(path), s)
    assert result.submission_id == f"{MENGZHOU}-{result.sha256[:16]}"
    # it travels as UTF-8 JSON (to promote) and is stored as text: no unpaired surrogates
    assert ParsedSubmission.load(result.save(s.archive / "parsed.json")) == result
    for m in result.messages:
        assert m.rule in KNOWN_RULES, m
        assert m.severity in ("error", "warning"), m
        assert m.message.startswith("孟州市 ") and CHINESE.search(m.message[4:]), m
    if currently_in_test_context():  # for --hypothesis-show-statistics
        event(f"{result.outcome}: {result.messages[0].rule if result.messages else '-'}")
    if result.outcome == "rejected":
        assert result.error_count, result.messages  # a rejection always says why
        assert result.rows_path is None or not Path(result.rows_path).exists()
    elif result.ledger_kind:
        check_rows(result, LEDGERS[result.ledger_kind])
    shutil.rmtree(s.archive / "_staging", ignore_errors=True)
    return result


def check_rows(result: ParsedSubmission, ledger: Ledger) -> None:
    """The staged rows of a submission that is not rejected: the declared types and values."""
    table = pq.read_table(result.rows_path)
    assert table.schema == row_schema(ledger)
    assert table.num_rows == result.row_count
    received = result.received_at.date()
    columns = table.to_pydict()
    assert len(set(columns["source_row"])) == table.num_rows
    for f in ledger.fields:
        if not f.stored or f.column not in columns:
            continue
        values = columns[f.column]
        if f.required and f.name in result.columns:
            assert None not in values, f.name
        present = [v for v in values if v is not None]
        if f.name == ledger.key:
            assert len(set(present)) == len(present), f.name
        if f.kind == "pii_id":
            assert all(HEX64.fullmatch(v) for v in present)
        elif f.kind == "enum":
            assert set(present) <= set(f.canonical_values), f.name
        elif f.kind == "int":
            assert all(type(v) is int and v >= 1 for v in present), f.name
        elif f.kind == "money":
            assert all(isinstance(v, Decimal) and v >= 0 for v in present), f.name
        elif f.kind == "bool":
            assert all(type(v) is bool for v in present), f.name
        elif f.kind == "date":
            latest = date.max if f.name in DEADLINES else received
            assert all(type(v) is date and v <= latest for v in present), f.name
        else:
            assert all(isinstance(v, str) and v == v.strip() and v for v in present), f.name
    domains = set(CATEGORIES) | (set(RISK_DOMAINS) if ledger.kind == "risks" else set())
    assert {v for v in columns["category_l1"] if v is not None} <= domains


# ---------------------------------------------------------------------------------------------
# The tests
# ---------------------------------------------------------------------------------------------


PETITIONS_HEADER = [
    "信访件编号", "登记日期", "信访形式", "登记层级", "信访人数", "内容分类", "是否初次信访",
]  # fmt: skip
GOOD_ROW = ["XF-1", "2025-01-03", "来信", "县", 1, "城乡建设", "是"]
BACKLOG_HEADER = [
    "积案编号", "首次信访日期", "挂账日期", "内容分类", "包案领导级别", "化解状态", "办结时限",
]  # fmt: skip


@fuzz(45)
@given(kind=FORMATS, rows=ledger_rows())
@example(kind="xlsx", rows=[PETITIONS_HEADER, GOOD_ROW])
# dates the gate could not hold as datetime64[ns] (crashed it): years 1677 and 2263
@example(kind="xls", rows=[PETITIONS_HEADER, ["XF-1", "1677-01-01", *GOOD_ROW[2:]]])
@example(
    kind="csv:utf-8",
    rows=[
        BACKLOG_HEADER,
        ["JA-1", "2020-01-01", "2020-02-01", "教育", "县级", "未化解", "2263-01-01"],
    ],
)
def test_generated_ledgers(inbox, kind, rows):
    result = parsed(inbox, Upload(file_name(kind), render(rows, kind)))
    binary = kind.startswith("csv") and any("\x00" in cell_text(v) for r in rows for v in r)
    if kind in WELL_FORMED and not binary:  # a NUL makes a CSV binary
        assert not {m.rule for m in result.messages} & {"file.unreadable", "csv.encoding"}


def test_a_good_generated_ledger_is_accepted(inbox):
    """The property's checks see the rows (a guard against a generator that only makes junk)."""
    second = ["XF-2", 45660, "网信", "到市", "2人", "民政", "√"]
    result = parsed(inbox, Upload("台账.xlsx", xlsx_file([PETITIONS_HEADER, GOOD_ROW, second])))
    assert (result.outcome, result.row_count) == ("accepted", 2)


@fuzz(60)
@given(upload=damaged_files())
# a CSV cut inside its last character: pyarrow's invalid-row callback could not decode the row
@example(upload=Upload("台账.csv", csv_file([PETITIONS_HEADER, GOOD_ROW, ["啊"]], "utf-8")[:-3]))
def test_damaged_ledgers(inbox, upload):
    parsed(inbox, upload)


@fuzz(150)
@given(upload=random_files())
# a name that is not UTF-8 (台账 in GBK) could not be written to JSON or the warehouse
@example(upload=Upload(os.fsdecode("台账.xlsx".encode("gbk")), b"PK\x03\x04"))
def test_random_bytes(inbox, upload):
    assert parsed(inbox, upload).outcome == "rejected"
