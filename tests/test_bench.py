"""The benchmark runs end to end on a few pages (its figures are not asserted: no timing
in tests)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from bench.generate import generate, iter_pages
from bench.memory import RssSampler, current_rss
from bench.run import TARGETS, main
from crawler.pages import parse_page

if TYPE_CHECKING:
    from pathlib import Path


def test_generated_pages_are_deterministic_cluster_pages() -> None:
    first, again = generate(5, seed=3), generate(5, seed=3)
    assert first == again
    assert generate(5, seed=4) != first
    assert list(iter_pages(5, seed=3)) == first
    for name, body in first:
        page = parse_page(body, name)
        assert page.papers and page.cluster_name


def test_generated_papers_recur_across_clusters() -> None:
    titles = [p.title for name, body in generate(40) for p in parse_page(body, name).papers]
    assert len(set(titles)) < len(titles)  # shared papers: the loader's merges are exercised


def test_rss_sampler_sees_an_allocation() -> None:
    with RssSampler() as rss:
        block = bytearray(64 * 2**20)
        block[::4096] = b"x" * len(block[::4096])  # touch every page
        assert current_rss() >= rss.start
    del block
    assert rss.peak - rss.start >= 32 * 2**20


def test_bench_runs_and_reports_every_phase(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    main(
        [
            "--pages",
            "6",
            "--naive-pages",
            "2",
            "--live-pages",
            "3",
            "--memory",
            "2,4",
            "--postgres",
            "",
            "--rounds",
            "2",
            "--json",
            str(out),
        ]
    )
    figures = json.loads(out.read_text("utf-8"))
    assert [p["name"] for p in figures["phases"]] == [
        "parse only",
        "parse and clean",
        "full replay, SQLite",
        "naive baseline, SQLite",
        "export papers, jsonl",
        "export papers, csv",
    ]
    assert all(p["papers"] > 0 for p in figures["phases"])
    # The phases the targets compare ran in turn, twice; each reports its fastest round.
    for phase in figures["phases"][:3]:
        assert len(phase["rounds_s"]) == 2
        assert phase["seconds"] == min(phase["rounds_s"])
    assert all(len(p["rounds_s"]) == 1 for p in figures["phases"][3:])
    assert all(p["rows"] > 0 for p in figures["phases"][2:])
    assert [c["name"] for c in figures["crawls"]] == [
        "live, loopback, store off",
        "live, loopback, store on",
        "live, paced site, store off",
        "live, paced site, store on",
        "replay command, SQLite",
    ]
    assert all(c["pages"] >= 3 for c in figures["crawls"])
    assert [r["pages"] for r in figures["memory"]["replays"]] == [2, 4]
    assert set(figures["ratios"]) == (set(TARGETS) - {"SQLite / PostgreSQL"}) | {
        "live on / off, loopback (CPU-bound)"
    }
    assert set(figures["targets"]) == set(figures["ratios"])
