"""``xinfang audit`` and ``xinfang accept``.

``xinfang audit --unit 孟州市 --date 2025-12-03`` (or ``--unit 410883``, or ``--submission ID``)
prints, for each matching submission, every check with pass/fail and the failing rows;
``--docs`` also rebuilds the Data Docs site. ``xinfang accept <submission_id> --reason "..."``
promotes a held submission (or acknowledges a warned one), recording who, when and why; a
submission with errors is refused.
"""

from __future__ import annotations

import argparse
import getpass
import sys
import unicodedata
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from xinfang.config import Settings
from xinfang.quality.rules import OUTCOME_ZH, SEVERITY_ZH, SHANGHAI
from xinfang.schema import LEDGERS

if TYPE_CHECKING:
    import duckdb

    from xinfang.quality.trail import SubmissionTrail


def add_audit_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--unit", help="unit name or code, e.g. 孟州市 or 410883 (孟州市|410883)")
    parser.add_argument("--date", type=date.fromisoformat, help="day received (YYYY-MM-DD)")
    parser.add_argument("--submission", help="a submission id")
    parser.add_argument(
        "--docs", action="store_true", help="also rebuild the Data Docs site (every run)"
    )


def add_accept_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("submission_id")
    parser.add_argument("--reason", required=True, help="why the submission is accepted")
    parser.add_argument("--by", default=None, help="who accepts it (default: the login name)")


def run_audit(args: argparse.Namespace) -> int:
    from xinfang.quality import trail
    from xinfang.warehouse import connect
    from xinfang.warehouse_lock import warehouse_lock

    if not (args.unit or args.submission):
        print("请指定 --unit 或 --submission / give --unit or --submission", file=sys.stderr)
        return 2
    settings = Settings.from_env()
    if not settings.warehouse.exists():
        print(f"数据仓库不存在 / no warehouse at {settings.warehouse}", file=sys.stderr)
        return 1
    with warehouse_lock(settings.warehouse, exclusive=False):
        con = connect(settings.warehouse, read_only=True)
        try:
            found = trail.find(con, unit=args.unit, on=args.date, submission_id=args.submission)
            trails = [trail.load(con, s) for s in found]
            index = _docs(con) if args.docs else None
        except trail.UnitNotFound as e:
            print(e, file=sys.stderr)
            return 1
        finally:
            con.close()
    if not trails:
        print("没有符合条件的报送 / no matching submission")
        return 1
    for t in trails:
        print("\n".join(describe(t)))
        print()
    if index:
        print(f"Data Docs: {index}")
    return 0


def _docs(con: duckdb.DuckDBPyConnection) -> Path:
    from xinfang.quality.docs import build_data_docs

    return build_data_docs(con)


def run_accept(args: argparse.Namespace) -> int:
    from xinfang.quality.audit import CannotForce, accept
    from xinfang.warehouse import connect
    from xinfang.warehouse_lock import warehouse_lock

    settings = Settings.from_env()
    by = args.by or getpass.getuser()
    with warehouse_lock(settings.warehouse, exclusive=True):
        con = connect(settings.warehouse)
        try:
            done = accept(con, args.submission_id, by=by, reason=args.reason)
        except (CannotForce, LookupError, ValueError) as e:
            print(e, file=sys.stderr)
            return 1
        finally:
            con.close()
    print(
        f"报送 {done.submission_id}：{OUTCOME_ZH[done.outcome_before]} → "
        f"{OUTCOME_ZH[done.outcome_after]}；确认人 {done.accepted_by}，"
        f"时间 {done.accepted_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M}，理由：{done.reason}"
    )
    return 0


def describe(t: SubmissionTrail) -> list[str]:
    """The audit of one submission as lines of text: checks, then failing rows."""
    from xinfang.reference import units

    unit = units().get(t.unit_code)
    lines = [
        f"{unit.name if unit else t.unit_code}（{t.unit_code}） {t.file_name}  "
        f"{LEDGERS[t.ledger_kind].title}",
        f"  报送编号 {t.submission_id}  收到 {t.received_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M}"
        f"  SHA-256 {t.sha256}",
        f"  结论 {OUTCOME_ZH.get(t.outcome, t.outcome)}"
        + (
            f"（检查时：{OUTCOME_ZH[t.recorded_outcome]}）"
            if t.outcome != t.recorded_outcome
            else ""
        ),
    ]
    for r in t.runs:
        lines.append(
            f"  检查套件 {r.suite_name}  套件文件 SHA-256 {r.suite_sha256[:16]}  "
            f"GX {r.gx_version}  运行 {r.started_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M:%S}  "
            f"{'全部通过' if r.success else '有未通过项'}"
        )
        rows = [("结果", "级别", "规则", "检查", "列", "不符")]
        rows += [
            (
                _result(c.success, c.evaluated),
                SEVERITY_ZH[c.severity] + ("·暂缓" if c.hold else ""),
                c.rule,
                c.expectation_type,
                c.column or "",
                _count(c.unexpected_count, c.source_rows),
            )
            for c in t.checks
            if c.suite_name == r.suite_name
        ]
        lines += ["    " + line for line in _table(rows)]
    if t.failures:
        lines.append(f"  未通过的行（{len(t.failures)} 条）：")
        lines += [f"    [{SEVERITY_ZH[f.severity]}] {f.rule}  {f.message}" for f in t.failures]
    for a in t.acceptances:
        lines.append(
            f"  审核确认 {a.accepted_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M} {a.accepted_by}："
            f"{a.reason}（{OUTCOME_ZH[a.outcome_before]} → {OUTCOME_ZH[a.outcome_after]}）"
        )
    return lines


def _result(success: bool, evaluated: bool) -> str:
    return "通过" if success else ("未通过" if evaluated else "未执行")


def _count(n: int, rows: Sequence[int]) -> str:
    if not rows:
        return str(n)
    shown = "、".join(map(str, rows[:10])) + ("…" if len(rows) > 10 else "")
    return f"{n}（第 {shown} 行）"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _table(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(
            cell + " " * (w - _width(cell)) for cell, w in zip(r, widths, strict=True)
        ).rstrip()
        for r in rows
    ]
