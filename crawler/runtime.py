"""Runtime tuning of a crawl: CPython's cycle collector, and a prompt close when done.

``PromptClose``: Scrapy's engine notices that a crawl is done only when its loop runs, and
after the last page its loop runs again only at the next heartbeat, five seconds later; a
replay of eight pages took 8 s of wall time for 2 s of CPU. Each item leaving the pipelines
now gives the engine a turn, so a crawl closes as soon as its last item is through.

``GcTuning``: the cycle collector tuned once the engine has started
(``pipelines.runtime.tune_gc``, which says why).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import NotConfigured

from pipelines.runtime import DEFAULT_THRESHOLD, check_threshold, tune_gc

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

__all__ = ["GcTuning", "PromptClose", "tune_gc"]


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
