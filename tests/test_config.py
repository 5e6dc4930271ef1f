import stat

from xinfang import config


def test_demo_key_is_created_once_outside_the_repo_with_mode_0600(tmp_path, monkeypatch, capsys):
    key_file = tmp_path / "cfg" / "pii.key"
    monkeypatch.delenv("XINFANG_PII_KEY", raising=False)
    monkeypatch.setenv("XINFANG_PII_KEY_FILE", str(key_file))
    first = config.pii_key()
    assert "XINFANG_PII_KEY is not set" in capsys.readouterr().err
    assert len(first) == 64
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert config.pii_key() == first
    assert capsys.readouterr().err == ""


def test_environment_key_wins(monkeypatch):
    monkeypatch.setenv("XINFANG_PII_KEY", "s3cret")
    assert config.pii_key() == b"s3cret"


def test_locations_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("XINFANG_HOME", str(tmp_path))
    monkeypatch.setenv("XINFANG_WAREHOUSE", str(tmp_path / "w.duckdb"))
    s = config.Settings.from_env()
    assert s.inbox == tmp_path / "inbox"
    assert s.archive == tmp_path / "archive"
    assert s.warehouse == tmp_path / "w.duckdb"
