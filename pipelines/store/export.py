"""Streaming export of the store's tables as records (see DESIGN.md, export contract)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, TYPE_CHECKING, Any, Protocol

from sqlalchemy import func, select

from pipelines.authors import split_author
from pipelines.exporters import exporter_class
from pipelines.exporters.base import ExportError
from pipelines.identity import stable_id
from pipelines.store.dialects import dialect_of
from pipelines.store.health import health_of
from pipelines.store.models import (
    Author,
    AuthorVariant,
    Cluster,
    ClusterPaper,
    CrawlRun,
    Page,
    Paper,
    Reject,
    RunPaper,
    Venue,
)
from pipelines.store.models import Authorship as AuthorshipRow
from pipelines.venues import default_registry

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping, Sequence

    from sqlalchemy.orm import Session


class Progress(Protocol):
    """Told the rows exported so far, and once more at the end."""

    def __call__(self, rows: int, *, done: bool = False) -> None: ...


CHUNK = 500
Record = dict[str, Any]


@dataclass(frozen=True)
class Selection:
    """Which rows an export holds: those of papers in these clusters (by name), at these
    venues (acronym, name or alias), of these years, and changed by runs after ``since``.
    Each table takes the rows that belong to the papers selected (a paper's authors,
    clusters and venue); ``since`` takes each table's rows added or changed after that run.
    """

    clusters: tuple[str, ...] = ()
    venues: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    since: int | None = None

    @property
    def by_papers(self) -> bool:
        """Whether the selection narrows the papers (and so every table to theirs)."""
        return bool(self.clusters or self.venues) or (self.year_from, self.year_to) != (None, None)

    def cluster_keys(self) -> list[str]:
        return sorted({split_author(name).key for name in self.clusters})

    def venue_acronyms(self) -> list[str]:
        """The venues asked for as stored: the registry's acronym when it knows the name."""
        registry = default_registry()
        return sorted(
            {registry.resolve(v, "conference").acronym.lower() for v in self.venues}
            | {v.strip().lower() for v in self.venues}
        )


ALL = Selection()


def _paper_conditions(selection: Selection) -> list[Any]:
    """Conditions on ``papers`` for the clusters, venues and years selected."""
    conditions: list[Any] = []
    if selection.clusters:
        in_clusters = (
            select(ClusterPaper.paper_id)
            .join(Cluster, Cluster.id == ClusterPaper.cluster_id)
            .where(Cluster.key.in_(selection.cluster_keys()))
        )
        conditions.append(Paper.id.in_(in_clusters))
    if selection.venues:
        venues = select(Venue.id).where(func.lower(Venue.acronym).in_(selection.venue_acronyms()))
        conditions.append(Paper.venue_id.in_(venues))
    if selection.year_from is not None:
        conditions.append(Paper.year >= selection.year_from)
    if selection.year_to is not None:
        conditions.append(Paper.year <= selection.year_to)
    return conditions


def _selected_papers(selection: Selection) -> Any:
    """The ids of the papers the selection's clusters, venues and years take."""
    return select(Paper.id).where(*_paper_conditions(selection))


def _since(column: Any, selection: Selection) -> list[Any]:
    return [column > selection.since] if selection.since is not None else []


def _chunks(session: Session, stmt: Any) -> Iterator[Sequence[Any]]:
    result = session.execute(stmt.execution_options(yield_per=CHUNK))
    yield from result.partitions()


def _utc_iso(moment: datetime) -> str:
    # Times are stored in UTC; SQLite hands them back without their zone.
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


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
        record = {
            "name": name,
            "homonym": homonym,
            "position": position,
            "id": stable_id("author", key),
        }
        authors[paper_id].append((order, record))
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


def _sightings(
    session: Session, papers: Sequence[Paper]
) -> dict[int, tuple[Record | None, Record | None]]:
    """Each paper's first and last sighting: the run, and when the page that showed it was
    fetched (a saved page: its file's time; so a replay of the same files says the same)."""
    ids = [p.id for p in papers]
    last = dict(
        session.execute(
            select(ClusterPaper.paper_id, func.max(ClusterPaper.last_seen_run_id))
            .where(dialect_of(session).among(ClusterPaper.paper_id, ids))
            .group_by(ClusterPaper.paper_id)
        ).all()
    )

    def seen(run: int | None, at: datetime | None) -> Record | None:
        return {"run": run, "at": _utc_iso(at) if at else None} if run is not None else None

    return {
        p.id: (seen(p.first_run_id, p.first_seen_at), seen(last.get(p.id), p.last_seen_at))
        for p in papers
    }


def _paper_record(
    paper: Paper,
    venue: Venue,
    authors: list[Record],
    clusters: list[str],
    seen: tuple[Record | None, Record | None],
) -> Record:
    return {
        "title": paper.title,
        "year": paper.year,
        "venue": venue.acronym,
        "venue_name": venue.name,
        "venue_type": venue.type,
        "publication_type": paper.publication_type,
        "authors": authors,
        "authors_complete": paper.authors_complete,
        "abstract": paper.abstract,
        "clusters": clusters,
        "id": stable_id("paper", paper.key),
        "key": paper.key,
        "url": paper.detail_url,
        "pdf_url": paper.pdf_url,
        "bib_url": paper.bib_url,
        "doi": paper.doi,
        "published": paper.published_on.isoformat() if paper.published_on else None,
        "published_precision": paper.published_precision,
        "first_seen": seen[0],
        "last_seen": seen[1],
    }


def iter_papers(session: Session, selection: Selection = ALL) -> Iterator[Record]:
    """One record per paper, newest first, in the export contract's shape and more."""
    stmt = (
        select(Paper, Venue)
        .join(Venue, Venue.id == Paper.venue_id)
        .where(*_paper_conditions(selection), *_since(Paper.changed_run_id, selection))
        .order_by(Paper.year.desc(), Paper.key)
    )
    for chunk in _chunks(session, stmt):
        ids = [paper.id for paper, _ in chunk]
        authors = _paper_authors(session, ids)
        clusters = _paper_clusters(session, ids)
        seen = _sightings(session, [paper for paper, _ in chunk])
        for paper, venue in chunk:
            yield _paper_record(
                paper, venue, authors.get(paper.id, []), clusters.get(paper.id, []), seen[paper.id]
            )


def iter_authors(session: Session, selection: Selection = ALL) -> Iterator[Record]:
    """One record per author identity, with every spelling seen and a paper count."""
    papers = (
        select(AuthorshipRow.author_id, func.count(AuthorshipRow.paper_id).label("n"))
        .group_by(AuthorshipRow.author_id)
        .subquery()
    )
    conditions = _since(Author.changed_run_id, selection)
    if selection.by_papers:
        of_papers = select(AuthorshipRow.author_id).where(
            AuthorshipRow.paper_id.in_(_selected_papers(selection))
        )
        conditions.append(Author.id.in_(of_papers))
    stmt = (
        select(Author, func.coalesce(papers.c.n, 0))
        .outerjoin(papers, papers.c.author_id == Author.id)
        .where(*conditions)
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
                "id": stable_id("author", author.key),
            }


def _venues(session: Session, selection: Selection, *only: Any) -> Iterator[Record]:
    papers = select(Paper.venue_id, func.count().label("n")).group_by(Paper.venue_id).subquery()
    conditions = [*only, *_since(Venue.changed_run_id, selection)]
    if selection.by_papers:
        conditions.append(Venue.id.in_(select(Paper.venue_id).where(*_paper_conditions(selection))))
    stmt = (
        select(Venue, func.coalesce(papers.c.n, 0))
        .outerjoin(papers, papers.c.venue_id == Venue.id)
        .where(*conditions)
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


def iter_venues(session: Session, selection: Selection = ALL) -> Iterator[Record]:
    """One record per venue; ``known`` is False for names outside the registry."""
    return _venues(session, selection)


def iter_unknown_venues(session: Session, selection: Selection = ALL) -> Iterator[Record]:
    """The venues the registry does not know, with how many papers each holds: what to
    add aliases or entries for (``pipelines/data/venues.json``)."""
    return _venues(session, selection, Venue.known.is_(False))


def iter_clusters(session: Session, selection: Selection = ALL) -> Iterator[Record]:
    """One record per cluster: declared counts from the page and papers stored."""
    papers = (
        select(ClusterPaper.cluster_id, func.count().label("n"))
        .group_by(ClusterPaper.cluster_id)
        .subquery()
    )
    conditions = _since(Cluster.changed_run_id, selection)
    if selection.clusters:
        conditions.append(Cluster.key.in_(selection.cluster_keys()))
    if selection.by_papers:
        conditions.append(
            Cluster.id.in_(
                select(ClusterPaper.cluster_id).where(
                    ClusterPaper.paper_id.in_(_selected_papers(selection))
                )
            )
        )
    stmt = (
        select(Cluster, func.coalesce(papers.c.n, 0))
        .outerjoin(papers, papers.c.cluster_id == Cluster.id)
        .where(*conditions)
        .order_by(Cluster.key)
    )
    for chunk in _chunks(session, stmt):
        for cluster, n in chunk:
            yield {
                "name": cluster.name,
                "declared_papers": cluster.declared_papers,
                "author_rows": cluster.author_rows,
                "papers": n,
                "id": stable_id("cluster", cluster.key),
            }


def _cluster_ids(selection: Selection) -> Any:
    return select(Cluster.id).where(Cluster.key.in_(selection.cluster_keys()))


def iter_runs(session: Session, selection: Selection = ALL) -> Iterator[Record]:
    """One record per crawl run, oldest first, with its counts, summary and health."""
    conditions = _since(CrawlRun.id, selection)
    if selection.clusters:
        conditions.append(
            CrawlRun.id.in_(
                select(RunPaper.run_id).where(RunPaper.cluster_id.in_(_cluster_ids(selection)))
            )
        )
    stmt = select(CrawlRun).where(*conditions).order_by(CrawlRun.id)
    for chunk in _chunks(session, stmt):
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
                "health": health_of(run),
            }


def iter_rejects(session: Session, selection: Selection = ALL) -> Iterator[Record]:
    """One record per refused input: the last run that refused it, where it came from,
    which part (0: the whole page, N: its N-th paper), why, and its raw text."""
    conditions = _since(Reject.last_run_id, selection)
    if selection.clusters:
        pages = select(Page.source).where(Page.cluster_id.in_(_cluster_ids(selection)))
        conditions.append(Reject.source.in_(pages))
    stmt = select(Reject).where(*conditions).order_by(Reject.source, Reject.item, Reject.id)
    for chunk in _chunks(session, stmt):
        for (reject,) in chunk:
            yield {
                "run": reject.last_run_id,
                "source": reject.source,
                "item": reject.item,
                "reason": reject.reason,
                "raw": reject.raw,
            }


TABLES: dict[str, Callable[[Session, Selection], Iterator[Record]]] = {
    "papers": iter_papers,
    "authors": iter_authors,
    "venues": iter_venues,
    "clusters": iter_clusters,
    "runs": iter_runs,
    "rejects": iter_rejects,
    "unknown-venues": iter_unknown_venues,
}
# Tables a selection of papers (by venue or year) says nothing about.
NOT_BY_PAPERS = frozenset({"runs", "rejects"})

PAPER_COLUMNS = (
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
    "id",
    "key",
    "url",
    "pdf_url",
    "bib_url",
    "doi",
    "published",
    "published_precision",
    "first_seen",
    "last_seen",
)
VENUE_COLUMNS = ("acronym", "name", "type", "known", "papers")
COLUMNS = {
    "papers": PAPER_COLUMNS,
    "authors": ("name", "homonym", "variants", "papers", "id"),
    "venues": VENUE_COLUMNS,
    "clusters": ("name", "declared_papers", "author_rows", "papers", "id"),
    "runs": (
        "id",
        "spider",
        "arguments",
        "status",
        "started_at",
        "finished_at",
        "counts",
        "summary",
        "health",
    ),
    "rejects": ("run", "source", "item", "reason", "raw"),
    "unknown-venues": VENUE_COLUMNS,
}


def check_selection(table: str, selection: Selection) -> None:
    """ExportError when the selection asks ``table`` something it cannot answer."""
    if table in NOT_BY_PAPERS and (selection.venues or selection.year_from or selection.year_to):
        msg = f"--venue and --year do not apply to {table} (--cluster and --since do)"
        raise ExportError(msg)


class TableRecords:
    """A table's records, iterable again (a format may read them twice), counted as they
    go to ``progress`` (rows so far; ``done`` at the end)."""

    def __init__(
        self,
        session: Session,
        table: str,
        selection: Selection = ALL,
        progress: Progress | None = None,
    ) -> None:
        self.session, self.table, self.selection = session, table, selection
        self.progress = progress

    def __iter__(self) -> Iterator[Record]:
        rows = 0
        records = TABLES[self.table](self.session, self.selection)
        for rows, record in enumerate(records, start=1):
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
    selection: Selection = ALL,
    options: Mapping[str, Any] | None = None,
    progress: Progress | None = None,
) -> int:
    """Stream ``table``'s ``selection`` to the binary stream ``out`` in the format ``fmt``
    (a name of the formats registry), with the format's ``options``; the rows written."""
    check_selection(table, selection)
    exporter = exporter_class(fmt)(out, table, COLUMNS[table], options=options)
    return exporter.export(TableRecords(session, table, selection, progress))


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
