"""Typed page objects: what a cluster page says, before any cleaning."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


class PageError(ValueError):
    """A page that cannot be read as a cluster page; names the source and the reason."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


@dataclass(frozen=True, slots=True)
class PaperEntry:
    """One paper as the page shows it: raw strings, page order kept."""

    venue_line: str
    title: str | None
    authors: tuple[str, ...]
    abstract: str | None = None
    authors_cut_marker: bool = False
    detail_url: str | None = None
    date: str | None = None  # a publication date as shown, if the page shows one
    pdf_url: str | None = None  # the paper's [pdf] link, where the page shows one
    bib_url: str | None = None  # its [bib] link
    doi: str | None = None  # its DOI ("10.1145/..."), from a doi.org link


@dataclass(frozen=True, slots=True)
class ClusterPage:
    """A parsed author-cluster page; ``markup`` says which parser read it; ``truncated``
    that the page ends before its markup does (cut off mid-download or mid-save); ``headed``
    that the page names its cluster itself (the site markup, or an "Author name cluster"
    heading), so that the page that links to it cannot change what it says."""

    url: str
    cluster_name: str
    declared_papers: int | None
    author_rows: int | None
    papers: tuple[PaperEntry, ...] = field(default_factory=tuple)
    next_url: str | None = None
    markup: str = "text"
    updated: str | None = None  # an "updated" stamp as shown, if the page shows one
    truncated: bool = False
    fingerprint: str | None = None  # the site markup's structure, as the site parser found it
    headed: bool = True

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; the shape of a fixture's expected parse."""
        data = asdict(self)
        data.pop("url")
        data["papers"] = [{**p, "authors": list(p["authors"])} for p in data["papers"]]
        return data
