"""Ingestion throughput at a million rows, beside the readers it is built on.

    uv run python benchmarks/ingest_throughput.py [--rows 1000000] [--repeat 1]

For one petitions ledger of ``--rows`` rows (title row, header, realistic values: mixed date
forms, valid and invalid ID numbers, names and phones to drop), as CSV and as xlsx:

- CSV: DuckDB's own ``read_csv`` of the same UTF-8 bytes into a table of a new database file
  (what platform-facts measures), and the whole ingest path (discover, read, normalise,
  pseudonymise, archive, stage, load in one transaction).
- xlsx: the raw reader (fastexcel, every cell as text) on the same file, and the whole path.

Targets: the ingest path at least 0.5x DuckDB's rows/s for CSV and 0.5x the raw reader's for
xlsx. Inputs are cached under ``var/bench/`` (writing a million-row xlsx takes minutes).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import fastexcel
import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import xlsxwriter
from _common import read_csv_into

from xinfang.config import PROJECT_ROOT, Settings
from xinfang.ingest.run import ingest_inbox

BENCH = PROJECT_ROOT / "var" / "bench"
UNIT = "410883"  # 孟州市
RECEIVED = datetime(2026, 1, 5, 18, 0)
_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])


def _ids(rng: np.random.Generator, n: int) -> np.ndarray:
    """Valid 18-digit ID numbers of local residents (about one in twenty people repeats)."""
    born = np.datetime64("1950-01-01") + rng.integers(0, 50 * 365, n).astype("timedelta64[D]")
    body = np.char.add(
        np.char.add("410883", np.datetime_as_string(born).astype("U10")),
        np.char.zfill(rng.integers(0, 1000, n).astype("U3"), 3),
    )
    body = np.char.replace(body, "-", "")
    digits = np.frombuffer(body.astype("S17").tobytes(), np.uint8).reshape(n, 17) - 48
    check = np.array(list("10X98765432"))[(digits @ _WEIGHTS) % 11]
    return np.char.add(body, check)


def ledger(n: int, seed: int = 7) -> tuple[list[str], dict[str, np.ndarray]]:
    """Header and columns of an n-row petitions ledger with the usual variety."""
    rng = np.random.default_rng(seed)
    days = np.datetime64("2024-01-01") + rng.integers(0, 730, n).astype("timedelta64[D]")
    iso = np.datetime_as_string(days).astype("U10")
    slash = np.char.replace(np.char.replace(iso, "-0", "/"), "-", "/")
    people = _ids(rng, max(1, n * 19 // 20))
    ids = people[rng.integers(0, len(people), n)].astype(object)
    ids[rng.random(n) < 0.02] = "410883199913320000"  # a birth date that does not exist
    ids[rng.random(n) < 0.2] = ""

    def pick(values: list[str], p: list[float] | None = None) -> np.ndarray:
        return np.array(values, dtype=object)[rng.choice(len(values), n, p=p)]

    columns = {
        "信访件编号": np.char.add("XF", np.char.zfill(np.arange(n).astype("U8"), 8)),
        "登记日期": np.where(rng.random(n) < 0.8, iso, slash),
        "信访形式": pick(["来信", "走访", "来访", "网上信访", "网信", "电话"]),
        "登记层级": pick(["县", "市", "到市", "省", "国家"], [0.7, 0.15, 0.05, 0.07, 0.03]),
        "信访人数": np.where(rng.random(n) < 0.95, "1", rng.integers(2, 40, n).astype("U3")),
        "信访人姓名": pick(["张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆"]),
        "证件号码": ids,
        "联系电话": np.char.add("138", np.char.zfill(rng.integers(0, 10**8, n).astype("U8"), 8)),
        "问题属地": pick(["会昌街道", "大定街道", "河阳街道", "化工镇", "南庄镇", "城伯镇"]),
        "内容分类": pick(["城乡建设_住房保障", "农村农业_土地承包", "劳动社保_工资", "政法_诉讼",
                          "国土资源_征地", "卫生健康", "教育_学前教育"]),
        "信访目的": pick(["求决", "申诉", "意见建议", ""]),
        "是否初次信访": pick(["是", "否", "Y", "N"]),
        "交办来源": pick(["", "", "", "市信访局", "省信访局"]),
        "受理情况": pick(["受理", "待受理", "不予受理"]),
        "受理告知日期": iso,
        "责任单位": pick(["住建局", "人社局", "自然资源局", "公安局", "教育局"]),
        "延期": pick(["√", "", "", ""]),
        "办结日期": np.where(rng.random(n) < 0.6, iso, ""),
        "办理方式": pick(["直接办理", "调解", "导入法定途径", ""]),
        "是否化解": pick(["是", "否", ""]),
        "评价": pick(["满意", "基本满意", "不满意", "未评价", ""]),
    }  # fmt: skip
    return list(columns), columns


def write_csv(path: Path, header: list[str], columns: dict[str, np.ndarray]) -> None:
    table = pa.table({h: pa.array(columns[h].astype(str)) for h in header})
    title = "孟州市信访事项登记台账（2025年）" + "," * (len(header) - 1)
    buffer = pa.BufferOutputStream()
    pacsv.write_csv(table, buffer, pacsv.WriteOptions(include_header=False, quoting_style="none"))
    path.write_bytes(f"{title}\n{','.join(header)}\n".encode() + buffer.getvalue().to_pybytes())


def write_xlsx(path: Path, header: list[str], columns: dict[str, np.ndarray]) -> None:
    tmp = path.with_suffix(".tmp.xlsx")
    book = xlsxwriter.Workbook(str(tmp), {"constant_memory": True})
    sheet = book.add_worksheet("台账")
    sheet.write(0, 0, "孟州市信访事项登记台账（2025年）")
    sheet.write_row(1, 0, header)
    numeric = {"信访人数"}
    for r, row in enumerate(zip(*(columns[h].tolist() for h in header), strict=True), start=2):
        for c, (h, value) in enumerate(zip(header, row, strict=True)):
            if value != "":
                sheet.write_number(r, c, int(value)) if h in numeric else sheet.write_string(
                    r, c, value
                )
    book.close()
    tmp.replace(path)


def inputs(rows: int) -> tuple[Path, Path]:
    BENCH.mkdir(parents=True, exist_ok=True)
    csv_path, xlsx_path = BENCH / f"petitions_{rows}.csv", BENCH / f"petitions_{rows}.xlsx"
    if not csv_path.exists() or not xlsx_path.exists():
        header, columns = ledger(rows)
        if not csv_path.exists():
            write_csv(csv_path, header, columns)
        if not xlsx_path.exists():
            print(f"writing {xlsx_path} (once; minutes for a million rows) ...", flush=True)
            write_xlsx(xlsx_path, header, columns)
    return csv_path, xlsx_path


@dataclass(frozen=True)
class Timing:
    wall: float  # median seconds
    cpu: float  # median CPU seconds of this process, all threads (DuckDB's included)
    rows: int


def timed(fns: list[Callable[[], int]], repeat: int) -> list[Timing]:
    """Each function ``repeat`` times, in turns (so that they share whatever else the machine
    is doing): median wall and CPU seconds, and the rows each reported."""
    walls: list[list[float]] = [[] for _ in fns]
    cpus: list[list[float]] = [[] for _ in fns]
    rows = [0] * len(fns)
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            wall, cpu = time.perf_counter(), time.process_time()
            rows[i] = fn()
            walls[i].append(time.perf_counter() - wall)
            cpus[i].append(time.process_time() - cpu)
    return [
        Timing(statistics.median(w), statistics.median(c), n)
        for w, c, n in zip(walls, cpus, rows, strict=True)
    ]


def duckdb_read_csv(path: Path) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        con = duckdb.connect(str(Path(tmp) / "b.duckdb"))
        n = read_csv_into(con, "t", path, skip=1)
        con.close()
    return n


def fastexcel_read(path: Path) -> int:
    sheet = fastexcel.read_excel(path).load_sheet(0, header_row=None, dtypes="string")
    return sheet.to_arrow().num_rows - 2


def ingest(path: Path) -> int:
    with tempfile.TemporaryDirectory(dir=BENCH) as tmp:
        root = Path(tmp)
        inbox = root / "inbox" / UNIT
        inbox.mkdir(parents=True)
        target = inbox / path.name
        os.link(path, target)  # shares the cached file's inode (and so its new mtime)
        os.utime(target, (RECEIVED.timestamp(), RECEIVED.timestamp()))
        settings = Settings(root / "inbox", root / "w.duckdb", root / "archive", root / "reports")
        (result,) = ingest_inbox(settings, workers=1)
        if result.parsed is None or result.parsed.outcome != "accepted":
            raise SystemExit(f"benchmark file not accepted: {result}")
        return result.parsed.row_count


def report(label: str, base_name: str, base: Timing, ours: Timing) -> None:
    ratio = base.wall / ours.wall
    print(
        f"{label:<5} {base_name:<26} {base.rows / base.wall:>10,.0f} rows/s  "
        f"({base.wall:6.2f} s wall, {base.cpu:6.2f} s CPU)"
    )
    print(f"{'':<5} {'ingest (whole path)':<26} {ours.rows / ours.wall:>10,.0f} rows/s  "
          f"({ours.wall:6.2f} s wall, {ours.cpu:6.2f} s CPU)  = {ratio:.2f}x "
          f"(CPU {base.cpu / ours.cpu:.2f}x)  target >= 0.5x  "
          f"{'MET' if ratio >= 0.5 else 'MISSED'}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--only", choices=["csv", "xlsx"])
    args = parser.parse_args()
    os.environ.setdefault("XINFANG_PII_KEY", "benchmark-key")
    os.environ["XINFANG_MAX_FILE_MB"] = "2000"
    csv_path, xlsx_path = inputs(args.rows)
    ingest(inputs(1000)[0])  # a warm process (imports, reference data), as a nightly worker is
    print(f"{args.rows:,} rows x {len(ledger(1)[0])} columns; "
          f"csv {csv_path.stat().st_size / 2**20:.0f} MB, "
          f"xlsx {xlsx_path.stat().st_size / 2**20:.0f} MB; cores {os.cpu_count()}, "
          f"load {os.getloadavg()[0]:.1f}")  # fmt: skip
    for label, path, base, baseline in (
        ("csv", csv_path, "duckdb read_csv -> table", duckdb_read_csv),
        ("xlsx", xlsx_path, "fastexcel (all text)", fastexcel_read),
    ):
        if args.only not in (None, label):
            continue
        base_timing, ours = timed(
            [lambda p=path, b=baseline: b(p), lambda p=path: ingest(p)], args.repeat
        )
        if ours.rows != base_timing.rows:
            raise SystemExit(f"{label}: ingest loaded {ours.rows} rows, not {base_timing.rows}")
        report(label, base, base_timing, ours)
    print(f"load average (1, 5, 15 min): {os.getloadavg()}")


if __name__ == "__main__":
    main()
