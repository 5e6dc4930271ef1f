"""The bulletin's sentences, written from the figures the way bureaus write them.

"1—12月，全县共登记信访事项1325件次，同比上升6.08%。" Counts come from the windows, changes of
counts from the figures file's ``changes``, changes of rates in percentage points from the two
windows' rates. A zero base is said in words (无可比基数), never printed as a change.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from xinfang.bulletin import labels
from xinfang.bulletin.context import BulletinContext
from xinfang.bulletin.numbers import money, pct, points, rate_pct, relative_change, share
from xinfang.schema import CATEGORIES

SCOPE_SUFFIXES = ("县", "市", "区", "旗", "州", "盟", "省")
#: The windows each change of the figures file compares: (current, base).
CHANGE_WINDOWS = {
    "ytd_yoy_pct": ("ytd", "ytd_ly"),
    "month_yoy_pct": ("month", "month_ly"),
    "month_mom_pct": ("month", "prev_month"),
}


def scope(unit_name: str) -> str:
    """全县 / 全市 / 全区 / 全旗 … from the unit name's suffix."""
    if unit_name.endswith("地区"):
        return "全地区"
    last = unit_name[-1:]
    return f"全{last}" if last in SCOPE_SUFFIXES else "全县"


def ytd_label(month: int) -> str:
    return "1月" if month == 1 else f"1—{month}月"


def change(value: float | Decimal | None, current: float, base: float, word: str = "同比") -> str:
    """同比上升6.08% / 同比下降3.1% / 同比持平 / 同比无可比基数."""
    if value is None:
        return f"{word}持平" if current == base == 0 else f"{word}无可比基数"
    if value == 0:
        return f"{word}持平"
    direction = "上升" if value > 0 else "下降"
    return f"{word}{direction}{pct(abs(value))}"


def point_change(current: float | None, base: float | None, word: str = "同比") -> str:
    """同比提高1.2个百分点 / 同比下降0.5个百分点 / 同比持平 / 同比无可比数据."""
    diff = points(current, base)
    if diff is None:
        return f"{word}无可比数据"
    if diff == 0:
        return f"{word}持平"
    direction = "提高" if diff > 0 else "下降"
    return f"{word}{direction}{pct(abs(diff)).removesuffix('%')}个百分点"


def enumerate_cn(parts: Iterable[str]) -> str:
    return "、".join(parts)


class Writer:
    """Writes each section's paragraphs for one context."""

    def __init__(self, ctx: BulletinContext) -> None:
        self.ctx = ctx
        self.scope = scope(ctx.unit_name)
        self.ytd_label = ytd_label(ctx.month)
        self.month_label = f"{ctx.month}月份"
        self.as_of = f"截至{ctx.month}月底"
        self.w = ctx.windows

    # -- building blocks ---------------------------------------------------------------------

    def n(self, key: str, window: str = "ytd") -> int:
        return int(self.w[window][key])

    def rate(self, key: str, window: str = "ytd") -> str:
        return rate_pct(self.w[window][key])

    def changed(self, change_id: str, key: str) -> float | Decimal | None:
        """A count's change as the figures file gives it (or by its formula, if it has none)."""
        given = self.ctx.changes.get(change_id, {})
        if key in given:
            return given[key]
        current, base = CHANGE_WINDOWS[change_id]
        return relative_change(self.w[current][key], self.w[base][key])

    def yoy(self, key: str) -> str:
        """Year-to-date 同比 of a count."""
        return change(self.changed("ytd_yoy_pct", key), self.w["ytd"][key], self.w["ytd_ly"][key])

    def month_yoy(self, key: str) -> str:
        value = self.changed("month_yoy_pct", key)
        return change(value, self.w["month"][key], self.w["month_ly"][key])

    def month_mom(self, key: str) -> str:
        value = self.changed("month_mom_pct", key)
        return change(value, self.w["month"][key], self.w["prev_month"][key], word="环比")

    def rate_yoy(self, key: str, window: str = "ytd") -> str:
        base = "ytd_ly" if window == "ytd" else "month_ly"
        return point_change(self.w[window][key]["pct"], self.w[base][key]["pct"])

    def share_of(self, key: str, total_key: str, window: str = "ytd") -> str:
        value = share(self.n(key, window), self.n(total_key, window))
        return "—" if value is None else pct(value)

    def nonzero(self, prefix: str, names: Iterable[str], unit: str, window: str = "ytd") -> str:
        return enumerate_cn(
            f"{name}{self.n(f'{prefix}{name}', window)}{unit}"
            for name in names
            if self.n(f"{prefix}{name}", window)
        )

    # -- sections ----------------------------------------------------------------------------

    def no_data(self) -> list[str]:
        c = self.ctx
        return [
            f"截至{c.month_end.year}年{c.month_end.month}月{c.month_end.day}日，{c.unit_name}"
            f"未报送{c.year}年{c.month}月信访工作台账，或报送的台账均未通过数据质量校验。"
            "本期月报不作数据统计和分析，待台账补报并通过校验后另行印发。",
            "报送文件及校验情况见附件。" if c.quality else "本月未收到该单位的报送文件。",
        ]

    def coverage(self) -> str | None:
        """For a roll-up: how many member units' accepted ledgers cover the month."""
        coverage = self.ctx.figures.get("coverage", {}).get("month", {}).get("petitions")
        if self.ctx.figures["unit"]["level"] == "county" or not coverage:
            return None
        total, reporting = coverage["units_total"], coverage["units_reporting"]
        if reporting >= total:
            return f"本期数据涵盖全部{total}个下辖单位。"
        return (
            f"本期{total}个下辖单位中{reporting}个单位的信访事项台账覆盖本月，"
            f"其余{total - reporting}个单位未报送或未通过校验，相关数据未计入。"
        )

    def overview(self) -> list[str]:
        total = self.n("items_total")
        first = (
            f"{self.ytd_label}，{self.scope}共登记信访事项{total}件次，{self.yoy('items_total')}"
        )
        if self.ctx.month == 1:
            first += f"，{self.month_mom('items_total')}"
        paragraphs = [first + "。"]
        if total:
            paragraphs[0] += (
                f"其中，来信{self.n('items.来信')}件次，"
                f"占{self.share_of('items.来信', 'items_total')}；"
                f"走访{self.n('items.走访')}批次{self.n('visits.persons')}人次，"
                f"占{self.share_of('items.走访', 'items_total')}；"
                f"网上信访{self.n('items.网上信访')}件次，占{self.rate('online_share')}，"
                f"{self.yoy('items.网上信访')}；"
                f"电话{self.n('items.电话')}件次，"
                f"占{self.share_of('items.电话', 'items_total')}。"
                f"在县登记信访事项占{self.rate('grassroots_absorption_rate')}，"
                f"{self.rate_yoy('grassroots_absorption_rate')}。"
                f"初次信访{total - self.n('repeat_items')}件次，"
                f"重复信访{self.n('repeat_items')}件次，"
                f"重复信访率{self.rate('repeat_rate')}，{self.rate_yoy('repeat_rate')}。"
            )
        if self.ctx.month > 1:
            paragraphs.append(
                f"{self.month_label}，{self.scope}登记信访事项"
                f"{self.n('items_total', 'month')}件次，"
                f"{self.month_yoy('items_total')}，{self.month_mom('items_total')}。"
            )
        paragraphs.append(
            f"{self.ytd_label}，信访事项及时受理率{self.rate('timely_acceptance_rate')}，"
            f"按期办结率{self.rate('on_time_conclusion_rate')}，"
            f"群众参评率{self.rate('participation_rate')}、满意率{self.rate('satisfaction_rate')}，"
            f"初信初访化解率{self.rate('first_resolution_rate')}。"
        )
        note = self.coverage()
        return [*paragraphs, note] if note else paragraphs

    def visits(self) -> list[str]:
        batches = self.n("visits.batches")
        head = (
            f"{self.ytd_label}，{self.scope}群众走访{batches}批次{self.n('visits.persons')}人次，"
            f"批次{self.yoy('visits.batches')}，人次{self.yoy('visits.persons')}。"
        )
        if not batches:
            return [head]
        levels = enumerate_cn(
            f"{labels.LEVEL_NAMES[lv]}走访{self.n(f'visits.{lv}.batches')}批次"
            f"{self.n(f'visits.{lv}.persons')}人次"
            for lv in labels.LEVELS
        )
        pyramid = (
            "四级走访批次自下而上逐级递减，呈“正金字塔”结构。"
            if self.w["ytd"]["pyramid_ok"]
            else "四级走访未呈“正金字塔”结构，越级走访较为突出，需引起重视。"
        )
        paragraphs = [
            head + f"从走访层级看，{levels}，在县走访批次占"
            f"{self.share_of('visits.县.batches', 'visits.batches')}。{pyramid}",
            f"从走访规模看，个访{self.n('visits.individual.batches')}批次"
            f"{self.n('visits.individual.persons')}人次；集体访"
            f"{self.n('visits.collective.batches')}批次{self.n('visits.collective.persons')}人次，"
            f"集体访批次{self.yoy('visits.collective.batches')}。",
        ]
        receptions = self.n("leader_receptions.batches")
        if receptions:
            by_level = enumerate_cn(
                f"{lv}领导接访{self.n(f'leader_receptions.{lv}.batches')}批次"
                for lv in labels.LEADER_LEVELS
            )
            paragraphs.append(
                f"各级领导共接待来访群众{receptions}批次"
                f"{self.n('leader_receptions.persons')}人次，其中{by_level}。"
            )
        else:
            paragraphs.append(f"{self.ytd_label}，无领导接访记录。")
        if self.ctx.month > 1:
            paragraphs.append(
                f"{self.month_label}，{self.scope}群众走访{self.n('visits.batches', 'month')}批次"
                f"{self.n('visits.persons', 'month')}人次，批次{self.month_yoy('visits.batches')}，"
                f"{self.month_mom('visits.batches')}。"
            )
        return paragraphs

    def core(self) -> list[str]:
        grades: dict[str, list[str]] = {"green": [], "yellow": [], "red": [], "none": []}
        for key, name in labels.CORE_RATES.items():
            grades[labels.band(self.w["ytd"][key]["pct"])].append(name)
        graded = len(labels.CORE_RATES) - len(grades["none"])
        text = (
            f"{self.ytd_label}，{graded}项有统计基数的核心指标中，{len(grades['green'])}项达到90%"
            f"以上，{len(grades['yellow'])}项在85%至90%之间，{len(grades['red'])}项低于85%"
        )
        text += f"（{enumerate_cn(grades['red'])}），需重点关注。" if grades["red"] else "。"
        if grades["none"]:
            text += f"{enumerate_cn(grades['none'])}本期无统计基数。"
        return [text]

    def risks(self) -> list[str]:
        paragraphs = [
            f"{self.ytd_label}，{self.scope}共排查矛盾纠纷隐患{self.n('risks_found')}件，"
            f"{self.yoy('risks_found')}；已化解{self.n('risks_resolved')}件，化解率"
            f"{self.rate('risk_resolution_rate')}，{self.rate_yoy('risk_resolution_rate')}。"
        ]
        if self.ctx.month > 1:
            paragraphs[0] += (
                f"{self.month_label}，新排查隐患{self.n('risks_found', 'month')}件，"
                f"化解{self.n('risks_resolved', 'month')}件。"
            )
        open_now = self.n("risks_open")
        if open_now:
            by_level = enumerate_cn(
                f"{lv}风险{self.n(f'risks_open.{lv}')}件" for lv in labels.RISK_LEVELS
            )
            paragraphs.append(
                f"{self.as_of}，尚有{open_now}件隐患未化解，其中{by_level}，"
                f"逾期未化解{self.n('risks_open_overdue')}件；涉及重点人员"
                f"{self.n('key_subjects.重点人员')}件、重点群体{self.n('key_subjects.重点群体')}件，"
                f"存在进京风险{self.n('escalation_open.进京')}件、赴省风险"
                f"{self.n('escalation_open.赴省')}件。"
            )
        else:
            paragraphs.append(f"{self.as_of}，排查出的矛盾纠纷隐患已全部化解。")
        return paragraphs

    def backlog(self) -> list[str]:
        paragraphs = [
            f"{self.ytd_label}，{self.scope}在账信访积案{self.n('backlog_listed')}件，"
            f"已化解{self.n('backlog_resolved')}件，化解率{self.rate('backlog_resolution_rate')}，"
            f"{self.rate_yoy('backlog_resolution_rate')}；依法终结{self.n('backlog_terminated')}件；"
            f"逾期未化解{self.n('backlog_open_overdue')}件。"
        ]
        if self.n("backlog_aged.10y.listed"):
            paragraphs.append(
                f"其中，十年以上积案{self.n('backlog_aged.10y.listed')}件、已化解"
                f"{self.n('backlog_aged.10y.resolved')}件，十五年以上积案"
                f"{self.n('backlog_aged.15y.listed')}件、已化解{self.n('backlog_aged.15y.resolved')}件。"
            )
        cases = self.n("relief.cases")
        if cases:
            paragraphs.append(
                f"对{cases}件化解积案实施救助，使用信访专项资金"
                f"{money(self.w['ytd']['relief.fund'])}、慈善救助金"
                f"{money(self.w['ytd']['relief.charity'])}。"
            )
        return paragraphs

    def top_classes(self, limit: int = 5) -> list[tuple[str, int]]:
        """The most-reported first-level classes of the year so far, ties in class order."""
        counts = [(name, self.n(f"categories.{name}")) for name in CATEGORIES]
        ranked = sorted((c for c in counts if c[1]), key=lambda c: -c[1])
        return ranked[:limit]

    def classes(self) -> list[str]:
        top = self.top_classes()
        if not top:
            return [f"{self.ytd_label}，{self.scope}未登记信访事项。"]
        listed = enumerate_cn(
            f"{name}（{count}件次，占{self.share_of(f'categories.{name}', 'items_total')}，"
            f"{self.yoy(f'categories.{name}')}）"
            for name, count in top
        )
        together = share(sum(c for _, c in top), self.n("items_total"))
        rank = "前五位" if len(top) == 5 else f"前{len(top)}位"
        return [
            f"从反映的问题看，{self.ytd_label}排名{rank}的依次为：{listed}，"
            f"合计占信访事项总量的{pct(together or Decimal(0))}。"
        ]

    def sensitive(self, periods: list[str]) -> list[str]:
        ytd = (
            f"{self.ytd_label}敏感节点期间累计赴省进京走访{self.n('sensitive_upward_visits')}批次，"
            f"{self.yoy('sensitive_upward_visits')}。"
        )
        if not periods:
            return [f"{self.month_label}无重大敏感节点。{ytd}"]
        return [
            f"{self.month_label}适逢{enumerate_cn(periods)}等敏感节点，节点期间赴省进京走访"
            f"{self.n('sensitive_upward_visits', 'month')}批次；{ytd}"
        ]

    def overdue(self) -> list[tuple[str, str, int]]:
        """Overdue warnings at the month's end (四应四不, hazards, cases): (what, detail, count)."""
        return [
            (
                "应受理而不受理",
                "登记超过15日仍未告知受理的信访事项",
                self.n("should_accept_not_accepted"),
            ),
            (
                "应办理而不办理",
                "超过办理期限仍未办结的信访事项",
                self.n("should_handle_not_handled"),
            ),
            ("隐患逾期未化解", "超过化解时限仍未化解的矛盾纠纷隐患", self.n("risks_open_overdue")),
            ("积案逾期未化解", "超过办结时限仍未化解的信访积案", self.n("backlog_open_overdue")),
        ]

    def overdue_summary(self) -> str:
        if any(count for _, _, count in self.overdue()):
            return f"{self.as_of}，存在以下超期问题，请相关责任单位限期整改："
        return f"{self.as_of}，未发现应受理而不受理、应办理而不办理及隐患、积案逾期未化解问题。"

    def assigned(self) -> list[str]:
        total = sum(self.n(f"assigned.{s}") for s in labels.ASSIGNERS)
        if not total:
            return [f"{self.ytd_label}，无上级交办信访事项。"]
        sources = self.nonzero("assigned.", labels.ASSIGNERS, "件")
        findings = enumerate_cn(f"{f}{self.n(f'findings.{f}')}件" for f in labels.FINDINGS)
        completion = self.w["ytd"]["assigned_completion_rate"]
        return [
            f"{self.ytd_label}，上级交办信访事项{total}件（{sources}），已办结{completion['num']}件，"
            f"办结率{rate_pct(completion)}；经核查，{findings}。"
        ]

    def enforcement(self) -> list[str]:
        total = sum(self.n(f"enforcement.{m}") for m in labels.ENFORCEMENT)
        if not total:
            return [f"{self.ytd_label}，未发生需依法处置的违法信访行为。"]
        return [
            f"{self.ytd_label}，依法处置信访活动中的违法行为{total}件，其中"
            f"{self.nonzero('enforcement.', labels.ENFORCEMENT, '件')}。"
        ]
