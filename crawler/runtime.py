"""Runtime tuning of a crawl: CPython's cycle collector, a prompt close when done, and
threads of their own for the crawl's long streams of blocking work.

``PromptClose``: Scrapy's engine notices that a crawl is done only when its loop runs, and
after the last page its loop runs again only at the next heartbeat, five seconds later; a
replay of eight pages took 8 s of wall time for 2 s of CPU. Each item leaving the pipelines
now gives the engine a turn, so a crawl closes as soon as its last item is through.

``GcTuning``: the cycle collector tuned once the engine has started
(``pipelines.runtime.tune_gc``, which says why).

``OwnThread``: a stream of blocking calls (the store's batches, the replay pool's chunks)
run one after another on one thread of its own, not on whichever thread of the shared
executor is free. glibc gives each thread that allocates its own malloc arena, and an arena
keeps the memory freed in it for reuse; a batch's rows and a chunk's records, tens of MiB,
made on a different thread each time, left that much held in every arena they passed
through: a 20,000-page replay's crawl process grew by 65-160 MiB in its second half for no
data at all. On one thread the same memory is reused batch after batch.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from scrapy import signals
from scrapy.exceptions import NotConfigured

from pipelines.runtime import DEFAULT_THRESHOLD, check_threshold, tune_gc

if TYPE_CHECKING:
    from collections.abc import Callable

    from scrapy.crawler import Crawler

P = ParamSpec("P")
T = TypeVar("T")

logger = logging.getLogger(__name__)

__all__ = ["GcTuning", "OwnThread", "PromptClose", "tune_gc"]


class GcTuning:
    """Scrapy extension: ``tune_gc`` once the engine has started (settings ``GC_TUNING``,
    on by default, and ``GC_THRESHOLD``)."""

    def __init__(self, threshold: int) -> None:
        try:
            check_threshold(threshold)
        except ValueError as exc:
            raise NotConfigured(str(exc)) from exc
        self.threshold = threshold

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> GcTuning:
        if not crawler.settings.getbool("GC_TUNING", True):
            raise NotConfigured("GC_TUNING is off")
        extension = cls(crawler.settings.getint("GC_THRESHOLD", DEFAULT_THRESHOLD))
        crawler.signals.connect(extension.engine_started, signal=signals.engine_started)
        return extension

    def engine_started(self) -> None:
        tune_gc(self.threshold)
        logger.debug("cycle collector: start-up heap frozen, threshold %d", self.threshold)


class PromptClose:
    """Scrapy extension: the engine checks whether the crawl is done as soon as an item is
    through the pipelines (scraped, dropped or failed), not at its next heartbeat."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PromptClose:
        extension = cls(crawler)
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(extension.item_done, signal=signal)
        return extension

    def item_done(self) -> None:
        # The engine's own next-call, as its heartbeat would schedule it; private to
        # Scrapy, so looked up defensively: without it the heartbeat still closes the crawl.
        slot = getattr(self.crawler.engine, "_slot", None)
        nextcall = getattr(slot, "nextcall", None)
        if nextcall is not None:
            nextcall.schedule()


class OwnThread:
    """Blocking calls awaited from the reactor, each run on one thread of its own (named
    ``name``), one at a time and in the order they were made. The thread starts with the
    first call and ends with ``close``."""

    def __init__(self, name: str) -> None:
        self.executor = ThreadPoolExecutor(1, thread_name_prefix=name)

    async def run(self, func: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        return await asyncio.wrap_future(self.executor.submit(func, *args, **kwargs))

    def close(self) -> None:
        """Let the thread end once the calls made are done (without waiting for them)."""
        self.executor.shutdown(wait=False)
