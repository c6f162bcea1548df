"""Streaming export of the store's tables as records (see DESIGN.md, export contract)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import IO, TYPE_CHECKING, Any, Protocol

from sqlalchemy import func, select

from pipelines.exporters import exporter_class
from pipelines.store.dialects import dialect_of
from pipelines.store.models import (
    Author,
    AuthorVariant,
    Cluster,
    ClusterPaper,
    CrawlRun,
    Paper,
    Venue,
)
from pipelines.store.models import Authorship as AuthorshipRow

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping, Sequence

    from sqlalchemy.orm import Session


class Progress(Protocol):
    """Told the rows exported so far, and once more at the end."""

    def __call__(self, rows: int, *, done: bool = False) -> None: ...


CHUNK = 500
Record = dict[str, Any]


def _chunks(session: Session, stmt: Any) -> Iterator[Sequence[Any]]:
    result = session.execute(stmt.execution_options(yield_per=CHUNK))
    yield from result.partitions()


def _paper_authors(session: Session, paper_ids: list[int]) -> dict[int, list[Record]]:
    rows = session.execute(
        select(
            AuthorshipRow.paper_id,
            AuthorshipRow.position,
            AuthorshipRow.name_as_listed,
            Author.homonym,
            Author.key,
        )
        .join(Author, Author.id == AuthorshipRow.author_id)
        .where(dialect_of(session).among(AuthorshipRow.paper_id, paper_ids))
    )
    authors: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for paper_id, position, name, homonym, key in rows:
        # Page order first; authors known only from the cluster last, by identity.
        order = (position is None, position or 0, key)
        authors[paper_id].append((order, {"name": name, "homonym": homonym, "position": position}))
    return {pid: [record for _, record in sorted(items)] for pid, items in authors.items()}


def _paper_clusters(session: Session, paper_ids: list[int]) -> dict[int, list[str]]:
    rows = session.execute(
        select(ClusterPaper.paper_id, Cluster.name)
        .join(Cluster, Cluster.id == ClusterPaper.cluster_id)
        .where(dialect_of(session).among(ClusterPaper.paper_id, paper_ids))
    )
    clusters: dict[int, list[str]] = defaultdict(list)
    for paper_id, name in rows:
        clusters[paper_id].append(name)
    return {pid: sorted(names) for pid, names in clusters.items()}


def iter_papers(session: Session) -> Iterator[Record]:
    """One record per paper, newest first, in the export contract's shape."""
    stmt = (
        select(Paper, Venue)
        .join(Venue, Venue.id == Paper.venue_id)
        .order_by(Paper.year.desc(), Paper.key)
    )
    for chunk in _chunks(session, stmt):
        ids = [paper.id for paper, _ in chunk]
        authors = _paper_authors(session, ids)
        clusters = _paper_clusters(session, ids)
        for paper, venue in chunk:
            yield {
                "title": paper.title,
                "year": paper.year,
                "venue": venue.acronym,
                "venue_name": venue.name,
                "venue_type": venue.type,
                "publication_type": paper.publication_type,
                "authors": authors.get(paper.id, []),
                "authors_complete": paper.authors_complete,
                "abstract": paper.abstract,
                "clusters": clusters.get(paper.id, []),
            }


def iter_authors(session: Session) -> Iterator[Record]:
    """One record per author identity, with every spelling seen and a paper count."""
    papers = (
        select(AuthorshipRow.author_id, func.count(AuthorshipRow.paper_id).label("n"))
        .group_by(AuthorshipRow.author_id)
        .subquery()
    )
    stmt = (
        select(Author, func.coalesce(papers.c.n, 0))
        .outerjoin(papers, papers.c.author_id == Author.id)
        .order_by(Author.key)
    )
    for chunk in _chunks(session, stmt):
        ids = [author.id for author, _ in chunk]
        variants: dict[int, list[str]] = defaultdict(list)
        for author_id, spelling in session.execute(
            select(AuthorVariant.author_id, AuthorVariant.spelling)
            .where(dialect_of(session).among(AuthorVariant.author_id, ids))
            .order_by(AuthorVariant.spelling)
        ):
            variants[author_id].append(spelling)
        for author, n in chunk:
            yield {
                "name": author.name,
                "homonym": author.homonym,
                "variants": variants.get(author.id, []),
                "papers": n,
            }


def iter_venues(session: Session) -> Iterator[Record]:
    """One record per venue; ``known`` is False for names outside the registry."""
    papers = select(Paper.venue_id, func.count().label("n")).group_by(Paper.venue_id).subquery()
    stmt = (
        select(Venue, func.coalesce(papers.c.n, 0))
        .outerjoin(papers, papers.c.venue_id == Venue.id)
        .order_by(Venue.acronym)
    )
    for chunk in _chunks(session, stmt):
        for venue, n in chunk:
            yield {
                "acronym": venue.acronym,
                "name": venue.name,
                "type": venue.type,
                "known": venue.known,
                "papers": n,
            }


def iter_clusters(session: Session) -> Iterator[Record]:
    """One record per cluster: declared counts from the page and papers stored."""
    papers = (
        select(ClusterPaper.cluster_id, func.count().label("n"))
        .group_by(ClusterPaper.cluster_id)
        .subquery()
    )
    stmt = (
        select(Cluster, func.coalesce(papers.c.n, 0))
        .outerjoin(papers, papers.c.cluster_id == Cluster.id)
        .order_by(Cluster.key)
    )
    for chunk in _chunks(session, stmt):
        for cluster, n in chunk:
            yield {
                "name": cluster.name,
                "declared_papers": cluster.declared_papers,
                "author_rows": cluster.author_rows,
                "papers": n,
            }


def _utc_iso(moment: datetime) -> str:
    # Times are stored in UTC; SQLite hands them back without their zone.
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


def iter_runs(session: Session) -> Iterator[Record]:
    """One record per crawl run, oldest first, with its counts and summary."""
    for chunk in _chunks(session, select(CrawlRun).order_by(CrawlRun.id)):
        for (run,) in chunk:
            yield {
                "id": run.id,
                "spider": run.spider,
                "arguments": run.arguments,
                "status": run.status,
                "started_at": _utc_iso(run.started_at),
                "finished_at": _utc_iso(run.finished_at) if run.finished_at else None,
                "counts": run.counts,
                "summary": run.summary,
            }


TABLES: dict[str, Callable[[Session], Iterator[Record]]] = {
    "papers": iter_papers,
    "authors": iter_authors,
    "venues": iter_venues,
    "clusters": iter_clusters,
    "runs": iter_runs,
}


COLUMNS = {
    "papers": (
        "title",
        "year",
        "venue",
        "venue_name",
        "venue_type",
        "publication_type",
        "authors",
        "authors_complete",
        "abstract",
        "clusters",
    ),
    "authors": ("name", "homonym", "variants", "papers"),
    "venues": ("acronym", "name", "type", "known", "papers"),
    "clusters": ("name", "declared_papers", "author_rows", "papers"),
    "runs": (
        "id",
        "spider",
        "arguments",
        "status",
        "started_at",
        "finished_at",
        "counts",
        "summary",
    ),
}


class TableRecords:
    """A table's records, iterable again (a format may read them twice), counted as they
    go to ``progress`` (rows so far; ``done`` at the end)."""

    def __init__(self, session: Session, table: str, progress: Progress | None = None) -> None:
        self.session, self.table, self.progress = session, table, progress

    def __iter__(self) -> Iterator[Record]:
        rows = 0
        for rows, record in enumerate(TABLES[self.table](self.session), start=1):
            yield record
            if self.progress is not None:
                self.progress(rows)
        if self.progress is not None:
            self.progress(rows, done=True)


def export_table(
    session: Session,
    table: str,
    fmt: str,
    out: IO[bytes],
    *,
    options: Mapping[str, Any] | None = None,
    progress: Progress | None = None,
) -> int:
    """Stream ``table`` to the binary stream ``out`` in the format ``fmt`` (a name of the
    formats registry), with the format's ``options``; returns the rows written."""
    exporter = exporter_class(fmt)(out, table, COLUMNS[table], options=options)
    return exporter.export(TableRecords(session, table, progress))


COUNTED = {
    "papers": Paper,
    "authors": Author,
    "venues": Venue,
    "clusters": Cluster,
    "runs": CrawlRun,
}


def count_rows(session: Session, table: str) -> int | None:
    """How many records ``table`` will give, when that is cheap to say (for progress)."""
    model = COUNTED.get(table)
    if model is None:
        return None
    return int(session.execute(select(func.count()).select_from(model)).scalar_one())
