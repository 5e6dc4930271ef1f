"""Where state lives, from the environment, with demo defaults under the project's ``var/``."""

from __future__ import annotations

import os
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_KEY_FILE = Path.home() / ".config" / "xinfang" / "pii.key"


@dataclass(frozen=True)
class Settings:
    inbox: Path
    warehouse: Path
    archive: Path
    reports: Path
    #: the warehouse's nightly backups (see :mod:`xinfang.backup`)
    backups: Path = PROJECT_ROOT / "var" / "backups"

    @classmethod
    def from_env(cls) -> Settings:
        var = Path(os.environ.get("XINFANG_HOME", PROJECT_ROOT / "var"))
        return cls(
            inbox=Path(os.environ.get("XINFANG_INBOX", var / "inbox")),
            warehouse=Path(os.environ.get("XINFANG_WAREHOUSE", var / "warehouse.duckdb")),
            archive=Path(os.environ.get("XINFANG_ARCHIVE", var / "archive")),
            reports=Path(os.environ.get("XINFANG_REPORTS", PROJECT_ROOT / "reports")),
            backups=Path(os.environ.get("XINFANG_BACKUPS", var / "backups")),
        )


def pii_key() -> bytes:
    """The pseudonymisation key: ``XINFANG_PII_KEY``, else a local demo key kept outside the repo.

    The demo key is created once with 32 random bytes, mode 0600, and its creation is announced
    on stderr so nobody mistakes it for a production key.
    """
    env = os.environ.get("XINFANG_PII_KEY")
    if env:
        return env.encode("utf-8")
    path = Path(os.environ.get("XINFANG_PII_KEY_FILE", DEFAULT_KEY_FILE))
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
        print(
            f"xinfang: XINFANG_PII_KEY is not set; created a random demo key in {path} "
            "(outside the repository). Set XINFANG_PII_KEY in production.",
            file=sys.stderr,
        )
    return path.read_text().strip().encode("utf-8")
