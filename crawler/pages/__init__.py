"""Page parsing: bytes of a saved or fetched page to a ClusterPage. No Scrapy, no database."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from parsel import Selector

from crawler.pages.decode import decode_body
from crawler.pages.grammar import parse_lines, split_venue_line
from crawler.pages.model import ClusterPage, PageError, PaperEntry
from crawler.pages.site import is_site_markup, parse_site
from crawler.pages.visible import SPACE_RE, text_lines, visible_lines

__all__ = [
    "ClusterPage",
    "PageError",
    "PaperEntry",
    "parse_page",
    "split_venue_line",
]

MARKUP_RE = re.compile(rb"<\s*(?:!doctype\s+html|html|head|body|div|p|main|article)[\s>]", re.I)


def _looks_like_html(body: bytes, content_type: str | None) -> bool:
    if content_type:
        kind = content_type.split(";")[0].strip().lower()
        if kind in ("text/html", "application/xhtml+xml"):
            return True
        if kind == "text/plain":
            return False
    return bool(MARKUP_RE.search(body[:4096]))


def _next_link(sel: Selector, base_url: str) -> str | None:
    href = sel.css('link[rel~="next"]::attr(href), a[rel~="next"]::attr(href)').get()
    return urljoin(base_url, href.strip()) if href else None


def parse_page(
    body: bytes, source: str, content_type: str | None = None, base_url: str | None = None
) -> ClusterPage:
    """Parse a cluster page from its raw bytes.

    ``source`` names the page in errors and provenance (a URL or a path); ``base_url``
    resolves relative links (defaults to ``source``). The site's own markup is read
    directly; any other HTML is rendered to visible lines and read with the text grammar,
    as is a plain-text snapshot. Raises PageError for anything that is not a cluster page.
    """
    base = base_url or source
    if not body.strip():
        raise PageError(source, "empty page")
    text = decode_body(body, content_type)
    if not _looks_like_html(body, content_type):
        return parse_lines(text_lines(text), source)
    sel = Selector(text=text, type="html")
    if is_site_markup(sel):
        return parse_site(sel, source, base)
    hints = [
        SPACE_RE.sub(" ", " ".join(h.css("::text").getall())).strip()
        for h in [*sel.css("h1"), *sel.css("title")]
    ]
    page = parse_lines(visible_lines(sel.root), source, hints)
    next_url = _next_link(sel, base)
    if next_url is None:
        return page
    return ClusterPage(
        url=page.url,
        cluster_name=page.cluster_name,
        declared_papers=page.declared_papers,
        author_rows=page.author_rows,
        papers=page.papers,
        next_url=next_url,
        markup=page.markup,
    )
