"""The child process of :func:`xinfang.ingest.excel.excel_sheets` for one ``.xls``: the
workbook's bytes on stdin, its sheets (name, Arrow table) pickled on stdout; exit 2 with
calamine's message when it cannot read the file."""

from __future__ import annotations

import pickle
import sys

from xinfang.ingest.excel import Unreadable, read_sheets


def main() -> int:
    try:
        sheets = [(s.name, s.table) for s in read_sheets(sys.stdin.buffer.read())]
    except Unreadable as error:
        print(error, file=sys.stderr)
        return 2
    sys.stdout.buffer.write(pickle.dumps(sheets))
    return 0


if __name__ == "__main__":
    sys.exit(main())
