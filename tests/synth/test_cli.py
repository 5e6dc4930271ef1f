from __future__ import annotations

import argparse
import json

import pytest

from xinfang.config import Settings
from xinfang.synth import InboxNotEmptyError, generate
from xinfang.synth.cli import add_arguments, run
from xinfang.synth.generate import default_manifest_dir, select_units


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args(argv)


def test_defaults():
    args = _parse()
    assert (args.seed, args.prefecture, args.end_month, args.months, args.snapshots) == (
        20261101,
        "410800",
        "2026-10",
        25,
        3,
    )
    assert args.file_format == "mixed" and not args.no_bad and not args.force
    assert default_manifest_dir() == Settings.from_env().inbox.parent / "synth"


def test_refuses_a_non_empty_inbox_unless_forced(tmp_path, capsys):
    inbox = tmp_path / "inbox"
    (inbox / "old").mkdir(parents=True)
    argv = [
        "--inbox",
        str(inbox),
        "--manifest",
        str(tmp_path / "m"),
        "--units",
        "410883",
        "--months",
        "2",
        "--snapshots",
        "1",
        "--format",
        "csv",
        "--no-bad",
        "--jobs",
        "1",
    ]
    assert run(_parse(*argv)) == 2
    assert "--force" in capsys.readouterr().err
    assert run(_parse(*argv, "--force")) == 0
    out = capsys.readouterr()
    assert "[1/1] 410883 孟州市" in out.err and "manifest:" in out.out
    manifest = json.loads((tmp_path / "m" / "manifest.json").read_text("utf-8"))
    assert [f["format"] for f in manifest["files"]] == ["csv"] * 3
    assert manifest["parameters"]["snapshot_dates"] == ["2026-10-31"]


def test_bad_parameters(tmp_path):
    with pytest.raises(ValueError, match="inside the inbox"):
        generate(tmp_path / "inbox", tmp_path / "inbox" / "m", units=["410883"])
    with pytest.raises(ValueError, match="unknown unit"):
        generate(tmp_path / "i", tmp_path / "m", units=["410899"])
    (tmp_path / "i2").mkdir()
    (tmp_path / "i2" / "x").write_text("")
    with pytest.raises(InboxNotEmptyError):
        generate(tmp_path / "i2", tmp_path / "m", units=["410883"])


def test_unit_selection():
    assert len(select_units(province="410000")) == 157
    assert [u.code for u in select_units(["410883", "410802"], province="410000")] == [
        "410802",
        "410883",
    ]
    assert len(select_units()) == 10
