"""What run health asks of the store: the recent healthy runs over the same targets, the
papers each cluster showed the last run that saw it, and each run's figures.

Runs are comparable when their ``targets`` (``pipelines.health.targets_key``: the spider and
its arguments) are equal; a run joins the baseline of later ones when ``healthy``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update

from pipelines.health import Health, Past
from pipelines.store.dialects import dialect_of
from pipelines.store.dialects.base import chunks
from pipelines.store.models import Cluster, CrawlRun, Paper, RunPaper

if TYPE_CHECKING:
    from collections.abc import Collection

    from sqlalchemy.orm import Session


def record(
    session: Session, run_id: int, *, targets: str, health: Health, healthy: bool | None
) -> None:
    """Store a run's health with it."""
    session.execute(
        update(CrawlRun)
        .where(CrawlRun.id == run_id)
        .values(targets=targets, health=health.as_json(), healthy=healthy)
    )


def healthy_runs(session: Session, targets: str, before: int, window: int) -> list[Past]:
    """The last ``window`` healthy runs over ``targets`` before run ``before``, newest first."""
    rows = session.execute(
        select(CrawlRun.id, CrawlRun.health)
        .where(
            CrawlRun.targets == targets,
            CrawlRun.healthy.is_(True),
            CrawlRun.health.is_not(None),
            CrawlRun.id < before,
        )
        .order_by(CrawlRun.id.desc())
        .limit(max(0, window))
    )
    past = []
    for run_id, stored in rows:
        health = Health.from_json(stored)
        past.append(Past(run_id, health.figures, health.markup))
    return past


def papers_seen_before(
    session: Session, run_id: int, clusters: Collection[str]
) -> dict[str, set[str]]:
    """For each cluster (by key) a run before ``run_id`` saw: the keys of the papers the last
    such run saw on it (``run_papers``)."""
    among = dialect_of(session).among
    found: dict[str, set[str]] = defaultdict(set)
    for chunk in chunks(sorted(clusters)):
        last = (
            select(RunPaper.cluster_id, func.max(RunPaper.run_id).label("run_id"))
            .join(Cluster, Cluster.id == RunPaper.cluster_id)
            .where(among(Cluster.key, chunk), RunPaper.run_id < run_id)
            .group_by(RunPaper.cluster_id)
            .subquery()
        )
        rows = session.execute(
            select(Cluster.key, Paper.key)
            .join(RunPaper, RunPaper.cluster_id == Cluster.id)
            .join(
                last,
                (last.c.cluster_id == RunPaper.cluster_id) & (last.c.run_id == RunPaper.run_id),
            )
            .join(Paper, Paper.id == RunPaper.paper_id)
        )
        for cluster_key, paper_key in rows:
            found[cluster_key].add(paper_key)
    return dict(found)


def recent_runs(session: Session, last: int) -> list[CrawlRun]:
    """The last ``last`` runs, oldest first."""
    rows = session.execute(select(CrawlRun).order_by(CrawlRun.id.desc()).limit(max(0, last)))
    return list(reversed(rows.scalars().all()))


def latest_by_targets(session: Session) -> list[CrawlRun]:
    """The latest run with health figures over each set of targets, oldest first."""
    latest = (
        select(func.max(CrawlRun.id))
        .where(CrawlRun.health.is_not(None), CrawlRun.targets.is_not(None))
        .group_by(CrawlRun.targets)
    )
    stmt = select(CrawlRun).where(CrawlRun.id.in_(latest)).order_by(CrawlRun.id)
    return list(session.execute(stmt).scalars())


def accept(session: Session, run_id: int) -> bool:
    """Let run ``run_id`` join the baseline of later runs over its targets (a change a person
    judged lasting); False when it has no health figures."""
    done = session.execute(
        update(CrawlRun)
        .where(CrawlRun.id == run_id, CrawlRun.health.is_not(None))
        .values(healthy=True)
    )
    return bool(getattr(done, "rowcount", 0))


def health_of(run: CrawlRun) -> dict[str, Any] | None:
    """A run's health record as exported: its figures, baseline, reasons and whether it is
    part of the baseline of later runs."""
    if run.health is None:
        return None
    return {**run.health, "healthy": run.healthy}
