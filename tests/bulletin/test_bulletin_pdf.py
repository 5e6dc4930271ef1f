"""The rendered PDFs, read back with poppler: figures, fonts, PDF/A, attachments, bookmarks."""

from __future__ import annotations

import json
import re
import subprocess
import zlib
from dataclasses import replace
from pathlib import Path

import pytest

from xinfang.bulletin.render import Renderer

from .conftest import Bulletin

CORE = {
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
SECTIONS = (
    "一、总体情况",
    "二、走访情况",
    "三、核心指标",
    "四、矛盾纠纷排查化解",
    "五、信访积案化解",
    "六、突出问题",
    "附件：数据质量",
)


def pct(value: float) -> str:
    """How the bulletin must print a percentage: the file's two decimals, trailing zeros off."""
    return f"{value:.2f}".rstrip("0").rstrip(".") + "%"


def change(value: float | None, word: str = "同比") -> str:
    if value is None:
        return f"{word}无可比基数"
    if value == 0:
        return f"{word}持平"
    return f"{word}{'上升' if value > 0 else '下降'}{pct(abs(value))}"


def band(value: float) -> str:
    return "良好" if value >= 90 else "预警" if value >= 85 else "落后"


def tool(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def inflated(pdf: bytes) -> bytes:
    """Every Flate stream of the PDF, decompressed (outlines live in object streams)."""
    out = []
    for match in re.finditer(rb"stream\r?\n", pdf):
        try:
            out.append(zlib.decompressobj().decompress(pdf[match.end() :]))
        except zlib.error:
            continue
    return b"\n".join(out)


def test_county_headline_figures_are_text_equal_to_the_figures_file(county: Bulletin) -> None:
    ytd = county.ctx.figures["windows"]["ytd"]
    month = county.ctx.figures["windows"]["month"]
    changes = county.ctx.figures["changes"]
    text = county.flat
    assert (
        f"1—10月，全市共登记信访事项{ytd['items_total']}件次，"
        f"{change(changes['ytd_yoy_pct']['items_total'])}。" in text
    )
    assert (
        f"10月份，全市登记信访事项{month['items_total']}件次，"
        f"{change(changes['month_yoy_pct']['items_total'])}，"
        f"{change(changes['month_mom_pct']['items_total'], '环比')}。" in text
    )
    assert f"群众走访{ytd['visits.batches']}批次{ytd['visits.persons']}人次" in text
    assert f"网上信访{ytd['items.网上信访']}件次，占{pct(ytd['online_share']['pct'])}" in text
    assert f"重复信访率{pct(ytd['repeat_rate']['pct'])}" in text


def test_core_rates_print_the_file_values_with_their_band(county: Bulletin) -> None:
    ytd = county.ctx.figures["windows"]["ytd"]
    table = county.flat.split("评价", 1)[1].split("评价标准", 1)[0]
    for key, name in CORE.items():
        rate = ytd[key]
        assert rate["den"] > 0, "the fixture gives every core rate a base"
        row = f"{name}{rate['num']}/{rate['den']}{pct(rate['pct'])}"
        graded = re.search(re.escape(row) + "[^良预落]*(良好|预警|落后)", table)
        assert graded, (row, table)
        assert graded.group(1) == band(rate["pct"]), row


def test_prefecture_ranks_its_counties_on_the_core_rates(prefecture: Bulletin) -> None:
    ctx = prefecture.ctx
    ytd = ctx.figures["windows"]["ytd"]
    text = prefecture.flat
    assert f"1—10月，全市共登记信访事项{ytd['items_total']}件次" in text
    assert ytd["items_total"] == sum(c["windows"]["ytd"]["items_total"] for c in ctx.counties)
    ranking = text.split("核心指标排名", 1)[1].split("四、矛盾纠纷排查化解", 1)[0]
    counties = sorted(ctx.counties, key=lambda c: c["unit"]["code"])
    for key in ("timely_acceptance_rate", "satisfaction_rate", "one_time_resolution_rate"):
        values = [c["windows"]["ytd"][key]["pct"] for c in counties]
        for county, value in zip(counties, values, strict=True):
            rank = 1 + sum(v > value for v in values)
            cell = f"{pct(value).removesuffix('%')}（{rank}）"
            start = ranking.index(county["unit"]["name"])
            assert cell in ranking[start : start + 120], (county["unit"]["name"], key, cell)
    total = ranking.split(counties[-1]["unit"]["name"], 1)[1]
    assert "焦作市合计" in total
    assert pct(ytd["timely_acceptance_rate"]["pct"]) in total


def test_no_data_unit_says_so_and_prints_no_measured_zeros(no_data: Bulletin) -> None:
    text = no_data.flat
    assert "襄垣县未报送2025年10月信访工作台账，或报送的台账均未通过数据质量校验" in text
    assert "不作数据统计和分析" in text
    for heading in SECTIONS[1:-1]:
        assert heading not in text
    assert not re.search(r"(?<![\d.])0(件|批|人|%)", text)
    ytd = no_data.ctx.figures["windows"]["ytd"]
    assert f"共登记信访事项{ytd['items_total']}件次" not in text
    assert "附件：数据质量" in text  # the clerk still sees what was sent and why it failed
    assert "2025-02-30不是有效日期" in text


def test_sample_data_is_marked_on_every_page(sample: Bulletin) -> None:
    pages = [p for p in sample.text.split("\f") if p.strip()]
    assert len(pages) >= 4
    assert all("示例数据" in page for page in pages)
    # January: the year so far is the month, said once with both changes
    ytd = sample.ctx.figures["windows"]["ytd"]
    changes = sample.ctx.figures["changes"]
    assert (
        f"1月，全区共登记信访事项{ytd['items_total']}件次，"
        f"{change(changes['ytd_yoy_pct']['items_total'])}，"
        f"{change(changes['month_mom_pct']['items_total'], '环比')}。" in sample.flat
    )


def test_fonts_are_embedded_subsets_of_the_two_cjk_faces(county: Bulletin) -> None:
    lines = tool("pdffonts", str(county.path)).splitlines()[2:]
    assert lines
    names = set()
    for line in lines:
        name, *_, emb, sub, uni, _obj, _gen = line.split()
        assert (emb, sub, uni) == ("yes", "yes", "yes"), line
        assert re.fullmatch(r"[A-Z]{6}\+.+", name), line
        names.add(name.split("+", 1)[1])
    # the compact copies of Noto Serif/Sans CJK SC (bulletin/fonts.py), no fallback face
    assert names == {"Xinfang-Serif", "Xinfang-Sans-Bold"}


def test_a_character_outside_the_compact_faces_falls_back_to_the_full_face(
    no_data: Bulletin, renderer: Renderer, tmp_path: Path
) -> None:
    rare = "䶮"  # CJK extension A: not in GB 2312, but in Noto Serif CJK SC
    first = no_data.ctx.quality[0]
    quality = (replace(first, warnings=(f"第 3 行「信访人姓名」刘{rare}已删除",)),)
    path = tmp_path / "rare.pdf"
    path.write_bytes(renderer.render(replace(no_data.ctx, quality=quality)).pdf)
    assert f"刘{rare}已删除" in "".join(tool("pdftotext", str(path), "-").split())
    faces = {
        line.split()[0].split("+", 1)[1] for line in tool("pdffonts", str(path)).splitlines()[2:]
    }
    assert "Noto-Serif-CJK-SC" in faces and "Xinfang-Serif" in faces


def test_pdfa3b_metadata(county: Bulletin) -> None:
    xmp = tool("pdfinfo", "-meta", str(county.path))
    assert 'pdfaid:part="3"' in xmp
    assert 'pdfaid:conformance="B"' in xmp
    info = dict(
        line.split(":", 1) for line in tool("pdfinfo", str(county.path)).splitlines() if ":" in line
    )
    assert info["Title"].strip() == "孟州市信访工作月报（2025年10月）第10期"
    assert info["Author"].strip() == "孟州市信访局"
    assert "孟州市（410883）2025年10月" in info["Subject"]
    assert "410883" in info["Keywords"] and "2025-10" in info["Keywords"]
    assert info["Page size"].strip().startswith("595.276 x 841.89")  # A4


def test_figures_and_quality_annex_are_attached(county: Bulletin, tmp_path: Path) -> None:
    listing = tool("pdfdetach", "-list", str(county.path))
    stem = county.rendered.stem
    assert f"{stem}.json" in listing and f"{stem}-quality.json" in listing
    tool("pdfdetach", "-saveall", "-o", str(tmp_path), str(county.path))
    figures = json.loads((tmp_path / f"{stem}.json").read_text(encoding="utf-8"))
    assert figures == json.loads(json.dumps(county.ctx.figures))
    annex = json.loads((tmp_path / f"{stem}-quality.json").read_text(encoding="utf-8"))
    assert [s["file_name"] for s in annex["submissions"]] == [
        s.file_name for s in county.ctx.quality
    ]
    assert sum(len(s["warnings"]) for s in annex["submissions"]) == 4
    streams = inflated(county.rendered.pdf)  # PDF/A-3: associated files, with their role
    assert b"/AFRelationship /Data" in streams and b"/AFRelationship /Supplement" in streams


def test_a_bookmark_per_section(county: Bulletin) -> None:
    streams = inflated(county.rendered.pdf)
    assert b"/Outlines" in streams or b"/Outlines" in county.rendered.pdf
    for title in SECTIONS:
        assert ("feff" + title.encode("utf-16-be").hex()).encode() in streams, title
    assert b"/Count 7" in streams  # exactly the seven sections, nothing nested


def test_two_renders_are_byte_identical(county: Bulletin, renderer: Renderer) -> None:
    assert renderer.render(county.ctx).pdf == county.rendered.pdf


def test_source_date_epoch_sets_every_date(
    no_data: Bulletin, renderer: Renderer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01T00:00:00Z
    path = tmp_path / "b.pdf"
    path.write_bytes(renderer.render(no_data.ctx).pdf)
    info = tool("pdfinfo", "-isodates", str(path))
    assert re.search(r"CreationDate:\s+2026-01-01T00:00:00(Z|\+00)", info), info
    assert re.search(r"ModDate:\s+2026-01-01T00:00:00(Z|\+00)", info), info
    assert path.read_bytes() == renderer.render(no_data.ctx).pdf
    assert path.read_bytes() != no_data.rendered.pdf
