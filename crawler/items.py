"""Items: one per page, carrying the page's provenance with its parse or its error."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime  # noqa: TC003 (a dataclass field type)

from crawler.pages import ClusterPage, PageError, parse_page


@dataclass(frozen=True, slots=True)
class DetailFetch:
    """A paper detail page fetched to complete a cut author list: kept in the archive."""

    url: str
    body: bytes
    fetched_at: datetime
    content_type: str | None
    http_status: int | None
    headers: dict[str, str]

    @property
    def source(self) -> str:
        return self.url

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()


@dataclass(slots=True)
class PageItem:
    """A fetched or saved page: ``page`` when it parsed, ``error`` when it did not."""

    source: str
    sha256: str
    size: int
    content_type: str | None
    fetched_at: datetime
    body: bytes
    page: ClusterPage | None = None
    error: str | None = None
    http_status: int | None = None  # None for a saved file
    headers: dict[str, str] = field(default_factory=dict)
    # False for a fetch: a body seen before costs no writes beyond "seen". A replay, after
    # a parser change, loads every page again.
    reprocess: bool = True
    details: list[DetailFetch] = field(default_factory=list)


def page_item(
    body: bytes,
    source: str,
    fetched_at: datetime,
    content_type: str | None = None,
    *,
    base_url: str | None = None,
    continues: str | None = None,
) -> PageItem:
    """Parse ``body`` into an item; a page that does not parse becomes an item with its error."""
    item = PageItem(
        source=source,
        sha256=hashlib.sha256(body).hexdigest(),
        size=len(body),
        content_type=content_type,
        fetched_at=fetched_at,
        body=body,
    )
    try:
        item.page = parse_page(body, source, content_type, base_url, continues)
    except PageError as exc:
        item.error = exc.reason
    return item
