"""Replay saved pages from disk, or the page archive: no network, one record per page."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import scrapy
from scrapy.exceptions import CloseSpider
from scrapy.utils.asyncio import run_in_thread

from crawler.progresslog import TOTAL_STAT
from crawler.runtime import OwnThread
from crawler.spiders import SpiderArgumentError, check_arguments, clean_settings
from pipelines.parallel import ParallelSavedPages, default_workers
from pipelines.runs import FAILURE_STAT
from pipelines.runtime import DEFAULT_THRESHOLD
from pipelines.store import ParallelArchive, Store

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

    from scrapy.crawler import Crawler

    from pipelines.model import PageRecord
    from pipelines.process import CleanSettings

DEFAULT_PATH = "fixtures/html"
ARGUMENTS = ("path", "source", "run", "url")


class ReplaySpider(scrapy.Spider):
    """``scrapy crawl replay -a path=FILE_OR_DIR``: parse saved pages into page records.

    A page's ``rel="next"`` link that points at another saved file is followed too.
    ``-a source=archive`` (with ``-a run=N`` or ``-a url=PREFIX`` to narrow it) parses the
    page archive of the store again instead, without the network: after a parser change.
    """

    name = "replay"
    # Scrapy's own attribute. A replay stores in larger batches than a live crawl: it has
    # no page waiting on the network, and a batch's fixed costs (its reads of what is
    # stored, its commit) are then spread over more pages; `-s STORE_BATCH_SIZE=` wins.
    # 250, not 500: a late batch of a long replay holds more of its papers' stored rows, and
    # 500 made a 20,000-page replay's peak memory 1.12x a 2,000-page one's (1.08x now), for
    # no pages/s (three interleaved 6,000-page replays each way: 17.9 s on average both).
    # A replay downloads nothing: Scrapy's HTTP handler, which it would otherwise load when
    # the crawl starts (with its TLS machinery: about a tenth of a second), is left out, and
    # so is retrying (its list of errors names the handler's).
    custom_settings = {  # noqa: RUF012
        "ROBOTSTXT_OBEY": False,
        "STORE_BATCH_SIZE": 250,
        "DOWNLOAD_HANDLERS": dict.fromkeys(("http", "https", "file", "s3", "ftp")),
        "RETRY_ENABLED": False,
    }

    def __init__(
        self,
        path: str = DEFAULT_PATH,
        source: str = "files",
        run: str | None = None,
        url: str | None = None,
        **kwargs: Any,
    ) -> None:
        check_arguments(self.name, kwargs, ARGUMENTS)
        super().__init__(**kwargs)
        if source not in ("files", "archive"):
            msg = f"replay: -a source= takes 'files' or 'archive', not {source!r}"
            raise SpiderArgumentError(msg)
        if source == "files" and not path.strip():
            msg = "replay: -a path= names no file or directory (leave it out for fixtures/html)"
            raise SpiderArgumentError(msg)
        if run is not None and not run.isdigit():
            msg = f"replay: -a run= takes a run number, not {run!r}"
            raise SpiderArgumentError(msg)
        self.path = path
        self.source = source
        self.archive_run = int(run) if run else None
        self.archive_url = url
        self.run_arguments = (
            {"path": path}
            if source == "files"
            else {
                "source": source,
                **({"run": run} if run else {}),
                **({"url": url} if url else {}),
            }
        )
        self.settings_for_cleaning: CleanSettings | None = None
        self.workers = 1
        self.gc_threshold: int | None = None  # the workers' cycle collector (GC_TUNING)
        self._chunks: Iterator[list[PageRecord]] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> ReplaySpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.settings_for_cleaning = clean_settings(crawler.settings)
        workers = crawler.settings.getint("REPLAY_WORKERS", 0)
        spider.workers = workers if workers > 0 else default_workers()
        if crawler.settings.getbool("GC_TUNING", True):
            threshold = crawler.settings.getint("GC_THRESHOLD", DEFAULT_THRESHOLD)
            spider.gc_threshold = threshold if threshold > 0 else None
        return spider

    @property
    def cleaning(self) -> CleanSettings:
        assert self.settings_for_cleaning is not None  # set by from_crawler
        return self.settings_for_cleaning

    async def start(self) -> AsyncIterator[Any]:
        records = self._archive() if self.source == "archive" else self._files()
        async for record in records:
            yield record

    async def _files(self) -> AsyncIterator[PageRecord]:
        # Reading, parsing and cleaning are blocking work, done off the reactor: in a pool of
        # worker processes (REPLAY_WORKERS), chunks of records handed back through a thread.
        try:
            pages = ParallelSavedPages(
                Path(self.path), self.cleaning, self.workers, self.gc_threshold
            )
        except FileNotFoundError:
            self._fail(f"-a path={self.path}: no such file or directory")
        async for record in self._pooled(pages):
            yield record

    async def _pooled(
        self, pages: ParallelSavedPages | ParallelArchive
    ) -> AsyncIterator[PageRecord]:
        """The records of ``pages``, counted first for the progress log, handed back chunk by
        chunk through a thread (the pool is iterated there, never on the reactor)."""
        total = await run_in_thread(pages.count)
        if self.crawler.stats is not None:
            self.crawler.stats.set_value(TOTAL_STAT, total)
        self._chunks = iter(pages)
        reader = OwnThread("replay-reader")  # why one thread: crawler.runtime.OwnThread
        try:
            while (chunk := await reader.run(next, self._chunks, None)) is not None:
                for record in chunk:
                    yield record
        finally:
            reader.close()

    def closed(self, reason: str) -> None:  # noqa: ARG002 (Scrapy's signature)
        """Stop the worker processes if the run ends before the pages do."""
        if self._chunks is not None and hasattr(self._chunks, "close"):
            self._chunks.close()

    def _fail(self, why: str) -> NoReturn:
        """End the run as failed, with ``why`` in its record and in one log line."""
        self.logger.error("replay: %s", why)
        if self.crawler.stats is not None:
            self.crawler.stats.set_value(FAILURE_STAT, why)
        raise CloseSpider("failed")

    async def _archive(self) -> AsyncIterator[PageRecord]:
        """Records of the archived pages: decompressed, parsed and cleaned by the pool of
        worker processes (REPLAY_WORKERS), handed back through a thread."""
        store = await run_in_thread(Store.from_settings, self.settings)
        pages = ParallelArchive(
            store,
            self.cleaning,
            self.workers,
            run=self.archive_run,
            url_prefix=self.archive_url,
            gc_threshold=self.gc_threshold,
        )
        async for record in self._pooled(pages):
            yield record
