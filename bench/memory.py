"""Resident memory: a sampler for the phases of one run, and the flatness check.

``python -m bench.memory --pages N`` replays N synthetic pages, made one at a time, into a
fresh SQLite store and prints the process's peak RSS as JSON. The benchmark runs it in a
fresh process for each size, so that each peak is that size's alone.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from types import TracebackType

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
STATM = Path("/proc/self/statm")
STATUS = Path("/proc/self/status")


def current_rss() -> int:
    """This process's resident set size in bytes (Linux; elsewhere the peak so far)."""
    try:
        return int(STATM.read_text().split()[1]) * PAGE_SIZE
    except (OSError, IndexError, ValueError):
        return peak_rss()


def peak_rss() -> int:
    """This process's peak resident set size in bytes, over its whole life.

    Linux's VmHWM, not getrusage's ru_maxrss: a process started by a larger one inherits
    the parent's ru_maxrss through exec, and would report the parent's peak.
    """
    try:
        for line in STATUS.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kib if sys.platform == "darwin" else kib * 1024


class RssSampler:
    """``with RssSampler() as rss: ...`` records the highest RSS seen while the block runs.

    A thread samples every ``interval`` seconds; ``peak`` is in bytes.
    """

    def __init__(self, interval: float = 0.005) -> None:
        self.interval = interval
        self.start = 0
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, current_rss())

    def __enter__(self) -> RssSampler:
        self.start = self.peak = current_rss()
        self._thread.start()
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, current_rss())


def replay_peak(pages: int, seed: int) -> dict[str, float]:
    """Replay ``pages`` streamed pages into a fresh SQLite store; the peak RSS in MiB."""
    from bench.generate import iter_pages
    from bench.replay import full_replay
    from crawler.runtime import tune_gc

    tune_gc()  # as the replay command does once started
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'memory.db'}"
        papers = full_replay(iter_pages(pages, seed), url)
    return {"pages": pages, "papers": papers, "peak_rss_mib": peak_rss() / 2**20}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    print(json.dumps(replay_peak(args.pages, args.seed)))


if __name__ == "__main__":
    from bench import main_quietly

    main_quietly(main)
