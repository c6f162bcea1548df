"""A paper's links are web addresses: resolved against where the page says it came from."""

from __future__ import annotations

import pytest
from lxml import html

from crawler.pages import parse_page
from crawler.pages.site import link_base, web_url

CARD = """<!doctype html><html><head>{head}</head><body>
<main data-page="author-cluster"><h1 class="cluster-name">Ada Lovelace</h1>
<article class="paper-card"><h3 class="paper-title"><a href="{detail}">Notes</a></h3>
<p class="paper-venue">JMLR Journal 2024 Journal Article</p>
<p class="paper-authors"><span class="paper-author">Ada Lovelace</span></p>
<p class="paper-links"><a class="paper-pdf" href="{pdf}">[pdf]</a></p>
</article></main></body></html>"""


@pytest.mark.parametrize(
    ("base", "href", "expected"),
    [
        ("https://site/cluster/a", "/paper/x.pdf", "https://site/paper/x.pdf"),
        ("https://site/cluster/a", "x.pdf", "https://site/cluster/x.pdf"),
        (None, "https://arxiv.org/pdf/1", "https://arxiv.org/pdf/1"),
        (None, "/paper/x.pdf", None),
        ("file:///saved/a.html", "/paper/x.pdf", None),
        ("file:///saved/a.html", "HTTPS://arxiv.org/pdf/1", "HTTPS://arxiv.org/pdf/1"),
        ("https://site/", "javascript:alert(1)", None),
        ("https://site/", "mailto:ada@example.org", None),
        ("https://site/", "  /p.pdf  ", "https://site/p.pdf"),
        ("https://site/", "http://[broken", None),
    ],
)
def test_web_url(base: str | None, href: str, expected: str | None) -> None:
    assert web_url(base, href) == expected


@pytest.mark.parametrize(
    ("head", "source", "expected"),
    [
        ("", "https://site/cluster/a", "https://site/cluster/a"),
        ("", "file:///saved/a.html", None),
        ('<base href="https://mirror/x/">', "file:///saved/a.html", "https://mirror/x/"),
        ('<base href="/x/">', "https://site/cluster/a", "https://site/x/"),
        ('<base href="/x/">', "file:///saved/a.html", None),
        (
            '<link rel="canonical" href="https://site/cluster/a">',
            "file:///s.html",
            "https://site/cluster/a",
        ),
        (
            '<link rel="Canonical alternate" href="https://site/c">',
            "file:///s.html",
            "https://site/c",
        ),
        ('<link rel="canonical" href="/cluster/a">', "file:///s.html", None),
        ('<link rel="canonical" href="https://b/c">', "https://site/a", "https://site/a"),
    ],
)
def test_link_base(head: str, source: str, expected: str | None) -> None:
    root = html.fromstring(CARD.format(head=head, detail="d", pdf="p"))
    rels = [el for el in root.iter("link", "a") if el.get("rel") is not None]
    assert link_base(root, source, rels) == expected


@pytest.mark.parametrize(
    ("head", "source", "detail", "pdf"),
    [
        (
            "",
            "https://site/cluster/ada",
            "https://site/paper/notes",
            "https://site/paper/notes.pdf",
        ),
        ("", "file:///saved/ada.html", None, None),
        (
            '<link rel="canonical" href="https://site/cluster/ada">',
            "file:///saved/ada.html",
            "https://site/paper/notes",
            "https://site/paper/notes.pdf",
        ),
    ],
)
def test_a_saved_page_never_yields_file_links(
    head: str, source: str, detail: str | None, pdf: str | None
) -> None:
    body = CARD.format(head=head, detail="/paper/notes", pdf="/paper/notes.pdf").encode()
    (paper,) = parse_page(body, source, "text/html").papers
    assert (paper.detail_url, paper.pdf_url) == (detail, pdf)
