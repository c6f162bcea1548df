"""Author lists the site cuts at its display limit: how a cut is told, completed and ranked.

One home for every rule about completeness, used by both spiders (which detail pages to
fetch, and whether one completes a list), by cleaning (``authors_complete`` and the cluster's
own author) and by the store's merge (which of two lists of one paper wins). Names are
compared with the fold of identity keys (``pipelines.identity``), so "Tomas" on a detail page
completes a cluster list showing "Tomás".
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from pipelines.identity import same_name
from pipelines.model import Authorship

if TYPE_CHECKING:
    from collections.abc import Sequence

    from crawler.pages.model import ClusterPage
    from pipelines.authors import AuthorName

# How sure a list is to be whole: known complete, known cut, cannot be told.
COMPLETENESS_RANK = {True: 2, False: 1, None: 0}


def looks_cut(listed: int, cut_marker: bool, display_limit: int) -> bool:
    """Whether a list of ``listed`` names may be cut: at the limit, or marked ("et al.")."""
    return cut_marker or listed >= display_limit


def cut_papers(page: ClusterPage, display_limit: int) -> list[int]:
    """Indexes of the papers whose author list may be cut and whose detail page is linked:
    the detail pages a crawl fetches to complete them."""
    return [
        i
        for i, paper in enumerate(page.papers)
        if paper.detail_url
        and looks_cut(len(paper.authors), paper.authors_cut_marker, display_limit)
    ]


def completes(shown: Sequence[str], full: Sequence[str]) -> bool:
    """Whether ``full`` (a detail page's list) completes ``shown`` (a cluster page's): it is
    longer and starts with the same people, spelled alike up to case and accents."""
    return len(full) > len(shown) and all(
        same_name(a, b) for a, b in zip(shown, full, strict=False)
    )


def complete_authors(page: ClusterPage, index: int, authors: Sequence[str]) -> ClusterPage:
    """``page`` with paper ``index``'s authors replaced by the longer ``authors`` of its
    detail page, when those complete the list the cluster page showed; else unchanged."""
    paper = page.papers[index]
    if not completes(paper.authors, authors):
        return page
    papers = list(page.papers)
    papers[index] = replace(paper, authors=tuple(authors), authors_cut_marker=False)
    return replace(page, papers=tuple(papers))


def truncated_end(page: ClusterPage) -> ClusterPage:
    """A page cut off before its end cannot vouch for its last paper's author list: the
    list is marked cut, never complete, and when the page ends inside it (no abstract
    follows) its last name, likely cut mid-name ("Co A" of "Co Author"), is dropped."""
    if not page.truncated or not page.papers:
        return page
    last = page.papers[-1]
    ends_in_list = last.abstract is None and len(last.authors) > 1
    authors = last.authors[:-1] if ends_in_list else last.authors
    papers = (*page.papers[:-1], replace(last, authors=authors, authors_cut_marker=True))
    return replace(page, papers=papers)


def authors_complete(
    names: Sequence[AuthorName], cluster: AuthorName, limit: int, cut_marker: bool = False
) -> bool | None:
    """Whether a listed author list is the whole list.

    True when fewer names than the display ``limit`` are listed (or more: a detail page's
    list), False when the list was visibly cut or is at the limit without the cluster's own
    name (the cluster's author must be among the hidden ones), None when it cannot be told.
    """
    if cut_marker:
        return False
    if len(names) != limit:
        return True
    return None if any(same_name(n.name, cluster.name) for n in names) else False


def cluster_authorship(
    names: Sequence[AuthorName], cluster: AuthorName, complete: bool | None
) -> Authorship | None:
    """The cluster's own author, linked without a position, when a cut list omits it: the
    cluster page lists the paper under that name, so that person is an author."""
    if complete is not False or any(same_name(n.name, cluster.name) for n in names):
        return None
    return Authorship(cluster, None, "cluster")


def list_rank(listed: int, complete: bool | None) -> tuple[int, int]:
    """How good an author list of one paper is: the longer list wins, then the one more
    certainly complete."""
    return listed, COMPLETENESS_RANK[complete]


def list_wins(
    new_rank: tuple[int, int],
    new_order: Sequence[str],
    old_rank: tuple[int, int],
    old_order: Sequence[str],
) -> bool:
    """Whether a newly seen list of a paper replaces the stored one. A tie goes to the list
    whose author keys sort first (never to ids or arrival, which follow load order), so that
    the same lists loaded in any order leave the same winner."""
    return new_rank > old_rank or (new_rank == old_rank and list(new_order) < list(old_order))
