"""The template's variables: a bulletin context turned into sentences, table rows and charts."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from xinfang import reference
from xinfang.bulletin import charts, labels
from xinfang.bulletin.context import (
    LEDGER_NAMES,
    OUTCOME_NAMES,
    SHANGHAI,
    BulletinContext,
    shift,
)
from xinfang.bulletin.numbers import pct, plain, points, rate_pct, share, signed
from xinfang.bulletin.prose import Writer


@dataclass(frozen=True)
class Cell:
    text: str
    band: str = ""  # green | yellow | red | none, for graded rates


#: What a roll-up calls the units it ranks.
MEMBERS = {"prefecture": "县（市、区）", "province": "市（州）"}


def cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def period_title(ctx: BulletinContext) -> str:
    return f"{ctx.year}年{ctx.month}月"


def document_title(ctx: BulletinContext) -> str:
    return f"{ctx.unit_name}信访工作月报（{period_title(ctx)}）第{ctx.number}期"


def _trend(ctx: BulletinContext) -> str:
    """The last 12 months; a month without accepted data is a gap, not a zero."""
    months = [shift(ctx.period, -k) for k in range(11, -1, -1)]
    windows = [*(ctx.trend.get(p) for p in months[:-1]), ctx.windows["month"]]
    return charts.trend(
        months,
        [None if w is None else int(w["items_total"]) for w in windows],
        [None if w is None else int(w["visits.batches"]) for w in windows],
    )


def _overview_rows(w: Writer) -> list[list[Cell]]:
    def row(name: str, key: str) -> list[Cell]:
        return [
            Cell(name),
            Cell(str(w.n(key, "month"))),
            Cell(signed(w.changed("month_yoy_pct", key))),
            Cell(signed(w.changed("month_mom_pct", key))),
            Cell(str(w.n(key))),
            Cell(signed(w.changed("ytd_yoy_pct", key))),
        ]

    rows = [row("信访事项（件次）", "items_total")]
    rows += [
        row(f"　{c}（{'批次' if c == '走访' else '件次'}）", f"items.{c}") for c in labels.CHANNELS
    ]
    rows += [row("走访人次", "visits.persons"), row("重复信访（件次）", "repeat_items")]
    return rows


def _visit_rows(w: Writer) -> list[list[Cell]]:
    def row(name: str, key: str) -> list[Cell]:
        return [
            Cell(name),
            Cell(str(w.n(f"{key}.batches"))),
            Cell(str(w.n(f"{key}.persons"))),
            Cell(signed(w.changed("ytd_yoy_pct", f"{key}.batches"))),
            Cell(str(w.n(f"{key}.batches", "month"))),
            Cell(str(w.n(f"{key}.persons", "month"))),
        ]

    rows = [row(f"{labels.LEVEL_NAMES[lv]}走访", f"visits.{lv}") for lv in labels.LEVELS]
    rows += [row("其中：个访", "visits.individual"), row("　　　集体访", "visits.collective")]
    rows.append(row("领导接访", "leader_receptions"))
    rows.append(row("合计", "visits"))
    return rows


def _core_rows(ctx: BulletinContext) -> list[list[Cell]]:
    ytd, ly, month = ctx.windows["ytd"], ctx.windows["ytd_ly"], ctx.windows["month"]
    rows = []
    for key, name in labels.CORE_RATES.items():
        rate = ytd[key]
        grade = labels.band(rate["pct"])
        rows.append(
            [
                Cell(name),
                Cell(f"{rate['num']}/{rate['den']}"),
                Cell(rate_pct(rate), grade),
                Cell(rate_pct(ly[key])),
                Cell(signed(points(rate["pct"], ly[key]["pct"]), "")),
                Cell(rate_pct(month[key]), labels.band(month[key]["pct"])),
                Cell(labels.BAND_NAMES[grade], grade),
            ]
        )
    return rows


def _risk_rows(w: Writer) -> list[list[Cell]]:
    def row(name: str, key: str) -> list[Cell]:
        return [Cell(name), *(Cell(str(w.n(key, win))) for win in ("month", "ytd", "ytd_ly"))]

    rate_row = [Cell("化解率")] + [
        Cell(w.rate("risk_resolution_rate", win)) for win in ("month", "ytd", "ytd_ly")
    ]
    return [row("排查隐患（件）", "risks_found"), row("已化解（件）", "risks_resolved"), rate_row]


def _backlog_rows(w: Writer) -> list[list[Cell]]:
    def row(name: str, listed: int, resolved: int) -> list[Cell]:
        ratio = share(resolved, listed)
        return [
            Cell(name),
            Cell(str(listed)),
            Cell(str(resolved)),
            Cell("—" if ratio is None else pct(ratio)),
        ]

    rows = [
        row(
            f"{lv}领导包案",
            w.n(f"backlog_by_leader.{lv}.listed"),
            w.n(f"backlog_by_leader.{lv}.resolved"),
        )
        for lv in labels.BACKLOG_LEADERS
    ]
    rows += [
        row(
            f"{years}年以上积案",
            w.n(f"backlog_aged.{years}y.listed"),
            w.n(f"backlog_aged.{years}y.resolved"),
        )
        for years in (10, 15)
    ]
    rows.append(row("合计", w.n("backlog_listed"), w.n("backlog_resolved")))
    return rows


def _class_rows(w: Writer) -> list[list[Cell]]:
    return [
        [
            Cell(str(rank)),
            Cell(name),
            Cell(str(count)),
            Cell(w.share_of(f"categories.{name}", "items_total")),
            Cell(signed(w.changed("ytd_yoy_pct", f"categories.{name}"))),
        ]
        for rank, (name, count) in enumerate(w.top_classes(), start=1)
    ]


def _sensitive_periods(ctx: BulletinContext) -> list[str]:
    first = ctx.month_end.replace(day=1)
    return [
        f"{p.name}（{p.starts_on.month}月{p.starts_on.day}日"
        + ("" if p.ends_on == p.starts_on else f"至{p.ends_on.month}月{p.ends_on.day}日")
        + "）"
        for p in reference.sensitive_periods()
        if p.starts_on <= ctx.month_end and p.ends_on >= first
    ]


def _ranks(values: list[float | None]) -> list[int | None]:
    """Competition ranking, highest first (1, 2, 2, 4); no rank without a base."""
    present = [v for v in values if v is not None]
    return [None if v is None else 1 + sum(1 for o in present if o > v) for v in values]


def _ranking(ctx: BulletinContext) -> list[list[Cell]]:
    counties = sorted(ctx.counties, key=lambda f: str(f["unit"]["code"]))
    columns = []
    for key in labels.RANKED_RATES:
        values = [c["windows"]["ytd"][key]["pct"] for c in counties]
        columns.append(list(zip(values, _ranks(values), strict=True)))
    rows = []
    for i, county in enumerate(counties):
        cells = [Cell(str(county["unit"]["name"]))]
        for column in columns:
            value, rank = column[i]
            text = "—" if value is None else f"{plain(value)}（{rank}）"
            cells.append(Cell(text, labels.band(value)))
        rows.append(cells)
    total = ctx.windows["ytd"]
    rows.append(
        [Cell(f"{ctx.unit_name}合计")]
        + [Cell(rate_pct(total[k]), labels.band(total[k]["pct"])) for k in labels.RANKED_RATES]
    )
    return rows


def _quality(ctx: BulletinContext) -> Iterator[dict[str, Any]]:
    for number, s in enumerate(ctx.quality, start=1):
        yield {
            "number": number,
            "ledger": LEDGER_NAMES.get(s.ledger, s.ledger),
            "file_name": f"{s.unit}：{s.file_name}" if s.unit else s.file_name,
            "received": s.received_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"),
            "age_days": s.age_days,
            "outcome": OUTCOME_NAMES.get(s.outcome, s.outcome),
            "rejected": s.outcome != "accepted",
            "warnings": s.warnings,
        }


def _not_used(ctx: BulletinContext) -> str:
    """The annex's files not used, e.g. "其中未通过校验1个、暂缓采用（待审核）1个，均未采用"."""
    rejected = sum(s.outcome == "rejected" for s in ctx.quality)
    held = sum(s.outcome == "held" for s in ctx.quality)
    parts = []
    if rejected:
        parts.append(f"未通过校验{rejected}个")
    if held:
        parts.append(f"暂缓采用（待审核）{held}个")
    if not parts:
        return ""
    return f"其中{'、'.join(parts)}，{'均' if len(parts) > 1 else ''}未采用"


def build(ctx: BulletinContext) -> dict[str, Any]:
    """Everything ``bulletin.html.j2`` prints."""
    page: dict[str, Any] = {
        "title": document_title(ctx),
        "unit_name": ctx.unit_name,
        "unit_code": ctx.unit_code,
        "period": ctx.period,
        "period_title": period_title(ctx),
        "number": ctx.number,
        "year": ctx.year,
        "bureau": ctx.bureau,
        "issue_date": cn_date(ctx.issue_date),
        "is_sample": ctx.is_sample,
        "has_data": ctx.has_data,
        "quality": list(_quality(ctx)),
        "warning_count": sum(len(s.warnings) for s in ctx.quality),
        "not_used": _not_used(ctx),
    }
    writer = Writer(ctx)
    if not ctx.has_data:
        page["no_data"] = writer.no_data()
        return page
    ytd = ctx.windows["ytd"]
    page.update(
        ytd_label=writer.ytd_label,
        month_label=writer.month_label,
        overview=writer.overview(),
        overview_rows=_overview_rows(writer),
        trend_svg=_trend(ctx),
        visits=writer.visits(),
        visit_rows=_visit_rows(writer),
        pyramid_svg=charts.pyramid(
            [
                (
                    labels.LEVEL_NAMES[lv],
                    int(ytd[f"visits.{lv}.batches"]),
                    int(ytd[f"visits.{lv}.persons"]),
                )
                for lv in labels.LEVELS
            ]
        ),
        core=writer.core(),
        core_rows=_core_rows(ctx),
        ranking=_ranking(ctx) if ctx.counties else [],
        members=MEMBERS.get(str(ctx.figures["unit"]["level"]), "下辖单位"),
        scope=writer.scope,
        ranked_names=[labels.CORE_RATES[k] for k in labels.RANKED_RATES],
        risks=writer.risks(),
        risk_rows=_risk_rows(writer),
        backlog=writer.backlog(),
        backlog_rows=_backlog_rows(writer),
        classes=writer.classes(),
        class_rows=_class_rows(writer),
        classes_svg=charts.top_classes(writer.top_classes()) if writer.top_classes() else "",
        sensitive=writer.sensitive(_sensitive_periods(ctx)),
        overdue=writer.overdue(),
        overdue_summary=writer.overdue_summary(),
        assigned=writer.assigned(),
        enforcement=writer.enforcement(),
    )
    return page
