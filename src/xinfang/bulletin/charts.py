"""Small SVG charts with Chinese labels (matplotlib, no pyplot state), as ``data:`` URIs.

An ``<img>`` keeps the chart's hundreds of SVG elements out of the HTML style cascade, which
costs WeasyPrint more than drawing them.

Text stays text (``svg.fonttype='none'``): WeasyPrint lays it out with the face it uses for the
page's text (the compact Noto Serif CJK SC copy), so labels are crisp, searchable and small.
``svg.hashsalt`` and an empty date make the SVG, and so the PDF, identical for identical figures.
"""

from __future__ import annotations

import base64
import io
import xml.etree.ElementTree as ET
from collections.abc import Sequence

import matplotlib as mpl
from matplotlib.figure import Figure

from xinfang.bulletin.fonts import families

RED = "#c00000"
PALE_RED = "#d64d4d"  # solid tints instead of alpha: no transparency groups in the PDF
TINTS = ("#f2c4c4", "#e89a9a", "#dd6f6f", "#c00000")
INK = "#333333"
GREY = "#8c8c8c"
SVG_NS = "http://www.w3.org/2000/svg"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")
FAMILY = "Noto Serif CJK SC"  # matplotlib measures with the installed face
WIDTH_IN = 6.3  # the text block of an A4 page with 22 mm side margins, in inches

STYLE = {
    "svg.fonttype": "none",
    "svg.hashsalt": "xinfang-bulletin",
    "font.family": [FAMILY],
    "font.size": 8.5,
    "axes.edgecolor": GREY,
    "axes.labelcolor": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.color": INK,
    "ytick.color": INK,
    "legend.frameon": False,
}


def _lean(element: ET.Element) -> None:
    """Unwrap matplotlib's id-only ``<g>`` wrappers, drop metadata and invisible paths, and
    name the compact copy of the face first in every text's style.

    Every SVG node costs WeasyPrint a style cascade and a draw call; this halves their number.
    """
    kept: list[ET.Element] = []
    for child in list(element):
        _lean(child)
        if "font-family" in child.get("style", ""):
            child.set("style", child.get("style", "").replace(f"'{FAMILY}'", families(FAMILY)))
        if child.tag == f"{{{SVG_NS}}}g" and set(child.attrib) <= {"id"}:
            kept.extend(child)
        elif child.tag == f"{{{SVG_NS}}}metadata" or child.get("style") == "fill: none":
            continue
        else:
            kept.append(child)
    element[:] = kept


def _svg(fig: Figure) -> str:
    buffer = io.StringIO()
    with mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": STYLE["svg.hashsalt"]}):
        fig.savefig(buffer, format="svg", metadata={"Date": None}, transparent=True)
    root = ET.fromstring(buffer.getvalue())
    _lean(root)
    encoded = base64.b64encode(ET.tostring(root, encoding="utf-8")).decode()
    return f"data:image/svg+xml;base64,{encoded}"


def _figure(height_in: float, margins: tuple[float, float, float, float]) -> Figure:
    """Fixed margins (left, right, top, bottom in inches): constrained layout doubles the time."""
    left, right, top, bottom = margins
    fig = Figure(figsize=(WIDTH_IN, height_in))
    fig.subplots_adjust(
        left=left / WIDTH_IN,
        right=1 - right / WIDTH_IN,
        top=1 - top / height_in,
        bottom=bottom / height_in,
    )
    return fig


def trend(periods: Sequence[str], items: Sequence[int | None], visits: Sequence[int | None]) -> str:
    """12-month trend: items as labelled bars, visit batches as a line; ``None``: no data."""
    with mpl.rc_context(STYLE):
        fig = _figure(2.2, (0.1, 0.1, 0.3, 0.38))
        ax = fig.add_subplot()
        xs = list(range(len(periods)))
        item_values = [float("nan") if v is None else v for v in items]
        visit_values = [float("nan") if v is None else v for v in visits]
        bars = ax.bar(
            xs, item_values, color=PALE_RED, width=0.6, label="信访事项（件次）", clip_on=False
        )
        ax.bar_label(bars, fmt="%d", fontsize=7, color=INK, padding=1)
        ax.plot(
            xs,
            visit_values,
            color=INK,
            marker="o",
            markersize=3,
            label="走访（批次）",
            clip_on=False,
        )
        ticks = [
            f"{int(p[5:7])}月\n{p[:4]}年" if i == 0 or p.endswith("-01") else f"{int(p[5:7])}月"
            for i, p in enumerate(periods)
        ]
        ax.set_xticks(xs, ticks)
        ax.tick_params(axis="x", length=0)
        ax.yaxis.set_visible(False)  # the bars carry their values: fewer nodes to draw
        ax.spines["left"].set_visible(False)
        ax.margins(y=0.12)
        ax.legend(
            loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=2, fontsize=8, borderaxespad=0.2
        )
        return _svg(fig)


def pyramid(levels: Sequence[tuple[str, int, int]]) -> str:
    """Four-level visits as a centred pyramid, top level first: (name, batches, persons)."""
    with mpl.rc_context(STYLE):
        fig = _figure(1.6, (0.05, 0.05, 0.05, 0.05))
        ax = fig.add_subplot()
        largest = max((b for _, b, _ in levels), default=0) or 1
        for row, (name, batches, persons) in enumerate(levels):
            y = len(levels) - 1 - row
            ax.barh(
                y,
                batches,
                left=-batches / 2,
                height=0.7,
                color=TINTS[row % len(TINTS)],
                clip_on=False,
            )
            ax.text(
                largest * 0.56,
                y,
                f"{name}  {batches}批次 / {persons}人次",
                va="center",
                fontsize=8.5,
                color=INK,
            )
        ax.set_xlim(-largest * 0.52, largest * 1.3)
        ax.set_ylim(-0.6, len(levels) - 0.4)
        ax.set_axis_off()
        return _svg(fig)


def top_classes(rows: Sequence[tuple[str, int]]) -> str:
    """Horizontal bars of the top content classes, largest on top."""
    with mpl.rc_context(STYLE):
        height = 0.3 + 0.28 * max(len(rows), 1)
        fig = _figure(height, (1.2, 0.1, 0.1, 0.1))
        ax = fig.add_subplot()
        names = [name for name, _ in reversed(rows)]
        bars = ax.barh(
            names, [count for _, count in reversed(rows)], color=RED, height=0.6, clip_on=False
        )
        ax.tick_params(axis="y", length=0)
        ax.bar_label(bars, fmt="%d件次", fontsize=8, color=INK, padding=2)
        ax.margins(x=0.12)
        ax.spines["bottom"].set_visible(False)
        ax.set_xticks([])
        return _svg(fig)
