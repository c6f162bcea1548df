"""The pure core's records: a fetched page, and what cleaning made of it. Plain, picklable
data: no Scrapy, no database, so they cross threads and worker processes alike."""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass, field, replace
from datetime import datetime  # noqa: TC003 (a dataclass field type)

from pipelines.authors import AuthorName  # noqa: TC001 (a dataclass field type)
from pipelines.dates import ShownDate  # noqa: TC001
from pipelines.pickling import quick_pickle
from pipelines.venues import Venue  # noqa: TC001

ARCHIVE_LEVEL = 1


@quick_pickle
@dataclass(frozen=True, slots=True)
class Fetch:
    """A page's bytes and where they came from: a saved file (``http_status`` None) or an
    HTTP response, with what the server said beside it."""

    source: str  # a URL, or the path of a saved file
    body: bytes
    fetched_at: datetime
    content_type: str | None = None
    http_status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    sha256: str = field(init=False, default="")
    size: int = field(init=False, default=0)  # of the body, in bytes
    # The body compressed for the archive, once made (a worker process makes it, so that
    # the process that stores pages does not).
    packed: bytes | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sha256", hashlib.sha256(self.body).hexdigest())
        object.__setattr__(self, "size", len(self.body))

    def raw(self) -> bytes:
        """The body, from its compressed form when it travelled without it (``sent``)."""
        if self.body or self.packed is None:
            return self.body
        return zlib.decompress(self.packed)

    def sent(self) -> Fetch:
        """This fetch as a worker process sends it back: compressed only. The process that
        stores it needs the archive's form, its digest and its size; the body itself (most
        of a record's bytes) would be copied through the pipe and unpickled for nothing."""
        packed = self.zipped()
        light = replace(self, body=b"", packed=packed)
        object.__setattr__(light, "sha256", self.sha256)
        object.__setattr__(light, "size", self.size)
        return light

    def zipped(self) -> bytes:
        """The body compressed for the archive (zlib; level 1: a fifth of the size of HTML
        at a third of level 6's time)."""
        if self.packed is None:
            object.__setattr__(self, "packed", zlib.compress(self.body, ARCHIVE_LEVEL))
        assert self.packed is not None
        return self.packed


@quick_pickle
@dataclass(frozen=True, slots=True)
class Authorship:
    """An author of a paper; ``position`` is None when known only from the cluster."""

    author: AuthorName
    position: int | None
    source: str  # "page": listed on the page; "cluster": implied by the cluster name


@quick_pickle
@dataclass(frozen=True, slots=True)
class CleanPaper:
    """A paper ready to store, with its raw abstract kept beside the clean one.

    ``key`` is its identity (``pipelines.identity.paper_key``): folded title, year and the
    venue as the page wrote it (``venue_written``, ``venue_kind``), not as the registry
    resolved it (``venue``).
    """

    key: str
    title: str
    year: int
    venue: Venue
    venue_written: str
    venue_kind: str
    publication_type: str | None
    authorships: tuple[Authorship, ...]
    listed_authors: int
    authors_complete: bool | None
    abstract: str | None
    abstract_raw: str | None
    detail_url: str | None = None
    repairs: tuple[str, ...] = ()  # the cleaning rules that changed this paper, once each
    date: ShownDate | None = None
    pdf_url: str | None = None
    bib_url: str | None = None
    doi: str | None = None
    digest: str = ""  # pipelines.digest.paper_digest, made where the paper was cleaned


@quick_pickle
@dataclass(frozen=True, slots=True)
class PaperReject:
    """A paper that could not be made valid, with the reason and its raw text."""

    index: int
    reason: str
    raw: str


@quick_pickle
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


@quick_pickle
@dataclass(frozen=True, slots=True)
class PageRecord:
    """One page as the store loads it: the fetch (provenance and raw bytes, for the
    archive) and its clean page, or, for a page refused, the reason and its text.

    ``markup`` says which parser read the page ("site" or "text"), ``fingerprint`` the
    structure of the site markup it found (``crawler.pages.site.fingerprint``); ``next_url`` and
    ``cluster_name`` (as shown) are what the page leads to, for a crawl to follow.
    ``reprocess`` is False for a live fetch: a body loaded before costs no writes beyond
    "seen"; a replay, after a parser change, loads every page again.
    """

    fetch: Fetch
    page: CleanPage | None
    error: str | None = None
    reject_text: str = ""
    markup: str | None = None
    fingerprint: str | None = None
    headed: bool = True
    next_url: str | None = None
    cluster_name: str | None = None
    details: tuple[Fetch, ...] = ()
    reprocess: bool = True

    @property
    def source(self) -> str:
        return self.fetch.source

    def packed(self) -> PageRecord:
        """The record with its bodies compressed for the archive, and only so (``Fetch.sent``),
        ready to be sent back from a worker process."""
        return replace(self, fetch=self.fetch.sent(), details=tuple(d.sent() for d in self.details))
