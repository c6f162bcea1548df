"""CPython's cycle collector, tuned for processes that make and drop many small objects.

CPython runs its cycle collector after every 700 net new container objects, and a full
collection whenever a quarter as many objects as are already long-lived have been promoted.
Parsing and cleaning allocate hundreds of objects per paper (parsed nodes, clean records,
rows), nearly all freed by reference counting, while a process keeps a large heap of
long-lived ones (Scrapy, Twisted, SQLAlchemy's metadata and compiled statements, the parser's
compiled XPath, the cleaning memos): measured, the collector took a fifth to a quarter of a
replay's writer time, and about a tenth of a worker's, walking that heap over and over.

``tune_gc`` does what long-running Python services do: collect once, freeze what start-up
made (the collector no longer walks it; it was going to live as long as the process anyway),
and let the youngest generation grow larger before it is collected. Garbage cycles are still
collected, just less often; nothing is switched off. The crawl process calls it once its
engine has started (``crawler.runtime.GcTuning``), a replay's worker process when it starts.
"""

from __future__ import annotations

import gc

DEFAULT_THRESHOLD = 10_000


def check_threshold(threshold: int) -> None:
    """ValueError unless ``threshold`` is a usable youngest-generation threshold."""
    if threshold < 1:
        msg = f"GC_THRESHOLD must be a positive number, not {threshold}"
        raise ValueError(msg)


def tune_gc(threshold: int = DEFAULT_THRESHOLD) -> None:
    """Freeze the objects alive now and collect the youngest generation every ``threshold``
    net new objects (CPython's default is 700); the older generations keep their settings."""
    check_threshold(threshold)
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(threshold, older, oldest)
