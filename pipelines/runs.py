"""The end-of-run summary: what a run did, in one line a person reads."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

REPAIR_PREFIX = "repairs/"


def summarize(status: str, counts: Mapping[str, int], seconds: float) -> str:
    """One line: pages, papers new and updated, cut author lists, unknown venues, repairs
    by rule and rejects, e.g. for the log and the ``crawl_runs.summary`` column."""
    repairs = sorted(
        (k.removeprefix(REPAIR_PREFIX), n) for k, n in counts.items() if k.startswith(REPAIR_PREFIX)
    )
    repaired = ", ".join(f"{rule} {n}" for rule, n in repairs) or "none"
    return (
        f"{status} in {seconds:.1f}s: {counts.get('pages', 0)} pages "
        f"({counts.get('pages_rejected', 0)} rejected, {counts.get('pages_unchanged', 0)} "
        f"unchanged), {counts.get('papers', 0)} papers "
        f"({counts.get('papers_new', 0)} new, {counts.get('papers_updated', 0)} updated), "
        f"{counts.get('truncated_lists', 0)} cut author lists, "
        f"{counts.get('unknown_venues', 0)} unknown venues, "
        f"abstract repairs: {repaired}; {counts.get('rejects', 0)} rejects"
    )
