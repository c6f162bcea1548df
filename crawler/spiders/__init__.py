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


class SpiderArgumentError(ValueError):
    """A spider argument (``-a NAME=VALUE``) that is unknown, missing or wrong; the message
    says which, in one line, and what the spider takes."""


def check_arguments(spider: str, given: dict[str, object], known: tuple[str, ...]) -> None:
    """Refuse ``-a`` arguments the spider does not take (a typo must not silently crawl
    something else). Names starting with "_" are Scrapyd's own (``_job``) and pass."""
    unknown = sorted(k for k in given if not k.startswith("_"))
    if unknown:
        msg = (
            f"{spider}: unknown argument {', '.join(f'-a {k}=' for k in unknown)};"
            f" it takes {', '.join(f'-a {k}=' for k in known)}"
        )
        raise SpiderArgumentError(msg)


def clean_settings(settings: BaseSettings) -> CleanSettings:
    """What cleaning needs from the settings: AUTHOR_DISPLAY_LIMIT, and next year as the
    latest plausible year (pages list accepted papers early)."""
    limit = settings.getint("AUTHOR_DISPLAY_LIMIT", DEFAULT_DISPLAY_LIMIT)
    if limit < 1:
        msg = f"AUTHOR_DISPLAY_LIMIT must be a positive number, not {limit}"
        raise ValueError(msg)
    return CleanSettings(display_limit=limit, max_year=datetime.now(UTC).year + 1)
