"""The cleaning pipeline: items in, records out, what it found counted in the crawl stats."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawler.items import page_item
from pipelines.cleaning import CleaningPipeline
from pipelines.model import PageRecord

PAGE = """Author name cluster
Jeff Dean
2 papers
Workshop on Tiny Things Workshop 2021 Workshop Paper
A Small Paper
• Ann One
• Bea Two
Tiny models, tiny data: an abstract with \\emph{LaTeX} in it and a broken 2. 5 number.
ICML Conference 2018 Conference Paper
A Cut Paper
""" + "".join(f"• Person {c}\n" for c in "ABCDEFGH")


def test_counts_cut_lists_unknown_venues_and_repairs() -> None:
    crawler = get_crawler(settings_dict={"AUTHOR_DISPLAY_LIMIT": 8})
    assert crawler.stats is not None
    crawler.stats.open_spider()
    pipeline = CleaningPipeline.from_crawler(crawler)
    item = page_item(PAGE.encode(), "t.txt", datetime(2026, 1, 1, tzinfo=UTC), "text/plain")
    record = asyncio.run(pipeline.process_item(item))
    assert isinstance(record, PageRecord)
    assert record.page is not None
    assert [p.venue.known for p in record.page.papers] == [False, True]
    stats = crawler.stats.get_stats()
    assert stats["clean/unknown_venues"] == 1
    assert stats["clean/truncated_lists"] == 1
    assert stats["clean/repairs/latex"] == stats["clean/repairs/decimals"] == 1


def test_other_items_pass_through() -> None:
    pipeline = CleaningPipeline(8)
    marker = object()
    assert asyncio.run(pipeline.process_item(marker)) is marker


def test_display_limit_must_be_positive() -> None:
    with pytest.raises(NotConfigured, match="AUTHOR_DISPLAY_LIMIT"):
        CleaningPipeline(0)
