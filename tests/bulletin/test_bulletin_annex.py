"""The data-quality annex's account of the files it lists but the figures did not use."""

from __future__ import annotations

from dataclasses import replace

import pytest

from xinfang.bulletin import view

from .conftest import Bulletin


@pytest.mark.parametrize(
    ("outcomes", "said"),
    [
        (("accepted", "accepted"), ""),
        (("accepted", "rejected"), "其中未通过校验1个，未采用"),
        (("held", "accepted"), "其中暂缓采用（待审核）1个，未采用"),
        (("rejected", "held", "rejected"), "其中未通过校验2个、暂缓采用（待审核）1个，均未采用"),
    ],
)
def test_files_not_used_are_counted_by_why(
    no_data: Bulletin, outcomes: tuple[str, ...], said: str
) -> None:
    first = no_data.ctx.quality[0]
    quality = tuple(replace(first, outcome=o) for o in outcomes)
    page = view.build(replace(no_data.ctx, quality=quality))
    assert page["not_used"] == said
    assert [row["outcome"] for row in page["quality"]] == [
        {"accepted": "通过", "held": "暂缓采用", "rejected": "未通过"}[o] for o in outcomes
    ]
