"""A worker takes its next round of targets as soon as the shared request queue runs dry.

scrapy-redis's ``RedisMixin`` reads a round of targets (``REDIS_START_URLS_BATCH_SIZE``,
16 here) only when the crawl is idle: nothing downloading, nothing queued, and every page
stored. A worker's pages wait for their batch to be stored (the profile writes no page
behind), and the last, part-full batch of a round waits ``STORE_FLUSH_SECONDS``: each round
ended with the worker doing nothing, and it noticed new targets pushed while it waited only
at Scrapy's idle heartbeat, five seconds apart. Now, every ``REDIS_REFILL_SECONDS``, a
worker whose shared queue holds no request takes the next round while the last pages of the
current one are still downloading or being stored, so rounds overlap as the pages of one
process's crawl do. A worker with a request queued takes nothing: the queue is shared, and
what is queued is work for whichever worker is free.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Protocol

from redis.exceptions import RedisError
from scrapy.utils.asyncio import create_looping_call

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.utils.asyncio import AsyncioLoopingCall
    from twisted.internet.task import LoopingCall

logger = logging.getLogger(__name__)

DEFAULT_REFILL_SECONDS = 0.25


class TakesTargets(Protocol):
    """The spider, as far as refilling goes (scrapy-redis's ``RedisMixin``)."""

    crawler: Crawler

    def schedule_next_requests(self) -> None: ...


class Refill:
    """Takes the next round of targets for ``spider`` whenever its shared queue is empty."""

    def __init__(self, spider: TakesTargets, interval: float = DEFAULT_REFILL_SECONDS) -> None:
        self.spider, self.interval = spider, interval
        self.loop: AsyncioLoopingCall | LoopingCall | None = None

    def start(self) -> None:
        if self.interval > 0 and self.loop is None:
            self.loop = create_looping_call(self.tick)
            self.loop.start(self.interval, now=False)

    def stop(self, *_: Any) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self.loop = None

    def tick(self) -> None:
        engine = self.spider.crawler.engine
        if engine is None or not engine.running:
            return
        # ``engine.scheduler`` is Scrapy 2.19's; before, the engine's slot held it.
        scheduler = getattr(engine, "scheduler", None) or getattr(
            getattr(engine, "_slot", None), "scheduler", None
        )
        if scheduler is None:
            return
        try:
            if not scheduler.has_pending_requests():
                self.spider.schedule_next_requests()
        except RedisError as exc:
            # Redis away for a moment: the next tick (or the idle worker) tries again; the
            # loop must not die of it.
            logger.debug("refill: Redis unavailable (%s); trying again", exc)
