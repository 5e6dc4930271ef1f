"""Which cells of a workbook hold a formula (their cached values are what the readers return).

``.xlsx``: each sheet's XML part, streamed from the zip, scanned for ``<f>`` elements inside
``<sheetData>``. ``.xls``: the FORMULA records of each sheet in the BIFF workbook stream.
Either way the answer is, per sheet name, a set of (Excel row, 0-based column). The scan
inflates the whole sheet, so parsing runs it beside the reader (which releases the GIL).
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from typing import IO
from xml.etree import ElementTree

import olefile

from xinfang.ingest.containers import biff_records, workbook_stream

Cells = set[tuple[int, int]]

_CHUNK = 1 << 22
#: Bytes kept from the previous chunk: enough to hold the start of a cell cut by a chunk.
_CONTEXT = 1 << 16
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_CELL_START = (b"<c ", b":c ")
_CELL_REF = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_BOUNDSHEET, _FORMULA_RECORD, _EOF = 0x0085, 0x0006, 0x000A


def column_index(letters: str) -> int:
    """``A`` -> 0, ``Z`` -> 25, ``AA`` -> 26."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> the zip member holding its XML, through workbook.xml and its relations."""
    workbook = ElementTree.fromstring(zf.read("xl/workbook.xml"))
    rel_ids = {
        el.get("name", ""): el.get(_REL_ID)
        or next((v for k, v in el.attrib.items() if _local(k) == "id"), None)
        for el in workbook.iter()
        if _local(el.tag) == "sheet"
    }
    targets = {}
    for rel in ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels")).iter():
        if _local(rel.tag) == "Relationship":
            target = rel.get("Target", "")
            targets[rel.get("Id")] = (
                target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
            )
    members = set(zf.namelist())
    return {name: targets[rel] for name, rel in rel_ids.items() if targets.get(rel) in members}


def _formula_cells(region: bytes, found: Cells) -> None:
    for match in _FORMULA.finditer(region):
        start = max(region.rfind(token, 0, match.start()) for token in _CELL_START)
        ref = _CELL_REF.search(region, max(start, 0), match.start())
        if start >= 0 and ref:
            found.add((int(ref.group(2)), column_index(ref.group(1).decode())))


def _sheet_data_end(chunk: bytes) -> int:
    """Where ``</sheetData>`` (any prefix) starts in ``chunk``, or -1."""
    pos = chunk.find(b"sheetData>")
    while pos >= 0:
        tag = chunk.rfind(b"<", 0, pos)
        if tag >= 0 and chunk[tag + 1 : tag + 2] == b"/":
            return tag
        pos = chunk.find(b"sheetData>", pos + 1)
    return -1


def _scan(stream: IO[bytes]) -> Cells:
    """Formula cells of one sheet part. Chunks without ``<f`` are passed over (no copies); a
    chunk with one is scanned after the stream's preceding bytes (where its cell may begin)."""
    found: Cells = set()
    previous = b""
    while chunk := stream.read(_CHUNK):
        seam = previous[-16:] + chunk[:16]  # what a chunk boundary may cut
        end = _sheet_data_end(chunk)
        if end < 0 and _sheet_data_end(seam) >= 0:
            end = 0  # </sheetData> began in the previous chunk
        region = chunk if end < 0 else chunk[:end]
        if any(token in text for token in (b"<f", b":f") for text in (region, seam)):
            _formula_cells(previous + region, found)
        if end >= 0:
            break
        previous = chunk[-_CONTEXT:] if len(chunk) >= _CONTEXT else (previous + chunk)[-_CONTEXT:]
    return found


def xlsx_formula_cells(data: bytes) -> dict[str, Cells]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        parts = _sheet_parts(zf)
        found = {}
        for name, part in parts.items():
            with zf.open(part) as stream:
                found[name] = _scan(stream)
        return found


def _boundsheets(stream: bytes) -> dict[str, int]:
    """Sheet name -> offset of its substream, from the globals' BOUNDSHEET records (BIFF8)."""
    sheets = {}
    for _, kind, payload in biff_records(stream):
        if kind == _EOF:
            break
        if kind == _BOUNDSHEET and len(payload) >= 8:
            count, high_byte = payload[6], payload[7] & 1
            raw = payload[8 : 8 + count * (2 if high_byte else 1)]
            sheets[raw.decode("utf-16-le" if high_byte else "latin-1")] = int.from_bytes(
                payload[:4], "little"
            )
    return sheets


def xls_formula_cells(data: bytes) -> dict[str, Cells]:
    with olefile.OleFileIO(io.BytesIO(data)) as ole:
        stream = workbook_stream(ole) or b""
    found: dict[str, Cells] = {}
    for name, offset in _boundsheets(stream).items():
        cells = found[name] = set()
        for pos, kind, payload in biff_records(stream, offset):
            if kind == _EOF and pos > offset:
                break
            if kind == _FORMULA_RECORD and len(payload) >= 4:
                row = int.from_bytes(payload[:2], "little")
                cells.add((row + 1, int.from_bytes(payload[2:4], "little")))
    return found
