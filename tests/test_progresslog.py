"""Progress lines: pages done of how many, the rate, the time left."""

from __future__ import annotations

import logging

import pytest
from scrapy.utils.test import get_crawler

from crawler.progresslog import DONE_STAT, TOTAL_STAT, ProgressLog, progress_line


@pytest.mark.parametrize(
    ("done", "total", "rate", "line"),
    [
        (1200, 3000, 410.0, "replay: 1,200/3,000 pages (40%), 410 pages/s, ETA 4 s"),
        (0, 3000, 0.0, "replay: 0/3,000 pages (0%), 0 pages/s"),
        (120, None, 4.1, "replay: 120 pages, 4 pages/s"),
        (3000, 3000, 500.0, "replay: 3,000/3,000 pages (100%), 500 pages/s"),
        (10, 100_000, 10.0, "replay: 10/100,000 pages (0%), 10 pages/s, ETA 2.8 h"),
        (100, 1000, 1.0, "replay: 100/1,000 pages (10%), 1 pages/s, ETA 15 min"),
    ],
)
def test_progress_line(done: int, total: int | None, rate: float, line: str) -> None:
    assert progress_line("replay", done, total, rate) == line


def test_the_extension_logs_what_the_stats_say(caplog: pytest.LogCaptureFixture) -> None:
    crawler = get_crawler(settings_dict={"PROGRESS_INTERVAL": 5})
    extension = ProgressLog.from_crawler(crawler)

    class Spider:
        name = "replay"

    crawler.spider = Spider()  # type: ignore[assignment]
    assert crawler.stats is not None
    crawler.stats.set_value(TOTAL_STAT, 100)
    crawler.stats.set_value(DONE_STAT, 25)
    extension.last = (extension.last[0] - 5, 0)  # five seconds ago, nothing done
    with caplog.at_level(logging.INFO, logger="crawler.progresslog"):
        extension.tick()
    (message,) = [r.getMessage() for r in caplog.records]
    assert message.startswith("replay: 25/100 pages (25%), 5 pages/s, ETA 15 s")
