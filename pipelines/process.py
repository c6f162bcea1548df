"""A page's way through the pure core: bytes -> parsed page -> clean page record.

Plain data in, plain data out, no Scrapy and no database: the spiders call these in a worker
thread, and a process pool can call them as well. Whatever goes wrong with one page
(a page that is not a cluster page, or a parser or cleaning rule that fails on it) ends as
that page's refusal, with its reason; it never reaches another page.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from crawler.pages import PageError, parse_page
from crawler.pages.decode import decode_body
from pipelines.clean import clean_page
from pipelines.model import Fetch, PageRecord

if TYPE_CHECKING:
    from collections.abc import Sequence

    from crawler.pages.model import ClusterPage

logger = logging.getLogger(__name__)

# What no text column should hold: NUL (PostgreSQL refuses it) and the other C0 controls
# but tab and newline, and lone surrogates from a mis-decoded body.
UNSAFE_TEXT_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")


@dataclass(frozen=True, slots=True)
class CleanSettings:
    """What cleaning needs to know besides the page: the site's display limit of author
    names, and the latest plausible year (papers are listed before they are published)."""

    display_limit: int
    max_year: int


def safe_text(text: str) -> str:
    """``text`` without the characters a database text column refuses or a reader chokes on:
    control characters become U+FFFD, so that where they were stays visible."""
    return UNSAFE_TEXT_RE.sub("\ufffd", text)


def read_page(
    fetch: Fetch, *, base_url: str | None = None, continues: str | None = None
) -> ClusterPage:
    """Parse ``fetch`` as a cluster page (``base_url`` resolves its links, by default its
    source); PageError with the reason when it is not one or cannot be read at all."""
    try:
        return parse_page(fetch.body, fetch.source, fetch.content_type, base_url, continues)
    except PageError:
        raise
    except (RecursionError, MemoryError) as exc:
        raise PageError(fetch.source, f"cannot be parsed: {type(exc).__name__}") from exc
    except Exception as exc:
        logger.debug("%s: the parser failed", fetch.source, exc_info=exc)
        raise PageError(fetch.source, f"the parser failed: {type(exc).__name__}: {exc}") from exc


def refused(fetch: Fetch, reason: str, *, reprocess: bool = True) -> PageRecord:
    """The record of a page that yields no clean page: the reason and its text as decoded."""
    try:
        text = decode_body(fetch.body, fetch.content_type)
    except Exception:  # noqa: BLE001 (the reason is what matters; the text is a courtesy)
        text = fetch.body.decode("utf-8", "replace")
    return PageRecord(fetch, None, error=reason, reject_text=safe_text(text), reprocess=reprocess)


def clean_record(
    fetch: Fetch,
    page: ClusterPage,
    settings: CleanSettings,
    *,
    details: Sequence[Fetch] = (),
    reprocess: bool = True,
) -> PageRecord:
    """The record of a parsed page: its papers cleaned; a failure of a rule is the page's."""
    try:
        clean = clean_page(
            page,
            display_limit=settings.display_limit,
            max_year=settings.max_year,
            fetched_at=fetch.fetched_at,
        )
    except Exception as exc:
        logger.debug("%s: cleaning failed", fetch.source, exc_info=exc)
        return refused(fetch, f"cleaning failed: {type(exc).__name__}: {exc}", reprocess=reprocess)
    return PageRecord(
        fetch,
        clean,
        markup=page.markup,
        fingerprint=page.fingerprint,
        headed=page.headed,
        next_url=page.next_url,
        cluster_name=page.cluster_name,
        details=tuple(details),
        reprocess=reprocess,
    )


def process_fetch(
    fetch: Fetch,
    settings: CleanSettings,
    *,
    base_url: str | None = None,
    continues: str | None = None,
    reprocess: bool = True,
) -> PageRecord:
    """Parse and clean one page: its record, refused with the reason when it does not read."""
    try:
        page = read_page(fetch, base_url=base_url, continues=continues)
    except PageError as exc:
        return refused(fetch, exc.reason, reprocess=reprocess)
    return clean_record(fetch, page, settings, reprocess=reprocess)
