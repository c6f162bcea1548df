"""Runtime tuning of a crawl: CPython's cycle collector, and a prompt close when done.

``PromptClose``: Scrapy's engine notices that a crawl is done only when its loop runs, and
after the last page its loop runs again only at the next heartbeat, five seconds later; a
replay of eight pages took 8 s of wall time for 2 s of CPU. Each item leaving the pipelines
now gives the engine a turn, so a crawl closes as soon as its last item is through.

``GcTuning``:

CPython runs its cycle collector after every 700 net new container objects, and a full
collection whenever a quarter as many objects as are already long-lived have been promoted.
A crawl allocates hundreds of objects per paper (parsed nodes, clean records, rows), nearly
all freed by reference counting, and keeps a large heap of long-lived ones (Scrapy, Twisted,
SQLAlchemy's metadata and compiled statements, the cleaning memos): measured, the collector
took a fifth to a quarter of a replay's time walking that heap over and over.

``tune_gc`` does what long-running Python services do: collect once, freeze what start-up
made (the collector no longer walks it; it was going to live as long as the process anyway),
and let the youngest generation grow larger before it is collected. Garbage cycles are still
collected, just less often; nothing is switched off.
"""

from __future__ import annotations

import gc
import logging
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import NotConfigured

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

DEFAULT_THRESHOLD = 10_000


def tune_gc(threshold: int = DEFAULT_THRESHOLD) -> None:
    """Freeze the objects alive now and collect the youngest generation every ``threshold``
    net new objects (CPython's default is 700); the older generations keep their settings."""
    _check(threshold)
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(threshold, older, oldest)


def _check(threshold: int) -> None:
    if threshold < 1:
        msg = f"GC_THRESHOLD must be a positive number, not {threshold}"
        raise ValueError(msg)


class GcTuning:
    """Scrapy extension: ``tune_gc`` once the engine has started (settings ``GC_TUNING``,
    on by default, and ``GC_THRESHOLD``)."""

    def __init__(self, threshold: int) -> None:
        try:
            _check(threshold)
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
