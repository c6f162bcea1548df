"""Cleaned page objects: what the store loads."""

from __future__ import annotations

from dataclasses import dataclass

from crawler.items import PageItem  # noqa: TC001 (a dataclass field type)
from pipelines.authors import AuthorName  # noqa: TC001 (a dataclass field type)
from pipelines.dates import ShownDate  # noqa: TC001
from pipelines.venues import Venue  # noqa: TC001


@dataclass(frozen=True, slots=True)
class Authorship:
    """An author of a paper; ``position`` is None when known only from the cluster."""

    author: AuthorName
    position: int | None
    source: str  # "page": listed on the page; "cluster": implied by the cluster name


@dataclass(frozen=True, slots=True)
class CleanPaper:
    """A paper ready to store, with its raw abstract kept beside the clean one."""

    title: str
    year: int
    venue: Venue
    publication_type: str | None
    authorships: tuple[Authorship, ...]
    listed_authors: int
    authors_complete: bool | None
    abstract: str | None
    abstract_raw: str | None
    detail_url: str | None = None
    repairs: tuple[str, ...] = ()  # the cleaning rules that changed this paper, once each
    date: ShownDate | None = None


@dataclass(frozen=True, slots=True)
class PaperReject:
    """A paper that could not be made valid, with the reason and its raw text."""

    index: int
    reason: str
    raw: str


@dataclass(frozen=True, slots=True)
class CleanPage:
    """A cluster page after cleaning: valid papers and the rejects, in page order."""

    cluster: AuthorName
    declared_papers: int | None
    author_rows: int | None
    papers: tuple[CleanPaper, ...]
    rejects: tuple[PaperReject, ...]
    updated: ShownDate | None = None
    unparsed_dates: tuple[str, ...] = ()  # dates shown that could not be read, kept raw


@dataclass(frozen=True, slots=True)
class PageRecord:
    """What the store loads for one page: the item (provenance, raw body, parse or error)
    and its cleaned page, None when the page was rejected."""

    item: PageItem
    page: CleanPage | None
