"""A duplicate filter per generation, each set expiring: bounded memory, re-crawls on schedule.

scrapy-redis keeps one set of fingerprints forever. Here a request is a duplicate only of
requests of its own push generation (``request.meta["push"]``): within one push every page
is fetched once, and the next push of the same target fetches its pages again. Each
generation's set expires DUPEFILTER_TTL seconds after its last addition, and the
reconciliation drops it as soon as the generation is complete; so the memory held is the
fingerprints of the generations being crawled, never the history.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy_redis.connection import get_redis_from_settings
from scrapy_redis.dupefilter import RFPDupeFilter

from crawler.distributed.keys import Keys
from crawler.distributed.targets import Push, new_generation

if TYPE_CHECKING:
    from redis import Redis
    from scrapy import Request
    from scrapy.settings import BaseSettings
    from scrapy.spiders import Spider


class GenerationDupeFilter(RFPDupeFilter):  # type: ignore[misc]  # scrapy-redis has no types
    """Fingerprints in one Redis set per generation, kept DUPEFILTER_TTL seconds.

    A request without a push (none made by the live spider) counts in a generation of this
    process's own.
    """

    def __init__(self, server: Redis, keys: Keys, ttl: int, debug: bool = False) -> None:
        self.keys = keys
        self.ttl = ttl
        self.own_generation = new_generation()
        super().__init__(server, keys.dupefilter(self.own_generation), debug)

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> GenerationDupeFilter:
        return cls(
            get_redis_from_settings(settings),
            Keys.from_settings(settings),
            settings.getint("DUPEFILTER_TTL", 86400),
            settings.getbool("DUPEFILTER_DEBUG"),
        )

    @classmethod
    def from_spider(cls, spider: Spider) -> GenerationDupeFilter:
        return cls.from_settings(spider.settings)

    def request_seen(self, request: Request) -> bool:
        push = Push.from_meta(request.meta)
        key = self.keys.dupefilter(push.generation if push else self.own_generation)
        fingerprint = bytes.fromhex(self.request_fingerprint(request))
        with self.server.pipeline(transaction=False) as pipe:
            pipe.sadd(key, fingerprint)
            pipe.expire(key, self.ttl)
            added, _ = pipe.execute()
        return int(added) == 0

    def clear(self) -> None:
        """Nothing: the sets are shared by every worker and end by expiry or reconciliation."""
