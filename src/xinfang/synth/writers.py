"""Sheets → file bytes: .xlsx (xlsxwriter), legacy .xls (xlwt), .csv in a given encoding.

Byte-for-byte deterministic: the xlsx creation date is the file's as-of date, xlsxwriter dates
its zip entries 1980-01-01, and xlwt writes no time stamps.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import xlsxwriter
import xlwt

from xinfang.synth.render import Formula, Sheet


def csv_bytes(sheet: Sheet, encoding: str) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(sheet.rows)
    return buf.getvalue().encode(encoding)


def xlsx_bytes(sheets: list[Sheet], *, author: str, created: datetime) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    wb.set_properties({"author": author, "company": author, "created": created})
    title = wb.add_format({"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"})
    head = wb.add_format({"bold": True, "text_wrap": True, "align": "center", "border": 1})
    for sheet in sheets:
        ws = wb.add_worksheet(sheet.name)
        day = wb.add_format({"num_format": sheet.date_format})
        last_col = max(sheet.width - 1, 0)
        for r, row in enumerate(sheet.rows):
            if r in sheet.merged_rows:
                ws.merge_range(r, 0, r, last_col, row[0], title)
                continue
            fmt = head if r == sheet.header_row else None
            for c, v in enumerate(row):
                if v is None:
                    continue
                t = type(v)
                if t is str:
                    ws.write_string(r, c, v, fmt)
                elif t is int or t is float:
                    ws.write_number(r, c, v)
                elif t is date:
                    ws.write_datetime(r, c, v, day)
                elif t is Formula:
                    ws.write_formula(r, c, "=" + v.text, None, v.value)
                else:
                    raise TypeError(f"cannot write {t.__name__} to xlsx")
        if sheet.header_row is not None:
            ws.set_column(0, last_col, 12)
    wb.close()
    return buf.getvalue()


def xls_bytes(sheets: list[Sheet]) -> bytes:
    wb = xlwt.Workbook(encoding="utf-8")
    title = xlwt.easyxf("font: bold on, height 280; align: horiz center")
    for sheet in sheets:
        ws = wb.add_sheet(sheet.name, cell_overwrite_ok=True)
        day = xlwt.easyxf(num_format_str=sheet.date_format)
        last_col = max(sheet.width - 1, 0)
        for r, row in enumerate(sheet.rows):
            if r in sheet.merged_rows:
                ws.write_merge(r, r, 0, last_col, row[0], title)
                continue
            for c, v in enumerate(row):
                if v is None:
                    continue
                if type(v) is date:
                    ws.write(r, c, v, day)
                else:
                    ws.write(r, c, v)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def encode(
    sheets: list[Sheet], fmt: str, encoding: str | None, *, author: str, created: datetime
) -> bytes:
    """The file's bytes; a CSV holds the ledger sheet only (the last one with a header)."""
    if fmt == "xlsx":
        return xlsx_bytes(sheets, author=author, created=created)
    if fmt == "xls":
        return xls_bytes(sheets)
    ledger = next(s for s in sheets if s.header_row is not None)
    return csv_bytes(ledger, encoding or "utf-8")
