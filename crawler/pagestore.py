"""Where page records leave the spiders: stored whole, then passed on as paper items.

A spider middleware rather than an item pipeline: a page is the unit of storage (stored
whole or quarantined whole, its raw body archived), while items are papers, the unit users
export. So each page record a spider yields is handed to the store here, off the reactor
thread and in batches, and replaced in the output by its papers' items, which then go
through any item pipelines and feed exports like any Scrapy item.

At the end of a run its health is judged (``crawler.health``): a finished run whose figures
depart from the recent healthy runs over the same targets ends "degraded", its figures and
reasons stored with it, and a run that needs a look sends the alerts set.

Settings: STORE_ENABLED (off: nothing stored, items still made), STORE_BATCH_SIZE,
STORE_WRITE_BEHIND, STORE_FLUSH_SECONDS, the store's DATABASE_URL, and the HEALTH_* settings
(``crawler.health``).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import CloseSpider
from scrapy.utils.asyncio import create_looping_call, run_in_thread

from crawler.health import HealthCheck
from crawler.items import paper_items
from crawler.runtime import OwnThread
from pipelines.health import RunOutcome, targets_key, verdict
from pipelines.model import PageRecord
from pipelines.runs import FAILURE_STAT, REPAIR_PREFIX, STATUS_STAT, LoadCounts
from pipelines.store import Store, StoreError, safe_url

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings
    from scrapy.utils.asyncio import AsyncioLoopingCall
    from twisted.internet.task import LoopingCall

    from pipelines.health import Health

logger = logging.getLogger(__name__)

LOG_LEVELS = {"finished": logging.INFO, "stopped": logging.INFO, "failed": logging.ERROR}
# Batches handed to the writer thread and not yet written before the crawl waits for them:
# one being written and one ready to follow keep the writer busy. (Two ready, as before,
# were no faster on a 6,000-page replay and held 500 more pages in memory.)
MAX_PENDING_BATCHES = 1
# Sent once a page is stored (or, with STORE_WRITE_BEHIND, handed to the writer):
# ``record`` and the ``response`` it came from (None for a replay).
page_stored = object()


class PageStoreMiddleware:
    """Stores the page records spiders yield and yields their papers as items.

    Each batch is one short transaction in a worker thread, each page a savepoint in it;
    batches are written one at a time, in arrival order, while the crawl goes on (at most
    MAX_PENDING_BATCHES behind). Every run gets a ``crawl_runs`` row and a summary.
    """

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.enabled = settings.getbool("STORE_ENABLED", True)
        self.items = paper_items_wanted(settings)
        self.batch_size = max(1, settings.getint("STORE_BATCH_SIZE", 100))
        self.write_behind = settings.getbool("STORE_WRITE_BEHIND", True)
        # Without write-behind, pages wait for their batch: one that is not full is written
        # this long after its first page came, so that no page waits on pages still to come.
        self.flush_seconds = max(0.0, settings.getfloat("STORE_FLUSH_SECONDS", 0.5))
        self.waiting: asyncio.Future[None] | None = None  # the buffered batch, once written
        self.flush_timer: asyncio.TimerHandle | None = None
        self.store: Store | None = None
        self.run_id: int | None = None
        self.heartbeat_every = settings.getfloat("RUN_HEARTBEAT", 60.0)
        self.heartbeat: AsyncioLoopingCall | LoopingCall | None = None  # made when the run starts
        self.beats: set[asyncio.Future[None]] = set()
        self.buffer: list[PageRecord] = []
        self.counts = LoadCounts()
        self.lock = asyncio.Lock()
        self.writes: set[asyncio.Future[None]] = set()
        self.writer: OwnThread | None = None  # the thread batches are written on
        self.failures: list[BaseException] = []
        self.health = HealthCheck.from_settings(settings)
        # Per cluster key, the papers live fetches showed: what disappeared is judged on
        # them (None: not collected, for a worker that runs until stopped).
        self.seen: dict[str, set[str]] | None = {}
        self.resumed = resumes_a_crawl(settings.get("JOBDIR"))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PageStoreMiddleware:
        middleware = cls(crawler)
        crawler.signals.connect(middleware.open, signal=signals.spider_opened)
        crawler.signals.connect(middleware.close, signal=signals.spider_closed)
        return middleware

    # -- routing ----------------------------------------------------------------------------

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for output in start:
            async for routed in self._route(output, None):
                yield routed

    async def process_spider_output(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        async for output in result:
            async for routed in self._route(output, response):
                yield routed

    async def _route(self, output: Any, response: Response | None) -> AsyncIterator[Any]:
        if not isinstance(output, PageRecord):
            yield output
            return
        self._note(output)
        self._remember(output)
        if self.store is not None:
            await self._take(output)
        self.crawler.signals.send_catch_log(page_stored, record=output, response=response)
        if self.items:
            for item in paper_items(output, self.run_id):
                yield item

    def _note(self, record: PageRecord) -> None:
        """Log and count what the page was and what cleaning found on it (the run's health
        figures are made of these counts)."""
        _log_refusals(record)
        stats = self.crawler.stats
        if stats is None:
            return
        for key, n in page_counts(record).items():
            stats.inc_value(key, n)
        if record.fingerprint:
            stats.set_value(f"markup/{record.fingerprint}", 1)

    def _remember(self, record: PageRecord) -> None:
        """Note which papers a live fetch showed on its cluster: a live crawl follows a
        cluster's pages to the end, so a paper it did not see is gone from the site (a
        replay reads what it is given, and says nothing of what disappeared)."""
        if self.seen is None or record.reprocess or record.page is None:
            return
        shown = self.seen.setdefault(record.page.cluster.key, set())
        shown.update(paper.key for paper in record.page.papers)

    # -- storing ----------------------------------------------------------------------------

    async def open(self) -> None:
        if not self.enabled:
            logger.info(
                "store: STORE_ENABLED is off: pages are parsed and cleaned, nothing is stored"
            )
            return
        name, arguments = self._spider()
        try:
            self.store = await run_in_thread(Store.from_settings, self.crawler.settings)
            self.run_id = await run_in_thread(self.store.start_run, name, arguments)
        except StoreError as exc:
            logger.error("store: %s", exc)
            raise CloseSpider("store unavailable") from exc
        logger.info("store: run %s writing to %s", self.run_id, safe_url(self.store.url))
        if self._worker():
            self.seen = None
        if self.heartbeat_every > 0:
            self.heartbeat = create_looping_call(self._beat)
            self.heartbeat.start(self.heartbeat_every, now=False)

    async def _take(self, record: PageRecord) -> None:
        self.buffer.append(record)
        if not self.write_behind:  # the page waits until it is stored
            await self._stored()
            return
        if len(self.buffer) < self.batch_size:
            return
        batch, self.buffer = self.buffer, []
        write = asyncio.ensure_future(self._write_in_turn(batch))
        self.writes.add(write)
        write.add_done_callback(self._written)
        # The crawl goes on at once: a write never holds it up, unless the database falls
        # behind by more than MAX_PENDING_BATCHES batches.
        if len(self.writes) > MAX_PENDING_BATCHES:
            await asyncio.wait(set(self.writes), return_when=asyncio.FIRST_COMPLETED)

    async def _stored(self) -> None:
        """Wait until the buffered batch, the page just taken among them, is stored: written
        when it is full, else STORE_FLUSH_SECONDS after its first page came (or at the end).
        A failed write fails every page of the batch, and the run at its end; raised here
        too, so that no page of it is passed on (nor recorded as stored by a worker)."""
        if self.waiting is None:
            loop = asyncio.get_running_loop()
            self.waiting = loop.create_future()
            if self.batch_size > 1:
                self.flush_timer = loop.call_later(self.flush_seconds, self._write_waiting)
        waiting = self.waiting
        if len(self.buffer) >= self.batch_size:
            self._write_waiting()
        await asyncio.shield(waiting)

    def _write_waiting(self) -> None:
        """Start writing the buffered batch; its pages' future is settled when it is done."""
        waiting, self.waiting = self.waiting, None
        if self.flush_timer is not None:
            self.flush_timer.cancel()
            self.flush_timer = None
        if waiting is None:
            return
        batch, self.buffer = self.buffer, []
        write = asyncio.ensure_future(self._write_in_turn(batch))
        self.writes.add(write)
        write.add_done_callback(self._written)
        write.add_done_callback(partial(_settle, waiting))

    async def _write_in_turn(self, batch: list[PageRecord]) -> None:
        assert self.store is not None
        if self.writer is None:
            self.writer = OwnThread("store-writer")
        async with self.lock:  # batches are written one at a time, in arrival order
            self.counts.add(await self.writer.run(self.store.load, batch, self.run_id))

    def _written(self, write: asyncio.Future[None]) -> None:
        self.writes.discard(write)
        if not write.cancelled() and write.exception() is not None:
            self.failures.append(write.exception())  # type: ignore[arg-type]
            logger.error("store: a batch could not be written: %s", write.exception())

    async def _flush(self) -> None:
        """Write what is buffered and wait for every batch still being written; then the
        writer thread ends."""
        try:
            if self.waiting is not None:
                self._write_waiting()
            elif self.buffer:
                batch, self.buffer = self.buffer, []
                await self._write_in_turn(batch)
            while self.writes:
                await asyncio.wait(set(self.writes))
        finally:
            if self.writer is not None:
                self.writer.close()
                self.writer = None
        if self.failures:
            raise self.failures[0]

    def _beat(self) -> None:
        """Tell the store the run is alive, off the reactor; a missed beat is only logged."""
        if self.store is None or self.run_id is None:
            return
        beat = asyncio.ensure_future(run_in_thread(self.store.beat, self.run_id))
        self.beats.add(beat)
        beat.add_done_callback(self._beaten)

    def _beaten(self, beat: asyncio.Future[None]) -> None:
        self.beats.discard(beat)
        if not beat.cancelled() and beat.exception() is not None:
            logger.warning("store: the run's heartbeat failed: %s", beat.exception())

    async def close(self, reason: str) -> None:
        await self._stop_heartbeat()
        stats = self.crawler.stats
        why = stats.get_value(FAILURE_STAT) if stats is not None else None
        if self.store is None or self.run_id is None:
            if stats is not None and not self.enabled:
                stats.set_value(STATUS_STAT, "failed" if why else _status(reason, self._worker()))
            return
        try:
            await self._flush()
        except Exception as exc:  # noqa: BLE001 (the run records the failure, below)
            why = f"the store failed: {exc}".splitlines()[0]
            logger.error("store: %s", why)
        status, why = self._ending(reason, why)
        name, arguments = self._spider()
        targets = targets_key(name, arguments)
        health = await self._judge(targets, status)
        status = verdict(status, health)
        if status == "degraded" and health is not None:
            why = "; ".join(health.reasons)
        finish = partial(
            self.store.finish_run,
            self.run_id,
            status,
            self._run_counts(),
            why=why,
            health=health,
            targets=targets,
        )
        summary = await run_in_thread(finish)
        self._tell(status, summary)
        # Last: the run's data and status are settled whatever becomes of its alerts.
        await self._alert(RunOutcome(self.run_id, name, arguments, status, health, summary, why))

    async def _stop_heartbeat(self) -> None:
        if self.heartbeat is not None and self.heartbeat.running:
            self.heartbeat.stop()
        if self.beats:
            await asyncio.wait(set(self.beats))

    def _ending(self, reason: str, why: str | None) -> tuple[str, str | None]:
        """The run's status before its health is judged, and why it failed if it did."""
        status = "failed" if why else _status(reason, self._worker())
        if (
            status == "finished"
            and self.counts.pages
            and self.counts.pages == (self.counts.pages_rejected)
        ):
            return "failed", "every page was refused"
        return status, why

    def _tell(self, status: str, summary: str) -> None:
        """The run's summary in the log and its counts and status in Scrapy's stats."""
        level = LOG_LEVELS.get(status, logging.WARNING)
        logger.log(level, "store: run %s %s", self.run_id, summary)
        for reason_counted, n in sorted(self.counts.by_reason.items()):
            logger.warning("store: %d rejected: %s", n, reason_counted)
        stats = self.crawler.stats
        if stats is not None:
            for key, value in self.counts.as_dict().items():
                stats.set_value(f"store/{key}", value)
            stats.set_value("store/run", self.run_id)
            stats.set_value(STATUS_STAT, status)

    async def _alert(self, outcome: RunOutcome) -> None:
        try:
            await run_in_thread(self.health.alert, outcome)
        except Exception as exc:  # noqa: BLE001 (an alert never fails the run)
            logger.error("health: run %s alerts failed: %s", self.run_id, type(exc).__name__)

    async def _judge(self, targets: str, status: str) -> Health | None:
        """The run's health, judged off the reactor; None when it cannot be (logged: the
        run's data stands without it)."""
        assert self.store is not None and self.run_id is not None
        stats = dict(self.crawler.stats.get_stats()) if self.crawler.stats is not None else {}
        try:
            judge = partial(
                self.health.judge,
                targets=targets,
                status=status,
                stats=stats,
                seen=self.seen,
                resumed=self.resumed,
            )
            return await run_in_thread(judge, self.store, self.run_id)
        except Exception as exc:  # noqa: BLE001 (health is an opinion on the run, not its data)
            logger.error("health: run %s could not be judged: %s", self.run_id, exc)
            return None

    def _spider(self) -> tuple[str, dict[str, str]]:
        """The spider's name and the arguments its run is recorded with."""
        spider = self.crawler.spider
        name = spider.name if spider else "unknown"
        return name, dict(getattr(spider, "run_arguments", {}))

    def _worker(self) -> bool:
        """Whether the crawl is a distributed worker, which runs until stopped."""
        spider = self.crawler.spider
        return getattr(spider, "run_arguments", {}).get("targets") == "redis"

    def _run_counts(self) -> dict[str, int]:
        """The loader's counts and what cleaning counted in the crawl stats."""
        counts = self.counts.as_dict()
        stats = self.crawler.stats
        if stats is not None:
            for key, value in sorted(stats.get_stats().items()):
                if key.startswith("clean/") and isinstance(value, int):
                    counts[key.removeprefix("clean/")] = value
        return counts


def _settle(waiting: asyncio.Future[None], write: asyncio.Future[None]) -> None:
    """Pass a batch's write on to the pages waiting for it: stored, or its failure."""
    if waiting.done():
        return
    if write.cancelled():
        waiting.cancel()
    elif write.exception() is not None:
        waiting.set_exception(write.exception())  # type: ignore[arg-type]
    else:
        waiting.set_result(None)


def _log_refusals(record: PageRecord) -> None:
    """One line for a page refused, a paper refused, a date that could not be read."""
    if record.page is None:
        logger.error("rejected page %s: %s", record.source, record.error)
        return
    for text in record.page.unparsed_dates:
        logger.warning("%s: cannot read the date %r; kept unset", record.source, text)
    for reject in record.page.rejects:
        logger.warning(
            "rejected paper %d of %s: %s (the rest of the page is kept)",
            reject.index,
            record.source,
            reject.reason,
        )


# Size: one count per thing a page may show (papers, cut lists, unknown venues, repairs, dates).
def page_counts(record: PageRecord) -> Counter[str]:
    """What one page adds to the run's counts: which parser read it, its papers, and what
    cleaning found (cut lists, unknown venues, repaired abstracts by rule, unread dates)."""
    counts = Counter({"pages/done": 1, f"pages/{record.markup or 'refused'}": 1})
    if record.page is None:
        return counts
    papers = record.page.papers
    counts["papers/seen"] += len(papers)
    counts["clean/abstracts_repaired"] += sum(1 for p in papers if p.repairs)
    counts["clean/truncated_lists"] += sum(1 for p in papers if p.authors_complete is False)
    counts["clean/unknown_venues"] += sum(1 for p in papers if not p.venue.known)
    counts.update(f"clean/{REPAIR_PREFIX}{rule}" for p in papers for rule in p.repairs)
    counts["clean/unparsed_dates"] += len(record.page.unparsed_dates)
    return +counts  # no zero counts: a run's counts name what happened


def paper_items_wanted(settings: BaseSettings) -> bool:
    """Whether pages are passed on as paper items: PAPER_ITEMS when set, else when anything
    takes items (a feed, ``-o``/``-O``, Scrapyd's items feed, an item pipeline). Each item
    costs Scrapy's item machinery about as much as parsing its page, which a replay that
    only stores need not pay."""
    if settings.get("PAPER_ITEMS") is not None:
        return settings.getbool("PAPER_ITEMS")
    pipelines = settings.getwithbase("ITEM_PIPELINES")
    return bool(settings.getdict("FEEDS")) or any(v is not None for v in pipelines.values())


def resumes_a_crawl(jobdir: str | None) -> bool:
    """Whether the crawl takes up an interrupted one (Scrapy's JOBDIR with requests already
    seen): it fetches only what is left, so its figures say nothing of whole targets. Read
    before the scheduler opens the job's files."""
    if not jobdir:
        return False
    seen = Path(jobdir) / "requests.seen"
    return seen.is_file() and seen.stat().st_size > 0


def _status(reason: str, worker: bool) -> str:
    """A run's status from why Scrapy closed it: "finished"; "stopped" for a distributed
    worker stopped as workers are (Ctrl-C, SIGTERM); else the reason it ended early (a
    one-shot crawl's "shutdown", a CLOSESPIDER_* limit, a start-up "failed")."""
    if reason == "finished":
        return "finished"
    return "stopped" if worker and reason == "shutdown" else reason
