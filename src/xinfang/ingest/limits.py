"""How big a submission may be, before and after decompression."""

from __future__ import annotations

import os
from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 100 * MB
    #: An .xlsx is a zip: what its central directory declares, summed over all members.
    max_uncompressed_bytes: int = 2000 * MB
    #: Declared uncompressed size over compressed size, judged once the former is large.
    max_ratio: float = 100.0
    ratio_floor_bytes: int = 16 * MB

    @classmethod
    def for_max_file_mb(cls, mb: float) -> Limits:
        """A file may be ``mb`` MB; decompressed, 20 times that."""
        return cls(max_file_bytes=int(mb * MB), max_uncompressed_bytes=int(20 * mb * MB))

    @classmethod
    def from_env(cls) -> Limits:
        """``XINFANG_MAX_FILE_MB`` (default 100)."""
        return cls.for_max_file_mb(max_file_mb())


def max_file_mb() -> float:
    return float(os.environ.get("XINFANG_MAX_FILE_MB", "100"))
