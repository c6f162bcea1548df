"""The cleaning pipeline: parsed page items in, clean page records out."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import run_in_thread

from crawler.items import PageItem
from pipelines.clean import clean_page
from pipelines.model import PageRecord
from pipelines.runs import REPAIR_PREFIX

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

    from pipelines.model import CleanPage

logger = logging.getLogger(__name__)


def page_record(item: PageItem, display_limit: int, max_year: int) -> PageRecord:
    """The record the store loads for ``item``: its provenance and its cleaned page."""
    clean = (
        clean_page(
            item.page, display_limit=display_limit, max_year=max_year, fetched_at=item.fetched_at
        )
        if item.page is not None
        else None
    )
    return PageRecord(item, clean)


class CleaningPipeline:
    """Turns each PageItem into a PageRecord; settings: AUTHOR_DISPLAY_LIMIT.

    What cleaning found is counted in the crawl stats under ``clean/`` (cut author lists,
    unknown venues, abstract repairs by rule); the store pipeline keeps them with the run.
    """

    def __init__(self, display_limit: int, stats: StatsCollector | None = None) -> None:
        if display_limit < 1:
            msg = f"AUTHOR_DISPLAY_LIMIT must be a positive number, not {display_limit}"
            raise NotConfigured(msg)
        self.display_limit = display_limit
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CleaningPipeline:
        return cls(crawler.settings.getint("AUTHOR_DISPLAY_LIMIT", 8), crawler.stats)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem):
            return item
        if item.error is not None:
            logger.error("rejected page %s: %s", item.source, item.error)
        # Cleaning is CPU work (regexes, dateparser): it runs off the reactor thread. Next
        # year is the latest plausible year: pages list accepted papers early.
        max_year = datetime.now(UTC).year + 1
        record = await run_in_thread(page_record, item, self.display_limit, max_year)
        if record.page is not None:
            self._count(record.page)
            for text in record.page.unparsed_dates:
                logger.warning("%s: cannot read the date %r; kept unset", item.source, text)
            for reject in record.page.rejects:
                logger.warning(
                    "rejected paper %d of %s: %s (the rest of the page is kept)",
                    reject.index,
                    item.source,
                    reject.reason,
                )
        return record

    def _count(self, page: CleanPage) -> None:
        if self.stats is None:
            return
        for paper in page.papers:
            if paper.authors_complete is False:
                self.stats.inc_value("clean/truncated_lists")
            if not paper.venue.known:
                self.stats.inc_value("clean/unknown_venues")
            for rule in paper.repairs:
                self.stats.inc_value(f"clean/{REPAIR_PREFIX}{rule}")
        for _ in page.unparsed_dates:
            self.stats.inc_value("clean/unparsed_dates")
