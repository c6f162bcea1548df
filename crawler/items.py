"""Items: one per paper, in the export contract's shape, with its page's provenance.

What a page says of a paper, cleaned: Scrapy's feed exports (``-o``, ``-O``, ``FEEDS``) and
Scrapyd's items feed write these as they are. The store keeps more (papers merged across
pages and runs); ``scrapy export papers`` writes that. Raw bodies never travel in items: the
page store archives them (``crawler.pagestore``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pipelines.identity import stable_id

if TYPE_CHECKING:
    from pipelines.model import CleanPaper, PageRecord


@dataclass
class PaperItem:
    """One paper as one page showed it, cleaned.

    The export contract's fields first (``title`` ... ``clusters``: ``clusters`` is the
    page's cluster), then ``id`` (the paper's stable id, as in ``scrapy export``), ``url``
    (its page on the site), its [pdf] and [bib] links and DOI, the publication date shown,
    where the page came from (``source``, ``fetched_at``), the run that stored it, and the
    cleaning rules that changed it (``repairs``).
    """

    title: str
    year: int
    venue: str
    venue_name: str | None
    venue_type: str
    publication_type: str | None
    authors: list[dict[str, Any]]
    authors_complete: bool | None
    abstract: str | None
    clusters: list[str]
    id: str
    url: str | None
    pdf_url: str | None
    bib_url: str | None
    doi: str | None
    published: str | None
    published_precision: str | None
    source: str
    fetched_at: str
    run: int | None = None
    repairs: list[str] = field(default_factory=list)


def paper_item(paper: CleanPaper, record: PageRecord, run: int | None) -> PaperItem:
    """The item for one clean paper of ``record``'s page."""
    assert record.page is not None
    return PaperItem(
        title=paper.title,
        year=paper.year,
        venue=paper.venue.acronym,
        venue_name=paper.venue.name,
        venue_type=paper.venue.type,
        publication_type=paper.publication_type,
        authors=[
            {
                "name": a.author.name,
                "homonym": a.author.homonym,
                "position": a.position,
                "id": stable_id("author", a.author.key),
            }
            for a in paper.authorships
        ],
        authors_complete=paper.authors_complete,
        abstract=paper.abstract,
        clusters=[record.page.cluster.name],
        id=stable_id("paper", paper.key),
        url=paper.detail_url,
        pdf_url=paper.pdf_url,
        bib_url=paper.bib_url,
        doi=paper.doi,
        published=paper.date.on.isoformat() if paper.date else None,
        published_precision=paper.date.precision if paper.date else None,
        source=record.source,
        fetched_at=record.fetch.fetched_at.isoformat(),
        run=run,
        repairs=list(paper.repairs),
    )


def paper_items(record: PageRecord, run: int | None = None) -> list[PaperItem]:
    """The items of a page: one per clean paper (none for a refused page)."""
    if record.page is None:
        return []
    return [paper_item(paper, record, run) for paper in record.page.papers]
