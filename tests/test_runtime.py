"""Tuning of the cycle collector: what the crawl and replay commands do once started."""

from __future__ import annotations

import gc

import pytest
from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.project import get_project_settings
from scrapy.utils.test import get_crawler

from crawler.runtime import GcTuning, tune_gc


def test_tune_gc_freezes_the_heap_and_raises_only_the_youngest_threshold() -> None:
    gc.set_threshold(700, 11, 12)
    assert gc.get_freeze_count() == 0
    tune_gc(5000)
    assert gc.get_threshold() == (5000, 11, 12)
    assert gc.get_freeze_count() > 0  # the start-up heap, out of the collector's walks


def test_garbage_cycles_are_still_collected_after_tuning() -> None:
    tune_gc(100)
    collected: list[str] = []

    class Node:
        def __init__(self) -> None:
            self.me = self

        def __del__(self) -> None:
            collected.append("node")

    for _ in range(300):
        Node()
    assert collected  # the youngest generation filled and was collected, cycles and all


@pytest.mark.parametrize("threshold", [0, -5])
def test_tune_gc_refuses_a_threshold_below_one(threshold: int) -> None:
    with pytest.raises(ValueError, match="GC_THRESHOLD"):
        tune_gc(threshold)


def test_the_extension_tunes_when_the_engine_starts() -> None:
    crawler = get_crawler(settings_dict={"GC_THRESHOLD": 4321})
    extension = GcTuning.from_crawler(crawler)
    assert extension.threshold == 4321
    assert gc.get_threshold()[0] != 4321
    crawler.signals.send_catch_log(signals.engine_started)
    assert gc.get_threshold()[0] == 4321


@pytest.mark.parametrize(
    ("settings", "reason"),
    [({"GC_TUNING": False}, "GC_TUNING is off"), ({"GC_THRESHOLD": 0}, "positive number")],
)
def test_the_extension_stays_out_when_off_or_misconfigured(
    settings: dict[str, object], reason: str
) -> None:
    with pytest.raises(NotConfigured, match=reason):
        GcTuning.from_crawler(get_crawler(settings_dict=settings))


def test_the_project_enables_the_extension() -> None:
    settings = get_project_settings()
    assert "crawler.runtime.GcTuning" in settings.getdict("EXTENSIONS")
    assert settings.getbool("GC_TUNING")
    assert settings.getint("GC_THRESHOLD") == 10_000


def test_prompt_close_gives_the_engine_a_turn_after_each_item() -> None:
    """After the last item the engine would only look again at its next heartbeat (5 s):
    each item done schedules its next call, where it finds the crawl done and closes it."""
    from crawler.runtime import PromptClose

    crawler = get_crawler(settings_dict={"EXTENSIONS": {}})
    scheduled: list[int] = []

    class NextCall:
        def schedule(self) -> None:
            scheduled.append(1)

    class Slot:
        nextcall = NextCall()

    class Engine:
        _slot = Slot()

    crawler.engine = Engine()  # type: ignore[assignment]
    extension = PromptClose.from_crawler(crawler)  # held, as the extension manager does
    for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
        crawler.signals.send_catch_log(signal, item={}, response=None, spider=None)
    assert len(scheduled) == 3
    crawler.engine = None  # type: ignore[assignment]
    crawler.signals.send_catch_log(signals.item_scraped, item={}, response=None, spider=None)
    assert len(scheduled) == 3  # no engine (closing): nothing to nudge, no error
    assert extension.crawler is crawler


@pytest.mark.parametrize(("threshold", "frozen"), [(4321, True), (None, False)])
def test_replay_worker_processes_tune_their_collector_when_they_start(
    threshold: int | None, frozen: bool
) -> None:
    """A replay's workers allocate as the crawl process does: each tunes its collector (or,
    with GC_TUNING off, keeps CPython's defaults)."""
    from pipelines.parallel import worker_pool

    with worker_pool(1, threshold) as pool:
        youngest = pool.submit(gc.get_threshold).result()[0]
        freeze_count = pool.submit(gc.get_freeze_count).result()
    assert (youngest == 4321) is frozen
    assert (freeze_count > 0) is frozen


@pytest.mark.parametrize(
    ("settings", "threshold"),
    [({}, 10_000), ({"GC_THRESHOLD": 2500}, 2500), ({"GC_TUNING": False}, None)],
)
def test_the_replay_spider_hands_the_collector_settings_to_its_workers(
    settings: dict[str, object], threshold: int | None
) -> None:
    from crawler.spiders.replay import ReplaySpider

    crawler = get_crawler(ReplaySpider, settings_dict=settings)
    spider = ReplaySpider.from_crawler(crawler)
    assert spider.gc_threshold == threshold


def test_own_thread_runs_every_call_on_one_named_thread_in_order() -> None:
    import asyncio
    import threading

    from crawler.runtime import OwnThread

    own = OwnThread("writer-test")
    seen: list[tuple[int, str]] = []

    def work(n: int, *, twice: bool = False) -> int:
        seen.append((n, threading.current_thread().name))
        return n * 2 if twice else n

    async def calls() -> list[int]:
        return list(await asyncio.gather(*(own.run(work, n, twice=n % 2 == 1) for n in range(6))))

    assert asyncio.run(calls()) == [0, 2, 2, 6, 4, 10]
    assert [n for n, _ in seen] == list(range(6))  # one at a time, in the order made
    assert len({name for _, name in seen}) == 1
    assert seen[0][1].startswith("writer-test")
    own.close()
    with pytest.raises(RuntimeError):  # closed: no more calls
        asyncio.run(calls())


def test_replay_workers_run_below_the_crawl_process_in_priority() -> None:
    """The writer, in the crawl process, is the replay's bottleneck: the workers yield the
    CPU to it (``WORKER_NICENESS``), and a pool asked for none keeps the crawl's priority."""
    import os

    from pipelines.parallel import WORKER_NICENESS, worker_pool

    own = os.nice(0)
    with worker_pool(1) as pool:
        lowered = pool.submit(os.nice, 0).result()
    with worker_pool(1, niceness=0) as pool:
        kept = pool.submit(os.nice, 0).result()
    assert lowered == min(own + WORKER_NICENESS, 19)
    assert kept == own
