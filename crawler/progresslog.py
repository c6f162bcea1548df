"""A progress line every few seconds: pages done of how many, the rate, the time left.

``replay: 1,200/3,000 pages (40%), 410 pages/s, ETA 4 s`` at INFO, every PROGRESS_INTERVAL
seconds (5; 0 turns it off), from the pages the page store has taken (``pages/done``) and,
when the spider knows it, how many there are (``pages/total``: a replay counts its files).
The rate is the last interval's; the ETA follows from it.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import create_looping_call

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.utils.asyncio import AsyncioLoopingCall
    from twisted.internet.task import LoopingCall

logger = logging.getLogger(__name__)

DONE_STAT, TOTAL_STAT = "pages/done", "pages/total"


def progress_line(name: str, done: int, total: int | None, rate: float) -> str:
    """``name: done/total pages (share), rate pages/s, ETA s`` (what is known of it)."""
    of = f"/{total:,}" if total else ""
    share = f" ({100 * done // total}%)" if total else ""
    line = f"{name}: {done:,}{of} pages{share}, {rate:,.0f} pages/s"
    if total and rate > 0 and done < total:
        line += f", ETA {_duration((total - done) / rate)}"
    return line


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


class ProgressLog:
    """Scrapy extension: logs ``progress_line`` every PROGRESS_INTERVAL seconds."""

    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler, self.interval = crawler, interval
        self.loop: AsyncioLoopingCall | LoopingCall | None = None  # made once the loop runs
        self.last: tuple[float, int] = (time.monotonic(), 0)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressLog:
        interval = crawler.settings.getfloat("PROGRESS_INTERVAL", 5.0)
        if interval <= 0:
            msg = "PROGRESS_INTERVAL is 0"
            raise NotConfigured(msg)
        extension = cls(crawler, interval)
        crawler.signals.connect(extension.opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.closed, signal=signals.spider_closed)
        return extension

    def opened(self) -> None:
        self.last = (time.monotonic(), 0)
        self.loop = create_looping_call(self.tick)
        self.loop.start(self.interval, now=False)

    def closed(self) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()

    def tick(self) -> None:
        stats = self.crawler.stats
        spider = self.crawler.spider
        if stats is None or spider is None:
            return
        now, done = time.monotonic(), int(stats.get_value(DONE_STAT, 0))
        then, before = self.last
        rate = (done - before) / (now - then) if now > then else 0.0
        self.last = (now, done)
        total = stats.get_value(TOTAL_STAT)
        logger.info(progress_line(spider.name, done, int(total) if total else None, rate))
