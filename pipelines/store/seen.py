"""Pages fetched again unchanged: recorded as seen by the run, at no other cost.

A live fetch whose body the archive already holds as loaded is not parsed into rows again:
the run is stamped on its archived page, on its cluster's papers, and in ``run_papers`` the
papers the last run saw for that cluster are carried over, so ``scrapy runs diff`` sees them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import func, select, update

from pipelines.store.archive import LOADED
from pipelines.store.dialects import dialect_of
from pipelines.store.dialects.base import chunks
from pipelines.store.models import ClusterPaper, Page, Paper, RunPaper
from pipelines.store.rows import table_of

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from sqlalchemy.orm import Session

    from pipelines.model import PageRecord
    from pipelines.runs import LoadCounts

Fetched = tuple[str, str]  # (source, sha256)


def _loaded(session: Session, wanted: Sequence[Fetched]) -> dict[Fetched, tuple[int, int | None]]:
    """Archived pages loaded before, among ``wanted``: their ids and clusters."""
    among = dialect_of(session).among
    known: dict[Fetched, tuple[int, int | None]] = {}
    for chunk in chunks(wanted):
        pairs = set(chunk)
        rows = session.execute(
            select(Page.source, Page.sha256, Page.id, Page.cluster_id).where(
                Page.status == LOADED,
                among(Page.source, sorted({source for source, _ in chunk})),
                among(Page.sha256, sorted({sha for _, sha in chunk})),
            )
        )
        known.update(
            {
                (r.source, r.sha256): (r.id, r.cluster_id)
                for r in rows
                if (r.source, r.sha256) in pairs
            }
        )
    return known


def mark_seen(
    session: Session, records: list[PageRecord], run_id: int | None, counts: LoadCounts
) -> list[PageRecord]:
    """Stamp the run on fetched pages already loaded; returns the pages still to load."""
    wanted = sorted({(r.fetch.source, r.fetch.sha256) for r in records if not r.reprocess})
    known = _loaded(session, wanted) if wanted else {}
    fresh, seen = _sort_out(records, known)
    counts.pages_unchanged += len(records) - len(fresh)
    pages = sorted({page_id for page_id, _, _ in seen})
    clusters: dict[int, datetime] = {}
    for _, cluster_id, fetched_at in seen:
        if cluster_id is not None:
            clusters[cluster_id] = max(clusters.get(cluster_id, fetched_at), fetched_at)
    _stamp(session, pages, sorted(clusters), run_id)
    _seen_again(session, clusters)
    return fresh


def _sort_out(
    records: list[PageRecord], known: dict[Fetched, tuple[int, int | None]]
) -> tuple[list[PageRecord], list[tuple[int, int | None, datetime]]]:
    """The pages to load, and the archived pages (with their clusters, and when they were
    fetched this time) seen again."""
    fresh: list[PageRecord] = []
    seen: list[tuple[int, int | None, datetime]] = []
    taken: set[Fetched] = set()
    for record in records:
        pair = (record.fetch.source, record.fetch.sha256)
        if not record.reprocess and pair in known:
            seen.append((*known[pair], record.fetch.fetched_at))
        elif not record.reprocess and pair in taken:
            continue  # a second copy of this body in the batch is "seen"
        else:
            if not record.reprocess and record.page is not None:
                taken.add(pair)
            fresh.append(record)
    return fresh, seen


def _seen_again(session: Session, clusters: dict[int, datetime]) -> None:
    """The papers of clusters whose pages came back unchanged were seen again then."""
    for cluster_id, fetched_at in sorted(clusters.items()):
        papers = select(ClusterPaper.paper_id).where(ClusterPaper.cluster_id == cluster_id)
        session.execute(
            update(Paper)
            .where(
                Paper.id.in_(papers),
                (Paper.last_seen_at.is_(None)) | (Paper.last_seen_at < fetched_at),
            )
            .values(last_seen_at=fetched_at)
        )


def _stamp(session: Session, pages: list[int], clusters: list[int], run_id: int | None) -> None:
    among = dialect_of(session).among
    for chunk in chunks(pages):
        session.execute(update(Page).where(among(Page.id, chunk)).values(last_run_id=run_id))
    for chunk in chunks(clusters):
        session.execute(
            update(ClusterPaper)
            .where(among(ClusterPaper.cluster_id, chunk))
            .values(last_seen_run_id=run_id)
        )
    if run_id is not None:
        for cluster_id in clusters:
            _carry_run_papers(session, cluster_id, run_id)


def _carry_run_papers(session: Session, cluster_id: int, run_id: int) -> None:
    """An unchanged page shows this run the papers the last run saw for its cluster."""
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
    dialect_of(session).upsert(
        session.connection(),
        table_of(RunPaper),
        [
            {"run_id": run_id, "cluster_id": cluster_id, "paper_id": pid, "digest": digest}
            for pid, digest in rows
        ],
        ["run_id", "cluster_id", "paper_id"],
    )
