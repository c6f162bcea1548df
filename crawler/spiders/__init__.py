"""The spiders: ``replay`` (saved pages, the archive) and ``author_cluster`` (live pages).

Spiders route: they turn fetches into page records with the pure core (in a worker thread)
and yield them; ``crawler.pagestore`` stores each page whole and yields its papers as items.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from pipelines.process import CleanSettings

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

DEFAULT_DISPLAY_LIMIT = 8


def clean_settings(settings: BaseSettings) -> CleanSettings:
    """What cleaning needs from the settings: AUTHOR_DISPLAY_LIMIT, and next year as the
    latest plausible year (pages list accepted papers early)."""
    limit = settings.getint("AUTHOR_DISPLAY_LIMIT", DEFAULT_DISPLAY_LIMIT)
    if limit < 1:
        msg = f"AUTHOR_DISPLAY_LIMIT must be a positive number, not {limit}"
        raise ValueError(msg)
    return CleanSettings(display_limit=limit, max_year=datetime.now(UTC).year + 1)
