"""The benchmark runs end to end on a few pages (its figures are not asserted: no timing
in tests)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from bench.generate import generate
from bench.run import main
from crawler.pages import parse_page

if TYPE_CHECKING:
    from pathlib import Path


def test_generated_pages_are_deterministic_cluster_pages() -> None:
    first, again = generate(5, seed=3), generate(5, seed=3)
    assert first == again
    assert generate(5, seed=4) != first
    for name, body in first:
        page = parse_page(body, name)
        assert page.papers and page.cluster_name


def test_bench_runs_and_reports_every_phase(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    main(["--pages", "4", "--naive-pages", "2", "--postgres", "", "--json", str(out)])
    figures = json.loads(out.read_text("utf-8"))
    assert [p["name"] for p in figures["phases"]] == [
        "parse only",
        "full replay, SQLite",
        "naive baseline, SQLite",
    ]
    assert all(p["papers"] > 0 for p in figures["phases"])
    assert set(figures["ratios"]) == {"full replay / naive baseline", "full replay / parse only"}
