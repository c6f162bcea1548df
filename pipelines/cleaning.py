"""The cleaning pipeline: parsed page items in, clean page records out."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import NotConfigured

from crawler.items import PageItem
from pipelines.clean import clean_page
from pipelines.model import PageRecord

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class CleaningPipeline:
    """Turns each PageItem into a PageRecord; settings: AUTHOR_DISPLAY_LIMIT."""

    def __init__(self, display_limit: int) -> None:
        if display_limit < 1:
            msg = f"AUTHOR_DISPLAY_LIMIT must be a positive number, not {display_limit}"
            raise NotConfigured(msg)
        self.display_limit = display_limit

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CleaningPipeline:
        return cls(crawler.settings.getint("AUTHOR_DISPLAY_LIMIT", 8))

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem):
            return item
        clean = None
        if item.error is not None:
            logger.error("rejected page %s: %s", item.source, item.error)
        if item.page is not None:
            # Next year is the latest plausible year: pages list accepted papers early.
            max_year = datetime.now(UTC).year + 1
            clean = clean_page(item.page, display_limit=self.display_limit, max_year=max_year)
            for reject in clean.rejects:
                logger.warning(
                    "rejected paper %d of %s: %s (the rest of the page is kept)",
                    reject.index,
                    item.source,
                    reject.reason,
                )
        return PageRecord(
            source=item.source,
            sha256=item.sha256,
            size=item.size,
            content_type=item.content_type,
            fetched_at=item.fetched_at,
            body=item.body,
            page=clean,
            error=item.error,
        )
