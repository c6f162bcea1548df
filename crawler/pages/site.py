"""The site's own markup of a cluster page, read directly with CSS selectors.

The markup (see fixtures/html and README, "Site markup") marks the page with
``data-page="author-cluster"`` and every field with a class of its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urljoin

from crawler.pages.model import ClusterPage, PageError, PaperEntry
from crawler.pages.visible import SPACE_RE

if TYPE_CHECKING:
    from parsel import Selector

PAGE_SELECTOR = '[data-page="author-cluster"]'


def is_site_markup(sel: Selector) -> bool:
    """True when ``sel`` is a page in the site's own markup."""
    return bool(sel.css(PAGE_SELECTOR))


def _text(sel: Selector) -> str:
    return SPACE_RE.sub(" ", " ".join(sel.css("::text").getall())).strip()


def _count(page: Selector, stat: str) -> int | None:
    value = page.css(f'[data-stat="{stat}"] .cluster-stat-value::text').get("")
    digits = value.strip().replace(",", "")
    return int(digits) if digits.isdigit() else None


def _paper(card: Selector, base_url: str) -> PaperEntry:
    abstract = "\n".join(t for t in (_text(p) for p in card.css(".paper-abstract")) if t)
    href = card.css(".paper-title a::attr(href)").get()
    return PaperEntry(
        venue_line=_text(card.css(".paper-venue")[0]) if card.css(".paper-venue") else "",
        title=_text(card.css(".paper-title")[0]) or None if card.css(".paper-title") else None,
        authors=tuple(t for t in (_text(a) for a in card.css(".paper-author")) if t),
        abstract=abstract or None,
        authors_cut_marker=bool(card.css(".paper-authors-more")),
        detail_url=urljoin(base_url, href) if href else None,
    )


def parse_site(sel: Selector, source: str, base_url: str) -> ClusterPage:
    """Parse a page in the site markup; raises PageError when its cluster name is missing."""
    page = sel.css(PAGE_SELECTOR)[0]
    name = _text(page.css(".cluster-name")[0]) if page.css(".cluster-name") else ""
    if not name:
        raise PageError(source, "site markup without a cluster name (.cluster-name)")
    next_href = sel.css('link[rel~="next"]::attr(href), a[rel~="next"]::attr(href)').get()
    return ClusterPage(
        url=source,
        cluster_name=name,
        declared_papers=_count(page, "papers"),
        author_rows=_count(page, "author-rows"),
        papers=tuple(_paper(card, base_url) for card in page.css(".paper-card")),
        next_url=urljoin(base_url, next_href) if next_href else None,
        markup="site",
    )
