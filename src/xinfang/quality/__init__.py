"""The quality gates and the audit trail.

Ingestion calls, per submission:

- at parse time (parallel, no warehouse): :func:`validate` on the normalised frame, with the
  raw ID numbers still in it;
- at promote time (serial, in the submission's transaction): :func:`previous_submission`,
  :func:`compare`, then :func:`record`, and :func:`write_clerk_report` beside the archive.

After ``dbt build``, :func:`mart_gate` reconciles the marts and raises :class:`MartGateError`
when no bulletin may be published. Great Expectations is imported on first use only.
"""

from xinfang.quality.audit import CannotForce, accept, record
from xinfang.quality.docs import build_data_docs
from xinfang.quality.frames import PreviousSubmission
from xinfang.quality.gate import compare, validate
from xinfang.quality.history import previous_submission
from xinfang.quality.marts import MartGateError, MartGateResult, mart_gate
from xinfang.quality.report import write_clerk_report
from xinfang.quality.results import CheckResult, GateResult, Message, Submission, ValidationRun

__all__ = [
    "CannotForce",
    "CheckResult",
    "GateResult",
    "MartGateError",
    "MartGateResult",
    "Message",
    "PreviousSubmission",
    "Submission",
    "ValidationRun",
    "accept",
    "build_data_docs",
    "compare",
    "mart_gate",
    "previous_submission",
    "record",
    "validate",
    "write_clerk_report",
]
