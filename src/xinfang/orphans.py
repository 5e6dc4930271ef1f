"""Child processes that end with their parent, however it ends (a SIGKILL too).

A process pool's workers outlive a parent killed outright: they finish what they hold, then wait
forever for work that never comes. :func:`end_with` is the pool's initializer that prevents it.
Kept apart from the heavy modules: a worker imports this module, and only this one, before it
runs the initializer, so a worker of a run already killed ends at once.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

#: prctl(2) option: the signal a process gets when its parent dies (Linux).
_PR_SET_PDEATHSIG = 1


def end_with(parent: int) -> None:
    """Get SIGKILL when ``parent`` ends; end now if it has already.

    Linux only (elsewhere only a parent already gone is noticed). The signal comes when the
    thread that started this process ends: start pools from a thread that outlives them.
    """
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)
