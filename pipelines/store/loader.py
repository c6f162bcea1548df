"""Load clean pages into the store: set-wise per batch, idempotent, order-independent.

Loaders take a session and never commit: the caller owns the transaction (one per batch).
A batch is loaded with a fixed number of statements whatever its size: each table is read
once for every key the batch names, rows are merged in memory by the rules of
``pipelines.store.merge``, and written back as multi-row upserts and updates, sorted by key
so that concurrent writers take their locks in one order. A batch that fails is loaded
again page by page, each in a savepoint, so that only the page at fault is quarantined.
"""

from __future__ import annotations

import hashlib
import json
import logging
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update

from crawler.pages.decode import decode_body
from pipelines.store.db import RetryTransaction, retryable
from pipelines.store.merge import (
    AuthorshipState,
    ClusterState,
    PaperState,
    merge_authorships,
    merge_cluster,
    merge_paper,
)
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
from pipelines.store.upsert import among, chunks, ids_by_key, insert_new, update_by_id, upsert
from pipelines.text import fold

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from sqlalchemy.engine import Connection
    from sqlalchemy.orm import Session
    from sqlalchemy.sql.schema import Table

    from crawler.items import DetailFetch, PageItem
    from pipelines.model import Authorship, CleanPage, CleanPaper, PageRecord

logger = logging.getLogger(__name__)


@dataclass
class LoadCounts:
    """What loading did, summed over pages."""

    pages: int = 0
    pages_rejected: int = 0
    pages_unchanged: int = 0
    papers: int = 0
    papers_new: int = 0
    papers_updated: int = 0
    rejects: int = 0
    by_reason: Counter[str] = field(default_factory=Counter)

    def add(self, other: LoadCounts) -> None:
        for name in self.as_dict():
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.by_reason.update(other.by_reason)

    def as_dict(self) -> dict[str, int]:
        return {
            "pages": self.pages,
            "pages_rejected": self.pages_rejected,
            "pages_unchanged": self.pages_unchanged,
            "papers": self.papers,
            "papers_new": self.papers_new,
            "papers_updated": self.papers_updated,
            "rejects": self.rejects,
        }


def paper_digest(paper: CleanPaper) -> str:
    """A fingerprint of what a page says of a paper, to tell a changed paper between runs."""
    shown = [
        paper.title,
        paper.year,
        paper.venue.acronym,
        paper.publication_type,
        [(a.author.name, a.author.homonym, a.position) for a in paper.authorships],
        paper.abstract,
    ]
    return hashlib.sha256(json.dumps(shown, ensure_ascii=False).encode()).hexdigest()


def paper_key(paper: CleanPaper) -> str:
    """Paper identity: folded title, year and venue."""
    return f"{fold(paper.title)}|{paper.year}|{fold(paper.venue.acronym)}"


def start_run(session: Session, spider: str, arguments: dict[str, str], now: datetime) -> int:
    """Record a new crawl run as running; returns its id."""
    run = CrawlRun(spider=spider, arguments=arguments, status="running", started_at=now, counts={})
    session.add(run)
    session.flush()
    return run.id


def finish_run(
    session: Session,
    run_id: int,
    *,
    status: str,
    counts: dict[str, int],
    summary: str,
    now: datetime,
) -> None:
    """Close a crawl run with its final status, counts and human summary."""
    session.execute(
        update(CrawlRun)
        .where(CrawlRun.id == run_id)
        .values(status=status, counts=counts, summary=summary, finished_at=now)
    )


def _archive_row(
    fetch: PageItem | DetailFetch,
    status: str,
    cluster_id: int | None,
    run_id: int | None,
) -> dict[str, object]:
    """A ``pages`` row: a fetched or saved body, compressed, with what came with it."""
    return {
        "source": fetch.source,
        "sha256": fetch.sha256,
        "size": len(fetch.body),
        "content_type": fetch.content_type,
        "fetched_at": fetch.fetched_at,
        "status": status,
        "http_status": fetch.http_status,
        "headers": fetch.headers or None,
        "body_zlib": zlib.compress(fetch.body, 6),
        "cluster_id": cluster_id,
        "first_run_id": run_id,
        "last_run_id": run_id,
    }


def _reject_row(
    source: str, item: int, reason: str, raw: str, run_id: int | None
) -> dict[str, object]:
    """A ``rejects`` row: ``raw`` (a page or one of its papers) and why it was refused."""
    return {
        "source": source,
        "item": item,
        "reason": reason,
        "raw": raw,
        "raw_sha256": hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest(),
        "first_run_id": run_id,
        "last_run_id": run_id,
    }


def store_rejects(session: Session, rows: list[dict[str, object]]) -> None:
    """Quarantine rejects; the same raw input refused again only refreshes its row."""
    upsert(session, Reject, rows, ["source", "item", "raw_sha256"], ["reason", "last_run_id"])


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


def _locked_by_key(session: Session, table: Table, keys: list[str]) -> Iterator[Any]:
    """The rows of ``table`` with these ``keys`` (sorted), read ``FOR UPDATE`` in key order:
    every writer locks shared rows in one order, so writers queue rather than deadlock."""
    dialect = session.get_bind().dialect.name
    connection = session.connection()
    for chunk in chunks(keys):
        yield from connection.execute(
            select(table)
            .where(among(dialect, table.c.key, chunk))
            .order_by(table.c.key)
            .with_for_update()
        )


def _mark_seen(
    session: Session, records: list[PageRecord], run_id: int | None, counts: LoadCounts
) -> list[PageRecord]:
    """Mark fetched bodies already loaded as seen by this run; returns the pages to load."""
    dialect = session.get_bind().dialect.name
    wanted = sorted({(r.item.source, r.item.sha256) for r in records if not r.item.reprocess})
    known: dict[tuple[str, str], tuple[int, int | None]] = {}
    for chunk in chunks(wanted):
        rows = session.execute(
            select(Page.source, Page.sha256, Page.id, Page.cluster_id).where(
                Page.status == "loaded",
                among(dialect, Page.source, sorted({source for source, _ in chunk})),
                among(dialect, Page.sha256, sorted({sha for _, sha in chunk})),
            )
        )
        pairs = set(chunk)
        known.update(
            {
                (r.source, r.sha256): (r.id, r.cluster_id)
                for r in rows
                if (r.source, r.sha256) in pairs
            }
        )
    fresh: list[PageRecord] = []
    taken: set[tuple[str, str]] = set()
    seen_pages: set[int] = set()
    seen_clusters: set[int] = set()
    for record in records:
        pair = (record.item.source, record.item.sha256)
        if not record.item.reprocess and (pair in known or pair in taken):
            counts.pages_unchanged += 1
            if pair in known:
                page_id, cluster_id = known[pair]
                seen_pages.add(page_id)
                if cluster_id is not None:
                    seen_clusters.add(cluster_id)
            continue
        if not record.item.reprocess and record.page is not None:
            taken.add(pair)  # a second copy of this body in the batch is "seen"
        fresh.append(record)
    for chunk in chunks(sorted(seen_pages)):
        session.execute(
            update(Page).where(among(dialect, Page.id, chunk)).values(last_run_id=run_id)
        )
    for chunk in chunks(sorted(seen_clusters)):
        session.execute(
            update(ClusterPaper)
            .where(among(dialect, ClusterPaper.cluster_id, chunk))
            .values(last_seen_run_id=run_id)
        )
    for cluster_id in sorted(seen_clusters):
        _carry_run_papers(session, cluster_id, run_id)
    return fresh


def _carry_run_papers(session: Session, cluster_id: int, run_id: int | None) -> None:
    """An unchanged page shows this run the papers the last run saw for its cluster."""
    if run_id is None:
        return
    latest = (
        select(func.max(RunPaper.run_id))
        .where(RunPaper.cluster_id == cluster_id, RunPaper.run_id != run_id)
        .scalar_subquery()
    )
    rows = session.execute(
        select(RunPaper.paper_id, RunPaper.digest).where(
            RunPaper.cluster_id == cluster_id, RunPaper.run_id == latest
        )
    ).all()
    upsert(
        session,
        RunPaper,
        [
            {"run_id": run_id, "cluster_id": cluster_id, "paper_id": pid, "digest": digest}
            for pid, digest in rows
        ],
        ["run_id", "cluster_id", "paper_id"],
    )


def _cluster_ids(session: Session, pages: list[CleanPage]) -> dict[str, int]:
    """Create or merge the batch's clusters; their ids by key."""
    by_key: dict[str, list[CleanPage]] = {}
    for page in pages:
        by_key.setdefault(page.cluster.key, []).append(page)
    keys = sorted(by_key)
    upsert(
        session,
        Cluster,
        [
            {
                "key": k,
                "name": by_key[k][0].cluster.name,
                "declared_papers": None,
                "author_rows": None,
            }
            for k in keys
        ],
        ["key"],
    )
    connection = session.connection()
    table = _table(Cluster)
    states = {row.key: ClusterState.from_row(row) for row in _locked_by_key(session, table, keys)}
    changed = []
    for key in keys:
        state = states[key]
        before = state.values()
        for page in by_key[key]:
            merge_cluster(state, page)
        if state.values() != before:
            changed.append({"id": state.id, **state.values()})
    update_by_id(connection, table, changed)
    return {key: state.id for key, state in states.items()}


def _venue_ids(session: Session, papers: Iterable[CleanPaper]) -> dict[str, int]:
    """Ids of the papers' venues; only venues new or changed (a registry update) are written.

    Venues are few and shared by every page: rewriting them on each batch would make every
    writer contend for the same rows.
    """
    dialect = session.get_bind().dialect.name
    venues = {p.venue.acronym: p.venue for p in papers}

    def stored() -> dict[str, tuple[int, tuple[object, ...]]]:
        found: dict[str, tuple[int, tuple[object, ...]]] = {}
        for chunk in chunks(sorted(venues)):
            rows = session.execute(
                select(Venue.acronym, Venue.id, Venue.name, Venue.type, Venue.known).where(
                    among(dialect, Venue.acronym, chunk)
                )
            )
            found.update({r.acronym: (r.id, (r.name, r.type, r.known)) for r in rows})
        return found

    known = stored()
    rows = [
        {"acronym": v.acronym, "name": v.name, "type": v.type, "known": v.known}
        for v in venues.values()
        if v.acronym not in known or known[v.acronym][1] != (v.name, v.type, v.known)
    ]
    if rows:
        upsert(session, Venue, rows, ["acronym"], ["name", "type", "known"])
        known = stored()
    return {acronym: venue_id for acronym, (venue_id, _) in known.items()}


def _author_ids(session: Session, authorships: list[Authorship]) -> dict[str, int]:
    """The ids of the authors of ``authorships``, creating the authors not yet stored, and
    every spelling each was listed under as a variant."""
    names = {a.author.key: a.author for a in authorships}
    connection, table = session.connection(), _table(Author)

    # Most authors of a batch are known already: read them, write only the others.
    keys = sorted(names)
    ids = ids_by_key(connection, table, "key", keys)
    missing = [k for k in keys if k not in ids]
    if missing:
        rows = [{"key": k, "name": names[k].name, "homonym": names[k].homonym} for k in missing]
        upsert(session, Author, rows, ["key"])
        ids.update(ids_by_key(connection, table, "key", missing))
    spellings = {(ids[a.author.key], a.author.written) for a in authorships}
    upsert(
        session,
        AuthorVariant,
        [{"author_id": i, "spelling": s} for i, s in sorted(spellings)],
        ["author_id", "spelling"],
    )
    return ids


def refresh_author_names(session: Session, author_ids: Iterable[int]) -> None:
    """Set each author's display name to its most frequent spelling (ties: accented)."""
    dialect = session.get_bind().dialect.name
    best: dict[int, tuple[int, int, str]] = {}
    current: dict[int, str] = {}
    for chunk in chunks(sorted(set(author_ids))):
        counts = session.execute(
            select(AuthorshipRow.author_id, AuthorshipRow.name_as_listed, func.count())
            .where(among(dialect, AuthorshipRow.author_id, chunk))
            .group_by(AuthorshipRow.author_id, AuthorshipRow.name_as_listed)
        )
        for author_id, spelling, n in counts:
            accents = 0 if spelling.isascii() else sum(not c.isascii() for c in spelling)
            rank = (n, accents, spelling)
            best[author_id] = max(best.get(author_id, rank), rank)
        found = session.execute(
            select(Author.id, Author.name).where(among(dialect, Author.id, chunk))
        )
        current.update(found.all())
    renamed = [
        {"id": author_id, "name": spelling}
        for author_id, (_, _, spelling) in best.items()
        if current.get(author_id) != spelling
    ]
    update_by_id(session.connection(), _table(Author), renamed)


def _insert_papers(connection: Connection, new: list[PaperState]) -> None:
    """Insert the batch's new papers and give them their ids.

    A paper another writer inserted since this batch read the table is not overwritten:
    the whole transaction is retried, and then merges with it.
    """
    if not new:
        return
    inserted, ids = insert_new(connection, _table(Paper), [p.values() for p in new], "key")
    if inserted != len(new):
        msg = f"{len(new) - inserted} of {len(new)} new papers were inserted by another writer"
        raise RetryTransaction(msg)
    for paper in new:
        paper.id = ids[paper.key]


@dataclass
class _Seen:
    """Where a paper was seen in the batch: its cluster, and what that page said of it."""

    cluster_id: int
    clean: CleanPaper


def _load_papers(
    session: Session,
    pages: list[tuple[CleanPage, int]],
    run_id: int | None,
    counts: LoadCounts,
) -> set[int]:
    """Create or merge every paper of the batch's pages; returns the authors whose
    authorship rows were added or changed."""
    dialect = session.get_bind().dialect.name
    occurrences: dict[str, list[_Seen]] = {}
    for page, cluster_id in pages:
        for paper in page.papers:
            occurrences.setdefault(paper_key(paper), []).append(_Seen(cluster_id, paper))
    if not occurrences:
        return set()
    cleans = [seen.clean for seen_list in occurrences.values() for seen in seen_list]
    venue_ids = _venue_ids(session, cleans)
    author_ids = _author_ids(session, [a for c in cleans for a in c.authorships])
    keys = sorted(occurrences)
    connection = session.connection()
    table, authorships = _table(Paper), _table(AuthorshipRow)
    stored = {row.key: PaperState.from_row(row) for row in _locked_by_key(session, table, keys)}
    existing: dict[int, dict[int, AuthorshipState]] = {}
    for chunk in chunks(sorted(p.id for p in stored.values() if p.id is not None)):
        rows = connection.execute(
            select(
                authorships.c.paper_id,
                authorships.c.author_id,
                authorships.c.position,
                authorships.c.name_as_listed,
                authorships.c.source,
                Author.key,
            )
            .join(Author, Author.id == authorships.c.author_id)
            .where(among(dialect, authorships.c.paper_id, chunk))
        ).all()
        for paper_id, author_id, position, name_as_listed, source, key in rows:
            existing.setdefault(paper_id, {})[author_id] = AuthorshipState(
                author_id, key, position, name_as_listed, source
            )
    new: list[PaperState] = []
    updated: list[dict[str, Any]] = []
    lists: dict[str, dict[int, AuthorshipState]] = {}
    for key in keys:
        state = stored.get(key)
        before = state.snapshot() if state else None
        listed = existing.get(state.id, {}) if state and state.id is not None else {}
        for seen in occurrences[key]:
            is_new = state is None
            if state is None:
                state = PaperState.new(key, seen.clean, venue_ids[seen.clean.venue.acronym])
                new.append(state)
            changed = merge_paper(state, seen.clean)
            changed = (
                merge_authorships(state, listed, seen.clean, author_ids, is_new=is_new) or changed
            )
            counts.papers += 1
            counts.papers_new += is_new
            counts.papers_updated += changed and not is_new
        if state is not None and before is not None and state.snapshot() != before:
            updated.append({"id": state.id, **state.values()})
        lists[key] = listed
    _insert_papers(connection, new)
    update_by_id(connection, table, updated)
    paper_ids = {key: stored[key].id if key in stored else None for key in keys}
    paper_ids.update({p.key: p.id for p in new})
    upsert(
        session,
        AuthorshipRow,
        [
            {
                "paper_id": paper_ids[key],
                "author_id": author_id,
                "position": row.position,
                "name_as_listed": row.name_as_listed,
                "source": row.source,
            }
            for key in keys
            for author_id, row in lists[key].items()
            if row.dirty
        ],
        ["paper_id", "author_id"],
        ["position", "name_as_listed", "source"],
    )
    seen_rows = [
        (seen.cluster_id, paper_ids[key], seen) for key in keys for seen in occurrences[key]
    ]
    upsert(
        session,
        ClusterPaper,
        [
            {
                "cluster_id": cluster_id,
                "paper_id": paper_id,
                "first_seen_run_id": run_id,
                "last_seen_run_id": run_id,
            }
            for cluster_id, paper_id, _ in seen_rows
        ],
        ["cluster_id", "paper_id"],
        ["last_seen_run_id"],
    )
    if run_id is not None:
        upsert(
            session,
            RunPaper,
            [
                {
                    "run_id": run_id,
                    "cluster_id": cluster_id,
                    "paper_id": paper_id,
                    "digest": paper_digest(seen.clean),
                }
                for cluster_id, paper_id, seen in seen_rows
            ],
            ["run_id", "cluster_id", "paper_id"],
            ["digest"],
        )
    # Only authors whose listed spellings changed can change display name.
    return {author_id for key in keys for author_id, row in lists[key].items() if row.dirty}


def load_batch(session: Session, records: list[PageRecord], run_id: int | None) -> LoadCounts:
    """Store pages (their rows, rejects and provenance) in the caller's transaction.

    A fetched page whose body was loaded before costs no writes beyond "seen".
    """
    counts = LoadCounts(pages=len(records))
    fresh = _mark_seen(session, records, run_id, counts)
    rejects: list[dict[str, object]] = []
    archive: list[dict[str, object]] = []
    details: list[dict[str, object]] = []
    loadable: list[tuple[PageRecord, CleanPage]] = []
    for record in fresh:
        if record.page is None:
            reason = record.item.error or "unreadable page"
            archive.append(_archive_row(record.item, "rejected", None, run_id))
            rejects.append(_reject_row(record.item.source, 0, reason, _raw_text(record), run_id))
            counts.pages_rejected += 1
            counts.rejects += 1
            counts.by_reason[reason.split(":")[0]] += 1
        else:
            loadable.append((record, record.page))
    cluster_ids = _cluster_ids(session, [page for _, page in loadable]) if loadable else {}
    pages = [(page, cluster_ids[page.cluster.key]) for _, page in loadable]
    refresh_author_names(session, _load_papers(session, pages, run_id, counts))
    for record, page in loadable:
        for reject in page.rejects:
            rejects.append(
                _reject_row(record.item.source, reject.index, reject.reason, reject.raw, run_id)
            )
            counts.rejects += 1
            counts.by_reason[reject.reason.split(":")[0]] += 1
        archive.append(_archive_row(record.item, "loaded", cluster_ids[page.cluster.key], run_id))
        details.extend(_archive_row(d, "detail", None, run_id) for d in record.item.details)
    store_rejects(session, rejects)
    upsert(session, Page, archive, ["source", "sha256"], ["status", "cluster_id", "last_run_id"])
    upsert(session, Page, details, ["source", "sha256"], ["last_run_id"])
    return counts


def _raw_text(record: PageRecord) -> str:
    """The page body as text for the rejects table, decoded as the parser would."""
    return decode_body(record.item.body, record.item.content_type)


def utcnow() -> datetime:
    """The current time, timezone-aware."""
    return datetime.now(UTC)


def store_result(session: Session, records: Iterable[PageRecord], run_id: int | None) -> LoadCounts:
    """Load a batch set-wise; when it fails, page by page, quarantining the page at fault.

    A conflict with a concurrent writer (deadlock, serialization failure, a row inserted
    under us) is raised for the caller to retry the whole transaction.
    """
    batch = list(records)
    if not batch:
        return LoadCounts()
    try:
        with session.begin_nested():
            return load_batch(session, batch, run_id)
    except Exception as exc:
        if retryable(exc):
            raise
        if len(batch) == 1:
            return _quarantine(session, batch[0], exc, run_id)
        logger.warning(
            "a batch of %d pages failed (%s: %s); loading its pages one by one",
            len(batch),
            type(exc).__name__,
            exc,
        )
    total = LoadCounts()
    for record in batch:
        total.add(store_result(session, [record], run_id))
    return total


def _quarantine(
    session: Session, record: PageRecord, exc: Exception, run_id: int | None
) -> LoadCounts:
    """Refuse a page the store failed on: its raw input goes to ``rejects``, the run goes on."""
    reason = f"store failed: {type(exc).__name__}: {exc}"
    logger.error(
        "%s: %s; the page is quarantined, the run goes on",
        record.item.source,
        reason,
        exc_info=exc,
    )
    with session.begin_nested():
        store_rejects(
            session, [_reject_row(record.item.source, 0, reason, _raw_text(record), run_id)]
        )
    return LoadCounts(pages=1, pages_rejected=1, rejects=1, by_reason=Counter({"store failed": 1}))
