"""Small ledger frames as ingestion hands them to the gate, one fault added at a time."""

from __future__ import annotations

import hashlib
from datetime import date, datetime

import pandas as pd

from xinfang.quality.results import Submission
from xinfang.quality.rules import SHANGHAI

RECEIVED = datetime(2025, 12, 3, 9, 30, tzinfo=SHANGHAI)
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def citizen_id(first17: str) -> str:
    """A GB 11643 number with its check character, computed the long way."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return first17 + "10X98765432"[total % 11]


VALID_ID = citizen_id("41088319850312001")  # 孟州市, born 1985-03-12
#: The same number with a wrong check character.
BAD_CHECK = VALID_ID[:-1] + ("2" if VALID_ID[-1] != "2" else "3")


def d(text: str) -> date:
    return date.fromisoformat(text)


def submission(
    kind: str = "petitions",
    *,
    file_name: str = "台账.xlsx",
    received_at: datetime = RECEIVED,
    headers: dict[str, str] | None = None,
    sid: str = "410883-00000000000000aa",
    unit: str = "410883",
) -> Submission:
    sha = hashlib.sha256(sid.encode()).hexdigest()
    return Submission(sid, unit, kind, sha, file_name, received_at, headers)


def petitions(n: int = 3) -> pd.DataFrame:
    """``n`` clean petition items, Excel rows 4.."""
    return pd.DataFrame(
        {
            "source_row": range(4, 4 + n),
            "item_id": [f"MZ2025{i:04d}" for i in range(n)],
            "registered_on": [d("2025-11-01")] * n,
            "channel": ["来信", "走访", "网上信访"][:n] + ["电话"] * max(0, n - 3),
            "level": ["县"] * n,
            "persons": [1] * n,
            "id_number": [VALID_ID] * n,
            "township": ["城关镇"] * n,
            "category": ["农村农业_土地承包"] * n,
            "category_l1": ["农村农业"] * n,
            "purpose": ["求决"] * n,
            "is_first": [True] * n,
            "acceptance": ["受理"] * n,
            "accepted_on": [d("2025-11-03")] * n,
            "concluded_on": [d("2025-11-20")] * n,
            "satisfaction": ["满意"] * n,
        }
    )


def risks(n: int = 3) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source_row": range(4, 4 + n),
            "risk_id": [f"PC{i:03d}" for i in range(n)],
            "found_on": [d("2025-10-10")] * n,
            "category": ["征地拆迁"] * n,
            "risk_level": ["高"] * n,
            "persons": [12] * n,
            "due_on": [d("2026-01-31")] * n,
            "status": ["化解中"] * n,
            "resolved_on": [None] * n,
        }
    )


def backlog(n: int = 3) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source_row": range(3, 3 + n),
            "case_id": [f"JA{i:03d}" for i in range(n)],
            "first_petitioned_on": [d("2012-05-06")] * n,
            "listed_on": [d("2024-03-01")] * n,
            "category": ["劳动社保_欠薪"] * n,
            "leader_level": ["县级"] * n,
            "status": ["已化解"] * n,
            "resolved_on": [d("2025-06-30")] * n,
            "relief_fund": [5000.0] * n,
        }
    )


def with_cell(frame: pd.DataFrame, row: int, column: str, value: object) -> pd.DataFrame:
    """A copy with one cell (by Excel row) changed."""
    out = frame.copy()
    out[column] = out[column].astype(object)
    out.loc[out["source_row"] == row, column] = value
    return out


def register(con, sub: Submission, frame: pd.DataFrame, outcome: str) -> None:
    """What ingestion's promote step writes: the registry row and, unless rejected, the rows."""
    con.execute(
        """
        INSERT INTO raw.submissions VALUES
            (?, ?, ?, ?, 1000, ?, ?, ?, ?, 'xlsx', NULL, ?, ?, 0, 0, false)
        """,
        [
            sub.submission_id,
            sub.unit_code,
            sub.file_name,
            sub.sha256,
            sub.received_at,
            sub.received_at,
            f"{sub.unit_code}/{sub.sha256[:2]}/{sub.sha256}.xlsx",
            sub.ledger_kind,
            outcome,
            len(frame),
        ],
    )
    if outcome != "rejected":
        rows = frame.drop(columns=["id_number"], errors="ignore").assign(
            submission_id=sub.submission_id,
            unit_code=sub.unit_code,
            sha256=sub.sha256,
            received_at=sub.received_at,
        )
        con.register("new_rows", rows)
        con.execute(f"INSERT INTO raw.{sub.ledger_kind} BY NAME SELECT * FROM new_rows")
        con.unregister("new_rows")
