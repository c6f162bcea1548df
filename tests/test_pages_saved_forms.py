"""Saved forms of a cluster page seen in the wild, each a line of this table.

Each case is a minimal page; the parse must give the cluster, counts and papers shown.
"""

from __future__ import annotations

import unicodedata

import pytest

from crawler.pages import PageError, parse_page

H = "Author name cluster\nJeff Dean\n13 papers\n2 author rows\n"
P = "ICML Conference 2018 Conference Paper\nENAS\n"
ABSTRACT = "We propose ENAS, a fast and inexpensive approach to model design."


def html(body: str, head: str = "") -> str:
    return f"<html><head>{head}</head><body>{body}</body></html>"


HTML_HEAD = "<p>Author name cluster</p><h1>Jeff Dean</h1>"
HTML_PAPER = "<p>ICML Conference 2018 Conference Paper</p><h3>ENAS</h3>"

CASES: list[tuple[str, str | bytes, str | None, dict[str, object]]] = [
    (
        "abstract starting with a footer word",
        H + P + "• Jeff Dean\nPrivacy-preserving training of large models is studied here.",
        "text/plain",
        {"abstract": "Privacy-preserving training of large models is studied here."},
    ),
    (
        "abstract starting with Next",
        H + P + "• Jeff Dean\nNext, we show that the search is fast on one GPU.",
        "text/plain",
        {"abstract": "Next, we show that the search is fast on one GPU."},
    ),
    (
        "math in text without a content type",
        H + P + "• Jeff Dean\nWe prove bounds for every 1 < p < 2 and show they are tight.",
        None,
        {"abstract": "We prove bounds for every 1 < p < 2 and show they are tight."},
    ),
    (
        "cookie banner after the last card",
        html(
            f"<main>{HTML_HEAD}<section><article>{HTML_PAPER}<ul><li>Jeff Dean</li></ul><p>{ABSTRACT}</p></article><article><p>ICML Conference 2017 Conference Paper</p><h3>T2</h3><ul><li>Jeff Dean</li></ul><p>{ABSTRACT}</p></article></section></main><div class='css-1k9a2b'><p>We use cookies to improve your experience on this site.</p></div>"
        ),
        "text/html",
        {"abstract": ABSTRACT},
    ),
    (
        "footer text after an abstract-less last card",
        html(
            f"<main>{HTML_HEAD}<div><div class='c'>{HTML_PAPER}<ul><li>Jeff Dean</li></ul></div><div class='c'><p>ICML Conference 2017 Conference Paper</p><h3>T2</h3><ul><li>Jeff Dean</li></ul></div></div></main><div class='mt-8 border-t'><p>Arrow indexes papers from more than 120 venues every week.</p></div>"
        ),
        "text/html",
        {"abstract": None},
    ),
    (
        "author links side by side with no separator",
        html(
            f"{HTML_HEAD}{HTML_PAPER}<div style='display:flex'><span><a>Barret Zoph</a></span><span><a>Jeff Dean</a></span></div>"
        ),
        "text/html",
        {"authors": ("Barret Zoph", "Jeff Dean")},
    ),
    (
        "related authors with counts above the heading, as text",
        "Related authors\nQuoc V. Le\n4 papers\n" + H + P + "• Jeff Dean\n",
        "text/plain",
        {"declared": 13, "rows": 2},
    ),
    (
        "sidebar with counts before the main column",
        html(
            f"<aside><h3>Related authors</h3><ul><li><a>Quoc V. Le</a> <span>4 papers</span></li></ul></aside><main>{HTML_HEAD}<p>13 papers</p><p>2 author rows</p>{HTML_PAPER}<ul><li>Jeff Dean</li></ul></main>"
        ),
        "text/html",
        {"declared": 13, "rows": 2},
    ),
    (
        "counts in a definition list",
        html(
            f"{HTML_HEAD}<dl><dt>Papers</dt><dd>13</dd><dt>Author rows</dt><dd>2</dd></dl>{HTML_PAPER}<ul><li>Jeff Dean</li></ul>"
        ),
        "text/html",
        {"declared": 13, "rows": 2},
    ),
    (
        "authors separated by aria-hidden dots",
        html(
            f"{HTML_HEAD}{HTML_PAPER}<div><a>Barret Zoph</a><span aria-hidden='true'> · </span><a>Jeff Dean</a></div>"
        ),
        "text/html",
        {"authors": ("Barret Zoph", "Jeff Dean")},
    ),
    (
        "venue parts in adjacent spans",
        html(
            f"{HTML_HEAD}<div><span>ICML</span><span>Conference</span><span>2018</span><span>Conference Paper</span></div><h3>ENAS</h3><ul><li>Jeff Dean</li></ul>"
        ),
        "text/html",
        {"venue": "ICML Conference 2018 Conference Paper", "authors": ("Jeff Dean",)},
    ),
    (
        "authors after a label",
        H + P + f"Authors: Barret Zoph, Quoc V. Le, Jeff Dean\n{ABSTRACT}",
        "text/plain",
        {"authors": ("Barret Zoph", "Quoc V. Le", "Jeff Dean"), "abstract": ABSTRACT},
    ),
    (
        "single author then an Abstract label",
        H + P + f"Jeff Dean\nAbstract\n{ABSTRACT}",
        "text/plain",
        {"authors": ("Jeff Dean",), "abstract": ABSTRACT},
    ),
    (
        "buttons after names one per line",
        H + P + "Barret Zoph\nJeff Dean\nPDF\nCite\n",
        "text/plain",
        {"authors": ("Barret Zoph", "Jeff Dean"), "abstract": None},
    ),
    (
        "button row between title and authors",
        H + P + f"PDF · Cite · Save\n• Barret Zoph\n• Jeff Dean\n{ABSTRACT}",
        "text/plain",
        {"authors": ("Barret Zoph", "Jeff Dean"), "abstract": ABSTRACT},
    ),
    (
        "image alt text in the title",
        html(
            f"{HTML_HEAD}<p>ICML Conference 2018 Conference Paper</p><h3><a>ENAS</a> <img src='oa.svg' alt='Open access'></h3><ul><li><img src='a.png' alt='Jeff Dean'> Jeff Dean</li></ul>"
        ),
        "text/html",
        {"title": "ENAS", "authors": ("Jeff Dean",)},
    ),
    (
        "utf-16 declared over utf-8 bytes",
        html(
            f"{HTML_HEAD}{HTML_PAPER}<ul><li>Tomás Mikolov</li><li>Jeff Dean</li></ul>",
            "<meta charset='utf-16'>",
        ).encode(),
        "text/html",
        {"authors": ("Tomás Mikolov", "Jeff Dean")},
    ),
    (
        "xhtml with an xml declaration",
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        + html(f"{HTML_HEAD}{HTML_PAPER}<ul><li>Jeff Dean</li></ul>"),
        "text/html",
        {"authors": ("Jeff Dean",)},
    ),
    (
        "a body class naming cookies",
        f"<html><body class='page cookies-not-set'>{HTML_HEAD}{HTML_PAPER}<ul><li>Jeff Dean</li></ul></body></html>",
        "text/html",
        {"authors": ("Jeff Dean",)},
    ),
    (
        "decomposed accents",
        unicodedata.normalize(
            "NFD", "Author name cluster\nHervé Jégou\n1 paper\n" + P + "• Hervé Jégou\n"
        ),
        "text/plain",
        {"name": "Hervé Jégou", "authors": ("Hervé Jégou",)},
    ),
    (
        "word bullets",
        H + P + "\uf0b7\tBarret Zoph\n\uf0b7\tJeff Dean\n",
        "text/plain",
        {"authors": ("Barret Zoph", "Jeff Dean")},
    ),
    (
        "venue line with a middle dot",
        html(
            f"{HTML_HEAD}<p>ICML Conference 2018 · Conference Paper</p><h3>ENAS</h3><ul><li>Jeff Dean</li></ul>"
        ),
        "text/html",
        {"venue": "ICML Conference 2018 Conference Paper", "authors": ("Jeff Dean",)},
    ),
    (
        "pager list after an abstract-less last paper",
        html(
            f"{HTML_HEAD}{HTML_PAPER}<ul><li>Jeff Dean</li></ul><ul class='pagination'><li><a>1</a></li><li><a rel='next' href='?p=2'>2</a></li></ul>"
        ),
        "text/html",
        {"authors": ("Jeff Dean",), "abstract": None},
    ),
    (
        "declarative shadow dom",
        html(
            f"{HTML_HEAD}<x-list><template shadowrootmode='open'>{HTML_PAPER}<ul><li>Jeff Dean</li></ul></template></x-list>"
        ),
        "text/html",
        {"authors": ("Jeff Dean",)},
    ),
    (
        "text hard-wrapped at 72 columns",
        H
        + "\n"
        + "ICML Conference 2018 Conference Paper\n\nNon-convex Robust PCA via Alternating Projections with Provable Recovery\nGuarantees\n\n  * Jeff Dean\n\n"
        "We propose a method whose every step is a projection and whose recovery is provable\nwith high probability under standard incoherence assumptions, and we show\nthat it is fast in practice on large problems with many corrupted entries\nand it beats convex relaxations on every benchmark that we tried it on here\nin the end.\n",
        "text/plain",
        {
            "title": "Non-convex Robust PCA via Alternating Projections with Provable Recovery Guarantees",
            "authors": ("Jeff Dean",),
            "abstract_end": "tried it on here in the end.",
        },
    ),
]


@pytest.mark.parametrize(
    ("body", "content_type", "want"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_saved_form(body: str | bytes, content_type: str | None, want: dict[str, object]) -> None:
    raw = body.encode() if isinstance(body, str) else body
    try:
        page = parse_page(raw, "case", content_type)
    except PageError as exc:
        pytest.fail(f"rejected: {exc.reason}")
    paper = page.papers[0]
    got = {
        "name": page.cluster_name,
        "declared": page.declared_papers,
        "rows": page.author_rows,
        "venue": paper.venue_line,
        "title": paper.title,
        "authors": paper.authors,
        "abstract": paper.abstract,
        "abstract_end": (paper.abstract or "")[-len(str(want.get("abstract_end", ""))) :] or None,
    }
    assert {k: got[k] for k in want} == want
