"""Render many bulletins: a few in this process, many in a pool of warm worker processes.

Imports cost ~2.5 s and the first render loads the fonts, so every process renders many. The
pool forks its workers from a fork server that has already imported the renderer (and none of
the caller's threads or open connections); each worker then loads the template, stylesheet and
fonts once.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager

from xinfang.bulletin.context import BulletinContext
from xinfang.bulletin.files import Rendered
from xinfang.bulletin.render import renderer

#: Below this many bulletins a pool costs more (start-up, warm-up) than it saves.
POOL_FROM = 4
#: Collector thresholds while rendering (Python's default: 700, 10, 10).
GC_THRESHOLDS = (50_000, 20, 100)


def _settle_gc() -> None:
    """Fewer, cheaper collections: a bulletin allocates hundreds of thousands of objects.

    With the default thresholds the collector runs ~100 times per bulletin and its full passes
    walk everything imported; freezing what exists and raising the thresholds saves ~0.1 s.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


@contextmanager
def settled_gc() -> Iterator[None]:
    """:func:`_settle_gc` for a while, in a process that is not only ours."""
    old = gc.get_threshold()
    _settle_gc()
    try:
        yield
    finally:
        gc.set_threshold(*old)
        gc.unfreeze()


def _warm() -> None:
    renderer().warm()
    _settle_gc()  # a worker process is ours alone


def _render(ctx: BulletinContext) -> Rendered:
    return renderer().render(ctx)


def render_all(
    contexts: Sequence[BulletinContext], workers: int = 2
) -> Iterator[tuple[BulletinContext, Rendered | BaseException]]:
    """Each context with its rendered bulletin, or with the error that stopped it, in order."""
    if workers <= 1 or len(contexts) < POOL_FROM:
        with settled_gc():
            for ctx in contexts:
                try:
                    yield ctx, _render(ctx)
                except Exception as error:  # one unit's failure must not stop the others
                    yield ctx, error
        return
    mp = multiprocessing.get_context("forkserver")
    mp.set_forkserver_preload(["xinfang.bulletin.render"])
    with ProcessPoolExecutor(max_workers=workers, mp_context=mp, initializer=_warm) as pool:
        futures: list[Future[Rendered]] = [pool.submit(_render, ctx) for ctx in contexts]
        for ctx, future in zip(contexts, futures, strict=True):
            error = future.exception()
            yield ctx, future.result() if error is None else error
