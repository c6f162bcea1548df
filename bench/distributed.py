"""The distributed profile against one process, on the same stand-in site.

``python -m bench.distributed --clusters 200 --workers 1,3`` serves synthetic clusters (a
few papers each, most over two pages) from the local stand-in and crawls them all: once in
one process (``-a names_file=``), then with K scrapy-redis workers fed by ``scrapy enqueue
--wait`` (which returns once the store holds every page), for each K asked. All write to
PostgreSQL, each run in a fresh schema. It reports pages/s end to end and while crawling
(the first page the site served to the last: a worker's throughput, without the fixed
waits of the profile's start and end), each worker's share of the one-process rate, and
per page fetched the Redis commands (the server's ``total_commands_processed``) and the
store's transactions (``pg_stat_database``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg
from redis import Redis

from bench.generate import generate
from crawler.standin import Site, StandIn

if TYPE_CHECKING:
    from crawler.pages.model import PaperEntry

ROOT = Path(__file__).resolve().parents[1]
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS = "redis://127.0.0.1:6379/0"
FAST = {
    "AUTOTHROTTLE_ENABLED": "false",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
    "RETRY_BACKOFF_BASE": "0.1",
    "FOLLOW_DETAIL_PAGES": "false",
    "LOG_LEVEL": "WARNING",
}


def synthetic_site(pages: int, work: Path, papers: int = 3) -> Site:
    """Clusters of the benchmark's synthetic pages, ``papers`` each, two to a page (made
    in ``work``/site). A paper shows one author list wherever it appears, as on the site:
    of two equally long lists the store keeps the one it loads first, so crawls in two
    orders would differ otherwise."""
    directory = work / "site"
    directory.mkdir()
    for name, body in generate(pages):
        (directory / name).write_bytes(body)
    site = Site.from_fixtures(directory, page_size=2)
    shown: dict[str | None, PaperEntry] = {}
    for cluster in site.clusters.values():
        for paper in cluster.papers:
            shown.setdefault(paper.title, paper)
    site.clusters = {
        key: replace(cluster, papers=tuple(shown[p.title] for p in cluster.papers[:papers]))
        for key, cluster in site.clusters.items()
    }
    return site


@dataclass
class Crawl:
    name: str
    workers: int
    pages: int
    seconds: float  # end to end: the command's start to its return (see crawl_seconds)
    redis_commands: int
    store_transactions: int
    crawl_seconds: float = 0.0  # the first page the site served to the last

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0

    @property
    def crawl_pages_per_s(self) -> float:
        """The rate while pages are fetched: without the fixed costs before the first page
        (a process's start-up; a waiting worker noticing new targets, within
        ``REDIS_REFILL_SECONDS``) and after the last (``--wait``'s settling,
        ``REDIS_SETTLE_SECONDS``, before it reconciles)."""
        return self.pages / self.crawl_seconds if self.crawl_seconds else 0.0

    @property
    def redis_per_page(self) -> float:
        return self.redis_commands / self.pages if self.pages else 0.0

    @property
    def transactions_per_page(self) -> float:
        return self.store_transactions / self.pages if self.pages else 0.0


class Counters:
    """The servers' own counters, read before and after a crawl."""

    def __init__(self, redis_url: str, dsn: str) -> None:
        self.redis = Redis.from_url(redis_url)
        self.dsn = dsn

    def read(self) -> tuple[int, int]:
        commands = int(self.redis.info("stats")["total_commands_processed"])
        with psycopg.connect(self.dsn, autocommit=True) as connection:
            row = connection.execute(
                "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
            ).fetchone()
        return commands, int(row[0]) if row else 0


def _settings(values: dict[str, str]) -> list[str]:
    return [arg for k, v in values.items() for arg in ("-s", f"{k}={v}")]


def _scrapy(*args: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "scrapy", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def one_process(names: Path, url: str, database: str, counters: Counters) -> tuple[float, int, int]:
    env = {**os.environ, "DATABASE_URL": database}
    env.pop("REDIS_URL", None)
    before = counters.read()
    started = time.perf_counter()
    crawl = _scrapy(
        "crawl",
        "author_cluster",
        "-a",
        f"names_file={names}",
        *_settings({**FAST, "ARROW_SEARCH_URL": f"{url}/search?q={{name}}"}),
        env=env,
    )
    code = crawl.wait()
    seconds = time.perf_counter() - started
    after = counters.read()
    if code != 0:
        msg = f"the one-process crawl failed (exit {code})"
        raise RuntimeError(msg)
    return seconds, after[0] - before[0], after[1] - before[1]


def workers_crawl(
    names: Path, url: str, database: str, counters: Counters, *, workers: int, redis_url: str
) -> tuple[float, int, int]:
    prefix = f"arrow_bench_{uuid.uuid4().hex[:10]}"
    env = {**os.environ, "DATABASE_URL": database, "REDIS_URL": redis_url}
    common = {**FAST, "ARROW_SEARCH_URL": f"{url}/search?q={{name}}", "REDIS_KEY_PREFIX": prefix}
    running = [
        _scrapy("crawl", "author_cluster", *_settings(common), env=env) for _ in range(workers)
    ]
    try:
        time.sleep(3)  # the workers start (what a deployment's workers have long done)
        before = counters.read()
        started = time.perf_counter()
        push = _scrapy("enqueue", "--file", str(names), "--wait", *_settings(common), env=env)
        code = push.wait()
        seconds = time.perf_counter() - started
        after = counters.read()
    finally:
        for worker in running:
            worker.terminate()
        for worker in running:
            worker.wait()
        server = Redis.from_url(redis_url)
        for key in server.scan_iter(match=f"{prefix}:*"):
            server.delete(key)
    if code != 0:
        msg = f"enqueue --wait with {workers} workers failed (exit {code})"
        raise RuntimeError(msg)
    return seconds, after[0] - before[0], after[1] - before[1]


def _schema(dsn: str, server: str) -> tuple[str, str]:
    schema = f"arrow_dist_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    return schema, f"{server}?options=-csearch_path%3D{schema}"


def _drop(dsn: str, schema: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def measure(
    pages: int, worker_counts: list[int], work: Path, server: str, redis_url: str
) -> list[Crawl]:
    site = synthetic_site(pages, work)
    names = work / "names.txt"
    names.write_text("".join(f"{c.cluster_name}\n" for c in site.clusters.values()), "utf-8")
    dsn = server.replace("+psycopg", "")
    counters = Counters(redis_url, dsn)
    crawls = []
    for workers in [0, *worker_counts]:
        stand_in = StandIn(site)
        stand_in.start()
        schema, database = _schema(dsn, server)
        try:
            if workers == 0:
                seconds, commands, commits = one_process(names, stand_in.url, database, counters)
            else:
                seconds, commands, commits = workers_crawl(
                    names, stand_in.url, database, counters, workers=workers, redis_url=redis_url
                )
            served = [at for at, path, _ in stand_in.log if path != "/robots.txt"]
            fetched = len(served)
            span = max(served) - min(served) if served else 0.0
        finally:
            stand_in.stop()
            _drop(dsn, schema)
        name = "one process" if workers == 0 else f"{workers} worker{'s' * (workers > 1)}"
        crawls.append(Crawl(name, workers, fetched, seconds, commands, commits, span))
    return crawls


def _share(crawl: Crawl, one: Crawl, rate: str) -> float:
    """``crawl``'s rate per worker as a share of the one-process crawl's."""
    base = getattr(one, rate)
    return getattr(crawl, rate) / (max(1, crawl.workers) * base) if base else 0.0


def report(crawls: list[Crawl]) -> str:
    """Pages/s end to end and while crawling, each per worker against one process."""
    one = crawls[0]
    lines = [
        f"{'crawl':<14} {'pages':>6} {'end to end':>11} {'per worker':>11} "
        f"{'crawling':>9} {'per worker':>11} {'Redis/page':>11} {'commits/page':>13}"
    ]
    for c in crawls:
        lines.append(
            f"{c.name:<14} {c.pages:>6} {c.pages_per_s:>11.1f} "
            f"{_share(c, one, 'pages_per_s'):>10.2f}x {c.crawl_pages_per_s:>9.1f} "
            f"{_share(c, one, 'crawl_pages_per_s'):>10.2f}x "
            f"{c.redis_per_page:>11.1f} {c.transactions_per_page:>13.2f}"
        )
    return "\n".join(lines)


def _counts(text: str) -> list[int]:
    """``--workers 1,3``: positive whole numbers, or argparse's one-line error."""
    try:
        counts = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        counts = []
    if not counts or min(counts) < 1:
        msg = f"expected worker counts such as 1,3, not {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return counts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--pages", type=int, default=250, help="synthetic pages the site is cut from"
    )
    parser.add_argument(
        "--workers", type=_counts, default="1,3", help="worker counts, comma-separated (1,3)"
    )
    parser.add_argument("--postgres", default=POSTGRES)
    parser.add_argument("--redis", default=REDIS)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    counts: list[int] = args.workers
    with tempfile.TemporaryDirectory() as tmp:
        crawls = measure(args.pages, counts, Path(tmp), args.postgres, args.redis)
    print(report(crawls))
    if args.json:
        data = [
            asdict(c)
            | {
                "pages_per_s": c.pages_per_s,
                "crawl_pages_per_s": c.crawl_pages_per_s,
                "redis_per_page": c.redis_per_page,
                "transactions_per_page": c.transactions_per_page,
            }
            for c in crawls
        ]
        args.json.write_text(json.dumps(data, indent=2) + "\n", "utf-8")


if __name__ == "__main__":
    from bench import main_quietly

    main_quietly(main)
