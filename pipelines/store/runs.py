"""Crawl runs: started and finished, listed, and what changed between two runs."""

from __future__ import annotations

import os
import socket
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select, update

from pipelines.digest import DIGEST_FIELDS
from pipelines.store.dialects import dialect_of
from pipelines.store.models import Cluster, CrawlRun, Paper, RunPaper

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session


RUNNING, ABORTED = "running", "aborted"
# A running run on another machine whose heartbeat is older than this is taken for dead.
STALE_AFTER = timedelta(minutes=5)


def start_run(session: Session, spider: str, arguments: dict[str, str], now: datetime) -> int:
    """Record a new crawl run as running, by this process on this host; returns its id."""
    run = CrawlRun(
        spider=spider,
        arguments=arguments,
        status=RUNNING,
        started_at=now,
        counts={},
        host=socket.gethostname(),
        pid=os.getpid(),
        heartbeat_at=now,
    )
    session.add(run)
    session.flush()
    return run.id


def beat(session: Session, run_id: int, now: datetime) -> None:
    """A running run says it is still alive."""
    session.execute(update(CrawlRun).where(CrawlRun.id == run_id).values(heartbeat_at=now))


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def why_dead(run: CrawlRun, now: datetime, host: str) -> str | None:
    """Why a run recorded as running cannot still be running, or None when it may be: its
    process is gone from this host, or (another host's) its heartbeat stopped."""
    if run.host == host and run.pid is not None and run.pid != os.getpid() and _gone(run.pid):
        return f"its process ({run.host} pid {run.pid}) is gone"
    beat_at = _aware(run.heartbeat_at or run.started_at)
    if run.host != host and now - beat_at > STALE_AFTER:
        return f"no heartbeat from {run.host or 'its host'} since {beat_at:%Y-%m-%d %H:%M:%S} UTC"
    return None


def abort_dead_runs(session: Session, now: datetime) -> list[int]:
    """Mark "aborted" the runs left "running" by a process that died (SIGKILL, a lost
    machine), with the reason; returns their ids."""
    host = socket.gethostname()
    aborted = []
    for run in session.execute(select(CrawlRun).where(CrawlRun.status == RUNNING)).scalars():
        why = why_dead(run, now, host)
        if why is None:
            continue
        run.status, run.finished_at = ABORTED, now
        run.summary = f"{ABORTED} ({why}); what it stored stays, a re-run completes it"
        aborted.append(run.id)
    return aborted


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


@dataclass
class ClusterDiff:
    """Papers of one cluster added, removed and changed from one run to the next; each
    changed paper with the fields that changed."""

    cluster: str
    old_run: int | None
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[tuple[str, list[str]]] = field(default_factory=list)


def changed_fields(old: str, new: str) -> list[str]:
    """The fields two digests of one paper differ in ("fields" when the older digest was
    made before digests were kept field by field)."""
    before, after = old.split(), new.split()
    if len(before) != len(after):
        return ["fields"]
    return [name for name, a, b in zip(DIGEST_FIELDS, before, after, strict=True) if a != b]


def started_at(session: Session, run_id: int) -> datetime:
    """When run ``run_id`` started (timezone-aware: SQLite keeps no offset; times are UTC)."""
    moment: datetime = session.execute(
        select(CrawlRun.started_at).where(CrawlRun.id == run_id)
    ).scalar_one()
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def paper_changes(session: Session, run_id: int) -> dict[str, int]:
    """The papers run ``run_id`` stored first, and those stored before that it changed:
    read from the store, so they do not depend on the order or batches pages came in."""
    first = Paper.first_run_id == run_id
    new = session.execute(select(func.count()).where(first)).scalar_one()
    updated = session.execute(
        select(func.count()).where(
            Paper.changed_run_id == run_id,
            (Paper.first_run_id != run_id) | Paper.first_run_id.is_(None),
        )
    ).scalar_one()
    return {"papers_new": int(new), "papers_updated": int(updated)}


def list_runs(session: Session) -> list[CrawlRun]:
    """Every run, oldest first."""
    return list(session.execute(select(CrawlRun).order_by(CrawlRun.id)).scalars())


def _seen(session: Session, run_id: int) -> dict[int, dict[int, str]]:
    rows = session.execute(
        select(RunPaper.cluster_id, RunPaper.paper_id, RunPaper.digest).where(
            RunPaper.run_id == run_id
        )
    )
    seen: dict[int, dict[int, str]] = defaultdict(dict)
    for cluster_id, paper_id, digest in rows:
        seen[cluster_id][paper_id] = digest
    return seen


def _previous_run(session: Session, cluster_id: int, before: int) -> int | None:
    found: int | None = session.execute(
        select(func.max(RunPaper.run_id)).where(
            RunPaper.cluster_id == cluster_id, RunPaper.run_id < before
        )
    ).scalar_one()
    return found


# Size: one comparison per field a run reports.
def diff_runs(session: Session, new: int, old: int | None = None) -> list[ClusterDiff]:
    """Per cluster seen by run ``new``: what changed since run ``old`` (by default, the
    last earlier run that saw that cluster). Titles are sorted; clusters by name."""
    new_seen = _seen(session, new)
    old_seen = _seen(session, old) if old is not None else {}
    names = dict(session.execute(select(Cluster.id, Cluster.name)).all())
    compared = []
    # Only clusters the new run saw: a cluster it did not crawl has not changed.
    for cluster_id in sorted(new_seen, key=lambda c: names[c]):
        before_run = old if old is not None else _previous_run(session, cluster_id, new)
        seen = old_seen if old is not None else _seen(session, before_run or 0)
        compared.append((cluster_id, before_run, seen.get(cluster_id, {}), new_seen[cluster_id]))
    ids = {p for _, _, before, after in compared for p in (*before, *after)}
    titles = dict(
        session.execute(
            select(Paper.id, Paper.title).where(dialect_of(session).among(Paper.id, sorted(ids)))
        ).all()
    )
    return [
        ClusterDiff(
            names[cluster_id],
            before_run,
            added=sorted(titles[p] for p in after.keys() - before.keys()),
            removed=sorted(titles[p] for p in before.keys() - after.keys()),
            changed=sorted(
                (titles[p], changed_fields(before[p], after[p]))
                for p in after.keys() & before.keys()
                if after[p] != before[p]
            ),
        )
        for cluster_id, before_run, before, after in compared
    ]
