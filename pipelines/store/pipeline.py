"""The store pipeline: batches page records and writes them off the reactor thread."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import run_in_thread
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from pipelines.model import PageRecord
from pipelines.runs import summarize
from pipelines.store.db import database_url, in_transaction, make_engine, migrate
from pipelines.store.loader import LoadCounts, finish_run, start_run, store_result, utcnow

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)

# Batches handed to the writer thread and not yet written before the crawl waits for them.
MAX_PENDING_BATCHES = 2


class StorePipeline:
    """Loads PageRecords into DATABASE_URL in batches of STORE_BATCH_SIZE pages.

    Each batch is one short transaction in a worker thread, each page a savepoint in it;
    batches are written one at a time, in arrival order, while the crawl goes on. Every run
    gets a crawl_runs row.
    """

    def __init__(
        self, crawler: Crawler, url: str, batch_size: int, *, write_behind: bool = True
    ) -> None:
        self.crawler = crawler
        self.write_behind = write_behind
        self.url = url
        self.batch_size = max(1, batch_size)
        self.buffer: list[PageRecord] = []
        self.counts = LoadCounts()
        self.engine: Engine | None = None
        self.sessions: sessionmaker[Session] | None = None
        self.run_id: int | None = None
        self.lock = asyncio.Lock()
        self.writes: set[asyncio.Future[None]] = set()
        self.failures: list[BaseException] = []
        self.started_at = utcnow()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        settings = crawler.settings
        if not settings.getbool("STORE_ENABLED", True):
            msg = "STORE_ENABLED is off: pages are parsed and cleaned, nothing is stored"
            raise NotConfigured(msg)
        return cls(
            crawler,
            database_url(settings.get("DATABASE_URL")),
            settings.getint("STORE_BATCH_SIZE", 100),
            write_behind=settings.getbool("STORE_WRITE_BEHIND", True),
        )

    async def open_spider(self) -> None:
        await run_in_thread(self._open)

    def _open(self) -> None:
        self.engine = make_engine(self.url)
        migrate(self.engine)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        spider = self.crawler.spider
        name = spider.name if spider else "unknown"
        arguments = dict(getattr(spider, "run_arguments", {}))
        self.started_at = utcnow()
        with self.sessions() as session, session.begin():
            self.run_id = start_run(session, name, arguments, self.started_at)
        logger.info("store: run %s writing to %s", self.run_id, _safe_url(self.url))

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageRecord):
            return item
        self.buffer.append(item)
        if len(self.buffer) >= self.batch_size:
            batch, self.buffer = self.buffer, []
            if not self.write_behind:  # the item waits until its page is stored
                await self._write_in_turn(batch)
                return item
            write = asyncio.ensure_future(self._write_in_turn(batch))
            self.writes.add(write)
            write.add_done_callback(self._written)
            # The item goes on at once: a write never holds the crawl up, unless the
            # database falls behind by more than MAX_PENDING_BATCHES batches.
            if len(self.writes) > MAX_PENDING_BATCHES:
                await asyncio.wait(set(self.writes), return_when=asyncio.FIRST_COMPLETED)
        return item

    async def _write_in_turn(self, batch: list[PageRecord]) -> None:
        async with self.lock:  # batches are written one at a time, in arrival order
            self.counts.add(await run_in_thread(self._write, batch))

    def _written(self, write: asyncio.Future[None]) -> None:
        self.writes.discard(write)
        if not write.cancelled() and write.exception() is not None:
            self.failures.append(write.exception())  # type: ignore[arg-type]
            logger.error("store: a batch could not be written", exc_info=write.exception())

    async def _flush(self) -> None:
        """Write what is buffered and wait for every batch still being written."""
        if self.buffer:
            batch, self.buffer = self.buffer, []
            await self._write_in_turn(batch)
        while self.writes:
            await asyncio.wait(set(self.writes))
        if self.failures:
            raise self.failures[0]

    def _write(self, batch: list[PageRecord]) -> LoadCounts:
        if self.sessions is None:
            msg = "store pipeline used before open_spider"
            raise RuntimeError(msg)
        run_id = self.run_id
        return in_transaction(self.sessions, lambda session: store_result(session, batch, run_id))

    async def close_spider(self) -> None:
        status = "finished"
        try:
            await self._flush()
        except Exception:
            status = "failed"
            raise
        finally:
            reason = getattr(self.crawler.stats, "get_value", lambda *_: None)("finish_reason")
            if status == "finished" and reason not in (None, "finished"):
                status = str(reason)
            await run_in_thread(self._close, status)

    def _run_counts(self) -> dict[str, int]:
        """The loader's counts and what cleaning counted in the crawl stats."""
        counts = self.counts.as_dict()
        stats = self.crawler.stats
        if stats is not None:
            for key, value in sorted(stats.get_stats().items()):
                if key.startswith("clean/") and isinstance(value, int):
                    counts[key.removeprefix("clean/")] = value
        return counts

    def _close(self, status: str) -> None:
        if self.sessions is None or self.engine is None or self.run_id is None:
            return
        counts = self._run_counts()
        now = utcnow()
        summary = summarize(status, counts, (now - self.started_at).total_seconds())
        with self.sessions() as session, session.begin():
            finish_run(session, self.run_id, status=status, counts=counts, summary=summary, now=now)
        logger.info("store: run %s %s", self.run_id, summary)
        for reason, n in sorted(self.counts.by_reason.items()):
            logger.warning("store: %d rejected: %s", n, reason)
        stats = self.crawler.stats
        if stats is not None:
            for key, value in self.counts.as_dict().items():
                stats.set_value(f"store/{key}", value)
        self.engine.dispose()


def _safe_url(url: str) -> str:
    """The URL without its password, for logs."""
    return make_url(url).render_as_string(hide_password=True)
