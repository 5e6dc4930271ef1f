"""What the bulletin calls each figure, which rates it grades, and the grading bands."""

from __future__ import annotations

from decimal import Decimal

from xinfang.bulletin.numbers import to_decimal

CHANNELS: tuple[str, ...] = ("来信", "走访", "网上信访", "电话")
LEVELS: tuple[str, ...] = ("国家", "省", "市", "县")
LEVEL_NAMES: dict[str, str] = {"国家": "进京", "省": "赴省", "市": "到市", "县": "在县"}
LEADER_LEVELS: tuple[str, ...] = ("市级", "县级", "乡科级")
RISK_LEVELS: tuple[str, ...] = ("高", "中", "低")
BACKLOG_LEADERS: tuple[str, ...] = ("省级", "市级", "县级")
ASSIGNERS: tuple[str, ...] = ("中央巡视", "省委巡视", "国家信访局", "省信访局", "市信访局")
FINDINGS: tuple[str, ...] = ("属实", "部分属实", "不属实")
ENFORCEMENT: tuple[str, ...] = ("刑事强制措施", "行政拘留", "警告", "罚款", "批评教育")

#: The graded rates of 三、核心指标, in the order bureaus list them.
CORE_RATES: dict[str, str] = {
    "timely_acceptance_rate": "及时受理率",
    "on_time_conclusion_rate": "按期办结率",
    "participation_rate": "参评率",
    "satisfaction_rate": "群众满意率",
    "first_resolution_rate": "初信初访化解率",
    "one_time_resolution_rate": "一次性化解率",
    "mediation_agreement_rate": "调解协议达成率",
    "assigned_completion_rate": "交办件办结率",
    "risk_resolution_rate": "矛盾纠纷化解率",
    "backlog_resolution_rate": "信访积案化解率",
}

#: The rates a prefecture bulletin ranks its counties on.
RANKED_RATES: tuple[str, ...] = (
    "timely_acceptance_rate",
    "on_time_conclusion_rate",
    "satisfaction_rate",
    "first_resolution_rate",
    "one_time_resolution_rate",
)

GREEN_FROM = Decimal(90)
YELLOW_FROM = Decimal(85)

BAND_NAMES: dict[str, str] = {"green": "良好", "yellow": "预警", "red": "落后", "none": "无基数"}


def band(pct: float | None) -> str:
    """red below 85 %, yellow from 85 to below 90 %, green from 90 %; ``none`` without a base."""
    if pct is None:
        return "none"
    value = to_decimal(pct)
    if value >= GREEN_FROM:
        return "green"
    return "yellow" if value >= YELLOW_FROM else "red"
