"""Load clean pages into the store: idempotent, order-independent merges.

Loaders take a session and never commit: the caller owns the transaction (one per batch,
a savepoint per page). Every choice between two versions of the same row is made by a
rule that does not depend on which came first, so replaying pages in any order, any
number of times, leaves the same rows.
"""

from __future__ import annotations

import hashlib
import json
import logging
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select, update

from crawler.pages.decode import decode_body
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
from pipelines.store.upsert import upsert
from pipelines.text import fold

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sqlalchemy.orm import Session

    from crawler.items import DetailFetch, PageItem
    from pipelines.model import Authorship, CleanPage, CleanPaper, PageRecord

logger = logging.getLogger(__name__)

COMPLETENESS_RANK = {True: 2, False: 1, None: 0}
PRECISION_RANK = {"year": 0, "month": 1, "day": 2}


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


def _better_text(a: str | None, b: str | None) -> str | None:
    """The richer of two spellings of one value: present, more accents, more capitals."""
    candidates = [t for t in (a, b) if t]
    if not candidates:
        return None
    return max(
        candidates,
        key=lambda t: (sum(not c.isascii() for c in t), sum(c.isupper() for c in t), t),
    )


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


def _store_page_row(
    session: Session, record: PageRecord, run_id: int | None, status: str, cluster_id: int | None
) -> None:
    row = _archive_row(record.item, status, cluster_id, run_id)
    upsert(session, Page, [row], ["source", "sha256"], ["status", "cluster_id", "last_run_id"])


def _store_details(session: Session, record: PageRecord, run_id: int | None) -> None:
    """Archive the detail pages fetched for the page's cut author lists."""
    rows = [_archive_row(d, "detail", None, run_id) for d in record.item.details]
    upsert(session, Page, rows, ["source", "sha256"], ["last_run_id"])


def store_reject(
    session: Session, source: str, item: int, reason: str, raw: str, *, run_id: int | None
) -> None:
    """Quarantine ``raw`` (a page or one of its papers) with the reason it was refused."""
    row = {
        "source": source,
        "item": item,
        "reason": reason,
        "raw": raw,
        "raw_sha256": hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest(),
        "first_run_id": run_id,
        "last_run_id": run_id,
    }
    upsert(
        session,
        Reject,
        [row],
        ["source", "item", "raw_sha256"],
        ["reason", "last_run_id"],
    )


def _cluster_id(session: Session, page: CleanPage) -> int:
    key = page.cluster.key
    upsert(
        session,
        Cluster,
        [{"key": key, "name": page.cluster.name, "declared_papers": None, "author_rows": None}],
        ["key"],
    )
    cluster = session.execute(select(Cluster).where(Cluster.key == key)).scalar_one()
    # A page that omits a count (a later page of a paginated cluster) keeps the known one.
    if page.declared_papers is not None:
        cluster.declared_papers = page.declared_papers
    if page.author_rows is not None:
        cluster.author_rows = page.author_rows
    cluster.name = _better_text(cluster.name, page.cluster.name) or cluster.name
    # The latest "updated" stamp seen wins, whatever order the pages come in.
    if page.updated and (cluster.updated_on is None or page.updated.on > cluster.updated_on):
        cluster.updated_on, cluster.updated_precision = page.updated.on, page.updated.precision
    return cluster.id


def _venue_ids(session: Session, papers: Iterable[CleanPaper]) -> dict[str, int]:
    venues = {p.venue.acronym: p.venue for p in papers}
    rows = [
        {"acronym": v.acronym, "name": v.name, "type": v.type, "known": v.known}
        for v in venues.values()
    ]
    upsert(session, Venue, rows, ["acronym"], ["name", "type", "known"])
    found = session.execute(select(Venue.acronym, Venue.id).where(Venue.acronym.in_(venues)))
    return dict(found.all())


def _author_ids(session: Session, authorships: list[Authorship]) -> dict[str, int]:
    names = {a.author.key: a.author for a in authorships}
    upsert(
        session,
        Author,
        [{"key": k, "name": n.name, "homonym": n.homonym} for k, n in names.items()],
        ["key"],
    )
    found = session.execute(select(Author.key, Author.id).where(Author.key.in_(names)))
    ids = dict(found.all())
    upsert(
        session,
        AuthorVariant,
        [{"author_id": ids[a.author.key], "spelling": a.author.written} for a in authorships],
        ["author_id", "spelling"],
    )
    return ids


def refresh_author_names(session: Session, author_ids: Iterable[int]) -> None:
    """Set each author's display name to its most frequent spelling (ties: accented)."""
    ids = sorted(set(author_ids))
    if not ids:
        return
    counts = session.execute(
        select(AuthorshipRow.author_id, AuthorshipRow.name_as_listed, func.count())
        .where(AuthorshipRow.author_id.in_(ids))
        .group_by(AuthorshipRow.author_id, AuthorshipRow.name_as_listed)
    ).all()
    best: dict[int, tuple[int, int, str]] = {}
    for author_id, spelling, n in counts:
        rank = (n, sum(not c.isascii() for c in spelling), spelling)
        best[author_id] = max(best.get(author_id, rank), rank)
    for author_id, (_, _, spelling) in best.items():
        session.execute(update(Author).where(Author.id == author_id).values(name=spelling))


def _merge_authorships(
    session: Session, paper: Paper, clean: CleanPaper, author_ids: dict[str, int], is_new: bool
) -> bool:
    """Merge the page's author list into the paper's; returns True when rows changed."""
    existing = {
        row.author_id: row
        for row in session.execute(
            select(AuthorshipRow).where(AuthorshipRow.paper_id == paper.id).with_for_update()
        ).scalars()
    }
    listed = [a for a in clean.authorships if a.position is not None]
    old_order = [
        r.author_id
        for r in sorted(existing.values(), key=lambda r: r.position or 0)
        if r.position is not None
    ]
    new_order = [author_ids[a.author.key] for a in listed]
    old_rank = (paper.listed_authors, COMPLETENESS_RANK[paper.authors_complete])
    new_rank = (clean.listed_authors, COMPLETENESS_RANK[clean.authors_complete])
    # The longer (then more certainly complete) list wins; a tie goes to the smaller ids
    # so that load order never decides. A name is never lost: losers stay, unpositioned.
    wins = is_new or new_rank > old_rank or (new_rank == old_rank and new_order < old_order)
    same_list = new_rank == old_rank and new_order == old_order
    changed = False
    if wins and new_order != old_order:
        for row in existing.values():
            if row.position is not None and row.author_id not in new_order:
                row.position = None
                changed = True
    if wins:
        paper.listed_authors = clean.listed_authors
        paper.authors_complete = clean.authors_complete
    for authorship in clean.authorships:
        author_id = author_ids[authorship.author.key]
        current = existing.get(author_id)
        if current is None:
            added = AuthorshipRow(
                paper_id=paper.id,
                author_id=author_id,
                position=authorship.position if wins else None,
                name_as_listed=authorship.author.name,
                source=authorship.source,
            )
            session.add(added)
            existing[author_id] = added
            changed = True
        elif (
            wins
            and authorship.position is not None
            and (
                current.position != authorship.position
                or current.name_as_listed != authorship.author.name
            )
        ):
            current.position = authorship.position
            current.name_as_listed = authorship.author.name
            current.source = "page"
            changed = True
        elif same_list and authorship.position is not None:
            # The same list seen twice: keep the better spelling ("Ilya" over "ilya").
            spelling = _better_text(current.name_as_listed, authorship.author.name)
            if spelling and spelling != current.name_as_listed:
                current.name_as_listed = spelling
                changed = True
    return changed


def _paper_fields(paper: Paper) -> tuple[object, ...]:
    return (
        paper.title,
        paper.publication_type,
        paper.abstract,
        paper.detail_url,
        paper.published_on,
        paper.published_precision,
    )


def _merge_paper(paper: Paper, clean: CleanPaper) -> bool:
    """Fold the page's version of the paper's fields into the row; True when changed."""
    before = _paper_fields(paper)
    paper.title = _better_text(paper.title, clean.title) or clean.title
    paper.publication_type = _better_text(paper.publication_type, clean.publication_type)
    old = (len(paper.abstract_raw or ""), paper.abstract_raw or "")
    new = (len(clean.abstract_raw or ""), clean.abstract_raw or "")
    if new > old:
        paper.abstract, paper.abstract_raw = clean.abstract, clean.abstract_raw
    paper.detail_url = min(filter(None, (paper.detail_url, clean.detail_url)), default=None)
    if clean.date is not None:
        # The more precise date wins (a day over a month over a year), then the earlier.
        new_rank = (PRECISION_RANK[clean.date.precision], -clean.date.on.toordinal())
        old_rank = (
            (PRECISION_RANK[paper.published_precision], -paper.published_on.toordinal())
            if paper.published_on and paper.published_precision
            else (-1, 0)
        )
        if new_rank > old_rank:
            paper.published_on, paper.published_precision = clean.date.on, clean.date.precision
    return before != _paper_fields(paper)


def _load_papers(
    session: Session, page: CleanPage, cluster_id: int, run_id: int | None, counts: LoadCounts
) -> set[int]:
    venue_ids = _venue_ids(session, page.papers)
    all_authorships = [a for p in page.papers for a in p.authorships]
    author_ids = _author_ids(session, all_authorships)
    keyed = {paper_key(p): p for p in page.papers}
    existing = {
        row.key: row
        for row in session.execute(
            select(Paper).where(Paper.key.in_(keyed)).order_by(Paper.key).with_for_update()
        ).scalars()
    }
    for key in sorted(keyed):
        clean = keyed[key]
        paper = existing.get(key)
        is_new = paper is None
        if paper is None:
            paper = Paper(
                key=key,
                title=clean.title,
                year=clean.year,
                venue_id=venue_ids[clean.venue.acronym],
                publication_type=clean.publication_type,
                abstract=clean.abstract,
                abstract_raw=clean.abstract_raw,
                authors_complete=clean.authors_complete,
                listed_authors=clean.listed_authors,
                detail_url=clean.detail_url,
            )
            session.add(paper)
            session.flush()
        changed = _merge_paper(paper, clean)
        changed = _merge_authorships(session, paper, clean, author_ids, is_new) or changed
        counts.papers += 1
        counts.papers_new += is_new
        counts.papers_updated += changed and not is_new
        if run_id is not None:
            upsert(
                session,
                RunPaper,
                [
                    {
                        "run_id": run_id,
                        "cluster_id": cluster_id,
                        "paper_id": paper.id,
                        "digest": paper_digest(clean),
                    }
                ],
                ["run_id", "cluster_id", "paper_id"],
                ["digest"],
            )
        upsert(
            session,
            ClusterPaper,
            [
                {
                    "cluster_id": cluster_id,
                    "paper_id": paper.id,
                    "first_seen_run_id": run_id,
                    "last_seen_run_id": run_id,
                }
            ],
            ["cluster_id", "paper_id"],
            ["last_seen_run_id"],
        )
    session.flush()
    return set(author_ids.values())


def _seen_before(session: Session, record: PageRecord, run_id: int | None) -> bool:
    """Mark a fetched body already loaded as seen by this run; True when it was."""
    item = record.item
    if item.reprocess:
        return False
    known = session.execute(
        select(Page.id, Page.cluster_id).where(
            Page.source == item.source, Page.sha256 == item.sha256, Page.status == "loaded"
        )
    ).first()
    if known is None:
        return False
    session.execute(update(Page).where(Page.id == known.id).values(last_run_id=run_id))
    if known.cluster_id is not None:
        session.execute(
            update(ClusterPaper)
            .where(ClusterPaper.cluster_id == known.cluster_id)
            .values(last_seen_run_id=run_id)
        )
        _carry_run_papers(session, known.cluster_id, run_id)
    return True


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


def load_page(session: Session, record: PageRecord, run_id: int | None) -> LoadCounts:
    """Store one page (its rows, its rejects, its provenance) in the caller's transaction.

    A fetched page whose body was loaded before costs no writes beyond "seen".
    """
    counts = LoadCounts(pages=1)
    if _seen_before(session, record, run_id):
        counts.pages_unchanged = 1
        return counts
    if record.page is None:
        reason = record.item.error or "unreadable page"
        _store_page_row(session, record, run_id, "rejected", None)
        store_reject(session, record.item.source, 0, reason, _raw_text(record), run_id=run_id)
        counts.pages_rejected = counts.rejects = 1
        counts.by_reason[reason.split(":")[0]] += 1
        return counts
    page = record.page
    cluster_id = _cluster_id(session, page)
    touched = _load_papers(session, page, cluster_id, run_id, counts) if page.papers else set()
    refresh_author_names(session, touched)
    for reject in page.rejects:
        store_reject(
            session, record.item.source, reject.index, reject.reason, reject.raw, run_id=run_id
        )
        counts.rejects += 1
        counts.by_reason[reject.reason.split(":")[0]] += 1
    _store_page_row(session, record, run_id, "loaded", cluster_id)
    _store_details(session, record, run_id)
    return counts


def _raw_text(record: PageRecord) -> str:
    """The page body as text for the rejects table, decoded as the parser would."""
    return decode_body(record.item.body, record.item.content_type)


def utcnow() -> datetime:
    """The current time, timezone-aware."""
    return datetime.now(UTC)


def store_result(session: Session, records: Iterable[PageRecord], run_id: int | None) -> LoadCounts:
    """Load each page in a savepoint of its own: a page that fails is quarantined whole."""
    total = LoadCounts()
    for record in records:
        try:
            with session.begin_nested():
                total.add(load_page(session, record, run_id))
        except Exception as exc:  # any failure quarantines the page; the run goes on
            reason = f"store failed: {type(exc).__name__}: {exc}"
            logger.exception(
                "%s: %s; the page is quarantined, the run goes on", record.item.source, reason
            )
            with session.begin_nested():
                store_reject(
                    session, record.item.source, 0, reason, _raw_text(record), run_id=run_id
                )
            total.add(
                LoadCounts(
                    pages=1, pages_rejected=1, rejects=1, by_reason=Counter({"store failed": 1})
                )
            )
    return total
