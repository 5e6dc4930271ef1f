"""``xinfang synth``: sample ledgers of a demo prefecture, with the mess and the faults of real
county submissions, and a manifest of what ingestion must make of them."""

from xinfang.synth.generate import DEFAULT_SEED, InboxNotEmptyError, generate
from xinfang.synth.manifest import FileEntry, Manifest, Problem

__all__ = ["DEFAULT_SEED", "FileEntry", "InboxNotEmptyError", "Manifest", "Problem", "generate"]
