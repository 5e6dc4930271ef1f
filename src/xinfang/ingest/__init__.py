"""Ingestion: inbox files -> archive -> normalised, pseudonymised rows -> ``raw.*``.

Three steps, so that parsing can run in parallel while the warehouse has one writer:
:func:`discover` (new files), :func:`parse` (pure: never opens the warehouse) and
:func:`promote` (the only writer, one transaction per submission, in arrival order).
"""

from xinfang.ingest.discovery import candidate, discover
from xinfang.ingest.limits import Limits
from xinfang.ingest.messages import RULES, Message, Problems
from xinfang.ingest.parsing import ChangedFileError, parse
from xinfang.ingest.promotion import promote, register
from xinfang.ingest.submission import Candidate, ParsedSubmission

__all__ = [
    "RULES",
    "Candidate",
    "ChangedFileError",
    "Limits",
    "Message",
    "ParsedSubmission",
    "Problems",
    "candidate",
    "discover",
    "parse",
    "promote",
    "register",
]
