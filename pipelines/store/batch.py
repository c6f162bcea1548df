"""A batch of pages into the store: set-wise when it can, page by page when it must.

Loaders take a session and never commit: the caller owns the transaction (one per batch).
A batch is loaded with a fixed number of statements whatever its size. A batch that fails
is loaded again page by page, each in a savepoint, so that only the page at fault is
quarantined, with its reason and its raw text, and the rest of the batch is stored.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from typing import TYPE_CHECKING

from pipelines.process import safe_text
from pipelines.runs import LoadCounts
from pipelines.store.archive import DETAIL, LOADED, REJECTED, archive_row
from pipelines.store.db import is_retryable
from pipelines.store.dialects import dialect_of
from pipelines.store.entities import cluster_ids, mark_changed, refresh_author_names
from pipelines.store.models import Author, Cluster, Page, Reject
from pipelines.store.papers import load_papers
from pipelines.store.rows import table_of
from pipelines.store.seen import mark_seen

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sqlalchemy.orm import Session

    from pipelines.model import CleanPage, PageRecord

logger = logging.getLogger(__name__)
STORE_FAILED = "store failed"


def reject_row(
    source: str, item: int, reason: str, raw: str, run_id: int | None
) -> dict[str, object]:
    """A ``rejects`` row: ``raw`` (a page or one of its papers) and why it was refused.
    Text columns never get control characters (PostgreSQL refuses NUL)."""
    raw = safe_text(raw)
    return {
        "source": safe_text(source),
        "item": item,
        "reason": safe_text(reason),
        "raw": raw,
        "raw_sha256": hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest(),
        "first_run_id": run_id,
        "last_run_id": run_id,
    }


def store_rejects(session: Session, rows: list[dict[str, object]]) -> None:
    """Quarantine rejects; the same raw input refused again only refreshes its row."""
    dialect_of(session).upsert(
        session.connection(),
        table_of(Reject),
        rows,
        ["source", "item", "raw_sha256"],
        ["reason", "last_run_id"],
    )


def _refused(
    record: PageRecord, run_id: int | None, counts: LoadCounts
) -> tuple[dict[str, object], dict[str, object]]:
    """The archive and rejects rows of a page that yields no clean page."""
    reason = record.error or "unreadable page"
    counts.pages_rejected += 1
    counts.rejects += 1
    counts.by_reason[reason.split(":")[0]] += 1
    return (
        archive_row(record.fetch, REJECTED, None, run_id),
        reject_row(record.source, 0, reason, record.reject_text, run_id),
    )


# Size: one batch's transaction step by step, with the quarantine path beside it.
def load_batch(session: Session, records: list[PageRecord], run_id: int | None) -> LoadCounts:
    """Store pages (their rows, rejects and provenance) in the caller's transaction.

    A fetched page whose body was loaded before costs no writes beyond "seen".
    """
    counts = LoadCounts(pages=len(records))
    archive: list[dict[str, object]] = []
    rejects: list[dict[str, object]] = []
    loadable: list[tuple[PageRecord, CleanPage]] = []
    for record in mark_seen(session, records, run_id, counts):
        if record.page is None:
            archived, rejected = _refused(record, run_id, counts)
            archive.append(archived)
            rejects.append(rejected)
        else:
            loadable.append((record, record.page))
    seen = [(page, record.fetch.fetched_at) for record, page in loadable]
    clusters = cluster_ids(session, seen, run_id) if loadable else {}
    pages = [(page, clusters[page.cluster.key], r.fetch.fetched_at) for r, page in loadable]
    touched = load_papers(session, pages, run_id, counts)
    renamed = refresh_author_names(session, touched.spellings, touched.spellings)
    mark_changed(session, Author, touched.authors | renamed, run_id)
    mark_changed(session, Cluster, touched.clusters, run_id)
    details: list[dict[str, object]] = []
    for record, page in loadable:
        for reject in page.rejects:
            rejects.append(
                reject_row(record.source, reject.index, reject.reason, reject.raw, run_id)
            )
            counts.rejects += 1
            counts.by_reason[reject.reason.split(":")[0]] += 1
        archive.append(archive_row(record.fetch, LOADED, clusters[page.cluster.key], run_id))
        details.extend(archive_row(d, DETAIL, None, run_id) for d in record.details)
    store_rejects(session, rejects)
    dialect = dialect_of(session)
    connection, table = session.connection(), table_of(Page)
    dialect.upsert(
        connection, table, archive, ["source", "sha256"], ["status", "cluster_id", "last_run_id"]
    )
    dialect.upsert(connection, table, details, ["source", "sha256"], ["last_run_id"])
    return counts


def load_pages(session: Session, records: Iterable[PageRecord], run_id: int | None) -> LoadCounts:
    """Load a batch set-wise; when it fails, page by page, quarantining the page at fault.

    A conflict with a concurrent writer or a lost connection (a deadlock, a serialization
    failure, a row inserted under us) is raised for the caller to retry the transaction:
    a failure of ours is never a verdict on a page.
    """
    batch = list(records)
    if not batch:
        return LoadCounts()
    try:
        with session.begin_nested():
            return load_batch(session, batch, run_id)
    except Exception as exc:
        if is_retryable(session, exc):
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
        total.add(load_pages(session, [record], run_id))
    return total


def _quarantine(
    session: Session, record: PageRecord, exc: Exception, run_id: int | None
) -> LoadCounts:
    """Refuse a page the store failed on: its raw input goes to ``rejects``, the run goes on."""
    reason = f"{STORE_FAILED}: {type(exc).__name__}: {exc}".splitlines()[0]
    logger.error("%s: %s; the page is quarantined, the run goes on", record.source, reason)
    logger.debug("%s: the store failed", record.source, exc_info=exc)
    raw = record.reject_text or record.fetch.raw().decode("utf-8", "replace")
    with session.begin_nested():
        store_rejects(session, [reject_row(record.source, 0, reason, raw, run_id)])
    return LoadCounts(pages=1, pages_rejected=1, rejects=1, by_reason=Counter({STORE_FAILED: 1}))
