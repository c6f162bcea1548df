"""Page parsing: bytes of a saved or fetched page to a ClusterPage. No Scrapy, no database."""

from __future__ import annotations

import re
from dataclasses import replace

from crawler.pages.decode import decode_body
from crawler.pages.grammar import parse_lines, split_venue_line
from crawler.pages.model import ClusterPage, PageError, PaperEntry
from crawler.pages.site import next_link, parse_site, scan_document
from crawler.pages.visible import (
    NestingError,
    document_heading,
    document_title,
    parse_html,
    text_lines,
    visible_blocks,
)

__all__ = [
    "ClusterPage",
    "PageError",
    "PaperEntry",
    "parse_page",
    "split_venue_line",
]

# A whole HTML document closes its <html>; one cut off mid-transfer or mid-save does not.
HTML_END_RE = re.compile(r"</html\s*>", re.I)
TAIL_CHARS = 1 << 16
MARKUP_RE = re.compile(
    r"<(?:!doctype\s+html|html|head|body|div|p|main|article|section|table|ul|h[1-6])[\s/>]", re.I
)


def _looks_like_html(text: str, content_type: str | None) -> bool:
    if content_type:
        kind = content_type.split(";")[0].strip().lower()
        if kind in ("text/html", "application/xhtml+xml"):
            return True
        if kind == "text/plain":
            return False
    return bool(MARKUP_RE.search(text[:4096]))


def _closes_html(text: str) -> bool:
    """Whether the end of ``text`` closes its ``<html>``: the usual ``</html>`` is found by a
    plain search, several times faster than the case-blind pattern, which decides the rest."""
    start = max(0, len(text) - TAIL_CHARS)
    return text.find("</html>", start) >= 0 or HTML_END_RE.search(text, start) is not None


def parse_page(
    body: bytes,
    source: str,
    content_type: str | None = None,
    base_url: str | None = None,
    continues: str | None = None,
) -> ClusterPage:
    """Parse a cluster page from its raw bytes.

    ``source`` names the page in errors and provenance (a URL or a path); ``base_url``
    resolves relative links (defaults to ``source``). The site's own markup is read
    directly; any other HTML is rendered to visible lines and read with the text grammar,
    as is a plain-text snapshot. ``continues`` names the cluster of the page that linked
    here with ``rel="next"``. Raises PageError for anything that is not a cluster page.
    """
    base = base_url or source
    if not body.strip():
        raise PageError(source, "empty page")
    text = decode_body(body, content_type)
    if not _looks_like_html(text, content_type):
        return parse_lines(text_lines(text), source, continues=continues)
    root = parse_html(text)
    if root is None:
        return parse_lines(text_lines(text), source, continues=continues)
    truncated = not _closes_html(text)
    doc = scan_document(root)
    if doc.page is not None:
        page = parse_site(root, doc, source, base)
        return replace(page, truncated=truncated) if truncated else page
    hints = [h for h in (document_heading(root), document_title(root)) if h]
    try:
        lines = visible_blocks(root)
    except NestingError as exc:
        raise PageError(source, f"not a readable page: {exc}") from exc
    page = parse_lines(lines, source, hints, continues)
    return replace(page, next_url=next_link(base, doc.rels), truncated=truncated)
