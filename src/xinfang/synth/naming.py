"""What a county calls its files and writes above the header."""

from __future__ import annotations

from datetime import date

from xinfang.reference import Unit
from xinfang.schema import LEDGERS
from xinfang.synth.calendar import Window

SAMPLE_MARK = "（示例数据）"
EXTENSIONS = {"xlsx": ".xlsx", "xls": ".xls", "csv": ".csv"}
#: File-name patterns; each unit keeps one. ``{u}`` unit, ``{t}`` ledger title, the rest the date.
NAME_PATTERNS = (
    "{u}{t}{y}.{m:02d}.{d:02d}",
    "{u}{t}（{y}年{m}月{d}日）",
    "{t}_{u}_{y}{m:02d}{d:02d}",
    "{y}{m:02d}{d:02d}{u}{t}",
    "{u}{t}（截至{m}月{d}日）",
    "{u}{t}-{y}-{m:02d}-{d:02d}",
)


def file_name(pattern: int, unit: Unit, kind: str, night: date, fmt: str, suffix: str = "") -> str:
    """E.g. ``孟州市信访事项登记台账2026.10.31.xlsx``; ``suffix`` as in ``（最终版）``."""
    stem = NAME_PATTERNS[pattern].format(
        u=unit.name, t=LEDGERS[kind].title, y=night.year, m=night.month, d=night.day
    )
    return stem + suffix + EXTENSIONS[fmt]


def titles(unit_name: str, kind: str, window: Window, night: date, two: bool) -> list[str]:
    """The title row (always marked as sample data) and, for ``two``, the 填报单位 row."""
    title = f"{unit_name}{LEDGERS[kind].title}（{window.months_label}）{SAMPLE_MARK}"
    if not two:
        return [title]
    return [
        title,
        f"填报单位：{unit_name}信访局　　　　填报日期：{night.year}年{night.month}月{night.day}日",
    ]
