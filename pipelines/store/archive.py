"""The page archive: every fetched or saved body, compressed, with what came with it; read
back for a replay without the network, conditional requests and the reconciliation."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, or_, select

from pipelines.store.dialects import dialect_of
from pipelines.store.dialects.base import chunks
from pipelines.store.models import Page, Reject

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sqlalchemy.orm import Session

    from pipelines.model import Fetch

# Archive statuses: a cluster page loaded, refused, or a paper detail page.
LOADED, REJECTED, DETAIL = "loaded", "rejected", "detail"


def archive_row(
    fetch: Fetch, status: str, cluster_id: int | None, run_id: int | None
) -> dict[str, object]:
    """A ``pages`` row: a fetched or saved body, compressed, with what came with it."""
    return {
        "source": fetch.source,
        "sha256": fetch.sha256,
        "size": fetch.size,
        "content_type": fetch.content_type,
        "fetched_at": fetch.fetched_at,
        "status": status,
        "http_status": fetch.http_status,
        "headers": fetch.headers or None,
        "body_zlib": fetch.zipped(),
        "cluster_id": cluster_id,
        "first_run_id": run_id,
        "last_run_id": run_id,
    }


@dataclass(frozen=True, slots=True)
class ArchivedPage:
    """One archived fetch: its body and what the server said with it."""

    source: str
    body: bytes
    fetched_at: datetime
    content_type: str | None
    http_status: int | None
    headers: dict[str, str]
    # Why the body could not be read back (then ``body`` is empty): a damaged row is one
    # page refused with its reason, never a failed replay.
    error: str | None = None


def _narrowed(stmt: Any, run: int | None, url_prefix: str | None) -> Any:
    """``stmt`` over archived cluster pages, narrowed to a run's (first or last) or to URLs
    starting with ``url_prefix``."""
    stmt = stmt.where(Page.status != DETAIL)
    if run is not None:
        stmt = stmt.where(or_(Page.first_run_id == run, Page.last_run_id == run))
    if url_prefix:
        stmt = stmt.where(Page.source.startswith(url_prefix, autoescape=True))
    return stmt


def archived_ids(
    session: Session,
    *,
    after_id: int = 0,
    limit: int = 1000,
    run: int | None = None,
    url_prefix: str | None = None,
) -> list[int]:
    """The ids of the next ``limit`` archived cluster pages after ``after_id``, oldest
    first, narrowed as ``_narrowed`` narrows them."""
    stmt = _narrowed(select(Page.id).where(Page.id > after_id), run, url_prefix)
    return list(session.execute(stmt.order_by(Page.id).limit(limit)).scalars())


def count_archived(
    session: Session, *, run: int | None = None, url_prefix: str | None = None
) -> int:
    """How many archived cluster pages ``archived_ids`` would give, all chunks together."""
    return int(
        session.execute(_narrowed(select(func.count(Page.id)), run, url_prefix)).scalar_one()
    )


def archived_by_ids(session: Session, ids: Iterable[int]) -> list[ArchivedPage]:
    """The archived pages with these ids, in id order (ids no longer stored are skipped)."""
    among = dialect_of(session).among
    found: list[tuple[int, ArchivedPage]] = []
    for chunk in chunks(sorted(set(ids))):
        rows = session.execute(select(Page).where(among(Page.id, chunk))).scalars()
        found.extend((row.id, _archived(row)) for row in rows)
    return [page for _, page in sorted(found, key=lambda pair: pair[0])]


def latest_archived(session: Session, url: str, status: str = LOADED) -> ArchivedPage | None:
    """The last page from ``url`` archived with ``status`` ("loaded", or "detail" for a
    paper detail page), if the archive has one."""
    row = session.execute(
        select(Page)
        .where(Page.source == url, Page.status == status)
        .order_by(Page.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    return _archived(row) if row is not None else None


def _archived(row: Page) -> ArchivedPage:
    fetched_at = row.fetched_at if row.fetched_at.tzinfo else row.fetched_at.replace(tzinfo=UTC)
    try:
        body, error = zlib.decompress(row.body_zlib), None
    except (zlib.error, TypeError) as exc:
        body, error = b"", f"the archived body cannot be decompressed ({exc})"
    return ArchivedPage(
        source=row.source,
        body=body,
        fetched_at=fetched_at,
        content_type=row.content_type,
        http_status=row.http_status,
        headers=dict(row.headers or {}),
        error=error,
    )


def stored_fetches(session: Session, urls: Iterable[str]) -> set[tuple[str, str]]:
    """The (url, sha256) pairs the archive holds for ``urls``, of pages stored with their
    content (loaded or refused by the parser: a fetch the store took, not a failure of ours)."""
    found: set[tuple[str, str]] = set()
    among = dialect_of(session).among
    for chunk in chunks(sorted(set(urls)), 500):
        rows = session.execute(
            select(Page.source, Page.sha256).where(among(Page.source, chunk), Page.status != DETAIL)
        )
        found.update((source, sha) for source, sha in rows)
    return found


def unread_reason(session: Session, source: str) -> str | None:
    """Why the page ``source`` was refused without being read (its archived body is empty:
    a next link out of the replay root, a file that could not be read), as its reject says."""
    return session.execute(
        select(Reject.reason)
        .where(Reject.source == source, Reject.item == 0)
        .order_by(Reject.last_run_id.desc().nulls_last(), Reject.id.desc())
        .limit(1)
    ).scalar_one_or_none()
