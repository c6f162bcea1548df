"""Saved pages parsed and cleaned on every core: a pool of worker processes.

Chunks of file paths go to the workers, which read, parse, clean and compress (for the
archive) each page, and send the records back; records come back as chunks complete, in
no particular order, which the store does not mind (loads are order-free). The walk's one
order-dependent rule is kept: a page that does not name its cluster itself (no heading)
is read as the continuation of the page that links to it with ``rel="next"``, so such
pages wait until every page has been read, then are read again with what links to them.

Workers are started by a fork server that has imported the core once (no Scrapy, no
database in it), so starting one costs a fork, and the crawl process's threads and
database connections never reach a child (the archive replay's workers open the store
themselves, to read: ``pipelines/store/reread.py``). Each worker tunes its cycle collector when it
starts (``pipelines.runtime.tune_gc``), as the crawl process does.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import TYPE_CHECKING

from pipelines.model import Fetch
from pipelines.process import refused
from pipelines.runtime import DEFAULT_THRESHOLD, tune_gc
from pipelines.sources import SavedPages, find_pages, scan_pages, unreadable_records

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from pathlib import Path
    from typing import Any, TypeVar

    T = TypeVar("T")

    from pipelines.model import PageRecord
    from pipelines.process import CleanSettings

logger = logging.getLogger(__name__)

CHUNK_FILES = 24  # pages per task: large enough to hide a task's cost, small to balance
# Starting the pool costs about what reading a few hundred pages does: fewer pages than this
# are read in the crawl's own process.
MIN_POOLED_PAGES = 400
IN_FLIGHT_PER_WORKER = 3  # tasks queued per worker: the pool never idles, memory stays flat
# The workers run at a lower priority than the crawl process: with as many workers as cores,
# its writer (every page's store, the replay's bottleneck) would otherwise get about two
# thirds of a core, while the workers, ahead of it, wait on their queue anyway. Six
# 6,000-page replays each way, interleaved: 21.4 s against 23.1 s on average, the machine
# busy 1.82 cores of 2 against 1.70.
WORKER_NICENESS = 10


def default_workers() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _read_chunk(paths: list[str], root: str, settings: CleanSettings) -> list[PageRecord]:
    """In a worker: the records of ``paths`` (each read alone, as if linked from nothing)."""
    from pathlib import Path

    walk = SavedPages(Path(root), settings)
    return [walk.read(Path(p)).packed() for p in paths]


def _context() -> multiprocessing.context.BaseContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["pipelines.process", "pipelines.sources"])
        return context
    return multiprocessing.get_context("spawn")


def _start_worker(gc_threshold: int | None, niceness: int) -> None:
    if niceness and hasattr(os, "nice"):
        os.nice(niceness)
    if gc_threshold is not None:
        tune_gc(gc_threshold)


def worker_pool(
    workers: int, gc_threshold: int | None = DEFAULT_THRESHOLD, niceness: int = WORKER_NICENESS
) -> ProcessPoolExecutor:
    """A pool of ``workers`` processes, each with its cycle collector tuned to
    ``gc_threshold`` when it starts (None: CPython's defaults), and ``niceness`` lower in
    priority than the process that starts them (see ``WORKER_NICENESS``)."""
    return ProcessPoolExecutor(
        workers,
        mp_context=_context(),
        initializer=_start_worker,
        initargs=(gc_threshold, niceness),
    )


def pooled(
    pool: ProcessPoolExecutor,
    workers: int,
    task: Callable[..., T],
    chunks: Iterable[Any],
    *args: Any,
) -> Iterator[T]:
    """``task(chunk, *args)`` of every chunk, run in ``pool``, yielded as each completes; a
    few tasks per worker in flight, so that the pool never idles and memory stays flat."""
    pending = iter(chunks)
    running: set[Future[T]] = set()
    exhausted = False
    while not exhausted or running:
        while not exhausted and len(running) < workers * IN_FLIGHT_PER_WORKER:
            chunk = next(pending, None)
            if chunk is None:
                exhausted = True
                break
            running.add(pool.submit(task, chunk, *args))
        if not running:
            break
        done, running = wait(running, return_when=FIRST_COMPLETED)
        for future in done:
            yield future.result()


class ParallelSavedPages:
    """The records of every saved page under ``root`` (a directory), as ``SavedPages``
    gives them, parsed and cleaned by ``workers`` processes; yielded in chunks."""

    def __init__(
        self,
        root: Path,
        settings: CleanSettings,
        workers: int,
        gc_threshold: int | None = DEFAULT_THRESHOLD,
    ) -> None:
        self.walk = SavedPages(root, settings)
        self.root, self.settings, self.workers = root, settings, max(1, workers)
        self.gc_threshold = gc_threshold

    def count(self) -> int:
        """How many saved pages the root holds (pages their links lead to aside)."""
        return 1 if self.root.is_file() else len(find_pages(self.root))

    def __iter__(self) -> Iterator[list[PageRecord]]:
        paths, problems = ([], []) if self.root.is_file() else scan_pages(self.root)
        if self.workers == 1 or len(paths) < MIN_POOLED_PAGES:
            yield from _chunked(iter(self.walk))
            return
        yield list(unreadable_records(problems))
        continues: dict[Path, str] = {}
        waiting: dict[Path, PageRecord] = {}
        chunks = (
            [str(p) for p in paths[i : i + CHUNK_FILES]] for i in range(0, len(paths), CHUNK_FILES)
        )
        with worker_pool(self.workers, self.gc_threshold) as pool:
            work = pooled(pool, self.workers, _read_chunk, chunks, str(self.root), self.settings)
            for chunk in work:
                ready = []
                for record in chunk:
                    ready += self._follow(record, continues)
                    if record.headed and record.page is not None:
                        ready.append(record)
                    else:
                        waiting[_path(record)] = record
                yield ready
        yield self._finish(paths, continues, waiting)

    def _follow(self, record: PageRecord, continues: dict[Path, str]) -> list[PageRecord]:
        """Note the saved page ``record`` links to as its next one, and whose cluster that
        is; a link out of the root is refused, as the walk refuses it."""
        following = self.walk.local_next(record)
        if isinstance(following, str):
            return [refused(Fetch(following, b"", record.fetch.fetched_at), self.walk.outside)]
        if following is not None and record.cluster_name:
            continues[following.resolve()] = record.cluster_name
        return []

    def _finish(
        self, paths: list[Path], continues: dict[Path, str], waiting: dict[Path, PageRecord]
    ) -> list[PageRecord]:
        """The pages that waited: read again as continuations where something links to
        them; and the pages links lead to outside the files found (a walk's tail)."""
        out = []
        for path, record in sorted(waiting.items()):
            linked = continues.get(path.resolve())
            out.append(self.walk.read(path, linked) if linked else record)
        if continues:  # else no path need be resolved (0.16 s for 6,000 files, at the end)
            found = {p.resolve() for p in paths}
            out += list(self.walk.walk_from(sorted(set(continues) - found), continues))
        return out


def _path(record: PageRecord) -> Path:
    from pathlib import Path

    return Path(record.source)


def _chunked(records: Iterator[PageRecord], size: int = CHUNK_FILES) -> Iterator[list[PageRecord]]:
    chunk: list[PageRecord] = []
    for record in records:
        chunk.append(record)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
