"""The replay command against the hardware: the lxml floor, and every core.

``python -m bench.scaling --pages 6000`` saves generated pages to a folder and, in one run:

- times ``lxml.html.fromstring`` on every page, on one core: the floor of any HTML parser
  here, which every other figure is a ratio of;
- runs ``scrapy crawl replay`` of that folder into a new SQLite store with
  ``REPLAY_WORKERS`` = 1 .. the cores present, start-up included (each in a process of its
  own, as a user runs it), sampling the resident memory of the crawl process and of each
  worker;
- times the start-up alone (a replay of one page);
- and says which targets are met.

Linux only for the memory figures (``/proc``); the rates are measured anywhere.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import html

from bench.generate import generate, iter_pages, write_pages
from pipelines.parallel import default_workers

if TYPE_CHECKING:
    from collections.abc import Sequence

ROOT = Path(__file__).resolve().parents[1]
MIB = 2**20
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
# The targets, as (comparison, bound).
TARGETS = {
    "replay command / lxml floor": (">=", 0.10),
    "parse only / lxml floor": (">=", 0.30),
    "scaling efficiency": (">=", 0.80),
    "peak RSS per worker, MiB": ("<=", 150.0),
    "peak RSS, long / short replay": ("<=", 1.10),
}


def _lxml_round(corpus: list[tuple[str, bytes]]) -> float:
    started = time.perf_counter()
    for _, body in corpus:
        html.fromstring(body)
    return time.perf_counter() - started


def _parse_round(corpus: list[tuple[str, bytes]]) -> float:
    from crawler.pages import PageError, parse_page

    started = time.perf_counter()
    for name, body in corpus:
        try:
            parse_page(body, name)
        except PageError:
            continue
    return time.perf_counter() - started


def floor_and_parse(corpus: list[tuple[str, bytes]], rounds: int = 5) -> tuple[float, float]:
    """Pages per second of ``lxml.html.fromstring`` alone (the floor of any HTML parser
    here) and of the site parser (``crawler.pages.parse_page``), on one core: the fastest
    of ``rounds`` rounds each, the two taking turns so that a slow spell of the machine
    weighs on both alike."""
    floor = parse = float("inf")
    for _ in range(max(1, rounds)):
        floor = min(floor, _lxml_round(corpus))
        parse = min(parse, _parse_round(corpus))
    return len(corpus) / floor, len(corpus) / parse


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            text = (task / "children").read_text()
            found += [int(c) for c in text.split()]
    except OSError:
        pass
    return found


def _rss(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_SIZE
    except (OSError, IndexError, ValueError):
        return 0


def _is_spawned_worker(pid: int) -> bool:
    """Whether a direct child of the crawl process is a worker it spawned: a Python process,
    but not the fork server that starts the workers nor multiprocessing's resource tracker.
    (A short-lived command, such as the ``uname -p`` Python's ``platform`` runs at start-up,
    is counted in the tree's memory but is no worker.)"""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    program = Path(command.split(b"\0", 1)[0].decode(errors="replace")).name
    if not program.startswith("python"):
        return False
    return b"forkserver" not in command and b"resource_tracker" not in command


SEEN_TWICE = 2


class TreeRss:
    """Samples the resident memory of a process and its descendants while it runs: the
    peak of the process itself, of its largest worker, and of the whole tree at once."""

    def __init__(self, pid: int, interval: float = 0.02) -> None:
        self.pid, self.interval = pid, interval
        self.own = self.worker = self.tree = 0
        self.workers: set[int] = set()
        self._seen_python: Counter[int] = Counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def _spawned(self, child: int) -> bool:
        """Whether a direct child is a spawned worker, seen so twice: between its fork and
        its exec, a command the crawl runs (``uname -p``) still shows the parent's Python
        command line."""
        if not _is_spawned_worker(child):
            return False
        self._seen_python[child] += 1
        return self._seen_python[child] >= SEEN_TWICE

    def sample(self) -> None:
        own = _rss(self.pid)
        tree = own
        pending = [(child, 1) for child in _children(self.pid)]
        while pending:
            child, depth = pending.pop()
            rss = _rss(child)
            tree += rss
            if depth > 1 or self._spawned(child):  # forked by the server, or spawned
                self.workers.add(child)
                self.worker = max(self.worker, rss)
            pending += [(c, depth + 1) for c in _children(child)]
        self.own, self.tree = max(self.own, own), max(self.tree, tree)


@dataclass
class Replay:
    workers: int
    pages: int
    seconds: float
    peak_rss_mib: float  # the crawl process (the writer)
    worker_peak_rss_mib: float  # the largest worker process
    tree_peak_rss_mib: float  # every process of the run at once
    worker_processes: int
    exit_code: int

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0


def replay_command(pages_dir: Path, workers: int, db: Path, pages: int) -> Replay:
    """``scrapy crawl replay -a path=PAGES_DIR`` with ``workers``, timed from launch to exit."""
    command = [
        sys.executable,
        "-m",
        "scrapy",
        "crawl",
        "replay",
        "-a",
        f"path={pages_dir}",
        "-s",
        f"REPLAY_WORKERS={workers}",
        "-s",
        f"DATABASE_URL=sqlite:///{db}",
        "-s",
        "LOG_LEVEL=WARNING",
    ]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL)
    with TreeRss(process.pid) as rss:
        code = process.wait()
    seconds = time.perf_counter() - started
    return Replay(
        workers,
        pages,
        seconds,
        rss.own / MIB,
        rss.worker / MIB,
        rss.tree / MIB,
        len(rss.workers),
        code,
    )


@dataclass
class Scaling:
    machine_cores: int
    pages: int
    floor_pages_per_s: float
    parse_pages_per_s: float
    startup_s: float
    replays: list[Replay] = field(default_factory=list)
    memory: list[Replay] = field(default_factory=list)  # the command on --memory sizes
    ratios: dict[str, float] = field(default_factory=dict)

    def verdicts(self) -> dict[str, str]:
        out = {}
        for name, value in self.ratios.items():
            how, bound = TARGETS.get(name, ("", 0.0))
            if not how:
                out[name] = "(shown, not a target)"
                continue
            met = value >= bound if how == ">=" else value <= bound
            out[name] = f"{'met' if met else 'MISSED'} ({how} {bound})"
        return out


def memory_check(sizes: Sequence[int], seed: int, work: Path) -> list[Replay]:
    """The replay command (every core) on each number of pages: its peak RSS should not
    grow with the number of pages."""
    out = []
    for size in sizes:
        pages_dir = work / f"memory-{size}"
        write_pages(pages_dir, iter_pages(size, seed))
        out.append(replay_command(pages_dir, default_workers(), work / f"memory-{size}.db", size))
        shutil.rmtree(pages_dir)
    return out


def measure(
    pages: int,
    seed: int,
    work: Path,
    max_workers: int | None = None,
    memory: Sequence[int] = (),
) -> Scaling:
    """Every figure of the module's description, on ``pages`` generated pages."""
    corpus = generate(pages, seed)
    pages_dir = work / "pages"
    write_pages(pages_dir, corpus)
    one = work / "one"
    write_pages(one, corpus[:1])
    cores = default_workers()
    floor, parse = floor_and_parse(corpus)
    startup = replay_command(one, 1, work / "startup.db", 1).seconds
    scaling = Scaling(cores, len(corpus), floor, parse, startup)
    for workers in range(1, (max_workers or cores) + 1):
        db = work / f"replay-{workers}.db"
        scaling.replays.append(replay_command(pages_dir, workers, db, len(corpus)))
    if len(memory) >= 2:
        scaling.memory = memory_check(memory, seed, work)
    scaling.ratios = ratios(scaling)
    return scaling


def ratios(scaling: Scaling) -> dict[str, float]:
    """The targets' figures from the runs measured."""
    best = max(scaling.replays, key=lambda r: r.pages_per_s)
    first = scaling.replays[0]
    out = {
        "replay command / lxml floor": best.pages_per_s / scaling.floor_pages_per_s,
        "parse only / lxml floor": scaling.parse_pages_per_s / scaling.floor_pages_per_s,
    }
    for replay in scaling.replays[1:]:
        efficiency = replay.pages_per_s / (replay.workers * first.pages_per_s)
        key = "scaling efficiency" if replay is scaling.replays[-1] else f"x{replay.workers}"
        out[key] = efficiency
    if scaling.memory:
        short, long = scaling.memory[0], scaling.memory[-1]
        out["peak RSS, long / short replay"] = long.tree_peak_rss_mib / (
            short.tree_peak_rss_mib or 1.0
        )
    # Only runs that started a pool have a worker to measure: with none, the figure is left
    # out rather than filled with the writer's.
    pooled = [r.worker_peak_rss_mib for r in scaling.replays + scaling.memory if r.worker_processes]
    if pooled:
        out["peak RSS per worker, MiB"] = max(pooled)
    return out


def report(scaling: Scaling) -> str:
    lines = [
        f"{scaling.pages} pages, {scaling.machine_cores} cores",
        f"lxml floor (one core)          {scaling.floor_pages_per_s:>9.0f} pages/s",
        f"site parser, parse only        {scaling.parse_pages_per_s:>9.0f} pages/s",
        f"start-up (a one-page replay)   {scaling.startup_s:>9.2f} s",
        f"{'replay command':<30} {'pages/s':>9} {'seconds':>8} {'writer MiB':>10} "
        f"{'worker MiB':>10} {'all MiB':>8}",
    ]
    for r in scaling.replays:
        name = f"REPLAY_WORKERS={r.workers}"
        lines.append(
            f"{name:<30} {r.pages_per_s:>9.0f} {r.seconds:>8.2f} {r.peak_rss_mib:>10.1f} "
            f"{r.worker_peak_rss_mib:>10.1f} {r.tree_peak_rss_mib:>8.1f}"
            + ("" if r.exit_code == 0 else f"  (exit {r.exit_code})")
        )
    for r in scaling.memory:
        lines.append(
            f"replay of {r.pages} pages: peak RSS {r.tree_peak_rss_mib:.1f} MiB in all "
            f"({r.peak_rss_mib:.1f} the crawl process, {r.worker_peak_rss_mib:.1f} a worker)"
        )
    verdicts = scaling.verdicts()
    for name, value in scaling.ratios.items():
        lines.append(f"{name:<38} {value:>8.3f}  {verdicts[name]}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=6000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, help="the most workers tried (default: cores)")
    parser.add_argument(
        "--memory", default="", help="replay sizes whose peak RSS is compared, e.g. 2000,20000"
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    sizes = [int(n) for n in args.memory.split(",") if n]
    with tempfile.TemporaryDirectory() as tmp:
        scaling = measure(args.pages, args.seed, Path(tmp), args.workers, sizes)
    print(report(scaling))
    if args.json:
        figures = asdict(scaling) | {"verdicts": scaling.verdicts()}
        for replay, data in zip(scaling.replays, figures["replays"], strict=True):
            data["pages_per_s"] = replay.pages_per_s
        args.json.write_text(json.dumps(figures, indent=2) + "\n", "utf-8")


if __name__ == "__main__":
    from bench import main_quietly

    main_quietly(main)
