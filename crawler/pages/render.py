"""Render a ClusterPage in the site's own markup: the inverse of ``site.parse_site``.

This is the markup the bundled fixtures use and that the local stand-in of the site
serves; its visible text is the page grammar of DESIGN.md line for line.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from crawler.pages.grammar import split_venue_line

if TYPE_CHECKING:
    from crawler.pages.model import ClusterPage, PaperEntry

NOTE = (
    "Possible papers associated with this exact author name in Arrow. This page groups "
    "case-insensitive exact name matches and is not a full identity disambiguation profile."
)


def _plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def _venue_html(line: str) -> str:
    parts = split_venue_line(line)
    if parts is None:
        return f'<p class="paper-venue">{escape(line)}</p>'
    kind = line.split()[len(parts.venue.split())]
    ptype = (
        f' <span class="paper-publication-type">{escape(parts.publication_type)}</span>'
        if parts.publication_type
        else ""
    )
    return (
        f'<p class="paper-venue"><span class="paper-venue-name">{escape(parts.venue)}</span> '
        f'<span class="paper-venue-kind">{escape(kind)}</span> '
        f'<span class="paper-year">{parts.year}</span>{ptype}</p>'
    )


def _paper_html(paper: PaperEntry, indent: str) -> str:
    title = escape(paper.title or "")
    if paper.detail_url:
        title = f'<a href="{escape(paper.detail_url)}">{title}</a>'
    authors = "".join(
        f'\n{indent}    <li class="paper-author">{escape(a)}</li>' for a in paper.authors
    )
    more = (
        f'\n{indent}    <li class="paper-authors-more">et al.</li>'
        if paper.authors_cut_marker
        else ""
    )
    date = (
        f'\n{indent}  <p class="paper-date">Published <time>{escape(paper.date)}</time></p>'
        if paper.date
        else ""
    )
    abstract = "".join(
        f'\n{indent}  <p class="paper-abstract">{escape(p)}</p>'
        for p in (paper.abstract or "").split("\n")
        if p
    )
    return (
        f'{indent}<article class="paper-card">\n'
        f"{indent}  {_venue_html(paper.venue_line)}\n"
        f'{indent}  <h3 class="paper-title">{title}</h3>\n'
        f'{indent}  <ul class="paper-authors">{authors}{more}\n{indent}  </ul>'
        f"{date}{abstract}{_links_html(paper, indent)}\n"
        f"{indent}</article>"
    )


def _links_html(paper: PaperEntry, indent: str) -> str:
    """The [pdf] [bib] DOI row of a card, for the links the paper has."""
    links = [
        f'<a class="paper-{kind}" href="{escape(href)}">{label}</a>'
        for kind, href, label in (
            ("pdf", paper.pdf_url, "[pdf]"),
            ("bib", paper.bib_url, "[bib]"),
            ("doi", f"https://doi.org/{paper.doi}" if paper.doi else None, "[doi]"),
        )
        if href
    ]
    return f'\n{indent}  <p class="paper-links">{" ".join(links)}</p>' if links else ""


def _stat(kind: str, value: int | None, one: str, many: str) -> str:
    if value is None:
        return ""
    return (
        f'      <p class="cluster-stat" data-stat="{kind}"><span class="cluster-stat-value">'
        f"{value}</span> {_plural(value, one, many)}</p>\n"
    )


def _updated(updated: str | None) -> str:
    if updated is None:
        return ""
    return f'      <p class="cluster-updated">Updated <time>{escape(updated)}</time></p>\n'


# Size: a template written out: the markup the stand-in serves, read top to bottom.
def render_site_html(page: ClusterPage, next_href: str | None = None) -> str:
    """The page in site markup, UTF-8 declared; ``next_href`` adds rel="next" links."""
    name = escape(page.cluster_name)
    papers = "\n".join(_paper_html(p, "      ") for p in page.papers)
    link = f'\n  <link rel="next" href="{escape(next_href)}">' if next_href else ""
    pager = (
        f'\n    <nav class="pagination"><a rel="next" href="{escape(next_href)}">'
        "Next page</a></nav>"
        if next_href
        else ""
    )
    badge = (
        f'      <p class="count-badge">{page.declared_papers}</p>\n'
        if page.declared_papers is not None
        else ""
    )
    return f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{name} · Author name cluster · Arrow Research search</title>{link}
</head>
<body>
  <header class="site-header"><a class="site-brand" href="/">Arrow Research search</a></header>
  <main class="cluster" data-page="author-cluster">
    <header class="cluster-header">
      <p class="cluster-kicker">Author name cluster</p>
      <h1 class="cluster-name">{name}</h1>
      <p class="cluster-note">{NOTE}</p>
{_stat("papers", page.declared_papers, "paper", "papers")}\
{_stat("author-rows", page.author_rows, "author row", "author rows")}\
{_updated(page.updated)}\
    </header>
    <section class="cluster-papers">
      <h2 class="cluster-papers-heading">Possible papers</h2>
{badge}{papers}
    </section>{pager}
  </main>
</body>
</html>
"""
