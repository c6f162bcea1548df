"""Paper detail pages: the full author list of one paper."""

from __future__ import annotations

from dataclasses import dataclass

from crawler.pages.decode import decode_body
from crawler.pages.grammar import BULLET_RE
from crawler.pages.model import PageError
from crawler.pages.site import _first_text, _text, by_class
from crawler.pages.visible import NestingError, parse_html, visible_lines


@dataclass(frozen=True, slots=True)
class PaperDetail:
    """What a detail page says of a paper: its title and every author, in order."""

    title: str | None
    authors: tuple[str, ...]


# Size: the site's markup first, then any HTML's bullet lines; each refusal says why.
def parse_detail(body: bytes, source: str, content_type: str | None = None) -> PaperDetail:
    """Parse a paper detail page: the site's markup, else the bullet lines of any HTML."""
    root = parse_html(decode_body(body, content_type))
    if root is None:
        raise PageError(source, "not a paper detail page: no HTML")
    fields = by_class(root)
    authors = tuple(t for t in (_text(a) for a in fields["paper-author"]) if t)
    if not authors:
        try:
            lines = visible_lines(root)
        except NestingError as exc:
            raise PageError(source, f"not a readable page: {exc}") from exc
        authors = tuple(BULLET_RE.sub("", line).strip() for line in lines if BULLET_RE.match(line))
    if not authors:
        raise PageError(source, "not a paper detail page: no author list")
    return PaperDetail(_first_text(fields["paper-title"]) or None, authors)
