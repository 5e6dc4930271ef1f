"""What passes between the ingestion steps: a candidate file, and a parsed submission.

Both are plain frozen dataclasses: they pickle, and they round-trip through JSON
(:meth:`ParsedSubmission.save` / :meth:`ParsedSubmission.load`), so ``parse`` can run in
another process (an Airflow mapped task) and ``promote`` pick its result up later. The
normalised rows themselves wait in a Parquet file (``rows_path``) that holds no personal data.

A received time is an instant, kept on the Asia/Shanghai clock: its calendar date (the
submission date every ledger date is checked against, and the month it counts for) is the
Shanghai date, whatever zone it was given in. A naive time is refused, being ambiguous.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from xinfang.ingest.archive import atomic_path
from xinfang.ingest.messages import Message

SHANGHAI = ZoneInfo("Asia/Shanghai")

Entry = Literal["file", "symlink", "other"]
#: ``held``: loaded, but not in force until an operator accepts it (``xinfang accept``).
Outcome = Literal["accepted", "held", "rejected"]


def submission_id(unit_code: str, sha256: str) -> str:
    return f"{unit_code}-{sha256[:16]}"


def shanghai_time(moment: datetime) -> datetime:
    """``moment`` on the Asia/Shanghai clock; a naive time is refused (which zone is it in?)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"received time without a time zone: {moment.isoformat()}")
    return moment.astimezone(SHANGHAI)


@dataclass(frozen=True)
class Candidate:
    """A file in ``<inbox>/<unit_code>/`` not yet registered (by unit and SHA-256)."""

    unit_code: str  # the inbox folder's name, known unit or not
    path: Path  # the inbox entry itself (never resolved through a symlink)
    size_bytes: int
    received_at: datetime  # the entry's modification time, Asia/Shanghai
    sha256: str  # of the bytes; of the link text for a symlink
    entry: Entry = "file"

    def __post_init__(self) -> None:
        object.__setattr__(self, "received_at", shanghai_time(self.received_at))

    @property
    def file_name(self) -> str:
        """The entry's name as text; bytes that are not UTF-8 (a GBK name) shown as U+FFFD."""
        return os.fsencode(self.path.name).decode("utf-8", "replace")

    @property
    def submission_id(self) -> str:
        return submission_id(self.unit_code, self.sha256)

    @property
    def arrival(self) -> tuple[datetime, str, str]:
        """Arrival order: received time, ties by file name."""
        return (self.received_at, self.file_name, self.unit_code)

    def to_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "path": str(self.path),
            "received_at": self.received_at.isoformat(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Candidate:
        return cls(
            **{
                **data,
                "path": Path(data["path"]),
                "received_at": datetime.fromisoformat(data["received_at"]),
            }
        )


@dataclass(frozen=True)
class ParsedSubmission:
    """A candidate after parsing: its registry entry, its messages and its normalised rows."""

    submission_id: str
    unit_code: str
    file_name: str
    sha256: str
    size_bytes: int
    received_at: datetime
    archive_path: str  # relative to XINFANG_ARCHIVE; "" when nothing could safely be archived
    ledger_kind: str | None = None
    file_format: str | None = None
    encoding: str | None = None
    row_count: int = 0
    is_sample: bool = False
    #: Field name -> the header as written in the file, for every column read.
    columns: dict[str, str] = field(default_factory=dict)
    messages: tuple[Message, ...] = ()
    #: Parquet file of the normalised rows (``source_row`` + the ledger's stored fields);
    #: None when the submission is rejected before its rows are kept.
    rows_path: str | None = None
    #: The quality gate's result (``xinfang.quality.GateResult.to_dict()``, no personal data)
    #: and its verdict; None when no ledger was read.
    gate: dict[str, Any] | None = None
    gate_outcome: Outcome | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "received_at", shanghai_time(self.received_at))

    @property
    def outcome(self) -> Outcome:
        """Rejected on any error, ingestion's or the gate's; held when the gate holds it."""
        if self.error_count or self.gate_outcome == "rejected":
            return "rejected"
        return "held" if self.gate_outcome == "held" else "accepted"

    @property
    def error_count(self) -> int:
        return sum(m.severity == "error" for m in self.messages)

    @property
    def warning_count(self) -> int:
        return sum(m.severity == "warning" for m in self.messages)

    def with_messages(self, messages: tuple[Message, ...] | list[Message]) -> ParsedSubmission:
        """The same submission with more messages (a later gate's); an error rejects it."""
        return replace(self, messages=(*self.messages, *messages))

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["received_at"] = self.received_at.isoformat()
        data["outcome"] = self.outcome
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ParsedSubmission:
        data = {k: v for k, v in data.items() if k != "outcome"}
        data["received_at"] = datetime.fromisoformat(data["received_at"])
        data["messages"] = tuple(Message(**m) for m in data["messages"])
        return cls(**data)

    def save(self, path: Path) -> Path:
        """Write the JSON metadata atomically; the rows stay where ``rows_path`` says."""
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(path) as tmp:
            tmp.write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=1), "utf-8")
        return path

    @classmethod
    def load(cls, path: Path) -> ParsedSubmission:
        return cls.from_dict(json.loads(path.read_text("utf-8")))
