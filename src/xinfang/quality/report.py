"""The clerk's report of a submission's problems, as ``.xlsx`` and ``.html`` beside the archive.

Ingestion archives a file as ``<archive>/<unit>/<sha256[:2]>/<sha256>.<ext>``; its report is
``<sha256>.rejection.xlsx`` / ``.html`` (rejected) or ``<sha256>.warnings.*`` (held, or passed
with warnings) in the same folder. One line per problem: the Excel row, the column header as
written, the value (personal data masked), the problem in the bureau's words, and how to fix it.
Takes ingestion's messages and the gate's alike (anything with the six message fields).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Protocol

import jinja2
import xlsxwriter

from xinfang.quality.rules import OUTCOME_ZH, SEVERITY_ZH, fix_for

HEADERS = ("序号", "行号", "列（表头）", "填写内容", "问题", "级别", "整改要求")


class MessageLike(Protocol):
    severity: str
    rule: str
    source_row: int | None
    column_header: str | None
    value: str | None
    message: str


def report_paths(archived: Path, outcome: str) -> tuple[Path, Path]:
    kind = "rejection" if outcome == "rejected" else "warnings"
    stem = archived.name.split(".", 1)[0]
    return archived.with_name(f"{stem}.{kind}.xlsx"), archived.with_name(f"{stem}.{kind}.html")


def _lines(messages: Sequence[MessageLike]) -> list[tuple[object, ...]]:
    ordered = sorted(messages, key=lambda m: (m.severity != "error", m.source_row or 0))
    return [
        (
            n,
            m.source_row or "",
            m.column_header or "",
            m.value or "",
            m.message,
            SEVERITY_ZH.get(m.severity, m.severity),
            fix_for(m.rule, m.column_header),
        )
        for n, m in enumerate(ordered, start=1)
    ]


def _title(unit_name: str, file_name: str, outcome: str) -> str:
    return f"{unit_name} {file_name} 台账质量检查结果：{OUTCOME_ZH.get(outcome, outcome)}"


def _summary(messages: Sequence[MessageLike], received_at: datetime) -> str:
    errors = sum(m.severity == "error" for m in messages)
    warnings = len(messages) - errors
    return (
        f"报送时间 {received_at:%Y-%m-%d %H:%M}；错误 {errors} 项（须更正后重新报送），"
        f"警告 {warnings} 项（请核实）。行号即 Excel 中的行号。"
    )


def write_clerk_report(
    messages: Sequence[MessageLike],
    archived: Path,
    *,
    unit_name: str,
    file_name: str,
    outcome: str,
    received_at: datetime,
) -> tuple[Path, Path]:
    """Write the ``.xlsx`` and ``.html`` report beside ``archived``; returns their paths."""
    xlsx_path, html_path = report_paths(archived, outcome)
    xlsx_path.parent.mkdir(parents=True, exist_ok=True)
    title, summary, lines = (
        _title(unit_name, file_name, outcome),
        _summary(messages, received_at),
        _lines(messages),
    )
    _write_xlsx(xlsx_path, title, summary, lines)
    html = _HTML.render(title=title, summary=summary, headers=HEADERS, lines=lines)
    html_path.write_text(html, encoding="utf-8")
    return xlsx_path, html_path


def _write_xlsx(path: Path, title: str, summary: str, lines: list[tuple[object, ...]]) -> None:
    book = xlsxwriter.Workbook(str(path))
    try:
        sheet = book.add_worksheet("问题清单")
        bold = book.add_format({"bold": True, "font_size": 14})
        head = book.add_format({"bold": True, "bg_color": "#DDDDDD", "border": 1})
        wrap = book.add_format({"text_wrap": True, "valign": "top", "border": 1})
        sheet.write(0, 0, title, bold)
        sheet.write(1, 0, summary)
        sheet.write_row(3, 0, HEADERS, head)
        for i, line in enumerate(lines, start=4):
            sheet.write_row(i, 0, line, wrap)
        for col, width in enumerate((6, 8, 16, 20, 60, 8, 40)):
            sheet.set_column(col, col, width)
        sheet.freeze_panes(4, 0)
    finally:
        book.close()


_HTML = jinja2.Environment(autoescape=True).from_string("""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{{ title }}</title>
<style>
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; margin: 2em; }
table { border-collapse: collapse; } td, th { border: 1px solid #999; padding: 4px 8px; }
th { background: #eee; } td { vertical-align: top; }
</style></head>
<body><h1>{{ title }}</h1><p>{{ summary }}</p>
<table><thead><tr>{% for h in headers %}<th>{{ h }}</th>{% endfor %}</tr></thead>
<tbody>{% for line in lines %}<tr>{% for cell in line %}<td>{{ cell }}</td>{% endfor %}</tr>
{% endfor %}</tbody></table></body></html>
""")
