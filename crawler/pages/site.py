"""The site's own markup of a cluster page, read directly with CSS selectors.

The markup (see README, "Site markup", and ``render.py``) marks the page with
``data-page="author-cluster"`` and every field with a class of its own. The page, its
rel links and every field are found in one walk over the document (``scan_document``),
which is several times faster than XPath queries for them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import unquote, urljoin, urlsplit

from lxml.etree import _Element, tostring

from crawler.pages.grammar import PAPER_DATE_RE, UPDATED_RE
from crawler.pages.model import ClusterPage, PageError, PaperEntry
from crawler.pages.visible import clean_line, squeeze_ascii

# The document is read in one walk in Python: libxml2's XPath costs more per element than
# lxml's element iterator does (an attribute test in a predicate builds node sets), and one
# walk finds the page's marker, its rel links and every element the parser reads at once.
PAGE_MARKER = "author-cluster"
# The elements whose ``rel`` names a next page or a canonical address.
REL_TAGS = ("a", "link")
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
# A DOI in a link: "https://doi.org/10.1145/3290605.3300857", "doi:10.1000/xyz".
DOI_RE = re.compile(r"(?:doi\.org/|doi:\s*)(10\.\d{4,9}/\S+)", re.I)
LINK_WORD_RE = re.compile(r"[\[\]()\s]")
LINK_WORDS = {"pdf": "pdf", "bib": "bib", "bibtex": "bib"}


def _text(el: _Element) -> str:
    # A leaf's own text is most fields (a name, a title); a deeper element's parts are
    # joined in one C call (as ``itertext`` would join them).
    raw = (
        (el.text or "")
        if len(el) == 0
        else tostring(el, method="text", encoding=str, with_tail=False)
    )
    return clean_line(raw)


def _texts(nodes: list[_Element]) -> list[str]:
    """The non-empty texts of ``nodes`` (``_text`` of each), for the many-valued fields (a
    card's authors): one loop, without two calls a node."""
    found = []
    for el in nodes:
        raw = (
            (el.text or "")
            if len(el) == 0
            else tostring(el, method="text", encoding=str, with_tail=False)
        )
        text = squeeze_ascii(raw) if raw.isascii() else clean_line(raw)  # as clean_line
        if text:
            found.append(text)
    return found


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


def _count(header: dict[str, list[_Element]], stat: str) -> int | None:
    """A declared count: the value inside the ``cluster-stat`` of ``data-stat=stat``."""
    for stat_el in header["cluster-stat"]:
        if stat_el.get("data-stat") != stat:
            continue
        for node in header["cluster-stat-value"]:
            digits = _text(node).replace(",", "")
            if _inside(node, stat_el) and digits.isdigit():
                return int(digits)
    return None


def _inside(el: _Element, container: _Element) -> bool:
    return any(ancestor is container for ancestor in el.iterancestors())


@dataclass
class _Card:
    """A paper card: its elements by class and its ``<a>`` elements (those of cards inside
    it too), each in document order."""

    element: _Element
    fields: dict[str, list[_Element]] = field(default_factory=lambda: defaultdict(list))
    links: list[_Element] = field(default_factory=list)


@dataclass
class SiteDocument:
    """What one walk over a document finds: the element marked as an author-cluster page
    (None when there is none), the ``<a>`` and ``<link>`` elements with a ``rel`` (where
    a next link is), and inside the page, the header's elements by class and the cards."""

    page: _Element | None = None
    rels: list[_Element] = field(default_factory=list)
    header: dict[str, list[_Element]] = field(default_factory=lambda: defaultdict(list))
    cards: list[_Card] = field(default_factory=list)


def _following(el: _Element) -> _Element | None:
    """The first node after ``el``'s subtree in document order (None: the document's end)."""
    node: _Element | None = el
    while node is not None:
        after = node.getnext()
        if after is not None:
            return after
        node = node.getparent()
    return None


def scan_document(root: _Element) -> SiteDocument:
    """Walk ``root`` once (see ``SiteDocument``): its rel links, the first element marked
    as an author-cluster page, and that page's fields. The walk is Python's up to the end of
    the page; after it, each following subtree's ``<a>`` and ``<link>`` are found in C."""
    doc = SiteDocument()
    rels = doc.rels
    for el in root.iter():
        if el.tag in REL_TAGS and el.get("rel") is not None:
            rels.append(el)
        if el.get("data-page") == PAGE_MARKER:
            doc.page = el
            break
    if doc.page is None:
        return doc
    _scan_page(doc, doc.page)
    for node in (doc.page, *doc.page.iterancestors()):
        for after in node.itersiblings():
            rels.extend(el for el in after.iter(*REL_TAGS) if el.get("rel") is not None)
    return doc


# Size: one walk keeps the open cards, the rel links and each element's classes together;
# split, it would walk the page once per part (each walk costs as much as the page's parse).
def _scan_page(doc: SiteDocument, page: _Element) -> None:
    """The header's fields, the cards and the rel links inside ``page``, in one walk. An
    element inside cards belongs to the innermost one (an ``<a>`` to every card it is in);
    the page's own element is in neither."""
    # Open cards, innermost last, each with the node that follows its subtree; ``fields``
    # and ``end`` are the innermost's (the header's, and None, outside every card).
    open_cards: list[tuple[_Card, _Element | None]] = []
    fields, end = doc.header, None
    for el in page.iterdescendants():
        if el is end:
            open_cards.pop()
            while open_cards and el is open_cards[-1][1]:
                open_cards.pop()
            fields, end = (
                (open_cards[-1][0].fields, open_cards[-1][1]) if open_cards else (doc.header, None)
            )
        tag = el.tag
        if tag in REL_TAGS:
            if el.get("rel") is not None:
                doc.rels.append(el)
            if tag == "a":
                for card, _ in open_cards:
                    card.links.append(el)
        classes = el.get("class")
        if not classes:
            continue
        names = classes.split()
        if "paper-card" in names:
            doc.cards.append(card := _Card(el))
            fields, end = card.fields, _following(el)
            open_cards.append((card, end))
            continue
        for name in names:
            fields[name].append(el)


def doi_of(href: str) -> str | None:
    """The DOI a link names ("https://doi.org/10.1145/x" -> "10.1145/x"), or None."""
    match = DOI_RE.search(unquote(href))
    return match.group(1).rstrip(".,;") if match else None


def _marked_links(card: _Card) -> dict[str, str]:
    """Links the site's own classes mark: ``paper-pdf``, ``paper-bib``, ``paper-doi``."""
    found: dict[str, str] = {}
    for kind in ("pdf", "bib", "doi"):
        for el in card.fields.get(f"paper-{kind}", ()):
            href = el.get("href") or next((a.get("href") for a in el.iter("a")), None)
            if href:
                found.setdefault(kind, href.strip())
    return found


def _said_links(card: _Card) -> dict[str, str]:
    """Links by what they say ("[pdf]", "PDF", "bibtex") or where they point (doi.org)."""
    found: dict[str, str] = {}
    for a in card.links:
        href = (a.get("href") or "").strip()
        word = LINK_WORD_RE.sub("", _text(a)).lower()
        if href and word in LINK_WORDS:
            found.setdefault(LINK_WORDS[word], href)
        if href and doi_of(href):
            found.setdefault("doi", href)
    return found


WEB_SCHEMES = ("http", "https")


def web_url(base: str | None, href: str) -> str | None:
    """``href`` resolved against ``base``, when that makes a web address; else None.

    A saved page's relative link ("/paper/x.pdf") resolved against the file it was saved
    as names no paper ("file:///paper/x.pdf"): it is dropped unless the page tells where it
    came from (``link_base``)."""
    href = href.strip()
    try:
        resolved = urljoin(base, href) if base else href
        scheme = urlsplit(resolved).scheme.lower()
    except ValueError:  # an unreadable link ("http://[x") is no link
        return None
    return resolved if scheme in WEB_SCHEMES else None


def link_base(root: _Element, base_url: str, rels: list[_Element]) -> str | None:
    """What a page's paper links are relative to: its ``<base href>``, else its own web
    address, else the address it names as canonical; None for a page saved as a file that
    names none (only its absolute links then count)."""
    base = root.find("head/base")  # where HTML puts it: no walk of the whole document
    if base is not None and (found := web_url(base_url, base.get("href") or "")):
        return found
    if web_url(None, base_url):
        return base_url
    return _canonical(rels)


def _canonical(rels: list[_Element]) -> str | None:
    """The web address a ``<link rel="canonical">`` among ``rels`` names, if any."""
    for el in rels:
        if el.tag == "link" and "canonical" in (el.get("rel") or "").lower().split():
            found = web_url(None, el.get("href") or "")
            if found:
                return found
    return None


def _links(card: _Card, base: str | None) -> dict[str, str]:
    """The card's [pdf] and [bib] links (resolved, web addresses only) and its DOI."""
    found = {**_said_links(card), **_marked_links(card)}
    if not found:
        return found
    links = {k: web_url(base, v) for k, v in found.items() if k != "doi"}
    doi = doi_of(found["doi"]) if "doi" in found else None
    return {**{k: v for k, v in links.items() if v}, **({"doi": doi} if doi else {})}


def _paper(card: _Card, base: str | None) -> PaperEntry:
    fields = card.fields
    abstract = "\n".join(_texts(fields["paper-abstract"]))
    href = next(
        (a.get("href") for t in fields["paper-title"] for a in t.iter("a") if a.get("href")),
        None,
    )
    links = _links(card, base)
    return PaperEntry(
        venue_line=_first_text(fields["paper-venue"]),
        title=_first_text(fields["paper-title"]) or None,
        authors=tuple(_texts(fields["paper-author"])),
        abstract=abstract or None,
        authors_cut_marker=bool(fields["paper-authors-more"]),
        detail_url=web_url(base, href) if href else None,
        date=_shown(fields["paper-date"]),
        pdf_url=links.get("pdf"),
        bib_url=links.get("bib"),
        doi=links.get("doi"),
    )


def next_link(base_url: str, rels: list[_Element]) -> str | None:
    """The page's ``rel="next"`` link (a ``<link>`` or an ``<a>``) among ``rels``, the
    document's elements with a ``rel`` (``SiteDocument.rels``), resolved."""
    links = [
        a
        for a in rels
        if a.tag in ("a", "link") and a.get("href") and "next" in (a.get("rel") or "").split()
    ]
    href = links[0].get("href") if links else None
    return urljoin(base_url, href.strip()) if href else None


def fingerprint(header: dict[str, list[_Element]], cards: list[_Card]) -> str:
    """The structure the site parser relies on, as found: each of its classes with the tags
    that carry it, in the page's header and its first card ("article.paper-card ...").
    Unchanged while the site's markup is; a change is a warning worth a look even when
    parsing still succeeds."""
    found = {
        f"{el.tag}.{cls}"
        for el in (
            *header["cluster-name"],
            *header["cluster-stat"],
            *(cards[0].element.iter() if cards else ()),
        )
        if isinstance(el.tag, str)
        for cls in (el.get("class") or "").split()
        if cls in FINGERPRINT_CLASSES
    }
    return " ".join(sorted(found))


def parse_site(root: _Element, doc: SiteDocument, source: str, base_url: str) -> ClusterPage:
    """Parse the marked page ``scan_document`` found in ``root``; PageError when its name is
    missing."""
    header, cards, rels = doc.header, doc.cards, doc.rels
    name = _first_text(header["cluster-name"])
    if not name:
        raise PageError(source, "site markup without a cluster name (.cluster-name)")
    base = link_base(root, base_url, rels)
    return ClusterPage(
        url=source,
        cluster_name=name,
        declared_papers=_count(header, "papers"),
        author_rows=_count(header, "author-rows"),
        papers=tuple(_paper(card, base) for card in cards),
        next_url=next_link(base_url, rels),
        markup="site",
        updated=_shown(header["cluster-updated"]),
        fingerprint=fingerprint(header, cards),
    )
