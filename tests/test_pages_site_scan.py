"""The one walk over a document that the site parser reads (``scan_document``)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from crawler.pages.decode import decode_body
from crawler.pages.site import scan_document
from crawler.pages.visible import parse_html

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "html"

DOC = b"""<html><head><link rel="canonical" href="https://example.org/c">
<link rel="stylesheet" href="x.css"></head><body>
<p class="cluster-name">Outside before</p>
<main data-page="author-cluster" class="cluster">
  <h1 class="cluster-name">Ada Bauer</h1>
  <article class="paper-card"><h3 class="paper-title">One</h3>
    <a href="/one.pdf">[pdf]</a><!-- a comment -->
    <div class="paper-card"><h3 class="paper-title">Inner</h3></div>
    <li class="paper-author x paper-author">Ada Bauer</li>
  </article>
  <p class="cluster-stat">after cards</p>
  <article class="paper-card"><h3 class="paper-title">Two</h3></article>
</main>
<main data-page="author-cluster"><h1 class="cluster-name">Second marker</h1></main>
<a rel="next" href="?page=2">next</a>
<p class="cluster-name">Outside after</p>
</body></html>"""


def _texts(elements: list[etree._Element]) -> list[str]:
    return [e.text or "" for e in elements]


def test_one_walk_finds_page_rels_header_and_cards() -> None:
    doc = scan_document(etree.fromstring(DOC, etree.HTMLParser()))
    assert doc.page is not None and doc.page.tag == "main"
    assert [(e.tag, e.get("rel")) for e in doc.rels] == [
        ("link", "canonical"),
        ("link", "stylesheet"),
        ("a", "next"),
    ]
    # The header: the first marked page's own elements outside its cards, nothing outside it.
    assert _texts(doc.header["cluster-name"]) == ["Ada Bauer"]
    assert _texts(doc.header["cluster-stat"]) == ["after cards"]
    # Cards: an element belongs to the innermost card; a card ends where its subtree does.
    assert [_texts(c.fields["paper-title"]) for c in doc.cards] == [["One"], ["Inner"], ["Two"]]
    assert _texts(doc.cards[0].fields["paper-author"]) == ["Ada Bauer", "Ada Bauer"]
    assert [a.get("href") for a in doc.cards[0].links] == ["/one.pdf"]


def test_a_document_without_the_marker_has_only_rels() -> None:
    doc = scan_document(etree.fromstring(b'<p class="paper-card"><a rel="next" href="n">n</a></p>'))
    assert doc.page is None and doc.cards == [] and not doc.header
    assert [e.get("href") for e in doc.rels] == ["n"]


def _reference(root: etree._Element) -> tuple[list[etree._Element], list[list[etree._Element]]]:
    """What the walk must find, the slow way: every ``<a>``/``<link>`` with a ``rel`` in the
    document, and each card's ``<a>`` elements (those of cards inside it too)."""
    scanned = scan_document(root)
    rels = [el for el in root.iter("a", "link") if el.get("rel") is not None]
    return rels, [list(card.element.iterdescendants("a")) for card in scanned.cards]


PIECES = [
    '<a rel="next" href="n">n</a>',
    '<link rel="canonical" href="c">',
    '<a href="x.pdf">[pdf]</a>',
    '<article class="paper-card"><a rel="alternate" href="i">i</a>',
    '<div class="paper-card extra">',
    "</div>",
    "</article>",
    "<section>",
    "</section>",
    "<!-- note -->",
    '<p class="paper-title">t</p>',
]


@given(
    before=st.lists(st.sampled_from(PIECES), max_size=6),
    inside=st.lists(st.sampled_from(PIECES), max_size=12),
    after=st.lists(st.sampled_from(PIECES), max_size=6),
)
def test_rels_and_card_links_are_those_of_a_full_walk(
    before: list[str], inside: list[str], after: list[str]
) -> None:
    html = (
        "<html><head></head><body><div>"
        + "".join(before)
        + '<main data-page="author-cluster"><h1 class="cluster-name">A</h1>'
        + "".join(inside)
        + "</main>"
        + "".join(after)
        + "</div></body></html>"
    )
    root = etree.fromstring(html, etree.HTMLParser())
    doc = scan_document(root)
    rels, links = _reference(root)
    assert doc.rels == rels
    assert [card.links for card in doc.cards] == links


def test_fixture_pages_rels_and_card_links_are_those_of_a_full_walk() -> None:
    pages = sorted(FIXTURES.glob("*.html"))
    assert pages
    for path in pages:
        root = parse_html(decode_body(path.read_bytes()))
        assert root is not None, path
        doc = scan_document(root)
        rels, links = _reference(root)
        assert (doc.rels, [card.links for card in doc.cards]) == (rels, links), path
