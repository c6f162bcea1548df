"""The watch list: targets with intervals, and what is due. (The lock that keeps scheduled
runs from overlapping is the dialect's: ``StoreDialect.schedule_lock``.)"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, select, update

from pipelines.store.models import Schedule

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

INTERVAL_RE = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


# Past this, a due date overflows what dates hold (999999999d broke every run-due for good).
MAX_INTERVAL_SECONDS = 3650 * 86400


def parse_interval(value: str) -> int:
    """Seconds in "30m", "6h", "1d", "2w"; ValueError for anything else."""
    match = INTERVAL_RE.match(value)
    if not match or int(match.group(1)) == 0:
        msg = f"not an interval: {value!r} (use a number and s, m, h, d or w: 30m, 1d)"
        raise ValueError(msg)
    seconds = int(match.group(1)) * UNIT_SECONDS[match.group(2)]
    if seconds > MAX_INTERVAL_SECONDS:
        msg = f"an interval of {value!r} is longer than ten years: give one of 3650d at most"
        raise ValueError(msg)
    return seconds


def add_target(session: Session, target: str, every: int, now: datetime) -> None:
    """Watch ``target`` every ``every`` seconds, due now; a known target gets the new interval."""
    found = session.execute(select(Schedule).where(Schedule.target == target)).scalar_one_or_none()
    if found is None:
        session.add(Schedule(target=target, every_seconds=every, next_due_at=now))
    else:
        found.every_seconds = every


def remove_target(session: Session, target: str) -> bool:
    """Stop watching ``target``; False when it was not watched."""
    result = session.execute(delete(Schedule).where(Schedule.target == target))
    return bool(getattr(result, "rowcount", 0))


def list_targets(session: Session) -> list[Schedule]:
    return list(session.execute(select(Schedule).order_by(Schedule.target)).scalars())


def claim_due(session: Session, now: datetime) -> list[str]:
    """The targets due at ``now``, each moved to its next due time (claimed for this run)."""
    due = [
        s
        for s in session.execute(select(Schedule).order_by(Schedule.id)).scalars()
        if _aware(s.next_due_at) <= now
    ]
    for schedule in due:
        session.execute(
            update(Schedule)
            .where(Schedule.id == schedule.id)
            .values(
                last_started_at=now, next_due_at=now + timedelta(seconds=schedule.every_seconds)
            )
        )
    return [s.target for s in due]


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
