"""The benchmark runs end to end on a few pages (its figures are not asserted: no timing
in tests)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

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


def test_scaling_runs_the_replay_command_per_worker_count(tmp_path: Path) -> None:
    from bench.scaling import main as scaling

    out = tmp_path / "scaling.json"
    scaling(["--pages", "30", "--workers", "2", "--memory", "10,20", "--json", str(out)])
    figures = json.loads(out.read_text("utf-8"))
    assert [r["workers"] for r in figures["replays"]] == [1, 2]
    assert all(r["exit_code"] == 0 and r["pages"] == 30 for r in figures["replays"])
    assert figures["floor_pages_per_s"] > 0 and figures["parse_pages_per_s"] > 0
    assert figures["startup_s"] > 0
    assert {"replay command / lxml floor", "parse only / lxml floor", "scaling efficiency"} <= set(
        figures["ratios"]
    )
    # Fewer pages than a pool is worth: no worker process was started, and it says so.
    assert all(r["worker_processes"] == 0 for r in figures["replays"])
    assert "peak RSS per worker, MiB" not in figures["ratios"]  # no worker to measure
    assert [r["pages"] for r in figures["memory"]] == [10, 20]
    assert figures["ratios"]["peak RSS, long / short replay"] > 0


def test_tree_rss_counts_a_grandchild_as_a_worker() -> None:
    import subprocess
    import sys
    import time

    from bench.scaling import TreeRss

    code = (
        "import subprocess, sys, time; "
        "c = subprocess.Popen([sys.executable, '-c', "
        "'b = bytearray(48 * 2**20); b[::4096] = bytes(len(b[::4096])); "
        "import time; time.sleep(3)']); time.sleep(3.5)"
    )
    # A direct child whose command names no fork server is a worker too (the spawn way).
    parent = subprocess.Popen([sys.executable, "-c", code])
    with TreeRss(parent.pid, interval=0.05) as rss:
        time.sleep(2)
    parent.wait()
    assert len(rss.workers) >= 1
    assert rss.worker >= 40 * 2**20
    assert rss.tree >= rss.own + rss.worker - 2**20


def test_tree_rss_counts_a_command_in_the_tree_but_not_as_a_worker() -> None:
    """A direct child that is no Python process (the ``uname -p`` Python's platform module
    runs at start-up) is no worker: a replay too small for a pool reports none."""
    import subprocess
    import sys
    import time

    from bench.scaling import TreeRss

    code = "import subprocess; subprocess.run(['sleep', '1.5'])"
    parent = subprocess.Popen([sys.executable, "-c", code])
    with TreeRss(parent.pid, interval=0.05) as rss:
        time.sleep(1)
    parent.wait()
    assert rss.workers == set()
    assert rss.tree > rss.own  # the command's memory is the tree's


def test_storefloor_writes_the_same_rows_raw(tmp_path: Path) -> None:
    from bench.storefloor import main as storefloor

    out = tmp_path / "floor.json"
    storefloor(["--pages", "20", "--postgres", "", "--json", str(out)])
    (sqlite,) = json.loads(out.read_text("utf-8"))
    assert sqlite["database"] == "SQLite" and sqlite["rows"] > 100
    assert sqlite["store_s"] > 0 and sqlite["raw_s"] > 0


def test_exports_bench_reports_every_format_and_its_memory(tmp_path: Path) -> None:
    from bench.exports import main as exports
    from pipelines.exporters import FORMATS

    out = tmp_path / "exports.json"
    exports(["--papers", "60,120", "--json", str(out)])
    figures = json.loads(out.read_text("utf-8"))
    assert {(e["format"], e["papers"]) for e in figures["exports"]} == {
        (f, n) for f in FORMATS for n in (60, 120)
    }
    assert all(e["rows"] == e["papers"] and e["bytes"] > 0 for e in figures["exports"])
    assert set(figures["flatness"]) == set(FORMATS)


def test_tree_rss_counts_a_python_child_only_when_seen_so_twice(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Between its fork and its exec a command shows its parent's Python command line: one
    sighting as Python is no worker, a second is (a spawned worker lives on)."""
    import bench.scaling

    monkeypatch.setattr(bench.scaling, "_is_spawned_worker", lambda pid: pid == 7)
    rss = bench.scaling.TreeRss(1)
    assert [rss._spawned(7), rss._spawned(7), rss._spawned(8)] == [False, True, False]


def test_tree_rss_counts_a_spawned_python_child_as_a_worker() -> None:
    import subprocess
    import sys
    import time

    from bench.scaling import TreeRss

    code = f"import subprocess; subprocess.run([{sys.executable!r}, '-c', 'import time; time.sleep(1.5)'])"
    parent = subprocess.Popen([sys.executable, "-c", code])
    with TreeRss(parent.pid, interval=0.05) as rss:
        time.sleep(1)
    parent.wait()
    assert len(rss.workers) == 1


@pytest.mark.parametrize(
    ("given", "counts"),
    [("1,3", [1, 3]), ("2", [2]), ("1, 2,", [1, 2]), ("x", None), ("0", None), ("", None)],
)
def test_distributed_bench_worker_counts(given: str, counts: list[int] | None) -> None:
    import argparse

    from bench.distributed import _counts

    if counts is None:
        with pytest.raises(argparse.ArgumentTypeError):
            _counts(given)
    else:
        assert _counts(given) == counts


def test_a_benchmark_whose_reader_goes_away_ends_quietly() -> None:
    import pathlib
    import subprocess
    import sys

    code = (
        "from bench import main_quietly\n"
        "def main():\n"
        "    for _ in range(200000):\n"
        "        print('figure' * 20)\n"
        "main_quietly(main)\n"
    )
    with subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=pathlib.Path(__file__).resolve().parents[1],
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.readline()
        process.stdout.close()  # the reader goes away, as "| head -1" does
        error = process.stderr.read()
        assert process.wait(timeout=60) == 0
    assert b"Traceback" not in error and b"BrokenPipe" not in error, error
