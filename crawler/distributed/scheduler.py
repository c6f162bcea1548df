"""scrapy-redis's scheduler, telling the other processes whether this worker holds work."""

from __future__ import annotations

import os
import socket
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.utils.asyncio import create_looping_call
from scrapy_redis.scheduler import Scheduler as RedisScheduler

from crawler.distributed.keys import Keys

if TYPE_CHECKING:
    from redis import Redis
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.spiders import Spider
    from scrapy.statscollectors import StatsCollector

BUSY = "busy"
IDLE = "idle"


def worker_id() -> str:
    """This process, as other processes see it: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


class WorkerState:
    """A worker's state in Redis: busy from the moment it takes a request until it is idle
    again (nothing downloading, parsing or being stored, the shared queue empty).

    A heartbeat renews the key every REDIS_WORKER_HEARTBEAT seconds; it expires after three,
    so a worker that dies (SIGKILL, a lost machine) stops counting as busy by itself.
    Every request queued or taken also counts in the shared activity counter.
    """

    def __init__(self, server: Redis, keys: Keys, name: str, heartbeat: float) -> None:
        self.server = server
        self.keys = keys
        self.key = keys.worker(name)
        self.heartbeat = heartbeat
        self.state = IDLE
        self.loop = create_looping_call(self.beat)

    def start(self) -> None:
        self.loop.start(self.heartbeat, now=True)

    def stop(self) -> None:
        if self.loop.running:
            self.loop.stop()
        self.server.delete(self.key)

    def beat(self) -> None:
        self.server.set(self.key, self.state, px=int(self.heartbeat * 3000))

    def took(self) -> None:
        """A request was taken from the shared queue."""
        self.state = BUSY
        with self.server.pipeline(transaction=False) as pipe:
            pipe.incr(self.keys.activity)
            pipe.set(self.key, BUSY, px=int(self.heartbeat * 3000))
            pipe.execute()

    def queued(self) -> None:
        self.server.incr(self.keys.activity)

    def idle(self) -> None:
        """Connected to ``spider_idle``: Scrapy found nothing in flight and nothing queued."""
        if self.state != IDLE:
            self.state = IDLE
            self.beat()


class Scheduler(RedisScheduler):  # type: ignore[misc]  # scrapy-redis has no types
    """The shared request queue and duplicate filter of scrapy-redis, plus the worker's state.

    Settings: scrapy-redis's (REDIS_URL, SCHEDULER_QUEUE_KEY, DUPEFILTER_CLASS, ...), set by
    the add-on, and REDIS_WORKER_HEARTBEAT.
    """

    worker: WorkerState
    crawler_stats: StatsCollector | None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Scheduler:
        scheduler: Scheduler = cls.from_settings(crawler.settings)
        # Counted here rather than by scrapy-redis, whose counting passes the spider
        # argument Scrapy has deprecated.
        scheduler.crawler_stats = crawler.stats
        scheduler.worker = WorkerState(
            scheduler.server,
            Keys.from_settings(crawler.settings),
            worker_id(),
            crawler.settings.getfloat("REDIS_WORKER_HEARTBEAT", 5.0),
        )
        crawler.signals.connect(scheduler.worker.idle, signal=signals.spider_idle)
        return scheduler

    def open(self, spider: Spider) -> None:
        super().open(spider)
        self.worker.start()

    def close(self, reason: str) -> None:
        self.worker.stop()
        super().close(reason)

    def enqueue_request(self, request: Request) -> bool:
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        self.queue.push(request)
        self.worker.queued()
        self._count("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Request | None:
        request: Request | None = self.queue.pop()
        if request is not None:
            self.worker.took()
            self._count("scheduler/dequeued/redis")
        return request

    def _count(self, key: str) -> None:
        if self.crawler_stats is not None:
            self.crawler_stats.inc_value(key)
