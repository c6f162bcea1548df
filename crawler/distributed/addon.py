"""The distributed profile as a Scrapy add-on: nothing changes unless REDIS_URL is set."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy_redis.connection import get_redis

from crawler.distributed.keys import Keys

if TYPE_CHECKING:
    from redis import Redis
    from scrapy.settings import BaseSettings

PROGRESS = "crawler.distributed.progress.Progress"
# Pages a worker stores per transaction: a few times the pages in flight at once
# (CONCURRENT_REQUESTS), so that a busy worker's batches fill, while the flush timer
# writes an idle worker's.
WORKER_BATCH_SIZE = 32


def redis_url(settings: BaseSettings) -> str | None:
    """The Redis server of the profile: the REDIS_URL setting (which the environment may
    give, as every setting: crawler/settings.py); None when unset (the profile is off)."""
    return settings.get("REDIS_URL") or None


def connect(settings: BaseSettings) -> Redis:
    """A client for the profile's Redis server, with scrapy-redis's connection defaults
    (for commands, which run without a crawler and so without the add-on)."""
    url = redis_url(settings)
    if not url:
        msg = "REDIS_URL is not set (as a setting or in the environment)"
        raise ValueError(msg)
    client: Redis = get_redis(url=url, **settings.getdict("REDIS_PARAMS"))
    return client


class RedisAddon:
    """Runs the crawl on scrapy-redis when REDIS_URL is set: requests are queued in and taken
    from Redis, the duplicate filter lives there (per generation, expiring), the live spider
    reads targets from Redis when given none, and workers record what they stored.

    The profile's pages wait for their batch to be stored before they go on (no
    write-behind: a worker records a page as stored only once it is), in batches of
    WORKER_BATCH_SIZE pages (STORE_BATCH_SIZE on the command line wins), and a batch that is
    not full is written STORE_FLUSH_SECONDS after its first page: a worker idles instead of
    ending, so no page waits for the end of the crawl.
    """

    def update_settings(self, settings: BaseSettings) -> None:
        url = redis_url(settings)
        if not url:
            return
        keys = Keys.from_settings(settings)
        for name, value in {
            "REDIS_URL": url,
            "SCHEDULER": "crawler.distributed.scheduler.Scheduler",
            "DUPEFILTER_CLASS": "crawler.distributed.dupefilter.GenerationDupeFilter",
            # The queue is shared: a worker that stops leaves it to the others.
            "SCHEDULER_PERSIST": True,
            "SCHEDULER_QUEUE_KEY": keys.requests,
            "REDIS_START_URLS_KEY": keys.targets,
        }.items():
            settings.set(name, value, priority="addon")
        settings["EXTENSIONS"][PROGRESS] = 0
        settings.set("STORE_BATCH_SIZE", WORKER_BATCH_SIZE, priority="project")
        # A page is recorded as stored once the pipelines let it go: it must be in the store.
        settings.set("STORE_WRITE_BEHIND", False, priority="project")
