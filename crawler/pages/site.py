"""The site's own markup of a cluster page, read directly with CSS selectors.

The markup (see README, "Site markup", and ``render.py``) marks the page with
``data-page="author-cluster"`` and every field with a class of its own. Page-level
selectors are compiled to XPath once, at import; a card's fields are found in one walk
over the card, which is several times faster than one class-matching query per field.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import cache
from urllib.parse import unquote, urljoin

from cssselect import HTMLTranslator
from lxml.etree import XPath, _Element

from crawler.pages.grammar import PAPER_DATE_RE, UPDATED_RE
from crawler.pages.model import ClusterPage, PageError, PaperEntry
from crawler.pages.visible import clean_line

_TRANSLATOR = HTMLTranslator()


@cache
def _css(selector: str) -> XPath:
    return XPath(_TRANSLATOR.css_to_xpath(selector))


PAGE = _css('[data-page="author-cluster"]')
NAME = _css(".cluster-name")
CARDS = _css(".paper-card")
UPDATED = _css(".cluster-updated")
STATS = _css(".cluster-stat")
# The classes the site parser needs on every page: what its markup fingerprint records
# (optional ones, a date or a links row, vary from card to card and are left out).
FINGERPRINT_CLASSES = frozenset(
    (
        "cluster-name",
        "cluster-stat",
        "paper-card",
        "paper-venue",
        "paper-title",
        "paper-authors",
        "paper-author",
    )
)
NEXT_LINK = _css('link[rel~="next"][href], a[rel~="next"][href]')
STRING = XPath("string()")
# A DOI in a link: "https://doi.org/10.1145/3290605.3300857", "doi:10.1000/xyz".
DOI_RE = re.compile(r"(?:doi\.org/|doi:\s*)(10\.\d{4,9}/\S+)", re.I)
LINK_WORD_RE = re.compile(r"[\[\]()\s]")
LINK_WORDS = {"pdf": "pdf", "bib": "bib", "bibtex": "bib"}


def _nodes(query: XPath, el: _Element) -> list[_Element]:
    found = query(el)
    return [n for n in found if isinstance(n, _Element)] if isinstance(found, list) else []


def find_site_page(root: _Element) -> _Element | None:
    """The element marked as an author-cluster page in the site markup, if any."""
    found = _nodes(PAGE, root)
    return found[0] if found else None


def _text(el: _Element) -> str:
    return clean_line(str(STRING(el)))


def _first_text(nodes: list[_Element]) -> str:
    return _text(nodes[0]) if nodes else ""


def by_class(card: _Element) -> dict[str, list[_Element]]:
    """The card's elements (itself included) by each class they carry, in document order."""
    found: dict[str, list[_Element]] = defaultdict(list)
    for el in card.iter():
        classes = el.get("class") if isinstance(el.tag, str) else None
        if classes:
            for name in set(classes.split()):
                found[name].append(el)
    return found


def _shown(nodes: list[_Element]) -> str | None:
    """A date element's machine-readable ``datetime`` if it has one, else its text."""
    if not nodes:
        return None
    times = list(nodes[0].iter("time"))
    if times:
        return times[0].get("datetime") or _text(times[0]) or None
    text = _text(nodes[0])
    labelled = UPDATED_RE.match(text) or PAPER_DATE_RE.match(text)
    return (labelled["date"].strip() if labelled else text) or None


def _count(page: _Element, stat: str) -> int | None:
    for node in _nodes(_css(f'[data-stat="{stat}"] .cluster-stat-value'), page):
        digits = _text(node).replace(",", "")
        if digits.isdigit():
            return int(digits)
    return None


def doi_of(href: str) -> str | None:
    """The DOI a link names ("https://doi.org/10.1145/x" -> "10.1145/x"), or None."""
    match = DOI_RE.search(unquote(href))
    return match.group(1).rstrip(".,;") if match else None


def _links(card: _Element, fields: dict[str, list[_Element]], base_url: str) -> dict[str, str]:
    """The card's [pdf] and [bib] links and its DOI: by the site's classes, else by what a
    link says ("[pdf]", "PDF", "bibtex") or where it points (doi.org)."""
    found: dict[str, str] = {}
    for kind in ("pdf", "bib", "doi"):
        for el in fields[f"paper-{kind}"]:
            href = el.get("href") or next((a.get("href") for a in el.iter("a")), None)
            if href:
                found.setdefault(kind, href.strip())
    for a in card.iter("a"):
        href = (a.get("href") or "").strip()
        word = LINK_WORD_RE.sub("", _text(a)).lower()
        if href and word in LINK_WORDS:
            found.setdefault(LINK_WORDS[word], href)
        if href and doi_of(href):
            found.setdefault("doi", href)
    links = {k: urljoin(base_url, v) for k, v in found.items() if k != "doi"}
    doi = doi_of(found.get("doi", "")) if "doi" in found else None
    return {**links, **({"doi": doi} if doi else {})}


def _paper(card: _Element, base_url: str) -> PaperEntry:
    fields = by_class(card)
    abstract = "\n".join(t for t in (_text(p) for p in fields["paper-abstract"]) if t)
    href = next(
        (a.get("href") for t in fields["paper-title"] for a in t.iter("a") if a.get("href")),
        None,
    )
    links = _links(card, fields, base_url)
    return PaperEntry(
        venue_line=_first_text(fields["paper-venue"]),
        title=_first_text(fields["paper-title"]) or None,
        authors=tuple(t for t in (_text(a) for a in fields["paper-author"]) if t),
        abstract=abstract or None,
        authors_cut_marker=bool(fields["paper-authors-more"]),
        detail_url=urljoin(base_url, href.strip()) if href else None,
        date=_shown(fields["paper-date"]),
        pdf_url=links.get("pdf"),
        bib_url=links.get("bib"),
        doi=links.get("doi"),
    )


def next_link(root: _Element, base_url: str) -> str | None:
    """The page's ``rel="next"`` link (a ``<link>`` or an ``<a>``), resolved."""
    links = _nodes(NEXT_LINK, root)
    href = links[0].get("href") if links else None
    return urljoin(base_url, href.strip()) if href else None


def fingerprint(page: _Element, cards: list[_Element]) -> str:
    """The structure the site parser relies on, as found: each of its classes with the tags
    that carry it, in the page's header and its first card ("article.paper-card ...").
    Unchanged while the site's markup is; a change is a warning worth a look even when
    parsing still succeeds."""
    found = {
        f"{el.tag}.{cls}"
        for el in (*_nodes(NAME, page), *_nodes(STATS, page), *(cards[0].iter() if cards else ()))
        if isinstance(el.tag, str)
        for cls in (el.get("class") or "").split()
        if cls in FINGERPRINT_CLASSES
    }
    return " ".join(sorted(found))


def parse_site(root: _Element, page: _Element, source: str, base_url: str) -> ClusterPage:
    """Parse ``page``, the marked element of ``root``; PageError when its name is missing."""
    name = _first_text(_nodes(NAME, page))
    if not name:
        raise PageError(source, "site markup without a cluster name (.cluster-name)")
    cards = _nodes(CARDS, page)
    return ClusterPage(
        url=source,
        cluster_name=name,
        declared_papers=_count(page, "papers"),
        author_rows=_count(page, "author-rows"),
        papers=tuple(_paper(card, base_url) for card in cards),
        next_url=next_link(root, base_url),
        markup="site",
        updated=_shown(_nodes(UPDATED, page)),
        fingerprint=fingerprint(page, cards),
    )
