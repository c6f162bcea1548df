"""The reconciliation: no page of a generation is lost, whatever happened to the workers.

A worker takes requests out of Redis; one that dies (SIGKILL, a lost machine) loses what it
held. So a generation is called finished only after this check: wait until the crawl is
quiet (nothing queued, no worker busy, nothing taken or queued for ``settle`` seconds), walk
every target from its first page along the records the workers left (``progress``), check
each recorded page against the store, and queue again, past the duplicate filter, every page
without a stored record; repeat until nothing is missing or the rounds run out.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from crawler.distributed.progress import Done
from crawler.distributed.scheduler import BUSY
from crawler.distributed.targets import CHUNK, Node, Push, Pushed, queue

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from redis import Redis

    from crawler.distributed.keys import Keys


@dataclass
class Check:
    """One generation against the store: its targets, the pages found stored, the missing;
    ``unknown`` when its records are gone (expired or deleted), so nothing can be told."""

    generation: str
    targets: int = 0
    stored: int = 0
    missing: list[Pushed] = field(default_factory=list)
    unknown: bool = False

    @property
    def finished(self) -> bool:
        return not self.missing and not self.unknown

    def __str__(self) -> str:
        if self.unknown:
            return (
                f"generation {self.generation}: unknown: its records are gone (expired after"
                " REDIS_LEDGER_TTL, or deleted), nothing can be checked; push its targets again"
            )
        return (
            f"generation {self.generation}: {self.targets} targets,"
            f" {self.stored} pages stored, {len(self.missing)} missing"
        )


@dataclass(frozen=True, slots=True)
class Crawl:
    """What is queued right now, and how many workers are alive and busy."""

    targets: int
    requests: int
    workers: int
    busy: int

    @property
    def quiet(self) -> bool:
        return not (self.targets or self.requests or self.busy)

    def __str__(self) -> str:
        return (
            f"{self.targets} targets and {self.requests} requests queued,"
            f" {self.workers} workers alive, {self.busy} busy"
        )


def crawl_state(server: Redis, keys: Keys) -> Crawl:
    names = list(server.scan_iter(match=keys.workers, count=500))
    states = [_text(s) for s in (server.mget(names) if names else []) if s is not None]
    return Crawl(
        server.llen(keys.targets),
        server.zcard(keys.requests),
        len(states),
        states.count(BUSY),
    )


def wait_quiet(
    server: Redis,
    keys: Keys,
    settle: float,
    timeout: float,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Return once the crawl is quiet twice ``settle`` seconds apart with no request queued
    or taken in between; TimeoutError after ``timeout`` seconds.

    A worker marks itself busy just after taking a request: the pause and the activity
    counter cover that instant. A dead worker's busy state expires with its heartbeat.
    """
    deadline = time.monotonic() + timeout
    while True:
        before = server.get(keys.activity)
        state = crawl_state(server, keys)
        if state.quiet:
            sleep(settle)
            state = crawl_state(server, keys)
            if state.quiet and server.get(keys.activity) == before:
                return
        else:
            sleep(min(settle, 1.0))
        if time.monotonic() > deadline:
            msg = f"the crawl is not quiet after {timeout:.0f}s: {state}"
            raise TimeoutError(msg)


def _ledger(server: Redis, keys: Keys, generation: str) -> Iterator[list[tuple[str, Node]]]:
    """The generation's targets and first pages, in chunks."""
    chunk: list[tuple[str, Node]] = []
    for target, node in server.hscan_iter(keys.ledger(generation), count=CHUNK):
        chunk.append((_text(target), Node.from_dict(json.loads(node))))
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# Size: each state a generation's records can be in (open, expired, unknown, settled) is one branch.
def check_generation(
    server: Redis,
    keys: Keys,
    stored_fetches: Callable[[Iterable[str]], set[tuple[str, str]]],
    generation: str,
) -> Check:
    """Walk every target of ``generation`` from its first page; each page without a record
    whose fetch the store holds is missing. The walk goes on past a page fetched but not
    stored (the store failed on it): the page after it was asked for all the same. A
    generation whose ledger is gone is unknown."""
    check = Check(generation)
    if not server.exists(keys.ledger(generation)):
        check.unknown = True
        return check
    missing: dict[str, Pushed] = {}
    for chunk in _ledger(server, keys, generation):
        check.targets += len(chunk)
        frontier = chunk
        seen: set[tuple[str, str]] = set()
        while frontier:
            urls = [node.url for _, node in frontier]
            records = dict(zip(urls, server.hmget(keys.done(generation), urls), strict=True))
            done = {url: Done.from_json(r) for url, r in records.items() if r is not None}
            stored = stored_fetches([d.at or u for u, d in done.items() if d.sha256])
            following = []
            for target, node in frontier:
                seen.add((target, node.url))
                record = done.get(node.url)
                if record is None:
                    missing.setdefault(node.url, Pushed(node, Push(generation, target), True))
                    continue
                if record.sha256 is not None:
                    if (record.at or node.url, record.sha256) in stored:
                        check.stored += 1
                    else:
                        missing.setdefault(node.url, Pushed(node, Push(generation, target), True))
                if record.next_url and (target, record.next_url) not in seen:
                    following.append((target, Node(record.next_url, continues=record.cluster)))
            frontier = following
    check.missing = list(missing.values())
    return check


def close_generation(server: Redis, keys: Keys, generation: str) -> None:
    """Forget a finished (or unknown) generation: its ledger, records and duplicate filter."""
    with server.pipeline() as pipe:
        pipe.delete(keys.ledger(generation), keys.done(generation), keys.dupefilter(generation))
        pipe.zrem(keys.generations, generation)
        pipe.execute()


def open_generations(server: Redis, keys: Keys) -> list[str]:
    """Generations pushed and not yet reconciled, oldest first."""
    return [_text(g) for g in server.zrange(keys.generations, 0, -1)]


def _text(value: object) -> str:
    """A Redis reply as text (the client returns bytes)."""
    return value.decode() if isinstance(value, bytes) else str(value)


# Size: rounds until settled or out of time, each round's outcome told apart.
def reconcile(
    server: Redis,
    keys: Keys,
    stored_fetches: Callable[[Iterable[str]], set[tuple[str, str]]],
    generations: list[str],
    *,
    settle: float,
    timeout: float,
    rounds: int,
    report: Callable[[str], None] = print,
) -> list[Check]:
    """Reconcile ``generations`` until none misses a page (each is then closed) or
    ``rounds`` checks have been made; each generation's last check. A generation whose
    records are gone is reported unknown once and forgotten. TimeoutError when the crawl
    does not become quiet within ``timeout`` seconds, for all rounds together."""
    deadline = time.monotonic() + timeout
    pending = list(generations)
    last: dict[str, Check] = {}
    for number in range(1, rounds + 1):
        wait_quiet(server, keys, settle, max(0.0, deadline - time.monotonic()))
        checks = [check_generation(server, keys, stored_fetches, g) for g in pending]
        for check in checks:
            last[check.generation] = check
            report(f"round {number}: {check}")
            if not check.missing:
                close_generation(server, keys, check.generation)
        pending = [c.generation for c in checks if c.missing]
        if not pending:
            break
        if number < rounds:
            requeued = queue(server, keys, (p for c in checks for p in c.missing))
            report(f"round {number}: queued {requeued} missing pages again")
    return [last[g] for g in generations if g in last]
