"""What a bulletin issues besides its pages: names, the JSON files, and the content digest.

Kept free of WeasyPrint so that the issuer can tell an unchanged bulletin without rendering it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from xinfang.bulletin.context import BulletinContext, Figures


def to_json_bytes(data: Any) -> bytes:
    """Canonical JSON: the same data always gives the same bytes."""
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


def stem(figures: Figures) -> str:
    """``<code>-<name>-<YYYY-MM>``: the name of the bulletin's PDF and JSON."""
    return f"{figures['unit']['code']}-{figures['unit']['name']}-{figures['period']}"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Rendered:
    stem: str
    period: str
    pdf: bytes
    figures_json: bytes
    quality_json: bytes

    @property
    def content_sha256(self) -> str:
        """The bulletin's data (figures and annex), not its issue date: what "changed" means."""
        return sha256(self.figures_json + b"\0" + self.quality_json)


def unrendered(ctx: BulletinContext) -> Rendered:
    """Everything of a bulletin but its PDF."""
    figures, quality = to_json_bytes(ctx.figures), to_json_bytes(ctx.quality_json())
    return Rendered(stem(ctx.figures), ctx.period, b"", figures, quality)
