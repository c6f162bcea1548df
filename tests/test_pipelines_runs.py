"""The end-of-run summary line."""

from __future__ import annotations

from pipelines.runs import summarize


def test_summary_names_every_count() -> None:
    counts = {
        "pages": 8,
        "pages_rejected": 1,
        "papers": 33,
        "papers_new": 26,
        "papers_updated": 2,
        "rejects": 2,
        "truncated_lists": 7,
        "unknown_venues": 1,
        "repairs/latex": 1,
        "repairs/decimals": 7,
    }
    assert summarize("finished", counts, 1.25) == (
        "finished in 1.2s: 8 pages (1 rejected, 0 unchanged), 33 papers (26 new, 2 updated), "
        "7 cut author lists, 1 unknown venues, abstract repairs: decimals 7, latex 1; 2 rejects"
    )


def test_summary_of_an_empty_run() -> None:
    assert summarize("finished", {}, 0).endswith("abstract repairs: none; 0 rejects")
