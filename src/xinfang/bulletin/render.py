"""Context → HTML (Jinja2) → PDF/A-3b (WeasyPrint) with the figures and the annex attached.

A :class:`Renderer` keeps what is expensive to set up (the template, the parsed stylesheet, the
font configuration) for the life of the process; render many bulletins with one. The output is
byte-for-byte reproducible: every date in it is ``SOURCE_DATE_EPOCH`` when set, otherwise the
issue date at midnight (Asia/Shanghai); the PDF identifier is a digest of the content.
"""

from __future__ import annotations

import io
import os
from dataclasses import replace
from datetime import UTC, datetime, time
from functools import cache
from pathlib import Path

import jinja2
from weasyprint import CSS, HTML, Attachment
from weasyprint.text.fonts import FontConfiguration

from xinfang.bulletin import charts, view
from xinfang.bulletin.context import SHANGHAI, BulletinContext
from xinfang.bulletin.files import Rendered, unrendered
from xinfang.bulletin.fonts import font_face_css
from xinfang.config import PROJECT_ROOT

TEMPLATES = PROJECT_ROOT / "templates"
PDF_VARIANT = "pdf/a-3b"
WARM_UP = "<h2>信访工作月报</h2><p>全县共登记信访事项1325件次，同比上升6.08%。</p>"


def timestamp(ctx: BulletinContext) -> datetime:
    """The one date written into the PDF's metadata and attachments."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return datetime.fromtimestamp(int(epoch), UTC)
    return datetime.combine(ctx.issue_date, time(), SHANGHAI)


class Renderer:
    def __init__(self, templates: Path = TEMPLATES) -> None:
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(templates),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.template = env.get_template("bulletin.html.j2")
        self.font_config = FontConfiguration()
        self.stylesheets = [
            CSS(string=font_face_css(), font_config=self.font_config),
            CSS(filename=templates / "bulletin.css", font_config=self.font_config),
        ]

    def warm(self) -> None:
        """Load the faces (page and charts) once, so that the first bulletin does not pay."""
        HTML(string=WARM_UP).write_pdf(stylesheets=self.stylesheets, font_config=self.font_config)
        charts.top_classes([("信访事项", 1)])

    def html(self, ctx: BulletinContext) -> str:
        return self.template.render(
            **view.build(ctx), timestamp=timestamp(ctx).isoformat(timespec="seconds")
        )

    def render(self, ctx: BulletinContext) -> Rendered:
        data = unrendered(ctx)
        stamp = timestamp(ctx).astimezone(UTC).replace(tzinfo=None)
        attachments = [
            Attachment(
                file_obj=io.BytesIO(data.figures_json),
                name=f"{data.stem}.json",
                description="月报指标数据（figures file）",
                created=stamp,
                modified=stamp,
                relationship="Data",
            ),
            Attachment(
                file_obj=io.BytesIO(data.quality_json),
                name=f"{data.stem}-quality.json",
                description="数据质量附件",
                created=stamp,
                modified=stamp,
                relationship="Supplement",
            ),
        ]
        pdf = HTML(string=self.html(ctx)).write_pdf(
            stylesheets=self.stylesheets,
            font_config=self.font_config,
            pdf_variant=PDF_VARIANT,
            attachments=attachments,
        )
        return replace(data, pdf=pdf)


@cache
def renderer() -> Renderer:
    """The process's renderer (fonts, template and stylesheet loaded once)."""
    return Renderer()
