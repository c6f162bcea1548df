"""What a run did: the store's counts, and the end-of-run summary in one line a person reads."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

REPAIR_PREFIX = "repairs/"
# Crawl stats a spider or the page store sets: why a run failed, and how it ended.
FAILURE_STAT = "run/failure"
STATUS_STAT = "run/status"


@dataclass
class LoadCounts:
    """What loading did, summed over pages; ``by_reason`` counts rejects by reason."""

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


def summarize(
    status: str, counts: Mapping[str, int], seconds: float, why: str | None = None
) -> str:
    """One line: pages, papers new and updated, cut author lists, unknown venues, repairs
    by rule and rejects, e.g. for the log and the ``crawl_runs.summary`` column."""
    repairs = sorted(
        (k.removeprefix(REPAIR_PREFIX), n) for k, n in counts.items() if k.startswith(REPAIR_PREFIX)
    )
    repaired = ", ".join(f"{rule} {n}" for rule, n in repairs) or "none"
    said = f"{status} ({why})" if why else status
    return (
        f"{said} in {seconds:.1f}s: {counts.get('pages', 0)} pages "
        f"({counts.get('pages_rejected', 0)} rejected, {counts.get('pages_unchanged', 0)} "
        f"unchanged), {counts.get('papers', 0)} papers "
        f"({counts.get('papers_new', 0)} new, {counts.get('papers_updated', 0)} updated), "
        f"{counts.get('truncated_lists', 0)} cut author lists, "
        f"{counts.get('unknown_venues', 0)} unknown venues, "
        f"abstract repairs: {repaired}; {counts.get('rejects', 0)} rejects"
    )
