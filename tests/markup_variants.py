"""The same cluster page in other markups and encodings than the ones bundled.

Each variant renders a ClusterPage the way another tool would save it; a general parser
must read every one of them back to the same page.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from crawler.pages.render import NOTE, render_site_html

if TYPE_CHECKING:
    from collections.abc import Callable

    from crawler.pages.model import ClusterPage, PaperEntry


def _updated(page: ClusterPage) -> list[str]:
    return [f"Updated {page.updated}"] if page.updated else []


def _dated(paper: PaperEntry) -> list[str]:
    return [f"Published: {paper.date}"] if paper.date else []


def _counts(page: ClusterPage) -> list[str]:
    out = []
    if page.declared_papers is not None:
        out.append(f"{page.declared_papers} paper{'s' if page.declared_papers != 1 else ''}")
    if page.author_rows is not None:
        out.append(f"{page.author_rows} author row{'s' if page.author_rows != 1 else ''}")
    return out


def text_snapshot(page: ClusterPage) -> bytes:
    """A plain-text copy like the seed: blank lines between blocks, bulleted authors."""
    lines = ["Arrow Research search", "Author name cluster", page.cluster_name, NOTE]
    lines += [*_counts(page), *_updated(page), "Possible papers"]
    lines += [str(page.declared_papers or len(page.papers))]
    for paper in page.papers:
        lines += [paper.venue_line, paper.title or ""]
        lines += [f"  • {a}" for a in paper.authors]
        lines += [*_dated(paper), *(paper.abstract or "").split("\n")]
    return "\n\n".join(line for line in lines if line).encode()


def comma_text(page: ClusterPage) -> bytes:
    """A text copy with each author list on one comma-separated line, CRLF line ends."""
    lines = ["Author name cluster", page.cluster_name, " · ".join(_counts(page)), *_updated(page)]
    lines += [f"Possible papers {page.declared_papers or len(page.papers)}"]
    for paper in page.papers:
        lines += [paper.venue_line, paper.title or "", ", ".join(paper.authors)]
        lines += [*_dated(paper), *(paper.abstract or "").split("\n")]
    return "\r\n".join(line for line in lines if line).encode("utf-8-sig")


def _div_paper(paper: PaperEntry) -> str:
    authors = ", ".join(f'<a href="#">{escape(a)}</a>' for a in paper.authors)
    abstract = "".join(
        f"<div class='ab'>{escape(p)}</div>" for p in (paper.abstract or "").split("\n") if p
    )
    return (
        f"<div class='item'><div class='src'>{escape(paper.venue_line)}</div>"
        f"<div class='t'><a href='#'>{escape(paper.title or '')}</a></div>"
        f"<div class='au'>{authors}</div>"
        + "".join(f"<div class='dt'>{escape(d)}</div>" for d in _dated(paper))
        + f"{abstract}</div>"
    )


def div_soup_cp1252(page: ClusterPage) -> bytes:
    """A browser "save as" of a redesigned site: div soup, chrome, windows-1252."""
    papers = "".join(_div_paper(p) for p in page.papers)
    html = f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252">
<title>{escape(page.cluster_name)} | Arrow</title><style>.x{{}}</style>
<script>var cfg = {{"title": "NeurIPS Conference 2099 Conference Paper"}};</script></head>
<body><div class="cookie-notice">We use cookies. <a>Accept</a></div>
<div class="nav"><nav><a>Home</a> <a>Search</a></nav></div>
<div class="crumbs">Arrow &rsaquo; Author name cluster</div>
<div class="h"><span class="nm">{escape(page.cluster_name)}</span></div>
<div class="note">{NOTE}</div>
<div class="counts">{" &middot; ".join(_counts(page))}</div>
{"".join(f"<div class='upd'>{escape(u)}</div>" for u in _updated(page))}
<div class="ph">Possible papers <span class="badge">{page.declared_papers or len(page.papers)}</span></div>
<div class="list">{papers}</div>
<div class="site-footer">&copy; 2026 Arrow Research &middot; Terms &middot; Privacy</div>
</body></html>"""
    return html.encode("cp1252", errors="xmlcharrefreplace")


def reader_mode(page: ClusterPage) -> bytes:
    """A reader-mode copy: one article, the name as its heading, latin-1 declared."""
    parts = [f"<h1>{escape(page.cluster_name)}</h1><p>Author name cluster</p><p>{NOTE}</p>"]
    parts += [f"<p>{c}</p>" for c in [*_counts(page), *_updated(page)]]
    parts.append("<h2>Possible papers</h2>")
    for paper in page.papers:
        parts.append(f"<p><small>{escape(paper.venue_line)}</small></p>")
        parts.append(f"<h3>{escape(paper.title or '')}</h3>")
        parts.append("<ul>" + "".join(f"<li>{escape(a)}</li>" for a in paper.authors) + "</ul>")
        parts += [f"<p><i>{escape(d)}</i></p>" for d in _dated(paper)]
        parts += [f"<p>{escape(p)}</p>" for p in (paper.abstract or "").split("\n") if p]
    html = (
        '<html><head><meta charset="iso-8859-1"><title>Reader view</title></head><body>'
        f"<article>{''.join(parts)}</article><footer>Saved for later</footer></body></html>"
    )
    return html.encode("cp1252", errors="xmlcharrefreplace")


def table_layout(page: ClusterPage) -> bytes:
    """An old-style table layout, one row per paper, UTF-8 from the HTTP header only."""
    rows = "".join(
        f"<tr><td>{escape(p.venue_line)}</td></tr><tr><td><b>{escape(p.title or '')}</b></td></tr>"
        f"<tr><td>{escape('; '.join(p.authors))}</td></tr>"
        + "".join(f"<tr><td>{escape(d)}</td></tr>" for d in _dated(p))
        + "".join(f"<tr><td>{escape(a)}</td></tr>" for a in (p.abstract or "").split("\n") if a)
        for p in page.papers
    )
    html = (
        f"<html><body><table><tr><td>Author name cluster</td></tr>"
        f"<tr><td>{escape(page.cluster_name)}</td></tr>"
        + "".join(f"<tr><td>{c}</td></tr>" for c in [*_counts(page), *_updated(page)])
        + f"{rows}</table></body></html>"
    )
    return html.encode()


def preformatted(page: ClusterPage) -> bytes:
    """The text snapshot pasted into a <pre> of an otherwise empty HTML page."""
    return f"<html><body><pre>{escape(text_snapshot(page).decode())}</pre></body></html>".encode()


def markdown(page: ClusterPage) -> bytes:
    """A Markdown export: headings, bold venue lines, "-" bullets, a rule between papers."""
    lines = ["# Author name cluster", f"## {page.cluster_name}", "", *_counts(page)]
    lines += [*_updated(page), ""]
    for paper in page.papers:
        lines += ["---", f"**{paper.venue_line}**", f"### {paper.title or ''}", ""]
        lines += [f"- {a}" for a in paper.authors]
        lines += ["", *_dated(paper), *(paper.abstract or "").split("\n"), ""]
    return "\n".join(lines).encode()


VARIANTS: dict[str, tuple[Callable[[ClusterPage], bytes], str | None]] = {
    "site-markup": (lambda p: render_site_html(p).encode(), "text/html"),
    "text-snapshot": (text_snapshot, "text/plain"),
    "comma-text": (comma_text, "text/plain"),
    "div-soup-cp1252": (div_soup_cp1252, None),
    "reader-mode-latin1": (reader_mode, None),
    "table-layout": (table_layout, "text/html; charset=utf-8"),
    "preformatted": (preformatted, None),
    "markdown": (markdown, "text/plain"),
}
