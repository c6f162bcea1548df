"""The workers' record of what they stored, per generation, for the reconciliation.

For every page of a pushed target that went through the pipelines, the worker records under
its URL the sha256 of what it passed to the store and the page it leads to (its ``rel=next``
page); for a search page, the cluster page it found. The reconciliation walks these from each
target's first page and checks every recorded fetch against the store, which stays the
judge: a record whose page the store does not hold counts as missing.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy_redis.connection import get_redis_from_settings

from crawler.distributed.keys import Keys
from crawler.distributed.targets import Push
from crawler.pagestore import page_stored

if TYPE_CHECKING:
    from redis import Redis
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.python.failure import Failure

    from pipelines.model import PageRecord

logger = logging.getLogger(__name__)

FOUND_BY = "found_by"  # request meta: the search page that found this cluster page


@dataclass(frozen=True, slots=True)
class Done:
    """A page handled in a generation: the sha256 of the body given to the store (None for
    a search page, which is not stored), the page it leads to, the cluster's name that
    page continues, and, for a page asked for at a URL that redirected, the URL the site
    answered from (where the store keeps the page)."""

    sha256: str | None
    next_url: str | None = None
    cluster: str | None = None
    at: str | None = None

    def to_json(self) -> str:
        data = {"sha256": self.sha256, "next": self.next_url, "cluster": self.cluster}
        if self.at is not None:
            data["at"] = self.at
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: bytes | str) -> Done:
        data = json.loads(text)
        return cls(data.get("sha256"), data.get("next"), data.get("cluster"), data.get("at"))


class Progress:
    """Extension of the distributed profile: records stored pages (``page_stored``: the
    page store has taken the page) and search results (``request_scheduled``).

    Settings: REDIS_URL, REDIS_KEY_PREFIX, REDIS_LEDGER_TTL (how long records are kept when
    no reconciliation closes their generation).
    """

    def __init__(self, server: Redis, keys: Keys, ttl: int) -> None:
        self.server = server
        self.keys = keys
        self.ttl = ttl
        # Records not yet written: those made in one turn of the event loop (a stored
        # batch's pages) go to Redis together, in one round trip, after the pages went on.
        self.pending: list[tuple[str, str, str]] = []
        self.closing = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        settings = crawler.settings
        if not settings.get("REDIS_URL"):
            msg = "REDIS_URL is not set"
            raise NotConfigured(msg)
        progress = cls(
            get_redis_from_settings(settings),
            Keys.from_settings(settings),
            settings.getint("REDIS_LEDGER_TTL", 7 * 86400),
        )
        crawler.signals.connect(progress.page_stored, signal=page_stored)
        crawler.signals.connect(progress.request_scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(progress.close, signal=signals.spider_closed)
        return progress

    def close(self) -> None:
        """Write what is pending; from now on each record is written at once."""
        self.closing = True
        self.flush()

    def page_stored(self, record: PageRecord, response: Response | Failure | None) -> None:
        # A response, or for a failed fetch the Failure: both carry the request.
        request = getattr(response, "request", None)
        push = Push.from_meta(request.meta) if request is not None else None
        if push is None or push.target is None:
            return
        done = Done(record.fetch.sha256, record.next_url, record.cluster_name)
        self.record(push.generation, record.source, done)
        # The walk follows links as pages give them: a page that redirected is recorded
        # under the URL asked for too, pointing at where the store keeps it. (Only a record
        # of the response itself: one finished after its detail pages comes with theirs.)
        if request is not None and getattr(response, "url", None) == record.source:
            asked = (request.meta.get("redirect_urls") or [record.source])[0]
            if asked != record.source:
                self.record(push.generation, asked, replace(done, at=record.source))

    def request_scheduled(self, request: Request) -> None:
        found_by = request.meta.get(FOUND_BY)
        push = Push.from_meta(request.meta)
        if not found_by or push is None or push.target is None:
            return
        self.record(push.generation, found_by, Done(None, request.url))

    def record(self, generation: str, url: str, done: Done) -> None:
        """Record ``url`` as done: at the end of this turn of the event loop, with the
        records made in the same turn (at once when no loop runs, or the crawl is closing).
        A record lost with the process leaves its page to the reconciliation, which queues
        it again: the store, not the record, says what is stored."""
        self.pending.append((self.keys.done(generation), url, done.to_json()))
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is None or self.closing:
            self.flush()
        elif len(self.pending) == 1:
            loop.call_soon(self.flush)

    def flush(self) -> None:
        """Write the pending records in one round trip; a failure is logged (the pages
        stay stored, and the reconciliation finds them)."""
        pending, self.pending = self.pending, []
        if not pending:
            return
        try:
            with self.server.pipeline(transaction=False) as pipe:
                for key, url, text in pending:
                    pipe.hset(key, url, text)
                for key in dict.fromkeys(key for key, _, _ in pending):
                    pipe.expire(key, self.ttl)
                pipe.execute()
        except Exception as exc:  # noqa: BLE001 (a record is a hint; the store is the judge)
            logger.error("progress: %d records of stored pages not written: %s", len(pending), exc)
